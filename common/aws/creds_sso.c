/* creds_sso.c — AWS IAM Identity Center (SSO) profiles: the token the AWS
 * CLI cached at `aws sso login` (~/.aws/sso/cache/<sha1>.json), exchanged
 * for role credentials with the portal's GetRoleCredentials. sluice does not
 * log in or refresh the token itself: when it is missing or expired, the
 * error says which `aws sso login` to run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "sluice/aws.h"
#include "sluice/http.h"
#include "sluice/log.h"
#include "sluice/retry.h"
#include "creds_value.h"
#include "common/aws/shared_config_internal.h"
#include "common/aws/creds_sso.h"

#define MAX_TOKEN_FILE (64 * 1024)
#define MAX_ANSWER (64 * 1024)

int sl_creds_sso_profile(const struct sl_shared_profile *p)
{
  return sl_shared_profile_get(p, "sso_session") || sl_shared_profile_get(p, "sso_start_url") ||
         sl_shared_profile_get(p, "sso_account_id") || sl_shared_profile_get(p, "sso_role_name");
}

/* The settings the portal call needs: the profile's, with an sso_session's
 * section filling in (and having to agree with) start URL and region. */
struct sso {
  const char *profile, *session, *start_url, *region, *account, *role;
  struct sl_shared_profile sess;
};

static enum sl_result settings(const struct sl_shared_profile *p, struct sso *s,
                               struct sl_error *err)
{
  static const char *const keys[] = { "sso_start_url", "sso_region", NULL };
  char missing[200] = "";
  enum sl_result r = SL_OK;
  int i;
  s->profile = p->name;
  s->session = sl_shared_profile_get(p, "sso_session");
  s->start_url = sl_shared_profile_get(p, "sso_start_url");
  s->region = sl_shared_profile_get(p, "sso_region");
  s->account = sl_shared_profile_get(p, "sso_account_id");
  s->role = sl_shared_profile_get(p, "sso_role_name");
  if(s->session) {
    r = sl_shared_section_load("sso-session", s->session, &s->sess, err);
    if(!r && !s->sess.found)
      return sl_error_set(err, SL_E_CONFIG, NULL, "profile %s: sso_session '%s' has no "
                          "[sso-session %s] section in %s", p->name, s->session, s->session,
                          s->sess.config_path);
    for(i = 0; !r && keys[i]; i++) {
      const char *mine = sl_shared_profile_get(p, keys[i]);
      const char *theirs = sl_shared_profile_get(&s->sess, keys[i]);
      if(mine && theirs && strcmp(mine, theirs))
        r = sl_error_set(err, SL_E_CONFIG, NULL, "profile %s: %s is '%s' but its sso-session "
                         "%s says '%s'", p->name, keys[i], mine, s->session, theirs);
    }
    if(r)
      return r;
    if(!s->start_url)
      s->start_url = sl_shared_profile_get(&s->sess, "sso_start_url");
    if(!s->region)
      s->region = sl_shared_profile_get(&s->sess, "sso_region");
  }
  if(!s->start_url)
    strcat(missing, ", sso_start_url");
  if(!s->region)
    strcat(missing, ", sso_region");
  if(!s->account)
    strcat(missing, ", sso_account_id");
  if(!s->role)
    strcat(missing, ", sso_role_name");
  if(missing[0])
    return sl_error_set(err, SL_E_CONFIG, NULL, "profile %s is an AWS SSO profile but lacks %s",
                        p->name, missing + 2);
  return SL_OK;
}

static enum sl_result login_hint(struct sl_error *err, enum sl_result r, const struct sso *s,
                                 const char *why)
{
  return sl_error_set(err, r, NULL, "profile %s: %s: run aws sso login --profile %s",
                      s->profile, why, s->profile);
}

/* ~/.aws/sso/cache/<sha1 of the session name, or of the start URL>.json:
 * where `aws sso login` keeps the token. */
static enum sl_result token_path(const struct sso *s, char *out, size_t outlen,
                                 struct sl_error *err)
{
  static const char hex[] = "0123456789abcdef";
  const char *home = getenv("HOME"), *what = s->session ? s->session : s->start_url;
  unsigned char sum[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;
  char name[41];
  if(!home || !*home)
    return sl_error_set(err, SL_E_CONFIG, NULL, "profile %s: no home directory for the AWS SSO "
                        "token cache", s->profile);
  if(!EVP_Digest(what, strlen(what), sum, &n, EVP_sha1(), NULL) || n != 20)
    return sl_error_set(err, SL_E_INTERNAL, NULL, "SHA-1 failed");
  for(i = 0; i < n; i++) {
    name[2 * i] = hex[sum[i] >> 4];
    name[2 * i + 1] = hex[sum[i] & 15];
  }
  name[40] = 0;
  if((size_t)snprintf(out, outlen, "%s/.aws/sso/cache/%s.json", home, name) >= outlen)
    return sl_error_set(err, SL_E_CONFIG, NULL, "home directory path too long");
  return SL_OK;
}

/* "2026-12-06T20:00:00Z" (the AWS CLI v2) or "2026-12-06T20:00:00UTC" (v1). */
static int token_time(const char *v, time_t *t)
{
  char fixed[64];
  size_t n = strlen(v);
  if(n > 3 && n < sizeof(fixed) && !strcmp(v + n - 3, "UTC")) {
    snprintf(fixed, sizeof(fixed), "%.*sZ", (int)(n - 3), v);
    v = fixed;
  }
  return sl_creds_parse_time(v, t);
}

/* The cached access token, into tok; an expired or missing one is an error
 * that says how to log in. */
static enum sl_result read_token(const struct sso *s, struct sl_buf *tok, struct sl_error *err)
{
  char path[4200];
  struct sl_buf text;
  struct json_object *doc = NULL, *v;
  struct sl_error ferr;
  time_t expires = 0;
  enum sl_result r = token_path(s, path, sizeof(path), err);
  if(r)
    return r;
  sl_error_clear(&ferr);
  if(sl_buf_init(&text, MAX_TOKEN_FILE))
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  if(sl_creds_read_token_file(path, &text, &ferr)) {
    char why[4400];
    snprintf(why, sizeof(why), "no AWS SSO token cached (%s)", path);
    r = login_hint(err, SL_E_CREDENTIALS, s, why);
  }
  else if(!(doc = json_tokener_parse(text.data)) || !json_object_is_type(doc, json_type_object))
    r = login_hint(err, SL_E_CREDENTIALS, s, "the cached AWS SSO token is not JSON");
  else if(!json_object_object_get_ex(doc, "accessToken", &v) || !json_object_is_type(v, json_type_string))
    r = login_hint(err, SL_E_CREDENTIALS, s, "the cached AWS SSO token has no accessToken");
  else if(sl_buf_adds(tok, json_object_get_string(v)))
    r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  else if(!json_object_object_get_ex(doc, "expiresAt", &v) ||
          token_time(json_object_get_string(v), &expires))
    r = login_hint(err, SL_E_CREDENTIALS, s, "the cached AWS SSO token has no valid expiresAt");
  else if(expires <= time(NULL)) {
    char why[200], when[40];
    struct tm tm;
    gmtime_r(&expires, &tm);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(why, sizeof(why), "the AWS SSO token expired at %s", when);
    r = login_hint(err, SL_E_CREDENTIALS, s, why);
  }
  sl_log_register_secret(tok->data);
  json_object_put(doc);
  sl_buf_cleanup_secret(&text);
  return r;
}

/* The portal: AWS_ENDPOINT_URL_SSO, else the global endpoint override
 * (an emulator serving every service), else portal.sso.REGION. */
static enum sl_result portal_url(const struct sl_aws_config *cfg, const struct sso *s,
                                 struct sl_buf *url)
{
  const char *e = getenv("AWS_ENDPOINT_URL_SSO");
  enum sl_result r;
  if(e && *e)
    r = sl_buf_adds(url, e);
  else if(cfg->endpoint_url[0])
    r = sl_buf_adds(url, cfg->endpoint_url);
  else
    r = sl_buf_printf(url, "https://portal.sso.%s.%s", s->region,
                      sl_dns_suffix(sl_partition_of(s->region)));
  while(!r && url->len && url->data[url->len - 1] == '/')
    url->data[--url->len] = 0;
  if(!r) r = sl_buf_adds(url, "/federation/credentials?account_id=");
  if(!r) r = sl_uri_encode(url, s->account, strlen(s->account), 0);
  if(!r) r = sl_buf_adds(url, "&role_name=");
  if(!r) r = sl_uri_encode(url, s->role, strlen(s->role), 0);
  return r;
}

static enum sl_result parse_answer(const struct sso *s, const struct sl_http_response *resp,
                                   struct sl_creds *out, struct sl_error *err)
{
  struct json_object *doc = json_tokener_parse(resp->body.data ? resp->body.data : "");
  struct json_object *rc = NULL, *id, *secret, *token, *exp;
  enum sl_result r;
  if(doc && json_object_object_get_ex(doc, "roleCredentials", &rc) &&
     json_object_object_get_ex(rc, "accessKeyId", &id) &&
     json_object_object_get_ex(rc, "secretAccessKey", &secret) &&
     json_object_object_get_ex(rc, "sessionToken", &token) &&
     json_object_object_get_ex(rc, "expiration", &exp) &&
     json_object_is_type(exp, json_type_int))
    /* The expiration is in milliseconds since the epoch. */
    r = sl_creds_fill(out, json_object_get_string(id), json_object_get_string(secret),
                      json_object_get_string(token),
                      (time_t)(json_object_get_int64(exp) / 1000), "sso");
  else
    r = sl_error_set(err, SL_E_PARSE, NULL, "profile %s: GetRoleCredentials answered 200 "
                     "without roleCredentials", s->profile);
  /* The answer held the secret: gone from memory with it. */
  json_object_put(doc);
  return r;
}

enum sl_result sl_creds_from_sso(const struct sl_shared_profile *p,
                                 const struct sl_aws_config *cfg, struct sl_http *http,
                                 struct sl_creds *out, struct sl_error *err)
{
  struct sso s;
  struct sl_buf tok, url;
  struct sl_headers h;
  struct sl_http_response resp;
  struct sl_http_request req;
  struct sl_retry_policy retry;
  enum sl_result r;
  int attempt;
  memset(&s, 0, sizeof(s));
  sl_shared_profile_init(&s.sess);
  sl_headers_init(&h);
  sl_http_response_init(&resp);
  url.data = tok.data = NULL;
  r = settings(p, &s, err);
  if(!r) r = sl_buf_init(&tok, 16 * 1024);
  if(!r) r = read_token(&s, &tok, err);
  if(!r) r = sl_buf_init(&url, 4096);
  if(!r) r = portal_url(cfg, &s, &url);
  if(!r) r = sl_headers_add(&h, "x-amz-sso_bearer_token", tok.data);
  if(!r) r = sl_headers_add(&h, "Accept", "application/json");
  sl_retry_policy_init(&retry, sl_aws_config_max_attempts(cfg));
  memset(&req, 0, sizeof(req));
  req.method = "GET";
  req.url = url.data;
  req.headers = &h;
  req.max_response = MAX_ANSWER;
  for(attempt = 1; !r; attempt++) {
    enum sl_retry_class cls;
    sl_http_response_reset(&resp);
    r = sl_http_perform(http, &req, &resp, err);
    if(!r && resp.status == 200) {
      r = parse_answer(&s, &resp, out, err);
      break;
    }
    if(!r) {
      sl_aws_parse_error(resp.status, &resp.headers, resp.body.data, resp.body.len, err);
      r = SL_E_AWS;
    }
    cls = sl_retry_classify(r == SL_E_AWS ? SL_OK : r, err->http_status,
                            r == SL_E_AWS || r == SL_E_NETWORK ? err->code : NULL);
    if(cls == SL_RETRY_NO || attempt >= retry.max_attempts)
      break;
    sl_log(SL_LOG_INFO, "sso GetRoleCredentials: %s, retrying", err->code[0] ? err->code :
           sl_strresult(r));
    sl_sleep(sl_retry_delay(&retry, attempt));
    r = SL_OK;
  }
  if(r == SL_E_AWS && err->http_status == 401)
    r = login_hint(err, SL_E_CREDENTIALS, &s, "the AWS SSO session is no longer valid "
               "(GetRoleCredentials)");
  else if(r == SL_E_AWS && err->http_status == 403)
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "profile %s: the AWS SSO user may not use role "
                 "%s in account %s (GetRoleCredentials)", s.profile, s.role, s.account);
  sl_http_response_cleanup(&resp);
  sl_headers_cleanup(&h);
  sl_buf_cleanup(&url);
  sl_buf_cleanup_secret(&tok);
  sl_shared_profile_cleanup(&s.sess);
  return r;
}
