/* creds_remote.c — credentials served over HTTP by the platform: the ECS /
 * EKS container endpoint and EC2 instance metadata (IMDSv2), plus the JSON
 * credentials document they (and credential_process) answer with.
 *
 * These endpoints are plain http on link-local addresses, which the shared
 * http layer refuses; a dedicated handle allows plain http, and every URL is
 * checked first so only loopback and the fixed metadata addresses get it. */
#include "sluice/http.h"
#include "sluice/log.h"
#include "creds_value.h"
#include "creds_remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#define IMDS_DEFAULT "http://169.254.169.254"
#define IMDS_TTL_S "21600"
#define IMDS_TIMEOUT_MS 1000
#define ECS_HOST "http://169.254.170.2"
#define ECS_TIMEOUT_MS 2000
#define ATTEMPTS 2 /* one retry at most: a missing endpoint must fail fast */

static const char *env(const char *name)
{
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

/* Host part of an http(s) URL, IPv6 literals kept in brackets. */
static int url_host(const char *url, char *host, size_t hostlen, int *https)
{
  const char *a, *e, *at, *h, *he;
  if(!strncasecmp(url, "https://", 8)) {
    *https = 1;
    a = url + 8;
  }
  else if(!strncasecmp(url, "http://", 7)) {
    *https = 0;
    a = url + 7;
  }
  else
    return -1;
  e = a + strcspn(a, "/?#");
  at = memchr(a, '@', (size_t)(e - a));
  h = at ? at + 1 : a;
  if(*h == '[') {
    he = memchr(h, ']', (size_t)(e - h));
    if(!he)
      return -1;
    he++;
  }
  else
    for(he = h; he < e && *he != ':'; he++)
      ;
  if(he == h || (size_t)(he - h) >= hostlen)
    return -1;
  memcpy(host, h, (size_t)(he - h));
  host[he - h] = 0;
  return 0;
}

/* Plain http is for loopback and the fixed metadata addresses only. */
static enum sl_result check_url(const char *url, const char *var, struct sl_error *err)
{
  static const char *const metadata_hosts[] = {
    "169.254.169.254", "[fd00:ec2::254]", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"
  };
  char host[300];
  int https = 0;
  size_t i;
  if(url_host(url, host, sizeof(host), &https))
    return sl_error_set(err, SL_E_CONFIG, NULL, "%s: '%.200s' is not an http(s) URL", var, url);
  if(https || sl_host_is_loopback(host))
    return SL_OK;
  for(i = 0; i < sizeof(metadata_hosts) / sizeof(metadata_hosts[0]); i++)
    if(!strcasecmp(host, metadata_hosts[i]))
      return SL_OK;
  return sl_error_set(err, SL_E_CONFIG, NULL, "%s: plain http is only allowed to loopback or "
                      "the metadata address, not %s", var, host);
}

static struct sl_http *metadata_http(const struct sl_aws_config *cfg)
{
  struct sl_http_options o;
  memset(&o, 0, sizeof(o));
  o.connect_timeout_ms = IMDS_TIMEOUT_MS;
  o.timeout_ms = ECS_TIMEOUT_MS;
  o.ca_bundle = cfg->ca_bundle[0] ? cfg->ca_bundle : NULL;
  o.allow_plain_http = 1; /* only after check_url */
  return sl_http_new(&o);
}

/* One request with at most one retry on transport errors and 5xx. */
static enum sl_result fetch(struct sl_http *h, const char *method, const char *url,
                            const struct sl_headers *headers, long timeout_ms,
                            struct sl_http_response *resp, struct sl_error *err)
{
  struct sl_http_request req;
  enum sl_result r = SL_OK;
  int i;
  memset(&req, 0, sizeof(req));
  req.method = method;
  req.url = url;
  req.headers = headers;
  req.max_response = SL_CREDS_MAX_ANSWER;
  req.timeout_ms = timeout_ms;
  for(i = 0; i < ATTEMPTS; i++) {
    sl_http_response_reset(resp);
    sl_error_clear(err);
    r = sl_http_perform(h, &req, resp, err);
    if(!r && resp->status < 500)
      break;
    if(r && r != SL_E_NETWORK && r != SL_E_TIMEOUT)
      break;
  }
  return r;
}

static int has_newline(const char *s)
{
  return strchr(s, '\r') || strchr(s, '\n');
}

/* The Authorization header for a full URI: the token file wins (it is
 * rotated), then the variable. */
static enum sl_result ecs_auth(struct sl_headers *h, struct sl_error *err)
{
  const char *file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
  const char *val = env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
  struct sl_buf tok;
  enum sl_result r;
  if(!file && !val)
    return SL_OK;
  r = sl_buf_init(&tok, SL_CREDS_MAX_TOKEN_FILE);
  if(!r && file)
    r = sl_creds_read_token_file(file, &tok, err);
  else if(!r)
    r = sl_buf_adds(&tok, val);
  if(!r && has_newline(tok.data))
    r = sl_error_set(err, SL_E_CONFIG, NULL, "the container authorization token contains a "
                     "line break");
  if(!r) r = sl_headers_add(h, "Authorization", tok.data);
  sl_buf_cleanup_secret(&tok);
  return r;
}

enum sl_result sl_creds_from_ecs(const struct sl_aws_config *cfg, struct sl_creds *out,
                                 struct sl_error *err)
{
  const char *rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  const char *full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  struct sl_http *h = NULL;
  struct sl_headers hdr;
  struct sl_http_response resp;
  struct sl_buf url;
  enum sl_result r;
  if(!rel && !full)
    return sl_error_set(err, SL_E_NOT_FOUND, NULL, "container endpoint "
                        "(AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set)");
  sl_headers_init(&hdr);
  sl_http_response_init(&resp);
  r = sl_buf_init(&url, 8192);
  if(!r && rel)
    r = rel[0] == '/' ? sl_buf_printf(&url, "%s%s", ECS_HOST, rel) :
        sl_error_set(err, SL_E_CONFIG, NULL, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must "
                     "start with '/'");
  else if(!r) {
    r = sl_buf_adds(&url, full);
    if(!r) r = check_url(url.data, "AWS_CONTAINER_CREDENTIALS_FULL_URI", err);
    if(!r) r = ecs_auth(&hdr, err);
  }
  if(!r) r = sl_headers_add(&hdr, "Accept", "application/json");
  if(!r && !(h = metadata_http(cfg)))
    r = sl_error_set(err, SL_E_NOMEM, NULL, "cannot create an HTTP client");
  if(!r) r = fetch(h, "GET", url.data, &hdr, ECS_TIMEOUT_MS, &resp, err);
  if(!r && resp.status != 200)
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s answered HTTP %ld", url.data, resp.status);
  if(!r) r = sl_creds_from_json(resp.body.data, resp.body.len, "Token", 0, "ecs",
                                "container endpoint", out, err);
  sl_http_free(h);
  sl_http_response_cleanup(&resp);
  sl_headers_cleanup(&hdr);
  sl_buf_cleanup(&url);
  return r;
}

/* IMDS base URL: the SDK variable, else the fixed address; no trailing '/'. */
static enum sl_result imds_base(struct sl_buf *base, struct sl_error *err)
{
  const char *e = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
  enum sl_result r = sl_buf_adds(base, e ? e : IMDS_DEFAULT);
  while(!r && base->len && base->data[base->len - 1] == '/')
    base->data[--base->len] = 0;
  if(!r) r = check_url(base->data, "AWS_EC2_METADATA_SERVICE_ENDPOINT", err);
  return r;
}

/* The session token (PUT), then the role name, then its credentials. */
static enum sl_result imds_fetch(struct sl_http *h, const char *base, struct sl_creds *out,
                                 struct sl_error *err)
{
  struct sl_headers hdr;
  struct sl_http_response resp;
  struct sl_buf url, role;
  size_t n;
  enum sl_result r;
  sl_headers_init(&hdr);
  sl_http_response_init(&resp);
  sl_buf_init(&role, 1024);
  r = sl_buf_init(&url, 4096);
  if(!r) r = sl_buf_printf(&url, "%s/latest/api/token", base);
  if(!r) r = sl_headers_add(&hdr, "X-aws-ec2-metadata-token-ttl-seconds", IMDS_TTL_S);
  if(!r && fetch(h, "PUT", url.data, &hdr, IMDS_TIMEOUT_MS, &resp, err))
    r = sl_error_set(err, SL_E_NOT_FOUND, NULL, "EC2 instance metadata (no answer from %s: %s)",
                     base, err->message);
  if(!r && resp.status != 200)
    r = sl_error_set(err, SL_E_NOT_FOUND, NULL, "EC2 instance metadata (token request to %s "
                     "answered HTTP %ld)", base, resp.status);
  while(!r && resp.body.len && strchr(" \r\n", resp.body.data[resp.body.len - 1]))
    resp.body.data[--resp.body.len] = 0;
  if(!r && (!resp.body.len || has_newline(resp.body.data)))
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "EC2 instance metadata gave a bad token");
  sl_headers_cleanup(&hdr);
  sl_headers_init(&hdr);
  if(!r) r = sl_headers_add(&hdr, "X-aws-ec2-metadata-token", resp.body.data);
  sl_buf_reset(&url);
  if(!r) r = sl_buf_printf(&url, "%s/latest/meta-data/iam/security-credentials/", base);
  if(!r) r = fetch(h, "GET", url.data, &hdr, IMDS_TIMEOUT_MS, &resp, err);
  if(!r && resp.status == 404)
    r = sl_error_set(err, SL_E_NOT_FOUND, NULL, "EC2 instance metadata (no IAM role attached)");
  else if(!r && resp.status != 200)
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s answered HTTP %ld", url.data, resp.status);
  if(!r) {
    n = strcspn(resp.body.data, "\r\n");
    if(!n)
      r = sl_error_set(err, SL_E_NOT_FOUND, NULL, "EC2 instance metadata (no IAM role "
                       "attached)");
    else
      r = sl_uri_encode(&role, resp.body.data, n, 0);
  }
  if(!r) r = sl_buf_printf(&url, "%s", role.data);
  if(!r) r = fetch(h, "GET", url.data, &hdr, IMDS_TIMEOUT_MS, &resp, err);
  if(!r && resp.status != 200)
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s answered HTTP %ld", url.data, resp.status);
  if(!r) r = sl_creds_from_json(resp.body.data, resp.body.len, "Token", 0, "imds",
                                "EC2 instance metadata", out, err);
  sl_http_response_cleanup(&resp);
  sl_headers_cleanup(&hdr);
  sl_buf_cleanup(&url);
  sl_buf_cleanup(&role);
  return r;
}

enum sl_result sl_creds_from_imds(const struct sl_aws_config *cfg, struct sl_creds *out,
                                  struct sl_error *err)
{
  const char *off = env("AWS_EC2_METADATA_DISABLED");
  struct sl_http *h = NULL;
  struct sl_buf base;
  enum sl_result r;
  if(off && !strcasecmp(off, "true"))
    return sl_error_set(err, SL_E_NOT_FOUND, NULL, "EC2 instance metadata (disabled by "
                        "AWS_EC2_METADATA_DISABLED)");
  r = sl_buf_init(&base, 2048);
  if(!r) r = imds_base(&base, err);
  if(!r && !(h = metadata_http(cfg)))
    r = sl_error_set(err, SL_E_NOMEM, NULL, "cannot create an HTTP client");
  if(!r) r = imds_fetch(h, base.data, out, err);
  sl_http_free(h);
  sl_buf_cleanup(&base);
  return r;
}
