/* smoke_report.c — a smoke run's outcome for people (text) and for CI
 * (JSON): counts, latency, the objects that held canaries, the error codes
 * and what --cleanup removed or kept. Both forms carry the same facts. */
#include "sluice/provision.h"
#include "sluice/decode.h"
#include "sluice/smoke.h"

#include <stdio.h>
#include <string.h>

/* "1, 2, 5" for the canaries whose test holds, at most 20 then "..." */
typedef int (*canary_test)(const struct sl_smoke_canary *c);

static int is_missing(const struct sl_smoke_canary *c)
{
  return c->accepted && !c->found && !c->errors;
}

static int is_duplicated(const struct sl_smoke_canary *c)
{
  return c->found > 1;
}

/* Sent (sent_ms set) but never accepted. */
static int is_refused(const struct sl_smoke_canary *c)
{
  return !c->accepted && c->sent_ms;
}

static enum sl_result seq_list(const struct sl_smoke_result *res, canary_test t, int json,
                               struct sl_buf *out)
{
  enum sl_result r = json ? sl_buf_addc(out, '[') : SL_OK;
  int i, n = 0;
  for(i = 0; !r && i < res->count; i++) {
    if(!t(&res->canary[i]))
      continue;
    if(!json && n == 20) {
      r = sl_buf_adds(out, ", ...");
      break;
    }
    r = sl_buf_printf(out, "%s%d", n++ ? (json ? "," : ", ") : "", i + 1);
  }
  if(!r && json)
    r = sl_buf_addc(out, ']');
  return r;
}

/* Distinct error codes of the canaries in the error prefix, in seq order. */
static enum sl_result error_codes(const struct sl_smoke_result *res, int json,
                                  struct sl_buf *out)
{
  enum sl_result r = json ? sl_buf_addc(out, '[') : SL_OK;
  int i, k, shown = 0;
  for(i = 0; !r && i < res->count; i++) {
    const char *code = res->canary[i].error_code;
    int n = 0;
    if(!res->canary[i].errors)
      continue;
    for(k = 0; k < i; k++)
      if(res->canary[k].errors && !strcmp(res->canary[k].error_code, code))
        break;
    if(k < i)
      continue;
    for(k = i; k < res->count; k++)
      n += res->canary[k].errors && !strcmp(res->canary[k].error_code, code);
    if(json) {
      r = sl_buf_adds(out, shown++ ? ",{\"errorCode\":" : "{\"errorCode\":");
      if(!r) r = sl_json_append_string(out, code, strlen(code));
      if(!r) r = sl_buf_printf(out, ",\"canaries\":%d}", n);
    }
    else
      r = sl_buf_printf(out, "%s%s (%d)", shown++ ? ", " : "", code[0] ? code : "(none)", n);
  }
  if(!r && json)
    r = sl_buf_addc(out, ']');
  return r;
}

enum sl_result sl_smoke_report_text(const struct sl_smoke_result *res, struct sl_buf *out)
{
  enum sl_result r;
  size_t i;
  r = sl_buf_printf(out, "smoke: run %s: %ld of %d canaries sent to %s %s\n", res->run_id,
                    res->sent, res->count, res->kinesis ? "kinesis" : "firehose", res->stream);
  if(!r && res->sent < res->count) {
    r = sl_buf_adds(out, "  refused by the stream: seq ");
    if(!r) r = seq_list(res, is_refused, 0, out);
    if(!r) r = sl_buf_addc(out, '\n');
  }
  for(i = 0; !r && i < res->nobjects; i++) {
    const struct sl_smoke_object *e = &res->objects[i];
    r = sl_buf_printf(out, "  %s s3://%s/%s: %ld canar%s", e->error_output ? "error" : "object",
                      res->bucket, e->key, e->canaries, e->canaries == 1 ? "y" : "ies");
    if(!r && e->other)
      r = sl_buf_printf(out, ", %ld other record%s", e->other, e->other == 1 ? "" : "s");
    if(!r && e->error_output)
      r = sl_buf_printf(out, ", errorCode %s", e->error_code[0] ? e->error_code : "(none)");
    if(!r)
      r = sl_buf_adds(out, e->removed ? " (removed)\n" : "\n");
  }
  if(!r && res->have_latency)
    r = sl_buf_printf(out, "  latency: min %.1f s, median %.1f s, max %.1f s (send to object "
                      "LastModified, which has a 1 s resolution)\n", res->latency_min,
                      res->latency_median, res->latency_max);
  if(!r && res->missing) {
    r = sl_buf_adds(out, "  missing: seq ");
    if(!r) r = seq_list(res, is_missing, 0, out);
    if(!r) r = sl_buf_printf(out, " (not under s3://%s/%s nor the error prefix after %.0f s)\n",
                             res->bucket, res->prefix, res->elapsed_s);
  }
  if(!r && res->duplicated) {
    r = sl_buf_adds(out, "  duplicated: seq ");
    if(!r) r = seq_list(res, is_duplicated, 0, out);
    if(!r) r = sl_buf_addc(out, '\n');
  }
  if(!r && res->in_error) {
    r = sl_buf_printf(out, "  in the error prefix s3://%s/%s: %ld canar%s, errorCode ",
                      res->bucket, res->error_prefix, res->in_error,
                      res->in_error == 1 ? "y" : "ies");
    if(!r) r = error_codes(res, 0, out);
    if(!r) r = sl_buf_addc(out, '\n');
  }
  if(!r && (res->removed || res->kept || res->remove_failed))
    r = sl_buf_printf(out, "  cleanup: %ld object%s removed, %ld kept (they hold other records)"
                      "%s\n", res->removed, res->removed == 1 ? "" : "s", res->kept,
                      res->remove_failed ? ", some could not be deleted (see the log)" : "");
  if(!r)
    r = sl_buf_printf(out, "smoke: %s: sent %ld, found %ld, missing %ld, duplicated %ld, in error "
                      "prefix %ld (%.1f s%s)\n", res->passed ? "passed" : "FAILED", res->sent,
                      res->found, res->missing, res->duplicated, res->in_error, res->elapsed_s,
                      res->timed_out ? ", timed out" : "");
  return r;
}

static enum sl_result jstr(struct sl_buf *out, const char *name, const char *v)
{
  enum sl_result r = sl_buf_printf(out, ",\"%s\":", name);
  if(!r) r = sl_json_append_string(out, v, strlen(v));
  return r;
}

enum sl_result sl_smoke_report_json(const struct sl_prov *s, const struct sl_smoke_result *res,
                                    const struct sl_error *err, struct sl_buf *out)
{
  enum sl_result r = sl_buf_adds(out, "{\"command\":\"smoke\"");
  size_t i;
  if(!r) r = jstr(out, "profile", s && sl_prov_get_profile(s) ? sl_prov_get_profile(s)->path : "");
  if(!r) r = jstr(out, "run_id", res->run_id);
  if(!r) r = jstr(out, "target", res->kinesis ? "kinesis" : "firehose");
  if(!r) r = jstr(out, "stream", res->stream);
  if(!r) r = jstr(out, "bucket", res->bucket);
  if(!r) r = jstr(out, "prefix", res->prefix);
  if(!r) r = jstr(out, "error_prefix", res->error_prefix);
  if(!r) r = sl_buf_printf(out, ",\"count\":%d,\"sent\":%ld,\"found\":%ld,\"missing\":%ld,"
                           "\"duplicated\":%ld,\"in_error\":%ld,\"passed\":%s,\"timed_out\":%s,"
                           "\"timeout_s\":%.3f,\"elapsed_s\":%.3f,\"objects_read\":%lu",
                           res->count, res->sent, res->found, res->missing, res->duplicated,
                           res->in_error, res->passed ? "true" : "false",
                           res->timed_out ? "true" : "false", (double)res->timeout_ms / 1000.0,
                           res->elapsed_s, res->objects_read);
  if(!r && res->have_latency)
    r = sl_buf_printf(out, ",\"latency_s\":{\"min\":%.3f,\"median\":%.3f,\"max\":%.3f}",
                      res->latency_min, res->latency_median, res->latency_max);
  else if(!r)
    r = sl_buf_adds(out, ",\"latency_s\":null");
  if(!r) r = sl_buf_adds(out, ",\"missing_seq\":");
  if(!r) r = seq_list(res, is_missing, 1, out);
  if(!r) r = sl_buf_adds(out, ",\"duplicated_seq\":");
  if(!r) r = seq_list(res, is_duplicated, 1, out);
  if(!r) r = sl_buf_adds(out, ",\"refused_seq\":");
  if(!r) r = seq_list(res, is_refused, 1, out);
  if(!r) r = sl_buf_adds(out, ",\"error_codes\":");
  if(!r) r = error_codes(res, 1, out);
  if(!r) r = sl_buf_adds(out, ",\"objects\":[");
  for(i = 0; !r && i < res->nobjects; i++) {
    const struct sl_smoke_object *e = &res->objects[i];
    r = sl_buf_adds(out, i ? ",{\"key\":" : "{\"key\":");
    if(!r) r = sl_json_append_string(out, e->key, strlen(e->key));
    if(!r) r = sl_buf_printf(out, ",\"error_output\":%s,\"canaries\":%ld,\"other_records\":%ld",
                             e->error_output ? "true" : "false", e->canaries, e->other);
    if(!r && e->error_output) r = jstr(out, "errorCode", e->error_code);
    if(!r) r = sl_buf_printf(out, ",\"removed\":%s}", e->removed ? "true" : "false");
  }
  if(!r) r = sl_buf_printf(out, "],\"cleanup\":{\"removed\":%ld,\"kept\":%ld,\"failed\":%ld}",
                           res->removed, res->kept, res->remove_failed);
  if(!r && err && err->result) {
    const char *where = res->where[0] ? res->where : s ? sl_prov_get_where(s) : "";
    r = sl_buf_adds(out, ",\"error\":{\"resource\":");
    if(!r) r = where[0] ? sl_json_append_string(out, where, strlen(where))
                        : sl_buf_adds(out, "null");
    if(!r) r = jstr(out, "code", err->code);
    if(!r) r = jstr(out, "message", err->message);
    if(!r) r = sl_buf_printf(out, ",\"http_status\":%ld", err->http_status);
    if(!r) r = jstr(out, "request_id", err->request_id);
    if(!r) r = sl_buf_addc(out, '}');
  }
  if(!r)
    r = sl_buf_adds(out, "}\n");
  return r;
}
