/* streams.c — Firehose and Kinesis over JSON 1.1: named operations, batch
 * puts written straight into a buffer (no DOM on the hot path), and
 * per-entry results read back from the answer. */
#include "sluice/streams.h"
#include "streams_internal.h"
#include "streams_scan.h"
#include "sluice/retry.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "common/buf_internal.h"

#define FIREHOSE_PREFIX "Firehose_20150804."
#define KINESIS_PREFIX "Kinesis_20131202."
#define LOGS_PREFIX "Logs_20140328."

static enum sl_result call(struct sl_client *c, enum sl_service svc, const char *prefix,
                           const char *op, struct json_object *in, struct json_object **out,
                           struct sl_error *err)
{
  char target[128];
  struct json_object *ignored = NULL;
  enum sl_result r;
  snprintf(target, sizeof(target), "%s%s", prefix, op);
  r = sl_aws_json(c, svc, target, in, out ? out : &ignored, err);
  if(ignored)
    json_object_put(ignored);
  if(r == SL_E_AWS && !strcmp(err->code, "ResourceNotFoundException"))
    r = SL_E_NOT_FOUND;
  return r;
}

enum sl_result sl_firehose_call(struct sl_client *c, const char *op, struct json_object *in,
                                struct json_object **out, struct sl_error *err)
{
  return call(c, SL_SVC_FIREHOSE, FIREHOSE_PREFIX, op, in, out, err);
}

enum sl_result sl_kinesis_call(struct sl_client *c, const char *op, struct json_object *in,
                               struct json_object **out, struct sl_error *err)
{
  return call(c, SL_SVC_KINESIS, KINESIS_PREFIX, op, in, out, err);
}

enum sl_result sl_logs_call(struct sl_client *c, const char *op, struct json_object *in,
                            struct json_object **out, struct sl_error *err)
{
  return call(c, SL_SVC_LOGS, LOGS_PREFIX, op, in, out, err);
}

/* The request body is sized exactly before it is written: one allocation,
 * no copies as it grows. It is SHA-256'd in slices as it is written, while
 * the bytes are still in cache, and the hash goes to the signer. */
#define BODY_MAX SL_BUF_MEDIUM
#define HASH_SLICE (16u * 1024u)

struct body {
  char *data;
  size_t len;
  char hash[65]; /* lowercase hex SHA-256 of data */
};

/* Length json_put writes for s. */
static size_t json_len(const char *s)
{
  size_t n = 2;
  for(; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    n += ch == '"' || ch == '\\' ? 2 : ch < 0x20 ? 6 : 1;
  }
  return n;
}

/* A JSON string literal, escaped per RFC 8259; bytes >= 0x80 pass through
 * (the caller's text is UTF-8). Returns the end of what it wrote. */
static char *json_put(char *o, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  *o++ = '"';
  for(; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if(ch == '"' || ch == '\\') {
      *o++ = '\\';
      *o++ = (char)ch;
    }
    else if(ch < 0x20) {
      memcpy(o, "\\u00", 4);
      o[4] = hex[ch >> 4];
      o[5] = hex[ch & 15];
      o += 6;
    }
    else
      *o++ = (char)ch;
  }
  *o++ = '"';
  return o;
}

#define PUT_LIT(o, lit) (memcpy((o), (lit), sizeof(lit) - 1), (o) + sizeof(lit) - 1)

static const char *key_of(const struct sl_record *r)
{
  return r->partition_key ? r->partition_key : "";
}

/* Exact body length, or 0 when it would pass BODY_MAX. */
static size_t body_len(int kinesis, const char *stream, const struct sl_record *recs, size_t n)
{
  size_t len = (kinesis ? sizeof("{\"StreamName\":") : sizeof("{\"DeliveryStreamName\":")) - 1 +
               json_len(stream) + sizeof(",\"Records\":[]}") - 1, i;
  for(i = 0; i < n; i++) {
    size_t rl = sizeof(",{\"Data\":\"\"}") - 1 - !i;
    if(recs[i].len > BODY_MAX)
      return 0;
    rl += SL_BASE64_LEN(recs[i].len);
    if(kinesis) {
      rl += sizeof(",\"PartitionKey\":") - 1 + json_len(key_of(&recs[i]));
      if(recs[i].explicit_hash_key)
        rl += sizeof(",\"ExplicitHashKey\":") - 1 + json_len(recs[i].explicit_hash_key);
    }
    if(rl > BODY_MAX - len)
      return 0;
    len += rl;
  }
  return len;
}

static void body_cleanup(struct body *b)
{
  free(b->data);
  b->data = NULL;
}

static enum sl_result build_body(struct body *b, int kinesis, const char *stream,
                                 const struct sl_record *recs, size_t n, struct sl_error *err)
{
  size_t need = body_len(kinesis, stream, recs, n), i;
  unsigned char md[32];
  unsigned mdlen = 0;
  EVP_MD_CTX *ctx;
  const char *hashed;
  char *o;
  int ok;
  b->data = NULL;
  b->len = 0;
  if(!need)
    return sl_error_set(err, SL_E_TOO_LARGE, NULL, "%s request body would pass %u bytes",
                        kinesis ? "PutRecords" : "PutRecordBatch", BODY_MAX);
  b->data = malloc(need + 1);
  ctx = EVP_MD_CTX_new();
  ok = b->data && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  o = b->data;
  hashed = o;
  if(ok) {
    o = kinesis ? PUT_LIT(o, "{\"StreamName\":") : PUT_LIT(o, "{\"DeliveryStreamName\":");
    o = json_put(o, stream);
    o = PUT_LIT(o, ",\"Records\":[");
  }
  for(i = 0; ok && i < n; i++) {
    o = i ? PUT_LIT(o, ",{\"Data\":\"") : PUT_LIT(o, "{\"Data\":\"");
    o += sl_base64_encode_raw(recs[i].data, recs[i].len, o);
    *o++ = '"';
    if(kinesis) {
      o = PUT_LIT(o, ",\"PartitionKey\":");
      o = json_put(o, key_of(&recs[i]));
      if(recs[i].explicit_hash_key) {
        o = PUT_LIT(o, ",\"ExplicitHashKey\":");
        o = json_put(o, recs[i].explicit_hash_key);
      }
    }
    *o++ = '}';
    if((size_t)(o - hashed) >= HASH_SLICE) {
      ok = EVP_DigestUpdate(ctx, hashed, (size_t)(o - hashed));
      hashed = o;
    }
  }
  if(ok) {
    o = PUT_LIT(o, "]}");
    ok = EVP_DigestUpdate(ctx, hashed, (size_t)(o - hashed)) &&
         EVP_DigestFinal_ex(ctx, md, &mdlen) && mdlen == sizeof(md);
  }
  EVP_MD_CTX_free(ctx);
  if(!ok) {
    body_cleanup(b);
    return sl_error_set(err, SL_E_NOMEM, NULL, "cannot build the request body");
  }
  if((size_t)(o - b->data) != need) {
    body_cleanup(b);
    return sl_error_set(err, SL_E_INTERNAL, NULL, "request body length miscounted");
  }
  *o = 0;
  b->len = need;
  sl_hex(md, sizeof(md), b->hash);
  return SL_OK;
}

static const char *str_member(struct json_object *o, const char *name)
{
  struct json_object *v;
  if(o && json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string))
    return json_object_get_string(v);
  return NULL;
}

static enum sl_result put_batch(struct sl_client *c, int kinesis, const char *stream,
                                const struct sl_record *recs, size_t n,
                                struct sl_record_result *results, size_t *failed,
                                struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_headers h;
  struct body body;
  enum sl_result r;
  *failed = 0;
  if(!n || n > 500)
    return sl_error_set(err, SL_E_INVALID, NULL, "a batch holds 1 to 500 records, not %zu", n);
  sl_headers_init(&h);
  sl_http_response_init(&resp);
  r = build_body(&body, kinesis, stream, recs, n, err);
  if(!r)
    r = sl_headers_add(&h, "X-Amz-Target", kinesis ? KINESIS_PREFIX "PutRecords" :
                                                     FIREHOSE_PREFIX "PutRecordBatch");
  memset(&req, 0, sizeof(req));
  req.svc = kinesis ? SL_SVC_KINESIS : SL_SVC_FIREHOSE;
  req.method = "POST";
  req.path = "/";
  req.headers = &h;
  req.content_type = "application/x-amz-json-1.1";
  req.body = body.data;
  req.body_len = body.len;
  req.payload_hash = body.hash;
  req.max_response = 4u * 1024 * 1024;
  if(!r)
    r = sl_aws_send(c, &req, &resp, err);
  if(!r)
    r = sl_streams_parse_put_answer(resp.body.data, resp.body.len, kinesis, n, results, failed,
                                    err);
  body_cleanup(&body);
  sl_headers_cleanup(&h);
  sl_http_response_cleanup(&resp);
  return r;
}

enum sl_result sl_streams_parse_put_answer(const char *text, size_t len, int kinesis, size_t n,
                                           struct sl_record_result *results, size_t *failed,
                                           struct sl_error *err)
{
  if(sl_streams_scan_put_answer(text, len, kinesis, n, results, failed))
    return SL_OK;
  return sl_streams_parse_put_answer_json(text, len, kinesis, n, results, failed, err);
}

/* The first bytes of an answer, printable, for a message about it. */
static void answer_head(const char *text, size_t len, char *out, size_t n)
{
  size_t i, k = 0, show = len < 60 ? len : 60;
  for(i = 0; i < show && k + 4 < n; i++) {
    unsigned char ch = (unsigned char)text[i];
    out[k++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '.';
  }
  if(show < len && k + 4 < n) {
    memcpy(out + k, "...", 3);
    k += 3;
  }
  out[k] = 0;
}

enum sl_result sl_streams_parse_put_answer_json(const char *text, size_t len, int kinesis,
                                                size_t n, struct sl_record_result *results,
                                                size_t *failed, struct sl_error *err)
{
  struct json_object *ans = NULL, *list = NULL, *cnt = NULL;
  enum sl_result r = SL_OK;
  size_t i;
  *failed = 0;
  if(len <= INT_MAX) {
    struct json_tokener *tok = json_tokener_new();
    ans = tok ? json_tokener_parse_ex(tok, text, (int)len) : NULL;
    if(tok)
      json_tokener_free(tok);
  }
  if(!ans || !json_object_object_get_ex(ans, kinesis ? "Records" : "RequestResponses", &list) ||
     !json_object_is_type(list, json_type_array) || json_object_array_length(list) != n) {
    char head[80];
    answer_head(text, len, head, sizeof(head));
    if(!ans)
      r = sl_error_set(err, SL_E_PARSE, SL_CODE_INVALID_ANSWER, "%s answer is not JSON (%zu "
                       "bytes): %s", kinesis ? "PutRecords" : "PutRecordBatch", len, head);
    else
      r = sl_error_set(err, SL_E_PARSE, SL_CODE_INVALID_ANSWER, "%s answer does not hold %zu "
                       "entries (%zu bytes): %s", kinesis ? "PutRecords" : "PutRecordBatch", n,
                       len, head);
  }
  for(i = 0; !r && i < n; i++) {
    struct json_object *e = json_object_array_get_idx(list, i);
    const char *code = str_member(e, "ErrorCode");
    const char *id = str_member(e, kinesis ? "SequenceNumber" : "RecordId");
    struct sl_record_result *res = &results[i];
    memset(res, 0, sizeof(*res));
    if(code && *code) {
      const char *msg = str_member(e, "ErrorMessage");
      snprintf(res->error_code, sizeof(res->error_code), "%s", code);
      snprintf(res->error_message, sizeof(res->error_message), "%s", msg ? msg : "");
      (*failed)++;
    }
    else {
      const char *shard = str_member(e, "ShardId");
      res->ok = 1;
      snprintf(res->id, sizeof(res->id), "%s", id ? id : "");
      snprintf(res->shard_id, sizeof(res->shard_id), "%s", shard ? shard : "");
    }
  }
  /* The count the service reports must agree with the entries. */
  if(!r && json_object_object_get_ex(ans, kinesis ? "FailedRecordCount" : "FailedPutCount", &cnt) &&
     (size_t)json_object_get_int64(cnt) != *failed)
    r = sl_error_set(err, SL_E_PARSE, SL_CODE_INVALID_ANSWER,
                     "answer says %lld failed but %zu entries carry errors",
                     (long long)json_object_get_int64(cnt), *failed);
  if(ans)
    json_object_put(ans);
  return r;
}

enum sl_result sl_firehose_put_batch(struct sl_client *c, const char *stream,
                                     const struct sl_record *recs, size_t n,
                                     struct sl_record_result *results, size_t *failed,
                                     struct sl_error *err)
{
  return put_batch(c, 0, stream, recs, n, results, failed, err);
}

enum sl_result sl_kinesis_put_batch(struct sl_client *c, const char *stream,
                                    const struct sl_record *recs, size_t n,
                                    struct sl_record_result *results, size_t *failed,
                                    struct sl_error *err)
{
  return put_batch(c, 1, stream, recs, n, results, failed, err);
}

static void copy_member(char *dst, size_t n, struct json_object *o, const char *name)
{
  const char *v = str_member(o, name);
  snprintf(dst, n, "%s", v ? v : "");
}

static enum sl_result summary_of(struct sl_client *c, int kinesis, const char *stream,
                                 struct sl_stream_summary *sum, struct sl_error *err)
{
  struct json_object *in = json_object_new_object(), *out = NULL, *d = NULL, *src, *ks;
  enum sl_result r;
  memset(sum, 0, sizeof(*sum));
  if(!in)
    return SL_E_NOMEM;
  json_object_object_add(in, kinesis ? "StreamName" : "DeliveryStreamName",
                         json_object_new_string(stream));
  r = kinesis ? sl_kinesis_call(c, "DescribeStreamSummary", in, &out, err) :
                sl_firehose_call(c, "DescribeDeliveryStream", in, &out, err);
  if(!r && !json_object_object_get_ex(out, kinesis ? "StreamDescriptionSummary" :
                                                     "DeliveryStreamDescription", &d))
    d = NULL;
  if(!r && !str_member(d, kinesis ? "StreamStatus" : "DeliveryStreamStatus"))
    r = sl_error_set(err, SL_E_PARSE, NULL, "Describe answer for %s has no status", stream);
  if(!r) {
    struct json_object *ts;
    /* Both services give the creation time as epoch seconds. */
    sum->created = json_object_object_get_ex(d, kinesis ? "StreamCreationTimestamp" :
                                                           "CreateTimestamp", &ts) ?
                   (int64_t)json_object_get_double(ts) : INT64_MIN;
  }
  if(!r && kinesis) {
    copy_member(sum->status, sizeof(sum->status), d, "StreamStatus");
    copy_member(sum->arn, sizeof(sum->arn), d, "StreamARN");
  }
  else if(!r) {
    copy_member(sum->status, sizeof(sum->status), d, "DeliveryStreamStatus");
    copy_member(sum->arn, sizeof(sum->arn), d, "DeliveryStreamARN");
    copy_member(sum->type, sizeof(sum->type), d, "DeliveryStreamType");
    if(json_object_object_get_ex(d, "Source", &src) &&
       json_object_object_get_ex(src, "KinesisStreamSourceDescription", &ks))
      copy_member(sum->source_arn, sizeof(sum->source_arn), ks, "KinesisStreamARN");
  }
  json_object_put(in);
  if(out)
    json_object_put(out);
  return r;
}

static enum sl_result status_of(struct sl_client *c, int kinesis, const char *stream,
                                char status[32], struct sl_error *err)
{
  struct sl_stream_summary sum;
  enum sl_result r = summary_of(c, kinesis, stream, &sum, err);
  memcpy(status, sum.status, 32);
  return r;
}

enum sl_result sl_firehose_summary(struct sl_client *c, const char *stream,
                                   struct sl_stream_summary *out, struct sl_error *err)
{
  return summary_of(c, 0, stream, out, err);
}

enum sl_result sl_kinesis_summary(struct sl_client *c, const char *stream,
                                  struct sl_stream_summary *out, struct sl_error *err)
{
  return summary_of(c, 1, stream, out, err);
}

enum sl_result sl_firehose_status(struct sl_client *c, const char *stream, char status[32],
                                  struct sl_error *err)
{
  return status_of(c, 0, stream, status, err);
}

enum sl_result sl_kinesis_status(struct sl_client *c, const char *stream, char status[32],
                                 struct sl_error *err)
{
  return status_of(c, 1, stream, status, err);
}
