/* test_hostile.c — answers a broken or hostile server could send, through
 * a real client and sl_aws_send (so retries are part of the path): a body
 * that never ends, an absurd Content-Length, XML built to exhaust memory or
 * read local files, and a trickle of one byte per second. Each must end
 * with a clear error in bounded time and memory, and load nothing. Time is
 * asserted only as a generous upper bound: these tests prove that things
 * end, not how fast. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/tree.h>

#include "harness.h"
#include "mini_server.h"
#include "common/aws/aws_internal.h"
#include "sluice.h"

static struct sl_mini_server *srv;

/* The next answer; the handler copies it under the lock. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct sl_mini_response answer;

static void handler(void *ud, const struct sl_mini_request *req, struct sl_mini_response *resp)
{
  (void)ud;
  (void)req;
  pthread_mutex_lock(&lock);
  *resp = answer;
  pthread_mutex_unlock(&lock);
}

static void set_answer(const struct sl_mini_response *r)
{
  pthread_mutex_lock(&lock);
  answer = *r;
  pthread_mutex_unlock(&lock);
  sl_mini_reset(srv);
}

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static double zero_random(void *ud)
{
  (void)ud;
  return 0.0; /* retries without backoff sleeps */
}

/* A client for the mini server with static keys; timeout_ms 0 = default. */
static void client(struct sl_client *c, int max_attempts, long timeout_ms)
{
  struct sl_aws_config cfg;
  struct sl_error err;
  sl_aws_config_init(&cfg);
  snprintf(cfg.region, sizeof(cfg.region), "us-east-1");
  snprintf(cfg.endpoint_url, sizeof(cfg.endpoint_url), "%s", sl_mini_url(srv));
  snprintf(cfg.static_access_key_id, sizeof(cfg.static_access_key_id), "AKIDEXAMPLE");
  snprintf(cfg.static_secret_access_key, sizeof(cfg.static_secret_access_key),
           "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  cfg.max_attempts = max_attempts;
  cfg.s3_force_path_style = 1;
  if(timeout_ms)
    cfg.timeout_ms = timeout_ms;
  CU_ASSERT_EQUAL_FATAL(sl_client_init(c, &cfg, NULL, &err), SL_OK);
  c->retry.random = zero_random;
  sl_aws_config_cleanup(&cfg);
}

/* A Firehose-shaped POST through sl_aws_send. */
static enum sl_result send_json(struct sl_client *c, size_t max_response,
                                struct sl_http_response *resp, struct sl_error *err)
{
  static const char body[] = "{\"DeliveryStreamName\":\"s1\"}";
  struct sl_headers h;
  struct sl_aws_request req;
  enum sl_result r;
  sl_headers_init(&h);
  sl_headers_add(&h, "X-Amz-Target", "Firehose_20150804.DescribeDeliveryStream");
  memset(&req, 0, sizeof(req));
  req.svc = SL_SVC_FIREHOSE;
  req.method = "POST";
  req.path = "/";
  req.headers = &h;
  req.content_type = "application/x-amz-json-1.1";
  req.body = body;
  req.body_len = sizeof(body) - 1;
  req.max_response = max_response;
  sl_error_clear(err);
  r = sl_aws_send(c, &req, resp, err);
  sl_headers_cleanup(&h);
  return r;
}

static int suite_init(void)
{
  static const char *const unset[] = {
    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
    "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", NULL
  };
  size_t i;
  for(i = 0; unset[i]; i++)
    unsetenv(unset[i]);
  setenv("AWS_CONFIG_FILE", "/nonexistent/sluice-test/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sluice-test/credentials", 1);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  srv = sl_mini_start(handler, NULL);
  return !srv;
}

static int suite_cleanup(void)
{
  sl_mini_stop(srv);
  return 0;
}

/* A 200 whose body never ends stops at max_response (caller's bound, then
 * the 16 MiB default) with SL_E_TOO_LARGE, and is not retried. */
static void test_endless_body(void)
{
  static const size_t bounds[] = { 64u * 1024u, 0 };
  struct sl_client c;
  size_t i;
  client(&c, 3, 0);
  for(i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
    struct sl_mini_response a = { 0 };
    struct sl_http_response resp;
    struct sl_error err;
    char want[64];
    size_t limit = bounds[i] ? bounds[i] : 16u * 1024u * 1024u;
    a.endless = 1;
    set_answer(&a);
    sl_http_response_init(&resp);
    CU_ASSERT_EQUAL(send_json(&c, bounds[i], &resp, &err), SL_E_TOO_LARGE);
    CU_ASSERT_EQUAL(err.result, SL_E_TOO_LARGE);
    snprintf(want, sizeof(want), "exceeds the limit of %zu bytes", limit);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, want));
    CU_ASSERT_EQUAL(err.attempts, 1);
    CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
    CU_ASSERT(resp.body.len <= limit);
    sl_http_response_cleanup(&resp);
  }
  sl_client_cleanup(&c);
}

/* 10 GB announced: refused on the header, before any body, success or
 * error status alike, and not retried. */
static void test_huge_content_length(void)
{
  static const int statuses[] = { 200, 503 };
  struct sl_client c;
  size_t i;
  client(&c, 3, 0);
  for(i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
    struct sl_mini_response a = { 0 };
    struct sl_http_response resp;
    struct sl_error err;
    long long t0;
    a.status = statuses[i];
    a.declared_length = 10LL * 1000 * 1000 * 1000;
    a.body = "{\"a\":";
    set_answer(&a);
    sl_http_response_init(&resp);
    t0 = now_ms();
    CU_ASSERT_EQUAL(send_json(&c, 0, &resp, &err), SL_E_TOO_LARGE);
    CU_ASSERT(now_ms() - t0 < 5000);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "10000000000 bytes (Content-Length) exceeds"));
    CU_ASSERT_EQUAL(err.attempts, 1);
    CU_ASSERT_EQUAL(resp.body.len, 0);
    sl_http_response_cleanup(&resp);
  }
  sl_client_cleanup(&c);
}

/* UTF-16LE with a BOM: a DOCTYPE in it is invisible to a byte scan. */
static char *utf16(const char *s, size_t *len)
{
  size_t n = strlen(s), i;
  char *out = malloc(2 * n + 2);
  out[0] = (char)0xff;
  out[1] = (char)0xfe;
  for(i = 0; i < n; i++) {
    out[2 + 2 * i] = s[i];
    out[3 + 2 * i] = 0;
  }
  *len = 2 * n + 2;
  return out;
}

static char *deep_xml(int levels, size_t *len)
{
  struct sl_buf b;
  char *s;
  int i;
  sl_buf_init(&b, SL_BUF_MEDIUM);
  sl_buf_adds(&b, "<GetRoleResponse>");
  for(i = 0; i < levels; i++)
    sl_buf_adds(&b, "<a>");
  for(i = 0; i < levels; i++)
    sl_buf_adds(&b, "</a>");
  sl_buf_adds(&b, "</GetRoleResponse>");
  *len = b.len;
  s = sl_buf_steal(&b);
  sl_buf_cleanup(&b); /* steal leaves b empty but allocated */
  return s;
}

#define LAUGHS                                                                          \
  "<!DOCTYPE lolz [<!ENTITY lol \"lol\">"                                               \
  "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"              \
  "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"    \
  "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"    \
  "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"    \
  "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"    \
  "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"    \
  "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"    \
  "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"    \
  "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"

static int never_called(void *ud, const struct sl_s3_object *o)
{
  (void)ud;
  (void)o;
  CU_FAIL("a listing callback ran for a refused page");
  return 1;
}

/* Pathological XML as a 200 answer to a Query call and to a ListObjectsV2
 * page, and as an error answer: refused with SL_E_PARSE and a message
 * saying why, nothing handed to the caller, no external entity fetched. */
static void test_pathological_xml(void)
{
  struct sl_client c;
  char xxe_http[512], *bodies[5];
  size_t lens[5], i;
  /* NULL: libxml2 refuses it first, in its own words ("Excessive depth",
   * "entity reference loop"); the UTF-16 DOCTYPE check is the backstop */
  const char *why[5] = { NULL, "DOCTYPE", "DOCTYPE", NULL, "DOCTYPE" };
  client(&c, 1, 0);
  snprintf(xxe_http, sizeof(xxe_http),
           "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"%s/xxe\">"
           "<!ENTITY p SYSTEM \"file:///etc/passwd\">]>"
           "<GetRoleResponse><Role><RoleName>&x;&p;</RoleName></Role></GetRoleResponse>",
           sl_mini_url(srv));
  bodies[0] = deep_xml(10000, &lens[0]);
  bodies[1] = sl_strdup("<?xml version=\"1.0\"?>" LAUGHS "<GetRoleResponse><Role>"
                        "<RoleName>&lol9;</RoleName></Role></GetRoleResponse>");
  lens[1] = strlen(bodies[1]);
  bodies[2] = sl_strdup(xxe_http);
  lens[2] = strlen(bodies[2]);
  bodies[3] = utf16("<?xml version=\"1.0\" encoding=\"UTF-16\"?>" LAUGHS
                    "<GetRoleResponse><Role><RoleName>&lol9;</RoleName></Role></GetRoleResponse>",
                    &lens[3]);
  bodies[4] = utf16(xxe_http, &lens[4]);
  for(i = 0; i < 5; i++) {
    struct sl_mini_response a = { 0 };
    struct _xmlDoc *doc = (struct _xmlDoc *)&a; /* must come back NULL */
    struct sl_error err;
    char *token = (char *)&a;
    struct sl_s3_list l;
    long long t0 = now_ms();
    enum sl_result r;
    a.headers = "Content-Type: text/xml\r\n";
    a.body = bodies[i];
    a.body_len = lens[i];
    set_answer(&a);
    sl_error_clear(&err);
    r = sl_aws_query(&c, SL_SVC_IAM, "GetRole", "2010-05-08", NULL, &doc, &err);
    CU_ASSERT_EQUAL(r, SL_E_PARSE);
    CU_ASSERT_EQUAL(err.result, SL_E_PARSE);
    CU_ASSERT_PTR_NULL(doc);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "XML answer"));
    if(why[i])
      CU_ASSERT_PTR_NOT_NULL(strstr(err.message, why[i]));
    CU_ASSERT_PTR_NULL(strstr(err.message, "root:"));
    /* only the call itself reached the server: no entity was fetched */
    CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
    /* the same body as a ListObjectsV2 page: refused, no callback runs */
    memset(&l, 0, sizeof(l));
    l.on_object = never_called;
    CU_ASSERT_EQUAL(sl_s3_list_page(&c, "logs-1", &l, &token, &err), SL_E_PARSE);
    CU_ASSERT_PTR_NULL(token);
    CU_ASSERT_EQUAL(sl_mini_request_count(srv), 2);
    /* and as an error answer: the status decides the code */
    a.status = 400;
    set_answer(&a);
    CU_ASSERT_EQUAL(sl_aws_query(&c, SL_SVC_IAM, "GetRole", "2010-05-08", NULL, &doc, &err),
                    SL_E_AWS);
    CU_ASSERT_STRING_EQUAL(err.code, "BadRequest");
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not an AWS error document"));
    CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
    CU_ASSERT(now_ms() - t0 < 10000);
    free(bodies[i]);
  }
  sl_client_cleanup(&c);
}

/* One byte per second, forever: each attempt ends at the client's timeout
 * with SL_E_TIMEOUT, the timeout is retried (max_attempts 2), then the call
 * fails. Only bounds: at least one timeout's worth, well under a minute. */
static void test_trickle_times_out(void)
{
  struct sl_mini_response a = { 0 };
  struct sl_http_response resp;
  struct sl_error err;
  struct sl_client c;
  long long t0, took;
  client(&c, 2, 2000);
  a.endless = 1;
  a.body = "x";
  a.body_len = 1;
  a.stream_interval_ms = 1000;
  set_answer(&a);
  sl_http_response_init(&resp);
  t0 = now_ms();
  CU_ASSERT_EQUAL(send_json(&c, 0, &resp, &err), SL_E_TIMEOUT);
  took = now_ms() - t0;
  CU_ASSERT_EQUAL(err.result, SL_E_TIMEOUT);
  CU_ASSERT_EQUAL(err.attempts, 2);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 2);
  CU_ASSERT(took >= 2 * 1000);
  CU_ASSERT(took < 60 * 1000);
  CU_ASSERT(resp.body.len < 100);
  sl_http_response_cleanup(&resp);
  sl_client_cleanup(&c);
}

static const struct sl_test tests[] = {
  { "endless body stops at max_response", test_endless_body },
  { "10 GB Content-Length fails fast", test_huge_content_length },
  { "deep, billion-laughs and external-entity XML refused", test_pathological_xml },
  { "one byte per second ends at the timeout, retried", test_trickle_times_out },
  { NULL, NULL }
};

SL_TEST_MAIN("hostile", tests, suite_init, suite_cleanup)
