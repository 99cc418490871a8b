/* fuzz_answers.c — the success answers sluice reads credentials and batch
 * results from: the JSON credentials document of IMDS / ECS (Token) and
 * credential_process (SessionToken, Version 1), STS AssumeRole* XML, and
 * the Firehose PutRecordBatch / Kinesis PutRecords JSON answers (the fast
 * scanner checked against the json-c reader wherever it accepts). The first
 * byte picks the batch size the answer must match; the rest goes to every
 * parser. Accepted credentials must be complete and terminated. */
#include "fuzz.h"
#include "sluice/streams.h"
#include "common/aws/creds_value.h"
#include "common/aws/creds_process.h"
#include "common/aws/creds_remote.h"
#include "common/aws/sts_internal.h"
#include "common/api/streams_internal.h"
#include "common/api/streams_scan.h"

#define FUZZ_MAX_INPUT (256u * 1024u)

static void check_creds(enum sl_result r, const struct sl_creds *c, const struct sl_error *err)
{
  if(r == SL_OK) {
    FUZZ_CHECK(c->access_key_id && *c->access_key_id);
    FUZZ_CHECK(c->secret_access_key && *c->secret_access_key);
    FUZZ_CHECK(fuzz_terminated(c->source, sizeof(c->source)));
  }
  else
    FUZZ_CHECK(err->message[0]);
  FUZZ_CHECK(fuzz_terminated(err->message, sizeof(err->message)));
}

static void creds_json(const char *p, size_t n)
{
  static const struct {
    const char *token;
    int version;
    const char *source;
  } kinds[] = { { "Token", 0, "imds" }, { "Token", 0, "ecs" }, { "SessionToken", 1, "process" } };
  size_t i;
  for(i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
    struct sl_creds c;
    struct sl_error err;
    enum sl_result r;
    memset(&c, 0, sizeof(c));
    sl_error_clear(&err);
    r = sl_creds_from_json(p, n, kinds[i].token, kinds[i].version, kinds[i].source, "fuzz", &c,
                           &err);
    check_creds(r, &c, &err);
    if(r == SL_OK)
      FUZZ_CHECK(!strcmp(c.source, kinds[i].source));
    sl_creds_cleanup(&c);
  }
}

static void sts_xml(const char *p, size_t n)
{
  static const char *const actions[] = { "AssumeRole", "AssumeRoleWithWebIdentity" };
  size_t i;
  for(i = 0; i < 2; i++) {
    struct sl_creds c;
    struct sl_error err;
    enum sl_result r;
    memset(&c, 0, sizeof(c));
    sl_error_clear(&err);
    r = sl_sts_parse_credentials(p, n, actions[i], i ? "web-identity" : "sts", &c, &err);
    check_creds(r, &c, &err);
    if(r == SL_OK) /* STS credentials always carry a token and an expiry */
      FUZZ_CHECK(c.session_token && c.expiration);
    sl_creds_cleanup(&c);
  }
}

static int same_result(const struct sl_record_result *a, const struct sl_record_result *b)
{
  return a->ok == b->ok && !strcmp(a->id, b->id) && !strcmp(a->shard_id, b->shard_id) &&
         !strcmp(a->error_code, b->error_code) && !strcmp(a->error_message, b->error_message);
}

/* The one-pass scanner may decline any answer, but what it accepts it must
 * read exactly as the json-c reader does. */
static void scanner_agrees(const char *p, size_t len, int kinesis, size_t n)
{
  struct sl_record_result a[8], b[8];
  struct sl_error err;
  size_t fa = 99, fb = 98, i;
  if(!sl_streams_scan_put_answer(p, len, kinesis, n, a, &fa))
    return;
  sl_error_clear(&err);
  FUZZ_CHECK(sl_streams_parse_put_answer_json(p, len, kinesis, n, b, &fb, &err) == SL_OK);
  FUZZ_CHECK(fa == fb);
  for(i = 0; i < n; i++)
    FUZZ_CHECK(same_result(&a[i], &b[i]));
}

static void put_answer(const char *p, size_t len, size_t n)
{
  struct sl_record_result res[8];
  int kinesis;
  for(kinesis = 0; kinesis < 2; kinesis++) {
    struct sl_error err;
    size_t failed = 99, i, errors = 0;
    enum sl_result r;
    sl_error_clear(&err);
    r = sl_streams_parse_put_answer(p, len, kinesis, n, res, &failed, &err);
    if(r != SL_OK) {
      FUZZ_CHECK(r == SL_E_PARSE && err.message[0]);
      continue;
    }
    for(i = 0; i < n; i++) {
      FUZZ_CHECK(fuzz_terminated(res[i].id, sizeof(res[i].id)));
      FUZZ_CHECK(fuzz_terminated(res[i].shard_id, sizeof(res[i].shard_id)));
      FUZZ_CHECK(fuzz_terminated(res[i].error_code, sizeof(res[i].error_code)));
      FUZZ_CHECK(fuzz_terminated(res[i].error_message, sizeof(res[i].error_message)));
      FUZZ_CHECK(res[i].ok == !res[i].error_code[0]);
      errors += !res[i].ok;
    }
    FUZZ_CHECK(failed == errors);
  }
  for(kinesis = 0; kinesis < 2; kinesis++)
    scanner_agrees(p, len, kinesis, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *p;
  size_t n;
  if(size > FUZZ_MAX_INPUT || !size)
    return 0;
  fuzz_init();
  n = 1 + data[0] % 8;
  /* an exact-size copy, so reads past the end show */
  p = malloc(size - 1 ? size - 1 : 1);
  if(!p)
    abort();
  memcpy(p, data + 1, size - 1);
  creds_json(p, size - 1);
  sts_xml(p, size - 1);
  put_answer(p, size - 1, n);
  free(p);
  return 0;
}
