/* test_inspect.c — the inspect binary against the emulator, on objects
 * written through the library in Firehose's key layout: exact NDJSON for
 * cat (plain, gzip, concatenated JSON, pretty-printed JSON, text lines),
 * paging across many pages, hour-prefix listing proven by the ledger's
 * ListObjectsV2 count, corrupt and truncated objects (exit 3, key and offset
 * on stderr, good records still out), error-output decoding, keys that need
 * URL encoding, --local on a folder (text lines that are not text: exit 3),
 * stats (with and without filters), the iterator API, and no mutating call
 * from any inspect command. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>
#include <zlib.h>

#include "harness.h"
#include "itest.h"
#include "sluice/inspect.h"
#include "sluice/s3.h"

static struct sl_client client;
static char bucket[64];
static char tmp[512];

/* ---- helpers ------------------------------------------------------------ */

static char *out_text, *err_text;

/* Runs build/inspect/inspect with args (shell words); stdout and stderr are kept in
 * out_text / err_text. Returns the exit code. */
static int inspect(const char *args)
{
  return sl_itest_run_tool("inspect", args, tmp, &out_text, &err_text);
}

/* out_text against want; on a difference both are shown, with the tool's
 * stderr. */
#define ASSERT_OUT(want)                                            \
  do {                                                              \
    if(strcmp(out_text, (want)))                                    \
      fprintf(stderr, "%s:%d: stderr <<%s>>\n", __FILE__, __LINE__, err_text); \
    SL_ASSERT_STR(out_text, (want));                                \
  } while(0)

static size_t gzip(const char *in, size_t n, char *out, size_t outlen)
{
  z_stream z;
  memset(&z, 0, sizeof(z));
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  z.next_in = (unsigned char *)in;
  z.avail_in = (unsigned)n;
  z.next_out = (unsigned char *)out;
  z.avail_out = (unsigned)outlen;
  deflate(&z, Z_FINISH);
  n = outlen - z.avail_out;
  deflateEnd(&z);
  return n;
}

static void put(const char *key, const char *data, size_t n)
{
  struct sl_error err;
  sl_error_clear(&err);
  if(sl_s3_put_object(&client, bucket, key, data, n, "application/octet-stream", &err))
    fprintf(stderr, "put %s: %s\n", key, err.message);
}

static void write_file(const char *dir, const char *rel, const char *data, size_t n)
{
  char path[1024], *p;
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", dir, rel);
  for(p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
    *p = 0;
    mkdir(path, 0700);
    *p = '/';
  }
  f = fopen(path, "wb");
  if(f) {
    fwrite(data, 1, n, f);
    fclose(f);
  }
}

static int list_calls(void)
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
           !strcmp(json_object_get_string(v), "ListObjectsV2"))
          n++;
    json_object_put(o);
  }
  free(ans);
  return n;
}

static long summary(const char *field)
{
  char *ans = NULL;
  struct json_object *o, *v;
  long n = -1;
  if(sl_itest_control("GET", "ledger/summary", NULL, &ans) == 200 && ans &&
     (o = json_tokener_parse(ans))) {
    if(json_object_object_get_ex(o, field, &v))
      n = (long)json_object_get_int64(v);
    json_object_put(o);
  }
  free(ans);
  return n;
}

static void ledger_reset(void)
{
  CU_ASSERT_EQUAL(sl_itest_control("POST", "ledger/reset", NULL, NULL), 200);
}

/* ---- the objects -------------------------------------------------------- */

struct obj {
  const char *key;
  const char *body;
  int gz;
};

/* Four hours across a year boundary: NDJSON with a pretty-printed record,
 * gzip'ed concatenated JSON without delimiters, text lines, gzip NDJSON. */
static const struct obj logs[] = {
  { "logs/2024/12/31/23/st-1-2024-12-31-23-59-58-9f1c0e4a-0000-4000-8000-000000000001",
    "{\"n\":1,\"level\":\"info\"}\n{\"n\":2,\"level\":\"error\",\"nested\":{\n  \"x\": [1, 2]\n}}\n",
    0 },
  { "logs/2025/01/01/00/st-1-2025-01-01-00-10-00-9f1c0e4a-0000-4000-8000-000000000002.gz",
    "{\"n\":3,\"level\":\"error\"}{\"n\":4,\"level\":\"info\"}", 1 },
  { "logs/2025/01/01/01/st-1-2025-01-01-01-00-00-9f1c0e4a-0000-4000-8000-000000000003",
    "plain line one\nline \"two\"\twith tab\n", 0 },
  { "logs/2025/01/01/01/st-1-2025-01-01-01-30-00-9f1c0e4a-0000-4000-8000-000000000004.gz",
    "{\"n\":5}\n", 1 },
};
#define NLOGS (sizeof(logs) / sizeof(logs[0]))

static const char logs_ndjson[] =
  "{\"n\":1,\"level\":\"info\"}\n"
  "{\"n\":2,\"level\":\"error\",\"nested\":{\"x\":[1,2]}}\n"
  "{\"n\":3,\"level\":\"error\"}\n"
  "{\"n\":4,\"level\":\"info\"}\n"
  "\"plain line one\"\n"
  "\"line \\\"two\\\"\\twith tab\"\n"
  "{\"n\":5}\n";

static long long logs_bytes;

static int setup(void)
{
  struct sl_error err;
  int created;
  size_t i;
  char gz[4096];
  if(sl_itest_client(&client, NULL))
    return 1;
  snprintf(bucket, sizeof(bucket), "%s", sl_itest_name("sl-inspect"));
  snprintf(tmp, sizeof(tmp), "%s", sl_test_tmpdir());
  setenv("AWS_ACCESS_KEY_ID", "test", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "test", 1);
  setenv("AWS_ENDPOINT_URL", getenv("SLUICE_TEST_ENDPOINT"), 1);
  setenv("AWS_REGION", "us-east-1", 1);
  snprintf(gz, sizeof(gz), "%s/none", tmp);
  setenv("AWS_CONFIG_FILE", gz, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", gz, 1);
  sl_error_clear(&err);
  if(sl_s3_create_bucket(&client, bucket, &created, &err))
    return 1;
  for(i = 0; i < NLOGS; i++) {
    size_t n = strlen(logs[i].body);
    char local[128];
    if(logs[i].gz)
      n = gzip(logs[i].body, n, gz, sizeof(gz));
    put(logs[i].key, logs[i].gz ? gz : logs[i].body, n);
    logs_bytes += (long long)n;
    snprintf(local, sizeof(local), "local/%s", logs[i].key + 5);
    write_file(tmp, local, logs[i].gz ? gz : logs[i].body, n);
  }
  return 0;
}

static int teardown(void)
{
  free(out_text);
  free(err_text);
  sl_client_cleanup(&client);
  return 0;
}

static char args[2048];

static const char *a(const char *fmt, const char *x)
{
  snprintf(args, sizeof(args), fmt, bucket, x ? x : "");
  return args;
}

/* ---- tests -------------------------------------------------------------- */

static void test_cat_exact(void)
{
  ledger_reset();
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/logs/", NULL)), 0);
  ASSERT_OUT(logs_ndjson);
  CU_ASSERT_STRING_EQUAL(err_text, "");
  /* the old reader wrote objects back: inspect never mutates */
  CU_ASSERT_EQUAL(summary("mutating_calls"), 0);
  CU_ASSERT_EQUAL(summary("calls"), 1 + (long)NLOGS);
  /* one worker, one page per key, a tiny reorder buffer: the same bytes */
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/logs/ --concurrency 1 --page-size 1", NULL)), 0);
  ASSERT_OUT(logs_ndjson);
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/logs/ --concurrency 4 --object-buffer 1", NULL)), 0);
  ASSERT_OUT(logs_ndjson);
  CU_ASSERT_EQUAL(summary("mutating_calls"), 0);
}

static void test_cat_options(void)
{
  char want[2048];
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/logs/ --with-key --limit 3", NULL)), 0);
  snprintf(want, sizeof(want),
           "{\"key\":\"%s\",\"offset\":0,\"record\":{\"n\":1,\"level\":\"info\"}}\n"
           "{\"key\":\"%s\",\"offset\":23,\"record\":{\"n\":2,\"level\":\"error\","
           "\"nested\":{\"x\":[1,2]}}}\n"
           "{\"key\":\"%s\",\"offset\":0,\"record\":{\"n\":3,\"level\":\"error\"}}\n",
           logs[0].key, logs[0].key, logs[1].key);
  ASSERT_OUT(want);
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/logs/ --where level=error", NULL)), 0);
  ASSERT_OUT("{\"n\":2,\"level\":\"error\",\"nested\":{\"x\":[1,2]}}\n"
                                   "{\"n\":3,\"level\":\"error\"}\n");
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/logs/ --where nested.x.1=2", NULL)), 0);
  ASSERT_OUT("{\"n\":2,\"level\":\"error\",\"nested\":{\"x\":[1,2]}}\n");
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/logs/ --grep line", NULL)), 0);
  ASSERT_OUT("\"plain line one\"\n\"line \\\"two\\\"\\twith tab\"\n");
  /* resume an audit after a key */
  snprintf(want, sizeof(want), "cat s3://%%s/logs/ --resume-after '%s'", logs[2].key);
  CU_ASSERT_EQUAL(inspect(a(want, NULL)), 0);
  ASSERT_OUT("{\"n\":5}\n");
}

static void test_window_lists_hour_prefixes(void)
{
  /* Two hours of three: exactly two ListObjectsV2 calls, one per hour. */
  ledger_reset();
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/logs/ --since 2025-01-01T00:00 --until "
                            "2025-01-01T01:59:59", NULL)), 0);
  ASSERT_OUT(strstr(logs_ndjson, "{\"n\":3"));
  CU_ASSERT_EQUAL(list_calls(), 2);
  /* within an hour, the key's arrival time decides */
  ledger_reset();
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/logs/ --since 2025-01-01T01:15 --until "
                            "2025-01-01T01:45", NULL)), 0);
  ASSERT_OUT("{\"n\":5}\n");
  CU_ASSERT_EQUAL(list_calls(), 1);
  /* across the year boundary, with the layout spelled as an expression */
  ledger_reset();
  CU_ASSERT_EQUAL(inspect(a("ls 's3://%s/logs/!{timestamp:yyyy/MM/dd/HH}/' --since "
                            "2024-12-31T23:00 --until 2025-01-01T00:30", NULL)), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, logs[0].key));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, logs[1].key));
  CU_ASSERT_PTR_NULL(strstr(out_text, logs[2].key));
  CU_ASSERT_EQUAL(list_calls(), 2);
  /* --flat lists the whole prefix once and filters by time */
  ledger_reset();
  CU_ASSERT_EQUAL(inspect(a("ls s3://%s/logs/ --flat --since 2025-01-01T01:00", NULL)), 0);
  CU_ASSERT_PTR_NULL(strstr(out_text, logs[1].key));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, logs[3].key));
  CU_ASSERT_EQUAL(list_calls(), 1);
  CU_ASSERT_EQUAL(summary("mutating_calls"), 0);
}

static void test_paging(void)
{
  struct sl_buf want;
  char key[64], body[64];
  int i;
  sl_buf_init(&want, 1u << 20);
  for(i = 0; i < 450; i++) {
    snprintf(key, sizeof(key), "many/k%04d", i);
    /* bodies of different lengths, so workers finish out of order */
    snprintf(body, sizeof(body), "{\"i\":%d,\"pad\":\"%.*s\"}\n", i, i % 37, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    put(key, body, strlen(body));
    sl_buf_adds(&want, body);
  }
  /* 450 keys, 100 a page: 5 pages, each continuation token with + / = */
  ledger_reset();
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/many/ --page-size 100 --concurrency 6", NULL)), 0);
  CU_ASSERT_EQUAL(strlen(out_text), want.len);
  ASSERT_OUT(want.data);
  CU_ASSERT_EQUAL(list_calls(), 5);
  CU_ASSERT_EQUAL(summary("mutating_calls"), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(inspect(a("ls s3://%s/many/ --json --page-size 100 --limit 250", NULL)), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "{\"key\":\"many/k0000\",\"size\":17,"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "{\"key\":\"many/k0249\",\"size\":"));
  CU_ASSERT_PTR_NULL(strstr(out_text, "many/k0250"));
  CU_ASSERT_EQUAL(list_calls(), 3);
  sl_buf_cleanup(&want);
}

static void test_bad_data(void)
{
  char gz[4096], two[4096];
  size_t n, m;
  const char *p;
  put("bad/1-good", "{\"ok\":1}\n", 9);
  /* a good gzip member, then one with a bad header (compression method 7) */
  n = gzip("{\"ok\":2}\n", 9, two, sizeof(two));
  m = gzip("{\"ok\":99}\n{\"ok\":98}\n", 20, two + n, sizeof(two) - n);
  two[n + 2] = 7;
  put("bad/2-corrupt.gz", two, n + m);
  /* gzip cut before its trailer */
  n = gzip("{\"ok\":3}\n{\"ok\":4}\n", 18, gz, sizeof(gz));
  put("bad/3-truncated.gz", gz, n - 8);
  put("bad/4-truncated.json", "{\"ok\":5}\n{\"ok\":", 15);
  put("bad/5-zstd", "\x28\xb5\x2f\xfdzstdzstdzstd", 16);
  ledger_reset();
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/bad/", NULL)), 3);
  ASSERT_OUT("{\"ok\":1}\n{\"ok\":2}\n{\"ok\":3}\n{\"ok\":4}\n{\"ok\":5}\n");
  CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "inspect: bad/2-corrupt.gz: offset 9: gzip: "));
  CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "inspect: bad/3-truncated.gz: offset 0: gzip: truncated stream, input ended inside member 1 "));
  CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "inspect: bad/4-truncated.json: offset 9: truncated"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "inspect: bad/5-zstd: offset 0: format not supported: zstd"));
  CU_ASSERT_PTR_NULL(strstr(err_text, "bad/1-good"));
  CU_ASSERT_EQUAL(summary("mutating_calls"), 0);
  CU_ASSERT_EQUAL(inspect(a("stats s3://%s/bad/ --json", NULL)), 3);
  p = strstr(sl_itest_flat(out_text), "\"parse_errors\":");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  CU_ASSERT_EQUAL(strncmp(p, "\"parse_errors\":4,", 17), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_itest_flat(out_text), "\"objects\":5,"));
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_itest_flat(out_text), "\"records\":5,"));
  /* a missing bucket is an error, not bad data */
  CU_ASSERT_EQUAL(inspect("cat s3://sl-no-such-bucket-here/x/"), 1);
  CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "NoSuchBucket"));
}

static void test_errors(void)
{
  struct sl_buf body, b64;
  char want[2048];
  sl_buf_init(&body, 8192);
  sl_buf_init(&b64, 1024);
  sl_base64_encode("{\"n\":1}", 7, &b64);
  sl_buf_printf(&body, "{\"attemptsMade\":1,\"arrivalTimestamp\":1735689600000,\"errorCode\":"
                "\"S3.AccessDenied\",\"errorMessage\":\"Access Denied\",\"attemptEndingTimestamp\":"
                "1735689601000,\"rawData\":\"%s\"}\n", b64.data);
  sl_buf_reset(&b64);
  sl_base64_encode("not json\n", 9, &b64);
  sl_buf_printf(&body, "{\"attemptsMade\":3,\"arrivalTimestamp\":1735689602000,\"errorCode\":"
                "\"Lambda.Timeout\",\"errorMessage\":\"took \\\"too\\\" long\",\"rawData\":\"%s\"}\n"
                "{\"no\":\"rawData\"}\n", b64.data);
  put("errors/s3-failed/2025/01/01/00/st-1-2025-01-01-00-00-00-e1", body.data, body.len);
  CU_ASSERT_EQUAL(inspect(a("errors s3://%s/errors/", NULL)), 3);
  snprintf(want, sizeof(want),
           "{\"key\":\"errors/s3-failed/2025/01/01/00/st-1-2025-01-01-00-00-00-e1\",\"offset\":0,"
           "\"errorCode\":\"S3.AccessDenied\",\"errorMessage\":\"Access Denied\",\"attemptsMade\":1,"
           "\"arrivalTimestamp\":1735689600000,\"record\":{\"n\":1}}\n"
           "{\"key\":\"errors/s3-failed/2025/01/01/00/st-1-2025-01-01-00-00-00-e1\",\"offset\":%zu,"
           "\"errorCode\":\"Lambda.Timeout\",\"errorMessage\":\"took \\\"too\\\" long\","
           "\"attemptsMade\":3,\"arrivalTimestamp\":1735689602000,\"record\":\"not json\\n\"}\n",
           (size_t)(strchr(body.data, '\n') - body.data + 1));
  ASSERT_OUT(want);
  CU_ASSERT_PTR_NOT_NULL(strstr(err_text, "not a Firehose error record"));
  /* --raw: the filter looks at the error record as stored; the ones it
   * drops are not judged */
  CU_ASSERT_EQUAL(inspect(a("errors s3://%s/errors/ --raw --where errorCode=Lambda.Timeout",
                            NULL)), 0);
  CU_ASSERT_PTR_NULL(strstr(out_text, "S3.AccessDenied"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "Lambda.Timeout"));
  /* by default --where and --grep look at the decoded record: its JSON
   * fields and its text, which are base64 in the stored error record */
  CU_ASSERT_EQUAL(inspect(a("errors s3://%s/errors/ --where n=1", NULL)), 3);
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"record\":{\"n\":1}}\n"));
  CU_ASSERT_PTR_NULL(strstr(out_text, "Lambda.Timeout"));
  CU_ASSERT_EQUAL(inspect(a("errors s3://%s/errors/ --grep 'not json'", NULL)), 3);
  CU_ASSERT_PTR_NULL(strstr(out_text, "S3.AccessDenied"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "\"record\":\"not json\\n\"}\n"));
  /* --raw: the text is base64 there, and the bad line, dropped, is not judged */
  CU_ASSERT_EQUAL(inspect(a("errors s3://%s/errors/ --raw --grep 'not json'", NULL)), 0);
  ASSERT_OUT("");
  sl_buf_cleanup(&body);
  sl_buf_cleanup(&b64);
}

static void test_url_encoded_keys(void)
{
  put("enc/with space/a+b=c&d.json", "{\"k\":1}", 7);
  put("enc/\xc3\xa9t\xc3\xa9/\xc3\xbc.json", "{\"k\":2}", 7);
  put("enc/x?y#z%25~.json", "{\"k\":3}", 7);
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/enc/ --with-key", NULL)), 0);
  ASSERT_OUT(
    "{\"key\":\"enc/with space/a+b=c&d.json\",\"offset\":0,\"record\":{\"k\":1}}\n"
    "{\"key\":\"enc/x?y#z%25~.json\",\"offset\":0,\"record\":{\"k\":3}}\n"
    "{\"key\":\"enc/\xc3\xa9t\xc3\xa9/\xc3\xbc.json\",\"offset\":0,\"record\":{\"k\":2}}\n");
  CU_ASSERT_EQUAL(inspect(a("ls 's3://%s/enc/with space/'", NULL)), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "            7  enc/with space/a+b=c&d.json\n"));
}

static void test_local(void)
{
  char dir[700], want[4096];
  snprintf(dir, sizeof(dir), "--local %s/local", tmp);
  CU_ASSERT_EQUAL(inspect(dir), 64); /* no command yet: usage */
  snprintf(dir, sizeof(dir), "cat --local %s/local", tmp);
  CU_ASSERT_EQUAL(inspect(dir), 0);
  ASSERT_OUT(logs_ndjson);
  snprintf(dir, sizeof(dir), "cat --local %s/local/2025/01/01/01 --with-key", tmp);
  CU_ASSERT_EQUAL(inspect(dir), 0);
  snprintf(want, sizeof(want),
           "{\"key\":\"%s/local/%s\",\"offset\":0,\"record\":\"plain line one\"}\n"
           "{\"key\":\"%s/local/%s\",\"offset\":15,\"record\":\"line \\\"two\\\"\\twith tab\"}\n"
           "{\"key\":\"%s/local/%s\",\"offset\":0,\"record\":{\"n\":5}}\n",
           tmp, logs[2].key + 5, tmp, logs[2].key + 5, tmp, logs[3].key + 5);
  ASSERT_OUT(want);
  snprintf(dir, sizeof(dir), "stats --local %s/local --since 2025-01-01T00:00", tmp);
  CU_ASSERT_EQUAL(inspect(dir), 0);
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "objects: 3\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(out_text, "records: 5\n"));
  snprintf(dir, sizeof(dir), "cat --local %s/missing", tmp);
  CU_ASSERT_EQUAL(inspect(dir), 1);
  /* lines that are not text (a NUL, not UTF-8): printed, and bad data */
  write_file(tmp, "badtext/t", "ok\na\0b\n\xff\xfe\n\xc3\xa9\n", 13);
  snprintf(dir, sizeof(dir), "cat --local %s/badtext", tmp);
  CU_ASSERT_EQUAL(inspect(dir), 3);
  ASSERT_OUT("\"ok\"\n\"a\\u0000b\"\n\"\\ufffd\\ufffd\"\n\"\xc3\xa9\"\n");
  snprintf(want, sizeof(want), "inspect: %s/badtext/t: offset 4: text record with a NUL byte (line "
           "at 3 kept)\ninspect: %s/badtext/t: offset 7: text record with invalid UTF-8 (line at 7 "
           "kept)\n", tmp, tmp);
  SL_ASSERT_STR(err_text, want);
  snprintf(dir, sizeof(dir), "stats --local %s/badtext --json", tmp);
  CU_ASSERT_EQUAL(inspect(dir), 3);
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_itest_flat(out_text), "\"records\":4,\"parse_errors\":2,"));
}

static void test_stats(void)
{
  char want[1024], size[32];
  sl_format_bytes((uint64_t)logs_bytes, size, sizeof(size));
  CU_ASSERT_EQUAL(inspect(a("stats s3://%s/logs/ --json", NULL)), 0);
  snprintf(want, sizeof(want),
           "{\"format_version\":1,\"command\":\"stats\",\"objects\":4,\"bytes\":%lld,\"records\":7,\"parse_errors\":0,\"unreadable_objects\":0,"
           "\"first_arrival\":\"2024-12-31T23:59:58Z\",\"last_arrival\":\"2025-01-01T01:30:00Z\","
           "\"records_per_hour\":{\"2024-12-31T23\":2,\"2025-01-01T00\":2,\"2025-01-01T01\":3}}",
           logs_bytes);
  CU_ASSERT_STRING_EQUAL(sl_itest_flat(out_text), want);
  CU_ASSERT_EQUAL(inspect(a("stats s3://%s/logs/", NULL)), 0);
  snprintf(want, sizeof(want),
           "objects: 4\nbytes: %lld (%s)\nrecords: 7\nparse errors: 0\nunreadable objects: 0\n"
           "first arrival: 2024-12-31T23:59:58Z\nlast arrival: 2025-01-01T01:30:00Z\n"
           "records per hour:\n  2024-12-31T23  2\n  2025-01-01T00  2\n  2025-01-01T01  3\n",
           logs_bytes, size);
  ASSERT_OUT(want);
  /* filters: records and arrivals follow the matches, objects and bytes
   * stay what was read, and every hour read keeps its row */
  CU_ASSERT_EQUAL(inspect(a("stats s3://%s/logs/ --where level=error --json", NULL)), 0);
  snprintf(want, sizeof(want),
           "{\"format_version\":1,\"command\":\"stats\",\"objects\":4,\"bytes\":%lld,\"records\":2,\"parse_errors\":0,\"unreadable_objects\":0,"
           "\"first_arrival\":\"2024-12-31T23:59:58Z\",\"last_arrival\":\"2025-01-01T00:10:00Z\","
           "\"records_per_hour\":{\"2024-12-31T23\":1,\"2025-01-01T00\":1,\"2025-01-01T01\":0}}",
           logs_bytes);
  CU_ASSERT_STRING_EQUAL(sl_itest_flat(out_text), want);
  CU_ASSERT_EQUAL(inspect(a("stats s3://%s/logs/ --grep line", NULL)), 0);
  snprintf(want, sizeof(want),
           "objects: 4\nbytes: %lld (%s)\nrecords: 2\nparse errors: 0\nunreadable objects: 0\n"
           "first arrival: 2025-01-01T01:00:00Z\nlast arrival: 2025-01-01T01:00:00Z\n"
           "records per hour:\n  2024-12-31T23  0\n  2025-01-01T00  0\n  2025-01-01T01  2\n",
           logs_bytes, size);
  ASSERT_OUT(want);
}

/* Every GetObject answer is cut after half its body: the first GET gives
 * 1/2, each Range resume half of the rest; after 3 tries 7/8 of the object
 * was decoded exactly once, and the object counts as unreadable. */
static void test_resume_cut_download(void)
{
  struct sl_buf body, want;
  int i;
  char where[64];
  sl_buf_init(&body, 4096);
  sl_buf_init(&want, 4096);
  for(i = 10; i < 90; i++)
    sl_buf_printf(&body, "{\"r\":%d}\n", i); /* 80 records of 9 bytes */
  put("cut/obj", body.data, body.len);
  sl_buf_add(&want, body.data, 630);
  ledger_reset();
  CU_ASSERT_EQUAL(sl_itest_control("POST", "faults", "{\"seed\":1,\"truncate_body\":1.0,"
                                   "\"operations\":[\"GetObject\"]}", NULL), 200);
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/cut/", NULL)), 1);
  CU_ASSERT_EQUAL(sl_itest_control("POST", "faults", "{}", NULL), 200);
  ASSERT_OUT(want.data);
  snprintf(where, sizeof(where), "inspect: cut/obj: offset 630: ");
  CU_ASSERT_PTR_NOT_NULL(strstr(err_text, where));
  CU_ASSERT_EQUAL(summary("calls"), 4); /* one list, three gets */
  CU_ASSERT_EQUAL(inspect(a("cat s3://%s/cut/", NULL)), 0);
  ASSERT_OUT(body.data);
  sl_buf_cleanup(&body);
  sl_buf_cleanup(&want);
}

/* truncate_body for one GetObject in two, seeded so the first is cut and
 * the second (the Range request) is not. */
#define ITER_CUT_FAULTS "{\"seed\":1,\"truncate_body\":0.5,\"operations\":[\"GetObject\"]}"

static void test_iterator(void)
{
  static const size_t counts[] = { 2, 2, 2, 1 };
  struct sl_inspect_iter *it = sl_inspect_iter_new(&client, bucket, "logs/", NULL, 0);
  struct sl_inspect_records recs;
  struct sl_error err;
  const char *key;
  size_t i = 0;
  CU_ASSERT_PTR_NOT_NULL_FATAL(it);
  while(!sl_inspect_iter_next(it, &key, &recs, &err) && key && i < NLOGS) {
    CU_ASSERT_STRING_EQUAL(key, logs[i].key);
    CU_ASSERT_EQUAL(recs.n, counts[i]);
    CU_ASSERT_EQUAL(recs.data_errors, 0);
    if(i == 1 && recs.n == 2) {
      CU_ASSERT_EQUAL(recs.v[1].len, 22);
      CU_ASSERT_EQUAL(memcmp(recs.v[1].data, "{\"n\":4,\"level\":\"info\"}", 22), 0);
      CU_ASSERT_EQUAL(recs.v[1].offset, 23);
    }
    i++;
  }
  CU_ASSERT_EQUAL(i, NLOGS);
  sl_inspect_iter_free(it);
  /* resumable by key */
  it = sl_inspect_iter_new(&client, bucket, "logs/", logs[2].key, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(it);
  CU_ASSERT_EQUAL(sl_inspect_iter_next(it, &key, &recs, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(key ? key : "", logs[3].key);
  CU_ASSERT_EQUAL(sl_inspect_iter_next(it, &key, &recs, &err), SL_OK);
  CU_ASSERT_PTR_NULL(key);
  sl_inspect_iter_free(it);
}

/* The iterator resumes a cut download with Range too: the first GetObject
 * is cut after half its body, the Range request brings the rest, and the
 * object's 80 records come out exactly once. */
static void test_iterator_resumes(void)
{
  struct sl_inspect_iter *it;
  struct sl_inspect_records recs;
  struct sl_error err;
  struct sl_buf body, got;
  const char *key;
  size_t i;
  sl_buf_init(&body, 4096);
  sl_buf_init(&got, 4096);
  for(i = 10; i < 90; i++)
    sl_buf_printf(&body, "{\"r\":%zu}\n", i);
  put("itcut/obj", body.data, body.len);
  ledger_reset();
  CU_ASSERT_EQUAL(sl_itest_control("POST", "faults", ITER_CUT_FAULTS, NULL), 200);
  it = sl_inspect_iter_new(&client, bucket, "itcut/", NULL, 0);
  CU_ASSERT_PTR_NOT_NULL_FATAL(it);
  CU_ASSERT_EQUAL(sl_inspect_iter_next(it, &key, &recs, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_itest_control("POST", "faults", "{}", NULL), 200);
  CU_ASSERT_STRING_EQUAL(key ? key : "", "itcut/obj");
  CU_ASSERT_EQUAL(recs.n, 80);
  CU_ASSERT_EQUAL(recs.data_errors, 0);
  for(i = 0; i < recs.n; i++) {
    sl_buf_add(&got, recs.v[i].data, recs.v[i].len);
    sl_buf_addc(&got, '\n');
  }
  CU_ASSERT_STRING_EQUAL(got.data, body.data);
  CU_ASSERT_EQUAL(summary("calls"), 3); /* one list, the cut GET, the Range GET */
  sl_inspect_iter_free(it);
  sl_buf_cleanup(&body);
  sl_buf_cleanup(&got);
}

static const struct sl_test tests[] = {
  { "cat_exact", test_cat_exact },
  { "cat_options", test_cat_options },
  { "window_lists_hour_prefixes", test_window_lists_hour_prefixes },
  { "paging", test_paging },
  { "bad_data", test_bad_data },
  { "errors", test_errors },
  { "url_encoded_keys", test_url_encoded_keys },
  { "local", test_local },
  { "stats", test_stats },
  { "resume_cut_download", test_resume_cut_download },
  { "iterator_resumes", test_iterator_resumes },
  { "iterator", test_iterator },
  { NULL, NULL }
};

SL_TEST_MAIN("inspect", tests, setup, teardown)
