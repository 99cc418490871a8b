/* policy.c — the desired state derived from a profile: ARNs and the three
 * policy documents (role trust, least-privilege delivery, bucket TLS-only),
 * plus the canonical JSON form used to compare policies semantically. */
#include "sluice/provision.h"
#include "tags.h"
#include "role.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <json-c/json.h>

#define POLICY_VERSION "2012-10-17"
#define POLICY_MAX (64u * 1024u)
#define JSON_DEPTH 32
#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* ------------------------------------------------------------------ building */

static struct json_object *str(const char *s)
{
  return json_object_new_string(s);
}

static struct json_object *strings(const char *const *v, size_t n)
{
  struct json_object *a = json_object_new_array();
  size_t i;
  for(i = 0; a && i < n; i++)
    json_object_array_add(a, str(v[i]));
  return a;
}

/* Members in the order AWS documents them; IAM ignores the order. */
static struct json_object *statement(const char *sid, const char *effect, const char *principal,
                                     struct json_object *action, struct json_object *resource)
{
  struct json_object *s = json_object_new_object();
  if(sid)
    json_object_object_add(s, "Sid", str(sid));
  json_object_object_add(s, "Effect", str(effect));
  if(principal)
    json_object_object_add(s, "Principal", str(principal));
  json_object_object_add(s, "Action", action);
  json_object_object_add(s, "Resource", resource);
  return s;
}

/* Serializes {"Version":...,"Statement":stmts} into out and frees stmts. */
static enum sl_result document(struct json_object *stmts, struct sl_buf *out)
{
  struct json_object *doc = json_object_new_object();
  const char *text;
  enum sl_result r;
  json_object_object_add(doc, "Version", str(POLICY_VERSION));
  json_object_object_add(doc, "Statement", stmts);
  text = json_object_to_json_string_ext(doc, JSON_FLAGS);
  r = text ? sl_buf_adds(out, text) : SL_E_NOMEM;
  json_object_put(doc);
  return r;
}

enum sl_result sl_policy_trust(const char *account, struct sl_buf *out)
{
  struct json_object *st = json_object_new_object(), *pr = json_object_new_object();
  struct json_object *cond = json_object_new_object(), *eq = json_object_new_object();
  struct json_object *stmts = json_object_new_array();
  json_object_object_add(pr, "Service", str("firehose.amazonaws.com"));
  /* Confused deputy: Firehose passes the account as external id, so only
   * streams of this account can assume the role. */
  json_object_object_add(eq, "sts:ExternalId", str(account));
  json_object_object_add(cond, "StringEquals", eq);
  json_object_object_add(st, "Effect", str("Allow"));
  json_object_object_add(st, "Principal", pr);
  json_object_object_add(st, "Action", str("sts:AssumeRole"));
  json_object_object_add(st, "Condition", cond);
  json_object_array_add(stmts, st);
  return document(stmts, out);
}

enum sl_result sl_policy_bucket_tls(const char *bucket_arn, struct sl_buf *out)
{
  char objects[160];
  const char *res[2];
  struct json_object *stmts = json_object_new_array(), *st, *cond, *b;
  snprintf(objects, sizeof(objects), "%s/*", bucket_arn);
  res[0] = bucket_arn;
  res[1] = objects;
  st = statement("DenyInsecureTransport", "Deny", "*", str("s3:*"), strings(res, 2));
  cond = json_object_new_object();
  b = json_object_new_object();
  json_object_object_add(b, "aws:SecureTransport", str("false"));
  json_object_object_add(cond, "Bool", b);
  json_object_object_add(st, "Condition", cond);
  json_object_array_add(stmts, st);
  return document(stmts, out);
}

size_t sl_prefix_literal_len(const char *prefix)
{
  const char *e = strstr(prefix, "!{");
  return e ? (size_t)(e - prefix) : strlen(prefix);
}

/* arn:...:::bucket/<literal prefix>* — object actions stay below the
 * prefixes Firehose writes to. */
static void object_arn(const char *bucket_arn, const char *prefix, char *out, size_t outlen)
{
  snprintf(out, outlen, "%s/%.*s*", bucket_arn, (int)sl_prefix_literal_len(prefix), prefix);
}

enum sl_result sl_policy_delivery(const struct sl_prov_desired *d, struct sl_buf *out)
{
  static const char *const bucket_actions[] = {
    "s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads" };
  static const char *const object_actions[] = {
    "s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject" };
  static const char *const kinesis_actions[] = {
    "kinesis:DescribeStream", "kinesis:GetShardIterator", "kinesis:GetRecords",
    "kinesis:ListShards" };
  static const char *const kms_actions[] = { "kms:GenerateDataKey", "kms:Decrypt" };
  const struct sl_profile *p = d->p;
  struct json_object *stmts = json_object_new_array(), *objs = json_object_new_array();
  char data_arn[1300], error_arn[1300];

  json_object_array_add(stmts, statement("S3Bucket", "Allow", NULL, strings(bucket_actions, 3),
                                         str(d->bucket_arn)));
  object_arn(d->bucket_arn, p->firehose.prefix, data_arn, sizeof(data_arn));
  json_object_array_add(objs, str(data_arn));
  /* No error prefix: Firehose then only writes below the data prefix. */
  if(p->firehose.error_prefix[0]) {
    object_arn(d->bucket_arn, p->firehose.error_prefix, error_arn, sizeof(error_arn));
    if(strcmp(error_arn, data_arn))
      json_object_array_add(objs, str(error_arn));
  }
  json_object_array_add(stmts, statement("S3Objects", "Allow", NULL, strings(object_actions, 3),
                                         objs));

  if(p->firehose.source == SL_SOURCE_KINESIS && d->kinesis_arn[0])
    json_object_array_add(stmts, statement("KinesisSource", "Allow", NULL,
                                           strings(kinesis_actions, 4), str(d->kinesis_arn)));
  if(p->bucket.encryption == SL_ENC_SSE_KMS) {
    struct json_object *st = statement("KmsForS3", "Allow", NULL, strings(kms_actions, 2),
                                       str(d->kms_key_arn));
    struct json_object *cond = json_object_new_object(), *eq = json_object_new_object();
    char via[128];
    snprintf(via, sizeof(via), "s3.%s.%s", d->region, sl_dns_suffix(d->partition));
    json_object_object_add(eq, "kms:ViaService", str(via));
    /* With an S3 Bucket Key the encryption context is the bucket ARN, not
     * the object's. */
    json_object_object_add(eq, "kms:EncryptionContext:aws:s3:arn", str(d->bucket_arn));
    json_object_object_add(cond, "StringEquals", eq);
    json_object_object_add(st, "Condition", cond);
    json_object_array_add(stmts, st);
  }
  if(p->firehose.cloudwatch_logging) {
    char logs[1400];
    snprintf(logs, sizeof(logs), "%s:log-stream:%s", d->log_group_arn, p->firehose.log_stream);
    json_object_array_add(stmts, statement("CloudWatchLogs", "Allow", NULL,
                                           str("logs:PutLogEvents"), str(logs)));
  }
  return document(stmts, out);
}

/* ------------------------------------------------------------------ desired */

static enum sl_result policy_text(enum sl_result (*make)(struct sl_buf *, const void *),
                                  const void *arg, char **out, struct sl_error *err)
{
  struct sl_buf b;
  enum sl_result r = sl_buf_init(&b, POLICY_MAX);
  if(!r) r = make(&b, arg);
  if(!r)
    *out = sl_buf_steal(&b);
  else
    sl_error_set(err, r, NULL, "cannot build a policy document");
  sl_buf_cleanup(&b);
  return r;
}

static enum sl_result make_trust(struct sl_buf *b, const void *arg)
{
  return sl_policy_trust(arg, b);
}

static enum sl_result make_delivery(struct sl_buf *b, const void *arg)
{
  return sl_policy_delivery(arg, b);
}

static enum sl_result make_bucket(struct sl_buf *b, const void *arg)
{
  return sl_policy_bucket_tls(arg, b);
}

void sl_prov_default_role_name(const char *firehose, const char *region, char *out,
                               size_t outlen)
{
  size_t n = strlen(firehose), rn = strlen(region);
  if(n + 1 + rn + 9 <= 64)
    snprintf(out, outlen, "%s-%s-firehose", firehose, region);
  else {
    unsigned char md[32];
    char hex[9];
    unsigned int mdlen = 0;
    int keep = (int)(64 - 1 - 8 - 1 - rn - 9);
    EVP_Digest(firehose, n, md, &mdlen, EVP_sha256(), NULL);
    sl_hex(md, 4, hex);
    snprintf(out, outlen, "%.*s-%s-%s-firehose", keep > 0 ? keep : 0, firehose, hex, region);
  }
}

enum sl_result sl_prov_desired_init(struct sl_prov_desired *d, const struct sl_profile *p,
                                    const char *region, const char *account,
                                    struct sl_error *err)
{
  const char *key = p->bucket.kms_key_id;
  enum sl_result r;
  memset(d, 0, sizeof(*d));
  d->p = p;
  if(!region)
    region = p->aws.region;
  snprintf(d->region, sizeof(d->region), "%s", region);
  snprintf(d->account, sizeof(d->account), "%s", account);
  snprintf(d->partition, sizeof(d->partition), "%s", sl_partition_of(region));
  snprintf(d->bucket_arn, sizeof(d->bucket_arn), "arn:%s:s3:::%s", d->partition, p->bucket.name);
  if(p->role.name_derived) {
    sl_prov_default_role_name(p->firehose.name, region, d->role_name, sizeof(d->role_name));
    snprintf(d->legacy_role, sizeof(d->legacy_role), "%s", p->role.name);
  }
  else
    snprintf(d->role_name, sizeof(d->role_name), "%s", p->role.name);
  snprintf(d->role_arn, sizeof(d->role_arn), "arn:%s:iam::%s:role/%s", d->partition, account,
           d->role_name);
  if(p->kinesis.enabled)
    snprintf(d->kinesis_arn, sizeof(d->kinesis_arn), "arn:%s:kinesis:%s:%s:stream/%s",
             d->partition, region, account, p->kinesis.name);
  if(p->firehose.cloudwatch_logging)
    snprintf(d->log_group_arn, sizeof(d->log_group_arn), "arn:%s:logs:%s:%s:log-group:%s",
             d->partition, region, account, p->firehose.log_group);
  if(p->athena.enabled) {
    snprintf(d->glue_table, sizeof(d->glue_table), "%s.%s", p->athena.database, p->athena.table);
    snprintf(d->glue_database_arn, sizeof(d->glue_database_arn), "arn:%s:glue:%s:%s:database/%s",
             d->partition, region, account, p->athena.database);
    snprintf(d->glue_table_arn, sizeof(d->glue_table_arn), "arn:%s:glue:%s:%s:table/%s/%s",
             d->partition, region, account, p->athena.database, p->athena.table);
  }
  if(p->bucket.encryption == SL_ENC_SSE_KMS) {
    /* A bare key id or alias is turned into an ARN: policies need one. */
    if(!strncmp(key, "arn:", 4))
      snprintf(d->kms_key_arn, sizeof(d->kms_key_arn), "%s", key);
    else
      snprintf(d->kms_key_arn, sizeof(d->kms_key_arn), "arn:%s:kms:%.63s:%.31s:%s%.1900s",
               d->partition, region, account, strncmp(key, "alias/", 6) ? "key/" : "", key);
  }
  r = sl_prov_tags_merge(&d->bucket_tags, &p->default_tags, &p->bucket.tags);
  if(!r) r = sl_prov_tags_merge(&d->stream_tags, &p->default_tags, NULL);
  if(!r) r = sl_prov_tags_merge(&d->role_tags, &p->default_tags, NULL);
  if(!r) {
    char owner[200];
    sl_prov_owner_value(d, owner, sizeof(owner));
    r = sl_headers_add(&d->role_tags, SL_PROV_OWNER_TAG, owner);
  }
  if(r)
    return sl_error_set(err, r, NULL, "out of memory");
  r = policy_text(make_trust, account, &d->trust_policy, err);
  if(!r) r = policy_text(make_delivery, d, &d->role_policy, err);
  if(!r) r = policy_text(make_bucket, d->bucket_arn, &d->bucket_policy, err);
  d->tls_only = 1;
  return r;
}

enum sl_result sl_prov_desired_set_tls(struct sl_prov_desired *d, int on, const char *why,
                                       struct sl_error *err)
{
  snprintf(d->tls_reason, sizeof(d->tls_reason), "%s", why ? why : "");
  d->tls_only = on;
  if(on && !d->bucket_policy)
    return policy_text(make_bucket, d->bucket_arn, &d->bucket_policy, err);
  if(!on) {
    free(d->bucket_policy);
    d->bucket_policy = NULL;
  }
  return SL_OK;
}

void sl_prov_desired_cleanup(struct sl_prov_desired *d)
{
  free(d->trust_policy);
  free(d->role_policy);
  free(d->bucket_policy);
  sl_headers_cleanup(&d->bucket_tags);
  sl_headers_cleanup(&d->role_tags);
  sl_headers_cleanup(&d->stream_tags);
  memset(d, 0, sizeof(*d));
}

/* ------------------------------------------------------------------ canonical JSON */

static enum sl_result canon(struct json_object *o, struct sl_buf *out);

static enum sl_result quoted(struct sl_buf *out, const char *s)
{
  enum sl_result r = sl_buf_addc(out, '"');
  for(; !r && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if(ch == '"' || ch == '\\')
      r = sl_buf_printf(out, "\\%c", ch);
    else if(ch < 0x20)
      r = sl_buf_printf(out, "\\u%04x", ch);
    else
      r = sl_buf_addc(out, (char)ch);
  }
  if(!r) r = sl_buf_addc(out, '"');
  return r;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Object: keys sorted. */
static enum sl_result canon_object(struct json_object *o, struct sl_buf *out)
{
  size_t n = (size_t)json_object_object_length(o), i = 0;
  const char **keys = calloc(n ? n : 1, sizeof(*keys));
  enum sl_result r = keys ? sl_buf_addc(out, '{') : SL_E_NOMEM;
  struct json_object_iterator it, end;
  if(!r) {
    it = json_object_iter_begin(o);
    end = json_object_iter_end(o);
    for(; !json_object_iter_equal(&it, &end) && i < n; json_object_iter_next(&it))
      keys[i++] = json_object_iter_peek_name(&it);
    qsort(keys, i, sizeof(*keys), cmp_str);
  }
  for(n = i, i = 0; !r && i < n; i++) {
    if(i)
      r = sl_buf_addc(out, ',');
    if(!r) r = quoted(out, keys[i]);
    if(!r) r = sl_buf_addc(out, ':');
    if(!r) r = canon(json_object_object_get(o, keys[i]), out);
  }
  if(!r) r = sl_buf_addc(out, '}');
  free((void *)keys);
  return r;
}

/* Array: a set. Each element canonicalized on its own, then sorted and
 * deduplicated; a single element stands for itself. */
static enum sl_result canon_array(struct json_object *o, struct sl_buf *out)
{
  size_t n = json_object_array_length(o), i, k = 0;
  char **parts = calloc(n ? n : 1, sizeof(*parts));
  enum sl_result r = parts ? SL_OK : SL_E_NOMEM;
  for(i = 0; !r && i < n; i++) {
    struct sl_buf b;
    r = sl_buf_init(&b, POLICY_MAX);
    if(!r) r = canon(json_object_array_get_idx(o, i), &b);
    if(!r)
      parts[i] = sl_buf_steal(&b);
    sl_buf_cleanup(&b);
  }
  if(!r) {
    qsort(parts, n, sizeof(*parts), cmp_str);
    for(i = 0; i < n; i++)
      if(!k || strcmp(parts[k - 1], parts[i]))
        parts[k++] = parts[i];
      else
        free(parts[i]);
    if(k == 1)
      r = sl_buf_adds(out, parts[0]);
    else {
      r = sl_buf_addc(out, '[');
      for(i = 0; !r && i < k; i++) {
        if(i)
          r = sl_buf_addc(out, ',');
        if(!r) r = sl_buf_adds(out, parts[i]);
      }
      if(!r) r = sl_buf_addc(out, ']');
    }
  }
  else
    k = n;
  for(i = 0; parts && i < k; i++)
    free(parts[i]);
  free(parts);
  return r;
}

static enum sl_result canon(struct json_object *o, struct sl_buf *out)
{
  switch(json_object_get_type(o)) {
  case json_type_null:
    return sl_buf_adds(out, "null");
  case json_type_object:
    return canon_object(o, out);
  case json_type_array:
    return canon_array(o, out);
  case json_type_string:
    return quoted(out, json_object_get_string(o));
  default:
    /* Policy condition values are strings to IAM: true == "true". */
    return quoted(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
  }
}

enum sl_result sl_json_canonical(const char *json, size_t len, struct sl_buf *out,
                                 struct sl_error *err)
{
  struct json_tokener *tok = json_tokener_new_ex(JSON_DEPTH);
  struct json_object *o = NULL;
  enum sl_result r;
  if(!tok)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  if(len < (size_t)1 << 30) {
    o = json_tokener_parse_ex(tok, json, (int)len);
    if(o && (json_tokener_get_error(tok) != json_tokener_success ||
             json_tokener_get_parse_end(tok) != len)) {
      /* Trailing whitespace is fine; anything else is not JSON. */
      size_t i = json_tokener_get_parse_end(tok);
      while(i < len && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t'))
        i++;
      if(i != len) {
        json_object_put(o);
        o = NULL;
      }
    }
  }
  json_tokener_free(tok);
  if(!o)
    return sl_error_set(err, SL_E_PARSE, NULL, "policy document is not JSON");
  r = canon(o, out);
  json_object_put(o);
  if(r)
    sl_error_set(err, r, NULL, "policy document too large");
  return r;
}

int sl_policy_equal(const char *a, const char *b)
{
  struct sl_buf ca, cb;
  int eq = 0;
  if(!a || !b)
    return 0;
  if(sl_buf_init(&ca, POLICY_MAX * 4) || sl_buf_init(&cb, POLICY_MAX * 4)) {
    sl_buf_cleanup(&ca);
    return 0;
  }
  if(!sl_json_canonical(a, strlen(a), &ca, NULL) && !sl_json_canonical(b, strlen(b), &cb, NULL))
    eq = ca.len == cb.len && !memcmp(ca.data, cb.data, ca.len);
  sl_buf_cleanup(&ca);
  sl_buf_cleanup(&cb);
  return eq;
}
