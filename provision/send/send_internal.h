/* send_internal.h — what the send engine's files share: a worker's scratch
 * space, sending one batch to completion, and recording outcomes. Not
 * installed. */
#ifndef SLUICE_SEND_INTERNAL_H
#define SLUICE_SEND_INTERNAL_H

#include "sluice/send.h"

#include <pthread.h>

/* Per worker, sized for one full batch, reused for every batch. */
struct send_scratch {
  struct sl_record *recs;
  struct sl_record_result *results;
  size_t *map;              /* recs[k] is batch entry map[k] */
  struct sl_buf line;       /* a dead-letter line */
};
enum sl_result sl_send_scratch_init(struct send_scratch *x, const struct sl_send_limits *l);
void sl_send_scratch_cleanup(struct send_scratch *x);

/* Sends every entry of b until it is accepted or out of attempts, with c,
 * then adds the counts and failures to s. */
void sl_send_batch(struct sl_sender *s, struct send_scratch *x, struct sl_client *c,
                   struct sl_batch *b);

/* The sender's side (send.c), thread-safe. */
const struct sl_send_options *sl_sender_options(const struct sl_sender *s);
/* d without stream and where: filled here (from w). */
void sl_send_note_failure(struct sl_sender *s, struct sl_buf *line, struct sl_send_dead *d,
                          const struct sl_send_where *w);
/* Adds delivered, retried, duplicates_possible, requests, request_retries,
 * bytes and request_bytes of d. */
void sl_send_add_counts(struct sl_sender *s, const struct sl_send_result *d);
/* The first fatal error, into err if given; SL_OK if none. */
enum sl_result sl_send_fatal(struct sl_sender *s, struct sl_error *err);
/* With the open batches' lock held: queue i's batch to its queue (threaded)
 * or out at once (inline). */
void sl_send_dispatch(struct sl_sender *s, size_t qi);
double sl_send_now(void); /* monotonic seconds */

/* The open batches, one per queue, and the flush of partial ones that waited
 * interval_s (send_flush.c). open[] and since[] are shared by the caller's
 * thread (filling) and the flush thread (sending what waited too long); mu
 * guards them and is taken before the sender's lock. The sender allocates
 * open[] and since[]; cleanup frees them. */
struct send_flush {
  struct sl_sender *s;
  double interval_s;
  int n;                       /* queues */
  struct sl_batch **open;      /* per queue, the one being filled */
  double *since;               /* per queue: when open[i] got its first record */
  pthread_mutex_t mu;
  pthread_cond_t tick;         /* a batch got its first record, or stop */
  pthread_t th;
  int started, stop;
};
struct send_flush *sl_send_flush_of(struct sl_sender *s);
void sl_send_flush_init(struct send_flush *f, struct sl_sender *s);
void sl_send_flush_cleanup(struct send_flush *f);
/* Threaded mode only: the caller's client stays on the caller's thread. */
enum sl_result sl_send_flush_start(struct send_flush *f, struct sl_error *err);
/* Before the workers stop: nothing may be queued after they are gone. */
void sl_send_flush_stop(struct send_flush *f);
/* With mu held and no flush thread: sends what waited its interval. */
void sl_send_flush_due(struct send_flush *f);
/* With mu held: queue qi's open batch just got its first record. */
void sl_send_flush_opened(struct send_flush *f, size_t qi);

#endif
