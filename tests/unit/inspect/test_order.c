/* test_order.c — inspect/order.c, the ordering window: output reaches the
 * sink in object order whatever order the workers finish in; the head
 * streams without buffering; objects behind it hold at most the cap; done
 * comes in order; stopping wakes everyone; every job is released once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "sluice/inspect.h"

#define MAX_OBJECTS 400

struct sink {
  struct sl_buf out;
  uint64_t done_seq[MAX_OBJECTS];
  size_t ndone;
  size_t stop_after;  /* bytes; 0 = never */
  int releases;
  pthread_mutex_t mu; /* only for the release count: done/write are serialized */
};

struct job {
  uint64_t seq;
  int lines;
  int delay_us;
};

struct ctx {
  struct sl_inspect_order *q;
};

/* CUnit is not thread-safe: workers only set this, the main thread checks. */
static int wrong_seq;

static int sink_write(void *ud, const char *p, size_t n)
{
  struct sink *s = ud;
  sl_buf_add(&s->out, p, n);
  return s->stop_after && s->out.len >= s->stop_after;
}

static int sink_done(void *ud, uint64_t seq, void *job)
{
  struct sink *s = ud;
  if(((struct job *)job)->seq != seq)
    __atomic_store_n(&wrong_seq, 1, __ATOMIC_SEQ_CST);
  if(s->ndone < MAX_OBJECTS)
    s->done_seq[s->ndone++] = seq;
  return 0;
}

static void sink_release(void *ud, void *job)
{
  struct sink *s = ud;
  pthread_mutex_lock(&s->mu);
  s->releases++;
  pthread_mutex_unlock(&s->mu);
  free(job);
}

static void pause_us(int us)
{
  struct timespec ts = { 0, (long)us * 1000L };
  if(us)
    nanosleep(&ts, NULL);
}

static void *worker(void *arg)
{
  struct ctx *c = arg;
  uint64_t seq;
  void *jp;
  while(!sl_inspect_order_take(c->q, &seq, &jp)) {
    struct job *j = jp;
    int i;
    char line[64];
    if(j->seq != seq)
      __atomic_store_n(&wrong_seq, 1, __ATOMIC_SEQ_CST);
    for(i = 0; i < j->lines; i++) {
      int n = snprintf(line, sizeof(line), "object %llu line %d\n", (unsigned long long)seq, i);
      if(i % 7 == 0)
        pause_us(j->delay_us);
      if(sl_inspect_order_emit(c->q, seq, line, (size_t)n))
        break;
    }
    sl_inspect_order_end(c->q, seq);
  }
  return NULL;
}

static uint32_t rng_state = 12345;
static uint32_t rng(void)
{
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

/* Runs nobj objects through nthreads workers; returns the queue's peak. */
static size_t run(struct sink *s, int nthreads, size_t window, size_t cap, int nobj,
                  int big_every, int *puts)
{
  struct sl_inspect_order_options o;
  struct ctx c;
  pthread_t th[16];
  int i;
  size_t peak;
  memset(&o, 0, sizeof(o));
  o.window = window;
  o.buffer_max = cap;
  o.write = sink_write;
  o.done = sink_done;
  o.release = sink_release;
  o.ud = s;
  c.q = sl_inspect_order_new(&o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(c.q);
  for(i = 0; i < nthreads; i++)
    pthread_create(&th[i], NULL, worker, &c);
  *puts = 0;
  for(i = 0; i < nobj; i++) {
    struct job *j = calloc(1, sizeof(*j));
    j->seq = (uint64_t)i;
    j->lines = big_every && i % big_every == 1 ? 300 : (int)(rng() % 6);
    j->delay_us = (int)(rng() % 300);
    if(sl_inspect_order_put(c.q, j)) {
      free(j);
      break;
    }
    (*puts)++;
  }
  sl_inspect_order_close(c.q);
  for(i = 0; i < nthreads; i++)
    pthread_join(th[i], NULL);
  peak = sl_inspect_order_peak(c.q);
  sl_inspect_order_free(c.q);
  return peak;
}

static void sink_init(struct sink *s)
{
  memset(s, 0, sizeof(*s));
  sl_buf_init(&s->out, 64u * 1024 * 1024);
  pthread_mutex_init(&s->mu, NULL);
}

static void sink_cleanup(struct sink *s)
{
  sl_buf_cleanup(&s->out);
  pthread_mutex_destroy(&s->mu);
}

/* What a single thread would print, in order. */
static void expected(struct sl_buf *b, int nobj, int big_every)
{
  int i, k;
  rng_state = 12345;
  for(i = 0; i < nobj; i++) {
    int lines = big_every && i % big_every == 1 ? 300 : (int)(rng() % 6);
    rng();
    for(k = 0; k < lines; k++)
      sl_buf_printf(b, "object %d line %d\n", i, k);
  }
}

static void check_order(int nthreads, size_t window, size_t cap, int nobj, int big_every)
{
  struct sink s;
  struct sl_buf want;
  size_t peak, i;
  int puts;
  sink_init(&s);
  sl_buf_init(&want, 64u * 1024 * 1024);
  expected(&want, nobj, big_every);
  rng_state = 12345;
  peak = run(&s, nthreads, window, cap, nobj, big_every, &puts);
  CU_ASSERT_EQUAL(puts, nobj);
  CU_ASSERT_EQUAL(s.out.len, want.len);
  CU_ASSERT_STRING_EQUAL(s.out.data, want.data);
  CU_ASSERT_EQUAL(s.ndone, (size_t)nobj);
  for(i = 0; i < s.ndone; i++)
    CU_ASSERT_EQUAL(s.done_seq[i], i);
  CU_ASSERT_EQUAL(s.releases, nobj);
  CU_ASSERT_EQUAL(__atomic_load_n(&wrong_seq, __ATOMIC_SEQ_CST), 0);
  /* memory bound: at most cap per object in the window */
  CU_ASSERT(peak <= window * cap);
  if(nthreads == 1)
    CU_ASSERT_EQUAL(peak, 0); /* the only object in work is always the head */
  sl_buf_cleanup(&want);
  sink_cleanup(&s);
}

static void test_in_order(void)
{
  check_order(4, 8, 4096, 300, 0);
}

static void test_small_cap_waits(void)
{
  /* Every 5th object writes 300 lines (~6 KiB) past a 64-byte cap: its
   * worker must wait for its turn and then stream. */
  check_order(4, 8, 64, 200, 5);
}

static void test_one_worker_streams(void)
{
  check_order(1, 4, 64, 100, 3);
}

static void test_window_of_one(void)
{
  check_order(3, 1, 16, 60, 4);
}

static void test_stop(void)
{
  struct sink s;
  int puts;
  sink_init(&s);
  s.stop_after = 2000;
  rng_state = 12345;
  run(&s, 4, 8, 256, MAX_OBJECTS, 4, &puts);
  /* stopped early: the producer was refused, every job put was released */
  CU_ASSERT(puts < MAX_OBJECTS);
  CU_ASSERT_EQUAL(s.releases, puts);
  CU_ASSERT(s.out.len >= 2000);
  CU_ASSERT(s.out.len < 2000 + 256 * 8 + 64);
  sink_cleanup(&s);
}

static void test_bad_options(void)
{
  struct sl_inspect_order_options o;
  memset(&o, 0, sizeof(o));
  o.write = sink_write;
  CU_ASSERT_PTR_NULL(sl_inspect_order_new(&o)); /* window 0 */
  o.window = 2;
  o.write = NULL;
  CU_ASSERT_PTR_NULL(sl_inspect_order_new(&o));
}

static const struct sl_test tests[] = {
  { "in_order", test_in_order },
  { "small_cap_waits", test_small_cap_waits },
  { "one_worker_streams", test_one_worker_streams },
  { "window_of_one", test_window_of_one },
  { "stop", test_stop },
  { "bad_options", test_bad_options },
  { NULL, NULL }
};

SL_TEST_MAIN("order", tests, NULL, NULL)
