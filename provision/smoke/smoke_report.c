/* smoke_report.c — a smoke run's outcome for people (text) and for CI
 * (JSON): counts, latency, the objects that held canaries, the error codes
 * and what --cleanup removed or kept. Both forms carry the same facts. */
#include "sluice/provision.h"
#include "sluice/decode.h"
#include "sluice/smoke.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common/records/json_out.h"

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

static enum sl_result seq_list(const struct sl_smoke_result *res, canary_test t,
                               struct sl_buf *out)
{
  enum sl_result r = SL_OK;
  int i, n = 0;
  for(i = 0; !r && i < res->count; i++) {
    if(!t(&res->canary[i]))
      continue;
    if(n == 20) {
      r = sl_buf_adds(out, ", ...");
      break;
    }
    r = sl_buf_printf(out, "%s%d", n++ ? ", " : "", i + 1);
  }
  return r;
}

/* The same, every one, for JSON. */
static struct json_object *seq_array(const struct sl_smoke_result *res, canary_test t)
{
  struct json_object *a = json_object_new_array();
  int i;
  for(i = 0; i < res->count; i++)
    if(t(&res->canary[i]))
      json_object_array_add(a, json_object_new_int(i + 1));
  return a;
}

/* Distinct error codes of the canaries in the error prefix, in seq order. */
static enum sl_result error_codes(const struct sl_smoke_result *res, struct sl_buf *out,
                                  struct json_object *json)
{
  enum sl_result r = SL_OK;
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
      struct json_object *e = json_object_new_object();
      json_object_object_add(e, "errorCode", sl_jout_string(code, strlen(code)));
      json_object_object_add(e, "canaries", json_object_new_int(n));
      json_object_array_add(json, e);
    }
    else
      r = sl_buf_printf(out, "%s%s (%d)", shown++ ? ", " : "", code[0] ? code : "(none)", n);
  }
  return r;
}

enum sl_result sl_smoke_report_text(const struct sl_smoke_result *res, struct sl_buf *out)
{
  enum sl_result r;
  size_t i;
  r = sl_buf_printf(out, "smoke: run %s: %ld of %d canaries sent to %s %s\n", res->run_id,
                    res->sent, res->count, res->kinesis ? "kinesis" : "firehose", res->stream);
  if(!r && res->delivery_note[0])
    r = sl_buf_printf(out, "  the stream delivers elsewhere than the profile says: %s; watching "
                      "where it delivers (provision plan shows the drift)\n", res->delivery_note);
  if(!r && res->sent < res->count) {
    r = sl_buf_adds(out, "  refused by the stream: seq ");
    if(!r) r = seq_list(res, is_refused, out);
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
    if(!r) r = seq_list(res, is_missing, out);
    if(!r) r = sl_buf_printf(out, " (not under s3://%s/%s nor the error prefix after %.0f s)\n",
                             res->bucket, res->prefix, res->elapsed_s);
  }
  if(!r && res->duplicated) {
    r = sl_buf_adds(out, "  duplicated: seq ");
    if(!r) r = seq_list(res, is_duplicated, out);
    if(!r) r = sl_buf_addc(out, '\n');
  }
  if(!r && res->in_error) {
    r = sl_buf_printf(out, "  in the error prefix s3://%s/%s: %ld canar%s, errorCode ",
                      res->bucket, res->error_prefix, res->in_error,
                      res->in_error == 1 ? "y" : "ies");
    if(!r) r = error_codes(res, out, NULL);
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


static struct json_object *bool_of(int v)
{
  return json_object_new_boolean(v ? 1 : 0);
}

enum sl_result sl_smoke_report_json(const struct sl_prov *s, const struct sl_smoke_result *res,
                                    const struct sl_error *err, struct sl_buf *out)
{
  struct json_object *o = sl_jout_document("smoke"), *objects = json_object_new_array();
  struct json_object *codes = json_object_new_array(), *cleanup = json_object_new_object();
  size_t i;
  json_object_object_add(o, "profile", json_object_new_string(s && sl_prov_get_profile(s) ?
                                                              sl_prov_get_profile(s)->path : ""));
  json_object_object_add(o, "run_id", json_object_new_string(res->run_id));
  json_object_object_add(o, "target", json_object_new_string(res->kinesis ? "kinesis" : "firehose"));
  json_object_object_add(o, "stream", json_object_new_string(res->stream));
  json_object_object_add(o, "bucket", json_object_new_string(res->bucket));
  json_object_object_add(o, "prefix", json_object_new_string(res->prefix));
  json_object_object_add(o, "error_prefix", json_object_new_string(res->error_prefix));
  json_object_object_add(o, "delivery_differs", res->delivery_note[0] ?
                         json_object_new_string(res->delivery_note) : NULL);
  json_object_object_add(o, "count", json_object_new_int(res->count));
  json_object_object_add(o, "sent", json_object_new_int64(res->sent));
  json_object_object_add(o, "found", json_object_new_int64(res->found));
  json_object_object_add(o, "missing", json_object_new_int64(res->missing));
  json_object_object_add(o, "duplicated", json_object_new_int64(res->duplicated));
  json_object_object_add(o, "in_error", json_object_new_int64(res->in_error));
  json_object_object_add(o, "passed", bool_of(res->passed));
  json_object_object_add(o, "timed_out", bool_of(res->timed_out));
  json_object_object_add(o, "timeout_s", sl_jout_fixed((double)res->timeout_ms / 1000.0, 3));
  json_object_object_add(o, "elapsed_s", sl_jout_fixed(res->elapsed_s, 3));
  json_object_object_add(o, "objects_read", json_object_new_int64((int64_t)res->objects_read));
  if(res->have_latency) {
    struct json_object *l = json_object_new_object();
    json_object_object_add(l, "min", sl_jout_fixed(res->latency_min, 3));
    json_object_object_add(l, "median", sl_jout_fixed(res->latency_median, 3));
    json_object_object_add(l, "max", sl_jout_fixed(res->latency_max, 3));
    json_object_object_add(o, "latency_s", l);
  }
  else
    json_object_object_add(o, "latency_s", NULL);
  json_object_object_add(o, "missing_seq", seq_array(res, is_missing));
  json_object_object_add(o, "duplicated_seq", seq_array(res, is_duplicated));
  json_object_object_add(o, "refused_seq", seq_array(res, is_refused));
  error_codes(res, NULL, codes);
  json_object_object_add(o, "error_codes", codes);
  for(i = 0; i < res->nobjects; i++) {
    const struct sl_smoke_object *e = &res->objects[i];
    struct json_object *j = json_object_new_object();
    json_object_object_add(j, "key", sl_jout_string(e->key, strlen(e->key)));
    json_object_object_add(j, "error_output", bool_of(e->error_output));
    json_object_object_add(j, "canaries", json_object_new_int64(e->canaries));
    json_object_object_add(j, "other_records", json_object_new_int64(e->other));
    if(e->error_output)
      json_object_object_add(j, "errorCode", json_object_new_string(e->error_code));
    json_object_object_add(j, "removed", bool_of(e->removed));
    json_object_array_add(objects, j);
  }
  json_object_object_add(o, "objects", objects);
  json_object_object_add(cleanup, "removed", json_object_new_int64(res->removed));
  json_object_object_add(cleanup, "kept", json_object_new_int64(res->kept));
  json_object_object_add(cleanup, "failed", json_object_new_int64(res->remove_failed));
  json_object_object_add(o, "cleanup", cleanup);
  if(err && err->result) {
    const char *where = res->where[0] ? res->where : s ? sl_prov_get_where(s) : "";
    json_object_object_add(o, "error", sl_jout_error(where, err));
  }
  return sl_jout_emit(o, out);
}
