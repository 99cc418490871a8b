/* sts.c — AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity over
 * the Query protocol, for the credential chain and for "who am I" checks. */
#include "sluice/sts.h"
#include "sluice/aws.h"
#include "sluice/log.h"
#include "creds_value.h"
#include "sts_internal.h"

#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

#define FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"

/* STS has a global endpoint; without a region the SDKs use us-east-1. */
static const struct sl_aws_config *with_region(const struct sl_aws_config *cfg,
                                               struct sl_aws_config *tmp)
{
  if(cfg->region[0])
    return cfg;
  *tmp = *cfg; /* shallow: only read, never cleaned up */
  snprintf(tmp->region, sizeof(tmp->region), "us-east-1");
  return tmp;
}

/* POSTs one Query action and parses the XML answer into *doc. */
static enum sl_result call(struct sl_http *http, const struct sl_aws_config *cfg,
                           const struct sl_creds *creds, const char *action,
                           const struct sl_headers *params, xmlDoc **doc,
                           struct sl_error *err)
{
  struct sl_aws_config tmp;
  struct sl_retry_policy retry;
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_buf body;
  enum sl_result r;
  *doc = NULL;
  cfg = with_region(cfg, &tmp);
  sl_retry_policy_init(&retry, sl_aws_config_max_attempts(cfg));
  sl_http_response_init(&resp);
  r = sl_buf_init(&body, SL_BUF_SMALL);
  if(!r) r = sl_aws_query_body(action, SL_STS_VERSION, params, &body);
  if(!r) {
    memset(&req, 0, sizeof(req));
    req.svc = SL_SVC_STS;
    req.method = "POST";
    req.path = "/";
    req.content_type = FORM_TYPE;
    req.body = body.data;
    req.body_len = body.len;
    req.max_response = SL_CREDS_MAX_ANSWER;
    r = sl_aws_send_with(http, cfg, creds, NULL, &retry, &req, &resp, err);
  }
  if(!r) {
    *doc = sl_xml_parse(resp.body.data, resp.body.len, err);
    if(!*doc)
      r = err && err->result ? err->result : SL_E_PARSE;
  }
  /* The body may hold a web identity token. */
  sl_buf_cleanup_secret(&body);
  sl_http_response_cleanup(&resp);
  return r;
}

/* Copies an element's text; too long for the field is an error, not a cut. */
static int copy_text(xmlNode *root, const char *name, char *out, size_t outlen)
{
  char *t = sl_xml_find_text(root, name);
  size_t n = t ? strlen(t) : 0;
  int ok = n < outlen;
  if(ok) {
    memcpy(out, t ? t : "", n);
    out[n] = 0;
  }
  xmlFree(t);
  return ok;
}

/* <Credentials> of an AssumeRole* answer into out. */
static enum sl_result parse_credentials(xmlDoc *doc, const char *action, const char *source,
                                        struct sl_creds *out, struct sl_error *err)
{
  xmlNode *root = xmlDocGetRootElement(doc);
  char *id = sl_xml_find_text(root, "AccessKeyId");
  char *secret = sl_xml_find_text(root, "SecretAccessKey");
  char *token = sl_xml_find_text(root, "SessionToken");
  char *exp = sl_xml_find_text(root, "Expiration");
  time_t when = 0;
  enum sl_result r = SL_OK;
  if(!id || !secret || !token || !*id || !*secret)
    r = sl_error_set(err, SL_E_PARSE, NULL, "%s answer has no credentials", action);
  else if(!exp || sl_creds_parse_time(exp, &when))
    r = sl_error_set(err, SL_E_PARSE, NULL, "%s answer has a bad Expiration '%.40s'", action,
                     exp ? exp : "");
  if(!r)
    r = sl_creds_fill(out, id, secret, token, when, source);
  if(secret)
    memset(secret, 0, strlen(secret));
  if(token)
    memset(token, 0, strlen(token));
  xmlFree(id);
  xmlFree(secret);
  xmlFree(token);
  xmlFree(exp);
  return r;
}

static enum sl_result add_duration(struct sl_headers *params, int duration_s)
{
  char num[24];
  if(duration_s <= 0)
    return SL_OK;
  snprintf(num, sizeof(num), "%d", duration_s);
  return sl_headers_add(params, "DurationSeconds", num);
}

enum sl_result sl_sts_assume_role(struct sl_http *http, const struct sl_aws_config *cfg,
                                  const struct sl_creds *source, const char *role_arn,
                                  const char *session_name, const char *external_id,
                                  int duration_s, struct sl_creds *out, struct sl_error *err)
{
  struct sl_headers params;
  xmlDoc *doc = NULL;
  enum sl_result r = SL_OK;
  if(!source || !role_arn || !*role_arn || !session_name || !*session_name)
    return sl_error_set(err, SL_E_INVALID, NULL, "AssumeRole needs credentials, a role and "
                        "a session name");
  sl_headers_init(&params);
  r = sl_headers_add(&params, "RoleArn", role_arn);
  if(!r) r = sl_headers_add(&params, "RoleSessionName", session_name);
  if(!r && external_id && *external_id)
    r = sl_headers_add(&params, "ExternalId", external_id);
  if(!r) r = add_duration(&params, duration_s);
  if(!r) r = call(http, cfg, source, "AssumeRole", &params, &doc, err);
  if(!r) r = parse_credentials(doc, "AssumeRole", "sts", out, err);
  if(!r)
    sl_log(SL_LOG_INFO, "assumed role %s as %s", role_arn, out->access_key_id);
  xmlFreeDoc(doc);
  sl_headers_cleanup(&params);
  return r;
}

enum sl_result sl_sts_assume_role_web_identity(struct sl_http *http,
                                               const struct sl_aws_config *cfg,
                                               const char *role_arn, const char *session_name,
                                               const char *token, struct sl_creds *out,
                                               struct sl_error *err)
{
  struct sl_headers params;
  xmlDoc *doc = NULL;
  enum sl_result r;
  if(!role_arn || !*role_arn || !session_name || !*session_name || !token || !*token)
    return sl_error_set(err, SL_E_INVALID, NULL, "AssumeRoleWithWebIdentity needs a role, "
                        "a session name and a token");
  sl_headers_init(&params);
  r = sl_headers_add(&params, "RoleArn", role_arn);
  if(!r) r = sl_headers_add(&params, "RoleSessionName", session_name);
  if(!r) r = sl_headers_add(&params, "WebIdentityToken", token);
  if(!r) r = call(http, cfg, NULL, "AssumeRoleWithWebIdentity", &params, &doc, err);
  if(!r) r = parse_credentials(doc, "AssumeRoleWithWebIdentity", "web-identity", out, err);
  if(!r)
    sl_log(SL_LOG_INFO, "assumed role %s with a web identity token", role_arn);
  xmlFreeDoc(doc);
  sl_headers_cleanup(&params); /* zeroes the token copy */
  return r;
}

enum sl_result sl_sts_get_caller_identity(struct sl_http *http, const struct sl_aws_config *cfg,
                                          const struct sl_creds *creds,
                                          struct sl_sts_identity *out, struct sl_error *err)
{
  struct sl_headers params;
  xmlDoc *doc = NULL;
  enum sl_result r;
  memset(out, 0, sizeof(*out));
  if(!creds)
    return sl_error_set(err, SL_E_INVALID, NULL, "GetCallerIdentity needs credentials");
  sl_headers_init(&params);
  r = call(http, cfg, creds, "GetCallerIdentity", &params, &doc, err);
  if(!r) {
    xmlNode *root = xmlDocGetRootElement(doc);
    if(!copy_text(root, "Account", out->account, sizeof(out->account)) ||
       !copy_text(root, "Arn", out->arn, sizeof(out->arn)) ||
       !copy_text(root, "UserId", out->user_id, sizeof(out->user_id)))
      r = sl_error_set(err, SL_E_TOO_LARGE, NULL, "GetCallerIdentity answer has an oversized "
                       "field");
    else if(!out->account[0] || !out->arn[0])
      r = sl_error_set(err, SL_E_PARSE, NULL, "GetCallerIdentity answer has no Account/Arn");
  }
  xmlFreeDoc(doc);
  sl_headers_cleanup(&params);
  return r;
}

enum sl_result sl_sts_parse_credentials(const char *xml, size_t len, const char *action,
                                        const char *source, struct sl_creds *out,
                                        struct sl_error *err)
{
  struct sl_error local;
  xmlDoc *doc;
  enum sl_result r;
  if(!err)
    err = &local;
  doc = sl_xml_parse(xml, len, err);
  if(!doc)
    return err->result ? err->result : SL_E_PARSE;
  r = parse_credentials(doc, action, source, out, err);
  xmlFreeDoc(doc);
  return r;
}
