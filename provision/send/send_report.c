/* send_report.c — what a send run tells: the result's lifetime, the
 * dead-letter line for a record that failed for good, and the report as one
 * summary line or as the old library's JSON structure. */
#include "sluice/send.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice/decode.h"

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
    if(!res && f->data) {
      res = sl_buf_adds(out, "  record (base64): ");
      if(!res) res = sl_base64_encode(f->data, f->len, out);
      if(!res) res = sl_buf_addc(out, '\n');
    }
  }
  if(!res && !dead_letter && r->not_listed)
    res = sl_buf_printf(out, "%llu more failed records not listed (use --dead-letter)\n",
                        (unsigned long long)r->not_listed);
  if(!res)
    res = sl_buf_printf(out, "%s %s: total %llu, delivered %llu, failed %llu, retried %llu, "
                        "duplicates possible %llu, requests %llu, bytes %llu, elapsed %.2f s, "
                        "%.0f records/s\n", sl_send_target_name(r->target), stream,
                        (unsigned long long)r->total, (unsigned long long)r->delivered,
                        (unsigned long long)r->failed, (unsigned long long)r->retried,
                        (unsigned long long)r->duplicates_possible,
                        (unsigned long long)r->requests, (unsigned long long)r->bytes,
                        r->elapsed_s, rate(r));
  return res;
}

enum sl_result sl_send_report_json(const struct sl_send_result *r, const char *stream,
                                   const char *dead_letter, struct sl_buf *out)
{
  enum sl_result res = sl_buf_printf(out, "{\"target\":\"%s\",\"stream\":",
                                     sl_send_target_name(r->target));
  size_t i;
  if(!res) res = json_str(out, stream);
  if(!res)
    res = sl_buf_printf(out, ",\"total_records\":%llu,\"successful_records\":%llu,"
                        "\"failed_records\":[", (unsigned long long)r->total,
                        (unsigned long long)r->delivered);
  for(i = 0; !res && i < r->nfailures; i++) {
    const struct sl_send_failure *f = &r->failures[i];
    char e[400];
    error_text(f, e, sizeof(e));
    res = sl_buf_adds(out, i ? ",{\"record\":" : "{\"record\":");
    if(!res) res = f->data ? sl_json_append_string(out, (const char *)f->data, f->len) :
                             sl_buf_adds(out, "null");
    if(!res) res = sl_buf_adds(out, ",\"record_base64\":");
    if(!res && f->data) {
      res = sl_buf_addc(out, '"');
      if(!res) res = sl_base64_encode(f->data, f->len, out);
      if(!res) res = sl_buf_addc(out, '"');
    }
    else if(!res)
      res = sl_buf_adds(out, "null");
    if(!res) res = sl_buf_adds(out, ",\"error\":");
    if(!res) res = json_str(out, e);
    if(!res) res = sl_buf_adds(out, ",\"error_code\":");
    if(!res) res = json_str(out, f->error_code);
    if(!res) res = sl_buf_printf(out, ",\"attempt\":%d,\"index\":%llu,\"source\":",
                                 f->attempts, (unsigned long long)f->index);
    if(!res) res = json_str(out, f->where);
    if(!res) res = sl_buf_addc(out, '}');
  }
  if(!res)
    res = sl_buf_printf(out, "],\"failed_record_count\":%llu,\"failed_records_not_listed\":%llu,"
                        "\"rejected_records\":%llu,\"retried_records\":%llu,"
                        "\"duplicates_possible\":%llu,\"requests\":%llu,\"request_retries\":%llu,"
                        "\"bytes\":%llu,\"elapsed_s\":%.3f,\"records_per_s\":%.0f,"
                        "\"dead_letter\":", (unsigned long long)r->failed,
                        (unsigned long long)r->not_listed, (unsigned long long)r->rejected,
                        (unsigned long long)r->retried,
                        (unsigned long long)r->duplicates_possible,
                        (unsigned long long)r->requests, (unsigned long long)r->request_retries,
                        (unsigned long long)r->bytes, r->elapsed_s, rate(r));
  if(!res) res = dead_letter ? json_str(out, dead_letter) : sl_buf_adds(out, "null");
  if(!res) res = sl_buf_adds(out, "}\n");
  return res;
}
