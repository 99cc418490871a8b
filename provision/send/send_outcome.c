/* send_outcome.c — what became of the records: counts, the failures list
 * (bounded), the dead-letter file and the first fatal error, updated by the
 * workers and the reader under the sender's lock. */
#include "send_outcome.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void sl_send_outcome_set_fatal(struct send_outcome *s, const struct sl_error *err)
{
  if(!s->fatal) {
    s->fatal = err->result ? err->result : SL_E_IO;
    s->fatal_err = *err;
  }
}

static enum sl_result write_all(int fd, const char *p, size_t n)
{
  while(n) {
    ssize_t w = write(fd, p, n);
    if(w < 0 && errno == EINTR)
      continue;
    if(w <= 0)
      return SL_E_IO;
    p += w;
    n -= (size_t)w;
  }
  return SL_OK;
}

void sl_send_outcome_tell(struct send_outcome *s, const struct sl_send_record *r)
{
  if(s->on_result)
    s->on_result(s->on_result_ud, r);
}

void sl_send_outcome_failure(struct send_outcome *s, struct sl_buf *line, struct sl_send_dead *d,
                             int maybe_stored, const struct sl_send_where *w)
{
  char where[160];
  struct sl_send_failure *f;
  struct sl_error err;
  enum sl_result r = SL_OK;
  const void *data = d->data;
  size_t len = d->data ? d->len : 0;
  uint64_t bytes = d->data ? d->len : d->bytes;
  /* A record that can never be sent is listed by its head: nobody wants a
   * megabyte of base64 on the terminal (the dead letter keeps all of it). */
  if(d->code && !strcmp(d->code, "RecordTooLarge") && len > SL_SEND_HEAD_BYTES)
    len = SL_SEND_HEAD_BYTES;
  sl_send_where_format(w, where, sizeof(where));
  d->stream = s->stream;
  d->where = where;
  sl_buf_reset(line);
  if(s->dl_fd >= 0)
    r = sl_send_dead_letter_line(line, d);
  pthread_mutex_lock(s->mu);
  s->res.failed++;
  if(!r && s->dl_fd >= 0)
    r = write_all(s->dl_fd, line->data, line->len);
  if(r) {
    sl_error_clear(&err);
    sl_error_set(&err, SL_E_IO, NULL, "cannot write the dead-letter file %s: %s",
                 s->dead_letter, r == SL_E_IO ? strerror(errno) : sl_strresult(r));
    sl_send_outcome_set_fatal(s, &err);
  }
  {
    struct sl_send_record rec = { d->index, w, !r && s->dl_fd >= 0 ? SL_SEND_DEAD_LETTERED :
                                  SL_SEND_FAILED, "", "", d->code ? d->code : "",
                                  d->msg ? d->msg : "", d->attempts, maybe_stored, 0, 0 };
    sl_send_outcome_tell(s, &rec);
  }
  if(s->res.nfailures >= SL_SEND_MAX_LISTED ||
     s->res.listed_bytes + len > SL_SEND_MAX_LISTED_BYTES)
    s->res.not_listed++;
  else {
    if(s->res.nfailures == s->res.cap) {
      size_t cap = s->res.cap ? s->res.cap * 2 : 64;
      void *p = realloc(s->res.failures, cap * sizeof(*f));
      if(p) {
        s->res.failures = p;
        s->res.cap = cap;
      }
    }
    if(s->res.nfailures < s->res.cap) {
      f = &s->res.failures[s->res.nfailures];
      memset(f, 0, sizeof(*f));
      f->index = d->index;
      snprintf(f->where, sizeof(f->where), "%s", where);
      f->attempts = d->attempts;
      f->bytes = bytes;
      snprintf(f->error_code, sizeof(f->error_code), "%s", d->code ? d->code : "");
      snprintf(f->error_message, sizeof(f->error_message), "%s", d->msg ? d->msg : "");
      if(data && (f->data = malloc(len ? len : 1))) {
        memcpy(f->data, data, len);
        f->len = len;
      }
      s->res.listed_bytes += len;
      s->res.nfailures++;
    }
    else
      s->res.not_listed++;
  }
  pthread_mutex_unlock(s->mu);
}

enum sl_result sl_send_outcome_fatal(struct send_outcome *s, struct sl_error *err)
{
  enum sl_result r;
  pthread_mutex_lock(s->mu);
  r = s->fatal;
  if(r && err)
    *err = s->fatal_err;
  pthread_mutex_unlock(s->mu);
  return r;
}

void sl_send_outcome_add(struct send_outcome *s, const struct sl_send_result *d)
{
  pthread_mutex_lock(s->mu);
  s->res.delivered += d->delivered;
  s->res.retried += d->retried;
  s->res.duplicates_possible += d->duplicates_possible;
  s->res.requests_unanswered += d->requests_unanswered;
  s->res.requests += d->requests;
  s->res.request_retries += d->request_retries;
  s->res.bytes += d->bytes;
  s->res.request_bytes += d->request_bytes;
  s->res.interrupted += d->interrupted;
  s->res.service_records += d->service_records;
  s->res.billed_bytes += d->billed_bytes;
  s->res.put_units += d->put_units;
  s->res.aggregated_records += d->aggregated_records;
  s->res.aggregated_billed_bytes += d->aggregated_billed_bytes;
  pthread_mutex_unlock(s->mu);
}
