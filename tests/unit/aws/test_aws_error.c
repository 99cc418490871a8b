/* test_aws_error.c — every error shape sl_aws_parse_error meets: S3, Query,
 * JSON, the x-amzn-ErrorType header, bodiless answers, and bodies that are
 * broken or not AWS's at all. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "sluice/aws.h"

struct error_case {
  const char *name;
  long status;
  const char *header_name;  /* one response header, or NULL */
  const char *header_value;
  const char *body;
  size_t body_len;          /* 0 = strlen(body) */
  const char *code;
  const char *message;
  const char *request_id;
};

static const struct error_case cases[] = {
  { "S3 <Error>", 404, "x-amz-request-id", "4442587FB7D0A2F9",
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchBucket</Code>"
    "<Message>The specified bucket does not exist</Message><BucketName>b1</BucketName>"
    "<RequestId>4442587FB7D0A2F9</RequestId><HostId>h+Q=</HostId></Error>", 0,
    "NoSuchBucket", "The specified bucket does not exist", "4442587FB7D0A2F9" },
  { "S3 <Error> without Message", 403, NULL, NULL,
    "<Error><Code>AccessDenied</Code></Error>", 0,
    "AccessDenied", "HTTP 403", "" },
  { "IAM <ErrorResponse>", 404, NULL, NULL,
    "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  <Error>\n"
    "    <Type>Sender</Type>\n    <Code>NoSuchEntity</Code>\n"
    "    <Message>The role with name r1 cannot be found.</Message>\n  </Error>\n"
    "  <RequestId>9b3c1e7a-0000-4d8e-a5a4-3e2c1d0b9a88</RequestId>\n</ErrorResponse>\n", 0,
    "NoSuchEntity", "The role with name r1 cannot be found.",
    "9b3c1e7a-0000-4d8e-a5a4-3e2c1d0b9a88" },
  { "STS <ErrorResponse>", 403, NULL, NULL,
    "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
    "<Type>Sender</Type><Code>ExpiredToken</Code>"
    "<Message>The security token included in the request is expired</Message></Error>"
    "<RequestId>r-sts</RequestId></ErrorResponse>", 0,
    "ExpiredToken", "The security token included in the request is expired", "r-sts" },
  { "header request id wins over body", 400, "x-amzn-RequestId", "hdr-id",
    "<ErrorResponse><Error><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    "<RequestId>body-id</RequestId></ErrorResponse>", 0,
    "Throttling", "Rate exceeded", "hdr-id" },
  { "XML with BOM and whitespace", 409, NULL, NULL,
    "\xef\xbb\xbf \r\n<Error><Code>BucketAlreadyOwnedByYou</Code><Message>m</Message></Error>", 0,
    "BucketAlreadyOwnedByYou", "m", "" },
  { "JSON prefix#Code", 400, "x-amzn-RequestId", "rid-j",
    "{\"__type\":\"com.amazonaws.firehose#ResourceNotFoundException\","
    "\"message\":\"Firehose s1 under account 1 not found.\"}", 0,
    "ResourceNotFoundException", "Firehose s1 under account 1 not found.", "rid-j" },
  { "JSON Message capitalized", 400, NULL, NULL,
    "{\"__type\":\"ValidationException\",\"Message\":\"1 validation error detected\"}", 0,
    "ValidationException", "1 validation error detected", "" },
  { "JSON code member", 400, NULL, NULL,
    "{\"code\":\"InvalidArgumentException\",\"message\":\"bad\"}", 0,
    "InvalidArgumentException", "bad", "" },
  { "x-amzn-ErrorType with :uri", 400, "x-amzn-ErrorType",
    "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/",
    "{\"message\":\"Rate exceeded\"}", 0,
    "ThrottlingException", "Rate exceeded", "" },
  { "x-amzn-ErrorType with prefix# and :uri", 400, "x-amzn-ErrorType",
    "aws.protocoltests#FooError:http://internal.amazon.com/", "", 0,
    "FooError", "HTTP 400 with no body", "" },
  { "x-amzn-ErrorType wins over __type", 400, "X-Amzn-ErrorType", "LimitExceededException",
    "{\"__type\":\"Other\",\"message\":\"too many\"}", 0,
    "LimitExceededException", "too many", "" },
  { "truncated XML", 404, NULL, NULL,
    "<Error><Code>NoSuchKey</Code><Mess", 0,
    "NotFound",
    "HTTP 404 with a body that is not an AWS error document: "
    "\"<Error><Code>NoSuchKey</Code><Mess\"", "" },
  { "HTML proxy page", 502, NULL, NULL,
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>"
    "502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n", 0,
    "BadGateway",
    "HTTP 502 with a body that is not an AWS error document: "
    "\"<html>  <head><title>502 Bad Gateway</title></head>  <body>  <ce...\"", "" },
  { "HTML with DOCTYPE", 503, NULL, NULL,
    "<!DOCTYPE html><html><body>Service Unavailable</body></html>", 0,
    "ServiceUnavailable",
    "HTTP 503 with a body that is not an AWS error document: "
    "\"<!DOCTYPE html><html><body>Service Unavailable</body></html>\"", "" },
  { "binary garbage", 500, NULL, NULL, "\x00\x01\xff\xfe<\x80\x1b[31mX", 12,
    "InternalError",
    "HTTP 500 with a body that is not an AWS error document: \"....<..[31mX\"", "" },
  { "truncated JSON", 400, NULL, NULL, "{\"__type\":\"Valid", 0,
    "BadRequest",
    "HTTP 400 with a body that is not an AWS error document: \"{\"__type\":\"Valid\"", "" },
  { "JSON array", 400, NULL, NULL, "[1,2]", 0,
    "BadRequest", "HTTP 400 with a body that is not an AWS error document: \"[1,2]\"", "" },
  { "entity bomb in an error", 400, NULL, NULL,
    "<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY a \"aaaaaaaaaa\">"
    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><Error><Code>&b;</Code></Error>", 0,
    "BadRequest",
    "HTTP 400 with a body that is not an AWS error document: "
    "\"<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY a \"aaaaaaaaaa\"><!ENTI...\"", "" },
  { "plain text", 403, NULL, NULL, "Forbidden\n", 0,
    "Forbidden", "HTTP 403 with a body that is not an AWS error document: \"Forbidden \"", "" },
  { "301 with the bucket's region", 301, "x-amz-bucket-region", "eu-west-1", "", 0,
    "PermanentRedirect", "HTTP 301: the bucket is in region eu-west-1", "" },
};

static void check(const struct error_case *c)
{
  struct sl_headers h;
  struct sl_error err;
  size_t len = c->body_len ? c->body_len : strlen(c->body);
  sl_headers_init(&h);
  if(c->header_name)
    sl_headers_add(&h, c->header_name, c->header_value);
  sl_headers_add(&h, "Content-Type", "text/whatever");
  sl_error_clear(&err);
  err.attempts = 3; /* the parser leaves the retry count alone */
  sl_aws_parse_error(c->status, &h, c->body, len, &err);
  CU_ASSERT_EQUAL(err.result, SL_E_AWS);
  CU_ASSERT_EQUAL(err.http_status, c->status);
  CU_ASSERT_EQUAL(err.attempts, 3);
  CU_ASSERT_STRING_EQUAL(err.code, c->code);
  CU_ASSERT_STRING_EQUAL(err.message, c->message);
  CU_ASSERT_STRING_EQUAL(err.request_id, c->request_id);
  if(strcmp(err.code, c->code) || strcmp(err.message, c->message) ||
     strcmp(err.request_id, c->request_id))
    fprintf(stderr, "\n  case \"%s\": got code \"%s\" message \"%s\" request id \"%s\"\n",
            c->name, err.code, err.message, err.request_id);
  sl_headers_cleanup(&h);
}

static void test_shapes(void)
{
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    check(&cases[i]);
}

static void test_bodiless_by_status(void)
{
  static const struct {
    long status;
    const char *code;
  } st[] = {
    { 301, "PermanentRedirect" }, { 304, "NotModified" }, { 307, "TemporaryRedirect" },
    { 400, "BadRequest" }, { 401, "Unauthorized" }, { 403, "AccessDenied" },
    { 404, "NotFound" }, { 405, "MethodNotAllowed" }, { 409, "Conflict" },
    { 412, "PreconditionFailed" }, { 416, "InvalidRange" }, { 429, "TooManyRequests" },
    { 500, "InternalError" }, { 501, "NotImplemented" }, { 502, "BadGateway" },
    { 503, "ServiceUnavailable" }, { 504, "GatewayTimeout" }, { 418, "Http418" },
    { 599, "Http599" },
  };
  size_t i;
  for(i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
    struct sl_error err;
    char want[64];
    sl_error_clear(&err);
    /* NULL body and NULL headers, as after a HEAD */
    sl_aws_parse_error(st[i].status, NULL, NULL, 0, &err);
    CU_ASSERT_STRING_EQUAL(err.code, st[i].code);
    snprintf(want, sizeof(want), "HTTP %ld with no body", st[i].status);
    CU_ASSERT_STRING_EQUAL(err.message, want);
    CU_ASSERT_STRING_EQUAL(err.request_id, "");
    CU_ASSERT_EQUAL(err.http_status, st[i].status);
    /* an empty body is the same as none */
    sl_aws_parse_error(st[i].status, NULL, "", 0, &err);
    CU_ASSERT_STRING_EQUAL(err.code, st[i].code);
    CU_ASSERT_STRING_EQUAL(err.message, want);
  }
}

static void test_long_fields_cut_visibly(void)
{
  char body[4000], code[300];
  struct sl_error err;
  size_t n;
  memset(code, 'C', sizeof(code) - 1);
  code[sizeof(code) - 1] = 0;
  n = (size_t)snprintf(body, sizeof(body), "<Error><Code>%s</Code><Message>", code);
  memset(body + n, 'm', 2000);
  n += 2000;
  n += (size_t)snprintf(body + n, sizeof(body) - n, "</Message></Error>");
  sl_error_clear(&err);
  sl_aws_parse_error(400, NULL, body, n, &err);
  CU_ASSERT_EQUAL(strlen(err.code), sizeof(err.code) - 1);
  CU_ASSERT_EQUAL(strlen(err.message), sizeof(err.message) - 1);
  CU_ASSERT_STRING_EQUAL(err.message + sizeof(err.message) - 4, "...");
}

static void test_fills_nothing_without_err(void)
{
  /* NULL err is allowed and does nothing. */
  sl_aws_parse_error(500, NULL, "x", 1, NULL);
  CU_PASS("no crash");
}

static const struct sl_test tests[] = {
  { "error shapes (S3, Query, JSON, header, malformed)", test_shapes },
  { "bodiless answers by status", test_bodiless_by_status },
  { "long code and message cut visibly", test_long_fields_cut_visibly },
  { "NULL error", test_fills_nothing_without_err },
  { NULL, NULL }
};

SL_TEST_MAIN("aws_error", tests, NULL, NULL)
