/* test_streams.c — the PutRecordBatch / PutRecords answer: the one-pass
 * scanner against the json-c reader on a table of answers (partial
 * failures, escapes, unusual whitespace, malformed bodies), and that the
 * scanner takes the usual shapes itself and hands the rest back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "harness.h"
#include "mini_server.h"
#include "common/aws/aws_internal.h"
#include "sluice/aws.h"
#include "sluice/streams.h"
#include "common/api/streams_internal.h"
#include "common/api/streams_scan.h"

#define NMAX 500

struct answer_case {
  const char *name;
  int kinesis;
  size_t n;
  int fast;            /* the scanner reads it (1) or hands it back (0) */
  enum sl_result want; /* from the public reader */
  const char *body;
};

static const struct answer_case cases[] = {
  { "all accepted", 0, 2, 1, SL_OK,
    "{\"FailedPutCount\":0,\"Encrypted\":false,\"RequestResponses\":[{\"RecordId\":\"a1\"},"
    "{\"RecordId\":\"b2\"}]}" },
  { "partial failure", 0, 3, 1, SL_OK,
    "{\"FailedPutCount\":2,\"RequestResponses\":[{\"RecordId\":\"a\"},"
    "{\"ErrorCode\":\"ServiceUnavailableException\",\"ErrorMessage\":\"Slow down.\"},"
    "{\"ErrorCode\":\"InternalFailure\"}]}" },
  { "unusual whitespace", 0, 2, 1, SL_OK,
    " \r\n{ \"RequestResponses\" : [ { \"RecordId\" : \"a\" } ,\t{\"RecordId\":\"b\"\n} ] ,"
    " \"FailedPutCount\" : 0 }\n " },
  { "no failed count", 0, 1, 1, SL_OK, "{\"RequestResponses\":[{\"RecordId\":\"a\"}]}" },
  { "empty error code is success", 0, 1, 1, SL_OK,
    "{\"RequestResponses\":[{\"RecordId\":\"a\",\"ErrorCode\":\"\",\"ErrorMessage\":\"x\"}]}" },
  { "empty entry", 0, 1, 1, SL_OK, "{\"RequestResponses\":[{}]}" },
  { "scalar extras", 0, 1, 1, SL_OK,
    "{\"A\":-1.5,\"B\":0,\"C\":null,\"D\":true,\"E\":\"s\",\"RequestResponses\":"
    "[{\"RecordId\":\"a\",\"X\":12,\"Y\":false}],\"FailedPutCount\":0}" },
  { "long id cut", 0, 1, 1, SL_OK,
    "{\"RequestResponses\":[{\"RecordId\":\"0123456789012345678901234567890123456789012345678901"
    "23456789012345678901234567890123456789012345678901234567890123456789012345678901234567"
    "89\"}]}" },
  { "kinesis accepted", 1, 2, 1, SL_OK,
    "{\"FailedRecordCount\":0,\"EncryptionType\":\"KMS\",\"Records\":[{\"SequenceNumber\":\"495\","
    "\"ShardId\":\"shardId-000000000001\"},{\"SequenceNumber\":\"496\",\"ShardId\":\"shardId-2\"}]}" },
  { "kinesis partial failure", 1, 2, 1, SL_OK,
    "{\"FailedRecordCount\":1,\"Records\":[{\"SequenceNumber\":\"495\",\"ShardId\":\"s\"},"
    "{\"ErrorCode\":\"ProvisionedThroughputExceededException\",\"ErrorMessage\":\"Rate exceeded "
    "for shard shardId-000000000001 in stream s under account 123456789012.\"}]}" },
  { "escaped message", 0, 1, 0, SL_OK,
    "{\"FailedPutCount\":1,\"RequestResponses\":[{\"ErrorCode\":\"X\",\"ErrorMessage\":"
    "\"a \\\"quoted\\\" \\u00e9 \\\\ word\\n\"}]}" },
  { "escaped id", 0, 1, 0, SL_OK, "{\"RequestResponses\":[{\"RecordId\":\"a\\/b\"}]}" },
  { "UTF-8 message", 0, 1, 0, SL_OK,
    "{\"FailedPutCount\":1,\"RequestResponses\":[{\"ErrorCode\":\"X\",\"ErrorMessage\":"
    "\"caf\xc3\xa9\"}]}" },
  { "raw tab in a string", 0, 1, 0, SL_OK, "{\"RequestResponses\":[{\"RecordId\":\"a\tb\"}]}" },
  { "nested extra member", 0, 1, 0, SL_OK,
    "{\"Meta\":{\"x\":[1,2]},\"RequestResponses\":[{\"RecordId\":\"a\",\"Extra\":[{}]}]}" },
  { "duplicate id member", 0, 1, 0, SL_OK,
    "{\"RequestResponses\":[{\"RecordId\":\"a\",\"RecordId\":\"b\"}]}" },
  { "duplicate list", 0, 1, 0, SL_OK,
    "{\"RequestResponses\":[{\"RecordId\":\"a\"}],\"RequestResponses\":[{\"RecordId\":\"b\"}]}" },
  { "number as id", 0, 1, 0, SL_OK, "{\"RequestResponses\":[{\"RecordId\":5}]}" },
  { "null error code", 0, 1, 0, SL_OK,
    "{\"RequestResponses\":[{\"RecordId\":\"a\",\"ErrorCode\":null}]}" },
  { "null entry", 0, 1, 0, SL_OK, "{\"RequestResponses\":[null]}" },
  { "exponent in an extra", 0, 1, 0, SL_OK,
    "{\"Z\":1e5,\"RequestResponses\":[{\"RecordId\":\"a\"}]}" },
  { "count as text", 0, 1, 0, SL_OK,
    "{\"FailedPutCount\":\"0\",\"RequestResponses\":[{\"RecordId\":\"a\"}]}" },
  { "trailing bytes", 0, 1, 0, SL_OK, "{\"RequestResponses\":[{\"RecordId\":\"a\"}]} x" },
  { "comment", 0, 1, 0, SL_OK, "{/* c */\"RequestResponses\":[{\"RecordId\":\"a\"}]}" },
  { "count disagrees", 0, 2, 0, SL_E_PARSE,
    "{\"FailedPutCount\":2,\"RequestResponses\":[{\"RecordId\":\"a\"},{\"ErrorCode\":\"X\"}]}" },
  { "negative count", 0, 1, 0, SL_E_PARSE,
    "{\"FailedPutCount\":-1,\"RequestResponses\":[{\"RecordId\":\"a\"}]}" },
  { "leading zero count", 0, 1, 0, SL_OK,
    "{\"FailedPutCount\":00,\"RequestResponses\":[{\"RecordId\":\"a\"}]}" },
  { "too few entries", 0, 3, 0, SL_E_PARSE,
    "{\"RequestResponses\":[{\"RecordId\":\"a\"},{\"RecordId\":\"b\"}]}" },
  { "too many entries", 0, 1, 0, SL_E_PARSE,
    "{\"RequestResponses\":[{\"RecordId\":\"a\"},{\"RecordId\":\"b\"}]}" },
  { "truncated", 0, 1, 0, SL_E_PARSE, "{\"RequestResponses\":[{\"RecordId\":\"a\"}" },
  { "cut in a string", 0, 1, 0, SL_E_PARSE, "{\"RequestResponses\":[{\"RecordId\":\"a" },
  { "not JSON", 0, 1, 0, SL_E_PARSE, "<html>busy</html>" },
  { "empty body", 0, 1, 0, SL_E_PARSE, "" },
  { "empty object", 0, 1, 0, SL_E_PARSE, "{}" },
  { "root array", 0, 1, 0, SL_E_PARSE, "[{\"RecordId\":\"a\"}]" },
  { "list is null", 0, 1, 0, SL_E_PARSE, "{\"RequestResponses\":null}" },
  { "Firehose answer read as Kinesis", 1, 1, 0, SL_E_PARSE,
    "{\"FailedPutCount\":0,\"RequestResponses\":[{\"RecordId\":\"a\"}]}" },
  { "missing comma", 0, 2, 0, SL_E_PARSE,
    "{\"RequestResponses\":[{\"RecordId\":\"a\"} {\"RecordId\":\"b\"}]}" },
  /* json-c, not being strict, takes these; the scanner leaves them to it */
  { "trailing comma", 0, 1, 0, SL_OK, "{\"RequestResponses\":[{\"RecordId\":\"a\"},]}" },
};

/* Both readers on one body; they must agree on the result, the failed
 * count, every entry and the error message. */
static void compare(const char *name, const char *body, size_t len, int kinesis, size_t n,
                    int fast, enum sl_result want)
{
  static struct sl_record_result a[NMAX], b[NMAX], c[NMAX];
  struct sl_error ea, eb;
  size_t fa = 99, fb = 99, fc = 99, i;
  enum sl_result ra, rb;
  int handled;
  sl_error_clear(&ea);
  sl_error_clear(&eb);
  memset(b, 0x5a, sizeof(b)); /* the scanner must write every field it leaves set */
  ra = sl_streams_parse_put_answer_json(body, len, kinesis, n, a, &fa, &ea);
  rb = sl_streams_parse_put_answer(body, len, kinesis, n, b, &fb, &eb);
  handled = sl_streams_scan_put_answer(body, len, kinesis, n, c, &fc);
  if(ra != rb || rb != want || handled != fast || fa != fb)
    fprintf(stderr, "case %s: json-c %d, public %d (want %d), scanner %d (want %d), failed %zu/%zu\n",
            name, ra, rb, want, handled, fast, fa, fb);
  CU_ASSERT_EQUAL(ra, rb);
  CU_ASSERT_EQUAL(rb, want);
  CU_ASSERT_EQUAL(handled, fast);
  CU_ASSERT_EQUAL(fa, fb);
  if(handled)
    CU_ASSERT_EQUAL(fc, fb);
  if(ra || rb) {
    CU_ASSERT_STRING_EQUAL(ea.message, eb.message);
    return;
  }
  for(i = 0; i < n; i++) {
    CU_ASSERT_EQUAL(a[i].ok, b[i].ok);
    CU_ASSERT_STRING_EQUAL(a[i].id, b[i].id);
    CU_ASSERT_STRING_EQUAL(a[i].shard_id, b[i].shard_id);
    CU_ASSERT_STRING_EQUAL(a[i].error_code, b[i].error_code);
    CU_ASSERT_STRING_EQUAL(a[i].error_message, b[i].error_message);
  }
}

static void test_answer_table(void)
{
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    /* From its own allocation, so ASan sees a read past the end. */
    size_t len = strlen(cases[i].body);
    char *copy = malloc(len ? len : 1);
    CU_ASSERT_FATAL(copy != NULL);
    memcpy(copy, cases[i].body, len);
    compare(cases[i].name, copy, len, cases[i].kinesis, cases[i].n, cases[i].fast,
            cases[i].want);
    free(copy);
  }
}

/* Full-size answers with failures sprinkled in, every prefix of a small
 * one (all malformed but the whole), and a NULL body. */
static void test_answer_generated(void)
{
  struct sl_buf body;
  size_t i, nfail = 0, cut;
  int kinesis;
  for(kinesis = 0; kinesis < 2; kinesis++) {
    CU_ASSERT_EQUAL_FATAL(sl_buf_init(&body, 1u << 20), SL_OK);
    nfail = 0;
    for(i = 0; i < NMAX; i++)
      nfail += i % 7 == 3;
    sl_buf_printf(&body, "{\"%s\":%zu,\"%s\":[", kinesis ? "FailedRecordCount" : "FailedPutCount",
                  nfail, kinesis ? "Records" : "RequestResponses");
    for(i = 0; i < NMAX; i++) {
      if(i)
        sl_buf_addc(&body, ',');
      if(i % 7 == 3)
        sl_buf_printf(&body, "{\"ErrorCode\":\"Code%zu\",\"ErrorMessage\":\"message %zu\"}", i, i);
      else if(kinesis)
        sl_buf_printf(&body, "{\"SequenceNumber\":\"4954%030zu\",\"ShardId\":\"shardId-%012zu\"}",
                      i, i % 4);
      else
        sl_buf_printf(&body, "{\"RecordId\":\"4954%052zu\"}", i);
    }
    CU_ASSERT_EQUAL(sl_buf_adds(&body, "]}"), SL_OK);
    compare("generated", body.data, body.len, kinesis, NMAX, 1, SL_OK);
    sl_buf_cleanup(&body);
  }
  {
    const char *small = "{\"FailedPutCount\":1,\"RequestResponses\":[{\"RecordId\":\"a\"},"
                        "{\"ErrorCode\":\"E\",\"ErrorMessage\":\"m\"}]}";
    size_t len = strlen(small);
    for(cut = 0; cut < len; cut++) {
      char *copy = malloc(cut ? cut : 1);
      CU_ASSERT_FATAL(copy != NULL);
      memcpy(copy, small, cut);
      compare("prefix", copy, cut, 0, 2, 0, SL_E_PARSE);
      free(copy);
    }
    compare("whole", small, len, 0, 2, 1, SL_OK);
  }
  {
    struct sl_record_result r[1];
    size_t failed = 7;
    CU_ASSERT_EQUAL(sl_streams_scan_put_answer(NULL, 0, 0, 1, r, &failed), 0);
    CU_ASSERT_EQUAL(failed, 0);
  }
}

/* The request body on the wire: written in place of the old buffer-built
 * one, so checked here as JSON against what was asked for, with awkward
 * names and keys and every small data length. */
static char answer_buf[64 * 1024];

static void wire_handler(void *ud, const struct sl_mini_request *req,
                         struct sl_mini_response *resp)
{
  const char *t = sl_headers_get(&req->headers, "X-Amz-Target");
  int kinesis = t && strstr(t, "Kinesis");
  const char *p = req->body.data;
  size_t n = 0, len;
  (void)ud;
  while((p = strstr(p, "\"Data\""))) {
    n++;
    p += 6;
  }
  len = (size_t)snprintf(answer_buf, sizeof(answer_buf), "{\"%s\":0,\"%s\":[",
                         kinesis ? "FailedRecordCount" : "FailedPutCount",
                         kinesis ? "Records" : "RequestResponses");
  while(n--)
    len += (size_t)snprintf(answer_buf + len, sizeof(answer_buf) - len, "%s",
                            kinesis ? "{\"SequenceNumber\":\"1\",\"ShardId\":\"s\"}," :
                                      "{\"RecordId\":\"r\"},");
  if(answer_buf[len - 1] == ',')
    len--;
  len += (size_t)snprintf(answer_buf + len, sizeof(answer_buf) - len, "]}");
  resp->headers = "Content-Type: application/x-amz-json-1.1\r\n";
  resp->body = answer_buf;
  resp->body_len = len;
}

static const char *member(struct json_object *o, const char *name)
{
  struct json_object *v;
  return json_object_object_get_ex(o, name, &v) ? json_object_get_string(v) : NULL;
}

/* A mini server with handler, and a client of it with static credentials. */
static struct sl_mini_server *mini_client(sl_mini_handler handler, struct sl_aws_config *cfg,
                                          struct sl_client *c)
{
  struct sl_mini_server *srv;
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  srv = sl_mini_start(handler, NULL);
  CU_ASSERT_FATAL(srv != NULL);
  sl_aws_config_init(cfg);
  snprintf(cfg->region, sizeof(cfg->region), "us-east-1");
  snprintf(cfg->endpoint_url, sizeof(cfg->endpoint_url), "%s", sl_mini_url(srv));
  snprintf(cfg->static_access_key_id, sizeof(cfg->static_access_key_id), "AKIDEXAMPLE");
  snprintf(cfg->static_secret_access_key, sizeof(cfg->static_secret_access_key), "secret");
  CU_ASSERT_EQUAL_FATAL(sl_client_init(c, cfg, NULL, NULL), SL_OK);
  return srv;
}

static void test_request_body(void)
{
  static const char *const stream = "s \"q\" \\ \x01 caf\xc3\xa9";
  static const char *const keys[] = { "k", "", "a\"b\\c\n\x1f", "\xe2\x82\xac" };
  struct sl_mini_server *srv;
  struct sl_aws_config cfg;
  struct sl_client c;
  struct sl_record recs[60];
  struct sl_record_result res[60];
  unsigned char data[60][64];
  size_t i, j, failed = 99;
  int kinesis;
  srv = mini_client(wire_handler, &cfg, &c);
  for(i = 0; i < 60; i++) {
    for(j = 0; j < sizeof(data[i]); j++)
      data[i][j] = (unsigned char)(i * 31 + j * 7);
    recs[i].data = data[i];
    recs[i].len = i;
    recs[i].partition_key = i % 5 == 4 ? NULL : keys[i % 4];
    recs[i].explicit_hash_key = i % 3 ? NULL : "1234567890";
  }
  for(kinesis = 0; kinesis < 2; kinesis++) {
    const struct sl_mini_request *req;
    struct json_object *root, *list;
    struct json_tokener *tok;
    enum sl_result r = kinesis ? sl_kinesis_put_batch(&c, stream, recs, 60, res, &failed, NULL) :
                                 sl_firehose_put_batch(&c, stream, recs, 60, res, &failed, NULL);
    CU_ASSERT_EQUAL_FATAL(r, SL_OK);
    CU_ASSERT_EQUAL(failed, 0);
    CU_ASSERT(res[59].ok);
    req = sl_mini_request_at(srv, sl_mini_request_count(srv) - 1);
    CU_ASSERT_FATAL(req != NULL);
    CU_ASSERT_EQUAL(strlen(req->body.data), req->body.len);
    /* The whole body is one JSON object, nothing after it. */
    tok = json_tokener_new();
    root = json_tokener_parse_ex(tok, req->body.data, (int)req->body.len);
    CU_ASSERT_FATAL(root != NULL);
    CU_ASSERT_EQUAL(json_tokener_get_parse_end(tok), req->body.len);
    json_tokener_free(tok);
    CU_ASSERT_STRING_EQUAL(member(root, kinesis ? "StreamName" : "DeliveryStreamName"), stream);
    CU_ASSERT_FATAL(json_object_object_get_ex(root, "Records", &list));
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(list), 60);
    for(i = 0; i < 60; i++) {
      struct json_object *e = json_object_array_get_idx(list, i);
      const char *d = member(e, "Data");
      struct sl_buf dec;
      CU_ASSERT_FATAL(d != NULL);
      sl_buf_init(&dec, 1024);
      CU_ASSERT_EQUAL(sl_base64_decode(d, strlen(d), &dec), SL_OK);
      CU_ASSERT_EQUAL(dec.len, i);
      CU_ASSERT_EQUAL(memcmp(dec.data, data[i], i), 0);
      sl_buf_cleanup(&dec);
      if(kinesis) {
        const char *h = member(e, "ExplicitHashKey");
        CU_ASSERT_STRING_EQUAL(member(e, "PartitionKey"), i % 5 == 4 ? "" : keys[i % 4]);
        CU_ASSERT(i % 3 ? h == NULL : h && !strcmp(h, "1234567890"));
      }
      else {
        CU_ASSERT_PTR_NULL(member(e, "PartitionKey"));
        CU_ASSERT_PTR_NULL(member(e, "ExplicitHashKey"));
      }
    }
    json_object_put(root);
  }
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
}

/* ListShards in two pages, a closed shard among them. */
static void shards_handler(void *ud, const struct sl_mini_request *req, struct sl_mini_response *resp)
{
  (void)ud;
  resp->status = 200;
  resp->headers = "Content-Type: application/x-amz-json-1.1\r\n";
  if(!strstr(req->body.data, "NextToken"))
    resp->body = "{\"Shards\":[{\"ShardId\":\"shardId-000000000000\",\"HashKeyRange\":"
      "{\"StartingHashKey\":\"0\",\"EndingHashKey\":\"340282366920938463463374607431768211455\"},"
      "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"1\",\"EndingSequenceNumber\":\"9\"}},"
      "{\"ShardId\":\"shardId-000000000002\",\"HashKeyRange\":{\"StartingHashKey\":"
      "\"170141183460469231731687303715884105728\",\"EndingHashKey\":"
      "\"340282366920938463463374607431768211455\"},\"SequenceNumberRange\":"
      "{\"StartingSequenceNumber\":\"10\"}}],\"NextToken\":\"page2\"}";
  else
    resp->body = "{\"Shards\":[{\"ShardId\":\"shardId-000000000001\",\"HashKeyRange\":"
      "{\"StartingHashKey\":\"0\",\"EndingHashKey\":\"170141183460469231731687303715884105727\"},"
      "\"SequenceNumberRange\":{\"StartingSequenceNumber\":\"10\"}}]}";
}

static void test_shard_map(void)
{
  struct sl_mini_server *srv;
  struct sl_aws_config cfg;
  struct sl_client c;
  struct sl_shard_map m;
  struct sl_error err;
  uint64_t hi, lo;
  CU_ASSERT_TRUE(sl_kinesis_parse_hash("340282366920938463463374607431768211455", &hi, &lo));
  CU_ASSERT(hi == UINT64_MAX && lo == UINT64_MAX);
  CU_ASSERT_TRUE(sl_kinesis_parse_hash("170141183460469231731687303715884105728", &hi, &lo));
  CU_ASSERT(hi == 0x8000000000000000ull && lo == 0);
  CU_ASSERT_TRUE(sl_kinesis_parse_hash("113427455640312821154458202477256070485", &hi, &lo));
  CU_ASSERT(hi == 0x5555555555555555ull && lo == 0x5555555555555555ull);
  CU_ASSERT_TRUE(sl_kinesis_parse_hash("18446744073709551616", &hi, &lo)); /* 2^64 */
  CU_ASSERT(hi == 1 && lo == 0);
  CU_ASSERT_FALSE(sl_kinesis_parse_hash("340282366920938463463374607431768211456", &hi, &lo));
  CU_ASSERT_FALSE(sl_kinesis_parse_hash("12a", &hi, &lo));
  CU_ASSERT_FALSE(sl_kinesis_parse_hash("", &hi, &lo));
  sl_kinesis_key_hash("k1", 2, &hi, &lo);
  CU_ASSERT(hi == 0xb637b17af08aced8ull && lo == 0x850c18cccde915daull);
  srv = mini_client(shards_handler, &cfg, &c);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(sl_kinesis_shard_map(&c, "events", &m, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_mini_request_at(srv, 0)->body.data, "\"StreamName\":\"events\""));
  CU_ASSERT_STRING_EQUAL(sl_mini_request_at(srv, 1)->body.data, "{\"NextToken\":\"page2\"}");
  CU_ASSERT_EQUAL_FATAL(m.n, 2);
  CU_ASSERT_STRING_EQUAL(m.shard[0].id, "shardId-000000000001"); /* sorted by range */
  CU_ASSERT_STRING_EQUAL(m.shard[1].id, "shardId-000000000002");
  sl_kinesis_key_hash("k1", 2, &hi, &lo);
  CU_ASSERT_EQUAL(sl_shard_map_find(&m, hi, lo), 1);
  sl_kinesis_key_hash("user-17", 7, &hi, &lo);
  CU_ASSERT_EQUAL(sl_shard_map_find(&m, hi, lo), 0);
  CU_ASSERT_EQUAL(sl_shard_map_find(&m, 0, 0), 0);
  CU_ASSERT_EQUAL(sl_shard_map_find(&m, 0x7fffffffffffffffull, UINT64_MAX), 0);
  CU_ASSERT_EQUAL(sl_shard_map_find(&m, 0x8000000000000000ull, 0), 1);
  CU_ASSERT_EQUAL(sl_shard_map_find(&m, UINT64_MAX, UINT64_MAX), 1);
  sl_shard_map_cleanup(&m);
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
}

static const struct sl_test tests[] = {
  { "shard map: ListShards pages, hash ranges", test_shard_map },
  { "answer table: scanner against json-c", test_answer_table },
  { "answer generated: full batches and every prefix", test_answer_generated },
  { "request body on the wire", test_request_body },
  { NULL, NULL }
};

SL_TEST_MAIN("streams", tests, NULL, NULL)
