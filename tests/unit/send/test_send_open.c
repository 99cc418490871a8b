/* test_send_open.c — a stream ARN taken apart: service, region, account and
 * name, and every way one can be wrong, with the message naming it. */
#include <string.h>

#include "harness.h"
#include "sluice/send.h"

static const struct {
  const char *arn;
  int target;               /* -1: refused */
  const char *region, *account, *name;
  const char *error;        /* when refused */
} cases[] = {
  { "arn:aws:kinesis:eu-west-1:123456789012:stream/events", SL_SEND_KINESIS, "eu-west-1",
    "123456789012", "events", NULL },
  { "arn:aws:firehose:us-east-1:000000000000:deliverystream/logs.v2", SL_SEND_FIREHOSE,
    "us-east-1", "000000000000", "logs.v2", NULL },
  { "arn:aws-cn:kinesis:cn-north-1:123456789012:stream/a_b-c", SL_SEND_KINESIS, "cn-north-1",
    "123456789012", "a_b-c", NULL },
  { "arn:aws-us-gov:firehose:us-gov-west-1:123456789012:deliverystream/x", SL_SEND_FIREHOSE,
    "us-gov-west-1", "123456789012", "x", NULL },
  { "events", -1, NULL, NULL, NULL,
    "'events' is not an ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)" },
  { "arn:aws:kinesis:eu-west-1", -1, NULL, NULL, NULL,
    "'arn:aws:kinesis:eu-west-1' is not a stream ARN (arn:PARTITION:kinesis|firehose:REGION:"
    "ACCOUNT:stream/NAME)" },
  { "arn:aws:s3:::bucket/key", -1, NULL, NULL, NULL,
    "'arn:aws:s3:::bucket/key' is a s3 ARN, not a Kinesis or Firehose stream's" },
  { "arn:aws:kinesis:eu-west-1:123456789012:deliverystream/x", -1, NULL, NULL, NULL,
    "'arn:aws:kinesis:eu-west-1:123456789012:deliverystream/x': a kinesis stream ARN ends in "
    "stream/NAME" },
  { "arn:aws:firehose:eu-west-1:123456789012:stream/x", -1, NULL, NULL, NULL,
    "'arn:aws:firehose:eu-west-1:123456789012:stream/x': a firehose stream ARN ends in "
    "deliverystream/NAME" },
  { "arn:aws:kinesis:eu-west-1:12345:stream/x", -1, NULL, NULL, NULL,
    "'arn:aws:kinesis:eu-west-1:12345:stream/x': the account '12345' is not 12 digits" },
  { "arn:aws:kinesis:eu-west-1:123456789012:stream/bad name", -1, NULL, NULL, NULL,
    "'arn:aws:kinesis:eu-west-1:123456789012:stream/bad name': 'bad name' is not a valid stream "
    "name" },
  { "arn:aws:kinesis:eu-west-1:123456789012:stream/", -1, NULL, NULL, NULL,
    "'arn:aws:kinesis:eu-west-1:123456789012:stream/': '' is not a valid stream name" },
  { "arn:aws:kinesis:cn-north-1:123456789012:stream/x", -1, NULL, NULL, NULL,
    "'arn:aws:kinesis:cn-north-1:123456789012:stream/x': partition 'aws' and region "
    "'cn-north-1' do not go together" },
  { "arn:aws:kinesis::123456789012:stream/x", -1, NULL, NULL, NULL,
    "'arn:aws:kinesis::123456789012:stream/x': partition 'aws' and region '' do not go "
    "together" },
};

static void test_parse_arn(void)
{
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_stream_arn a;
    struct sl_error err;
    enum sl_result r;
    sl_error_clear(&err);
    r = sl_send_parse_arn(cases[i].arn, &a, &err);
    if(cases[i].target < 0) {
      CU_ASSERT_EQUAL(r, SL_E_INVALID);
      CU_ASSERT_STRING_EQUAL(err.message, cases[i].error);
      continue;
    }
    CU_ASSERT_EQUAL_FATAL(r, SL_OK);
    CU_ASSERT_EQUAL(a.target, (enum sl_send_target)cases[i].target);
    CU_ASSERT_STRING_EQUAL(a.region, cases[i].region);
    CU_ASSERT_STRING_EQUAL(a.account, cases[i].account);
    CU_ASSERT_STRING_EQUAL(a.name, cases[i].name);
  }
}

/* The longest names each service allows, and one over. */
static void test_name_lengths(void)
{
  char arn[300], name[140];
  struct sl_stream_arn a;
  struct sl_error err;
  memset(name, 'k', 128);
  name[128] = 0;
  snprintf(arn, sizeof(arn), "arn:aws:kinesis:eu-west-1:123456789012:stream/%s", name);
  CU_ASSERT_EQUAL(sl_send_parse_arn(arn, &a, &err), SL_OK);
  CU_ASSERT_EQUAL(strlen(a.name), 128);
  name[64] = 0;
  snprintf(arn, sizeof(arn), "arn:aws:firehose:eu-west-1:123456789012:deliverystream/%s", name);
  CU_ASSERT_EQUAL(sl_send_parse_arn(arn, &a, &err), SL_OK);
  name[64] = 'k';
  name[65] = 0;
  snprintf(arn, sizeof(arn), "arn:aws:firehose:eu-west-1:123456789012:deliverystream/%s", name);
  CU_ASSERT_EQUAL(sl_send_parse_arn(arn, &a, &err), SL_E_INVALID);
}

static const struct sl_test tests[] = {
  { "parse a stream ARN", test_parse_arn },
  { "stream name lengths", test_name_lengths },
  { NULL, NULL }
};

SL_TEST_MAIN("send_open", tests, NULL, NULL)
