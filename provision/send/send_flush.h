/* send_flush.h — the open batches and their time-based flush
 * (send_flush.c). Not installed. */
#ifndef SLUICE_SEND_FLUSH_H
#define SLUICE_SEND_FLUSH_H

#include "sluice/send.h"

#include <pthread.h>

double sl_send_now(void); /* monotonic seconds */
/* pthread_create with every signal blocked in the new thread: signals go
 * to the caller's threads, so a SIGINT wakes the reader blocked on input. */
int sl_send_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);

/* The open batches, one per queue, and the flush of partial ones that waited
 * interval_s (send_flush.c). open[] and since[] are shared by the caller's
 * thread (filling) and the flush thread (sending what waited too long); mu
 * guards them and is taken before the sender's lock. The sender allocates
 * open[] and since[]; cleanup frees them. */
struct send_flush {
  void (*dispatch)(void *ud, size_t qi); /* sends queue qi's open batch */
  void *ud;
  double interval_s;
  int n;                       /* queues */
  struct sl_batch **open;      /* per queue, the one being filled */
  double *since;               /* per queue: when open[i] got its first record */
  pthread_mutex_t mu;
  pthread_cond_t tick;         /* a batch got its first record, or stop */
  pthread_t th;
  int started, stop;
};
void sl_send_flush_init(struct send_flush *f, void (*dispatch)(void *ud, size_t qi), void *ud);
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
