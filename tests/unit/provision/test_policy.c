/* test_policy.c — the policy documents provisioning writes, byte for byte
 * per profile variant (least privilege: only what each variant needs), and
 * the canonical JSON comparison that decides whether a policy differs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice/s3.h"
#include "sluice/provision.h"

#define ACCOUNT "111122223333"

/* ------------------------------------------------------------------ documents */

struct variant {
  const char *what;
  const char *profile;
  const char *role_policy;
};

static const struct variant variants[] = {
  { "direct put, SSE-S3, literal prefixes",
    "[aws]\nregion = us-east-1\n[bucket]\nname = bkt1\n"
    "[firehose]\nname = f1\nprefix = logs/\nerror_prefix = errors/!{firehose:error-output-type}/\n",
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"S3Bucket\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetBucketLocation\","
    "\"s3:ListBucket\",\"s3:ListBucketMultipartUploads\"],\"Resource\":\"arn:aws:s3:::bkt1\"},"
    "{\"Sid\":\"S3Objects\",\"Effect\":\"Allow\",\"Action\":[\"s3:AbortMultipartUpload\","
    "\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":[\"arn:aws:s3:::bkt1/logs/*\","
    "\"arn:aws:s3:::bkt1/errors/*\"]}]}" },

  { "kinesis source adds read on that stream only",
    "[aws]\nregion = eu-west-1\n[bucket]\nname = bkt2\n"
    "[firehose]\nname = f2\nsource = kinesis\nprefix = ev/!{timestamp:yyyy}/\n"
    "error_prefix = ev-err/!{firehose:error-output-type}/\n[kinesis]\nname = k2\n",
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"S3Bucket\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetBucketLocation\","
    "\"s3:ListBucket\",\"s3:ListBucketMultipartUploads\"],\"Resource\":\"arn:aws:s3:::bkt2\"},"
    "{\"Sid\":\"S3Objects\",\"Effect\":\"Allow\",\"Action\":[\"s3:AbortMultipartUpload\","
    "\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":[\"arn:aws:s3:::bkt2/ev/*\","
    "\"arn:aws:s3:::bkt2/ev-err/*\"]},"
    "{\"Sid\":\"KinesisSource\",\"Effect\":\"Allow\",\"Action\":[\"kinesis:DescribeStream\","
    "\"kinesis:GetShardIterator\",\"kinesis:GetRecords\",\"kinesis:ListShards\"],"
    "\"Resource\":\"arn:aws:kinesis:eu-west-1:" ACCOUNT ":stream/k2\"}]}" },

  { "SSE-KMS and logging add KMS (via S3, bucket context) and PutLogEvents",
    "[aws]\nregion = eu-west-1\n[bucket]\nname = bkt3\nencryption = SSE-KMS\n"
    "kms_key_id = arn:aws:kms:eu-west-1:" ACCOUNT ":key/k-1\n"
    "[firehose]\nname = f3\nprefix = !{timestamp:yyyy}/\n"
    "error_prefix = fail/!{firehose:error-output-type}/\ncloudwatch_logging = true\n",
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"S3Bucket\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetBucketLocation\","
    "\"s3:ListBucket\",\"s3:ListBucketMultipartUploads\"],\"Resource\":\"arn:aws:s3:::bkt3\"},"
    "{\"Sid\":\"S3Objects\",\"Effect\":\"Allow\",\"Action\":[\"s3:AbortMultipartUpload\","
    "\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":[\"arn:aws:s3:::bkt3/*\","
    "\"arn:aws:s3:::bkt3/fail/*\"]},"
    "{\"Sid\":\"KmsForS3\",\"Effect\":\"Allow\",\"Action\":[\"kms:GenerateDataKey\","
    "\"kms:Decrypt\"],\"Resource\":\"arn:aws:kms:eu-west-1:" ACCOUNT ":key/k-1\","
    "\"Condition\":{\"StringEquals\":{\"kms:ViaService\":\"s3.eu-west-1.amazonaws.com\","
    "\"kms:EncryptionContext:aws:s3:arn\":\"arn:aws:s3:::bkt3\"}}},"
    "{\"Sid\":\"CloudWatchLogs\",\"Effect\":\"Allow\",\"Action\":\"logs:PutLogEvents\","
    "\"Resource\":\"arn:aws:logs:eu-west-1:" ACCOUNT ":log-group:/aws/kinesisfirehose/f3:"
    "log-stream:DestinationDelivery\"}]}" },

  { "no error prefix: objects below the data prefix only",
    "[aws]\nregion = us-west-2\n[bucket]\nname = bkt4\n[firehose]\nname = f4\nprefix = data/\n",
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"S3Bucket\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetBucketLocation\","
    "\"s3:ListBucket\",\"s3:ListBucketMultipartUploads\"],\"Resource\":\"arn:aws:s3:::bkt4\"},"
    "{\"Sid\":\"S3Objects\",\"Effect\":\"Allow\",\"Action\":[\"s3:AbortMultipartUpload\","
    "\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":[\"arn:aws:s3:::bkt4/data/*\"]}]}" },

  { "China partition, bare key id",
    "[aws]\nregion = cn-north-1\n[bucket]\nname = bkt5\nencryption = SSE-KMS\nkms_key_id = k-5\n"
    "[firehose]\nname = f5\nprefix = same/\nerror_prefix = same/\n",
    "{\"Version\":\"2012-10-17\",\"Statement\":["
    "{\"Sid\":\"S3Bucket\",\"Effect\":\"Allow\",\"Action\":[\"s3:GetBucketLocation\","
    "\"s3:ListBucket\",\"s3:ListBucketMultipartUploads\"],\"Resource\":\"arn:aws-cn:s3:::bkt5\"},"
    "{\"Sid\":\"S3Objects\",\"Effect\":\"Allow\",\"Action\":[\"s3:AbortMultipartUpload\","
    "\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":[\"arn:aws-cn:s3:::bkt5/same/*\"]},"
    "{\"Sid\":\"KmsForS3\",\"Effect\":\"Allow\",\"Action\":[\"kms:GenerateDataKey\","
    "\"kms:Decrypt\"],\"Resource\":\"arn:aws-cn:kms:cn-north-1:" ACCOUNT ":key/k-5\","
    "\"Condition\":{\"StringEquals\":{\"kms:ViaService\":\"s3.cn-north-1.amazonaws.com.cn\","
    "\"kms:EncryptionContext:aws:s3:arn\":\"arn:aws-cn:s3:::bkt5\"}}}]}" },
};

static void test_role_policies(void)
{
  size_t i;
  for(i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
    struct sl_profile p;
    struct sl_prov_desired d;
    struct sl_error err;
    sl_error_clear(&err);
    sl_profile_init(&p);
    if(sl_profile_parse("v.ini", variants[i].profile, &p, NULL, &err)) {
      fprintf(stderr, "variant '%s': %s\n", variants[i].what, err.message);
      CU_FAIL("profile does not parse");
      sl_profile_cleanup(&p);
      continue;
    }
    CU_ASSERT_EQUAL_FATAL(sl_prov_desired_init(&d, &p, NULL, ACCOUNT, &err), SL_OK);
    if(strcmp(d.role_policy, variants[i].role_policy))
      fprintf(stderr, "variant '%s':\n got %s\nwant %s\n", variants[i].what, d.role_policy,
              variants[i].role_policy);
    CU_ASSERT_STRING_EQUAL(d.role_policy, variants[i].role_policy);
    sl_prov_desired_cleanup(&d);
    sl_profile_cleanup(&p);
  }
}

static void test_trust_and_bucket_policy(void)
{
  struct sl_buf b;
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&b, 4096), SL_OK);
  CU_ASSERT_EQUAL(sl_policy_trust(ACCOUNT, &b), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data,
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":"
    "{\"Service\":\"firehose.amazonaws.com\"},\"Action\":\"sts:AssumeRole\",\"Condition\":"
    "{\"StringEquals\":{\"sts:ExternalId\":\"" ACCOUNT "\"}}}]}");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_policy_bucket_tls("arn:aws:s3:::logs-1", &b), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data,
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"DenyInsecureTransport\","
    "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":"
    "[\"arn:aws:s3:::logs-1\",\"arn:aws:s3:::logs-1/*\"],\"Condition\":{\"Bool\":"
    "{\"aws:SecureTransport\":\"false\"}}}]}");
  sl_buf_cleanup(&b);
}

static void test_default_role_name(void)
{
  char a[65], b[65];
  const char *long1 = "stream-with-a-long-name-0123456789012345678901234567890123456789a";
  const char *long2 = "stream-with-a-long-name-0123456789012345678901234567890123456789b";
  sl_prov_default_role_name("logs", "eu-west-1", a, sizeof(a));
  CU_ASSERT_STRING_EQUAL(a, "logs-eu-west-1-firehose");
  /* Past 64 characters: cut, and a hash keeps two long names apart. */
  sl_prov_default_role_name(long1, "ap-southeast-2", a, sizeof(a));
  sl_prov_default_role_name(long2, "ap-southeast-2", b, sizeof(b));
  CU_ASSERT_EQUAL(strlen(a), 64);
  CU_ASSERT_TRUE(sl_valid_role_name(a));
  CU_ASSERT_STRING_EQUAL(a + 64 - strlen("-ap-southeast-2-firehose"), "-ap-southeast-2-firehose");
  CU_ASSERT_EQUAL(strncmp(a, long1, 31), 0);
  CU_ASSERT_STRING_NOT_EQUAL(a, b);
  /* The same stream in two regions: two roles. */
  sl_prov_default_role_name("logs", "us-east-1", b, sizeof(b));
  CU_ASSERT_STRING_NOT_EQUAL(b, "logs-eu-west-1-firehose");
}

static void diff_collect(void *ud, char sign, const char *statement)
{
  struct sl_buf *b = ud;
  sl_buf_printf(b, "%c %s\n", sign, statement);
}

/* Statements added, removed and changed (same Sid: - then +), in canonical
 * JSON; what is in both is not shown, order and key order do not matter. */
static void test_policy_diff(void)
{
  static const char before[] =
    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"Keep\",\"Effect\":\"Allow\","
    "\"Action\":\"s3:GetObject\",\"Resource\":\"*\"},{\"Sid\":\"Write\",\"Effect\":\"Allow\","
    "\"Action\":[\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::b/*\"},{\"Effect\":\"Allow\","
    "\"Action\":\"*\",\"Resource\":\"*\"}]}";
  static const char after[] =
    "{\"Statement\":[{\"Resource\":\"arn:aws:s3:::b/logs/*\",\"Action\":\"s3:PutObject\","
    "\"Effect\":\"Allow\",\"Sid\":\"Write\"},{\"Action\":[\"s3:GetObject\"],\"Effect\":\"Allow\","
    "\"Resource\":[\"*\"],\"Sid\":\"Keep\"},{\"Sid\":\"New\",\"Effect\":\"Deny\","
    "\"Action\":\"s3:DeleteObject\",\"Resource\":\"*\"}],\"Version\":\"2012-10-17\"}";
  struct sl_buf b;
  sl_buf_init(&b, 65536);
  CU_ASSERT_EQUAL(sl_policy_diff(before, after, diff_collect, &b, NULL), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data,
    "- {\"Action\":\"s3:PutObject\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:s3:::b/*\","
    "\"Sid\":\"Write\"}\n"
    "+ {\"Action\":\"s3:PutObject\",\"Effect\":\"Allow\",\"Resource\":\"arn:aws:s3:::b/logs/*\","
    "\"Sid\":\"Write\"}\n"
    "- {\"Action\":\"*\",\"Effect\":\"Allow\",\"Resource\":\"*\"}\n"
    "+ {\"Action\":\"s3:DeleteObject\",\"Effect\":\"Deny\",\"Resource\":\"*\",\"Sid\":\"New\"}\n");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_policy_diff(after, after, diff_collect, &b, NULL), SL_OK);
  CU_ASSERT_EQUAL(b.len, 0);
  CU_ASSERT_EQUAL(sl_policy_diff(NULL, "{\"Statement\":{\"Effect\":\"Deny\"}}", diff_collect, &b,
                                 NULL), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "+ {\"Effect\":\"Deny\"}\n");
  CU_ASSERT_EQUAL(sl_policy_diff("{nope", NULL, diff_collect, &b, NULL), SL_E_PARSE);
  sl_buf_cleanup(&b);
}

static void test_desired_arns(void)
{
  struct sl_profile p;
  struct sl_prov_desired d;
  struct sl_error err;
  sl_profile_init(&p);
  CU_ASSERT_EQUAL_FATAL(sl_profile_parse("a.ini", variants[1].profile, &p, NULL, &err), SL_OK);
  /* The effective region wins over the profile's. */
  CU_ASSERT_EQUAL_FATAL(sl_prov_desired_init(&d, &p, "us-gov-west-1", ACCOUNT, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(d.partition, "aws-us-gov");
  CU_ASSERT_STRING_EQUAL(d.bucket_arn, "arn:aws-us-gov:s3:::bkt2");
  /* The default role name carries the region (IAM is global); the old one is kept to name. */
  CU_ASSERT_STRING_EQUAL(d.role_arn,
                         "arn:aws-us-gov:iam::" ACCOUNT ":role/f2-us-gov-west-1-firehose");
  CU_ASSERT_STRING_EQUAL(d.role_name, "f2-us-gov-west-1-firehose");
  CU_ASSERT_STRING_EQUAL(d.legacy_role, "f2-firehose");
  CU_ASSERT_STRING_EQUAL(d.kinesis_arn,
                         "arn:aws-us-gov:kinesis:us-gov-west-1:" ACCOUNT ":stream/k2");
  CU_ASSERT_STRING_EQUAL(d.kms_key_arn, "");
  sl_prov_desired_cleanup(&d);
  sl_profile_cleanup(&p);
}

static void test_prefix_literal(void)
{
  CU_ASSERT_EQUAL(sl_prefix_literal_len("logs/"), 5);
  CU_ASSERT_EQUAL(sl_prefix_literal_len("logs/!{timestamp:yyyy}/"), 5);
  CU_ASSERT_EQUAL(sl_prefix_literal_len("!{timestamp:yyyy}/"), 0);
  CU_ASSERT_EQUAL(sl_prefix_literal_len(""), 0);
  CU_ASSERT_EQUAL(sl_prefix_literal_len("a!b{c}/"), 7);
}

/* ------------------------------------------------------------------ canonical */

struct canon_case {
  const char *in;
  const char *canonical;  /* NULL: does not parse */
};

static const struct canon_case canon_cases[] = {
  { "{\"b\":1,\"a\":\"x\"}", "{\"a\":\"x\",\"b\":\"1\"}" },
  { " { \"a\" : [ \"x\" ] } \n", "{\"a\":\"x\"}" },
  { "{\"a\":[\"y\",\"x\",\"y\"]}", "{\"a\":[\"x\",\"y\"]}" },
  { "{\"a\":true,\"b\":false,\"c\":null}", "{\"a\":\"true\",\"b\":\"false\",\"c\":null}" },
  { "{\"a\":[{\"z\":1,\"y\":[\"q\"]}]}", "{\"a\":{\"y\":\"q\",\"z\":\"1\"}}" },
  { "{\"a\":\"q\\\"\\\\\\n\"}", "{\"a\":\"q\\\"\\\\\\u000a\"}" },
  { "{\"a\":\"/\"}", "{\"a\":\"/\"}" },
  { "{\"a\":[]}", "{\"a\":[]}" },
  { "{\"a\":1} x", NULL },
  { "{\"a\":", NULL },
  { "", NULL },
};

static void test_canonical(void)
{
  size_t i;
  for(i = 0; i < sizeof(canon_cases) / sizeof(canon_cases[0]); i++) {
    struct sl_buf b;
    struct sl_error err;
    const struct canon_case *c = &canon_cases[i];
    enum sl_result r;
    sl_error_clear(&err);
    CU_ASSERT_EQUAL_FATAL(sl_buf_init(&b, 4096), SL_OK);
    r = sl_json_canonical(c->in, strlen(c->in), &b, &err);
    if(c->canonical) {
      CU_ASSERT_EQUAL(r, SL_OK);
      if(strcmp(b.data, c->canonical))
        fprintf(stderr, "case %zu: got %s want %s\n", i, b.data, c->canonical);
      CU_ASSERT_STRING_EQUAL(b.data, c->canonical);
    }
    else
      CU_ASSERT_EQUAL(r, SL_E_PARSE);
    sl_buf_cleanup(&b);
  }
}

struct eq_case {
  const char *a, *b;
  int equal;
};

static const struct eq_case eq_cases[] = {
  /* What IAM hands back is often reordered and re-spaced. */
  { "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
    "\"Resource\":\"arn:aws:s3:::b/*\"}]}",
    "{\"Statement\": {\"Resource\": [\"arn:aws:s3:::b/*\"], \"Action\": [\"s3:GetObject\"],\n"
    "  \"Effect\": \"Allow\"}, \"Version\": \"2012-10-17\"}", 1 },
  { "{\"Action\":[\"s3:PutObject\",\"s3:GetObject\"]}",
    "{\"Action\":[\"s3:GetObject\",\"s3:PutObject\"]}", 1 },
  { "{\"Condition\":{\"Bool\":{\"aws:SecureTransport\":false}}}",
    "{\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}", 1 },
  /* Real differences. */
  { "{\"Action\":\"s3:GetObject\"}", "{\"Action\":\"s3:PutObject\"}", 0 },
  { "{\"Action\":[\"s3:GetObject\",\"s3:PutObject\"]}", "{\"Action\":\"s3:GetObject\"}", 0 },
  { "{\"Effect\":\"Allow\"}", "{\"effect\":\"Allow\"}", 0 },
  { "{\"Resource\":\"arn:aws:s3:::b/*\"}", "{\"Resource\":\"arn:aws:s3:::b/logs/*\"}", 0 },
  { "{\"a\":{}}", "{\"a\":{\"b\":\"c\"}}", 0 },
  { "{\"a\":\"1\"}", "not json", 0 },
};

static void test_policy_equal(void)
{
  size_t i;
  for(i = 0; i < sizeof(eq_cases) / sizeof(eq_cases[0]); i++) {
    CU_ASSERT_EQUAL(sl_policy_equal(eq_cases[i].a, eq_cases[i].b), eq_cases[i].equal);
    CU_ASSERT_EQUAL(sl_policy_equal(eq_cases[i].b, eq_cases[i].a), eq_cases[i].equal);
  }
  CU_ASSERT_EQUAL(sl_policy_equal(NULL, "{}"), 0);
  CU_ASSERT_EQUAL(sl_policy_equal("{}", NULL), 0);
}

/* Which bucket policies deny plain http (the explanation for a refused
 * read over an http endpoint). */
static void test_denies_plain_http(void)
{
  struct sl_buf b;
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&b, 4096), SL_OK);
  CU_ASSERT_EQUAL(sl_policy_bucket_tls("arn:aws:s3:::b-1", &b), SL_OK);
  CU_ASSERT_EQUAL(sl_s3_policy_denies_plain_http(b.data), 1);
  sl_buf_cleanup(&b);
  CU_ASSERT_EQUAL(sl_s3_policy_denies_plain_http(
    "{\"Statement\":{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\","
    "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":[\"false\"]}}}}"), 1);
  CU_ASSERT_EQUAL(sl_s3_policy_denies_plain_http(
    "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\","
    "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}}}]}"), 0);
  CU_ASSERT_EQUAL(sl_s3_policy_denies_plain_http(
    "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
    "\"Resource\":\"*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":true}}}]}"), 0);
  CU_ASSERT_EQUAL(sl_s3_policy_denies_plain_http(
    "{\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:*\","
    "\"Resource\":\"*\"}]}"), 0);
  CU_ASSERT_EQUAL(sl_s3_policy_denies_plain_http("not json"), 0);
  CU_ASSERT_EQUAL(sl_s3_policy_denies_plain_http(NULL), 0);
}

static const struct sl_test tests[] = {
  { "policies that deny plain http", test_denies_plain_http },
  { "role policy per profile variant", test_role_policies },
  { "trust and bucket policies", test_trust_and_bucket_policy },
  { "desired ARNs", test_desired_arns },
  { "default role name per region", test_default_role_name },
  { "policy diff, statement by statement", test_policy_diff },
  { "prefix literal part", test_prefix_literal },
  { "canonical JSON", test_canonical },
  { "policy equality", test_policy_equal },
  { NULL, NULL }
};

SL_TEST_MAIN("policy", tests, NULL, NULL)
