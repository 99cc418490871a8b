/* test_send.c — the send engine against a scripted loopback service: how
 * records are split into requests (count and bytes, exact edges), what goes
 * on the wire (delimiter), which entries are resent after a partial
 * failure, whole-request retries and lost answers (duplicates possible),
 * the dead-letter file, per-key order with several workers, and the
 * reports' exact text. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <math.h>

#include <json-c/json.h>

#include "harness.h"
#include "mini_server.h"
#include "common/aws/aws_internal.h"
#include "sluice.h"
#include "sluice/send.h"
#include "provision/send/send_outcome.h"

#define MAX_REQ 64
#define MAX_SEEN 4096
#define MAX_BODIES 4096

/* What the fake service saw and how it answers. */
static struct {
  pthread_mutex_t lock;
  int nreq;
  int nrec[MAX_REQ];          /* records per request */
  size_t bytes[MAX_REQ];      /* decoded data bytes per request */
  char first[MAX_REQ][32];    /* first record of each request (decoded, cut) */
  char all[MAX_REQ][256];     /* small requests: records joined with '|' */
  int kinesis;
  int fail_first_F;           /* records starting with 'F' fail the first time */
  int always_fail_X;          /* records starting with 'X' always fail */
  int broken;                 /* the first `broken` requests get broken_status / no reply */
  int broken_status;          /* 0: close without reply */
  int drop_at;                /* request number drop_at - 1 is read, then the connection
                               * closed without a reply (0: none) */
  char *seen[MAX_SEEN];
  int nseen;
  char *bodies[MAX_BODIES];    /* every answer, freed when the suite ends */
  int nbodies;
  /* order check: last number seen per key "A".."D" */
  long last[4];
  int out_of_order;
} fake = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct sl_mini_server *srv;

static int seen_before(const char *d)
{
  int i;
  for(i = 0; i < fake.nseen; i++)
    if(!strcmp(fake.seen[i], d))
      return 1;
  if(fake.nseen < MAX_SEEN)
    fake.seen[fake.nseen++] = strdup(d);
  return 0;
}

static void handler(void *ud, const struct sl_mini_request *req, struct sl_mini_response *resp)
{
  struct json_object *in, *recs;
  struct sl_buf out, dec;
  size_t i, n, failed = 0;
  int k;
  (void)ud;
  pthread_mutex_lock(&fake.lock);
  k = fake.nreq++;
  if(k < fake.broken || k + 1 == fake.drop_at) {
    if(fake.broken_status) {
      resp->status = fake.broken_status;
      resp->headers = "Content-Type: application/x-amz-json-1.1\r\n";
      resp->body = fake.broken_status == 400 ?
                   "{\"__type\":\"ValidationException\",\"message\":\"bad\"}" :
                   fake.broken_status == 200 ? "<html><body>Bad Gateway</body></html>" :
                   "{\"__type\":\"ServiceUnavailableException\",\"message\":\"busy\"}";
    }
    else
      resp->close_without_reply = 1;
    pthread_mutex_unlock(&fake.lock);
    return;
  }
  in = json_tokener_parse(req->body.data);
  json_object_object_get_ex(in, "Records", &recs);
  n = json_object_array_length(recs);
  sl_buf_init(&out, 1 << 20);
  sl_buf_init(&dec, 2 << 20);
  sl_buf_printf(&out, "{\"%s\":[", fake.kinesis ? "Records" : "RequestResponses");
  if(k < MAX_REQ) {
    fake.nrec[k] = (int)n;
    fake.bytes[k] = 0;
    fake.all[k][0] = 0;
  }
  for(i = 0; i < n; i++) {
    struct json_object *r = json_object_array_get_idx(recs, i), *d;
    int fail;
    json_object_object_get_ex(r, "Data", &d);
    sl_buf_reset(&dec);
    sl_base64_decode(json_object_get_string(d), (size_t)json_object_get_string_len(d), &dec);
    if(k < MAX_REQ) {
      fake.bytes[k] += dec.len;
      if(!i)
        snprintf(fake.first[k], sizeof(fake.first[k]), "%.31s", dec.data);
      if(strlen(fake.all[k]) + dec.len + 2 < sizeof(fake.all[k])) {
        if(i)
          strcat(fake.all[k], "|");
        strncat(fake.all[k], dec.data, dec.len);
      }
    }
    fail = (fake.always_fail_X && dec.len && dec.data[0] == 'X') ||
           (fake.fail_first_F && dec.len && dec.data[0] == 'F' && !seen_before(dec.data));
    /* {"k":"A","n":17}: per key, n must grow */
    if(!fail && dec.len > 13 && !strncmp(dec.data, "{\"k\":\"", 6) && dec.data[6] >= 'A' &&
       dec.data[6] <= 'D') {
      long v = atol(dec.data + 13);
      if(v <= fake.last[dec.data[6] - 'A'])
        fake.out_of_order++;
      fake.last[dec.data[6] - 'A'] = v;
    }
    if(fail) {
      failed++;
      sl_buf_printf(&out, "%s{\"ErrorCode\":\"%s\",\"ErrorMessage\":\"Slow down.\"}", i ? "," : "",
                    fake.kinesis ? "ProvisionedThroughputExceededException" :
                                   "ServiceUnavailableException");
    }
    else if(fake.kinesis)
      sl_buf_printf(&out, "%s{\"SequenceNumber\":\"%zu\",\"ShardId\":\"shardId-000000000000\"}",
                    i ? "," : "", i);
    else
      sl_buf_printf(&out, "%s{\"RecordId\":\"id-%zu\"}", i ? "," : "", i);
  }
  sl_buf_printf(&out, "],\"%s\":%zu}", fake.kinesis ? "FailedRecordCount" : "FailedPutCount",
                failed);
  json_object_put(in);
  sl_buf_cleanup(&dec);
  resp->headers = "Content-Type: application/x-amz-json-1.1\r\n";
  if(fake.nbodies < MAX_BODIES)
    resp->body = fake.bodies[fake.nbodies++] = sl_buf_steal(&out);
  else
    resp->close_without_reply = 1; /* more answers than a test makes: fail loudly */
  sl_buf_cleanup(&out); /* steal leaves a fresh buffer behind */
  pthread_mutex_unlock(&fake.lock);
}

static void reset_fake(int kinesis)
{
  int i;
  pthread_mutex_lock(&fake.lock);
  for(i = 0; i < fake.nseen; i++)
    free(fake.seen[i]);
  memset(fake.nrec, 0, sizeof(fake.nrec));
  memset(fake.last, 0, sizeof(fake.last));
  fake.nreq = fake.nseen = fake.out_of_order = 0;
  fake.kinesis = kinesis;
  fake.fail_first_F = fake.always_fail_X = fake.broken = fake.broken_status = 0;
  fake.drop_at = 0;
  pthread_mutex_unlock(&fake.lock);
}

static double zero_random(void *ud)
{
  (void)ud;
  return 0.0;
}

static void config(struct sl_aws_config *cfg)
{
  sl_aws_config_init(cfg);
  snprintf(cfg->region, sizeof(cfg->region), "us-east-1");
  snprintf(cfg->endpoint_url, sizeof(cfg->endpoint_url), "%s", sl_mini_url(srv));
  snprintf(cfg->static_access_key_id, sizeof(cfg->static_access_key_id), "AKIDEXAMPLE");
  snprintf(cfg->static_secret_access_key, sizeof(cfg->static_secret_access_key), "secret");
  cfg->max_attempts = 3;
}

static struct sl_client client;

static int suite_init(void)
{
  struct sl_aws_config cfg;
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  srv = sl_mini_start(handler, NULL);
  if(!srv)
    return 1;
  config(&cfg);
  if(sl_client_init(&client, &cfg, NULL, NULL))
    return 1;
  client.retry.random = zero_random; /* whole-request retries without waiting */
  return 0;
}

static int suite_cleanup(void)
{
  int i;
  reset_fake(0);
  sl_client_cleanup(&client);
  sl_mini_stop(srv);
  /* Answers are freed only now: a server thread may still be in send()
   * with one after the client has read it all. */
  for(i = 0; i < fake.nbodies; i++)
    free(fake.bodies[i]);
  return 0;
}

static struct sl_send_options fast_options(void)
{
  struct sl_send_options o;
  sl_send_options_init(&o);
  o.newline = 0;
  o.retry_base_s = 0.001;
  return o;
}

static void test_split_by_count(void)
{
  static char data[501][8];
  struct sl_view v[501];
  struct sl_send_result res;
  struct sl_error err;
  size_t i;
  reset_fake(0);
  for(i = 0; i < 501; i++) {
    snprintf(data[i], sizeof(data[i]), "r%zu", i);
    v[i] = sl_view_of(data[i]);
  }
  sl_send_result_init(&res);
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 501, NULL, &res, &err), SL_OK);
  CU_ASSERT_EQUAL_FATAL(fake.nreq, 2);
  CU_ASSERT_EQUAL(fake.nrec[0], 500);
  CU_ASSERT_EQUAL(fake.nrec[1], 1);
  CU_ASSERT_STRING_EQUAL(fake.first[1], "r500");
  CU_ASSERT_EQUAL(res.total, 501);
  CU_ASSERT_EQUAL(res.delivered, 501);
  CU_ASSERT_EQUAL(res.failed, 0);
  CU_ASSERT_EQUAL(res.requests, 2);
  CU_ASSERT_EQUAL(res.retried, 0);
  sl_send_result_cleanup(&res);
  /* exactly 500: one request */
  reset_fake(0);
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 500, NULL, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(fake.nreq, 1);
  sl_send_result_cleanup(&res);
}

/* n records of the given sizes in one call; returns the requests made. */
static int send_sizes(int kinesis, const size_t *sizes, size_t n, const char *key,
                      long request_bytes)
{
  static char big[1048576];
  struct sl_view v[8];
  struct sl_send_options o = fast_options();
  struct sl_send_result res;
  struct sl_error err;
  size_t i;
  enum sl_result r;
  memset(big, 'b', sizeof(big));
  for(i = 0; i < n; i++) {
    v[i].p = big;
    v[i].len = sizes[i];
  }
  reset_fake(kinesis);
  o.kinesis_request_bytes = request_bytes;
  sl_send_result_init(&res);
  sl_error_clear(&err);
  r = kinesis ? sl_send_kinesis(&client, "s1", v, n, key, &o, &res, &err) :
                sl_send_firehose_batch(&client, "s1", v, n, &o, &res, &err);
  CU_ASSERT_EQUAL(r, SL_OK);
  CU_ASSERT_EQUAL(res.delivered, n);
  sl_send_result_cleanup(&res);
  return fake.nreq;
}

static void test_split_by_bytes(void)
{
  /* Firehose: 4 MiB exactly in one request; one byte more makes two. */
  size_t fh_exact[] = { 1000000, 1000000, 1000000, 1000000, 194304 };
  size_t fh_over[] = { 1000000, 1000000, 1000000, 1000000, 194305 };
  /* Kinesis: data + key "pk" counted; 5 x 1,048,576 = 5 MiB. */
  size_t kin_exact[] = { 1048574, 1048574, 1048574, 1048574, 1048574 };
  size_t kin_over[] = { 1048574, 1048574, 1048574, 1048574, 1048574, 1 };
  size_t kin_ten[] = { 1048574, 1048574, 1048574, 1048574, 1048574, 1048574, 1048574, 1048574 };
  CU_ASSERT_EQUAL(send_sizes(0, fh_exact, 5, NULL, 0), 1);
  CU_ASSERT_EQUAL(fake.bytes[0], 4194304);
  CU_ASSERT_EQUAL(send_sizes(0, fh_over, 5, NULL, 0), 2);
  CU_ASSERT_EQUAL(fake.nrec[0], 4);
  CU_ASSERT_EQUAL(fake.bytes[1], 194305);
  CU_ASSERT_EQUAL(send_sizes(1, kin_exact, 5, "pk", 0), 1);
  CU_ASSERT_EQUAL(send_sizes(1, kin_over, 6, "pk", 0), 2);
  CU_ASSERT_EQUAL(fake.nrec[1], 1);
  /* a 10 MiB bound takes all 8 (8 MiB) in one request */
  CU_ASSERT_EQUAL(send_sizes(1, kin_ten, 8, "pk", 10485760), 1);
  CU_ASSERT_EQUAL(send_sizes(1, kin_ten, 8, "pk", 0), 2);
}

static void test_over_limit_nothing_sent(void)
{
  static char big[1048577];
  struct sl_view v[3] = { { "a", 1 }, { big, 1024001 }, { "c", 1 } };
  struct sl_send_result res;
  struct sl_error err;
  reset_fake(0);
  sl_send_result_init(&res);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, NULL, &res, &err), SL_E_TOO_LARGE);
  CU_ASSERT_STRING_EQUAL(err.message, "record 2: record of 1024001 bytes is over Firehose's "
                         "1,000 KiB limit (1,024,000 bytes)");
  CU_ASSERT_EQUAL(fake.nreq, 0);
  v[1].len = 1024000;
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, NULL, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(fake.nreq, 1);
  /* Kinesis: 1 MiB of data + a 1-byte key is one byte over */
  reset_fake(1);
  v[1].len = 1048576;
  CU_ASSERT_EQUAL(sl_send_kinesis(&client, "s1", v, 3, "k", NULL, &res, &err), SL_E_TOO_LARGE);
  CU_ASSERT_STRING_EQUAL(err.message, "record 2: record of 1048577 bytes is over Kinesis's 1 MiB "
                         "limit (data + partition key)");
  v[1].len = 1048575;
  CU_ASSERT_EQUAL(sl_send_kinesis(&client, "s1", v, 3, "k", NULL, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(fake.nreq, 1);
  CU_ASSERT_EQUAL(res.delivered, 3);
  sl_send_result_cleanup(&res);
}

static void test_delimiter(void)
{
  struct sl_view v[3] = { { "a", 1 }, { "b\n", 2 }, { "c\r", 2 } };
  struct sl_send_options o = fast_options();
  struct sl_send_result res;
  struct sl_error err;
  sl_send_result_init(&res);
  reset_fake(0);
  o.newline = 1;
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, &o, &res, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(fake.all[0], "a\n|b\n|c\r\n");
  CU_ASSERT_EQUAL(res.bytes, 7);
  reset_fake(0);
  o.newline = 0;
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, &o, &res, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(fake.all[0], "a|b\n|c\r");
  CU_ASSERT_EQUAL(res.bytes, 5);
  sl_send_result_cleanup(&res);
}

static void test_partial_failure_resends_only_failed(void)
{
  struct sl_view v[4] = { { "F1", 2 }, { "ok1", 3 }, { "F2", 2 }, { "ok2", 3 } };
  struct sl_send_options o = fast_options();
  struct sl_send_result res;
  struct sl_error err;
  int kin;
  for(kin = 0; kin < 2; kin++) {
    sl_send_result_init(&res);
    reset_fake(kin);
    fake.fail_first_F = 1;
    CU_ASSERT_EQUAL(kin ? sl_send_kinesis(&client, "s1", v, 4, NULL, &o, &res, &err) :
                          sl_send_firehose_batch(&client, "s1", v, 4, &o, &res, &err), SL_OK);
    CU_ASSERT_EQUAL_FATAL(fake.nreq, 2);
    CU_ASSERT_STRING_EQUAL(fake.all[0], "F1|ok1|F2|ok2");
    CU_ASSERT_STRING_EQUAL(fake.all[1], "F1|F2");
    CU_ASSERT_EQUAL(res.delivered, 4);
    CU_ASSERT_EQUAL(res.retried, 2);
    CU_ASSERT_EQUAL(res.requests, 2);
    CU_ASSERT_EQUAL(res.request_retries, 0);
    CU_ASSERT_EQUAL(res.duplicates_possible, 0);
    CU_ASSERT_EQUAL(res.failed, 0);
    sl_send_result_cleanup(&res);
  }
}

static void test_dead_letter(void)
{
  struct sl_view v[3] = { { "X1", 2 }, { "ok", 2 }, { "X\"2", 3 } };
  struct sl_send_options o = fast_options();
  struct sl_send_result res;
  struct sl_error err;
  struct stat st;
  char path[512], *text;
  snprintf(path, sizeof(path), "%s/dead.jsonl", sl_test_tmpdir());
  reset_fake(0);
  fake.always_fail_X = 1;
  o.max_attempts = 2;
  o.dead_letter = path;
  sl_send_result_init(&res);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, &o, &res, &err), SL_E_AWS);
  CU_ASSERT_STRING_EQUAL(err.code, "ServiceUnavailableException");
  CU_ASSERT_STRING_EQUAL(err.message, "record 1: Slow down. (2 attempts); 2 of 3 records failed");
  CU_ASSERT_EQUAL(fake.nreq, 2);
  CU_ASSERT_STRING_EQUAL(fake.all[1], "X1|X\"2");
  CU_ASSERT_EQUAL(res.failed, 2);
  CU_ASSERT_EQUAL(res.delivered, 1);
  CU_ASSERT_EQUAL_FATAL(res.nfailures, 2);
  CU_ASSERT_EQUAL(res.failures[1].attempts, 2);
  CU_ASSERT_EQUAL(res.failures[1].len, 3);
  CU_ASSERT_EQUAL(memcmp(res.failures[1].data, "X\"2", 3), 0);
  CU_ASSERT_STRING_EQUAL(res.failures[1].where, "record 3");
  CU_ASSERT_EQUAL(stat(path, &st), 0);
  CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
  text = sl_test_read_file(path, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  CU_ASSERT_STRING_EQUAL(text,
    "{\"record\":\"WDE=\",\"stream\":\"s1\",\"error_code\":\"ServiceUnavailableException\","
    "\"error_message\":\"Slow down.\",\"attempts\":2,\"source\":\"record 1\",\"index\":0,"
    "\"bytes\":2}\n"
    "{\"record\":\"WCIy\",\"stream\":\"s1\",\"error_code\":\"ServiceUnavailableException\","
    "\"error_message\":\"Slow down.\",\"attempts\":2,\"source\":\"record 3\",\"index\":2,"
    "\"bytes\":3}\n");
  free(text);
  sl_send_result_cleanup(&res);
}

/* Input refused while read: a record over the limit and kept (its bytes
 * as they would be sent), one over the limit that was only measured, and
 * one not even measured. Each line names the record: source, index, size. */
static void test_dead_letter_refused(void)
{
  struct sl_send_options o = fast_options();
  struct sl_send_result res;
  struct sl_sender *s = NULL;
  struct sl_error err;
  char path[512], *text, *big = malloc(1024001);
  struct sl_send_where w1 = { "stdin", 1, SL_WHERE_LINE }, w2 = { "stdin", 42, SL_WHERE_LINE },
                       w3 = { "in.json", 120, SL_WHERE_OFFSET }, w4 = { "stdin", 43, SL_WHERE_LINE };
  CU_ASSERT_PTR_NOT_NULL_FATAL(big);
  memset(big, 'x', 1024001);
  snprintf(path, sizeof(path), "%s/refused.jsonl", sl_test_tmpdir());
  unlink(path);
  reset_fake(0);
  o.dead_letter = path;
  o.concurrency = 0;
  o.target = SL_SEND_FIREHOSE;
  o.stream = "s1";
  sl_send_result_init(&res);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, NULL, NULL, &client, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_add(s, "a", 1, &w1, &err), SL_OK);
  sl_sender_reject(s, &w2, 1048577, "RecordTooLarge", "too big", "measured, not kept");
  sl_sender_reject(s, &w3, 0, "RecordTooLarge", "too big", "not measured");
  CU_ASSERT_EQUAL(sl_sender_add(s, big, 1024001, &w4, &err), SL_E_TOO_LARGE);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  sl_sender_free(s);
  CU_ASSERT_EQUAL(res.total, 4);
  CU_ASSERT_EQUAL(res.delivered, 1);
  CU_ASSERT_EQUAL(res.failed, 3);
  CU_ASSERT_EQUAL(res.rejected, 3);
  text = sl_test_read_file(path, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  /* the kept one: its line is long (base64 of 1,024,001 bytes); check its ends */
  {
    const char *third = strstr(text, "\n{\"record\":null,\"stream\":\"s1\",\"error_code\":"
                               "\"RecordTooLarge\",\"error_message\":\"too big\",\"attempts\":0,"
                               "\"source\":\"in.json: byte 120\",\"index\":2,\"bytes\":null,"
                               "\"reason\":\"not measured\"}\n{\"record\":\"eHh4");
    const char *end = strstr(text, "\",\"stream\":\"s1\",\"error_code\":\"RecordTooLarge\","
                             "\"error_message\":\"stdin:43: record of 1024001 bytes is over "
                             "Firehose's 1,000 KiB limit (1,024,000 bytes)\",\"attempts\":0,"
                             "\"source\":\"stdin:43\",\"index\":3,\"bytes\":1024001}\n");
    static const char first[] = "{\"record\":null,\"stream\":\"s1\",\"error_code\":"
      "\"RecordTooLarge\",\"error_message\":\"too big\",\"attempts\":0,\"source\":"
      "\"stdin:42\",\"index\":1,\"bytes\":1048577,\"reason\":\"measured, not kept\"}\n";
    CU_ASSERT_EQUAL(strncmp(text, first, strlen(first)), 0);
    CU_ASSERT_PTR_NOT_NULL(third);
    CU_ASSERT_PTR_NOT_NULL(end);
    CU_ASSERT(end && end[strlen(end) - 1] == '\n' && !strchr(end, '\n')[1]);
  }
  free(text);
  free(big);
  sl_send_result_cleanup(&res);
}

struct heard {
  int n, interrupted, maybe;
  char code[32];
};

static void hear(void *ud, const struct sl_send_record *r)
{
  struct heard *h = ud;
  h->n++;
  if(r->status == SL_SEND_INTERRUPTED) {
    h->interrupted++;
    h->maybe += r->maybe_stored;
    snprintf(h->code, sizeof(h->code), "%s", r->error_code);
  }
}

/* Aggregated: three records go as one Firehose record; accepted, each is
 * told with the carrier's id; refused, each is its own dead letter. */
static void test_aggregated(void)
{
  struct sl_send_where w = { "in.txt", 1, SL_WHERE_LINE };
  struct sl_send_options o = fast_options();
  struct sl_send_result res;
  struct sl_sender *s = NULL;
  struct sl_error err;
  struct heard h = { 0, 0, 0, "" };
  char path[512], *text;
  int fail;
  snprintf(path, sizeof(path), "%s/aggregated.jsonl", sl_test_tmpdir());
  for(fail = 0; fail < 2; fail++) {
    unlink(path);
    reset_fake(0);
    fake.always_fail_X = fail;
    o.newline = 1;
    o.aggregate = 1;
    o.concurrency = 0;
    o.max_attempts = 2;
    o.dead_letter = path;
    o.target = SL_SEND_FIREHOSE;
    o.stream = "s1";
    o.on_result = hear;
    o.on_result_ud = &h;
    sl_send_result_init(&res);
    sl_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, NULL, NULL, &client, &err), SL_OK);
    CU_ASSERT_EQUAL(sl_sender_add(s, "X1", 2, &w, &err), SL_OK);
    w.pos = 2;
    CU_ASSERT_EQUAL(sl_sender_add(s, "ok", 2, &w, &err), SL_OK);
    w.pos = 3;
    CU_ASSERT_EQUAL(sl_sender_add(s, "X2", 2, &w, &err), SL_OK);
    w.pos = 1;
    CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
    sl_sender_free(s);
    s = NULL;
    CU_ASSERT_EQUAL(fake.nreq, fail ? 2 : 1);
    CU_ASSERT_EQUAL(fake.nrec[0], 1);
    CU_ASSERT_STRING_EQUAL(fake.all[0], "X1\nok\nX2\n");
    CU_ASSERT_EQUAL(res.total, 3);
    CU_ASSERT_EQUAL(res.delivered, fail ? 0 : 3);
    CU_ASSERT_EQUAL(res.failed, fail ? 3 : 0);
    CU_ASSERT_EQUAL(res.service_records, fail ? 0 : 1);
    CU_ASSERT_EQUAL(res.billed_bytes, fail ? 0 : 5120);
    CU_ASSERT_EQUAL(res.aggregated_records, 0);
    CU_ASSERT_EQUAL(res.retried, fail ? 3 : 0);
    CU_ASSERT_EQUAL(h.n, 3 * (fail + 1));
    text = sl_test_read_file(path, NULL);
    if(fail) {
      CU_ASSERT_PTR_NOT_NULL_FATAL(text);
      CU_ASSERT_STRING_EQUAL(text,
        "{\"record\":\"WDEK\",\"stream\":\"s1\",\"error_code\":\"ServiceUnavailableException\","
        "\"error_message\":\"Slow down.\",\"attempts\":2,\"source\":\"in.txt:1\",\"index\":0,"
        "\"bytes\":3}\n"
        "{\"record\":\"b2sK\",\"stream\":\"s1\",\"error_code\":\"ServiceUnavailableException\","
        "\"error_message\":\"Slow down.\",\"attempts\":2,\"source\":\"in.txt:2\",\"index\":1,"
        "\"bytes\":3}\n"
        "{\"record\":\"WDIK\",\"stream\":\"s1\",\"error_code\":\"ServiceUnavailableException\","
        "\"error_message\":\"Slow down.\",\"attempts\":2,\"source\":\"in.txt:3\",\"index\":2,"
        "\"bytes\":3}\n");
    }
    else {
      CU_ASSERT_TRUE(!text || !*text);
    }
    free(text);
    sl_send_result_cleanup(&res);
  }
  /* Without aggregation the estimate says what it would have sent. */
  reset_fake(0);
  o.aggregate = 0;
  o.dead_letter = NULL;
  o.on_result = NULL;
  sl_send_result_init(&res);
  CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, NULL, NULL, &client, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_add(s, "a", 1, &w, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_add(s, "b", 1, &w, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  sl_sender_free(s);
  CU_ASSERT_EQUAL(res.service_records, 2);
  CU_ASSERT_EQUAL(res.billed_bytes, 10240);
  CU_ASSERT_EQUAL(res.aggregated_records, 1);
  CU_ASSERT_EQUAL(res.aggregated_billed_bytes, 5120);
  sl_send_result_cleanup(&res);
  /* Kinesis: two records, two PUT units; one KPL carrier would be one */
  reset_fake(1);
  o.target = SL_SEND_KINESIS;
  o.partition_key = "k";
  sl_send_result_init(&res);
  CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, NULL, NULL, &client, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_add(s, "a", 1, &w, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_add(s, "b", 1, &w, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  sl_sender_free(s);
  CU_ASSERT_EQUAL(res.service_records, 2);
  CU_ASSERT_EQUAL(res.put_units, 2);
  CU_ASSERT_EQUAL(res.billed_bytes, 2 * 25600);
  CU_ASSERT_EQUAL(res.aggregated_records, 1);
  CU_ASSERT_EQUAL(res.aggregated_billed_bytes, 25600);
  {
    struct sl_buf t;
    sl_buf_init(&t, 4096);
    CU_ASSERT_EQUAL(sl_send_report_text(&res, "s1", NULL, &t), SL_OK);
    CU_ASSERT_PTR_NOT_NULL(strstr(t.data, "\nbilled: 2 Kinesis records, 2 PUT payload units (25 KB "
                                          "each); with --aggregate: about 1 records, 1 units\n"));
    sl_buf_cleanup(&t);
  }
  sl_send_result_cleanup(&res);
  o.partition_key = NULL;
}

/* After sl_interrupt no request goes out: what is left is Interrupted,
 * dead-lettered (so not lost), or with leave_interrupted handed back
 * unsettled, neither failed nor dead-lettered. */
static void test_interrupted(void)
{
  struct sl_send_where w = { "in.txt", 1, SL_WHERE_LINE };
  struct sl_send_options o = fast_options();
  struct sl_send_result res;
  struct sl_sender *s = NULL;
  struct sl_error err;
  char path[512], *text;
  int leave;
  snprintf(path, sizeof(path), "%s/interrupted.jsonl", sl_test_tmpdir());
  for(leave = 0; leave < 2; leave++) {
    struct heard h = { 0, 0, 0, "" };
    unlink(path);
    reset_fake(0);
    o.dead_letter = path;
    o.batch_size = 2;
    o.target = SL_SEND_FIREHOSE;
    o.stream = "s1";
    o.leave_interrupted = leave;
    o.concurrency = 0;
    o.on_result = hear;
    o.on_result_ud = &h;
    sl_send_result_init(&res);
    sl_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, NULL, NULL, &client, &err), SL_OK);
    CU_ASSERT_EQUAL(sl_sender_add(s, "a", 1, &w, &err), SL_OK);
    CU_ASSERT_EQUAL(sl_sender_add(s, "b", 1, &w, &err), SL_OK);
    CU_ASSERT_EQUAL(sl_sender_add(s, "c", 1, &w, &err), SL_OK); /* sends a|b */
    sl_interrupt(SIGINT);
    CU_ASSERT_EQUAL(sl_sender_add(s, "d", 1, &w, &err), SL_OK);
    CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
    sl_interrupt_reset();
    sl_sender_free(s);
    s = NULL;
    CU_ASSERT_EQUAL(fake.nreq, 1);
    CU_ASSERT_STRING_EQUAL(fake.all[0], "a|b");
    CU_ASSERT_EQUAL(res.total, 4);
    CU_ASSERT_EQUAL(res.delivered, 2);
    CU_ASSERT_EQUAL(res.interrupted, 2);
    CU_ASSERT_EQUAL(res.failed, leave ? 0 : 2);
    CU_ASSERT_EQUAL(res.requests, 1);
    CU_ASSERT_EQUAL(res.requests_unanswered, 0);
    CU_ASSERT_EQUAL(h.n, 4);
    CU_ASSERT_EQUAL(h.interrupted, leave ? 2 : 0);
    CU_ASSERT_EQUAL(h.maybe, 0);
    CU_ASSERT_STRING_EQUAL(h.code, leave ? "Interrupted" : "");
    text = sl_test_read_file(path, NULL);
    if(leave) {
      CU_ASSERT_TRUE(!text || !*text);
    }
    else {
      CU_ASSERT_PTR_NOT_NULL_FATAL(text);
      CU_ASSERT_STRING_EQUAL(text,
        "{\"record\":\"Yw==\",\"stream\":\"s1\",\"error_code\":\"Interrupted\",\"error_message\":"
        "\"not sent: the send was interrupted\",\"attempts\":0,\"source\":\"in.txt:1\",\"index\":2,"
        "\"bytes\":1}\n"
        "{\"record\":\"ZA==\",\"stream\":\"s1\",\"error_code\":\"Interrupted\",\"error_message\":"
        "\"not sent: the send was interrupted\",\"attempts\":0,\"source\":\"in.txt:1\",\"index\":3,"
        "\"bytes\":1}\n");
    }
    free(text);
    sl_send_result_cleanup(&res);
  }
}

static void test_whole_request_retries(void)
{
  struct sl_view v[3] = { { "a", 1 }, { "b", 1 }, { "c", 1 } };
  struct sl_send_options o = fast_options();
  struct sl_send_result res;
  struct sl_error err;
  sl_send_result_init(&res);
  /* 503 twice, then accepted: the client's 3 tries in one round. A 5xx is
   * an answer saying the records were not stored: no duplicates. */
  reset_fake(0);
  fake.broken = 2;
  fake.broken_status = 503;
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, &o, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(fake.nreq, 3);
  CU_ASSERT_EQUAL(res.requests, 3);
  CU_ASSERT_EQUAL(res.request_retries, 2);
  CU_ASSERT_EQUAL(res.retried, 3);
  CU_ASSERT_EQUAL(res.duplicates_possible, 0);
  CU_ASSERT_EQUAL(res.requests_unanswered, 0);
  CU_ASSERT_EQUAL(res.delivered, 3);
  /* 503 four times: the first round gives up after 3 tries, the second
   * round's first try fails, its second is accepted. */
  reset_fake(0);
  fake.broken = 4;
  fake.broken_status = 503;
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, &o, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(res.requests, 5);
  CU_ASSERT_EQUAL(res.request_retries, 3);
  CU_ASSERT_EQUAL(res.delivered, 3);
  /* Dropped connection on a fresh connection: counted, resent, possible
   * duplicates. (On a reused keep-alive connection libcurl itself resends:
   * test_keepalive_resend.) */
  {
    struct sl_client fresh;
    struct sl_aws_config cfg;
    config(&cfg);
    CU_ASSERT_EQUAL_FATAL(sl_client_init(&fresh, &cfg, NULL, NULL), SL_OK);
    fresh.retry.random = zero_random;
    reset_fake(0);
    fake.broken = 1;
    CU_ASSERT_EQUAL(sl_send_firehose_batch(&fresh, "s1", v, 3, &o, &res, &err), SL_OK);
    CU_ASSERT_EQUAL(fake.nreq, 2);
    CU_ASSERT_EQUAL(res.requests, 2);
    CU_ASSERT_EQUAL(res.request_retries, 1);
    CU_ASSERT_EQUAL(res.duplicates_possible, 3);
    CU_ASSERT_EQUAL(res.delivered, 3);
    sl_client_cleanup(&fresh);
  }
  /* A 200 that is not JSON (a proxy's page): said so, with its first
   * bytes; retried by the client's policy (3 tries), not round after round;
   * its records may have been stored, so the resent ones are duplicates
   * possible, from 3 unanswered requests, whose bytes all count. */
  reset_fake(0);
  fake.broken = 100;
  fake.broken_status = 200;
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, &o, &res, &err), SL_E_AWS);
  CU_ASSERT_STRING_EQUAL(err.code, "InvalidAnswer");
  CU_ASSERT_EQUAL(fake.nreq, 3);
  CU_ASSERT_EQUAL(res.requests, 3);
  CU_ASSERT_EQUAL(res.requests_unanswered, 3);
  CU_ASSERT_EQUAL(res.duplicates_possible, 3);
  CU_ASSERT_EQUAL(res.failed, 3);
  CU_ASSERT_EQUAL(res.request_bytes, 3 * sl_mini_request_at(srv, sl_mini_request_count(srv) - 1)->body.len);
  CU_ASSERT_EQUAL_FATAL(res.nfailures, 3);
  CU_ASSERT_STRING_EQUAL(res.failures[0].error_code, "InvalidAnswer");
  CU_ASSERT_STRING_EQUAL(res.failures[0].error_message,
                         "PutRecordBatch answer is not JSON (37 bytes): "
                         "<html><body>Bad Gateway</body></html>");
  CU_ASSERT_EQUAL(res.failures[0].attempts, 3);
  /* once, then whole: delivered, the resent three possibly twice */
  reset_fake(0);
  fake.broken = 1;
  fake.broken_status = 200;
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, &o, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(res.requests, 2);
  CU_ASSERT_EQUAL(res.requests_unanswered, 1);
  CU_ASSERT_EQUAL(res.duplicates_possible, 3);
  CU_ASSERT_EQUAL(res.delivered, 3);
  /* a 400 is final: one request, every record failed, no duplicates */
  reset_fake(0);
  fake.broken = 100;
  fake.broken_status = 400;
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&client, "s1", v, 3, &o, &res, &err), SL_E_AWS);
  CU_ASSERT_EQUAL(res.requests, 1);
  CU_ASSERT_EQUAL(res.failed, 3);
  CU_ASSERT_EQUAL(res.duplicates_possible, 0);
  CU_ASSERT_EQUAL_FATAL(res.nfailures, 3);
  CU_ASSERT_STRING_EQUAL(res.failures[0].error_code, "ValidationException");
  CU_ASSERT_EQUAL(res.failures[0].attempts, 1);
  sl_send_result_cleanup(&res);
}

/* A kept-alive connection that the server closes after reading the second
 * request, without answering: libcurl sends the request again on a fresh
 * connection by itself. The server may have stored the first copy, so its
 * records count as possible duplicates, and the resend as a request. */
static void test_keepalive_resend(void)
{
  struct sl_view v[3] = { { "a", 1 }, { "b", 1 }, { "c", 1 } };
  struct sl_send_options o = fast_options();
  struct sl_send_result res;
  struct sl_aws_config cfg;
  struct sl_client c;
  struct sl_http_stats st;
  struct sl_error err;
  config(&cfg);
  CU_ASSERT_EQUAL_FATAL(sl_client_init(&c, &cfg, NULL, NULL), SL_OK);
  c.retry.random = zero_random;
  sl_send_result_init(&res);
  reset_fake(0);
  sl_mini_reset(srv);
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&c, "s1", v, 3, &o, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(res.duplicates_possible, 0);
  CU_ASSERT_EQUAL(res.requests, 1);
  fake.drop_at = 2;
  CU_ASSERT_EQUAL(sl_send_firehose_batch(&c, "s1", v, 3, &o, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(fake.nreq, 3);
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 3);
  /* the dropped request came on the kept-alive connection, the resend on a new one */
  CU_ASSERT_EQUAL(sl_mini_request_at(srv, 1)->connection, sl_mini_request_at(srv, 0)->connection);
  CU_ASSERT_NOT_EQUAL(sl_mini_request_at(srv, 2)->connection,
                      sl_mini_request_at(srv, 1)->connection);
  CU_ASSERT_EQUAL(res.delivered, 3);
  CU_ASSERT_EQUAL(res.requests, 2);
  CU_ASSERT_EQUAL(res.request_retries, 1);
  CU_ASSERT_EQUAL(res.retried, 3);
  CU_ASSERT_EQUAL(res.duplicates_possible, 3);
  CU_ASSERT_EQUAL(res.failed, 0);
  /* both copies of the body were written: 2 x the PutRecordBatch body */
  CU_ASSERT_EQUAL(res.request_bytes, 2 * sl_mini_request_at(srv, 2)->body.len);
  sl_http_get_stats(c.http, &st);
  CU_ASSERT_EQUAL(st.requests, 3);
  CU_ASSERT_EQUAL(st.resent, 1);
  sl_send_result_cleanup(&res);
  sl_client_cleanup(&c);
}

/* Four workers, keys A..D from a JSON field, small batches: each key's
 * records arrive in input order. */
static void test_workers_keep_key_order(void)
{
  struct sl_send_options o = fast_options();
  struct sl_aws_config cfg;
  struct sl_sender *s = NULL;
  struct sl_send_result res;
  struct sl_error err;
  int i;
  reset_fake(1);
  config(&cfg);
  o.target = SL_SEND_KINESIS;
  o.stream = "s1";
  o.concurrency = 4;
  o.batch_size = 7;
  o.partition_key_field = "k";
  sl_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, &cfg, NULL, NULL, &err), SL_OK);
  for(i = 1; i <= 400; i++) {
    char rec[64];
    struct sl_send_where w = { "test", (uint64_t)i, SL_WHERE_LINE };
    int n = snprintf(rec, sizeof(rec), "{\"k\":\"%c\",\"n\":%d}", 'A' + i % 4, i);
    CU_ASSERT_EQUAL(sl_sender_add(s, rec, (size_t)n, &w, &err), SL_OK);
  }
  sl_send_result_init(&res);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(res.delivered, 400);
  CU_ASSERT_EQUAL(fake.out_of_order, 0);
  CU_ASSERT_EQUAL(fake.last[0] + fake.last[1] + fake.last[2] + fake.last[3], 400 + 399 + 398 + 397);
  CU_ASSERT_TRUE(res.requests >= 58); /* at least ceil(400 / 7) */
  sl_send_result_cleanup(&res);
  sl_sender_free(s);
  sl_aws_config_cleanup(&cfg);
}

/* Records the fake service has taken so far (every request counted). */
static int fake_records(int *nreq)
{
  int i, n = 0;
  pthread_mutex_lock(&fake.lock);
  for(i = 0; i < fake.nreq && i < MAX_REQ; i++)
    n += fake.nrec[i];
  if(nreq)
    *nreq = fake.nreq;
  pthread_mutex_unlock(&fake.lock);
  return n;
}

/* Polls until the fake service has taken n records; no timing asserted,
 * only that it happens well within the deadline. */
static int wait_records(int n, double deadline_s)
{
  double waited = 0;
  while(fake_records(NULL) < n && waited < deadline_s) {
    usleep(10000);
    waited += 0.01;
  }
  return fake_records(NULL);
}

/* Inline (no workers): a batch that waited its interval goes out with the
 * next record, or on sl_sender_flush; with interval 0 only at the end. */
static void test_flush_interval_inline(void)
{
  struct sl_send_options o = fast_options();
  struct sl_sender *s = NULL;
  struct sl_send_result res;
  struct sl_error err;
  struct sl_send_where w = { "test", 1, SL_WHERE_LINE };
  int nreq;
  reset_fake(0);
  o.target = SL_SEND_FIREHOSE;
  o.stream = "s1";
  o.concurrency = 0;
  o.flush_interval_s = 0.05;
  sl_error_clear(&err);
  sl_send_result_init(&res);
  CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, NULL, NULL, &client, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_add(s, "a", 1, &w, &err), SL_OK);
  CU_ASSERT_EQUAL(fake_records(&nreq), 0);
  usleep(200000); /* well past the interval */
  CU_ASSERT_EQUAL(sl_sender_add(s, "b", 1, &w, &err), SL_OK);
  CU_ASSERT_EQUAL(fake_records(&nreq), 1);
  CU_ASSERT_EQUAL(nreq, 1);
  CU_ASSERT_STRING_EQUAL(fake.first[0], "a");
  CU_ASSERT_EQUAL(sl_sender_flush(s, &err), SL_OK);
  CU_ASSERT_EQUAL(fake_records(&nreq), 2);
  CU_ASSERT_EQUAL(nreq, 2);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(fake_records(&nreq), 2);
  CU_ASSERT_EQUAL(nreq, 2);
  CU_ASSERT_EQUAL(res.total, 2);
  CU_ASSERT_EQUAL(res.delivered, 2);
  CU_ASSERT_EQUAL(res.requests, 2);
  sl_sender_free(s);

  reset_fake(0);
  o.flush_interval_s = 0;
  CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, NULL, NULL, &client, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_add(s, "a", 1, &w, &err), SL_OK);
  usleep(100000);
  CU_ASSERT_EQUAL(sl_sender_add(s, "b", 1, &w, &err), SL_OK);
  CU_ASSERT_EQUAL(fake_records(&nreq), 0);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(fake_records(&nreq), 2);
  CU_ASSERT_EQUAL(nreq, 1);
  sl_send_result_cleanup(&res);
  sl_sender_free(s);
}

/* With workers the flush thread sends a waiting batch while the caller
 * adds nothing (a reader blocked on a quiet pipe); sl_sender_flush sends
 * at once with the timer off. Both before sl_sender_finish. */
static void test_flush_interval_workers(void)
{
  struct sl_send_options o = fast_options();
  struct sl_aws_config cfg;
  struct sl_sender *s = NULL;
  struct sl_send_result res;
  struct sl_error err;
  int i, nreq;
  reset_fake(1);
  config(&cfg);
  o.target = SL_SEND_KINESIS;
  o.stream = "s1";
  o.concurrency = 2;
  o.partition_key_field = "k";
  o.flush_interval_s = 0.2;
  sl_error_clear(&err);
  sl_send_result_init(&res);
  CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, &cfg, NULL, NULL, &err), SL_OK);
  for(i = 1; i <= 3; i++) {
    char rec[64];
    struct sl_send_where w = { "test", (uint64_t)i, SL_WHERE_LINE };
    int n = snprintf(rec, sizeof(rec), "{\"k\":\"%c\",\"n\":%d}", 'A' + i % 2, i);
    CU_ASSERT_EQUAL(sl_sender_add(s, rec, (size_t)n, &w, &err), SL_OK);
  }
  CU_ASSERT_EQUAL(wait_records(3, 10.0), 3);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(fake_records(&nreq), 3);
  CU_ASSERT_EQUAL(res.total, 3);
  CU_ASSERT_EQUAL(res.delivered, 3);
  CU_ASSERT_EQUAL(fake.out_of_order, 0);
  sl_sender_free(s);

  reset_fake(1);
  o.flush_interval_s = 0;
  CU_ASSERT_EQUAL_FATAL(sl_sender_new(&s, &o, &cfg, NULL, NULL, &err), SL_OK);
  for(i = 1; i <= 2; i++) {
    char rec[64];
    struct sl_send_where w = { "test", (uint64_t)i, SL_WHERE_LINE };
    int n = snprintf(rec, sizeof(rec), "{\"k\":\"A\",\"n\":%d}", i);
    CU_ASSERT_EQUAL(sl_sender_add(s, rec, (size_t)n, &w, &err), SL_OK);
  }
  usleep(100000);
  CU_ASSERT_EQUAL(fake_records(&nreq), 0); /* no timer: nothing sent yet */
  CU_ASSERT_EQUAL(sl_sender_flush(s, &err), SL_OK);
  CU_ASSERT_EQUAL(wait_records(2, 10.0), 2);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(fake_records(&nreq), 2);
  CU_ASSERT_EQUAL(nreq, 1);
  CU_ASSERT_EQUAL(res.delivered, 2);
  sl_send_result_cleanup(&res);
  sl_sender_free(s);
  sl_aws_config_cleanup(&cfg);
}

static void test_flush_interval_checked(void)
{
  static const double bad[] = { -0.001, 3600.001, 1e300 };
  struct sl_send_options o = fast_options();
  struct sl_sender *s = NULL;
  struct sl_error err;
  size_t i;
  o.target = SL_SEND_FIREHOSE;
  o.stream = "s1";
  o.concurrency = 0;
  CU_ASSERT_EQUAL(o.flush_interval_s, SL_SEND_DEFAULT_FLUSH_INTERVAL);
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]) + 1; i++) {
    o.flush_interval_s = i < sizeof(bad) / sizeof(bad[0]) ? bad[i] : NAN;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_sender_new(&s, &o, NULL, NULL, &client, &err), SL_E_INVALID);
    CU_ASSERT_STRING_EQUAL(err.message, "flush interval must be 0 to 3600 seconds");
    CU_ASSERT_PTR_NULL(s);
  }
}

/* A record over the limit is listed by its size and first 80 bytes, in
 * text (escaped) and in JSON (record_head), never whole. */
static void test_report_head(void)
{
  struct sl_send_result r;
  struct sl_send_where w = { "in.txt", 7, SL_WHERE_LINE };
  struct send_outcome o;
  struct sl_send_dead d;
  struct sl_buf line, out, flat;
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  char *big = malloc(2000000);
  CU_ASSERT_FATAL(big != NULL);
  memset(big, 'a', 2000000);
  memcpy(big, "{\"k\":\"\x01\n", 8);
  memset(&o, 0, sizeof(o));
  sl_send_result_init(&o.res);
  o.mu = &mu;
  o.dl_fd = -1;
  o.stream = "st";
  memset(&d, 0, sizeof(d));
  d.data = big;
  d.len = 2000000;
  d.code = "RecordTooLarge";
  d.msg = "in.txt:7: 1.9 MiB is over Kinesis's 1 MiB record limit";
  d.index = 6;
  sl_buf_init(&line, 4096);
  sl_send_outcome_failure(&o, &line, &d, 0, &w);
  free(big);
  CU_ASSERT_EQUAL_FATAL(o.res.nfailures, 1);
  CU_ASSERT_EQUAL(o.res.failures[0].len, SL_SEND_HEAD_BYTES);
  CU_ASSERT_EQUAL(o.res.failures[0].bytes, 2000000);
  CU_ASSERT_EQUAL(o.res.listed_bytes, SL_SEND_HEAD_BYTES);
  r = o.res;
  r.target = SL_SEND_KINESIS;
  r.total = 1;
  sl_buf_init(&out, 4096);
  CU_ASSERT_EQUAL(sl_send_report_text(&r, "st", NULL, &out), SL_OK);
  CU_ASSERT_STRING_EQUAL(out.data,
    "failed record after 0 attempts: RecordTooLarge: in.txt:7: 1.9 MiB is over Kinesis's 1 MiB "
    "record limit\n"
    "  record: 1.9 MiB (2000000 bytes), first 80 bytes: \"{\\\"k\\\":\\\"\\x01\\n"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"\n"
    "kinesis st: total 1, delivered 0, failed 1, retried 0, duplicates possible 0, requests 0, "
    "bytes 0 (0 B), elapsed 0.00 s, 0 records/s\n");
  sl_buf_reset(&out);
  CU_ASSERT_EQUAL(sl_send_report_json(&r, "st", NULL, &out), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&flat, 65536), SL_OK);
  CU_ASSERT_EQUAL(sl_json_compact(out.data, out.len, &flat), SL_OK);
  CU_ASSERT_PTR_NOT_NULL(strstr(flat.data,
    "\"failed_records\":[{\"record\":null,\"record_base64\":null,\"record_bytes\":2000000,"
    "\"record_head\":\"{\\\"k\\\":\\\"\\u0001\\n"
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"error\":"));
  sl_buf_cleanup(&flat);
  sl_buf_cleanup(&out);
  sl_buf_cleanup(&line);
  sl_send_result_cleanup(&o.res);
}

/* --results lines: exact keys and order per status and service. */
static void test_record_lines(void)
{
  struct sl_send_where w = { "in.txt", 3, SL_WHERE_LINE };
  struct sl_send_record acc = { 2, &w, SL_SEND_ACCEPTED, "4960", "shardId-000000000001", "", "", 1,
                                0, 0, 0 };
  struct sl_send_record dl = { 5, NULL, SL_SEND_DEAD_LETTERED, "", "", "Throttled", "slow \"down\"", 3,
                               0, 0, 0 };
  struct sl_send_record wh = { 6, &w, SL_SEND_WITHHELD, "", "", "", "", 0, 0, 0, 0 };
  struct sl_send_record in = { 7, &w, SL_SEND_INTERRUPTED, "", "", "Interrupted",
                               "not sent: the send was interrupted", 0, 0, 0, 0 };
  struct sl_send_record kp = { 8, &w, SL_SEND_ACCEPTED, "4961", "shardId-000000000002", "", "", 1,
                               0, 1, 3 };
  struct sl_buf b;
  sl_buf_init(&b, 4096);
  CU_ASSERT_EQUAL(sl_send_record_line(&acc, SL_SEND_KINESIS, &b), SL_OK);
  CU_ASSERT_EQUAL(sl_send_record_line(&acc, SL_SEND_FIREHOSE, &b), SL_OK);
  CU_ASSERT_EQUAL(sl_send_record_line(&dl, SL_SEND_FIREHOSE, &b), SL_OK);
  CU_ASSERT_EQUAL(sl_send_record_line(&wh, SL_SEND_KINESIS, &b), SL_OK);
  CU_ASSERT_EQUAL(sl_send_record_line(&in, SL_SEND_KINESIS, &b), SL_OK);
  CU_ASSERT_EQUAL(sl_send_record_line(&kp, SL_SEND_KINESIS, &b), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data,
    "{\"index\":2,\"source\":\"in.txt:3\",\"status\":\"accepted\",\"sequence_number\":\"4960\","
    "\"shard_id\":\"shardId-000000000001\",\"attempts\":1}\n"
    "{\"index\":2,\"source\":\"in.txt:3\",\"status\":\"accepted\",\"record_id\":\"4960\","
    "\"attempts\":1}\n"
    "{\"index\":5,\"source\":null,\"status\":\"dead-lettered\",\"error_code\":\"Throttled\","
    "\"error_message\":\"slow \\\"down\\\"\",\"attempts\":3}\n"
    "{\"index\":6,\"source\":\"in.txt:3\",\"status\":\"withheld\",\"attempts\":0}\n"
    "{\"index\":7,\"source\":\"in.txt:3\",\"status\":\"interrupted\",\"error_code\":"
    "\"Interrupted\",\"error_message\":\"not sent: the send was interrupted\",\"attempts\":0}\n"
    "{\"index\":8,\"source\":\"in.txt:3\",\"status\":\"accepted\",\"sequence_number\":\"4961\","
    "\"sub_sequence_number\":3,\"shard_id\":\"shardId-000000000002\",\"attempts\":1}\n");
  sl_buf_cleanup(&b);
}

static void test_reports(void)
{
  struct sl_send_result r;
  struct sl_buf out, flat;
  sl_send_result_init(&r);
  r.target = SL_SEND_KINESIS;
  r.total = 3;
  r.delivered = 2;
  r.failed = 1;
  r.retried = 1;
  r.duplicates_possible = 1;
  r.requests_unanswered = 1;
  r.requests = 2;
  r.request_retries = 1;
  r.bytes = 10;
  r.request_bytes = 120;
  r.interrupted = 1;
  r.elapsed_s = 0.5;
  r.failures = calloc(1, sizeof(*r.failures));
  r.nfailures = r.cap = 1;
  r.failures[0].index = 2;
  snprintf(r.failures[0].where, sizeof(r.failures[0].where), "stdin:3");
  r.failures[0].data = (unsigned char *)strdup("x\ny");
  r.failures[0].len = 3;
  r.failures[0].attempts = 5;
  r.failures[0].bytes = 3;
  snprintf(r.failures[0].error_code, sizeof(r.failures[0].error_code), "InternalFailure");
  snprintf(r.failures[0].error_message, sizeof(r.failures[0].error_message), "boom");
  sl_buf_init(&out, 4096);
  CU_ASSERT_EQUAL(sl_send_report_text(&r, "st", NULL, &out), SL_OK);
  CU_ASSERT_STRING_EQUAL(out.data,
    "failed stdin:3 after 5 attempts: InternalFailure: boom\n"
    "  record (base64): eAp5\n"
    "kinesis st: total 3, delivered 2, failed 1, retried 1, duplicates possible 1 (1 request "
    "unanswered), requests 2, bytes 10 (10 B), elapsed 0.50 s, 4 records/s\n");
  sl_buf_reset(&out);
  CU_ASSERT_EQUAL(sl_send_report_text(&r, "st", "dl.jsonl", &out), SL_OK);
  CU_ASSERT_STRING_EQUAL(out.data,
    "1 failed records appended to dl.jsonl\n"
    "kinesis st: total 3, delivered 2, failed 1, retried 1, duplicates possible 1 (1 request "
    "unanswered), requests 2, bytes 10 (10 B), elapsed 0.50 s, 4 records/s\n");
  sl_buf_reset(&out);
  CU_ASSERT_EQUAL(sl_send_report_json(&r, "st", NULL, &out), SL_OK);
  /* Indented by the one JSON writer; the same text without the blanks. */
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&flat, 65536), SL_OK);
  CU_ASSERT_EQUAL(sl_json_compact(out.data, out.len, &flat), SL_OK);
  CU_ASSERT_STRING_EQUAL(flat.data,
    "{\"format_version\":1,\"command\":\"send\",\"target\":\"kinesis\",\"stream\":\"st\","
    "\"total_records\":3,\"successful_records\":2,"
    "\"failed_records\":[{\"record\":\"x\\ny\",\"record_base64\":\"eAp5\",\"record_bytes\":3,\"error\":"
    "\"InternalFailure: boom\",\"error_code\":\"InternalFailure\",\"attempt\":5,\"index\":2,"
    "\"source\":\"stdin:3\"}],\"failed_record_count\":1,\"failed_records_not_listed\":0,"
    "\"rejected_records\":0,\"retried_records\":1,\"duplicates_possible\":1,"
    "\"requests_unanswered\":1,\"requests\":2,"
    "\"request_retries\":1,\"bytes\":10,\"request_bytes\":120,\"elapsed_s\":0.500,\"records_per_s\":4,"
    "\"service_records\":0,\"billed_bytes\":0,\"put_payload_units\":0,\"aggregated_estimate\":null,"
    "\"interrupted_records\":1,\"dead_letter\":null}");
  sl_buf_cleanup(&flat);
  sl_buf_reset(&out);
  {
    static const struct {
      struct sl_send_dead d;
      const char *line;
    } dl[] = {
      { { "x\ny", 3, 0, NULL, "st", "InternalFailure", "boom", "stdin:3", 5, 2 },
        "{\"record\":\"eAp5\",\"stream\":\"st\",\"error_code\":\"InternalFailure\","
        "\"error_message\":\"boom\",\"attempts\":5,\"source\":\"stdin:3\",\"index\":2,"
        "\"bytes\":3}\n" },
      { { NULL, 0, 1048577, "measured, not kept", "st", "RecordTooLarge", "big", "stdin:9", 0,
          8 },
        "{\"record\":null,\"stream\":\"st\",\"error_code\":\"RecordTooLarge\","
        "\"error_message\":\"big\",\"attempts\":0,\"source\":\"stdin:9\",\"index\":8,"
        "\"bytes\":1048577,\"reason\":\"measured, not kept\"}\n" },
      { { NULL, 0, 0, "not measured", "st", "RecordTooLarge", "big", "in.json: byte 7", 0, 0 },
        "{\"record\":null,\"stream\":\"st\",\"error_code\":\"RecordTooLarge\","
        "\"error_message\":\"big\",\"attempts\":0,\"source\":\"in.json: byte 7\","
        "\"index\":0,\"bytes\":null,\"reason\":\"not measured\"}\n" },
    };
    size_t i;
    for(i = 0; i < sizeof(dl) / sizeof(dl[0]); i++) {
      sl_buf_reset(&out);
      CU_ASSERT_EQUAL(sl_send_dead_letter_line(&out, &dl[i].d), SL_OK);
      CU_ASSERT_STRING_EQUAL(out.data, dl[i].line);
    }
  }
  sl_buf_cleanup(&out);
  sl_send_result_cleanup(&r);
}

static const struct sl_test tests[] = {
  { "split at 500 records", test_split_by_count },
  { "split at the request bytes", test_split_by_bytes },
  { "over a limit: nothing sent", test_over_limit_nothing_sent },
  { "delimiter on the wire", test_delimiter },
  { "partial failure resends only failed entries", test_partial_failure_resends_only_failed },
  { "dead-letter file", test_dead_letter },
  { "whole-request retries and lost answers", test_whole_request_retries },
  { "kept-alive connection closed: libcurl's resend counted", test_keepalive_resend },
  { "refused input in the dead-letter file", test_dead_letter_refused },
  { "interrupted: nothing more sent, nothing lost", test_interrupted },
  { "aggregated: one carrier, outcomes per input record", test_aggregated },
  { "workers keep per-key order", test_workers_keep_key_order },
  { "flush interval, inline", test_flush_interval_inline },
  { "flush interval, workers", test_flush_interval_workers },
  { "flush interval checked", test_flush_interval_checked },
  { "reports", test_reports },
  { "report of a record over the limit", test_report_head },
  { "results lines", test_record_lines },
  { NULL, NULL }
};

SL_TEST_MAIN("send", tests, suite_init, suite_cleanup)
