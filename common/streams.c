/* streams.c — Firehose and Kinesis over JSON 1.1: named operations, batch
 * puts written straight into a buffer (no DOM on the hot path), and
 * per-entry results read back from the answer. */
#include "sluice/streams.h"
#include "streams_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#define FIREHOSE_PREFIX "Firehose_20150804."
#define KINESIS_PREFIX "Kinesis_20131202."

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

/* A JSON string literal, escaped per RFC 8259; bytes >= 0x80 pass through
 * (the caller's text is UTF-8). */
static enum sl_result json_str(struct sl_buf *b, const char *s)
{
  static const char hex[] = "0123456789abcdef";
  enum sl_result r = sl_buf_addc(b, '"');
  for(; *s && !r; s++) {
    unsigned char ch = (unsigned char)*s;
    if(ch == '"' || ch == '\\') {
      char e[2] = { '\\', (char)ch };
      r = sl_buf_add(b, e, 2);
    }
    else if(ch < 0x20) {
      char e[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };
      r = sl_buf_add(b, e, 6);
    }
    else
      r = sl_buf_addc(b, (char)ch);
  }
  if(!r)
    r = sl_buf_addc(b, '"');
  return r;
}

static enum sl_result batch_body(struct sl_buf *b, int kinesis, const char *stream,
                                 const struct sl_record *recs, size_t n)
{
  size_t i;
  enum sl_result r = sl_buf_adds(b, kinesis ? "{\"StreamName\":" : "{\"DeliveryStreamName\":");
  if(!r)
    r = json_str(b, stream);
  if(!r)
    r = sl_buf_adds(b, ",\"Records\":[");
  for(i = 0; i < n && !r; i++) {
    r = sl_buf_adds(b, i ? ",{\"Data\":\"" : "{\"Data\":\"");
    if(!r)
      r = sl_base64_encode(recs[i].data, recs[i].len, b);
    if(!r)
      r = sl_buf_addc(b, '"');
    if(!r && kinesis) {
      r = sl_buf_adds(b, ",\"PartitionKey\":");
      if(!r)
        r = json_str(b, recs[i].partition_key ? recs[i].partition_key : "");
      if(!r && recs[i].explicit_hash_key) {
        r = sl_buf_adds(b, ",\"ExplicitHashKey\":");
        if(!r)
          r = json_str(b, recs[i].explicit_hash_key);
      }
    }
    if(!r)
      r = sl_buf_addc(b, '}');
  }
  if(!r)
    r = sl_buf_adds(b, "]}");
  return r;
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
  struct sl_buf body;
  enum sl_result r;
  *failed = 0;
  if(!n || n > 500)
    return sl_error_set(err, SL_E_INVALID, NULL, "a batch holds 1 to 500 records, not %zu", n);
  sl_headers_init(&h);
  sl_http_response_init(&resp);
  /* base64 grows data by 4/3; the request bound leaves room for the JSON. */
  r = sl_buf_init(&body, 16u * 1024 * 1024);
  if(!r)
    r = batch_body(&body, kinesis, stream, recs, n);
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
  req.max_response = 4u * 1024 * 1024;
  if(!r)
    r = sl_aws_send(c, &req, &resp, err);
  if(!r)
    r = sl_streams_parse_put_answer(resp.body.data, resp.body.len, kinesis, n, results, failed,
                                    err);
  sl_buf_cleanup(&body);
  sl_headers_cleanup(&h);
  sl_http_response_cleanup(&resp);
  return r;
}

enum sl_result sl_streams_parse_put_answer(const char *text, size_t len, int kinesis, size_t n,
                                           struct sl_record_result *results, size_t *failed,
                                           struct sl_error *err)
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
     !json_object_is_type(list, json_type_array) || json_object_array_length(list) != n)
    r = sl_error_set(err, SL_E_PARSE, NULL, "%s answer does not hold %zu entries",
                     kinesis ? "PutRecords" : "PutRecordBatch", n);
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
    r = sl_error_set(err, SL_E_PARSE, NULL, "answer says %lld failed but %zu entries carry errors",
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

static enum sl_result status_of(struct sl_client *c, int kinesis, const char *stream,
                                char status[32], struct sl_error *err)
{
  struct json_object *in = json_object_new_object(), *out = NULL, *d;
  enum sl_result r;
  const char *s = NULL;
  status[0] = 0;
  if(!in)
    return SL_E_NOMEM;
  json_object_object_add(in, kinesis ? "StreamName" : "DeliveryStreamName",
                         json_object_new_string(stream));
  r = kinesis ? sl_kinesis_call(c, "DescribeStreamSummary", in, &out, err) :
                sl_firehose_call(c, "DescribeDeliveryStream", in, &out, err);
  if(!r) {
    if(json_object_object_get_ex(out, kinesis ? "StreamDescriptionSummary" :
                                                "DeliveryStreamDescription", &d))
      s = str_member(d, kinesis ? "StreamStatus" : "DeliveryStreamStatus");
    if(!s)
      r = sl_error_set(err, SL_E_PARSE, NULL, "Describe answer for %s has no status", stream);
    else
      snprintf(status, 32, "%s", s);
  }
  json_object_put(in);
  if(out)
    json_object_put(out);
  return r;
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
