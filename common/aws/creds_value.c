/* creds_value.c — one credential value: freed (secrets wiped), copied,
 * and built as every provider builds it: the copies (the secret registered
 * for redaction), the expiry time as AWS writes it, the JSON document
 * credential_process, ECS and IMDS answer, the token files web identity
 * reads. */
#include "creds_value.h"
#include "sluice/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

void sl_creds_cleanup(struct sl_creds *c)
{
  if(!c)
    return;
  sl_free_secret(c->access_key_id);
  sl_free_secret(c->secret_access_key);
  sl_free_secret(c->session_token);
  memset(c, 0, sizeof(*c));
}

enum sl_result sl_creds_copy(struct sl_creds *dst, const struct sl_creds *src)
{
  memset(dst, 0, sizeof(*dst));
  if(!src)
    return SL_E_INVALID;
  dst->access_key_id = sl_strdup(src->access_key_id);
  dst->secret_access_key = sl_strdup(src->secret_access_key);
  dst->session_token = sl_strdup(src->session_token);
  if((src->access_key_id && !dst->access_key_id) ||
     (src->secret_access_key && !dst->secret_access_key) ||
     (src->session_token && !dst->session_token)) {
    sl_creds_cleanup(dst);
    return SL_E_NOMEM;
  }
  dst->expiration = src->expiration;
  memcpy(dst->source, src->source, sizeof(dst->source));
  dst->source[sizeof(dst->source) - 1] = 0;
  return SL_OK;
}

enum sl_result sl_creds_fill(struct sl_creds *out, const char *id, const char *secret,
                             const char *token, time_t expiration, const char *source)
{
  sl_creds_cleanup(out);
  out->access_key_id = sl_strdup(id);
  out->secret_access_key = sl_strdup(secret);
  out->session_token = token && *token ? sl_strdup(token) : NULL;
  if(!out->access_key_id || !out->secret_access_key || (token && *token && !out->session_token)) {
    sl_creds_cleanup(out);
    return SL_E_NOMEM;
  }
  out->expiration = expiration;
  snprintf(out->source, sizeof(out->source), "%s", source);
  sl_log_register_secret(secret);
  sl_log_register_secret(out->session_token);
  return SL_OK;
}

static int digits(const char **s, int n, int *out)
{
  int v = 0;
  for(; n; n--, (*s)++) {
    if(!isdigit((unsigned char)**s))
      return -1;
    v = v * 10 + (**s - '0');
  }
  *out = v;
  return 0;
}

int sl_creds_parse_time(const char *s, time_t *out)
{
  struct tm tm;
  int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
  time_t t;
  memset(&tm, 0, sizeof(tm));
  if(digits(&s, 4, &y) || *s++ != '-' || digits(&s, 2, &mo) || *s++ != '-' ||
     digits(&s, 2, &d) || (*s != 'T' && *s != 't' && *s != ' ') || !*s++ ||
     digits(&s, 2, &h) || *s++ != ':' || digits(&s, 2, &mi) || *s++ != ':' ||
     digits(&s, 2, &sec))
    return -1;
  if(*s == '.')
    for(s++; isdigit((unsigned char)*s); s++)
      ;
  if(*s == 'Z' || *s == 'z')
    s++;
  else if(*s == '+' || *s == '-') {
    sign = *s++ == '-' ? -1 : 1;
    if(digits(&s, 2, &oh) || (*s == ':' && !*++s) || digits(&s, 2, &om))
      return -1;
  }
  else
    return -1;
  if(*s || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    return -1;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  t = timegm(&tm);
  if(t == (time_t)-1)
    return -1;
  *out = t - sign * (oh * 3600 + om * 60);
  return 0;
}

enum sl_result sl_creds_read_token_file(const char *path, struct sl_buf *out,
                                        struct sl_error *err)
{
  FILE *f = fopen(path, "rb");
  char chunk[4096];
  size_t n;
  enum sl_result r = SL_OK;
  if(!f)
    return sl_error_set(err, SL_E_CREDENTIALS, NULL, "cannot read token file %s: %s", path,
                        strerror(errno));
  sl_buf_reset(out);
  while(!r && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    r = sl_buf_add(out, chunk, n);
  fclose(f);
  if(r)
    return sl_error_set(err, r, NULL, "token file %s: %s", path, sl_strresult(r));
  while(out->len && isspace((unsigned char)out->data[out->len - 1]))
    out->data[--out->len] = 0;
  if(!out->len)
    return sl_error_set(err, SL_E_CREDENTIALS, NULL, "token file %s is empty", path);
  return SL_OK;
}

static void scrub(struct json_object *obj, const char *member)
{
  struct json_object *v;
  if(json_object_object_get_ex(obj, member, &v) && json_object_is_type(v, json_type_string)) {
    /* json-c keeps its own copy of the string: wipe it before freeing. */
    char *s = (char *)json_object_get_string(v);
    memset(s, 0, strlen(s));
  }
}

static const char *member(struct json_object *obj, const char *name)
{
  struct json_object *v;
  if(!json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

enum sl_result sl_creds_from_json(const char *text, size_t len, const char *token_member,
                                  int need_version, const char *source, const char *what,
                                  struct sl_creds *out, struct sl_error *err)
{
  struct json_tokener *tok = json_tokener_new();
  struct json_object *obj = NULL, *ver;
  const char *id, *secret, *code, *exp;
  time_t when = 0;
  enum sl_result r = SL_OK;
  if(!tok)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  if(len < (size_t)1 << 30)
    obj = json_tokener_parse_ex(tok, text, (int)len);
  if(!obj || json_tokener_get_error(tok) != json_tokener_success ||
     !json_object_is_type(obj, json_type_object))
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s answer is not a JSON object", what);
  else if(need_version && (!json_object_object_get_ex(obj, "Version", &ver) ||
                           !json_object_is_type(ver, json_type_int) ||
                           json_object_get_int(ver) != 1))
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s answer must have \"Version\": 1", what);
  else if((code = member(obj, "Code")) && strcmp(code, "Success"))
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s answered Code %s%s%s", what, code,
                     member(obj, "Message") ? ": " : "",
                     member(obj, "Message") ? member(obj, "Message") : "");
  else {
    id = member(obj, "AccessKeyId");
    secret = member(obj, "SecretAccessKey");
    exp = member(obj, "Expiration");
    if(!id || !*id || !secret || !*secret)
      r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s answer lacks AccessKeyId or "
                       "SecretAccessKey", what);
    else if(exp && sl_creds_parse_time(exp, &when))
      r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s answer has a bad Expiration '%.40s'",
                       what, exp);
    else
      r = sl_creds_fill(out, id, secret, member(obj, token_member), when, source);
  }
  if(obj) {
    scrub(obj, "SecretAccessKey");
    scrub(obj, token_member);
    json_object_put(obj);
  }
  json_tokener_free(tok);
  return r;
}
