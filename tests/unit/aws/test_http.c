/* test_http.c — the libcurl transport against the loopback mini server:
 * bytes on the wire, connection reuse, bounds, broken answers, timeouts,
 * redirects, refusals and the concurrent mode. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "mini_server.h"
#include "sluice/http.h"
#include "sluice/log.h"
#include "sluice/retry.h"
#include "common/aws/http_internal.h"

/* The handler answers every request with a copy of this. */
static struct sl_mini_response script;
static struct sl_mini_server *srv;
static struct sl_http *http;
static char url[256];

/* gather > 0: each request is held until that many are in the handler
 * at once (at most 4 s), so a test sees parallel requests without a clock. */
static struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int gather, in, most;
} meet = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0 };

static void scripted(void *ud, const struct sl_mini_request *req, struct sl_mini_response *resp)
{
  (void)ud;
  (void)req;
  pthread_mutex_lock(&meet.mu);
  if(meet.gather) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 4;
    if(++meet.in > meet.most)
      meet.most = meet.in;
    pthread_cond_broadcast(&meet.cv);
    while(meet.in < meet.gather && meet.most < meet.gather &&
          !pthread_cond_timedwait(&meet.cv, &meet.mu, &until))
      ;
    meet.in--;
  }
  pthread_mutex_unlock(&meet.mu);
  *resp = script;
}

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int suite_init(void)
{
  struct sl_http_options o = { 2000, 5000, NULL, 0, 0, 0, 0 };
  /* A proxy from the environment would send loopback tests elsewhere. */
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  unsetenv("https_proxy");
  unsetenv("HTTPS_PROXY");
  unsetenv("all_proxy");
  unsetenv("ALL_PROXY");
  srv = sl_mini_start(scripted, NULL);
  http = sl_http_new(&o);
  return !srv || !http;
}

static int suite_cleanup(void)
{
  sl_http_free(http);
  sl_mini_stop(srv);
  return 0;
}

/* Fresh script, fresh records, and a connection count that starts at 0: a
 * new client so connections from the previous test do not count. */
static void fresh(void)
{
  struct sl_http_options o = { 2000, 5000, NULL, 0, 0, 0, 0 };
  memset(&script, 0, sizeof(script));
  sl_http_free(http);
  http = sl_http_new(&o);
  sl_mini_reset(srv);
  snprintf(url, sizeof(url), "%s/path/to%%20x?b=2&a=1", sl_mini_url(srv));
}

static void test_get_on_the_wire(void)
{
  struct sl_headers h;
  struct sl_http_request req = { 0 };
  struct sl_http_response resp;
  struct sl_error err;
  const struct sl_mini_request *got;
  char host[64];
  fresh();
  script.status = 200;
  script.headers = "X-Amz-Request-Id: R1\r\nContent-Type: text/plain\r\nx-lower:  spaced value  \r\n";
  script.body = "hello";
  sl_headers_init(&h);
  snprintf(host, sizeof(host), "127.0.0.1:%d", sl_mini_port(srv));
  sl_headers_add(&h, "Host", host);
  sl_headers_add(&h, "X-Amz-Date", "20240101T000000Z");
  sl_headers_add(&h, "X-Empty", "");
  req.method = "GET";
  req.url = url;
  req.headers = &h;
  sl_http_response_init(&resp);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(sl_http_perform(http, &req, &resp, &err), SL_OK);
  CU_ASSERT_EQUAL(resp.status, 200);
  CU_ASSERT_EQUAL(resp.body.len, 5);
  CU_ASSERT_STRING_EQUAL(resp.body.data, "hello");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&resp.headers, "x-amz-request-id"), "R1");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&resp.headers, "X-Lower"), "spaced value");
  CU_ASSERT_STRING_EQUAL(resp.headers.v[0].name, "X-Amz-Request-Id");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&resp.headers, "Content-Length"), "5");
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 1);
  got = sl_mini_request_at(srv, 0);
  CU_ASSERT_STRING_EQUAL(got->method, "GET");
  CU_ASSERT_STRING_EQUAL(got->target, "/path/to%20x?b=2&a=1");
  /* Exactly our headers, in our order: nothing added by curl. */
  CU_ASSERT_EQUAL_FATAL(got->headers.n, 3);
  CU_ASSERT_STRING_EQUAL(got->headers.v[0].name, "Host");
  CU_ASSERT_STRING_EQUAL(got->headers.v[0].value, host);
  CU_ASSERT_STRING_EQUAL(got->headers.v[1].name, "X-Amz-Date");
  CU_ASSERT_STRING_EQUAL(got->headers.v[1].value, "20240101T000000Z");
  CU_ASSERT_STRING_EQUAL(got->headers.v[2].name, "X-Empty");
  CU_ASSERT_STRING_EQUAL(got->headers.v[2].value, "");
  CU_ASSERT_EQUAL(got->body.len, 0);
  sl_headers_cleanup(&h);
  sl_http_response_cleanup(&resp);
}

static void test_post_on_the_wire(void)
{
  static const struct {
    const char *method;
    const char *body;
    const char *content_length;
  } cases[] = {
    { "POST", "Action=ListRoles&Version=2010-05-08", "35" },
    { "PUT", "{\"a\":1}", "7" },
    { "POST", "", "0" },
    { "PUT", "", "0" },
    { "DELETE", NULL, NULL },
  };
  size_t i;
  fresh();
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_headers h;
    struct sl_http_request req = { 0 };
    struct sl_http_response resp;
    const struct sl_mini_request *got;
    sl_headers_init(&h);
    sl_headers_add(&h, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
    req.method = cases[i].method;
    req.url = url;
    req.headers = &h;
    req.body = cases[i].body;
    req.body_len = cases[i].body ? strlen(cases[i].body) : 0;
    sl_http_response_init(&resp);
    CU_ASSERT_EQUAL(sl_http_perform(http, &req, &resp, NULL), SL_OK);
    CU_ASSERT_EQUAL(resp.status, 200);
    CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), i + 1);
    got = sl_mini_request_at(srv, i);
    CU_ASSERT_STRING_EQUAL(got->method, cases[i].method);
    CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "Content-Type"),
                           "application/x-www-form-urlencoded; charset=utf-8");
    if(cases[i].content_length) {
      CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "Content-Length"),
                             cases[i].content_length);
    }
    else {
      CU_ASSERT_PTR_NULL(sl_headers_get(&got->headers, "Content-Length"));
    }
    CU_ASSERT_PTR_NULL(sl_headers_get(&got->headers, "Expect"));
    CU_ASSERT_PTR_NULL(sl_headers_get(&got->headers, "Transfer-Encoding"));
    CU_ASSERT_EQUAL(got->body.len, req.body_len);
    if(req.body_len) {
      CU_ASSERT_EQUAL(memcmp(got->body.data, cases[i].body, req.body_len), 0);
    }
    sl_headers_cleanup(&h);
    sl_http_response_cleanup(&resp);
  }
}

static void test_large_body_no_expect(void)
{
  /* Past curl's 1 MiB threshold for "Expect: 100-continue". */
  size_t n = 2u * 1024 * 1024, i;
  char *body = malloc(n);
  struct sl_headers h;
  struct sl_http_request req = { 0 };
  struct sl_http_response resp;
  const struct sl_mini_request *got;
  fresh();
  for(i = 0; i < n; i++)
    body[i] = (char)(i * 7);
  sl_headers_init(&h);
  sl_headers_add(&h, "Content-Type", "application/octet-stream");
  req.method = "PUT";
  req.url = url;
  req.headers = &h;
  req.body = body;
  req.body_len = n;
  sl_http_response_init(&resp);
  CU_ASSERT_EQUAL(sl_http_perform(http, &req, &resp, NULL), SL_OK);
  got = sl_mini_request_at(srv, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(got);
  CU_ASSERT_PTR_NULL(sl_headers_get(&got->headers, "Expect"));
  CU_ASSERT_EQUAL(got->body.len, n);
  CU_ASSERT_EQUAL(memcmp(got->body.data, body, n), 0);
  free(body);
  sl_headers_cleanup(&h);
  sl_http_response_cleanup(&resp);
}

static void test_connection_reuse(void)
{
  struct sl_http_request req = { 0 };
  struct sl_http_response resp;
  int i;
  fresh();
  script.body = "ok";
  req.method = "GET";
  req.url = url;
  sl_http_response_init(&resp);
  for(i = 0; i < 3; i++) {
    CU_ASSERT_EQUAL(sl_http_perform(http, &req, &resp, NULL), SL_OK);
    CU_ASSERT_STRING_EQUAL(resp.body.data, "ok");
  }
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 3);
  CU_ASSERT_EQUAL(sl_mini_connection_count(srv), 1);
  sl_http_response_cleanup(&resp);
}

/* One GET with the current script; returns the result. */
static enum sl_result get(size_t max, long timeout_ms, struct sl_http_response *resp,
                          struct sl_error *err)
{
  struct sl_http_request req = { 0 };
  req.method = "GET";
  req.url = url;
  req.max_response = max;
  req.timeout_ms = timeout_ms;
  sl_error_clear(err);
  return sl_http_perform(http, &req, resp, err);
}

static void test_body_bounds(void)
{
  static char big[1000];
  static const struct {
    size_t max;
    size_t body_len;
    int endless;
    enum sl_result want;
  } cases[] = {
    { 1000, 1000, 0, SL_OK },        /* exactly the bound */
    { 999, 1000, 0, SL_E_TOO_LARGE }, /* Content-Length over: refused up front */
    { 4096, 1000, 1, SL_E_TOO_LARGE }, /* no length, keeps coming */
  };
  size_t i;
  memset(big, 'b', sizeof(big));
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_http_response resp;
    struct sl_error err;
    fresh();
    script.body = big;
    script.body_len = cases[i].body_len;
    script.endless = cases[i].endless;
    sl_http_response_init(&resp);
    CU_ASSERT_EQUAL(get(cases[i].max, 0, &resp, &err), cases[i].want);
    if(cases[i].want) {
      CU_ASSERT_EQUAL(err.result, SL_E_TOO_LARGE);
      CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "exceeds the limit of"));
      CU_ASSERT(resp.body.len <= cases[i].max);
      CU_ASSERT_EQUAL(err.http_status, 200);
    }
    else {
      CU_ASSERT_EQUAL(resp.body.len, cases[i].body_len);
    }
    sl_http_response_cleanup(&resp);
  }
}

static void test_huge_content_length_fails_fast(void)
{
  struct sl_http_response resp;
  struct sl_error err;
  long long t0;
  fresh();
  script.declared_length = 10LL * 1024 * 1024 * 1024;
  script.body = "tiny";
  script.endless = 0;
  sl_http_response_init(&resp);
  t0 = now_ms();
  CU_ASSERT_EQUAL(get(0, 0, &resp, &err), SL_E_TOO_LARGE);
  CU_ASSERT(now_ms() - t0 < 1000);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "10737418240 bytes (Content-Length) exceeds "
                                             "the limit of 16777216 bytes"));
  CU_ASSERT_EQUAL(resp.body.len, 0);
  sl_http_response_cleanup(&resp);
}

static void test_broken_answers(void)
{
  static const struct {
    const char *name;
    long long declared;
    int close_without_reply;
    enum sl_result want;
  } cases[] = {
    { "truncated body", 1000, 0, SL_E_NETWORK },
    { "no reply", 0, 1, SL_E_NETWORK },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_http_response resp;
    struct sl_error err;
    fresh();
    script.declared_length = cases[i].declared;
    script.close_without_reply = cases[i].close_without_reply;
    script.body = "only ten b";
    sl_http_response_init(&resp);
    CU_ASSERT_EQUAL(get(0, 0, &resp, &err), cases[i].want);
    CU_ASSERT_EQUAL(err.result, cases[i].want);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "GET 127.0.0.1/path/to%20x: "));
    CU_ASSERT(strlen(err.message) > strlen("GET 127.0.0.1/path/to%20x: "));
    sl_http_response_cleanup(&resp);
  }
}

static void test_connection_refused(void)
{
  struct sl_mini_server *gone = sl_mini_start(NULL, NULL);
  struct sl_http_request req = { 0 };
  struct sl_http_response resp;
  struct sl_error err;
  char u[64];
  CU_ASSERT_PTR_NOT_NULL_FATAL(gone);
  snprintf(u, sizeof(u), "%s/", sl_mini_url(gone));
  sl_mini_stop(gone); /* nobody listens on that port now */
  req.method = "GET";
  req.url = u;
  sl_http_response_init(&resp);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_http_perform(http, &req, &resp, &err), SL_E_NETWORK);
  CU_ASSERT_EQUAL(err.http_status, 0);
  sl_http_response_cleanup(&resp);
}

static void test_timeouts(void)
{
  static const struct {
    int delay_ms;
    int endless;
    int interval_ms;
  } cases[] = {
    { 3000, 0, 0 },  /* nothing arrives */
    { 0, 1, 100 },   /* a trickle that never ends */
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_http_response resp;
    struct sl_error err;
    long long t0;
    fresh();
    script.delay_ms = cases[i].delay_ms;
    script.endless = cases[i].endless;
    script.stream_interval_ms = cases[i].interval_ms;
    script.body = cases[i].endless ? "x" : NULL;
    sl_http_response_init(&resp);
    t0 = now_ms();
    CU_ASSERT_EQUAL(get(0, 300, &resp, &err), SL_E_TIMEOUT);
    CU_ASSERT(now_ms() - t0 < 2000);
    CU_ASSERT_EQUAL(err.result, SL_E_TIMEOUT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "GET 127.0.0.1/path/to%20x: "));
    sl_http_response_cleanup(&resp);
  }
}

static void test_redirect_not_followed(void)
{
  struct sl_http_response resp;
  struct sl_error err;
  char loc[300];
  fresh();
  snprintf(loc, sizeof(loc), "Location: %s/elsewhere\r\n", sl_mini_url(srv));
  script.status = 307;
  script.headers = loc;
  sl_http_response_init(&resp);
  CU_ASSERT_EQUAL(get(0, 0, &resp, &err), SL_OK);
  CU_ASSERT_EQUAL(resp.status, 307);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  CU_ASSERT_PTR_NOT_NULL(sl_headers_get(&resp.headers, "Location"));
  sl_http_response_cleanup(&resp);
}

static void test_interim_headers_dropped(void)
{
  struct sl_http_response resp;
  struct sl_error err;
  fresh();
  script.interim = "HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n";
  script.headers = "X-Final: 2\r\n";
  script.body = "done";
  sl_http_response_init(&resp);
  CU_ASSERT_EQUAL(get(0, 0, &resp, &err), SL_OK);
  CU_ASSERT_EQUAL(resp.status, 200);
  CU_ASSERT_PTR_NULL(sl_headers_get(&resp.headers, "X-Interim"));
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&resp.headers, "X-Final"), "2");
  CU_ASSERT_STRING_EQUAL(resp.body.data, "done");
  sl_http_response_cleanup(&resp);
}

static void test_refusals(void)
{
  static const struct {
    const char *url;
    int allow_plain;
    int with_body;
    enum sl_result want;
  } cases[] = {
    /* Non-loopback plain http: refused before any connection (TEST-NET). */
    { "http://192.0.2.1/x", 0, 0, SL_E_INVALID },
    { "http://128.0.0.1/x", 0, 0, SL_E_INVALID },
    { "http://localhost.example.com/x", 0, 0, SL_E_INVALID },
    { "http://[::2]/x", 0, 0, SL_E_INVALID },
    { "ftp://127.0.0.1/x", 0, 0, SL_E_INVALID },
    { "file:///etc/passwd", 1, 0, SL_E_INVALID },
    { "not a url", 0, 0, SL_E_INVALID },
    /* Loopback plain http is allowed (nobody listens on port 1). */
    { "http://127.3.2.1:1/x", 0, 0, SL_E_NETWORK },
    { "http://[::1]:1/x", 0, 0, SL_E_NETWORK },
    /* A body without Content-Type never goes out, even to loopback. */
    { NULL, 0, 1, SL_E_INVALID },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_http_options o = { 500, 1000, NULL, cases[i].allow_plain, 0, 0, 0 };
    struct sl_http *h = sl_http_new(&o);
    struct sl_http_request req = { 0 };
    struct sl_http_response resp;
    struct sl_error err;
    fresh();
    req.method = cases[i].with_body ? "POST" : "GET";
    req.url = cases[i].url ? cases[i].url : url;
    req.body = cases[i].with_body ? "x=1" : NULL;
    req.body_len = cases[i].with_body ? 3 : 0;
    sl_http_response_init(&resp);
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_http_perform(h, &req, &resp, &err), cases[i].want);
    if(cases[i].want == SL_E_INVALID) {
      CU_ASSERT_EQUAL(resp.status, 0);
    }
    CU_ASSERT_EQUAL(sl_mini_request_count(srv), 0);
    CU_ASSERT_EQUAL(sl_mini_connection_count(srv), 0);
    if(i == 0) {
      CU_ASSERT_STRING_EQUAL(err.message, "refusing plain http:// to non-loopback host "
                             "192.0.2.1 (use https, or allow plain http explicitly)");
    }
    if(cases[i].with_body) {
      CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "request body without a Content-Type"));
    }
    sl_http_response_cleanup(&resp);
    sl_http_free(h);
  }
}

struct sink {
  size_t bytes;
  int calls;
  int stop_after;
};

static int on_body(void *ud, const char *p, size_t n)
{
  struct sink *s = ud;
  (void)p;
  s->bytes += n;
  s->calls++;
  return s->stop_after && s->calls >= s->stop_after;
}

static void test_streaming(void)
{
  static char big[300000];
  struct sink s = { 0, 0, 0 };
  struct sl_http_request req = { 0 };
  struct sl_http_response resp;
  struct sl_error err;
  fresh();
  memset(big, 'z', sizeof(big));
  script.body = big;
  script.body_len = sizeof(big);
  req.method = "GET";
  req.url = url;
  req.max_response = 10; /* bounds the buffer, not a stream */
  req.on_body = on_body;
  req.on_body_ud = &s;
  sl_http_response_init(&resp);
  CU_ASSERT_EQUAL(sl_http_perform(http, &req, &resp, &err), SL_OK);
  CU_ASSERT_EQUAL(s.bytes, sizeof(big));
  CU_ASSERT_EQUAL(resp.body.len, 0);
  /* The consumer can stop a transfer. */
  s.bytes = 0;
  s.calls = 0;
  s.stop_after = 1;
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_http_perform(http, &req, &resp, &err), SL_E_INVALID);
  CU_ASSERT_EQUAL(s.calls, 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "stopped by the body consumer"));
  sl_http_response_cleanup(&resp);
}

static enum sl_result nested_result = SL_OK;

static int reenter(void *ud, const char *p, size_t n)
{
  struct sl_http_request req = { 0 };
  struct sl_http_response resp;
  (void)ud;
  (void)p;
  (void)n;
  req.method = "GET";
  req.url = url;
  sl_http_response_init(&resp);
  nested_result = sl_http_perform(http, &req, &resp, NULL);
  sl_http_response_cleanup(&resp);
  return 0;
}

static void test_reentrant_use_refused(void)
{
  struct sl_http_request req = { 0 };
  struct sl_http_response resp;
  fresh();
  script.body = "abc";
  req.method = "GET";
  req.url = url;
  req.on_body = reenter;
  sl_http_response_init(&resp);
  CU_ASSERT_EQUAL(sl_http_perform(http, &req, &resp, NULL), SL_OK);
  CU_ASSERT_EQUAL(nested_result, SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  sl_http_response_cleanup(&resp);
}

static void test_head_with_large_length(void)
{
  struct sl_http_request req = { 0 };
  struct sl_http_response resp;
  fresh();
  /* HEAD describes an object it does not send: its length is no body. */
  script.headers = "Content-Length: 10737418240\r\n";
  req.method = "HEAD";
  req.url = url;
  sl_http_response_init(&resp);
  CU_ASSERT_EQUAL(sl_http_perform(http, &req, &resp, NULL), SL_OK);
  CU_ASSERT_EQUAL(resp.status, 200);
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&resp.headers, "Content-Length"), "10737418240");
  sl_http_response_cleanup(&resp);
}

struct multi_done {
  int calls;
  int ok;
};

static void on_done(void *ud, enum sl_result r, struct sl_http_response *resp,
                    const struct sl_error *err)
{
  struct multi_done *d = ud;
  (void)err;
  d->calls++;
  if(!r && resp->status == 200 && !strcmp(resp->body.data, "slow"))
    d->ok++;
}

static void test_multi_concurrent(void)
{
  struct sl_http_options o = { 2000, 5000, NULL, 0, 0, 0, 0 };
  struct sl_http_multi *m = sl_http_multi_new(&o);
  struct sl_http_request req[8];
  struct sl_http_response resp[8];
  struct multi_done d = { 0, 0 };
  int i, running = 1, rounds = 0;
  CU_ASSERT_PTR_NOT_NULL_FATAL(m);
  fresh();
  script.body = "slow";
  meet.gather = 8;
  meet.in = meet.most = 0;
  for(i = 0; i < 8; i++) {
    memset(&req[i], 0, sizeof(req[i]));
    req[i].method = "GET";
    req[i].url = url;
    sl_http_response_init(&resp[i]);
    CU_ASSERT_EQUAL(sl_http_multi_add(m, &req[i], &resp[i], on_done, &d), SL_OK);
  }
  while(running && rounds++ < 1000)
    CU_ASSERT_EQUAL_FATAL(sl_http_multi_run(m, 1000, &running), SL_OK);
  CU_ASSERT_EQUAL(running, 0);
  CU_ASSERT_EQUAL(d.calls, 8);
  CU_ASSERT_EQUAL(d.ok, 8);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 8);
  /* All eight were in the server at once, not one after the other. */
  pthread_mutex_lock(&meet.mu);
  CU_ASSERT_EQUAL(meet.most, 8);
  meet.gather = 0;
  pthread_mutex_unlock(&meet.mu);
  /* Nothing in flight: returns at once. */
  CU_ASSERT_EQUAL(sl_http_multi_run(m, 1000, &running), SL_OK);
  CU_ASSERT_EQUAL(running, 0);
  /* Refused up front: error here, done() never called. */
  req[0].url = "http://192.0.2.1/";
  CU_ASSERT_EQUAL(sl_http_multi_add(m, &req[0], &resp[0], on_done, &d), SL_E_INVALID);
  CU_ASSERT_EQUAL(d.calls, 8);
  for(i = 0; i < 8; i++)
    sl_http_response_cleanup(&resp[i]);
  sl_http_multi_free(m);
}

static int notices;
static char notice[1024];

static void count_warnings(void *ud, enum sl_log_level lvl, const char *line)
{
  (void)ud;
  if(lvl == SL_LOG_WARN) {
    notices++;
    snprintf(notice, sizeof(notice), "%s", line);
  }
}

/* A server that trickles (one byte per 100 ms, forever) ends a try after
 * the low-speed window (1 s here), not after its 30 s timeout, as a timeout
 * (so the retry policy applies); one warning line said it was waiting. */
static void test_trickle_ends_at_low_speed(void)
{
  struct sl_http_options o = { 2000, 30000, NULL, 0, 1024, 1, 300 };
  struct sl_http_request req = { 0 };
  struct sl_http_response resp;
  struct sl_error err;
  struct sl_http *h;
  long long t0;
  fresh();
  script.endless = 1;
  script.body = "x";
  script.body_len = 1;
  script.stream_interval_ms = 100;
  h = sl_http_new(&o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(h);
  req.method = "GET";
  req.url = url;
  sl_http_response_init(&resp);
  notices = 0;
  sl_log_set_sink(count_warnings, NULL);
  t0 = now_ms();
  CU_ASSERT_EQUAL(sl_http_perform(h, &req, &resp, &err), SL_E_TIMEOUT);
  sl_log_set_sink(NULL, NULL);
  /* well inside the 30 s timeout: the low-speed window ended it */
  CU_ASSERT(now_ms() - t0 < 10000);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "too slow"));
  CU_ASSERT_EQUAL(sl_retry_classify(err.result, 0, err.code), SL_RETRY_TIMEOUT);
  CU_ASSERT_EQUAL(notices, 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(notice, ": no complete answer after 0."));
  CU_ASSERT_PTR_NOT_NULL(strstr(notice, " s; still waiting (each try ends after 30 s, or when "
                                        "slower than 1024 bytes/s for 1 s)"));
  sl_http_response_cleanup(&resp);
  sl_http_free(h);
}

/* Each curl failure lands in its class: the lasting ones carry the code
 * that keeps them from being retried, the others none. No name is
 * resolved here (tests reach no resolver): the mapping is what is tested. */
static void test_curl_error_classes(void)
{
  static const struct {
    CURLcode cc;
    enum sl_result r;
    const char *code;
  } cases[] = {
    { CURLE_PEER_FAILED_VERIFICATION, SL_E_NETWORK, SL_CODE_CERT_VERIFY },
    { CURLE_SSL_CERTPROBLEM, SL_E_NETWORK, SL_CODE_CERT_VERIFY },
    { CURLE_SSL_CACERT_BADFILE, SL_E_NETWORK, SL_CODE_CA_BUNDLE },
    { CURLE_COULDNT_RESOLVE_HOST, SL_E_NETWORK, SL_CODE_UNKNOWN_HOST },
    { CURLE_COULDNT_RESOLVE_PROXY, SL_E_NETWORK, SL_CODE_UNKNOWN_HOST },
    { CURLE_COULDNT_CONNECT, SL_E_NETWORK, "" },
    { CURLE_RECV_ERROR, SL_E_NETWORK, "" },
    { CURLE_SSL_CONNECT_ERROR, SL_E_NETWORK, "" },
    { CURLE_OPERATION_TIMEDOUT, SL_E_TIMEOUT, "" },
    { CURLE_URL_MALFORMAT, SL_E_INVALID, "" },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_error err;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_http_curl_error(cases[i].cc, "GET h/", "why", &err), cases[i].r);
    CU_ASSERT_STRING_EQUAL(err.code, cases[i].code);
    CU_ASSERT_EQUAL(sl_retry_classify(cases[i].r, 0, err.code) == SL_RETRY_NO,
                    cases[i].code[0] || cases[i].r == SL_E_INVALID);
    CU_ASSERT_EQUAL(strncmp(err.message, "GET h/: why", 11), 0);
  }
}

static const struct sl_test tests[] = {
  { "GET headers and body on the wire", test_get_on_the_wire },
  { "POST/PUT/DELETE bodies on the wire", test_post_on_the_wire },
  { "2 MiB PUT without Expect", test_large_body_no_expect },
  { "3 requests on 1 connection", test_connection_reuse },
  { "body max exceeded", test_body_bounds },
  { "10 GB Content-Length fails fast", test_huge_content_length_fails_fast },
  { "truncated body and no reply", test_broken_answers },
  { "connection refused", test_connection_refused },
  { "timeouts", test_timeouts },
  { "redirect returned, not followed", test_redirect_not_followed },
  { "1xx headers dropped", test_interim_headers_dropped },
  { "refused before connecting", test_refusals },
  { "streaming callback", test_streaming },
  { "HEAD with a large length", test_head_with_large_length },
  { "re-entrant use refused", test_reentrant_use_refused },
  { "multi: 8 concurrent", test_multi_concurrent },
  { "curl failures: lasting ones carry their code", test_curl_error_classes },
  { "a trickling server: ended by the low-speed limit, one notice", test_trickle_ends_at_low_speed },
  { NULL, NULL }
};

SL_TEST_MAIN("http", tests, suite_init, suite_cleanup)
