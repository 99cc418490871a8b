/* send.c — the streaming send engine: the caller's thread fills batches
 * (one open batch per queue), N workers each own a client and send whole
 * batches, retrying only the entries that failed, and every record ends
 * delivered or recorded as a failure (result list, dead-letter file).
 *
 * Memory is a fixed set of batches: one open per queue, the queue slots and
 * one in flight per worker; the reader blocks when none is free.
 *
 * A batch that is not full goes out once it has waited flush_interval_s
 * since its first record (send_flush.c). */
#include "sluice/send.h"
#include "send_flush.h"
#include "send_outcome.h"
#include "send_worker.h"
#include "send_bill.h"
#include "send_check.h"
#include "common/aws/aws_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum key_mode { KEY_NONE = 0, KEY_FIXED, KEY_FIELD, KEY_RANDOM };

struct queue {
  struct sl_batch **slot;
  size_t cap, head, n;
  int closed;
  pthread_cond_t can_put, can_get;
};

struct worker {
  struct sl_sender *s;
  pthread_t th;
  int started;
  struct sl_client own;        /* threaded mode */
  struct sl_client *c;
  struct queue *q;
  struct send_scratch scratch;
};

struct sl_sender {
  struct sl_send_options o;
  struct sl_send_limits lim;
  struct sl_shard_map map;     /* KPL aggregation: the stream's open shards */
  enum key_mode keys;
  int nworkers, nqueues, threaded;
  struct worker *w;
  struct queue *q;             /* nqueues */
  size_t nq_ready;             /* queues with their locks set up */
  struct sl_batch *batches;    /* every batch there is */
  size_t nbatches;
  struct sl_batch **free;
  size_t nfree;
  pthread_mutex_t mu;          /* queues, free list, res, dead-letter */
  pthread_cond_t can_take;
  struct send_flush fl;        /* the open batches; its lock before mu */
  struct send_outcome out;     /* counts, failures, dead letters; under mu */
  uint64_t next_index;
  /* Records taken by sl_sender_add, kept apart from res.total so the
   * reader does not take the lock the workers use for every record;
   * folded in by sl_sender_progress and sl_sender_finish. */
  _Atomic uint64_t added;
  struct send_estimate est;    /* Firehose, not aggregated; under fl.mu */
  double t0;
  char *stream;                 /* the sender's own copy of o.stream */
};

const struct sl_send_limits *sl_sender_limits(const struct sl_sender *s)
{
  return &s->lim;
}

/* ------------------------------------------------------------------ queues */

/* With s->mu held: a free batch, waiting for a worker to give one back. */
static struct sl_batch *take_free(struct sl_sender *s)
{
  while(!s->nfree)
    pthread_cond_wait(&s->can_take, &s->mu);
  return s->free[--s->nfree];
}

static void give_back(struct sl_sender *s, struct sl_batch *b)
{
  pthread_mutex_lock(&s->mu);
  sl_batch_reset(b);
  s->free[s->nfree++] = b;
  pthread_cond_signal(&s->can_take);
  pthread_mutex_unlock(&s->mu);
}

/* With s->mu held. */
static void push(struct queue *q, struct sl_batch *b, pthread_mutex_t *mu)
{
  while(q->n == q->cap)
    pthread_cond_wait(&q->can_put, mu);
  q->slot[(q->head + q->n) % q->cap] = b;
  q->n++;
  pthread_cond_signal(&q->can_get);
}

static void *worker_main(void *arg)
{
  struct worker *w = arg;
  struct sl_sender *s = w->s;
  struct queue *q = w->q;
  for(;;) {
    struct sl_batch *b;
    pthread_mutex_lock(&s->mu);
    while(!q->n && !q->closed)
      pthread_cond_wait(&q->can_get, &s->mu);
    if(!q->n) {
      pthread_mutex_unlock(&s->mu);
      break;
    }
    b = q->slot[q->head];
    q->head = (q->head + 1) % q->cap;
    q->n--;
    pthread_cond_signal(&q->can_put);
    pthread_mutex_unlock(&s->mu);
    sl_send_batch(&s->o, &s->out, &w->scratch, w->c, b);
    give_back(s, b);
  }
  return NULL;
}

/* A full batch goes to its queue (threaded) or out at once (inline). */
/* With the open batches' lock held: queue qi's batch to its queue (threaded)
 * or out at once (inline). */
static void dispatch(struct sl_sender *s, size_t qi)
{
  struct sl_batch *b = s->fl.open[qi];
  if(!b || !b->n)
    return;
  if(!s->threaded) {
    sl_send_batch(&s->o, &s->out, &s->w[0].scratch, s->w[0].c, b);
    sl_batch_reset(b);
    return;
  }
  pthread_mutex_lock(&s->mu);
  push(&s->q[qi], b, &s->mu);
  s->fl.open[qi] = take_free(s);
  pthread_mutex_unlock(&s->mu);
}

static void flush_dispatch(void *ud, size_t qi)
{
  dispatch(ud, qi);
}

/* ------------------------------------------------------------------ setup */

enum sl_result sl_sender_new(struct sl_sender **out, const struct sl_send_options *o,
                             const struct sl_aws_config *cfg, const char *profile_path,
                             struct sl_client *client, struct sl_error *err)
{
  struct sl_sender *s;
  enum sl_result r;
  size_t i, qcap;
  *out = NULL;
  r = sl_send_check_options(o, err);
  if(r)
    return r;
  if(!o->concurrency && !client)
    return sl_error_set(err, SL_E_INVALID, NULL, "sending inline needs a client");
  if(o->concurrency && !cfg)
    return sl_error_set(err, SL_E_INVALID, NULL, "workers need a configuration");
  s = calloc(1, sizeof(*s));
  if(!s)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  s->o = *o;
  /* The caller's string need not outlive the call. */
  if(o->stream && !(s->stream = sl_strdup(o->stream))) {
    free(s);
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  }
  s->o.stream = s->stream;
  if(!s->o.max_attempts)
    s->o.max_attempts = SL_SEND_DEFAULT_ATTEMPTS;
  s->out.mu = &s->mu;
  s->out.stream = s->o.stream;
  s->out.on_result = s->o.on_result;
  s->out.on_result_ud = s->o.on_result_ud;
  s->out.dead_letter = s->o.dead_letter;
  s->out.dl_fd = -1;
  s->t0 = sl_send_now();
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->can_take, NULL);
  sl_send_flush_init(&s->fl, flush_dispatch, s);
  sl_send_result_init(&s->out.res);
  s->out.res.target = o->target;
  if(o->target == SL_SEND_KINESIS)
    s->keys = o->partition_key ? KEY_FIXED : o->partition_key_field ? KEY_FIELD : KEY_RANDOM;
  s->threaded = o->concurrency > 0;
  s->nworkers = s->threaded ? o->concurrency : 1;
  /* Same key, same worker: batches holding a key go out in input order. */
  s->nqueues = s->threaded && s->keys != KEY_NONE && s->keys != KEY_RANDOM ? s->nworkers : 1;
  s->fl.n = s->nqueues;
  s->fl.interval_s = s->o.flush_interval_s;
  qcap = s->nqueues == 1 ? (size_t)s->nworkers : 1;
  s->nbatches = s->threaded ? (size_t)s->nqueues + (size_t)s->nqueues * qcap +
                              (size_t)s->nworkers : 1;
  r = sl_send_limits_init(&s->lim, o->target, o->batch_size, o->kinesis_request_bytes, err);
  if(!r) r = sl_send_load_map(o, cfg, profile_path, client, &s->map, err);
  if(!r && o->dead_letter &&
     (s->out.dl_fd = open(o->dead_letter, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)) < 0)
    r = sl_error_set(err, SL_E_IO, NULL, "cannot open the dead-letter file %s: %s",
                     o->dead_letter, strerror(errno));
  if(!r) {
    s->w = calloc((size_t)s->nworkers, sizeof(*s->w));
    s->q = calloc((size_t)s->nqueues, sizeof(*s->q));
    s->batches = calloc(s->nbatches, sizeof(*s->batches));
    s->fl.open = calloc((size_t)s->nqueues, sizeof(*s->fl.open));
    s->fl.since = calloc((size_t)s->nqueues, sizeof(*s->fl.since));
    s->free = calloc(s->nbatches, sizeof(*s->free));
    if(!s->w || !s->q || !s->batches || !s->fl.open || !s->fl.since || !s->free)
      r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  }
  for(i = 0; !r && i < s->nbatches; i++) {
    r = sl_batch_init(&s->batches[i], &s->lim);
    s->batches[i].aggregate = o->aggregate;
    if(!r && s->map.n)
      r = sl_batch_kpl(&s->batches[i], &s->map);
    if(r)
      sl_error_set(err, r, NULL, "out of memory");
    else
      s->free[s->nfree++] = &s->batches[i];
  }
  for(i = 0; !r && i < (size_t)s->nqueues; i++) {
    s->q[i].cap = qcap;
    pthread_cond_init(&s->q[i].can_put, NULL);
    pthread_cond_init(&s->q[i].can_get, NULL);
    s->nq_ready++;
    if(!(s->q[i].slot = calloc(qcap, sizeof(*s->q[i].slot))))
      r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
    s->fl.open[i] = s->free[--s->nfree];
  }
  for(i = 0; !r && i < (size_t)s->nworkers; i++) {
    struct worker *w = &s->w[i];
    w->s = s;
    w->q = &s->q[i % (size_t)s->nqueues];
    r = sl_send_scratch_init(&w->scratch, &s->lim);
    if(r)
      sl_error_set(err, r, NULL, "out of memory");
    if(!r && s->threaded) {
      r = sl_send_client_init(&w->own, cfg, profile_path, err);
      w->c = &w->own;
    }
    else
      w->c = client;
    if(!r && s->threaded) {
      if(sl_send_thread_start(&w->th, worker_main, w))
        r = sl_error_set(err, SL_E_INTERNAL, NULL, "cannot start a worker thread");
      else
        w->started = 1;
    }
  }
  /* Inline, the caller's client may only be used from its thread: there
   * a waiting batch goes with the next record or sl_sender_flush. */
  if(!r && s->threaded && s->o.flush_interval_s > 0)
    r = sl_send_flush_start(&s->fl, err);
  if(r) {
    sl_sender_free(s);
    return r;
  }
  *out = s;
  return SL_OK;
}

/* ------------------------------------------------------------------ records */

/* The record's key into key[] (Kinesis); SL_OK or a refusal with err. */
static enum sl_result key_of(struct sl_sender *s, const void *data, size_t len,
                             const struct sl_send_where *w, char key[SL_KINESIS_MAX_KEY_BYTES + 2],
                             struct sl_error *err)
{
  char where[160];
  size_t klen;
  enum sl_result r;
  key[0] = 0;
  switch(s->keys) {
  case KEY_FIXED:
    snprintf(key, SL_KINESIS_MAX_KEY_BYTES + 2, "%s", s->o.partition_key);
    return SL_OK;
  case KEY_RANDOM:
    return sl_uuid4(key) ? sl_error_set(err, SL_E_INTERNAL, NULL, "getrandom failed") : SL_OK;
  case KEY_FIELD:
    r = sl_send_key_from_field(data, len, s->o.partition_key_field, key,
                               SL_KINESIS_MAX_KEY_BYTES + 2, &klen);
    if(!r && klen && klen <= SL_KINESIS_MAX_KEY_BYTES)
      return SL_OK;
    sl_send_where_format(w, where, sizeof(where));
    if(r == SL_E_PARSE)
      return sl_error_set(err, SL_E_INVALID, "InvalidRecord", "%s: not a JSON value, so no "
                          "partition key field %s", where, s->o.partition_key_field);
    if(r == SL_E_NOT_FOUND)
      return sl_error_set(err, SL_E_NOT_FOUND, "InvalidPartitionKey", "%s: no string, number "
                          "or boolean at %s for the partition key", where,
                          s->o.partition_key_field);
    return sl_error_set(err, SL_E_INVALID, "InvalidPartitionKey", "%s: partition key of %zu "
                        "bytes at %s: Kinesis takes 1 to 256 bytes", where, klen,
                        s->o.partition_key_field);
  default:
    return SL_OK;
  }
}

static size_t sent_len(const struct sl_sender *s, const void *data, size_t len)
{
  return len + (s->o.newline && (!len || ((const char *)data)[len - 1] != '\n'));
}

enum sl_result sl_sender_check(struct sl_sender *s, const void *data, size_t len,
                               const struct sl_send_where *w, struct sl_error *err)
{
  char key[SL_KINESIS_MAX_KEY_BYTES + 2];
  struct sl_send_where here = { NULL, s->next_index + 1, SL_WHERE_INDEX };
  enum sl_result r;
  if(!w)
    w = &here;
  r = key_of(s, data, len, w, key, err);
  if(!r)
    r = sl_send_check_record(&s->lim, w, sent_len(s, data, len),
                             s->keys ? key : NULL, s->o.explicit_hash_key, err);
  return r;
}

/* FNV-1a: spreads keys over queues; the same key always lands on one. */
static size_t route(const struct sl_sender *s, const char *key)
{
  uint32_t h = 2166136261u;
  if(s->nqueues == 1)
    return 0;
  for(; *key; key++)
    h = (h ^ (unsigned char)*key) * 16777619u;
  return h % (uint32_t)s->nqueues;
}

void sl_sender_reject(struct sl_sender *s, const struct sl_send_where *w, uint64_t bytes,
                      const char *code, const char *message, const char *reason)
{
  struct sl_send_dead d;
  struct sl_buf line;
  memset(&d, 0, sizeof(d));
  d.bytes = bytes;
  d.reason = reason;
  d.code = code;
  d.msg = message;
  pthread_mutex_lock(&s->mu);
  d.index = s->next_index++;
  s->out.res.total++;
  s->out.res.rejected++;
  pthread_mutex_unlock(&s->mu);
  if(sl_buf_init(&line, SL_BUF_SMALL))
    return;
  sl_send_outcome_failure(&s->out, &line, &d, 0, w);
  sl_buf_cleanup(&line);
}

uint64_t sl_sender_next_index(struct sl_sender *s)
{
  uint64_t i;
  pthread_mutex_lock(&s->mu);
  i = s->next_index;
  pthread_mutex_unlock(&s->mu);
  return i;
}

void sl_sender_skip(struct sl_sender *s, const struct sl_send_where *w)
{
  struct sl_send_record rec = { 0, w, SL_SEND_WITHHELD, "", "", "", "", 0, 0, 0, 0 };
  pthread_mutex_lock(&s->mu);
  rec.index = s->next_index++;
  sl_send_outcome_tell(&s->out, &rec);
  pthread_mutex_unlock(&s->mu);
}

enum sl_result sl_sender_add(struct sl_sender *s, const void *data, size_t len,
                             const struct sl_send_where *w, struct sl_error *err)
{
  char key[SL_KINESIS_MAX_KEY_BYTES + 2];
  size_t qi, size, slen = sent_len(s, data, len);
  uint64_t index = s->next_index;
  struct sl_send_where here = { NULL, index + 1, SL_WHERE_INDEX };
  enum sl_result r;
  struct sl_batch *b;
  /* No place given: "record N", counted from 1 over the sender's life. */
  if(!w)
    w = &here;
  if(s->out.fatal) {
    if(err)
      *err = s->out.fatal_err;
    return s->out.fatal;
  }
  r = key_of(s, data, len, w, key, err);
  if(!r)
    r = sl_send_check_record(&s->lim, w, slen, s->keys ? key : NULL,
                             s->o.explicit_hash_key, err);
  if(r == SL_E_INTERNAL)
    return r;
  s->next_index++;
  atomic_fetch_add_explicit(&s->added, 1, memory_order_relaxed);
  if(r) {
    pthread_mutex_lock(&s->mu);
    s->out.res.rejected++;
    pthread_mutex_unlock(&s->mu);
    /* Kept in the dead letter as it would have been sent. */
    struct sl_buf rec, line;
    memset(&rec, 0, sizeof(rec));
    memset(&line, 0, sizeof(line));
    if(sl_buf_init(&rec, slen + 1) || sl_buf_init(&line, slen * 2 + 4096) ||
       sl_buf_add(&rec, data, len) || (slen > len && sl_buf_addc(&rec, '\n'))) {
      sl_buf_cleanup(&rec);
      sl_buf_cleanup(&line);
      return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
    }
    {
      struct sl_send_dead d;
      memset(&d, 0, sizeof(d));
      d.data = rec.data;
      d.len = rec.len;
      d.index = index;
      d.code = err && err->code[0] ? err->code : "InvalidRecord";
      d.msg = err ? err->message : "refused";
      sl_send_outcome_failure(&s->out, &line, &d, 0, w);
    }
    sl_buf_cleanup(&rec);
    sl_buf_cleanup(&line);
    return r;
  }
  qi = s->keys ? route(s, key) : 0;
  size = sl_send_record_size(&s->lim, slen, s->keys ? strlen(key) : 0);
  pthread_mutex_lock(&s->fl.mu);
  sl_send_flush_due(&s->fl);
  if(!s->o.aggregate)
    sl_send_estimate_add(&s->est, &s->lim, s->o.target, slen, s->keys ? strlen(key) : 0);
  if(s->map.n ? !sl_batch_kpl_fits(s->fl.open[qi], slen, key, s->o.explicit_hash_key) :
                 !sl_batch_fits(s->fl.open[qi], size))
    dispatch(s, qi);
  b = s->fl.open[qi];
  if(!b->n)
    sl_send_flush_opened(&s->fl, qi);
  r = sl_batch_add(b, data, len, s->o.newline, s->keys ? key : NULL, s->o.explicit_hash_key,
                   index, w);
  if(!r && b->n == s->lim.max_records)
    dispatch(s, qi);
  pthread_mutex_unlock(&s->fl.mu);
  if(r)
    return sl_error_set(err, r, NULL, "cannot hold the record in its batch");
  return SL_OK;
}

void sl_sender_progress(struct sl_sender *s, struct sl_send_result *snap)
{
  pthread_mutex_lock(&s->mu);
  *snap = s->out.res;
  snap->total += atomic_load_explicit(&s->added, memory_order_relaxed);
  snap->failures = NULL;
  snap->nfailures = snap->cap = 0;
  snap->elapsed_s = sl_send_now() - s->t0;
  pthread_mutex_unlock(&s->mu);
}

/* Stops the workers once their queues are empty. */
static void stop_workers(struct sl_sender *s)
{
  int i;
  if(!s->threaded)
    return;
  pthread_mutex_lock(&s->mu);
  for(i = 0; i < s->nqueues; i++) {
    s->q[i].closed = 1;
    pthread_cond_broadcast(&s->q[i].can_get);
  }
  pthread_mutex_unlock(&s->mu);
  for(i = 0; i < s->nworkers; i++)
    if(s->w[i].started) {
      pthread_join(s->w[i].th, NULL);
      s->w[i].started = 0;
    }
}

enum sl_result sl_sender_finish(struct sl_sender *s, struct sl_send_result *res,
                                struct sl_error *err)
{
  int i;
  sl_send_flush_stop(&s->fl);
  for(i = 0; i < s->nqueues; i++)
    dispatch(s, (size_t)i);
  stop_workers(s);
  if(s->out.dl_fd >= 0 && fsync(s->out.dl_fd) && errno != EINVAL && !s->out.fatal) {
    struct sl_error e;
    sl_error_clear(&e);
    sl_error_set(&e, SL_E_IO, NULL, "cannot write the dead-letter file %s: %s",
                 s->o.dead_letter, strerror(errno));
    sl_send_outcome_set_fatal(&s->out, &e);
  }
  s->out.res.elapsed_s = sl_send_now() - s->t0;
  sl_send_estimate_end(&s->est, &s->out.res);
  s->out.res.total += atomic_exchange_explicit(&s->added, 0, memory_order_relaxed);
  sl_send_result_cleanup(res);
  *res = s->out.res;
  sl_send_result_init(&s->out.res); /* the list is the caller's now */
  if(s->out.fatal && err)
    *err = s->out.fatal_err;
  return s->out.fatal;
}

void sl_sender_free(struct sl_sender *s)
{
  size_t i;
  if(!s)
    return;
  sl_send_flush_stop(&s->fl);
  stop_workers(s);
  for(i = 0; s->w && i < (size_t)s->nworkers; i++) {
    sl_send_scratch_cleanup(&s->w[i].scratch);
    if(s->threaded && s->w[i].c)
      sl_client_cleanup(&s->w[i].own);
  }
  for(i = 0; s->q && i < s->nq_ready; i++) {
    free(s->q[i].slot);
    pthread_cond_destroy(&s->q[i].can_put);
    pthread_cond_destroy(&s->q[i].can_get);
  }
  for(i = 0; s->batches && i < s->nbatches; i++)
    sl_batch_cleanup(&s->batches[i]);
  if(s->out.dl_fd >= 0)
    close(s->out.dl_fd);
  sl_send_result_cleanup(&s->out.res);
  pthread_cond_destroy(&s->can_take);
  pthread_mutex_destroy(&s->mu);
  sl_send_flush_cleanup(&s->fl);
  free(s->stream);
  sl_shard_map_cleanup(&s->map);
  free(s->w);
  free(s->q);
  free(s->batches);
  free(s->free);
  free(s);
}

enum sl_result sl_sender_flush(struct sl_sender *s, struct sl_error *err)
{
  struct send_flush *f = &s->fl;
  int i;
  pthread_mutex_lock(&f->mu);
  for(i = 0; i < f->n; i++)
    dispatch(s, (size_t)i);
  pthread_mutex_unlock(&f->mu);
  return sl_send_outcome_fatal(&s->out, err);
}
