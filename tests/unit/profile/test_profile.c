/* test_profile.c — profile parsing: values, defaults, ${VAR} expansion, and
 * every error reported with file:line, section and key. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "sluice/profile.h"

static const char full[] =
  "; a full profile\n"
  "[aws]\n"
  "region = eu-west-1          ; inline comment\n"
  "profile = c$$i\n"
  "endpoint_url = ${SL_TEST_ENDPOINT}\n"
  "max_attempts = 5\n"
  "\n"
  "[bucket]\n"
  "name = acme-logs-dev\n"
  "encryption = SSE-KMS\n"
  "kms_key_id = arn:aws:kms:eu-west-1:111122223333:key/abcd\n"
  "block_public_access = false\n"
  "expire_after_days = 30\n"
  "tags = team=data, env = dev ,cost:center=42\n"
  "\n"
  "[firehose]\n"
  "name = acme-logs-dev\n"
  "source = kinesis\n"
  "prefix = logs/!{timestamp:yyyy/MM/dd}/\n"
  "error_prefix = errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/\n"
  "buffer_size_mb = 64\n"
  "buffer_interval_s = 60\n"
  "compression = gzip\n"
  "cloudwatch_logging = yes\n"
  "\n"
  "[kinesis]\n"
  "name = acme-events-dev\n"
  "mode = on_demand\n"
  "retention_hours = 48\n"
  "max_request_mb = 10\n"
  "\n"
  "[retry]\n"
  "create_attempts = 3\n"
  "create_delay_s = ${SL_TEST_UNSET:-7}\n";

static void test_full(void)
{
  struct sl_profile p;
  struct sl_error err;
  sl_error_clear(&err);
  setenv("SL_TEST_ENDPOINT", "http://127.0.0.1:4566", 1);
  unsetenv("SL_TEST_UNSET");
  sl_profile_init(&p);
  CU_ASSERT_EQUAL_FATAL(sl_profile_parse("full.ini", full, &p, NULL, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(p.aws.region, "eu-west-1");
  CU_ASSERT_STRING_EQUAL(p.aws.profile, "c$i");  /* $$ is a dollar */
  CU_ASSERT_STRING_EQUAL(p.aws.endpoint_url, "http://127.0.0.1:4566");
  CU_ASSERT_EQUAL(p.aws.max_attempts, 5);
  CU_ASSERT_STRING_EQUAL(p.bucket.name, "acme-logs-dev");
  CU_ASSERT_EQUAL(p.bucket.encryption, SL_ENC_SSE_KMS);
  CU_ASSERT_STRING_EQUAL(p.bucket.kms_key_id, "arn:aws:kms:eu-west-1:111122223333:key/abcd");
  CU_ASSERT_EQUAL(p.bucket.block_public_access, 0);
  CU_ASSERT_EQUAL(p.bucket.expire_after_days, 30);
  CU_ASSERT_EQUAL_FATAL(p.bucket.tags.n, 3);
  CU_ASSERT_STRING_EQUAL(p.bucket.tags.v[0].name, "team");
  CU_ASSERT_STRING_EQUAL(p.bucket.tags.v[0].value, "data");
  CU_ASSERT_STRING_EQUAL(p.bucket.tags.v[1].name, "env");
  CU_ASSERT_STRING_EQUAL(p.bucket.tags.v[1].value, "dev");
  CU_ASSERT_STRING_EQUAL(p.bucket.tags.v[2].name, "cost:center");
  CU_ASSERT_STRING_EQUAL(p.bucket.tags.v[2].value, "42");
  CU_ASSERT_STRING_EQUAL(p.role.name, "acme-logs-dev-firehose");
  CU_ASSERT_EQUAL(p.role.name_derived, 1);
  CU_ASSERT_EQUAL(p.firehose.source, SL_SOURCE_KINESIS);
  CU_ASSERT_STRING_EQUAL(p.firehose.prefix, "logs/!{timestamp:yyyy/MM/dd}/");
  CU_ASSERT_EQUAL(p.firehose.buffer_size_mb, 64);
  CU_ASSERT_EQUAL(p.firehose.buffer_interval_s, 60);
  CU_ASSERT_STRING_EQUAL(p.firehose.compression, "GZIP");
  CU_ASSERT_EQUAL(p.firehose.cloudwatch_logging, 1);
  CU_ASSERT_STRING_EQUAL(p.firehose.log_group, "/aws/kinesisfirehose/acme-logs-dev");
  CU_ASSERT_STRING_EQUAL(p.firehose.log_stream, "DestinationDelivery");
  CU_ASSERT_EQUAL(p.firehose.log_retention_days, 14);
  CU_ASSERT_EQUAL(p.kinesis.enabled, 1);
  CU_ASSERT_STRING_EQUAL(p.kinesis.name, "acme-events-dev");
  CU_ASSERT_EQUAL(p.kinesis.on_demand, 1);
  CU_ASSERT_EQUAL(p.kinesis.retention_hours, 48);
  CU_ASSERT_EQUAL(p.kinesis.max_request_bytes, 10L * 1024 * 1024);
  CU_ASSERT_EQUAL(p.retry.create_attempts, 3);
  CU_ASSERT_EQUAL(p.retry.create_delay_s, 7);
  sl_profile_cleanup(&p);
  unsetenv("SL_TEST_ENDPOINT");
}

static void test_defaults(void)
{
  struct sl_profile p;
  struct sl_error err;
  sl_profile_init(&p);
  CU_ASSERT_EQUAL_FATAL(sl_profile_parse("min.ini", "[bucket]\nname=b-1\n[firehose]\nname=s1\n",
                                         &p, NULL, &err), SL_OK);
  CU_ASSERT_EQUAL(p.bucket.encryption, SL_ENC_SSE_S3);
  CU_ASSERT_EQUAL(p.bucket.block_public_access, 1);
  CU_ASSERT_EQUAL(p.bucket.expire_after_days, 0);
  CU_ASSERT_EQUAL(p.firehose.source, SL_SOURCE_DIRECT);
  CU_ASSERT_EQUAL(p.firehose.buffer_size_mb, 5);
  CU_ASSERT_EQUAL(p.firehose.buffer_interval_s, 300);
  CU_ASSERT_STRING_EQUAL(p.firehose.compression, "UNCOMPRESSED");
  CU_ASSERT_EQUAL(p.kinesis.enabled, 0);
  CU_ASSERT_EQUAL(p.kinesis.max_request_bytes, 5L * 1024 * 1024);
  CU_ASSERT_EQUAL(p.retry.create_attempts, 10);
  CU_ASSERT_EQUAL(p.retry.create_delay_s, 4);
  CU_ASSERT_EQUAL(p.aws.max_attempts, 0);
  CU_ASSERT_STRING_EQUAL(p.role.name, "s1-firehose");
  sl_profile_cleanup(&p);
}

static void test_long_role_name(void)
{
  struct sl_profile p;
  struct sl_error err;
  char text[256];
  snprintf(text, sizeof(text), "[bucket]\nname=b-1\n[firehose]\nname=%s\n",
           "a234567890123456789012345678901234567890123456789012345678901234");
  sl_profile_init(&p);
  CU_ASSERT_EQUAL_FATAL(sl_profile_parse("long.ini", text, &p, NULL, &err), SL_OK);
  CU_ASSERT_EQUAL(strlen(p.role.name), 63);
  CU_ASSERT_TRUE(sl_valid_role_name(p.role.name));
  CU_ASSERT_EQUAL(strncmp(p.role.name, "a23456789012345678901234567890123456789012345-", 46), 0);
  CU_ASSERT_STRING_EQUAL(p.role.name + 54, "-firehose");
  sl_profile_cleanup(&p);
}

static const struct {
  const char *text;
  const char *message; /* exact first message */
} error_cases[] = {
  { "[bucket]\nname=b-1\n[firehose]\nname=s\n[buckets]\nx=1\n",
    "t.ini:5: unknown section [buckets] (known: aws, bucket, role, firehose, kinesis, retry, send, athena)" },
  { "[bucket]\nname=b-1\nnmae=x\n[firehose]\nname=s\n", "t.ini:3: [bucket] nmae: unknown key; did you mean 'name'?" },
  { "[bucket]\nname=b-1\nprefix=x/\n[firehose]\nname=s\n",
    "t.ini:3: [bucket] prefix: unknown key; it belongs in [firehose]" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\nbuffer_size=5\n",
    "t.ini:5: [firehose] buffer_size: unknown key; did you mean 'buffer_size_mb'?" },
  { "[aws]\nverify_ssl=false\n[bucket]\nname=b-1\n[firehose]\nname=s\n",
    "t.ini:2: [aws] verify_ssl: unknown key: TLS verification is never turned off; for a private "
    "CA set [aws] ca_bundle or AWS_CA_BUNDLE" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\n[role]\nrole_name=x\n",
    "t.ini:6: [role] role_name: unknown key (known: name, permissions_boundary)" },
  { "[bucket]\nname=Acme_Logs\n[firehose]\nname=s\n",
    "t.ini:2: [bucket] name: 'Acme_Logs' is not a valid S3 bucket name: it may hold only "
    "lowercase letters, digits, dots and hyphens" },
  { "[bucket]\nname=ab\n[firehose]\nname=s\n",
    "t.ini:2: [bucket] name: 'ab' is not a valid S3 bucket name: it must be 3 to 63 characters long" },
  { "[bucket]\nname=192.168.1.1\n[firehose]\nname=s\n",
    "t.ini:2: [bucket] name: '192.168.1.1' is not a valid S3 bucket name: it must not look like an "
    "IP address" },
  { "[bucket]\nname=a..b\n[firehose]\nname=s\n",
    "t.ini:2: [bucket] name: 'a..b' is not a valid S3 bucket name: it must not have two dots in a row" },
  { "[bucket]\nname=logs-s3alias\n[firehose]\nname=s\n",
    "t.ini:2: [bucket] name: 'logs-s3alias' is not a valid S3 bucket name: it uses a suffix AWS "
    "reserves (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\n[role]\nname=bad role\n",
    "t.ini:6: [role] name: 'bad role' is not a valid IAM role name (1-64 characters: letters, "
    "digits and _+=,.@-)" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s/1\n",
    "t.ini:4: [firehose] name: 's/1' is not a valid delivery stream name (1-64 characters: "
    "letters, digits, '_', '.', '-')" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\nbuffer_size_mb=129\n",
    "t.ini:5: [firehose] buffer_size_mb: '129' is not a whole number from 1 to 128" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\nbuffer_interval_s=9x\n",
    "t.ini:5: [firehose] buffer_interval_s: '9x' is not a whole number from 0 to 900" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\ncompression=LZ4\n",
    "t.ini:5: [firehose] compression: 'LZ4' is not one of UNCOMPRESSED, GZIP, ZIP, Snappy, "
    "HADOOP_SNAPPY" },
  { "[bucket]\nname=b-1\nblock_public_access=maybe\n[firehose]\nname=s\n",
    "t.ini:3: [bucket] block_public_access: 'maybe' is not true or false" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\nprefix=logs/!{timestamp:yyyy}/\n",
    "t.ini:5: [firehose] prefix: prefix uses expressions, so error_prefix must contain "
    "!{firehose:error-output-type}" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\nprefix=logs/!{timestamp:yyyy/\n",
    "t.ini:5: [firehose] prefix: has a !{ without its closing }" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\nprefix=logs/!{partitionKeyFromQuery:x}/\n"
    "error_prefix=e/!{firehose:error-output-type}/\n",
    "t.ini:5: [firehose] prefix: has an expression other than !{timestamp:...}, "
    "!{firehose:random-string} or !{firehose:error-output-type}" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\nsource=kinesis\n",
    "t.ini:5: [firehose] source: kinesis needs a [kinesis] section naming the source stream" },
  { "[bucket]\nname=b-1\nencryption=SSE-KMS\n[firehose]\nname=s\n",
    "t.ini:3: [bucket] kms_key_id: is required with encryption = SSE-KMS" },
  { "[firehose]\nname=s\n", "t.ini: [bucket] name: is required" },
  { "[bucket]\nname=b-1\n[aws]\nregion=${SL_TEST_NOT_SET_EVER}\n[firehose]\nname=s\n",
    "t.ini:4: [aws] region: environment variable SL_TEST_NOT_SET_EVER is not set" },
  { "[bucket]\nname=b-1\nname=b-2\n[firehose]\nname=s\n",
    "t.ini:3: [bucket] name: set twice (first on line 2)" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\nthis line is not ini\n",
    "t.ini:5: not an INI line (expected [section] or key = value)" },
  { "[aws]\nregion=EU-WEST-1\n[bucket]\nname=b-1\n[firehose]\nname=s\n",
    "t.ini:2: [aws] region: 'EU-WEST-1' is not a region name (like eu-west-1)" },
  { "[aws]\nendpoint_url=localhost:4566\n[bucket]\nname=b-1\n[firehose]\nname=s\n",
    "t.ini:2: [aws] endpoint_url: 'localhost:4566' is not an http:// or https:// URL" },
  { "[aws]\naccess_key_id=AKIDEXAMPLE\n[bucket]\nname=b-1\n[firehose]\nname=s\n",
    "t.ini:2: [aws] secret_access_key: is required with access_key_id" },
  { "[bucket]\nname=b-1\ntags=team\n[firehose]\nname=s\n",
    "t.ini:3: [bucket] tags: tag 'team' is not key=value" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\n[kinesis]\nname=k\nmode=on_demand\nshards=2\n",
    "t.ini:8: [kinesis] shards: is only used with mode = provisioned" },
  { "[bucket]\nname=b-1\n[firehose]\nname=s\n[kinesis]\nname=k\nmax_request_mb=11\n",
    "t.ini:7: [kinesis] max_request_mb: '11' is not a whole number from 5 to 10" },
  { "name=x\n[bucket]\nname=b-1\n[firehose]\nname=s\n", "t.ini:1: key 'name' is outside any section" },
  { "[bucket]\nname=b-1\n[role]\npermissions_boundary=AdministratorAccess\n[firehose]\nname=s\n",
    "t.ini:4: [role] permissions_boundary: 'AdministratorAccess' is not a managed policy ARN "
    "(arn:aws:iam::<account or aws>:policy/<name>)" },
  { "[bucket]\nname=b-1\ntls_only=yes\n[firehose]\nname=s\n",
    "t.ini:3: [bucket] tls_only: 'yes' is not one of auto, true, false" },
  { "[aws]\nendpoint_url=http://127.0.0.1:4566\n[bucket]\nname=b-1\ntls_only=true\n"
    "[firehose]\nname=s\n",
    "t.ini:5: [bucket] tls_only: true, but the S3 endpoint http://127.0.0.1:4566 is plain http: "
    "the TLS-only statement would deny sluice's own requests (use tls_only = auto, or an https "
    "endpoint)" },
};

static void test_errors(void)
{
  size_t i;
  for(i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
    struct sl_profile p;
    struct sl_error err;
    sl_error_clear(&err);
    sl_profile_init(&p);
    CU_ASSERT_EQUAL(sl_profile_parse("t.ini", error_cases[i].text, &p, NULL, &err), SL_E_CONFIG);
    if(strcmp(err.message, error_cases[i].message))
      fprintf(stderr, "\ncase %zu: got %s\n", i, err.message);
    CU_ASSERT_STRING_EQUAL(err.message, error_cases[i].message);
    sl_profile_cleanup(&p);
  }
}

/* Past 50 diagnostics the rest are counted, not dropped without a word; a
 * folder given as the profile is named as one. */
static void test_many_diagnostics_and_folder(void)
{
  struct sl_profile p;
  struct sl_error err;
  struct sl_buf d, text;
  const char *last;
  int i;
  sl_buf_init(&d, 65536);
  sl_buf_init(&text, 65536);
  sl_buf_adds(&text, "[bucket]\nname=b-1\n");
  for(i = 0; i < 60; i++)
    sl_buf_printf(&text, "zz%d=1\n", i);
  sl_buf_adds(&text, "[firehose]\nname=s\n");
  sl_profile_init(&p);
  CU_ASSERT_EQUAL(sl_profile_parse("t.ini", text.data, &p, &d, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.data, "t.ini:52: [bucket] zz49: unknown key"));
  CU_ASSERT_PTR_NULL(strstr(d.data, "zz50"));
  last = d.len > 1 ? d.data + d.len - 2 : d.data;
  while(last > d.data && last[-1] != '\n')
    last--;
  CU_ASSERT_STRING_EQUAL(last, "t.ini: ... and 10 more problems not shown\n");
  sl_profile_cleanup(&p);
  sl_buf_reset(&d);
  sl_profile_init(&p);
  CU_ASSERT_EQUAL(sl_profile_load(sl_test_tmpdir(), &p, &d, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, ": is a directory, not a profile"));
  CU_ASSERT_EQUAL(strncmp(err.message, sl_test_tmpdir(), strlen(sl_test_tmpdir())), 0);
  sl_profile_cleanup(&p);
  sl_buf_cleanup(&d);
  sl_buf_cleanup(&text);
}

static void test_all_diagnostics(void)
{
  struct sl_profile p;
  struct sl_error err;
  struct sl_buf d;
  sl_buf_init(&d, 65536);
  sl_profile_init(&p);
  CU_ASSERT_EQUAL(sl_profile_parse("t.ini", "[bucket]\nname=b-1\nfoo=1\n[firehose]\nname=s\n"
                                   "bar=2\nbuffer_size_mb=0\n", &p, &d, &err), SL_E_CONFIG);
  CU_ASSERT_STRING_EQUAL(d.data, "t.ini:3: [bucket] foo: unknown key (known: name, encryption, "
                                 "kms_key_id, block_public_access, expire_after_days, tags, "
                                 "tls_only)\n"
                                 "t.ini:6: [firehose] bar: unknown key (known: name, source, "
                                 "prefix, error_prefix, buffer_size_mb, buffer_interval_s, "
                                 "compression, cloudwatch_logging, log_group, log_stream, "
                                 "log_retention_days)\n"
                                 "t.ini:7: [firehose] buffer_size_mb: '0' is not a whole number "
                                 "from 1 to 128\n");
  sl_profile_cleanup(&p);
  sl_buf_cleanup(&d);
}

/* Reading and whole-profile checks report in one pass: a refused value,
 * a missing required key and a bad name all at once, each key once. Bad
 * UTF-8, control characters, a section given twice and AWS tag and log
 * name rules are found before any call. */
static void test_one_pass(void)
{
  static const char text[] =
    "[bucket]\n"
    "name = Bad_Bucket\n"                          /* 2: S3 naming (a check) */
    "tags = team=d\xc3\x28ta, aws:x=1\n"          /* 3: ill-formed UTF-8 */
    "[firehose]\n"
    "buffer_size_mb = 999\n"                       /* 5: refused while reading */
    "prefix = logs/\x01/\n"                        /* 6: control character */
    "cloudwatch_logging = true\n"
    "log_group = /aws/fh/a:b\n"                    /* 8: log group name rule */
    "[bucket]\n"                                  /* 9: section twice */
    "expire_after_days = 7\n"
    "[role]\n"
    "name = r\n"
    "[role]\n";                                   /* 13: twice again */
  static const char tags[] = "[bucket]\nname=b-1\ntags = a=1, aws:owner=me\n[firehose]\nname=s\n";
  static const char dup_tag[] = "[bucket]\nname=b-1\ntags = a=1, a=2\n[firehose]\nname=s\n";
  static const char bad_char[] = "[bucket]\nname=b-1\ntags = a=x;y\n[firehose]\nname=s\n";
  static const char stream[] = "[bucket]\nname=b-1\n[firehose]\nname=s\ncloudwatch_logging=true\n"
                               "log_stream = a*b\n";
  static const char unused[] = "[bucket]\nname=b-1\n[firehose]\nname=s\nlog_group = /g\n";
  static const char days[] = "[bucket]\nname=b-1\n[firehose]\nname=s\ncloudwatch_logging=true\n"
                             "log_retention_days = 10\n";
  static const char days_unused[] = "[bucket]\nname=b-1\n[firehose]\nname=s\n"
                                    "log_retention_days = 30\n";
  struct sl_profile p;
  struct sl_error err;
  struct sl_buf d;
  sl_buf_init(&d, 65536);
  sl_profile_init(&p);
  CU_ASSERT_EQUAL(sl_profile_parse("t.ini", text, &p, &d, &err), SL_E_CONFIG);
  CU_ASSERT_STRING_EQUAL(d.data,
    "t.ini:3: [bucket] tags: not valid UTF-8 (byte 0xc3 at column 7)\n"
    "t.ini:5: [firehose] buffer_size_mb: '999' is not a whole number from 1 to 128\n"
    "t.ini:6: [firehose] prefix: control character 0x01 at column 6 (values are printable text)\n"
    "t.ini:9: section [bucket] appears twice (first on line 1)\n"
    "t.ini:13: section [role] appears twice (first on line 11)\n"
    "t.ini:2: [bucket] name: 'Bad_Bucket' is not a valid S3 bucket name: it may hold only "
    "lowercase letters, digits, dots and hyphens\n"
    "t.ini:4: [firehose] name: is required\n"
    "t.ini:8: [firehose] log_group: '/aws/fh/a:b' is not a valid log group name (1-512 "
    "characters: letters, digits and _ - / . #)\n");
  sl_profile_cleanup(&p);
  {
    static const struct { const char *text, *want; } cases[] = {
      { tags, "t.ini:3: [bucket] tags: tag 'aws:owner': keys starting with aws: are reserved for AWS" },
      { dup_tag, "t.ini:3: [bucket] tags: tag key 'a' appears twice" },
      { bad_char, "t.ini:3: [bucket] tags: tag 'a=x;y': only letters, digits, spaces and _ . : / = + - @ "
                  "are allowed" },
      { stream, "t.ini:6: [firehose] log_stream: 'a*b' is not a valid log stream name (no ':' or '*')" },
      { unused, "t.ini:5: [firehose] log_group: is only used with cloudwatch_logging = true" },
      { days, "t.ini:6: [firehose] log_retention_days: 10 is not a CloudWatch Logs retention "
              "period (0 = never expire, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, "
              "545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)" },
      { days_unused, "t.ini:5: [firehose] log_retention_days: is only used with "
                     "cloudwatch_logging = true" },
    };
    size_t i;
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      sl_error_clear(&err);
      sl_profile_init(&p);
      CU_ASSERT_EQUAL(sl_profile_parse("t.ini", cases[i].text, &p, NULL, &err), SL_E_CONFIG);
      if(strcmp(err.message, cases[i].want))
        fprintf(stderr, "\ncase %zu: got %s\n", i, err.message);
      CU_ASSERT_STRING_EQUAL(err.message, cases[i].want);
      sl_profile_cleanup(&p);
    }
  }
  sl_buf_cleanup(&d);
}

/* Every diagnostic a secret's line can give names the key, never the
 * value; the same mistakes in another key still quote it. */
static void test_secret_values_not_quoted(void)
{
  static const char text[] =
    "[aws]\n"
    "access_key_id = AKIDEXAMPLE\n"
    "secret_access_key = wJalrSECRETzz${HOME\n"
    "session_token = FwoGSECRETTOKENzz${}\n"
    "secret_access_key = wJalrSECRETzzTwice\n"
    "secret_acess_key = wJalrSECRETzzTypo\n"
    "profile = ci${HOME\n"
    "[bucket]\nname=b-1\n[firehose]\nname=s\n";
  struct sl_profile p;
  struct sl_error err;
  struct sl_buf d, big;
  int i;
  sl_buf_init(&d, 65536);
  sl_buf_init(&big, 65536);
  sl_profile_init(&p);
  CU_ASSERT_EQUAL(sl_profile_parse("t.ini", text, &p, &d, &err), SL_E_CONFIG);
  CU_ASSERT_STRING_EQUAL(d.data,
    "t.ini:3: [aws] secret_access_key: unterminated ${ in the value\n"
    "t.ini:4: [aws] session_token: bad variable reference in the value\n"
    "t.ini:5: [aws] secret_access_key: set twice (first on line 3)\n"
    "t.ini:6: [aws] secret_acess_key: unknown key; did you mean 'secret_access_key'?\n"
    "t.ini:7: [aws] profile: unterminated ${ in 'ci${HOME'\n");
  CU_ASSERT_PTR_NULL(strstr(d.data, "SECRET"));
  CU_ASSERT_PTR_NULL(strstr(err.message, "SECRET"));
  sl_profile_cleanup(&p);
  /* too long: the length, not the value */
  sl_buf_adds(&big, "[aws]\naccess_key_id = AKIDEXAMPLE\nsecret_access_key = ");
  for(i = 0; i < 20; i++)
    sl_buf_adds(&big, "SECRETzzzz");
  sl_buf_adds(&big, "\n[bucket]\nname=b-1\n[firehose]\nname=s\n");
  sl_buf_reset(&d);
  sl_profile_init(&p);
  CU_ASSERT_EQUAL(sl_profile_parse("t.ini", big.data, &p, &d, &err), SL_E_CONFIG);
  CU_ASSERT_STRING_EQUAL(d.data, "t.ini:3: [aws] secret_access_key: too long (200 characters, "
                                 "at most 127)\n");
  CU_ASSERT_PTR_NULL(strstr(err.message, "SECRET"));
  sl_profile_cleanup(&p);
  sl_buf_cleanup(&d);
  sl_buf_cleanup(&big);
}

static void test_load_file(void)
{
  struct sl_profile p;
  struct sl_error err;
  char path[512];
  FILE *f;
  snprintf(path, sizeof(path), "%s/p.ini", sl_test_tmpdir());
  f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("[aws]\r\nregion = us-east-1\r\nsession_token = ", f);
  {
    int i;
    for(i = 0; i < 2000; i++)
      fputc('A' + i % 26, f);
  }
  fputs("\r\naccess_key_id = AKID\r\nsecret_access_key = abc/def+ghi=\r\n[bucket]\r\nname = b-1\r\n"
        "[firehose]\r\nname = s\r\n", f);
  fclose(f);
  sl_profile_init(&p);
  sl_error_clear(&err);
  if(sl_profile_load(path, &p, NULL, &err))
    fprintf(stderr, "\nload: %s\n", err.message);
  CU_ASSERT_EQUAL_FATAL(err.message[0], 0);
  CU_ASSERT_STRING_EQUAL(p.path, path);
  CU_ASSERT_STRING_EQUAL(p.aws.region, "us-east-1");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p.aws.static_session_token);
  CU_ASSERT_EQUAL(strlen(p.aws.static_session_token), 2000);
  CU_ASSERT_STRING_EQUAL(p.aws.static_secret_access_key, "abc/def+ghi=");
  sl_profile_cleanup(&p);

  sl_profile_init(&p);
  sl_error_clear(&err);
  snprintf(path, sizeof(path), "%s/missing.ini", sl_test_tmpdir());
  CU_ASSERT_EQUAL(sl_profile_load(path, &p, NULL, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "missing.ini: cannot open profile"));
  sl_profile_cleanup(&p);
}

static void test_name_rules(void)
{
  CU_ASSERT_TRUE(sl_valid_bucket_name("my.bucket-1", NULL));
  CU_ASSERT_FALSE(sl_valid_bucket_name("-abc", NULL));
  CU_ASSERT_FALSE(sl_valid_bucket_name("xn--abc", NULL));
  CU_ASSERT_TRUE(sl_valid_role_name("a+=,.@_-Z9"));
  CU_ASSERT_FALSE(sl_valid_role_name(""));
  CU_ASSERT_FALSE(sl_valid_role_name("a/b"));
  CU_ASSERT_TRUE(sl_valid_policy_arn("arn:aws:iam::aws:policy/AdministratorAccess"));
  CU_ASSERT_TRUE(sl_valid_policy_arn("arn:aws:iam::123456789012:policy/team/boundary+x"));
  CU_ASSERT_TRUE(sl_valid_policy_arn("arn:aws-us-gov:iam::123456789012:policy/b"));
  CU_ASSERT_FALSE(sl_valid_policy_arn("arn:aws:iam::12345678901:policy/b"));   /* 11 digits */
  CU_ASSERT_FALSE(sl_valid_policy_arn("arn:aws:iam::123456789012:role/b"));
  CU_ASSERT_FALSE(sl_valid_policy_arn("arn:aws:iam::aws:policy/"));
  CU_ASSERT_FALSE(sl_valid_policy_arn("arn:aws:s3:::bucket"));
  CU_ASSERT_FALSE(sl_valid_policy_arn("AdministratorAccess"));
  CU_ASSERT_FALSE(sl_valid_policy_arn("arn:aws:iam::aws:policy/a b"));
  CU_ASSERT_TRUE(sl_valid_kinesis_name("a.b_c-d"));
  CU_ASSERT_FALSE(sl_valid_kinesis_name("a b"));
  CU_ASSERT_TRUE(sl_valid_prefixes("", "", NULL));
  CU_ASSERT_TRUE(sl_valid_prefixes("a/!{firehose:random-string}/",
                                   "e/!{firehose:error-output-type}/", NULL));
  CU_ASSERT_FALSE(sl_valid_prefixes("a/!{firehose:error-output-type}/",
                                    "e/!{firehose:error-output-type}/", NULL));
}

/* tls_only against the endpoint in effect: auto follows the scheme, true
 * over http is a profile error naming the file and line, false is off. */
static void test_tls_only(void)
{
  static const struct {
    const char *setting;  /* "" = not set */
    const char *endpoint; /* "" = AWS */
    enum sl_result r;
    int on;
    const char *why;
  } cases[] = {
    { "", "", SL_OK, 1, "the S3 endpoint is https" },
    { "", "http://127.0.0.1:4566", SL_OK, 0, "the S3 endpoint is http" },
    { "", "https://127.0.0.1:4566", SL_OK, 1, "the S3 endpoint is https" },
    { "tls_only = auto\n", "http://localhost:9000", SL_OK, 0, "the S3 endpoint is http" },
    { "tls_only = false\n", "", SL_OK, 0, "tls_only = false" },
    { "tls_only = TRUE\n", "", SL_OK, 1, "tls_only = true" },
    { "tls_only = true\n", "http://127.0.0.1:4566", SL_E_CONFIG, 1, "" },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_profile p;
    struct sl_aws_config cfg;
    struct sl_error err;
    char text[256];
    const char *why = "x";
    int on = -1;
    sl_error_clear(&err);
    sl_profile_init(&p);
    snprintf(text, sizeof(text), "[aws]\nregion=eu-west-1\n[bucket]\nname=b-1\n%s[firehose]\nname=s\n",
             cases[i].setting);
    CU_ASSERT_EQUAL_FATAL(sl_profile_parse("t.ini", text, &p, NULL, &err), SL_OK);
    snprintf(p.path, sizeof(p.path), "t.ini");
    CU_ASSERT_EQUAL(p.bucket.tls_only_line, cases[i].setting[0] ? 5 : 0);
    sl_aws_config_init(&cfg);
    snprintf(cfg.region, sizeof(cfg.region), "eu-west-1");
    /* the endpoint may come from the environment: here it is set as resolved */
    snprintf(cfg.endpoint_url, sizeof(cfg.endpoint_url), "%s", cases[i].endpoint);
    CU_ASSERT_EQUAL(sl_profile_tls_only(&p, &cfg, &on, &why, &err), cases[i].r);
    CU_ASSERT_EQUAL(on, cases[i].on);
    if(!cases[i].r) {
      CU_ASSERT_STRING_EQUAL(why, cases[i].why);
    }
    else {
      CU_ASSERT_STRING_EQUAL(err.message, "t.ini:5: [bucket] tls_only: true, but the S3 endpoint "
                             "http://127.0.0.1:4566 is plain http: the TLS-only statement would "
                             "deny sluice's own requests (use tls_only = auto, or an https "
                             "endpoint)");
    }
    sl_aws_config_cleanup(&cfg);
    sl_profile_cleanup(&p);
  }
}

/* Each command checks what it needs; the message names it. */
static const struct {
  const char *text;
  unsigned needs;
  const char *error;   /* NULL = valid */
} need_cases[] = {
  { "[aws]\nregion = eu-west-1\n[kinesis]\nname = events\n", SL_PROFILE_NEED_STREAM, NULL },
  { "[firehose]\nname = logs\n", SL_PROFILE_NEED_STREAM, NULL },
  { "[firehose]\nname = logs\n", SL_PROFILE_NEED_FIREHOSE, NULL },
  { "[aws]\nregion = eu-west-1\n", SL_PROFILE_NEED_STREAM,
    "t.ini: [firehose] name: is required by provision send" },
  { "[kinesis]\nname = events\n", SL_PROFILE_NEED_FIREHOSE,
    "t.ini: [firehose] name: is required by provision send" },
  { "[firehose]\nname = logs\n", SL_PROFILE_NEED_KINESIS,
    "t.ini: [kinesis] name: is required by provision send" },
  { "[kinesis]\nshards = 2\n", SL_PROFILE_NEED_STREAM,
    "t.ini:1: [kinesis] name: is required by provision send" },
  /* A section that is there is checked even when not needed. */
  { "[kinesis]\nname = events\n[bucket]\nencryption = SSE-S3\n", SL_PROFILE_NEED_STREAM,
    "t.ini:3: [bucket] name: is required by provision send" },
  { "[kinesis]\nname = events\n[firehose]\nprefix = x/\n", SL_PROFILE_NEED_STREAM,
    "t.ini:3: [firehose] name: is required by provision send" },
  { "[kinesis]\nname = bad name\n", SL_PROFILE_NEED_STREAM,
    "t.ini:2: [kinesis] name: 'bad name' is not a valid stream name (1-128 characters: "
    "letters, digits, '_', '.', '-')" },
  { "[bucket]\nname = b-1\n", SL_PROFILE_NEED_BUCKET, NULL },
  { "[bucket]\nname = b-1\n", SL_PROFILE_NEED_PIPELINE,
    "t.ini: [firehose] name: is required by provision send" },
};

static void test_needs(void)
{
  size_t i;
  for(i = 0; i < sizeof(need_cases) / sizeof(need_cases[0]); i++) {
    struct sl_profile p;
    struct sl_error err;
    sl_profile_init(&p);
    sl_error_clear(&err);
    if(!need_cases[i].error) {
      CU_ASSERT_EQUAL(sl_profile_parse_for("t.ini", need_cases[i].text, need_cases[i].needs,
                                           "provision send", &p, NULL, &err), SL_OK);
    }
    else {
      CU_ASSERT_EQUAL(sl_profile_parse_for("t.ini", need_cases[i].text, need_cases[i].needs,
                                           "provision send", &p, NULL, &err), SL_E_CONFIG);
      CU_ASSERT_STRING_EQUAL(err.message, need_cases[i].error);
    }
    sl_profile_cleanup(&p);
  }
  /* The pipeline parse keeps its words. */
  {
    struct sl_profile p;
    struct sl_error err;
    sl_profile_init(&p);
    CU_ASSERT_EQUAL(sl_profile_parse("t.ini", "[kinesis]\nname = events\n", &p, NULL, &err),
                    SL_E_CONFIG);
    CU_ASSERT_STRING_EQUAL(err.message, "t.ini: [bucket] name: is required");
    sl_profile_cleanup(&p);
  }
}

static const struct sl_test tests[] = {
  { "needs per command", test_needs },
  { "full profile", test_full },
  { "defaults", test_defaults },
  { "long role name", test_long_role_name },
  { "errors with file:line", test_errors },
  { "all diagnostics", test_all_diagnostics },
  { "over 50 diagnostics, a folder", test_many_diagnostics_and_folder },
  { "tls_only follows the S3 endpoint", test_tls_only },
  { "one pass: every problem at once", test_one_pass },
  { "secret values never quoted in diagnostics", test_secret_values_not_quoted },
  { "load file", test_load_file },
  { "name rules", test_name_rules },
  { NULL, NULL }
};

SL_TEST_MAIN("profile", tests, NULL, NULL)
