/* failed_record.c — one record of a Firehose error-output object
 * (processing-failed/, elasticsearch-failed/, ...): the delivery attempt's
 * fields and the original record bytes, base64 in rawData. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sluice/decode.h"

enum sl_result sl_failed_record_init(struct sl_failed_record *f, size_t raw_max)
{
  memset(f, 0, sizeof(*f));
  return sl_buf_init(&f->raw_data, raw_max);
}

void sl_failed_record_cleanup(struct sl_failed_record *f)
{
  free(f->error_code);
  free(f->error_message);
  sl_buf_cleanup(&f->raw_data);
  f->error_code = f->error_message = NULL;
}

/* A number, or a string of digits (some writers quote timestamps). */
static enum sl_result get_int(struct json_object *o, const char *key, int64_t *out,
                              struct sl_error *err)
{
  struct json_object *v;
  *out = 0;
  if(!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
    return SL_OK;
  if(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)) {
    *out = json_object_get_int64(v);
    return SL_OK;
  }
  if(json_object_is_type(v, json_type_string)) {
    const char *s = json_object_get_string(v);
    char *end;
    long long x;
    errno = 0;
    x = strtoll(s, &end, 10);
    if(*s && !*end && !errno) {
      *out = x;
      return SL_OK;
    }
  }
  return sl_error_set(err, SL_E_PARSE, NULL, "error record: %s is not a number", key);
}

static enum sl_result get_str(struct json_object *o, const char *key, char **out,
                              struct sl_error *err)
{
  struct json_object *v;
  const char *s = "";
  free(*out);
  *out = NULL;
  if(json_object_object_get_ex(o, key, &v) && !json_object_is_type(v, json_type_null)) {
    if(!json_object_is_type(v, json_type_string))
      return sl_error_set(err, SL_E_PARSE, NULL, "error record: %s is not a string", key);
    s = json_object_get_string(v);
  }
  *out = sl_strdup(s);
  return *out ? SL_OK : SL_E_NOMEM;
}

static enum sl_result get_raw(struct json_object *o, struct sl_buf *raw, struct sl_error *err)
{
  struct json_object *v;
  enum sl_result r;
  if(!json_object_object_get_ex(o, "rawData", &v) || !json_object_is_type(v, json_type_string))
    return sl_error_set(err, SL_E_PARSE, NULL, "error record: rawData missing or not a string");
  r = sl_base64_decode(json_object_get_string(v), (size_t)json_object_get_string_len(v), raw);
  if(r == SL_E_PARSE)
    return sl_error_set(err, r, NULL, "error record: rawData is not valid base64");
  if(r)
    return sl_error_set(err, r, NULL, "error record: rawData: %s", sl_strresult(r));
  return SL_OK;
}

enum sl_result sl_failed_record_parse(struct sl_failed_record *f, const char *p, size_t n,
                                      struct sl_error *err)
{
  struct json_tokener *tok;
  struct json_object *o = NULL;
  enum sl_result r = SL_OK;
  size_t end;
  if(n > 0x7fffffff)
    return sl_error_set(err, SL_E_TOO_LARGE, NULL, "error record larger than 2 GiB");
  tok = json_tokener_new();
  if(!tok)
    return SL_E_NOMEM;
  o = json_tokener_parse_ex(tok, p, (int)n);
  end = json_tokener_get_parse_end(tok);
  while(end < n && (p[end] == ' ' || p[end] == '\t' || p[end] == '\r' || p[end] == '\n'))
    end++;
  if(!o || end != n)
    r = sl_error_set(err, SL_E_PARSE, NULL, "error record is not one JSON value: %s",
                     o ? "trailing bytes" : json_tokener_error_desc(json_tokener_get_error(tok)));
  else if(!json_object_is_type(o, json_type_object))
    r = sl_error_set(err, SL_E_PARSE, NULL, "error record is not a JSON object");
  sl_buf_reset(&f->raw_data);
  if(!r) r = get_int(o, "attemptsMade", &f->attempts_made, err);
  if(!r) r = get_int(o, "arrivalTimestamp", &f->arrival_timestamp, err);
  if(!r) r = get_int(o, "attemptEndingTimestamp", &f->attempt_ending_timestamp, err);
  if(!r) r = get_str(o, "errorCode", &f->error_code, err);
  if(!r) r = get_str(o, "errorMessage", &f->error_message, err);
  if(!r) r = get_raw(o, &f->raw_data, err);
  json_object_put(o);
  json_tokener_free(tok);
  return r;
}
