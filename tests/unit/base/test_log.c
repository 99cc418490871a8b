/* test_log.c — levels, sinks and redaction: no secret reaches a log line. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice/buf.h"
#include "sluice/log.h"

static struct sl_buf captured;
static int lines;

static void capture(void *ud, enum sl_log_level lvl, const char *line)
{
  (void)ud;
  (void)lvl;
  sl_buf_adds(&captured, line);
  sl_buf_addc(&captured, '\n');
  lines++;
}

static int setup(void)
{
  sl_buf_init(&captured, 1 << 20);
  sl_log_set_sink(capture, NULL);
  return 0;
}

static int teardown(void)
{
  sl_log_set_sink(NULL, NULL);
  sl_buf_cleanup(&captured);
  sl_log_forget_secrets();
  return 0;
}

static void reset(void)
{
  sl_buf_reset(&captured);
  lines = 0;
}

static void test_levels(void)
{
  reset();
  sl_log_set_level(SL_LOG_WARN);
  sl_log(SL_LOG_INFO, "hidden %d", 1);
  sl_log(SL_LOG_WARN, "shown %d", 2);
  sl_log(SL_LOG_ERROR, "shown %d", 3);
  CU_ASSERT_EQUAL(lines, 2);
  CU_ASSERT_STRING_EQUAL(captured.data, "shown 2\nshown 3\n");
  sl_log_set_level(SL_LOG_DEBUG);
  CU_ASSERT_TRUE(sl_log_enabled(SL_LOG_DEBUG));
  CU_ASSERT_FALSE(sl_log_enabled(SL_LOG_TRACE));
}

static const char *secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
static const char *token = "IQoJb3JpZ2luX2VjEXAMPLETOKENVALUE0123456789abcdef";

static void test_registered_secret(void)
{
  reset();
  sl_log_set_level(SL_LOG_TRACE);
  sl_log_register_secret(secret);
  sl_log_register_secret("short"); /* ignored: too short to be a secret */
  sl_log(SL_LOG_DEBUG, "key=%s and again %s; short stays", secret, secret);
  CU_ASSERT_STRING_EQUAL(captured.data, "key=**** and again ****; short stays\n");
  CU_ASSERT_PTR_NULL(strstr(captured.data, "EXAMPLEKEY"));
}

static const struct {
  const char *in;
  const char *out;
} redact_cases[] = {
  { "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/s3/aws4_request, "
    "SignedHeaders=host, Signature=abcdef0123",
    "Authorization: ****" },
  { "authorization:AWS4 x\r\nHost: h", "authorization:****\r\nHost: h" },
  { "X-Amz-Security-Token: FQoGZXIvYXdzEXAMPLE\r\nX: y", "X-Amz-Security-Token: ****\r\nX: y" },
  { "GET /?a=1&X-Amz-Security-Token=AQoD%2Ftoken&X-Amz-Signature=deadbeef&b=2",
    "GET /?a=1&X-Amz-Security-Token=****&X-Amz-Signature=****&b=2" },
  { "{\"AccessKeyId\":\"ASIAX\",\"SecretAccessKey\":\"s3cr3tvalue\",\"Token\":\"tokentoken\"}",
    "{\"AccessKeyId\":\"ASIAX\",\"SecretAccessKey\":\"****\",\"Token\":\"****\"}" },
  { "{\"SessionToken\": \"abcdefgh\"}", "{\"SessionToken\": \"****\"}" },
  { "<SecretAccessKey>abc/def</SecretAccessKey><SessionToken>tokentok</SessionToken>",
    "<SecretAccessKey>****</SecretAccessKey><SessionToken>****</SessionToken>" },
  { "aws_secret_access_key = abcdefg\naws_session_token=zzzzzzzz",
    "aws_secret_access_key = ****\naws_session_token=****" },
  { "nothing secret here: SignedHeaders=host;x-amz-date", "nothing secret here: SignedHeaders=host;x-amz-date" },
};

static void test_redact_table(void)
{
  size_t i;
  for(i = 0; i < sizeof(redact_cases) / sizeof(redact_cases[0]); i++) {
    char buf[512];
    size_t n;
    strcpy(buf, redact_cases[i].in);
    n = sl_redact(buf, strlen(buf));
    CU_ASSERT_EQUAL(n, strlen(buf));
    if(strcmp(buf, redact_cases[i].out))
      fprintf(stderr, "\ncase %zu: got %s\n", i, buf);
    CU_ASSERT_STRING_EQUAL(buf, redact_cases[i].out);
  }
}

static void test_log_line_redacted(void)
{
  reset();
  sl_log_set_level(SL_LOG_TRACE);
  sl_log_register_secret(token);
  sl_log(SL_LOG_TRACE, "> X-Amz-Security-Token: %s", token);
  sl_log(SL_LOG_TRACE, "> Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x, Signature=%s",
         "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  sl_log(SL_LOG_DEBUG, "body {\"SecretAccessKey\":\"%s\"}", "notregisteredsecret");
  CU_ASSERT_EQUAL(lines, 3);
  CU_ASSERT_PTR_NULL(strstr(captured.data, "EXAMPLETOKEN"));
  CU_ASSERT_PTR_NULL(strstr(captured.data, "5fa00fa3"));
  CU_ASSERT_PTR_NULL(strstr(captured.data, "notregisteredsecret"));
  CU_ASSERT_STRING_EQUAL(captured.data,
                         "> X-Amz-Security-Token: ****\n> Authorization: ****\n"
                         "body {\"SecretAccessKey\":\"****\"}\n");
}

static const struct sl_test tests[] = {
  { "levels", test_levels },
  { "registered secret", test_registered_secret },
  { "redaction table", test_redact_table },
  { "log line redacted", test_log_line_redacted },
  { NULL, NULL }
};

SL_TEST_MAIN("log", tests, setup, teardown)
