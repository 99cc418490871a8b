/* aws.c — one AWS call from end to end: endpoint, URL, headers, signature,
 * transport, error parsing and retries; plus the JSON 1.1 and Query
 * protocol helpers built on it. Error shapes: aws_error.c; XML: xml.c. */
#include "aws_internal.h"
#include "sluice/log.h"
#include "sluice/version.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#define ERROR_BODY_MAX (64u * 1024u) /* error answers kept while streaming */
#define JSON_MAX_DEPTH 64
#define QUERY_BODY_MAX SL_BUF_MEDIUM
#define USER_AGENT "sluice/" SLUICE_VERSION

/* Everything one send needs; a client fills it from itself, the credential
 * chain from explicit arguments. */
struct sender {
  struct sl_http *http;
  const struct sl_aws_config *cfg;
  struct sl_creds_provider *provider; /* NULL: use creds as given */
  const struct sl_creds *creds;       /* NULL with no provider: unsigned */
  struct sl_sigv4_cache *sigcache;
  const struct sl_retry_policy *retry; /* NULL: one attempt */
  const char *user_agent;
};

/* A streamed body goes to the caller only when the answer is a success;
 * an error answer is kept for the error parser instead. */
struct stream {
  const struct sl_aws_request *req;
  struct sl_http_response *resp;
  size_t delivered;
};

static int stream_body(void *ud, const char *p, size_t n)
{
  struct stream *s = ud;
  size_t room;
  if(s->resp->status >= 200 && s->resp->status < 300) {
    s->delivered += n;
    return s->req->on_body(s->req->on_body_ud, p, n);
  }
  /* Enough of an error document to parse; a longer one is not AWS's. */
  room = s->resp->body.len < ERROR_BODY_MAX ? ERROR_BODY_MAX - s->resp->body.len : 0;
  if(n > room)
    n = room;
  if(n)
    sl_buf_add(&s->resp->body, p, n);
  return 0;
}

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A name for log lines: the JSON target's operation, the Query action, or
 * the S3 bucket and path. */
static void op_name(const struct sl_aws_request *req, char *out, size_t outlen)
{
  const char *t = req->headers ? sl_headers_get(req->headers, "X-Amz-Target") : NULL;
  const char *b = req->body;
  if(t) {
    const char *dot = strrchr(t, '.');
    snprintf(out, outlen, "%s", dot ? dot + 1 : t);
  }
  else if(b && req->body_len > 7 && !strncmp(b, "Action=", 7)) {
    size_t n = 7;
    while(n < req->body_len && b[n] != '&')
      n++;
    snprintf(out, outlen, "%.*s", (int)(n - 7), b + 7);
  }
  else
    snprintf(out, outlen, "%s%s", req->bucket ? req->bucket : "",
             req->path ? req->path : "/");
}

/* URL and the path as it goes on the request line (and is signed). */
static enum sl_result build_target(const struct sl_endpoint *ep, const struct sl_aws_request *req,
                                   struct sl_buf *url, struct sl_buf *path, struct sl_error *err)
{
  const char *p = req->path && req->path[0] ? req->path : "/";
  const char *hostpart = strstr(ep->base_url, "://");
  const char *base_path;
  enum sl_result r = SL_OK;
  if(p[0] != '/')
    return sl_error_set(err, SL_E_INVALID, NULL, "request path must start with '/': %s", p);
  if(!hostpart)
    return sl_error_set(err, SL_E_INVALID, NULL, "endpoint without scheme: %s", ep->base_url);
  base_path = hostpart + 3 + strcspn(hostpart + 3, "/");
  /* scheme://host[:port][/base-path] + [/bucket] + path */
  r = sl_buf_adds(path, base_path);
  if(!r && req->bucket && req->bucket[0] && ep->path_style) {
    r = sl_buf_addc(path, '/');
    if(!r) r = sl_uri_encode(path, req->bucket, strlen(req->bucket), 0);
    /* bucket-level calls go to "/bucket", as the SDKs send them */
    if(!r && strcmp(p, "/"))
      r = sl_buf_adds(path, p);
  }
  else if(!r)
    r = sl_buf_adds(path, p);
  if(!r) r = sl_buf_add(url, ep->base_url, (size_t)(base_path - ep->base_url));
  if(!r) r = sl_buf_add(url, path->data, path->len);
  if(!r && req->query && req->query[0]) {
    r = sl_buf_addc(url, '?');
    if(!r) r = sl_buf_adds(url, req->query);
  }
  if(r)
    return sl_error_set(err, r, NULL, "request URL too long");
  return SL_OK;
}

/* Headers for one attempt: Host, the caller's, Content-Type, User-Agent. */
static enum sl_result build_headers(const struct sender *s, const struct sl_endpoint *ep,
                                    const struct sl_aws_request *req, struct sl_headers *h,
                                    struct sl_error *err)
{
  const char *ct = req->content_type;
  enum sl_result r = sl_headers_add(h, "Host", ep->host);
  size_t i;
  for(i = 0; !r && req->headers && i < req->headers->n; i++) {
    const struct sl_header *x = &req->headers->v[i];
    /* ours, or the signer's, win */
    if(strcasecmp(x->name, "Host") && strcasecmp(x->name, "Authorization") &&
       strcasecmp(x->name, "X-Amz-Date") && strcasecmp(x->name, "User-Agent"))
      r = sl_headers_add(h, x->name, x->value);
  }
  if(!ct && req->headers)
    ct = sl_headers_get(req->headers, "Content-Type");
  if(!r && req->body_len && !ct)
    return sl_error_set(err, SL_E_INVALID, NULL, "%s request with a body but no Content-Type",
                        sl_service_name(req->svc));
  if(!r && req->content_type)
    r = sl_headers_set(h, "Content-Type", req->content_type);
  if(!r)
    r = sl_headers_add(h, "User-Agent", s->user_agent ? s->user_agent : USER_AGENT);
  if(r)
    return sl_error_set(err, r, NULL, "out of memory building headers");
  return SL_OK;
}

/* One try: fresh headers, fresh signature (new date, maybe refreshed
 * credentials), the transfer, and the error parsed when not 2xx. */
static enum sl_result attempt(const struct sender *s, const struct sl_endpoint *ep,
                              const struct sl_aws_request *req, const char *url,
                              const char *path, struct stream *st,
                              struct sl_http_response *resp, struct sl_error *err)
{
  struct sl_headers h;
  const struct sl_creds *creds = s->creds;
  struct sl_http_request hr;
  enum sl_result r;

  sl_headers_init(&h);
  r = build_headers(s, ep, req, &h, err);
  if(!r && s->provider)
    r = sl_creds_get(s->provider, &creds, err);
  if(!r && creds) {
    struct sl_sigv4_request sr;
    struct sl_sigv4_params sp;
    const char *q = strchr(url, '?');
    memset(&sr, 0, sizeof(sr));
    memset(&sp, 0, sizeof(sp));
    sr.method = req->method;
    sr.path = path;
    sr.query = q ? q + 1 : NULL;
    sr.headers = &h;
    sr.body = req->body;
    sr.body_len = req->body_len;
    sr.payload_hash = req->unsigned_payload ? SL_UNSIGNED_PAYLOAD : req->payload_hash;
    sp.creds = creds;
    sp.region = ep->signing_region;
    sp.service = ep->signing_name;
    sp.now = time(NULL);
    sp.s3_rules = req->svc == SL_SVC_S3;
    sp.add_content_sha256 = req->svc == SL_SVC_S3;
    sp.normalize_path = req->svc != SL_SVC_S3;
    r = sl_sigv4_sign(&sr, &sp, s->sigcache, NULL);
    if(r && err && !err->message[0])
      sl_error_set(err, r, NULL, "signing the %s request failed", sl_service_name(req->svc));
  }
  if(!r) {
    memset(&hr, 0, sizeof(hr));
    hr.method = req->method;
    hr.url = url;
    hr.headers = &h;
    hr.body = req->body;
    hr.body_len = req->body_len;
    hr.max_response = req->max_response;
    if(req->on_body) {
      hr.on_body = stream_body;
      hr.on_body_ud = st;
    }
    r = sl_http_perform(s->http, &hr, resp, err);
  }
  if(!r && (resp->status < 200 || resp->status > 299)) {
    sl_aws_parse_error(resp->status, &resp->headers, resp->body.data, resp->body.len, err);
    r = SL_E_AWS;
  }
  sl_headers_cleanup(&h);
  return r;
}

static void log_attempt(const struct sl_aws_request *req, const char *op, enum sl_result r,
                        const struct sl_http_response *resp, const struct sl_error *err,
                        long long ms)
{
  const char *rid = sl_headers_get(&resp->headers, "x-amzn-RequestId");
  if(!rid)
    rid = sl_headers_get(&resp->headers, "x-amz-request-id");
  if(!rid)
    rid = err->request_id[0] ? err->request_id : "-";
  if(r && r != SL_E_AWS)
    sl_log(SL_LOG_DEBUG, "%s %s %s -> %s in %lld ms: %s", req->method,
           sl_service_name(req->svc), op, sl_strresult(r), ms, err->message);
  else
    sl_log(SL_LOG_DEBUG, "%s %s %s -> %ld in %lld ms, request id %s", req->method,
           sl_service_name(req->svc), op, resp->status, ms, rid);
}

/* Attempts until success, a final answer, max attempts or an empty quota.
 * Returns the last attempt's result; *tries is how many were made. */
static enum sl_result run_attempts(const struct sender *s, const struct sl_endpoint *ep,
                                   const struct sl_aws_request *req, const char *url,
                                   const char *path, struct sl_http_response *resp,
                                   struct sl_error *err, int *tries)
{
  char op[160];
  int max = s->retry && s->retry->max_attempts > 1 ? s->retry->max_attempts : 1;
  int cost = 0;
  op_name(req, op, sizeof(op));
  for(*tries = 1;; ++*tries) {
    struct stream st = { req, resp, 0 };
    enum sl_retry_class cls;
    long long t0 = now_ms();
    char why[200];
    double delay;
    enum sl_result r;
    sl_error_clear(err);
    r = attempt(s, ep, req, url, path, &st, resp, err);
    log_attempt(req, op, r, resp, err, now_ms() - t0);
    if(!r) {
      if(s->retry && s->retry->quota)
        sl_retry_quota_release(s->retry->quota, cost);
      return SL_OK;
    }
    cls = sl_retry_classify(r == SL_E_AWS ? SL_OK : r, err->http_status,
                            r == SL_E_AWS || r == SL_E_NETWORK ? err->code : NULL);
    /* bytes already handed to a stream consumer cannot be taken back */
    if(cls == SL_RETRY_NO || *tries >= max || st.delivered)
      return r;
    if(s->retry->quota && !sl_retry_quota_acquire(s->retry->quota, cls, &cost)) {
      sl_log(SL_LOG_INFO, "%s %s: not retried, the client's retry quota is used up",
             sl_service_name(req->svc), op);
      return r;
    }
    if(r == SL_E_AWS)
      snprintf(why, sizeof(why), "%s (HTTP %ld)", err->code, err->http_status);
    else
      snprintf(why, sizeof(why), "%s", sl_strresult(r));
    delay = sl_retry_delay(s->retry, *tries);
    sl_log(SL_LOG_INFO, "%s %s: %s, retrying in %.2f s (attempt %d of %d)",
           sl_service_name(req->svc), op, why, delay, *tries + 1, max);
    sl_sleep(delay);
  }
}

/* No answer at all (refused, reset, timed out): the transport's text names
 * only the host, so say which service, operation and endpoint it was. */
static void name_unanswered(const struct sl_aws_request *req, const struct sl_endpoint *ep,
                            struct sl_error *err)
{
  char op[160], text[sizeof(err->message)], out[4096];
  const char *m = err->message, *sep;
  size_t ml = strlen(req->method);
  int s3 = req->svc == SL_SVC_S3;
  op_name(req, op, sizeof(op));
  if(!strncmp(m, req->method, ml) && m[ml] == ' ' && (sep = strstr(m, ": ")) != NULL)
    m = sep + 2;
  snprintf(text, sizeof(text), "%s", m);
  /* The attempts are not repeated here: they are err->attempts, which
   * sl_error_format prints. */
  snprintf(out, sizeof(out), "%s %s%s%s%s at %s: %s", sl_service_name(req->svc),
           s3 ? req->method : "", s3 ? " " : "", s3 && req->bucket ? "s3://" : "", op,
           ep->base_url, text);
  sl_error_set(err, err->result, NULL, "%s", out);
}

static enum sl_result send_retrying(const struct sender *s, const struct sl_aws_request *req,
                                    struct sl_http_response *resp, struct sl_error *err)
{
  struct sl_endpoint ep;
  struct sl_buf url, path;
  struct sl_error local;
  int tries = 0;
  enum sl_result r;

  if(!err)
    err = &local;
  sl_error_clear(err);
  if(!req->method || (req->body_len && !req->body))
    return sl_error_set(err, SL_E_INVALID, NULL, "AWS request without method or body");
  url.data = path.data = NULL;
  r = sl_endpoint_resolve(s->cfg, req->svc, req->bucket, &ep, err);
  if(!r) r = sl_buf_init(&url, 16384);
  if(!r) r = sl_buf_init(&path, 16384);
  if(!r) r = build_target(&ep, req, &url, &path, err);
  if(!r) {
    r = run_attempts(s, &ep, req, url.data, path.data, resp, err, &tries);
    if(r == SL_E_NETWORK || r == SL_E_TIMEOUT)
      name_unanswered(req, &ep, err);
  }
  err->attempts = tries;
  sl_buf_cleanup(&url);
  sl_buf_cleanup(&path);
  return r;
}

enum sl_result sl_aws_send(struct sl_client *c, const struct sl_aws_request *req,
                           struct sl_http_response *resp, struct sl_error *err)
{
  struct sender s = { c->http, &c->cfg, c->creds, NULL, c->sigcache, &c->retry,
                      c->user_agent };
  return send_retrying(&s, req, resp, err);
}

enum sl_result sl_aws_send_with(struct sl_http *http, const struct sl_aws_config *cfg,
                                const struct sl_creds *creds, struct sl_sigv4_cache *sigcache,
                                const struct sl_retry_policy *retry,
                                const struct sl_aws_request *req,
                                struct sl_http_response *resp, struct sl_error *err)
{
  struct sender s = { http, cfg, NULL, creds, sigcache, retry, USER_AGENT };
  return send_retrying(&s, req, resp, err);
}

enum sl_result sl_client_init(struct sl_client *c, struct sl_aws_config *cfg,
                              const char *sluice_profile_path, struct sl_error *err)
{
  struct sl_http_options o;
  memset(c, 0, sizeof(*c));
  /* The client owns the config from here; the provider keeps a pointer to
   * c->cfg, so the client must not move after init. */
  c->cfg = *cfg;
  sl_aws_config_init(cfg);
  memset(&o, 0, sizeof(o));
  o.connect_timeout_ms = c->cfg.connect_timeout_ms;
  o.timeout_ms = c->cfg.timeout_ms;
  o.low_speed_bytes = c->cfg.low_speed_bytes;
  o.low_speed_time_s = c->cfg.low_speed_time_s;
  o.ca_bundle = c->cfg.ca_bundle[0] ? c->cfg.ca_bundle : NULL;
  o.allow_plain_http = c->cfg.allow_plain_http;
  c->user_agent = USER_AGENT;
  sl_retry_quota_init(&c->quota);
  sl_retry_policy_init(&c->retry, sl_aws_config_max_attempts(&c->cfg));
  c->retry.quota = &c->quota;
  c->http = sl_http_new(&o);
  if(c->http)
    c->creds = sl_creds_provider_new(&c->cfg, c->http, sluice_profile_path);
  if(c->creds)
    c->sigcache = sl_sigv4_cache_new();
  if(!c->sigcache) {
    sl_client_cleanup(c);
    return sl_error_set(err, SL_E_NOMEM, NULL, "cannot create the AWS client");
  }
  return SL_OK;
}

void sl_client_cleanup(struct sl_client *c)
{
  sl_creds_provider_free(c->creds);
  sl_http_free(c->http);
  sl_sigv4_cache_free(c->sigcache);
  sl_aws_config_cleanup(&c->cfg);
  c->creds = NULL;
  c->http = NULL;
  c->sigcache = NULL;
}

enum sl_result sl_client_new(struct sl_client **out, struct sl_aws_config *cfg,
                             const char *sluice_profile_path, struct sl_error *err)
{
  struct sl_client *c = calloc(1, sizeof(*c));
  enum sl_result r;
  *out = NULL;
  if(!c) {
    sl_aws_config_cleanup(cfg);
    return sl_error_set(err, SL_E_NOMEM, NULL, "cannot create the AWS client");
  }
  r = sl_client_init(c, cfg, sluice_profile_path, err);
  if(r)
    free(c);
  else
    *out = c;
  return r;
}

void sl_client_free(struct sl_client *c)
{
  if(c) {
    sl_client_cleanup(c);
    free(c);
  }
}

enum sl_result sl_client_dup(struct sl_client **out, const struct sl_client *c,
                             struct sl_error *err)
{
  struct sl_aws_config cfg;
  enum sl_result r = sl_aws_config_copy(&cfg, &c->cfg, err);
  *out = NULL;
  /* Permission warnings about a profile were given for c already. */
  if(!r) r = sl_client_new(out, &cfg, NULL, err);
  return r;
}

const struct sl_aws_config *sl_client_config(const struct sl_client *c)
{
  return &c->cfg;
}

struct sl_http *sl_client_http(struct sl_client *c)
{
  return c->http;
}

struct sl_creds_provider *sl_client_creds(struct sl_client *c)
{
  return c->creds;
}

struct sl_retry_policy *sl_client_retry(struct sl_client *c)
{
  return &c->retry;
}

enum sl_result sl_aws_query_body(const char *action, const char *version,
                                 const struct sl_headers *params, struct sl_buf *out)
{
  enum sl_result r = sl_buf_adds(out, "Action=");
  size_t i;
  if(!r) r = sl_uri_encode(out, action, strlen(action), 0);
  if(!r) r = sl_buf_adds(out, "&Version=");
  if(!r) r = sl_uri_encode(out, version, strlen(version), 0);
  for(i = 0; !r && params && i < params->n; i++) {
    r = sl_buf_addc(out, '&');
    if(!r) r = sl_uri_encode(out, params->v[i].name, strlen(params->v[i].name), 0);
    if(!r) r = sl_buf_addc(out, '=');
    if(!r) r = sl_uri_encode(out, params->v[i].value, strlen(params->v[i].value), 0);
  }
  return r;
}

/* A JSON 1.1 answer: an object; an empty body counts as {}. */
static enum sl_result parse_json_answer(const struct sl_buf *b, struct json_object **out,
                                        struct sl_error *err)
{
  struct json_tokener *tok;
  struct json_object *o;
  size_t n = b->len;
  enum json_tokener_error je;
  while(n && (b->data[n - 1] == ' ' || b->data[n - 1] == '\n' || b->data[n - 1] == '\r' ||
              b->data[n - 1] == '\t'))
    n--;
  if(!n) {
    *out = json_object_new_object();
    return *out ? SL_OK : sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  }
  if(n > (size_t)INT_MAX)
    return sl_error_set(err, SL_E_TOO_LARGE, NULL, "JSON answer too large");
  tok = json_tokener_new_ex(JSON_MAX_DEPTH);
  if(!tok)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  o = json_tokener_parse_ex(tok, b->data, (int)n);
  je = json_tokener_get_error(tok);
  if(o && (je != json_tokener_success || json_tokener_get_parse_end(tok) != n)) {
    json_object_put(o);
    o = NULL;
  }
  json_tokener_free(tok);
  if(!o)
    return sl_error_set(err, SL_E_PARSE, NULL, "JSON answer does not parse: %s",
                        je == json_tokener_success ? "trailing data" :
                        je == json_tokener_continue ? "truncated" :
                        json_tokener_error_desc(je));
  if(!json_object_is_type(o, json_type_object)) {
    json_object_put(o);
    return sl_error_set(err, SL_E_PARSE, NULL, "JSON answer is not an object");
  }
  *out = o;
  return SL_OK;
}

enum sl_result sl_aws_json(struct sl_client *c, enum sl_service svc, const char *target,
                           struct json_object *in, struct json_object **out,
                           struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_headers h;
  const char *body = in ? json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN) : "{}";
  enum sl_result r;
  *out = NULL;
  if(!body)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory serializing JSON");
  memset(&req, 0, sizeof(req));
  sl_headers_init(&h);
  sl_http_response_init(&resp);
  req.svc = svc;
  req.method = "POST";
  req.path = "/";
  req.headers = &h;
  req.content_type = "application/x-amz-json-1.1";
  req.body = body;
  req.body_len = strlen(body);
  r = sl_headers_add(&h, "X-Amz-Target", target);
  if(r)
    sl_error_set(err, r, NULL, "out of memory");
  if(!r) r = sl_aws_send(c, &req, &resp, err);
  if(!r) r = parse_json_answer(&resp.body, out, err);
  sl_headers_cleanup(&h);
  sl_http_response_cleanup(&resp);
  return r;
}

enum sl_result sl_aws_query(struct sl_client *c, enum sl_service svc, const char *action,
                            const char *version, const struct sl_headers *params,
                            struct _xmlDoc **out, struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_buf body;
  enum sl_result r;
  *out = NULL;
  sl_http_response_init(&resp);
  r = sl_buf_init(&body, QUERY_BODY_MAX);
  if(!r) r = sl_aws_query_body(action, version, params, &body);
  if(r)
    sl_error_set(err, r, NULL, "%s request body too large", action);
  if(!r) {
    memset(&req, 0, sizeof(req));
    req.svc = svc;
    req.method = "POST";
    req.path = "/";
    req.content_type = "application/x-www-form-urlencoded; charset=utf-8";
    req.body = body.data;
    req.body_len = body.len;
    r = sl_aws_send(c, &req, &resp, err);
  }
  if(!r) {
    *out = sl_xml_parse(resp.body.data, resp.body.len, err);
    if(!*out)
      r = err ? err->result : SL_E_PARSE;
  }
  sl_buf_cleanup(&body);
  sl_http_response_cleanup(&resp);
  return r;
}
