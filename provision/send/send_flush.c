/* send_flush.c — the open batches and their time-based flush: a batch that
 * is not full goes out once it has waited flush_interval_s since its first
 * record. A flush thread watches the open batches (threaded mode), so a
 * reader blocked on a quiet pipe still gets its records sent; inline, the
 * caller's thread checks the deadlines as it adds records. */
#include "send_flush.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

double sl_send_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int sl_send_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
  sigset_t all, old;
  int rc;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  rc = pthread_create(th, NULL, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc;
}

/* The monotonic clock, as sl_send_now() reads it, for the flush deadlines. */
static void tick_init(pthread_cond_t *c)
{
  pthread_condattr_t a;
  pthread_condattr_init(&a);
  pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  pthread_cond_init(c, &a);
  pthread_condattr_destroy(&a);
}

void sl_send_flush_init(struct send_flush *f, void (*dispatch)(void *ud, size_t qi), void *ud)
{
  f->dispatch = dispatch;
  f->ud = ud;
  pthread_mutex_init(&f->mu, NULL);
  tick_init(&f->tick);
}

void sl_send_flush_cleanup(struct send_flush *f)
{
  pthread_cond_destroy(&f->tick);
  pthread_mutex_destroy(&f->mu);
  free(f->open);
  free(f->since);
}

/* With f->mu held: sends the open batches that waited their interval.
 * Returns 1 with *next set to the soonest deadline still ahead, if any. */
static int flush_due(struct send_flush *f, double *next)
{
  double t = sl_send_now();
  int i, waiting = 0;
  for(i = 0; i < f->n; i++) {
    double due = f->since[i] + f->interval_s;
    if(!f->open[i]->n)
      continue;
    if(t >= due)
      f->dispatch(f->ud, (size_t)i);
    else if(!waiting || due < *next) {
      *next = due;
      waiting = 1;
    }
  }
  return waiting;
}

void sl_send_flush_due(struct send_flush *f)
{
  double next;
  if(!f->started && f->interval_s > 0)
    flush_due(f, &next);
}

void sl_send_flush_opened(struct send_flush *f, size_t qi)
{
  f->since[qi] = sl_send_now();
  pthread_cond_signal(&f->tick);
}

static void *flush_main(void *arg)
{
  struct send_flush *f = arg;
  pthread_mutex_lock(&f->mu);
  while(!f->stop) {
    double next = 0;
    if(!flush_due(f, &next))
      pthread_cond_wait(&f->tick, &f->mu);
    else {
      struct timespec ts;
      ts.tv_sec = (time_t)next;
      ts.tv_nsec = (long)((next - (double)ts.tv_sec) * 1e9);
      if(ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
      pthread_cond_timedwait(&f->tick, &f->mu, &ts);
    }
  }
  pthread_mutex_unlock(&f->mu);
  return NULL;
}

enum sl_result sl_send_flush_start(struct send_flush *f, struct sl_error *err)
{
  if(sl_send_thread_start(&f->th, flush_main, f))
    return sl_error_set(err, SL_E_INTERNAL, NULL, "cannot start the flush thread");
  f->started = 1;
  return SL_OK;
}

void sl_send_flush_stop(struct send_flush *f)
{
  if(!f->started)
    return;
  pthread_mutex_lock(&f->mu);
  f->stop = 1;
  pthread_cond_signal(&f->tick);
  pthread_mutex_unlock(&f->mu);
  pthread_join(f->th, NULL);
  f->started = 0;
}
