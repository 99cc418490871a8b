/* test_inspect_live.c — inspect on what the emulator's Firehose really
 * delivered: an IAM role, a bucket and delivery streams made through the
 * library, records put with PutRecordBatch and flushed; then the inspect
 * binary reads them through INI profiles (plain with newlines, gzip without
 * delimiters under a !{timestamp:...} prefix, and the error output of a
 * stream whose role may not write). Also `tail` following new objects,
 * including one whose key sorts before an object already printed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "harness.h"
#include "itest.h"
#include "sluice/iam.h"
#include "sluice/inspect.h"
#include "sluice/s3.h"
#include "sluice/streams.h"

static struct sl_client client;
static char bucket[64], tmp[512], role_arn[2048], deny_arn[2048];
static char *out_text, *err_text;

static int inspect(const char *args)
{
  int code = sl_itest_run_tool("inspect", args, tmp, &out_text, &err_text);
  if(code > 0 && getenv("SLUICE_TEST_VERBOSE"))
    fprintf(stderr, "inspect %s: %s", args, err_text);
  return code;
}

/* Calls of one operation in the emulator's ledger. */
static int calls_of(const char *op)
{
  char *ans = NULL;
  struct json_object *o, *a, *v;
  int n = 0;
  size_t i;
  if(sl_itest_control("GET", "ledger", NULL, &ans) == 200 && ans &&
     (o = json_tokener_parse(ans))) {
    if(json_object_object_get_ex(o, "calls", &a))
      for(i = 0; i < json_object_array_length(a); i++)
        if(json_object_object_get_ex(json_object_array_get_idx(a, i), "operation", &v) &&
           !strcmp(json_object_get_string(v), op))
          n++;
    json_object_put(o);
  }
  free(ans);
  return n;
}

static int list_calls(void)
{
  return calls_of("ListObjectsV2");
}

static enum sl_result make_role(const char *name, const char *action, char *arn, size_t arnlen)
{
  static const char trust[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
    "{\"Service\":\"firehose.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}";
  struct sl_iam_role r;
  struct sl_error err;
  char policy[512];
  enum sl_result res;
  sl_iam_role_init(&r);
  sl_error_clear(&err);
  snprintf(policy, sizeof(policy),
           "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"%s\","
           "\"Resource\":\"arn:aws:s3:::%s/*\"}]}", action, bucket);
  res = sl_iam_create_role(&client, name, trust, NULL, NULL, NULL, &r, &err);
  if(!res)
    res = sl_iam_put_role_policy(&client, name, "write", policy, &err);
  snprintf(arn, arnlen, "%s", r.arn);
  if(res)
    fprintf(stderr, "role %s: %s\n", name, err.message);
  sl_iam_role_cleanup(&r);
  return res;
}

/* A delivery stream into the bucket, ACTIVE; and its profile file. */
static int make_stream(const char *name, const char *arn, const char *prefix,
                       const char *error_prefix, const char *compression, char *profile,
                       size_t plen)
{
  struct json_object *in = json_object_new_object(), *dest = json_object_new_object();
  struct json_object *hints = json_object_new_object();
  struct sl_error err;
  char barn[128], st[32];
  FILE *f;
  int i;
  enum sl_result r;
  snprintf(barn, sizeof(barn), "arn:aws:s3:::%s", bucket);
  json_object_object_add(in, "DeliveryStreamName", json_object_new_string(name));
  json_object_object_add(in, "DeliveryStreamType", json_object_new_string("DirectPut"));
  json_object_object_add(dest, "RoleARN", json_object_new_string(arn));
  json_object_object_add(dest, "BucketARN", json_object_new_string(barn));
  json_object_object_add(dest, "Prefix", json_object_new_string(prefix));
  json_object_object_add(dest, "ErrorOutputPrefix", json_object_new_string(error_prefix));
  json_object_object_add(dest, "CompressionFormat", json_object_new_string(compression));
  json_object_object_add(hints, "SizeInMBs", json_object_new_int(1));
  json_object_object_add(hints, "IntervalInSeconds", json_object_new_int(900));
  json_object_object_add(dest, "BufferingHints", hints);
  json_object_object_add(in, "ExtendedS3DestinationConfiguration", dest);
  sl_error_clear(&err);
  r = sl_firehose_call(&client, "CreateDeliveryStream", in, NULL, &err);
  json_object_put(in);
  if(r) {
    fprintf(stderr, "CreateDeliveryStream %s: %s\n", name, err.message);
    return 1;
  }
  for(i = 0; i < 100; i++) {
    if(!sl_firehose_status(&client, name, st, &err) && !strcmp(st, "ACTIVE"))
      break;
    usleep(100000);
  }
  snprintf(profile, plen, "%s/%s.ini", tmp, name);
  f = fopen(profile, "w");
  if(!f)
    return 1;
  fprintf(f, "[aws]\nregion = us-east-1\nendpoint_url = %s\n\n[bucket]\nname = %s\n\n"
          "[firehose]\nname = %s\nprefix = %s\nerror_prefix = %s\ncompression = %s\n",
          getenv("SLUICE_TEST_ENDPOINT"), bucket, name, prefix, error_prefix,
          !strcmp(compression, "GZIP") ? "GZIP" : "UNCOMPRESSED");
  fclose(f);
  return strcmp(st, "ACTIVE") != 0;
}

static void put_records(const char *stream, const char *const *recs, size_t n)
{
  struct sl_record r[8];
  struct sl_record_result res[8];
  struct sl_error err;
  size_t i, failed = 0;
  for(i = 0; i < n; i++) {
    memset(&r[i], 0, sizeof(r[i]));
    r[i].data = recs[i];
    r[i].len = strlen(recs[i]);
  }
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_firehose_put_batch(&client, stream, r, n, res, &failed, &err), SL_OK);
  CU_ASSERT_EQUAL(failed, 0);
}

static char plain_ini[700], gz_ini[700], deny_ini[700];
static char plain_name[64], gz_name[64], deny_name[64];

static int setup(void)
{
  struct sl_error err;
  int created;
  char name[600];
  if(sl_itest_client(&client, NULL))
    return 1;
  snprintf(tmp, sizeof(tmp), "%s", sl_test_tmpdir());
  snprintf(bucket, sizeof(bucket), "%s", sl_itest_name("sl-insp-live"));
  setenv("AWS_ACCESS_KEY_ID", "test", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "test", 1);
  setenv("AWS_REGION", "us-east-1", 1);
  setenv("AWS_ENDPOINT_URL", getenv("SLUICE_TEST_ENDPOINT"), 1);
  snprintf(name, sizeof(name), "%s/none", tmp);
  setenv("AWS_CONFIG_FILE", name, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", name, 1);
  sl_error_clear(&err);
  if(sl_s3_create_bucket(&client, bucket, &created, &err))
    return 1;
  snprintf(name, sizeof(name), "%s", sl_itest_name("sl-insp-role"));
  if(make_role(name, "s3:PutObject", role_arn, sizeof(role_arn)))
    return 1;
  snprintf(name, sizeof(name), "%s", sl_itest_name("sl-insp-deny"));
  if(make_role(name, "s3:GetObject", deny_arn, sizeof(deny_arn)))
    return 1;
  snprintf(plain_name, sizeof(plain_name), "%s", sl_itest_name("insp-plain"));
  snprintf(gz_name, sizeof(gz_name), "%s", sl_itest_name("insp-gz"));
  snprintf(deny_name, sizeof(deny_name), "%s", sl_itest_name("insp-deny"));
  if(make_stream(plain_name, role_arn, "fh/", "fherr/", "UNCOMPRESSED", plain_ini,
                 sizeof(plain_ini)) ||
     make_stream(gz_name, role_arn, "fhgz/y=!{timestamp:yyyy}/m=!{timestamp:MM}/d=!{timestamp:dd}/"
                 "h=!{timestamp:HH}/", "fhgzerr/!{firehose:error-output-type}/", "GZIP", gz_ini,
                 sizeof(gz_ini)) ||
     make_stream(deny_name, deny_arn, "fhdeny/", "fhdenyerr/", "UNCOMPRESSED", deny_ini,
                 sizeof(deny_ini)))
    return 1;
  return 0;
}

static int teardown(void)
{
  free(out_text);
  free(err_text);
  sl_client_cleanup(&client);
  return 0;
}

static void test_delivered(void)
{
  static const char *const plain[] = { "{\"i\":1}\n", "{\"i\":2,\n \"multi\": true}\n",
                                       "{\"i\":3}\n" };
  static const char *const gz[] = { "{\"g\":1}", "{\"g\":2,\"s\":\"a b\"}", "[3]" };
  static const char *const deny[] = { "{\"lost\":1}\n", "lost two\n" };
  struct sl_inspect_prefixes want;
  char args[1024];
  int64_t now = (int64_t)time(NULL);
  put_records(plain_name, plain, 3);
  put_records(gz_name, gz, 3);
  put_records(deny_name, deny, 2);
  CU_ASSERT_EQUAL(sl_itest_control("POST", "firehose/flush", NULL, NULL), 200);

  snprintf(args, sizeof(args), "cat %s", plain_ini);
  CU_ASSERT_EQUAL(inspect(args), 0);
  CU_ASSERT_STRING_EQUAL(out_text, "{\"i\":1}\n{\"i\":2,\"multi\":true}\n{\"i\":3}\n");
  snprintf(args, sizeof(args), "cat %s", gz_ini);
  CU_ASSERT_EQUAL(inspect(args), 0);
  CU_ASSERT_STRING_EQUAL(out_text, "{\"g\":1}\n{\"g\":2,\"s\":\"a b\"}\n[3]\n");
  /* the delivered key carries the layout and the .gz suffix */
  snprintf(args, sizeof(args), "ls %s --json", gz_ini);
  CU_ASSERT_EQUAL(inspect(args), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "{\"key\":\"fhgz/y="));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, ".gz\",\"size\":"));

  /* --since 1h lists exactly the hour prefixes the pattern gives */
  CU_ASSERT_EQUAL(sl_inspect_window_prefixes("fhgz/y=!{timestamp:yyyy}/m=!{timestamp:MM}/"
                                             "d=!{timestamp:dd}/h=!{timestamp:HH}/",
                                             now - 3600, now, 100, &want), SL_OK);
  CU_ASSERT_EQUAL(sl_itest_control("POST", "ledger/reset", NULL, NULL), 200);
  snprintf(args, sizeof(args), "cat %s --since 1h", gz_ini);
  CU_ASSERT_EQUAL(inspect(args), 0);
  CU_ASSERT_STRING_EQUAL(out_text, "{\"g\":1}\n{\"g\":2,\"s\":\"a b\"}\n[3]\n");
  CU_ASSERT_EQUAL((size_t)list_calls(), want.n);
  sl_inspect_prefixes_cleanup(&want);
  snprintf(args, sizeof(args), "stats %s --json", plain_ini);
  CU_ASSERT_EQUAL(inspect(args), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_itest_flat(out_text), "\"command\":\"stats\",\"objects\":1,"));
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_itest_flat(out_text), "\"records\":3,\"parse_errors\":0,"));

  /* the stream whose role may not write: its records went to the error output */
  snprintf(args, sizeof(args), "cat %s", deny_ini);
  CU_ASSERT_EQUAL(inspect(args), 0);
  CU_ASSERT_STRING_EQUAL(out_text, "");
  snprintf(args, sizeof(args), "errors %s", deny_ini);
  CU_ASSERT_EQUAL(inspect(args), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"errorCode\":\"S3.AccessDenied\""));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"attemptsMade\":1,"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"record\":{\"lost\":1}}\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"record\":\"lost two\\n\"}\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "{\"key\":\"fhdenyerr/"));
}

/* A Firehose-style key for now in the tail/ layout. */
static void tail_key(char *out, size_t outlen, int n)
{
  time_t t = time(NULL);
  struct tm tm;
  char hour[32], stamp[32];
  gmtime_r(&t, &tm);
  strftime(hour, sizeof(hour), "%Y/%m/%d/%H/", &tm);
  strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H-%M-%S", &tm);
  snprintf(out, outlen, "tail/%sst-1-%s-%04d", hour, stamp, n);
}

static void put_object(const char *key, const char *body)
{
  struct sl_error err;
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_s3_put_object(&client, bucket, key, body, strlen(body),
                                   "application/octet-stream", &err), SL_OK);
}

static void test_tail(void)
{
  char cmd[2048], key[256], line[512];
  struct sl_buf got;
  FILE *p;
  int i, st;
  tail_key(key, sizeof(key), 1);
  put_object(key, "{\"old\":1}\n");
  CU_ASSERT_EQUAL(sl_itest_control("POST", "ledger/reset", NULL, NULL), 200);
  snprintf(cmd, sizeof(cmd), "%s/inspect/inspect tail s3://%s/tail/ --interval 0.2 --count 3 "
           "--timeout 30 --with-key", getenv("SLUICE_BUILD"), bucket);
  p = popen(cmd, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  /* The baseline lists the two hour prefixes of the last hour; objects put
   * after that are new. */
  for(i = 0; i < 200 && list_calls() < 2; i++)
    usleep(50000);
  CU_ASSERT(list_calls() >= 2);
  tail_key(key, sizeof(key), 2);
  put_object(key, "{\"new\":1}\n{\"new\":2}\n");
  usleep(500000);
  tail_key(cmd, sizeof(cmd), 3);
  put_object(cmd, "third line\n");
  sl_buf_init(&got, 65536);
  while(fgets(line, sizeof(line), p))
    sl_buf_adds(&got, line);
  st = pclose(p);
  CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  snprintf(line, sizeof(line), "{\"key\":\"%s\",\"offset\":0,\"record\":{\"new\":1}}\n", key);
  CU_ASSERT_EQUAL(strncmp(got.data, line, strlen(line)), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(got.data, ",\"offset\":10,\"record\":{\"new\":2}}\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(got.data, "\"offset\":0,\"record\":\"third line\"}\n"));
  CU_ASSERT_PTR_NULL(strstr(got.data, "old"));
  sl_buf_cleanup(&got);
  /* nothing new: --timeout ends it, exit 0, no output */
  snprintf(cmd, sizeof(cmd), "tail s3://%s/tail/ --interval 0.2 --timeout 0.5", bucket);
  CU_ASSERT_EQUAL(inspect(cmd), 0);
  CU_ASSERT_STRING_EQUAL(out_text, "");
}

/* Firehose names end in a random UUID: an object written later can sort
 * before one already printed in the same hour prefix. B (sorting last) is
 * put and read, then A (sorting first): tail prints A's records once and
 * never B's again, over the several polls left before --timeout. */
static void test_tail_out_of_order(void)
{
  char cmd[2048], a_key[256], b_key[256], line[512], want[2048], hour[32], stamp[32];
  struct sl_buf got;
  time_t now = time(NULL);
  struct tm tm;
  FILE *p;
  int i, st;
  gmtime_r(&now, &tm);
  strftime(hour, sizeof(hour), "%Y/%m/%d/%H/", &tm);
  strftime(stamp, sizeof(stamp), "%Y-%m-%d-%H-%M-%S", &tm);
  snprintf(a_key, sizeof(a_key), "tailo/%sst-1-%s-00000000-0000-4000-8000-000000000000", hour,
           stamp);
  snprintf(b_key, sizeof(b_key), "tailo/%sst-1-%s-ffffffff-0000-4000-8000-000000000000", hour,
           stamp);
  CU_ASSERT_EQUAL(sl_itest_control("POST", "ledger/reset", NULL, NULL), 200);
  snprintf(cmd, sizeof(cmd), "%s/inspect/inspect tail s3://%s/tailo/ --interval 0.2 --timeout 5 "
           "--with-key", getenv("SLUICE_BUILD"), bucket);
  p = popen(cmd, "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  for(i = 0; i < 200 && list_calls() < 2; i++)
    usleep(50000);
  CU_ASSERT(list_calls() >= 2);
  put_object(b_key, "{\"b\":1}\n");
  /* B's line comes through the pipe while tail still runs (stdout is line
   * buffered for tail), and only then does A exist. */
  sl_buf_init(&got, 65536);
  if(fgets(line, sizeof(line), p))
    sl_buf_adds(&got, line);
  CU_ASSERT_EQUAL(calls_of("GetObject"), 1);
  put_object(a_key, "{\"a\":1}\n{\"a\":2}\n");
  while(fgets(line, sizeof(line), p))
    sl_buf_adds(&got, line);
  st = pclose(p);
  CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  snprintf(want, sizeof(want),
           "{\"key\":\"%s\",\"offset\":0,\"record\":{\"b\":1}}\n"
           "{\"key\":\"%s\",\"offset\":0,\"record\":{\"a\":1}}\n"
           "{\"key\":\"%s\",\"offset\":8,\"record\":{\"a\":2}}\n",
           b_key, a_key, a_key);
  CU_ASSERT_STRING_EQUAL(got.data ? got.data : "", want);
  /* each object fetched once, though every poll listed it */
  CU_ASSERT_EQUAL(calls_of("GetObject"), 2);
  CU_ASSERT(list_calls() >= 6);
  sl_buf_cleanup(&got);
}

static const struct sl_test tests[] = {
  { "delivered", test_delivered },
  { "tail", test_tail },
  { "tail_out_of_order", test_tail_out_of_order },
  { NULL, NULL }
};

SL_TEST_MAIN("inspect_live", tests, setup, teardown)
