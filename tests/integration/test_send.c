/* test_send.c — the send engine against the bundled emulator through the
 * public API: limits at their exact edges as the service sees them,
 * partial failures retried until the ledger holds every record, a fault
 * soak (100,000 records; per-entry failures, 5xx, dropped connections) with
 * every record's sha256 found in the ledger, the dead-letter file, binary
 * records read back byte-exact from Kinesis, and the delimiter as it shows
 * in the objects Firehose delivers to S3. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "harness.h"
#include "itest.h"
#include "sluice/iam.h"
#include "sluice/s3.h"
#include "sluice/send.h"

static struct sl_client client;
static struct sl_aws_config cfg;    /* for the workers' clients */
static char kin[64], fh[64], bucket[64], role[64];

static int wait_active(int kinesis, const char *name)
{
  int i;
  for(i = 0; i < 100; i++) {
    char st[32];
    struct sl_error err;
    sl_error_clear(&err);
    if((kinesis ? sl_kinesis_status(&client, name, st, &err) :
                  sl_firehose_status(&client, name, st, &err)) == SL_OK && !strcmp(st, "ACTIVE"))
      return 1;
    usleep(100 * 1000);
  }
  return 0;
}

static int make_firehose(void)
{
  static const char trust[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
    "\"Principal\":{\"Service\":\"firehose.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
  char policy[512], arn[256];
  struct json_object *in = json_object_new_object(), *s3 = json_object_new_object(),
                     *hints = json_object_new_object();
  struct sl_error err;
  int created = 0;
  enum sl_result r;
  sl_error_clear(&err);
  snprintf(policy, sizeof(policy), "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":"
           "\"Allow\",\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::%s/*\"}]}", bucket);
  r = sl_s3_create_bucket(&client, bucket, &created, &err);
  if(!r) r = sl_iam_create_role(&client, role, trust, NULL, NULL, NULL, NULL, &err);
  if(!r) r = sl_iam_put_role_policy(&client, role, "deliver", policy, &err);
  snprintf(arn, sizeof(arn), "arn:aws:iam::000000000000:role/%s", role);
  json_object_object_add(s3, "RoleARN", json_object_new_string(arn));
  snprintf(arn, sizeof(arn), "arn:aws:s3:::%s", bucket);
  json_object_object_add(s3, "BucketARN", json_object_new_string(arn));
  json_object_object_add(s3, "Prefix", json_object_new_string("d/"));
  json_object_object_add(hints, "SizeInMBs", json_object_new_int(128));
  json_object_object_add(hints, "IntervalInSeconds", json_object_new_int(900));
  json_object_object_add(s3, "BufferingHints", hints);
  json_object_object_add(in, "DeliveryStreamName", json_object_new_string(fh));
  json_object_object_add(in, "DeliveryStreamType", json_object_new_string("DirectPut"));
  json_object_object_add(in, "ExtendedS3DestinationConfiguration", s3);
  if(!r) r = sl_firehose_call(&client, "CreateDeliveryStream", in, NULL, &err);
  json_object_put(in);
  if(r)
    fprintf(stderr, "firehose setup: %s: %s\n", err.code, err.message);
  return r ? -1 : 0;
}

static int setup(void)
{
  struct json_object *in;
  struct sl_error err;
  const char *ep = getenv("SLUICE_TEST_ENDPOINT");
  if(!ep || sl_itest_client(&client, NULL) || !sl_itest_is_emulator())
    return 1;
  snprintf(kin, sizeof(kin), "%s", sl_itest_name("sl-send-kin"));
  snprintf(fh, sizeof(fh), "%s", sl_itest_name("sl-send-fh"));
  snprintf(bucket, sizeof(bucket), "%s", sl_itest_name("sl-send-bucket"));
  snprintf(role, sizeof(role), "%s", sl_itest_name("sl-send-role"));
  sl_aws_config_init(&cfg);
  snprintf(cfg.region, sizeof(cfg.region), "us-east-1");
  snprintf(cfg.endpoint_url, sizeof(cfg.endpoint_url), "%s", ep);
  snprintf(cfg.static_access_key_id, sizeof(cfg.static_access_key_id), "test");
  snprintf(cfg.static_secret_access_key, sizeof(cfg.static_secret_access_key), "test");
  cfg.max_attempts = 3;
  in = json_object_new_object();
  json_object_object_add(in, "StreamName", json_object_new_string(kin));
  json_object_object_add(in, "ShardCount", json_object_new_int(2));
  sl_error_clear(&err);
  if(sl_kinesis_call(&client, "CreateStream", in, NULL, &err)) {
    json_object_put(in);
    return 1;
  }
  json_object_put(in);
  if(make_firehose() || !wait_active(1, kin) || !wait_active(0, fh))
    return 1;
  /* These tests measure batching, faults and retries at full speed, not a
   * shard's 1,000 records/s (the emulator's suite and aggregate.sh do). */
  return sl_itest_control("POST", "config", "{\"kinesis_shard_caps\": false}", NULL) == 200 ? 0 : 1;
}

static int teardown(void)
{
  sl_itest_control("POST", "faults", "{}", NULL);
  sl_itest_control("POST", "config", "{\"kinesis_shard_caps\": true}", NULL);
  sl_aws_config_cleanup(&cfg);
  sl_client_cleanup(&client);
  return 0;
}

static void faults(const char *json)
{
  CU_ASSERT_EQUAL(sl_itest_control("POST", "faults", json, NULL), 200);
}

static long ledger_records(void)
{
  char *ans = NULL;
  struct json_object *o, *v;
  long n = -1;
  if(sl_itest_control("GET", "ledger/summary", NULL, &ans) == 200 && (o = json_tokener_parse(ans))) {
    if(json_object_object_get_ex(o, "records", &v))
      n = (long)json_object_get_int64(v);
    json_object_put(o);
  }
  free(ans);
  return n;
}

/* The ledger's records for a stream since index `since`: sha256 hex list. */
static struct json_object *ledger_since(long since)
{
  char path[64], *ans = NULL;
  struct json_object *o = NULL;
  snprintf(path, sizeof(path), "ledger?since=%ld", since);
  if(sl_itest_control("GET", path, NULL, &ans) == 200)
    o = json_tokener_parse(ans);
  free(ans);
  return o;
}

static void sha256_hex(const void *p, size_t n, char out[65])
{
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
  sl_hex(md, 32, out);
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A sender for the stream with the given options filled in. */
static struct sl_sender *sender(int kinesis, struct sl_send_options *o)
{
  struct sl_sender *s = NULL;
  struct sl_error err;
  o->target = kinesis ? SL_SEND_KINESIS : SL_SEND_FIREHOSE;
  o->stream = kinesis ? kin : fh;
  sl_error_clear(&err);
  if(sl_sender_new(&s, o, &cfg, NULL, NULL, &err))
    fprintf(stderr, "sender: %s\n", err.message);
  return s;
}

static void test_limit_edges(void)
{
  static char big[1048576];
  struct sl_send_options o;
  struct sl_sender *s;
  struct sl_send_result res;
  struct sl_send_where w = { "edges", 1, SL_WHERE_LINE };
  struct sl_error err;
  long before = ledger_records();
  int i;
  memset(big, 'e', sizeof(big));
  sl_send_result_init(&res);
  /* Kinesis: data + key = 1 MiB goes, one byte more is refused up front;
   * five such records fill one 5 MiB request exactly. */
  sl_send_options_init(&o);
  o.newline = 0;
  o.partition_key = "k";
  s = sender(1, &o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  for(i = 0; i < 5; i++) {
    big[0] = (char)('0' + i);
    CU_ASSERT_EQUAL(sl_sender_add(s, big, 1048575, &w, &err), SL_OK);
  }
  w.pos = 6;
  CU_ASSERT_EQUAL(sl_sender_add(s, big, 1048576, &w, &err), SL_E_TOO_LARGE);
  CU_ASSERT_STRING_EQUAL(err.message, "edges:6: record of 1048577 bytes is over Kinesis's 1 MiB "
                         "limit (data + partition key)");
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(res.delivered, 5);
  CU_ASSERT_EQUAL(res.requests, 1);
  CU_ASSERT_EQUAL(res.failed, 1);
  CU_ASSERT_EQUAL(res.rejected, 1);
  sl_sender_free(s);
  /* Firehose: 1,024,000 goes (with the '\n' the delimiter adds: 1,023,999
   * + 1), 1,024,001 does not; four of them plus 98,304 = 4 MiB, one request. */
  sl_send_options_init(&o);
  s = sender(0, &o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  w.pos = 1;
  for(i = 0; i < 4; i++) {
    big[0] = (char)('a' + i);
    CU_ASSERT_EQUAL(sl_sender_add(s, big, 1023999, &w, &err), SL_OK);
  }
  CU_ASSERT_EQUAL(sl_sender_add(s, big, 98303, &w, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_sender_add(s, big, 1024000, &w, &err), SL_E_TOO_LARGE);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(res.delivered, 5);
  CU_ASSERT_EQUAL(res.bytes, 4194304);
  CU_ASSERT_EQUAL(res.requests, 1);
  CU_ASSERT_EQUAL(res.failed, 1);
  sl_sender_free(s);
  sl_send_result_cleanup(&res);
  CU_ASSERT_EQUAL(ledger_records(), before + 10);
}

/* Sends n distinct records "<tag>-<i>" and checks the ledger: every one
 * accepted at least once, and no more copies than duplicates possible. */
static void send_and_verify(const char *tag, long n, int kinesis, const char *fault_json,
                            int print)
{
  struct sl_send_options o;
  struct sl_sender *s;
  struct sl_send_result res;
  struct sl_error err;
  struct json_object *led, *recs;
  char **want = calloc((size_t)n, sizeof(char *));
  char **got = NULL;
  long before = ledger_records(), i, ngot = 0, missing = 0, extra = 0, k;
  double t0;
  struct timespec ts;
  CU_ASSERT_PTR_NOT_NULL_FATAL(want);
  faults(fault_json);
  sl_send_options_init(&o);
  o.concurrency = 4;
  o.batch_size = 500;
  o.max_attempts = 10;
  s = sender(kinesis, &o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  clock_gettime(CLOCK_MONOTONIC, &ts);
  t0 = (double)ts.tv_sec + ts.tv_nsec / 1e9;
  for(i = 0; i < n; i++) {
    char rec[128], hex[65];
    struct sl_send_where w = { tag, (uint64_t)i + 1, SL_WHERE_LINE };
    int len = snprintf(rec, sizeof(rec), "{\"tag\":\"%s\",\"i\":%ld,\"pad\":\"%040ld\"}\n", tag,
                       i, i);
    sha256_hex(rec, (size_t)len, hex);
    want[i] = strdup(hex);
    CU_ASSERT_EQUAL(sl_sender_add(s, rec, (size_t)len, &w, &err), SL_OK);
  }
  sl_send_result_init(&res);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  sl_sender_free(s);
  faults("{}");
  CU_ASSERT_EQUAL(res.total, (uint64_t)n);
  CU_ASSERT_EQUAL(res.delivered, (uint64_t)n);
  CU_ASSERT_EQUAL(res.failed, 0);

  led = ledger_since(before);
  CU_ASSERT_PTR_NOT_NULL_FATAL(led);
  CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(led, "records", &recs));
  got = calloc(json_object_array_length(recs) + 1, sizeof(char *));
  for(k = 0; k < (long)json_object_array_length(recs); k++) {
    struct json_object *r = json_object_array_get_idx(recs, (size_t)k), *st, *sha;
    json_object_object_get_ex(r, "stream", &st);
    json_object_object_get_ex(r, "sha256", &sha);
    if(!strcmp(json_object_get_string(st), kinesis ? kin : fh))
      got[ngot++] = (char *)json_object_get_string(sha);
  }
  qsort(want, (size_t)n, sizeof(char *), cmp_str);
  qsort(got, (size_t)ngot, sizeof(char *), cmp_str);
  /* Walk both sorted lists: missing = sent but never accepted. */
  for(i = 0, k = 0; i < n; i++) {
    int c = 1;
    while(k < ngot && (c = strcmp(got[k], want[i])) < 0) {
      extra++; /* accepted but never sent: cannot happen */
      k++;
    }
    if(k < ngot && !c) {
      k++;
      while(k < ngot && !strcmp(got[k], want[i])) { /* a duplicate */
        k++;
        extra++;
      }
    }
    else
      missing++;
  }
  extra += ngot - k;
  CU_ASSERT_EQUAL(missing, 0);
  CU_ASSERT_EQUAL(ngot, n + extra);
  CU_ASSERT_TRUE((uint64_t)extra <= res.duplicates_possible);
  clock_gettime(CLOCK_MONOTONIC, &ts);
  if(print)
    printf("%s: %ld records in %.1f s: delivered %llu, ledger %ld (lost %ld, duplicates %ld), "
           "retried %llu, duplicates possible %llu, requests %llu (%llu whole-request retries)\n",
           tag, n, (double)ts.tv_sec + ts.tv_nsec / 1e9 - t0,
           (unsigned long long)res.delivered, ngot, missing, extra,
           (unsigned long long)res.retried, (unsigned long long)res.duplicates_possible,
           (unsigned long long)res.requests, (unsigned long long)res.request_retries);
  for(i = 0; i < n; i++)
    free(want[i]);
  free(want);
  free(got);
  json_object_put(led);
  sl_send_result_cleanup(&res);
}

static void test_partial_failures_retried(void)
{
  send_and_verify("partial", 3000, 1, "{\"seed\":7,\"partial_failure\":0.3,"
                  "\"operations\":[\"PutRecords\"]}", 0);
  send_and_verify("partial-fh", 3000, 0, "{\"seed\":8,\"partial_failure\":0.3,"
                  "\"operations\":[\"PutRecordBatch\"]}", 0);
}

static void test_fault_soak(void)
{
  send_and_verify("soak", 100000, 1, "{\"seed\":42,\"partial_failure\":0.1,\"http_500\":0.025,"
                  "\"http_503\":0.025,\"drop_connection\":0.01,\"truncate_body\":0.005,\"operations\":[\"PutRecords\"]}", 1);
}

static void test_dead_letter(void)
{
  char path[512], *text, want[4096];
  struct sl_send_options o;
  struct sl_sender *s;
  struct sl_send_result res;
  struct sl_error err;
  struct sl_buf line;
  int i;
  snprintf(path, sizeof(path), "%s/dead.jsonl", sl_test_tmpdir());
  faults("{\"seed\":3,\"partial_failure\":1.0,\"operations\":[\"PutRecordBatch\"]}");
  sl_send_options_init(&o);
  o.max_attempts = 2;
  o.dead_letter = path;
  o.retry_base_s = 0.01;
  s = sender(0, &o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  for(i = 0; i < 3; i++) {
    char rec[16];
    struct sl_send_where w = { "stdin", (uint64_t)i + 1, SL_WHERE_LINE };
    int n = snprintf(rec, sizeof(rec), "dead %d", i);
    CU_ASSERT_EQUAL(sl_sender_add(s, rec, (size_t)n, &w, &err), SL_OK);
  }
  sl_send_result_init(&res);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  sl_sender_free(s);
  faults("{}");
  CU_ASSERT_EQUAL(res.failed, 3);
  CU_ASSERT_EQUAL(res.delivered, 0);
  CU_ASSERT_EQUAL(res.requests, 2);
  text = sl_test_read_file(path, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  /* "dead 0\n" etc. in base64, the emulator's Firehose entry error. */
  sl_buf_init(&line, 4096);
  for(i = 0; i < 3; i++) {
    static const char *const b64[] = { "ZGVhZCAwCg==", "ZGVhZCAxCg==", "ZGVhZCAyCg==" };
    sl_buf_printf(&line, "{\"record\":\"%s\",\"stream\":\"%s\",\"error_code\":"
                  "\"ServiceUnavailableException\",\"error_message\":\"Slow down.\","
                  "\"attempts\":2,\"source\":\"stdin:%d\",\"index\":%d,\"bytes\":7}\n", b64[i],
                  fh, i + 1, i);
  }
  snprintf(want, sizeof(want), "%s", line.data);
  CU_ASSERT_STRING_EQUAL(text, want);
  sl_buf_cleanup(&line);
  free(text);
  sl_send_result_cleanup(&res);
}

/* Reads every record of the Kinesis stream (both shards). */
static int read_kinesis(struct sl_buf *data, size_t *lens, int max)
{
  struct json_object *in, *out = NULL, *shards;
  struct sl_error err;
  int got = 0;
  size_t i, j;
  in = json_object_new_object();
  json_object_object_add(in, "StreamName", json_object_new_string(kin));
  sl_error_clear(&err);
  if(sl_kinesis_call(&client, "ListShards", in, &out, &err))
    return -1;
  json_object_put(in);
  json_object_object_get_ex(out, "Shards", &shards);
  for(i = 0; i < json_object_array_length(shards); i++) {
    struct json_object *sid, *it_out = NULL, *it, *rec_out = NULL, *records;
    json_object_object_get_ex(json_object_array_get_idx(shards, i), "ShardId", &sid);
    in = json_object_new_object();
    json_object_object_add(in, "StreamName", json_object_new_string(kin));
    json_object_object_add(in, "ShardId", json_object_get(sid));
    json_object_object_add(in, "ShardIteratorType", json_object_new_string("TRIM_HORIZON"));
    sl_kinesis_call(&client, "GetShardIterator", in, &it_out, &err);
    json_object_put(in);
    json_object_object_get_ex(it_out, "ShardIterator", &it);
    in = json_object_new_object();
    json_object_object_add(in, "ShardIterator", json_object_get(it));
    json_object_object_add(in, "Limit", json_object_new_int(10000));
    sl_kinesis_call(&client, "GetRecords", in, &rec_out, &err);
    json_object_put(in);
    json_object_object_get_ex(rec_out, "Records", &records);
    for(j = 0; j < json_object_array_length(records); j++) {
      struct json_object *r = json_object_array_get_idx(records, j), *d, *pk;
      json_object_object_get_ex(r, "PartitionKey", &pk);
      if(strcmp(json_object_get_string(pk), "binary") || got >= max)
        continue;
      json_object_object_get_ex(r, "Data", &d);
      size_t before = data->len;
      sl_base64_decode(json_object_get_string(d), (size_t)json_object_get_string_len(d), data);
      lens[got++] = data->len - before;
    }
    json_object_put(it_out);
    json_object_put(rec_out);
  }
  json_object_put(out);
  return got;
}

static enum sl_result add_record(void *ud, const char *p, size_t n, const struct sl_send_where *w)
{
  return sl_sender_add(ud, p, n, w, NULL);
}

static void test_binary_round_trip(void)
{
  unsigned char blob[1024];
  char path[512];
  struct sl_send_options o;
  struct sl_send_input in;
  struct sl_sender *s;
  struct sl_send_result res;
  struct sl_error err;
  struct sl_buf back;
  size_t lens[4];
  FILE *fp;
  int fd, i;
  for(i = 0; i < 1024; i++)
    blob[i] = (unsigned char)((i * 7 + (i >> 8)) & 0xff); /* NULs, '\n', 0xff, all values */
  snprintf(path, sizeof(path), "%s/blob.bin", sl_test_tmpdir());
  fp = fopen(path, "wb");
  fwrite(blob, 1, sizeof(blob), fp);
  fclose(fp);
  sl_send_options_init(&o);
  o.newline = 0;
  o.partition_key = "binary";
  s = sender(1, &o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  memset(&in, 0, sizeof(in));
  in.format = SL_SEND_RAW;
  in.record_max = SL_KINESIS_MAX_RECORD_BYTES;
  in.on_record = add_record;
  in.ud = s;
  fd = open(path, 0);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_send_read(&in, fd, "blob.bin", -1, &err), SL_OK);
  close(fd);
  sl_send_result_init(&res);
  CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
  CU_ASSERT_EQUAL(res.delivered, 1);
  CU_ASSERT_EQUAL(res.bytes, 1024);
  sl_sender_free(s);
  sl_buf_init(&back, 1 << 20);
  CU_ASSERT_EQUAL_FATAL(read_kinesis(&back, lens, 4), 1);
  CU_ASSERT_EQUAL(lens[0], 1024);
  CU_ASSERT_EQUAL(back.len, 1024);
  CU_ASSERT_EQUAL(memcmp(back.data, blob, 1024), 0);
  sl_buf_cleanup(&back);
  sl_send_result_cleanup(&res);
}

static int on_key(void *ud, const struct sl_s3_object *o)
{
  struct sl_buf *keys = ud;
  sl_buf_adds(keys, o->key);
  sl_buf_addc(keys, '\n');
  return 0;
}

/* Flushes the Firehose and returns the bytes of every object delivered
 * since (concatenated in key order; each flush writes one object here). */
static void delivered_after_flush(struct sl_buf *out, struct sl_buf *seen_keys)
{
  struct sl_s3_list l;
  struct sl_buf keys;
  struct sl_error err;
  char *k, *nl;
  CU_ASSERT_EQUAL(sl_itest_control("POST", "firehose/flush", "{}", NULL), 200);
  sl_buf_init(&keys, 1 << 20);
  memset(&l, 0, sizeof(l));
  l.prefix = "d/";
  l.on_object = on_key;
  l.ud = &keys;
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_s3_list_all(&client, bucket, &l, &err), SL_OK);
  for(k = keys.data; k && *k; k = nl + 1) {
    struct sl_s3_get g;
    nl = strchr(k, '\n');
    *nl = 0;
    if(strstr(seen_keys->data, k))
      continue;
    sl_buf_adds(seen_keys, k);
    sl_buf_addc(seen_keys, '\n');
    memset(&g, 0, sizeof(g));
    g.out = out;
    CU_ASSERT_EQUAL(sl_s3_get_object(&client, bucket, k, &g, &err), SL_OK);
  }
  sl_buf_cleanup(&keys);
}

static void test_delimiter_in_s3(void)
{
  static const char *const recs[] = { "alpha", "beta\n", "{\"c\":1}", "crlf\r" };
  struct sl_send_options o;
  struct sl_send_result res;
  struct sl_buf obj, seen;
  struct sl_error err;
  int round, i;
  sl_buf_init(&obj, 64u << 20);
  sl_buf_init(&seen, 1 << 20);
  delivered_after_flush(&obj, &seen); /* whatever earlier tests left */
  for(round = 0; round < 2; round++) {
    struct sl_sender *s;
    sl_send_options_init(&o);
    o.newline = !round;
    s = sender(0, &o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for(i = 0; i < 4; i++) {
      struct sl_send_where w = { "arg", (uint64_t)i + 1, SL_WHERE_ARG };
      CU_ASSERT_EQUAL(sl_sender_add(s, recs[i], strlen(recs[i]), &w, &err), SL_OK);
    }
    sl_send_result_init(&res);
    CU_ASSERT_EQUAL(sl_sender_finish(s, &res, &err), SL_OK);
    CU_ASSERT_EQUAL(res.delivered, 4);
    sl_sender_free(s);
    sl_send_result_cleanup(&res);
    sl_buf_reset(&obj);
    delivered_after_flush(&obj, &seen);
    if(!round) /* NDJSON: one '\n' each, none doubled, "\r" kept before it */
      CU_ASSERT_STRING_EQUAL(obj.data, "alpha\nbeta\n{\"c\":1}\ncrlf\r\n");
    if(round) /* none: the bytes as given, run together */
      CU_ASSERT_STRING_EQUAL(obj.data, "alphabeta\n{\"c\":1}crlf\r");
  }
  sl_buf_cleanup(&obj);
  sl_buf_cleanup(&seen);
}

/* Runs the real `provision send` with a profile for this suite's Firehose
 * stream and extra args (shell words). Returns its exit code. */
static int provision_send(const char *args)
{
  char ini[512], cmd[4096], none[512];
  const char *tmp = sl_test_tmpdir();
  FILE *fp;
  int st;
  snprintf(ini, sizeof(ini), "%s/send.ini", tmp);
  snprintf(none, sizeof(none), "%s/none", tmp);
  fp = fopen(ini, "w");
  if(!fp)
    return -1;
  fprintf(fp, "[aws]\nregion = us-east-1\nendpoint_url = %s\n\n[bucket]\nname = %s\n\n"
          "[firehose]\nname = %s\n", getenv("SLUICE_TEST_ENDPOINT"), bucket, fh);
  fclose(fp);
  snprintf(cmd, sizeof(cmd), "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test "
           "AWS_CONFIG_FILE=%s AWS_SHARED_CREDENTIALS_FILE=%s %s/provision/provision send %s %s "
           ">%s/out 2>%s/err", none, none, getenv("SLUICE_BUILD"), ini, args, tmp, tmp);
  st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* --format json with the default delimiter: each pretty-printed value
 * arrives in S3 as one compacted line (NDJSON), strings and numbers as
 * written; with --delimiter none the values go as given. */
static void test_json_compacted_in_s3(void)
{
  static const char pretty[] =
    "{\n  \"id\": 1,\n  \"msg\": \"two  spaces, \\\"quoted\\\" {not: json}\",\n"
    "  \"n\": [1.10, 2e+3, -0, 123456789012345678901234567890]\n}\n"
    "\t[ true,\r\n  null ]   \"lone string\"\n";
  char path[512], args[1024];
  struct sl_buf obj, seen;
  FILE *fp;
  sl_buf_init(&obj, 64u << 20);
  sl_buf_init(&seen, 1 << 20);
  delivered_after_flush(&obj, &seen); /* whatever earlier tests left */
  snprintf(path, sizeof(path), "%s/pretty.json", sl_test_tmpdir());
  fp = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
  fputs(pretty, fp);
  fclose(fp);
  snprintf(args, sizeof(args), "--format json --file %s", path);
  CU_ASSERT_EQUAL(provision_send(args), 0);
  sl_buf_reset(&obj);
  delivered_after_flush(&obj, &seen);
  CU_ASSERT_STRING_EQUAL(obj.data,
    "{\"id\":1,\"msg\":\"two  spaces, \\\"quoted\\\" {not: json}\",\"n\":[1.10,2e+3,-0,"
    "123456789012345678901234567890]}\n[true,null]\n\"lone string\"\n");
  snprintf(args, sizeof(args), "--format json --delimiter none --file %s", path);
  CU_ASSERT_EQUAL(provision_send(args), 0);
  sl_buf_reset(&obj);
  delivered_after_flush(&obj, &seen);
  CU_ASSERT_STRING_EQUAL(obj.data,
    "{\n  \"id\": 1,\n  \"msg\": \"two  spaces, \\\"quoted\\\" {not: json}\",\n"
    "  \"n\": [1.10, 2e+3, -0, 123456789012345678901234567890]\n}[ true,\r\n  null ]"
    "\"lone string\"");
  sl_buf_cleanup(&obj);
  sl_buf_cleanup(&seen);
}

/* A line too long to hold: its dead-letter line has no bytes but says
 * which record it was, how big, and why the bytes are missing. */
static void test_dead_letter_oversize_cli(void)
{
  char path[512], dl[512], args[1200], *text, want[2048];
  FILE *fp;
  int i;
  snprintf(path, sizeof(path), "%s/big.txt", sl_test_tmpdir());
  snprintf(dl, sizeof(dl), "%s/big-dl.jsonl", sl_test_tmpdir());
  unlink(dl);
  fp = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
  fputs("first\n", fp);
  for(i = 0; i < 1024001; i++)
    fputc('x', fp);
  fputs("\r\nthird\n", fp);
  fclose(fp);
  snprintf(args, sizeof(args), "--file %s --dead-letter %s", path, dl);
  CU_ASSERT_EQUAL(provision_send(args), 3); /* completed; the refused line is in dl */
  text = sl_test_read_file(dl, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  snprintf(want, sizeof(want), "{\"record\":null,\"stream\":\"%s\",\"error_code\":"
           "\"RecordTooLarge\",\"error_message\":\"%s:2: record of 1024002 bytes is over "
           "Firehose's 1,000 KiB limit (1,024,000 bytes)\",\"attempts\":0,\"source\":\"%s:2\","
           "\"index\":1,\"bytes\":1024002,\"reason\":\"over the record limit: measured while "
           "read, not kept\"}\n", fh, path, path);
  CU_ASSERT_STRING_EQUAL(text, want);
  free(text);
}

static const struct sl_test tests[] = {
  { "limits at their edges", test_limit_edges },
  { "partial failures retried until accepted", test_partial_failures_retried },
  { "dead-letter file", test_dead_letter },
  { "binary record round trip", test_binary_round_trip },
  { "delimiter in delivered objects", test_delimiter_in_s3 },
  { "json compacted in delivered objects (CLI)", test_json_compacted_in_s3 },
  { "dead letter of a line too long to hold (CLI)", test_dead_letter_oversize_cli },
  { "fault soak: 100,000 records", test_fault_soak },
  { NULL, NULL }
};

SL_TEST_MAIN("send-integration", tests, setup, teardown)
