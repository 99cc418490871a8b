/* send_worker.c — one batch to completion. A request is retried as a whole
 * per the client's policy (throttling, 5xx, connection errors: the same
 * classification, backoff and quota sl_aws_send uses, run here so every try
 * is counted); then only the entries that failed go again, with backoff and
 * jitter, until accepted or out of attempts.
 *
 * Attempt budget: every request that carries a record is one attempt of it
 * (entry->attempts). A record gets at most max_attempts rounds; a round is
 * one request plus the client's whole-request retries of it. So a request
 * that failed for good after the client's retries costs one round, and the
 * record goes again in the next round if it has one left and the failure
 * can be retried (throttling, 5xx, lost answer); an error that cannot
 * (validation, access denied, no such stream) ends it at once. */
#include "send_worker.h"
#include "send_bill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice/log.h"

enum sl_result sl_send_scratch_init(struct send_scratch *x, const struct sl_send_limits *l)
{
  memset(x, 0, sizeof(*x));
  x->recs = calloc(l->max_records, sizeof(*x->recs));
  x->results = calloc(l->max_records, sizeof(*x->results));
  x->map = calloc(l->max_records, sizeof(*x->map));
  x->kpl_at = calloc(l->max_records, sizeof(*x->kpl_at));
  if(!x->recs || !x->results || !x->map || !x->kpl_at ||
     sl_buf_init(&x->kpl, l->max_request_bytes + 65536))
    return SL_E_NOMEM;
  /* base64 of the largest record plus the JSON around it */
  return sl_buf_init(&x->line, SL_KINESIS_MAX_RECORD_BYTES / 3 * 4 + 8192);
}

void sl_send_scratch_cleanup(struct send_scratch *x)
{
  free(x->recs);
  free(x->results);
  free(x->map);
  free(x->kpl_at);
  sl_buf_cleanup(&x->kpl);
  sl_buf_cleanup(&x->line);
  memset(x, 0, sizeof(*x));
}

/* Bounded copy; messages longer than the field are cut. */
static void copy(char *dst, size_t cap, const char *src)
{
  size_t n = strnlen(src, cap - 1);
  memcpy(dst, src, n);
  dst[n] = 0;
}

/* No usable answer (none came, or it did not parse): the records may or
 * may not have been stored. An error answer (5xx included) says they were
 * not; a lasting failure (an untrusted certificate, an unknown host) comes
 * before any byte of the request is sent. */
static int outcome_unknown(enum sl_result r, const struct sl_error *err)
{
  return (r == SL_E_NETWORK && !sl_retry_is_lasting_code(err->code)) || r == SL_E_TIMEOUT ||
         r == SL_E_PARSE;
}

static const char *code_of(enum sl_result r, const struct sl_error *err)
{
  if(err->code[0])
    return err->code;
  switch(r) {
  case SL_E_NETWORK: return "NetworkError";
  case SL_E_TIMEOUT: return "Timeout";
  case SL_E_PARSE: return "InvalidAnswer";
  default: return "Error";
  }
}

/* The input records an entry carries: itself, or its parts (aggregated). */
struct carried {
  uint64_t index;
  const struct sl_send_where *where;
  const char *data;
  size_t len;
};

static size_t ncarried(const struct sl_send_entry *e)
{
  return e->nparts ? e->nparts : 1;
}

static size_t next_part(const struct sl_batch *b, const struct sl_send_entry *e, size_t j)
{
  return e->nparts ? b->parts[j].next : j;
}

/* Part j of e (from e->part0, then each part's next); any j without parts. */
static void carried(const struct sl_batch *b, const struct sl_send_entry *e, size_t j,
                    struct carried *c)
{
  const struct sl_send_part *p = e->nparts ? &b->parts[j] : NULL;
  c->index = p ? p->index : e->index;
  c->where = p ? &p->where : &e->where;
  c->data = b->arena.data + (p ? p->off : e->off);
  c->len = p ? p->len : e->len;
}

/* A record a signal kept from its answer: left to the caller's rerun
 * (o->leave_interrupted: a checkpoint keeps it unsettled), else failed with
 * the code Interrupted, so that it is dead-lettered rather than lost. */
static void interrupted_entry(const struct sl_send_options *o, struct sl_send_entry *e,
                              const char *why)
{
  copy(e->error_code, sizeof(e->error_code), "Interrupted");
  copy(e->error_message, sizeof(e->error_message), why);
  e->done = o->leave_interrupted ? -2 : -1;
}

/* One round: the n pending entries in one request, retried as a whole per
 * pol. *retryable says whether a failed round may be tried again. */
static enum sl_result exchange(const struct sl_send_options *o, struct send_scratch *x,
                               struct sl_client *c, const struct sl_retry_policy *pol,
                               struct sl_batch *b, size_t n, size_t *failed, int *retryable,
                               struct sl_send_result *cnt, struct sl_error *err)
{
  int tries, cost = 0;
  for(tries = 1;; tries++) {
    enum sl_retry_class cls;
    enum sl_result r;
    int unknown;
    size_t k;
    struct sl_http_stats before, after;
    sl_http_get_stats(sl_client_http(c), &before);
    for(k = 0; k < n; k++) {
      struct sl_send_entry *e = &b->e[x->map[k]];
      e->attempts++;
      if(e->unknown)
        e->dup = 1; /* it may already be there */
    }
    sl_error_clear(err);
    r = o->target == SL_SEND_KINESIS ?
        sl_kinesis_put_batch(c, o->stream, x->recs, n, x->results, failed, err) :
        sl_firehose_put_batch(c, o->stream, x->recs, n, x->results, failed, err);
    sl_http_get_stats(sl_client_http(c), &after);
    cnt->requests++;
    cnt->request_bytes += after.body_bytes - before.body_bytes;
    if(after.resent != before.resent) {
      /* libcurl sent it again on a fresh connection after a kept-alive one
       * closed without an answer: the first copy may have been stored. */
      cnt->requests += after.resent - before.resent;
      cnt->request_retries += after.resent - before.resent;
      cnt->requests_unanswered += after.resent - before.resent;
      for(k = 0; k < n; k++) {
        struct sl_send_entry *e = &b->e[x->map[k]];
        e->attempts++;
        e->unknown = e->dup = 1;
      }
    }
    if(!r) {
      if(pol->quota)
        sl_retry_quota_release(pol->quota, cost);
      return SL_OK;
    }
    if(r == SL_E_INTERRUPTED) {
      /* Abandoned, never retried; once its body went out it may be stored. */
      unknown = after.requests != before.requests;
      cnt->requests -= (uint64_t)!unknown; /* stopped before it was written */
      cnt->requests_unanswered += (uint64_t)unknown;
      for(k = 0; unknown && k < n; k++)
        b->e[x->map[k]].unknown = 1;
      return r;
    }
    unknown = outcome_unknown(r, err);
    cnt->requests_unanswered += (uint64_t)unknown;
    for(k = 0; unknown && k < n; k++)
      b->e[x->map[k]].unknown = 1;
    cls = sl_retry_classify(r == SL_E_AWS ? SL_OK : r, err->http_status,
                            r == SL_E_AWS || r == SL_E_NETWORK || r == SL_E_PARSE ? err->code : NULL);
    /* An answer that does not parse has had the client's retries: another
     * round would only repeat them. */
    *retryable = (cls != SL_RETRY_NO || unknown) && r != SL_E_PARSE;
    if(cls == SL_RETRY_NO || tries >= pol->max_attempts)
      return r;
    if(pol->quota && !sl_retry_quota_acquire(pol->quota, cls, &cost))
      return r;
    cnt->request_retries++;
    {
      double d = sl_retry_delay(pol, tries);
      sl_log(SL_LOG_INFO, "%s %s: %s, resending %zu records in %.2f s (try %d of %d)",
             sl_send_target_name(o->target), o->stream, code_of(r, err), n, d, tries + 1,
             pol->max_attempts);
      sl_sleep(d);
    }
  }
}

void sl_send_batch(const struct sl_send_options *o, struct send_outcome *out,
                   struct send_scratch *x, struct sl_client *c,
                   struct sl_batch *b)
{
  struct sl_retry_policy pol = *sl_client_retry(c), entry;
  struct sl_send_result cnt;
  struct sl_error err;
  int round, max = o->max_attempts > 0 ? o->max_attempts : SL_SEND_DEFAULT_ATTEMPTS;
  size_t i;
  memset(&cnt, 0, sizeof(cnt));
  /* Our loop makes the client's retries, so the client itself tries once. */
  sl_client_retry(c)->max_attempts = 1;
  sl_retry_policy_init(&entry, max);
  entry.base_s = o->retry_base_s > 0 ? o->retry_base_s : 0.1;
  entry.max_backoff_s = o->retry_max_s > 0 ? o->retry_max_s : 5.0;
  for(round = 1;; round++) {
    size_t n = 0, failed = 0, k, left = 0;
    struct sl_error stopped;
    if(sl_send_outcome_fatal(out, &stopped)) {
      /* The send has stopped: what is left is not sent, but kept as failed
       * (listed, dead-lettered), so nothing is lost unsaid. */
      for(i = 0; i < b->n; i++)
        if(!b->e[i].done) {
          struct sl_send_entry *e = &b->e[i];
          copy(e->error_code, sizeof(e->error_code), "NotSent");
          snprintf(e->error_message, sizeof(e->error_message), "not sent: the send stopped at "
                   "%.60s%s%.150s", stopped.code, stopped.code[0] ? ": " : "", stopped.message);
          e->done = -1;
        }
      break;
    }
    const char *why = "";
    int retryable = 0;
    enum sl_result r;
    if(sl_interrupted()) {
      /* A signal stops the send: nothing more goes out (see stopped_here). */
      for(i = 0; i < b->n; i++)
        if(!b->e[i].done)
          interrupted_entry(o, &b->e[i], "not sent: the send was interrupted");
      break;
    }
    sl_buf_reset(&x->kpl);
    for(i = 0; i < b->n; i++)
      if(!b->e[i].done) {
        x->map[n] = i;
        if(b->e[i].kpl) {
          /* encoded now, pointed at once all are in (the buffer may move) */
          x->kpl_at[n] = x->kpl.len;
          if(sl_batch_kpl_encode(b, i, &x->kpl, &x->recs[n])) {
            /* out of memory, or past the bound checked when it was added */
            copy(b->e[i].error_code, sizeof(b->e[i].error_code), "InternalError");
            copy(b->e[i].error_message, sizeof(b->e[i].error_message), "the KPL record could "
                 "not be made");
            b->e[i].done = -1;
            x->kpl.len = x->kpl_at[n];
            continue;
          }
          x->recs[n].len = x->kpl.len - x->kpl_at[n];
        }
        else
          sl_batch_record(b, i, &x->recs[n]);
        n++;
      }
    for(k = 0; k < n; k++)
      if(b->e[x->map[k]].kpl)
        x->recs[k].data = x->kpl.data + x->kpl_at[k];
    if(!n)
      break;
    r = exchange(o, x, c, &pol, b, n, &failed, &retryable, &cnt, &err);
    if(r == SL_E_NETWORK && sl_retry_is_lasting_code(err.code)) {
      /* Every other request would fail the same way: the send stops. */
      pthread_mutex_lock(out->mu);
      sl_send_outcome_set_fatal(out, &err);
      pthread_mutex_unlock(out->mu);
    }
    if(r == SL_E_INTERRUPTED) {
      for(k = 0; k < n; k++)
        interrupted_entry(o, &b->e[x->map[k]], b->e[x->map[k]].unknown ?
                          "the send was interrupted before the answer came: it may have been "
                          "stored" : "not sent: the send was interrupted");
      break;
    }
    for(k = 0; k < n; k++) {
      struct sl_send_entry *e = &b->e[x->map[k]];
      if(!r && x->results[k].ok) {
        size_t j, q, nc = ncarried(e);
        e->done = 1;
        cnt.delivered += nc;
        cnt.bytes += x->recs[k].len;
        sl_send_bill(o->target, x->recs[k].len, &cnt);
        if(out->on_result) {
          pthread_mutex_lock(out->mu);
          for(q = 0, j = e->part0; q < nc; q++, j = next_part(b, e, j)) {
            struct carried c;
            carried(b, e, j, &c);
            struct sl_send_record rec = { c.index, c.where, SL_SEND_ACCEPTED, x->results[k].id,
                                          x->results[k].shard_id, "", "", e->attempts, 0,
                                          e->kpl, q };
            sl_send_outcome_tell(out, &rec);
          }
          pthread_mutex_unlock(out->mu);
        }
        continue;
      }
      if(!r) {
        copy(e->error_code, sizeof(e->error_code), x->results[k].error_code);
        copy(e->error_message, sizeof(e->error_message), x->results[k].error_message);
      }
      else {
        copy(e->error_code, sizeof(e->error_code), code_of(r, &err));
        copy(e->error_message, sizeof(e->error_message), err.message);
      }
      if((r && !retryable) || round >= max)
        e->done = -1;
      else {
        left++;
        why = e->error_code;
      }
    }
    if(left) {
      double d = sl_retry_delay(&entry, round);
      sl_log(SL_LOG_INFO, "%s %s: %zu of %zu records not accepted (%s), resending them in "
             "%.2f s (attempt %d of %d)", sl_send_target_name(o->target), o->stream, left, n,
             why, d, round + 1, max);
      sl_sleep(d);
    }
  }
  sl_client_retry(c)->max_attempts = pol.max_attempts;
  for(i = 0; i < b->n; i++) {
    struct sl_send_entry *e = &b->e[i];
    size_t j, q, nc = ncarried(e);
    if(e->attempts > 1)
      cnt.retried += nc;
    if(e->dup)
      cnt.duplicates_possible += nc;
    if(e->done == -2 || !strcmp(e->error_code, "Interrupted"))
      cnt.interrupted += nc;
    for(q = 0, j = e->part0; e->done < 0 && q < nc; q++, j = next_part(b, e, j)) {
      struct carried c;
      carried(b, e, j, &c);
      if(e->done == -2) {
        struct sl_send_record rec = { c.index, c.where, SL_SEND_INTERRUPTED, "", "",
                                      e->error_code, e->error_message, e->attempts, e->unknown, 0, 0 };
        if(out->on_result) {
          pthread_mutex_lock(out->mu);
          sl_send_outcome_tell(out, &rec);
          pthread_mutex_unlock(out->mu);
        }
      }
      else {
        /* Each input record its own dead letter, as without aggregation. */
        struct sl_send_dead d;
        memset(&d, 0, sizeof(d));
        d.data = c.data;
        d.len = c.len;
        d.index = c.index;
        d.attempts = e->attempts;
        d.code = e->error_code;
        d.msg = e->error_message;
        sl_send_outcome_failure(out, &x->line, &d, e->unknown, c.where);
      }
    }
  }
  sl_send_outcome_add(out, &cnt);
}
