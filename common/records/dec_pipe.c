/* dec_pipe.c — the decompressing thread behind dec_pipe.h. Compressed input
 * waits in a queue of copies (at most SL_DEC_PIPE_IN_MAX bytes); output goes
 * into a ring of SL_DEC_PIPE_OUT_SLOTS buffers that the caller's thread
 * empties. Both sides block only on a full queue or ring, so memory stays
 * bounded whichever side is faster. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "dec_pipe.h"

struct in_chunk {
  struct in_chunk *next;
  size_t n;
  unsigned char p[]; /* the copy */
};

struct sl_dec_pipe {
  sl_dec_pipe_feed feed;
  sl_dec_pipe_finish finish;
  void *codec;
  pthread_t th;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct in_chunk *head, *tail;
  size_t queued;       /* compressed bytes waiting */
  int eof;             /* no more input will come */
  int cancel;          /* the caller stopped: the thread ends early */
  int done;            /* the thread finished; result is set */
  enum sl_result result;
  /* the ring: slots first..first+count-1 hold output for the caller */
  char *slot[SL_DEC_PIPE_OUT_SLOTS];
  size_t len[SL_DEC_PIPE_OUT_SLOTS];
  unsigned first, count;
  unsigned fill;       /* thread only: the slot being filled, first + count */
  size_t filling;      /* thread only: bytes in it */
  int started;         /* there is a thread to join */
};

size_t sl_dec_pipe_held(void)
{
  return SL_DEC_PIPE_IN_MAX + SL_DEC_PIPE_OUT_SIZE * SL_DEC_PIPE_OUT_SLOTS;
}

/* Thread side: the slot being filled is full (or output ended): hand it over. */
static int publish(struct sl_dec_pipe *pp)
{
  int stop;
  pthread_mutex_lock(&pp->mu);
  pp->len[pp->fill] = pp->filling;
  pp->count++;
  pp->fill = (pp->fill + 1) % SL_DEC_PIPE_OUT_SLOTS;
  pp->filling = 0;
  pthread_cond_broadcast(&pp->cv);
  while(pp->count == SL_DEC_PIPE_OUT_SLOTS && !pp->cancel)
    pthread_cond_wait(&pp->cv, &pp->mu);
  stop = pp->cancel;
  pthread_mutex_unlock(&pp->mu);
  return stop;
}

/* The codec's sink, on the thread: copies into the ring. */
static int to_ring(void *ctx, const char *p, size_t n)
{
  struct sl_dec_pipe *pp = ctx;
  while(n) {
    char *dst = pp->slot[pp->fill];
    size_t k = SL_DEC_PIPE_OUT_SIZE - pp->filling;
    if(k > n)
      k = n;
    memcpy(dst + pp->filling, p, k);
    pp->filling += k;
    p += k;
    n -= k;
    if(pp->filling == SL_DEC_PIPE_OUT_SIZE && publish(pp))
      return 1;
  }
  return 0;
}

static void *run(void *arg)
{
  struct sl_dec_pipe *pp = arg;
  enum sl_result r = SL_OK;
  int cancel;
  pthread_mutex_lock(&pp->mu);
  for(;;) {
    struct in_chunk *c;
    while(!pp->head && !pp->eof && !pp->cancel)
      pthread_cond_wait(&pp->cv, &pp->mu);
    if(pp->cancel)
      break;
    if(!pp->head) { /* eof, all input inflated */
      pthread_mutex_unlock(&pp->mu);
      r = pp->finish(pp->codec);
      pthread_mutex_lock(&pp->mu);
      break;
    }
    c = pp->head;
    pp->head = c->next;
    if(!pp->head)
      pp->tail = NULL;
    pp->queued -= c->n;
    pthread_cond_broadcast(&pp->cv);
    pthread_mutex_unlock(&pp->mu);
    r = pp->feed(pp->codec, c->p, c->n, to_ring, pp);
    free(c);
    pthread_mutex_lock(&pp->mu);
    if(r || pp->cancel)
      break;
  }
  cancel = pp->cancel;
  pthread_mutex_unlock(&pp->mu);
  /* What came out before the end (or the failure) is the caller's still. */
  if(pp->filling && !cancel)
    publish(pp);
  pthread_mutex_lock(&pp->mu);
  pp->result = r;
  pp->done = 1;
  pthread_cond_broadcast(&pp->cv);
  pthread_mutex_unlock(&pp->mu);
  return NULL;
}

struct sl_dec_pipe *sl_dec_pipe_new(sl_dec_pipe_feed feed, sl_dec_pipe_finish finish, void *codec)
{
  struct sl_dec_pipe *pp = calloc(1, sizeof(*pp));
  unsigned i;
  int ok;
  if(!pp)
    return NULL;
  pp->feed = feed;
  pp->finish = finish;
  pp->codec = codec;
  ok = !pthread_mutex_init(&pp->mu, NULL);
  if(ok && pthread_cond_init(&pp->cv, NULL)) {
    pthread_mutex_destroy(&pp->mu);
    ok = 0;
  }
  if(!ok) {
    free(pp);
    return NULL;
  }
  for(i = 0; i < SL_DEC_PIPE_OUT_SLOTS && ok; i++)
    ok = (pp->slot[i] = malloc(SL_DEC_PIPE_OUT_SIZE)) != NULL;
  if(!ok || pthread_create(&pp->th, NULL, run, pp)) {
    sl_dec_pipe_free(pp);
    return NULL;
  }
  pp->started = 1;
  return pp;
}

/* Caller side, with the lock held: hands every ready slot to sink. Returns
 * non-zero when sink asked to stop. */
static int drain(struct sl_dec_pipe *pp, sl_inflate_sink sink, void *ctx)
{
  while(pp->count) {
    unsigned at = pp->first;
    int stop;
    pthread_mutex_unlock(&pp->mu);
    stop = pp->len[at] && sink(ctx, pp->slot[at], pp->len[at]);
    pthread_mutex_lock(&pp->mu);
    pp->first = (pp->first + 1) % SL_DEC_PIPE_OUT_SLOTS;
    pp->count--;
    pthread_cond_broadcast(&pp->cv);
    if(stop) {
      pp->cancel = 1;
      return 1;
    }
  }
  return 0;
}

enum sl_result sl_dec_pipe_push(struct sl_dec_pipe *pp, const unsigned char *p, size_t n,
                                sl_inflate_sink sink, void *ctx)
{
  struct in_chunk *c = malloc(sizeof(*c) + n);
  enum sl_result r = SL_OK;
  if(!c)
    return SL_E_NOMEM;
  memcpy(c->p, p, n);
  c->n = n;
  c->next = NULL;
  pthread_mutex_lock(&pp->mu);
  /* Room in the queue; meanwhile the output the thread made is taken. */
  while(!pp->cancel && !pp->done && pp->queued && pp->queued + n > SL_DEC_PIPE_IN_MAX) {
    if(drain(pp, sink, ctx))
      break;
    if(pp->queued && pp->queued + n > SL_DEC_PIPE_IN_MAX && !pp->done)
      pthread_cond_wait(&pp->cv, &pp->mu);
  }
  if(pp->cancel || pp->done) {
    free(c);
    c = NULL;
  }
  else {
    if(pp->tail)
      pp->tail->next = c;
    else
      pp->head = c;
    pp->tail = c;
    pp->queued += n;
    pthread_cond_broadcast(&pp->cv);
  }
  if(!pp->cancel)
    drain(pp, sink, ctx);
  if(pp->done && !pp->count && !pp->cancel)
    r = pp->result;
  pthread_mutex_unlock(&pp->mu);
  return r;
}

enum sl_result sl_dec_pipe_end(struct sl_dec_pipe *pp, sl_inflate_sink sink, void *ctx)
{
  enum sl_result r = SL_OK;
  pthread_mutex_lock(&pp->mu);
  pp->eof = 1;
  pthread_cond_broadcast(&pp->cv);
  while(!pp->cancel && (!pp->done || pp->count)) {
    if(drain(pp, sink, ctx))
      break;
    if(!pp->done)
      pthread_cond_wait(&pp->cv, &pp->mu);
  }
  if(!pp->cancel)
    r = pp->result;
  pthread_mutex_unlock(&pp->mu);
  return r;
}

void sl_dec_pipe_free(struct sl_dec_pipe *pp)
{
  unsigned i;
  if(!pp)
    return;
  pthread_mutex_lock(&pp->mu);
  pp->cancel = 1;
  pthread_cond_broadcast(&pp->cv);
  pthread_mutex_unlock(&pp->mu);
  if(pp->started)
    pthread_join(pp->th, NULL);
  while(pp->head) {
    struct in_chunk *c = pp->head;
    pp->head = c->next;
    free(c);
  }
  for(i = 0; i < SL_DEC_PIPE_OUT_SLOTS; i++)
    free(pp->slot[i]);
  pthread_cond_destroy(&pp->cv);
  pthread_mutex_destroy(&pp->mu);
  free(pp);
}
