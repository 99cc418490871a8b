/* test_aws.c — AWS calls end to end against the loopback mini server:
 * retries and attempts, what goes on the wire, the JSON 1.1 and Query
 * helpers, and XML answers that must be refused. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/tree.h>

#include "harness.h"
#include "mini_server.h"
#include "common/aws/aws_internal.h"
#include "sluice.h"

#define MAX_SCRIPT 8

/* Answers in order; the last one repeats. */
static struct {
  pthread_mutex_t lock;
  struct sl_mini_response resp[MAX_SCRIPT];
  int n, next;
} script = { PTHREAD_MUTEX_INITIALIZER, { { 0 } }, 0, 0 };

static struct sl_mini_server *srv;
static struct sl_http *http;
static struct sl_creds creds = { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                 NULL, 0, "test" };

static void scripted(void *ud, const struct sl_mini_request *req, struct sl_mini_response *resp)
{
  (void)ud;
  (void)req;
  pthread_mutex_lock(&script.lock);
  if(script.n)
    *resp = script.resp[script.next < script.n ? script.next++ : script.n - 1];
  pthread_mutex_unlock(&script.lock);
}

static void set_script(int n, const struct sl_mini_response *r)
{
  pthread_mutex_lock(&script.lock);
  memcpy(script.resp, r, (size_t)n * sizeof(*r));
  script.n = n;
  script.next = 0;
  pthread_mutex_unlock(&script.lock);
  sl_mini_reset(srv);
}

static double zero_random(void *ud)
{
  (void)ud;
  return 0.0; /* backoff of 0 s: retries without waiting */
}

static void test_config(struct sl_aws_config *cfg, int max_attempts)
{
  sl_aws_config_init(cfg);
  snprintf(cfg->region, sizeof(cfg->region), "us-east-1");
  snprintf(cfg->endpoint_url, sizeof(cfg->endpoint_url), "%s", sl_mini_url(srv));
  cfg->max_attempts = max_attempts;
}

/* Captured log lines. */
static char log_lines[32][512];
static int log_n;

static void capture(void *ud, enum sl_log_level lvl, const char *line)
{
  (void)ud;
  (void)lvl;
  /* the transport's own line is not what these tests are about */
  if(!strncmp(line, "http: ", 6))
    return;
  if(log_n < 32)
    snprintf(log_lines[log_n++], sizeof(log_lines[0]), "%s", line);
}

static int suite_init(void)
{
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  unsetenv("all_proxy");
  unsetenv("ALL_PROXY");
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  srv = sl_mini_start(scripted, NULL);
  http = sl_http_new(NULL);
  return !srv || !http;
}

static int suite_cleanup(void)
{
  sl_http_free(http);
  sl_mini_stop(srv);
  return 0;
}

static const char json_ok[] = "{\"FailedPutCount\":0}";
static const char unavailable[] =
  "<Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message>"
  "</Error>";

/* A Firehose PutRecordBatch through sl_aws_send_with. */
static enum sl_result put_batch(const struct sl_aws_config *cfg, const struct sl_creds *cr,
                                const struct sl_retry_policy *retry,
                                struct sl_http_response *resp, struct sl_error *err)
{
  struct sl_headers h;
  struct sl_aws_request req;
  enum sl_result r;
  static const char body[] = "{\"DeliveryStreamName\":\"s1\",\"Records\":[]}";
  sl_headers_init(&h);
  sl_headers_add(&h, "X-Amz-Target", "Firehose_20150804.PutRecordBatch");
  memset(&req, 0, sizeof(req));
  req.svc = SL_SVC_FIREHOSE;
  req.method = "POST";
  req.path = "/";
  req.headers = &h;
  req.content_type = "application/x-amz-json-1.1";
  req.body = body;
  req.body_len = sizeof(body) - 1;
  sl_error_clear(err);
  r = sl_aws_send_with(http, cfg, cr, NULL, retry, &req, resp, err);
  sl_headers_cleanup(&h);
  return r;
}

static void test_retry_then_success(void)
{
  struct sl_mini_response rs[3] = { { 0 } };
  struct sl_aws_config cfg;
  struct sl_retry_policy p;
  struct sl_retry_quota q;
  struct sl_http_response resp;
  struct sl_error err;
  size_t i;
  rs[0].status = 503;
  rs[0].body = unavailable;
  rs[1].status = 500; /* no body at all */
  rs[2].status = 200;
  rs[2].headers = "x-amzn-RequestId: R-OK\r\n";
  rs[2].body = json_ok;
  set_script(3, rs);
  test_config(&cfg, 3);
  sl_retry_policy_init(&p, 3);
  sl_retry_quota_init(&q);
  p.random = zero_random;
  p.quota = &q;
  sl_http_response_init(&resp);
  sl_log_set_level(SL_LOG_DEBUG);
  sl_log_set_sink(capture, NULL);
  log_n = 0;
  CU_ASSERT_EQUAL(put_batch(&cfg, &creds, &p, &resp, &err), SL_OK);
  sl_log_set_sink(NULL, NULL);
  sl_log_set_level(SL_LOG_WARN);
  CU_ASSERT_EQUAL(resp.status, 200);
  CU_ASSERT_STRING_EQUAL(resp.body.data, json_ok);
  CU_ASSERT_EQUAL(err.attempts, 3);
  CU_ASSERT_EQUAL(err.result, SL_OK);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 3);
  /* Two retries took 5 each; the success gave the last 5 back. */
  CU_ASSERT_EQUAL(q.tokens, 495);
  /* Every attempt signed afresh. */
  for(i = 0; i < 3; i++) {
    const struct sl_mini_request *got = sl_mini_request_at(srv, i);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_PTR_NOT_NULL(sl_headers_get(&got->headers, "Authorization"));
    CU_ASSERT_PTR_NOT_NULL(sl_headers_get(&got->headers, "X-Amz-Date"));
  }
  /* One DEBUG line per attempt, retries at INFO. */
  CU_ASSERT_EQUAL(log_n, 5);
  CU_ASSERT_PTR_NOT_NULL(strstr(log_lines[0], "POST firehose PutRecordBatch -> 503 in "));
  CU_ASSERT_STRING_EQUAL(log_lines[1], "firehose PutRecordBatch: ServiceUnavailable (HTTP 503), "
                         "retrying in 0.00 s (attempt 2 of 3)");
  CU_ASSERT_PTR_NOT_NULL(strstr(log_lines[2], "POST firehose PutRecordBatch -> 500 in "));
  CU_ASSERT_STRING_EQUAL(log_lines[3], "firehose PutRecordBatch: InternalError (HTTP 500), "
                         "retrying in 0.00 s (attempt 3 of 3)");
  CU_ASSERT_PTR_NOT_NULL(strstr(log_lines[4], "POST firehose PutRecordBatch -> 200 in "));
  CU_ASSERT_PTR_NOT_NULL(strstr(log_lines[4], " ms, request id R-OK"));
  sl_http_response_cleanup(&resp);
}

static void test_outcomes(void)
{
  static const struct {
    const char *name;
    int status;
    const char *headers;
    const char *body;
    int close_without_reply;
    int max_attempts;
    int quota_tokens;         /* -1: no quota */
    enum sl_result want;
    int want_requests;
    const char *want_code;
  } cases[] = {
    { "no retry on ValidationException", 400, NULL,
      "{\"__type\":\"ValidationException\",\"message\":\"bad\"}", 0, 3, -1,
      SL_E_AWS, 1, "ValidationException" },
    { "max attempts honoured", 500, NULL, NULL, 0, 4, -1, SL_E_AWS, 4, "InternalError" },
    { "throttling retried", 400, "x-amzn-ErrorType: ThrottlingException:http://x/\r\n",
      "{\"message\":\"Rate exceeded\"}", 0, 3, -1, SL_E_AWS, 3, "ThrottlingException" },
    { "connection dropped retried", 0, NULL, NULL, 1, 2, -1, SL_E_NETWORK, 2, "" },
    { "403 not retried", 403, NULL, "<Error><Code>AccessDenied</Code></Error>", 0, 3, -1,
      SL_E_AWS, 1, "AccessDenied" },
    { "quota allows one retry", 503, NULL, NULL, 0, 5, 5, SL_E_AWS, 2, "ServiceUnavailable" },
    { "empty quota: no retry", 503, NULL, NULL, 0, 5, 4, SL_E_AWS, 1, "ServiceUnavailable" },
    { "one attempt configured", 503, NULL, NULL, 0, 1, -1, SL_E_AWS, 1, "ServiceUnavailable" },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_mini_response rs = { 0 };
    struct sl_aws_config cfg;
    struct sl_retry_policy p;
    struct sl_retry_quota q;
    struct sl_http_response resp;
    struct sl_error err;
    /* A fresh client: curl itself retries once when a reused connection
     * closes without answering, which would blur the counts. */
    sl_http_free(http);
    http = sl_http_new(NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(http);
    rs.status = cases[i].status;
    rs.headers = cases[i].headers;
    rs.body = cases[i].body;
    rs.close_without_reply = cases[i].close_without_reply;
    set_script(1, &rs);
    test_config(&cfg, cases[i].max_attempts);
    sl_retry_policy_init(&p, cases[i].max_attempts);
    p.random = zero_random;
    sl_retry_quota_init(&q);
    if(cases[i].quota_tokens >= 0) {
      q.tokens = cases[i].quota_tokens;
      p.quota = &q;
    }
    sl_http_response_init(&resp);
    CU_ASSERT_EQUAL(put_batch(&cfg, &creds, &p, &resp, &err), cases[i].want);
    CU_ASSERT_EQUAL(err.result, cases[i].want);
    CU_ASSERT_EQUAL(err.attempts, cases[i].want_requests);
    CU_ASSERT_EQUAL(sl_mini_request_count(srv), (size_t)cases[i].want_requests);
    CU_ASSERT_STRING_EQUAL(err.code, cases[i].want_code);
    if(err.attempts != cases[i].want_requests || strcmp(err.code, cases[i].want_code) ||
       sl_mini_request_count(srv) != (size_t)cases[i].want_requests)
      fprintf(stderr, "\n  case \"%s\": %d attempts, %zu requests, code \"%s\", %s\n",
              cases[i].name, err.attempts, sl_mini_request_count(srv), err.code, err.message);
    sl_http_response_cleanup(&resp);
  }
}

static void test_no_policy_is_one_attempt(void)
{
  struct sl_mini_response rs = { 0 };
  struct sl_aws_config cfg;
  struct sl_http_response resp;
  struct sl_error err;
  rs.status = 503;
  set_script(1, &rs);
  test_config(&cfg, 3);
  sl_http_response_init(&resp);
  CU_ASSERT_EQUAL(put_batch(&cfg, &creds, NULL, &resp, &err), SL_E_AWS);
  CU_ASSERT_EQUAL(err.attempts, 1);
  CU_ASSERT_EQUAL(err.http_status, 503);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  sl_http_response_cleanup(&resp);
}

static void test_json_request_on_the_wire(void)
{
  struct sl_mini_response rs = { 0 };
  struct sl_aws_config cfg;
  struct sl_http_response resp;
  struct sl_error err;
  const struct sl_mini_request *got;
  const char *auth;
  char host[64], cred[64];
  time_t now = time(NULL);
  struct tm tm;
  rs.body = json_ok;
  set_script(1, &rs);
  test_config(&cfg, 1);
  sl_http_response_init(&resp);
  CU_ASSERT_EQUAL(put_batch(&cfg, &creds, NULL, &resp, &err), SL_OK);
  got = sl_mini_request_at(srv, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(got);
  snprintf(host, sizeof(host), "127.0.0.1:%d", sl_mini_port(srv));
  CU_ASSERT_STRING_EQUAL(got->method, "POST");
  CU_ASSERT_STRING_EQUAL(got->target, "/");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "Host"), host);
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "Content-Type"),
                         "application/x-amz-json-1.1");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "X-Amz-Target"),
                         "Firehose_20150804.PutRecordBatch");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "User-Agent"), "sluice/" SLUICE_VERSION);
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "Content-Length"), "40");
  CU_ASSERT_STRING_EQUAL(got->body.data, "{\"DeliveryStreamName\":\"s1\",\"Records\":[]}");
  /* Not S3: no payload hash header. */
  CU_ASSERT_PTR_NULL(sl_headers_get(&got->headers, "x-amz-content-sha256"));
  auth = sl_headers_get(&got->headers, "Authorization");
  CU_ASSERT_PTR_NOT_NULL_FATAL(auth);
  gmtime_r(&now, &tm);
  strftime(cred, sizeof(cred), "AKIDEXAMPLE/%Y%m%d/us-east-1/firehose/aws4_request", &tm);
  CU_ASSERT_EQUAL(strncmp(auth, "AWS4-HMAC-SHA256 Credential=", 28), 0);
  CU_ASSERT_EQUAL(strncmp(auth + 28, cred, strlen(cred)), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(auth, "SignedHeaders="));
  CU_ASSERT_PTR_NOT_NULL(strstr(auth, "x-amz-target"));
  CU_ASSERT_EQUAL(strlen(sl_headers_get(&got->headers, "X-Amz-Date")), 16);
  sl_http_response_cleanup(&resp);
}

static void test_s3_on_the_wire(void)
{
  static const struct {
    const char *method;
    const char *bucket;
    const char *path;
    const char *query;
    int unsigned_payload;
    const char *want_target;
    const char *want_sha;
  } cases[] = {
    { "GET", "logs-1", "/", "list-type=2&prefix=a%2Fb", 0, "/logs-1?list-type=2&prefix=a%2Fb",
      SL_EMPTY_SHA256 },
    { "PUT", "logs-1", "/dir/my%20key.gz", NULL, 1, "/logs-1/dir/my%20key.gz",
      SL_UNSIGNED_PAYLOAD },
    { "HEAD", "logs-1", "/k", NULL, 0, "/logs-1/k", SL_EMPTY_SHA256 },
    { "GET", NULL, "/", NULL, 0, "/", SL_EMPTY_SHA256 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_mini_response rs = { 0 };
    struct sl_aws_config cfg;
    struct sl_aws_request req;
    struct sl_http_response resp;
    struct sl_error err;
    const struct sl_mini_request *got;
    int put = !strcmp(cases[i].method, "PUT");
    set_script(1, &rs);
    test_config(&cfg, 1);
    memset(&req, 0, sizeof(req));
    req.svc = SL_SVC_S3;
    req.method = cases[i].method;
    req.bucket = cases[i].bucket;
    req.path = cases[i].path;
    req.query = cases[i].query;
    req.unsigned_payload = cases[i].unsigned_payload;
    req.body = put ? "line1\n" : NULL;
    req.body_len = put ? 6 : 0;
    req.content_type = put ? "application/octet-stream" : NULL;
    sl_http_response_init(&resp);
    CU_ASSERT_EQUAL(sl_aws_send_with(http, &cfg, &creds, NULL, NULL, &req, &resp, &err), SL_OK);
    got = sl_mini_request_at(srv, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got->method, cases[i].method);
    CU_ASSERT_STRING_EQUAL(got->target, cases[i].want_target);
    CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "x-amz-content-sha256"),
                           cases[i].want_sha);
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_headers_get(&got->headers, "Authorization"),
                                  "/us-east-1/s3/aws4_request"));
    if(put) {
      CU_ASSERT_STRING_EQUAL(got->body.data, "line1\n");
    }
    sl_http_response_cleanup(&resp);
  }
}

static void test_unsigned_and_refused(void)
{
  struct sl_mini_response rs = { 0 };
  struct sl_aws_config cfg;
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_error err;
  set_script(1, &rs);
  test_config(&cfg, 1);
  memset(&req, 0, sizeof(req));
  req.svc = SL_SVC_STS;
  req.method = "POST";
  req.path = "/";
  req.content_type = "application/x-www-form-urlencoded; charset=utf-8";
  req.body = "Action=AssumeRoleWithWebIdentity";
  req.body_len = strlen(req.body);
  sl_http_response_init(&resp);
  /* No credentials: sent unsigned. */
  CU_ASSERT_EQUAL(sl_aws_send_with(http, &cfg, NULL, NULL, NULL, &req, &resp, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  CU_ASSERT_PTR_NULL(sl_headers_get(&sl_mini_request_at(srv, 0)->headers, "Authorization"));
  CU_ASSERT_PTR_NULL(sl_headers_get(&sl_mini_request_at(srv, 0)->headers, "X-Amz-Date"));
  /* A body without a Content-Type never leaves. */
  req.content_type = NULL;
  CU_ASSERT_EQUAL(sl_aws_send_with(http, &cfg, &creds, NULL, NULL, &req, &resp, &err),
                  SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  /* Plain http to a remote endpoint: refused by endpoint resolution. */
  snprintf(cfg.endpoint_url, sizeof(cfg.endpoint_url), "http://192.0.2.1");
  req.content_type = "text/plain";
  CU_ASSERT_NOT_EQUAL(sl_aws_send_with(http, &cfg, &creds, NULL, NULL, &req, &resp, &err),
                      SL_OK);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  sl_http_response_cleanup(&resp);
}

struct collected {
  struct sl_buf data;
};

static int collect(void *ud, const char *p, size_t n)
{
  return sl_buf_add(&((struct collected *)ud)->data, p, n) != SL_OK;
}

static void test_streaming_get(void)
{
  struct sl_mini_response rs[2] = { { 0 } };
  struct sl_aws_config cfg;
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_error err;
  struct sl_retry_policy p;
  struct collected c;
  rs[0].status = 503;
  rs[0].body = "<Error><Code>SlowDown</Code><Message>Please reduce</Message></Error>";
  rs[1].body = "object bytes";
  set_script(2, rs);
  test_config(&cfg, 2);
  sl_retry_policy_init(&p, 2);
  p.random = zero_random;
  sl_buf_init(&c.data, 1024);
  memset(&req, 0, sizeof(req));
  req.svc = SL_SVC_S3;
  req.method = "GET";
  req.bucket = "b1";
  req.path = "/k";
  req.on_body = collect;
  req.on_body_ud = &c;
  sl_http_response_init(&resp);
  /* The error document is parsed, not streamed to the consumer. */
  CU_ASSERT_EQUAL(sl_aws_send_with(http, &cfg, &creds, NULL, &p, &req, &resp, &err), SL_OK);
  CU_ASSERT_EQUAL(err.attempts, 2);
  CU_ASSERT_STRING_EQUAL(c.data.data, "object bytes");
  /* With one attempt the error is reported with its code. */
  set_script(1, rs);
  sl_buf_reset(&c.data);
  CU_ASSERT_EQUAL(sl_aws_send_with(http, &cfg, &creds, NULL, NULL, &req, &resp, &err), SL_E_AWS);
  CU_ASSERT_STRING_EQUAL(err.code, "SlowDown");
  CU_ASSERT_EQUAL(c.data.len, 0);
  sl_buf_cleanup(&c.data);
  sl_http_response_cleanup(&resp);
}

static void client_for_test(struct sl_client *c)
{
  struct sl_aws_config cfg;
  struct sl_error err;
  test_config(&cfg, 3);
  snprintf(cfg.static_access_key_id, sizeof(cfg.static_access_key_id), "AKIDEXAMPLE");
  snprintf(cfg.static_secret_access_key, sizeof(cfg.static_secret_access_key),
           "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  CU_ASSERT_EQUAL_FATAL(sl_client_init(c, &cfg, NULL, &err), SL_OK);
  /* the caller's config is left empty: the client owns it now */
  CU_ASSERT_STRING_EQUAL(cfg.static_secret_access_key, "");
  CU_ASSERT_STRING_EQUAL(cfg.region, "");
  CU_ASSERT_EQUAL(c->retry.max_attempts, 3);
  CU_ASSERT_PTR_EQUAL(c->retry.quota, &c->quota);
  c->retry.random = zero_random;
}

static void test_json_helper(void)
{
  static const struct {
    const char *body;
    int status;
    enum sl_result want;
    const char *want_json;
  } cases[] = {
    { "{\"DeliveryStreamDescription\":{\"DeliveryStreamName\":\"s1\"}}", 200, SL_OK,
      "{\"DeliveryStreamDescription\":{\"DeliveryStreamName\":\"s1\"}}" },
    { "", 200, SL_OK, "{}" },
    { " \r\n", 200, SL_OK, "{}" },
    { "{\"a\":1} trailing", 200, SL_E_PARSE, NULL },
    { "{\"a\":", 200, SL_E_PARSE, NULL },
    { "[1]", 200, SL_E_PARSE, NULL },
    { "{\"__type\":\"ResourceNotFoundException\",\"message\":\"no s9\"}", 400, SL_E_AWS, NULL },
  };
  struct sl_client c;
  size_t i;
  client_for_test(&c);
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_mini_response rs = { 0 };
    struct json_object *in = json_object_new_object(), *out = NULL;
    struct sl_error err;
    const struct sl_mini_request *got;
    rs.status = cases[i].status;
    rs.body = cases[i].body;
    set_script(1, &rs);
    json_object_object_add(in, "DeliveryStreamName", json_object_new_string("s1"));
    CU_ASSERT_EQUAL(sl_aws_json(&c, SL_SVC_FIREHOSE, "Firehose_20150804.DescribeDeliveryStream",
                                in, &out, &err), cases[i].want);
    got = sl_mini_request_at(srv, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got->body.data, "{\"DeliveryStreamName\":\"s1\"}");
    CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "X-Amz-Target"),
                           "Firehose_20150804.DescribeDeliveryStream");
    CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "Content-Type"),
                           "application/x-amz-json-1.1");
    if(cases[i].want_json) {
      CU_ASSERT_PTR_NOT_NULL_FATAL(out);
      CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN),
                             cases[i].want_json);
    }
    else {
      CU_ASSERT_PTR_NULL(out);
    }
    if(cases[i].want == SL_E_AWS) {
      CU_ASSERT_STRING_EQUAL(err.code, "ResourceNotFoundException");
      CU_ASSERT_EQUAL(err.attempts, 1);
    }
    json_object_put(in);
    json_object_put(out);
  }
  sl_client_cleanup(&c);
}

static void test_query_body(void)
{
  struct sl_headers params;
  struct sl_buf b;
  sl_headers_init(&params);
  sl_headers_add(&params, "RoleName", "my role/x");
  sl_headers_add(&params, "AssumeRolePolicyDocument", "{\"a\":\"b+c=d&e~\"}");
  sl_headers_add(&params, "Tags.member.1.Key", "ünï");
  sl_buf_init(&b, 4096);
  CU_ASSERT_EQUAL(sl_aws_query_body("CreateRole", "2010-05-08", &params, &b), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "Action=CreateRole&Version=2010-05-08&RoleName=my%20role%2Fx"
                         "&AssumeRolePolicyDocument=%7B%22a%22%3A%22b%2Bc%3Dd%26e~%22%7D"
                         "&Tags.member.1.Key=%C3%BCn%C3%AF");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_aws_query_body("GetCallerIdentity", "2011-06-15", NULL, &b), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "Action=GetCallerIdentity&Version=2011-06-15");
  sl_buf_cleanup(&b);
  sl_headers_cleanup(&params);
}

static char *deep_xml(int depth)
{
  char *s = malloc((size_t)depth * 7 + 64), *p = s;
  int i;
  if(!s)
    abort();
  for(i = 0; i < depth; i++)
    p += sprintf(p, "<a>");
  p += sprintf(p, "x");
  for(i = 0; i < depth; i++)
    p += sprintf(p, "</a>");
  return s;
}

static void test_query_helper(void)
{
  static const char good[] =
    "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n"
    "  <GetRoleResult><Role><RoleName>my role/x</RoleName>"
    "<Arn>arn:aws:iam::123456789012:role/x</Arn></Role></GetRoleResult>\n"
    "  <ResponseMetadata><RequestId>rq-1</RequestId></ResponseMetadata>\n"
    "</GetRoleResponse>\n";
  static const char bomb[] =
    "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
    " <!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
    "]>\n<GetRoleResponse><RoleName>&lol3;</RoleName></GetRoleResponse>";
  static const char xxe[] =
    "<?xml version=\"1.0\"?><!doctype r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
    "<r>&x;</r>";
  char *deep = deep_xml(65);
  struct {
    const char *body;
    enum sl_result want;
    const char *want_msg;
  } cases[] = {
    { good, SL_OK, NULL },
    { bomb, SL_E_PARSE, "XML answer refused: it has a DOCTYPE (possible entity attack)" },
    { xxe, SL_E_PARSE, "XML answer refused: it has a DOCTYPE (possible entity attack)" },
    { deep, SL_E_PARSE, "XML answer refused: nested deeper than 64 levels" },
    { "<GetRoleResponse><Role>", SL_E_PARSE, NULL },
    { "", SL_E_PARSE, "empty XML document" },
  };
  struct sl_client c;
  struct sl_headers params;
  size_t i;
  client_for_test(&c);
  sl_headers_init(&params);
  sl_headers_add(&params, "RoleName", "my role/x");
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_mini_response rs = { 0 };
    struct _xmlDoc *doc = NULL;
    struct sl_error err;
    const struct sl_mini_request *got;
    rs.body = cases[i].body;
    set_script(1, &rs);
    CU_ASSERT_EQUAL(sl_aws_query(&c, SL_SVC_IAM, "GetRole", "2010-05-08", &params, &doc, &err),
                    cases[i].want);
    got = sl_mini_request_at(srv, 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    CU_ASSERT_STRING_EQUAL(got->body.data,
                           "Action=GetRole&Version=2010-05-08&RoleName=my%20role%2Fx");
    CU_ASSERT_STRING_EQUAL(sl_headers_get(&got->headers, "Content-Type"),
                           "application/x-www-form-urlencoded; charset=utf-8");
    CU_ASSERT_PTR_NOT_NULL(strstr(sl_headers_get(&got->headers, "Authorization"),
                                  "/us-east-1/iam/aws4_request"));
    if(!cases[i].want) {
      char *name, *arn, *rid, *none;
      CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
      name = sl_xml_find_text(doc, "RoleName");
      arn = sl_xml_find_text(doc, "Arn");
      rid = sl_xml_find_text(xmlDocGetRootElement(doc), "RequestId");
      none = sl_xml_find_text(doc, "Nothing");
      CU_ASSERT_STRING_EQUAL(name, "my role/x");
      CU_ASSERT_STRING_EQUAL(arn, "arn:aws:iam::123456789012:role/x");
      CU_ASSERT_STRING_EQUAL(rid, "rq-1");
      CU_ASSERT_PTR_NULL(none);
      xmlFree(name);
      xmlFree(arn);
      xmlFree(rid);
      xmlFreeDoc(doc);
    }
    else {
      CU_ASSERT_PTR_NULL(doc);
      CU_ASSERT_EQUAL(err.result, cases[i].want);
      if(cases[i].want_msg) {
        CU_ASSERT_STRING_EQUAL(err.message, cases[i].want_msg);
      }
    }
  }
  sl_headers_cleanup(&params);
  sl_client_cleanup(&c);
  free(deep);
}

static void test_xml_depth_bound(void)
{
  static const struct {
    int depth;
    int ok;
  } cases[] = { { 1, 1 }, { 63, 1 }, { 64, 1 }, { 65, 0 }, { 300, 0 }, { 20000, 0 } };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char *x = deep_xml(cases[i].depth);
    struct sl_error err;
    struct _xmlDoc *doc;
    sl_error_clear(&err);
    doc = sl_xml_parse(x, strlen(x), &err);
    CU_ASSERT_EQUAL(doc != NULL, cases[i].ok);
    if(!doc) {
      CU_ASSERT_EQUAL(err.result, SL_E_PARSE);
    }
    xmlFreeDoc(doc);
    free(x);
  }
}

static void test_xml_find_text_namespaces(void)
{
  static const char x[] =
    "<s:Envelope xmlns:s=\"urn:s\"><s:Body><Code>C1</Code><b:Code xmlns:b=\"urn:b\">C2</b:Code>"
    "<Message><![CDATA[a <b> c]]></Message></s:Body></s:Envelope>";
  struct _xmlDoc *doc = sl_xml_parse(x, sizeof(x) - 1, NULL);
  char *t;
  CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
  t = sl_xml_find_text(doc, "Code");
  CU_ASSERT_STRING_EQUAL(t, "C1");
  xmlFree(t);
  t = sl_xml_find_text(doc, "Body"); /* a prefixed element by its local name */
  CU_ASSERT_STRING_EQUAL(t, "C1C2a <b> c");
  xmlFree(t);
  t = sl_xml_find_text(doc, "Message");
  CU_ASSERT_STRING_EQUAL(t, "a <b> c");
  xmlFree(t);
  t = sl_xml_find_text(doc, "Envelope"); /* the root counts from a document */
  CU_ASSERT_PTR_NOT_NULL(t);
  xmlFree(t);
  t = sl_xml_find_text(xmlDocGetRootElement(doc), "Envelope"); /* below a node: not itself */
  CU_ASSERT_PTR_NULL(t);
  CU_ASSERT_PTR_NULL(sl_xml_find_text(NULL, "Code"));
  xmlFreeDoc(doc);
}

static const struct sl_test tests[] = {
  { "503 and 500 retried, then success", test_retry_then_success },
  { "retry outcomes and attempts", test_outcomes },
  { "no policy: one attempt", test_no_policy_is_one_attempt },
  { "JSON request on the wire", test_json_request_on_the_wire },
  { "S3 requests on the wire", test_s3_on_the_wire },
  { "unsigned and refused requests", test_unsigned_and_refused },
  { "streaming GET with an error first", test_streaming_get },
  { "sl_aws_json", test_json_helper },
  { "sl_aws_query_body encoding", test_query_body },
  { "sl_aws_query and hostile XML", test_query_helper },
  { "XML depth bound", test_xml_depth_bound },
  { "sl_xml_find_text", test_xml_find_text_namespaces },
  { NULL, NULL }
};

SL_TEST_MAIN("aws", tests, suite_init, suite_cleanup)
