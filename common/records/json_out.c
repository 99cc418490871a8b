/* json_out.c — every --json document goes through here (json-c), so they
 * share one format: format_version first, indented, '/' not escaped, any
 * bytes made valid UTF-8, and one error object. */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "sluice/buf.h"
#include "common/records/json_text.h"
#include "common/records/json_out.h"

struct json_object *sl_jout_document(const char *command)
{
  struct json_object *o = json_object_new_object();
  json_object_object_add(o, "format_version", json_object_new_int(SL_JSON_FORMAT_VERSION));
  json_object_object_add(o, "command", json_object_new_string(command));
  return o;
}

struct json_object *sl_jout_string(const char *p, size_t n)
{
  struct sl_buf b;
  struct json_object *o = NULL;
  if(!p)
    return NULL;
  if(sl_buf_init(&b, n * 3 + 16))
    return NULL;
  if(!sl_json_utf8_clean(p, n, &b))
    o = json_object_new_string_len(b.len ? b.data : "", (int)b.len);
  sl_buf_cleanup(&b);
  return o;
}

struct json_object *sl_jout_opt(const char *s)
{
  return s && s[0] ? sl_jout_string(s, strlen(s)) : NULL;
}

struct json_object *sl_jout_fixed(double v, int decimals)
{
  char text[64];
  snprintf(text, sizeof(text), "%.*f", decimals, v);
  return json_object_new_double_s(v, text);
}

struct json_object *sl_jout_error(const char *resource, const struct sl_error *err)
{
  struct json_object *e = json_object_new_object();
  json_object_object_add(e, "resource", sl_jout_opt(resource));
  json_object_object_add(e, "code", sl_jout_opt(err->code));
  json_object_object_add(e, "message", sl_jout_opt(err->message[0] ? err->message :
                                                   sl_strresult(err->result)));
  json_object_object_add(e, "http_status", err->http_status ?
                                           json_object_new_int64(err->http_status) : NULL);
  json_object_object_add(e, "request_id", sl_jout_opt(err->request_id));
  return e;
}

enum sl_result sl_jout_emit(struct json_object *o, struct sl_buf *out)
{
  const int flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                    JSON_C_TO_STRING_NOSLASHESCAPE;
  const char *text = o ? json_object_to_json_string_ext(o, flags) : NULL;
  enum sl_result r = text ? sl_buf_adds(out, text) : SL_E_NOMEM;
  if(!r) r = sl_buf_addc(out, '\n');
  json_object_put(o);
  return r;
}
