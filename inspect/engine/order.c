/* order.c — the ordering window between the fetch workers and the sink.
 *
 * Choice: the head-of-line object streams straight to the sink; the objects
 * behind it buffer up to a cap and then their workers wait. Objects are taken
 * in key order, so the head is always being worked on by some worker and
 * waiting can never deadlock; a big head object costs no memory, and a big
 * object behind it costs at most the cap until its turn. The alternative
 * (buffer every object whole and hand the overflow to the next worker) would
 * need a second path for huge objects; this one has a single path. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sluice/inspect.h"

enum { SLOT_FREE = 0, SLOT_QUEUED, SLOT_TAKEN, SLOT_DONE };

struct slot {
  void *job;
  int state;
  struct sl_buf buf; /* output held while not the head */
};

struct sl_inspect_order {
  struct sl_inspect_order_options o;
  pthread_mutex_t mu;
  pthread_cond_t cv;  /* one condition, broadcast: puts, takes and waits are few */
  struct slot *slots;
  uint64_t next_put, next_take, head;
  int closed, stopped;
  size_t held, peak;
};

struct sl_inspect_order *sl_inspect_order_new(const struct sl_inspect_order_options *o)
{
  struct sl_inspect_order *q;
  size_t i;
  if(!o || !o->window || !o->write)
    return NULL;
  q = calloc(1, sizeof(*q));
  if(!q)
    return NULL;
  q->o = *o;
  q->slots = calloc(o->window, sizeof(*q->slots));
  if(!q->slots || pthread_mutex_init(&q->mu, NULL)) {
    free(q->slots);
    free(q);
    return NULL;
  }
  if(pthread_cond_init(&q->cv, NULL)) {
    pthread_mutex_destroy(&q->mu);
    free(q->slots);
    free(q);
    return NULL;
  }
  for(i = 0; i < o->window; i++)
    q->slots[i].buf.max = o->buffer_max;
  return q;
}

void sl_inspect_order_free(struct sl_inspect_order *q)
{
  size_t i;
  if(!q)
    return;
  for(i = 0; i < q->o.window; i++) {
    if(q->slots[i].state != SLOT_FREE && q->o.release)
      q->o.release(q->o.ud, q->slots[i].job);
    sl_buf_cleanup(&q->slots[i].buf);
  }
  pthread_cond_destroy(&q->cv);
  pthread_mutex_destroy(&q->mu);
  free(q->slots);
  free(q);
}

static struct slot *slot_of(struct sl_inspect_order *q, uint64_t seq)
{
  return &q->slots[seq % q->o.window];
}

static void stop_locked(struct sl_inspect_order *q)
{
  q->stopped = 1;
  pthread_cond_broadcast(&q->cv);
}

int sl_inspect_order_put(struct sl_inspect_order *q, void *job)
{
  struct slot *s;
  pthread_mutex_lock(&q->mu);
  while(!q->stopped && q->next_put >= q->head + q->o.window)
    pthread_cond_wait(&q->cv, &q->mu);
  if(q->stopped) {
    pthread_mutex_unlock(&q->mu);
    return -1;
  }
  s = slot_of(q, q->next_put++);
  s->job = job;
  s->state = SLOT_QUEUED;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
  return 0;
}

void sl_inspect_order_close(struct sl_inspect_order *q)
{
  pthread_mutex_lock(&q->mu);
  q->closed = 1;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

int sl_inspect_order_take(struct sl_inspect_order *q, uint64_t *seq, void **job)
{
  struct slot *s;
  pthread_mutex_lock(&q->mu);
  while(!q->stopped && !q->closed && q->next_take == q->next_put)
    pthread_cond_wait(&q->cv, &q->mu);
  if(q->stopped || q->next_take == q->next_put) {
    pthread_mutex_unlock(&q->mu);
    return -1;
  }
  *seq = q->next_take++;
  s = slot_of(q, *seq);
  s->state = SLOT_TAKEN;
  *job = s->job;
  pthread_mutex_unlock(&q->mu);
  return 0;
}

/* Writes what the head object buffered before it became the head. */
static void flush_locked(struct sl_inspect_order *q, struct slot *s)
{
  if(s->buf.len && !q->stopped && q->o.write(q->o.ud, s->buf.data, s->buf.len))
    stop_locked(q);
  q->held -= s->buf.len;
  sl_buf_reset(&s->buf);
}

int sl_inspect_order_emit(struct sl_inspect_order *q, uint64_t seq, const char *p, size_t n)
{
  struct slot *s = slot_of(q, seq);
  pthread_mutex_lock(&q->mu);
  for(;;) {
    if(q->stopped) {
      pthread_mutex_unlock(&q->mu);
      return -1;
    }
    if(seq == q->head) {
      flush_locked(q, s);
      pthread_mutex_unlock(&q->mu);
      /* Only the head writes outside the lock, and the head only moves on
       * when this worker ends the object. */
      if(n && q->o.write(q->o.ud, p, n)) {
        sl_inspect_order_stop(q);
        return -1;
      }
      return 0;
    }
    if(s->buf.len + n <= q->o.buffer_max) {
      if(sl_buf_add(&s->buf, p, n)) {
        stop_locked(q);
        continue;
      }
      q->held += n;
      if(q->held > q->peak)
        q->peak = q->held;
      pthread_mutex_unlock(&q->mu);
      return 0;
    }
    pthread_cond_wait(&q->cv, &q->mu);
  }
}

void sl_inspect_order_end(struct sl_inspect_order *q, uint64_t seq)
{
  struct slot *s = slot_of(q, seq);
  pthread_mutex_lock(&q->mu);
  s->state = SLOT_DONE;
  /* The head's end writes every finished object behind it, in order. */
  while(seq == q->head && !q->stopped && (s = slot_of(q, q->head))->state == SLOT_DONE) {
    flush_locked(q, s);
    if(!q->stopped && q->o.done && q->o.done(q->o.ud, q->head, s->job))
      stop_locked(q);
    if(q->o.release)
      q->o.release(q->o.ud, s->job);
    s->state = SLOT_FREE;
    s->job = NULL;
    seq = ++q->head;
  }
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

void sl_inspect_order_stop(struct sl_inspect_order *q)
{
  pthread_mutex_lock(&q->mu);
  stop_locked(q);
  pthread_mutex_unlock(&q->mu);
}

int sl_inspect_order_stopped(struct sl_inspect_order *q)
{
  int s;
  pthread_mutex_lock(&q->mu);
  s = q->stopped;
  pthread_mutex_unlock(&q->mu);
  return s;
}

size_t sl_inspect_order_peak(struct sl_inspect_order *q)
{
  size_t p;
  pthread_mutex_lock(&q->mu);
  p = q->peak;
  pthread_mutex_unlock(&q->mu);
  return p;
}

void sl_inspect_order_options_init(struct sl_inspect_order_options *o)
{
  memset(o, 0, sizeof(*o));
  o->window = 1;
  o->buffer_max = 1024 * 1024;
}
