/* s3_denied.c — why S3 refused a request, when the bucket's own policy is
 * the reason sluice can see: a statement denying every request not made
 * over TLS, met by a plain-http endpoint. The owner may always read the
 * policy (S3's lock-out guard), so the explanation costs one GET. */
#include "sluice/s3.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

/* Bool {"aws:SecureTransport": false | "false" | ["false", ...]} */
static int is_false(struct json_object *v)
{
  size_t i;
  if(json_object_is_type(v, json_type_boolean))
    return !json_object_get_boolean(v);
  if(json_object_is_type(v, json_type_string))
    return !strcasecmp(json_object_get_string(v), "false");
  if(json_object_is_type(v, json_type_array))
    for(i = 0; i < json_object_array_length(v); i++)
      if(is_false(json_object_array_get_idx(v, i)))
        return 1;
  return 0;
}

static int denies_plain(struct json_object *st)
{
  struct json_object *effect, *cond;
  if(!json_object_object_get_ex(st, "Effect", &effect) ||
     strcmp(json_object_get_string(effect), "Deny") ||
     !json_object_object_get_ex(st, "Condition", &cond))
    return 0;
  json_object_object_foreach(cond, name, body) {
    if(strcasecmp(name, "Bool") && strcasecmp(name, "BoolIfExists"))
      continue;
    json_object_object_foreach(body, key, val) {
      if(!strcasecmp(key, "aws:SecureTransport") && is_false(val))
        return 1;
    }
  }
  return 0;
}

int sl_s3_policy_denies_plain_http(const char *policy)
{
  struct json_object *doc = policy ? json_tokener_parse(policy) : NULL, *st;
  int found = 0;
  size_t i;
  if(doc && json_object_object_get_ex(doc, "Statement", &st)) {
    if(json_object_is_type(st, json_type_array)) {
      for(i = 0; !found && i < json_object_array_length(st); i++)
        found = denies_plain(json_object_array_get_idx(st, i));
    }
    else if(json_object_is_type(st, json_type_object))
      found = denies_plain(st);
  }
  json_object_put(doc);
  return found;
}

void sl_s3_explain_denied(struct sl_client *c, const char *bucket, struct sl_error *err)
{
  struct sl_endpoint ep;
  struct sl_error perr;
  struct sl_buf policy;
  size_t n;
  if(!err || err->result != SL_E_AWS || strcmp(err->code, "AccessDenied") || !bucket)
    return;
  sl_error_clear(&perr);
  if(sl_endpoint_resolve(sl_client_config(c), SL_SVC_S3, bucket, &ep, &perr) || ep.is_https)
    return;
  if(sl_buf_init(&policy, 64 * 1024))
    return;
  if(!sl_s3_get_subresource(c, bucket, "policy", &policy, &perr) &&
     sl_s3_policy_denies_plain_http(policy.data)) {
    n = strlen(err->message);
    snprintf(err->message + n, sizeof(err->message) - n,
             "; the policy of bucket %s denies every request not made over TLS "
             "(aws:SecureTransport false) and the S3 endpoint in effect is http: remove that "
             "statement (if it is the only one: aws s3api delete-bucket-policy --bucket %s) or "
             "use an https endpoint; sluice itself leaves it out over http ([bucket] tls_only = "
             "auto)", bucket, bucket);
  }
  sl_buf_cleanup(&policy);
}
