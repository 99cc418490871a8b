/* smoke_canary.c — the canary record smoke sends and the test that tells
 * one of this run's canaries from every other record in a bucket. */
#include "sluice/inspect.h"
#include "sluice/smoke.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

enum sl_result sl_smoke_canary_record(const char *run_id, int seq, int64_t sent_ms,
                                      struct sl_buf *out)
{
  char t[32];
  sl_inspect_format_time(sent_ms / 1000, t, sizeof(t));
  /* "...:SSZ" becomes "...:SS.mmmZ": latency is measured in milliseconds. */
  t[strlen(t) - 1] = 0;
  return sl_buf_printf(out, "{\"sluice_canary\":true,\"run_id\":\"%s\",\"seq\":%d,"
                       "\"sent_at\":\"%s.%03dZ\"}\n", run_id, seq, t, (int)(sent_ms % 1000));
}

int sl_smoke_canary_seq(const char *p, size_t n, const char *run_id, int max)
{
  struct json_tokener *tok;
  struct json_object *o = NULL, *v;
  size_t idlen = strlen(run_id);
  int seq = 0;
  /* Cheap test first: most records in a busy bucket are not ours. */
  if(!idlen || n < idlen || !memmem(p, n, run_id, idlen))
    return 0;
  while(n && (p[n - 1] == '\n' || p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
    n--;
  if(!n || n > INT_MAX || p[0] != '{' || !(tok = json_tokener_new_ex(64)))
    return 0;
  o = json_tokener_parse_ex(tok, p, (int)n);
  if(o && json_tokener_get_error(tok) == json_tokener_success &&
     json_tokener_get_parse_end(tok) == n && json_object_is_type(o, json_type_object) &&
     json_object_object_get_ex(o, "sluice_canary", &v) &&
     json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v) &&
     json_object_object_get_ex(o, "run_id", &v) &&
     json_object_is_type(v, json_type_string) && !strcmp(json_object_get_string(v), run_id) &&
     json_object_object_get_ex(o, "seq", &v) && json_object_is_type(v, json_type_int)) {
    int64_t s = json_object_get_int64(v);
    seq = s >= 1 && s <= max ? (int)s : 0;
  }
  json_object_put(o);
  json_tokener_free(tok);
  return seq;
}
