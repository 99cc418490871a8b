/* send_report.c — what a send run tells: the result's lifetime, the
 * dead-letter line for a record that failed for good, and the report as one
 * summary line or as the old library's JSON structure. */
#include "sluice/send.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sluice/decode.h"
#include "common/records/json_out.h"

void sl_send_result_init(struct sl_send_result *r)
{
  memset(r, 0, sizeof(*r));
}

void sl_send_result_cleanup(struct sl_send_result *r)
{
  size_t i;
  for(i = 0; i < r->nfailures; i++)
    free(r->failures[i].data);
  free(r->failures);
  memset(r, 0, sizeof(*r));
}

static enum sl_result json_str(struct sl_buf *out, const char *s)
{
  return sl_json_append_string(out, s ? s : "", s ? strlen(s) : 0);
}

enum sl_result sl_send_dead_letter_line(struct sl_buf *out, const struct sl_send_dead *d)
{
  enum sl_result r = sl_buf_adds(out, d->data ? "{\"record\":\"" : "{\"record\":null");
  if(!r && d->data) r = sl_base64_encode(d->data, d->len, out);
  if(!r && d->data) r = sl_buf_addc(out, '"');
  if(!r) r = sl_buf_adds(out, ",\"stream\":");
  if(!r) r = json_str(out, d->stream);
  if(!r) r = sl_buf_adds(out, ",\"error_code\":");
  if(!r) r = json_str(out, d->code);
  if(!r) r = sl_buf_adds(out, ",\"error_message\":");
  if(!r) r = json_str(out, d->msg);
  if(!r) r = sl_buf_printf(out, ",\"attempts\":%d,\"source\":", d->attempts);
  if(!r) r = json_str(out, d->where);
  if(!r) r = sl_buf_printf(out, ",\"index\":%llu,\"bytes\":", (unsigned long long)d->index);
  /* Without the bytes the line must still say how big the record was;
   * null rather than a guess when nobody measured it. */
  if(!r && (d->data || d->bytes))
    r = sl_buf_printf(out, "%llu", (unsigned long long)(d->data ? d->len : d->bytes));
  else if(!r)
    r = sl_buf_adds(out, "null");
  if(!r && !d->data) r = sl_buf_adds(out, ",\"reason\":");
  if(!r && !d->data) r = json_str(out, d->reason ? d->reason : "not kept");
  if(!r) r = sl_buf_adds(out, "}\n");
  return r;
}

static double rate(const struct sl_send_result *r)
{
  return r->elapsed_s > 0 ? (double)r->delivered / r->elapsed_s : 0.0;
}

static void error_text(const struct sl_send_failure *f, char *out, size_t outlen)
{
  snprintf(out, outlen, "%s%s%s", f->error_code, f->error_code[0] ? ": " : "",
           f->error_message);
}

/* "  record: 1.3 MB, begins \"...\"": the kept head, printable ASCII as is,
 * the rest escaped, so a terminal shows exactly what the record starts with. */
static enum sl_result head_text(const struct sl_send_failure *f, struct sl_buf *out)
{
  char size[32];
  size_t i;
  enum sl_result r;
  sl_format_bytes(f->bytes, size, sizeof(size));
  r = sl_buf_printf(out, "  record: %s (%llu bytes), first %zu bytes: \"", size,
                    (unsigned long long)f->bytes, f->len);
  for(i = 0; !r && i < f->len; i++) {
    unsigned char c = f->data[i];
    if(c == '\n')
      r = sl_buf_adds(out, "\\n");
    else if(c == '"' || c == '\\')
      r = sl_buf_printf(out, "\\%c", c);
    else if(c < 0x20 || c > 0x7e)
      r = sl_buf_printf(out, "\\x%02x", c);
    else
      r = sl_buf_addc(out, (char)c);
  }
  if(!r) r = sl_buf_adds(out, "\"\n");
  return r;
}

/* "billed: ..." — what the service meters, and what aggregation would
 * have made of it. */
static enum sl_result bill_text(const struct sl_send_result *r, struct sl_buf *out)
{
  char billed[32], agg[32];
  enum sl_result res;
  sl_format_bytes(r->billed_bytes, billed, sizeof(billed));
  if(r->target == SL_SEND_KINESIS) {
    res = sl_buf_printf(out, "billed: %llu Kinesis records, %llu PUT payload units (25 KB each)",
                        (unsigned long long)r->service_records, (unsigned long long)r->put_units);
    if(!res && r->aggregated_records && r->aggregated_records < r->service_records)
      res = sl_buf_printf(out, "; with --aggregate: about %llu records, %llu units",
                          (unsigned long long)r->aggregated_records,
                          (unsigned long long)(r->aggregated_billed_bytes / SL_KINESIS_PUT_UNIT));
    if(!res) res = sl_buf_addc(out, '\n');
    return res;
  }
  res = sl_buf_printf(out, "billed: %llu Firehose records, %s (each rounded up to 5 KB)",
                      (unsigned long long)r->service_records, billed);
  if(!res && r->aggregated_records && r->aggregated_records < r->service_records) {
    sl_format_bytes(r->aggregated_billed_bytes, agg, sizeof(agg));
    res = sl_buf_printf(out, "; with --aggregate: %llu records, %s", (unsigned long long)
                        r->aggregated_records, agg);
  }
  if(!res) res = sl_buf_addc(out, '\n');
  return res;
}

enum sl_result sl_send_report_text(const struct sl_send_result *r, const char *stream,
                                   const char *dead_letter, struct sl_buf *out)
{
  enum sl_result res = SL_OK;
  size_t i;
  if(dead_letter && r->failed)
    res = sl_buf_printf(out, "%llu failed records appended to %s\n",
                        (unsigned long long)r->failed, dead_letter);
  for(i = 0; !res && !dead_letter && i < r->nfailures; i++) {
    const struct sl_send_failure *f = &r->failures[i];
    char e[400];
    error_text(f, e, sizeof(e));
    /* The message may already name the place; do not say it twice. */
    res = sl_buf_printf(out, "failed %s after %d attempt%s: %s\n",
                        strncmp(f->error_message, f->where, strlen(f->where)) ? f->where :
                        "record", f->attempts, f->attempts == 1 ? "" : "s", e);
    if(!res && f->data && f->bytes > f->len)
      res = head_text(f, out);
    else if(!res && f->data) {
      res = sl_buf_adds(out, "  record (base64): ");
      if(!res) res = sl_base64_encode(f->data, f->len, out);
      if(!res) res = sl_buf_addc(out, '\n');
    }
  }
  if(!res && !dead_letter && r->not_listed)
    res = sl_buf_printf(out, "%llu more failed records not listed (use --dead-letter)\n",
                        (unsigned long long)r->not_listed);
  if(!res) {
    char size[32], took[32];
    char unanswered[64] = "";
    sl_format_bytes(r->bytes, size, sizeof(size));
    sl_format_seconds(r->elapsed_s, took, sizeof(took));
    /* Where duplicates may come from: requests whose answer never came. */
    if(r->requests_unanswered)
      snprintf(unanswered, sizeof(unanswered), " (%llu request%s unanswered)",
               (unsigned long long)r->requests_unanswered, r->requests_unanswered == 1 ? "" : "s");
    res = sl_buf_printf(out, "%s %s: total %llu, delivered %llu, failed %llu, retried %llu, "
                        "duplicates possible %llu%s, requests %llu, bytes %llu (%s), elapsed %s, "
                        "%.0f records/s\n", sl_send_target_name(r->target), stream,
                        (unsigned long long)r->total, (unsigned long long)r->delivered,
                        (unsigned long long)r->failed, (unsigned long long)r->retried,
                        (unsigned long long)r->duplicates_possible, unanswered,
                        (unsigned long long)r->requests, (unsigned long long)r->bytes, size, took,
                        rate(r));
  }
  if(!res && r->service_records)
    res = bill_text(r, out);
  return res;
}

static struct json_object *u64(uint64_t v)
{
  return json_object_new_int64((int64_t)v);
}

enum sl_result sl_send_report_json(const struct sl_send_result *r, const char *stream,
                                   const char *dead_letter, struct sl_buf *out)
{
  struct json_object *o = sl_jout_document("send"), *failed = json_object_new_array();
  size_t i;
  json_object_object_add(o, "target", json_object_new_string(sl_send_target_name(r->target)));
  json_object_object_add(o, "stream", sl_jout_opt(stream));
  json_object_object_add(o, "total_records", u64(r->total));
  json_object_object_add(o, "successful_records", u64(r->delivered));
  for(i = 0; i < r->nfailures; i++) {
    const struct sl_send_failure *f = &r->failures[i];
    struct json_object *e = json_object_new_object();
    struct sl_buf b64;
    char text[400];
    error_text(f, text, sizeof(text));
    int head = f->data && f->bytes > f->len; /* only its first bytes kept */
    json_object_object_add(e, "record", f->data && !head ?
                                        sl_jout_string((const char *)f->data, f->len) : NULL);
    if(head)
      json_object_object_add(e, "record_base64", NULL);
    else if(f->data && !sl_buf_init(&b64, f->len / 3 * 4 + 8)) {
      if(!sl_base64_encode(f->data, f->len, &b64))
        json_object_object_add(e, "record_base64", json_object_new_string_len(b64.len ?
                               b64.data : "", (int)b64.len));
      sl_buf_cleanup(&b64);
    }
    else
      json_object_object_add(e, "record_base64", NULL);
    json_object_object_add(e, "record_bytes", u64(f->bytes));
    if(head)
      json_object_object_add(e, "record_head", sl_jout_string((const char *)f->data, f->len));
    json_object_object_add(e, "error", sl_jout_opt(text));
    json_object_object_add(e, "error_code", sl_jout_opt(f->error_code));
    json_object_object_add(e, "attempt", json_object_new_int(f->attempts));
    json_object_object_add(e, "index", u64(f->index));
    json_object_object_add(e, "source", sl_jout_opt(f->where));
    json_object_array_add(failed, e);
  }
  json_object_object_add(o, "failed_records", failed);
  json_object_object_add(o, "failed_record_count", u64(r->failed));
  json_object_object_add(o, "failed_records_not_listed", u64(r->not_listed));
  json_object_object_add(o, "rejected_records", u64(r->rejected));
  json_object_object_add(o, "retried_records", u64(r->retried));
  json_object_object_add(o, "duplicates_possible", u64(r->duplicates_possible));
  json_object_object_add(o, "requests_unanswered", u64(r->requests_unanswered));
  json_object_object_add(o, "requests", u64(r->requests));
  json_object_object_add(o, "request_retries", u64(r->request_retries));
  json_object_object_add(o, "bytes", u64(r->bytes));
  json_object_object_add(o, "request_bytes", u64(r->request_bytes));
  json_object_object_add(o, "elapsed_s", sl_jout_fixed(r->elapsed_s, 3));
  json_object_object_add(o, "records_per_s", sl_jout_fixed(rate(r), 0));
  json_object_object_add(o, "service_records", u64(r->service_records));
  json_object_object_add(o, "billed_bytes", u64(r->billed_bytes));
  json_object_object_add(o, "put_payload_units", r->target == SL_SEND_KINESIS ?
                                                 u64(r->put_units) : NULL);
  if(r->aggregated_records) {
    struct json_object *a = json_object_new_object();
    json_object_object_add(a, "service_records", u64(r->aggregated_records));
    json_object_object_add(a, "billed_bytes", u64(r->aggregated_billed_bytes));
    json_object_object_add(o, "aggregated_estimate", a);
  }
  else
    json_object_object_add(o, "aggregated_estimate", NULL);
  json_object_object_add(o, "interrupted_records", u64(r->interrupted));
  json_object_object_add(o, "dead_letter", sl_jout_opt(dead_letter));
  return sl_jout_emit(o, out);
}

const char *sl_send_status_name(enum sl_send_status st)
{
  static const char *const names[] = { "accepted", "failed", "dead-lettered", "withheld",
                                       "interrupted" };
  return (unsigned)st <= SL_SEND_INTERRUPTED ? names[st] : "?";
}

static enum sl_result key_str(struct sl_buf *out, const char *key, const char *v)
{
  enum sl_result r = sl_buf_printf(out, ",\"%s\":", key);
  if(!r) r = json_str(out, v ? v : "");
  return r;
}

enum sl_result sl_send_record_line(const struct sl_send_record *rec, enum sl_send_target t,
                                   struct sl_buf *out)
{
  char where[160];
  enum sl_result r = sl_buf_printf(out, "{\"index\":%llu,\"source\":",
                                   (unsigned long long)rec->index);
  if(!r && rec->where) {
    sl_send_where_format(rec->where, where, sizeof(where));
    r = json_str(out, where);
  }
  else if(!r)
    r = sl_buf_adds(out, "null");
  if(!r) r = key_str(out, "status", sl_send_status_name(rec->status));
  if(!r && rec->status == SL_SEND_ACCEPTED && t == SL_SEND_KINESIS) {
    r = key_str(out, "sequence_number", rec->id);
    if(!r && rec->in_kpl)
      r = sl_buf_printf(out, ",\"sub_sequence_number\":%zu", rec->sub_sequence);
    if(!r) r = key_str(out, "shard_id", rec->shard_id);
  }
  else if(!r && rec->status == SL_SEND_ACCEPTED)
    r = key_str(out, "record_id", rec->id);
  if(!r && (rec->status == SL_SEND_FAILED || rec->status == SL_SEND_DEAD_LETTERED ||
            rec->status == SL_SEND_INTERRUPTED)) {
    r = key_str(out, "error_code", rec->error_code);
    if(!r) r = key_str(out, "error_message", rec->error_message);
  }
  if(!r) r = sl_buf_printf(out, ",\"attempts\":%d}\n", rec->attempts);
  return r;
}
