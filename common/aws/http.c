/* http.c — the HTTP transport on libcurl. One easy handle per sl_http is
 * reused so its connection, DNS and TLS session caches carry over; the multi
 * mode shares those caches between its transfers. TLS is always verified,
 * bodies are bounded, redirects are handed back, never followed. */
#include "http_internal.h"
#include "sluice/config.h"
#include "sluice/log.h"
#include "sluice/retry.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#define DEFAULT_CONNECT_MS 3000L
#define DEFAULT_TIMEOUT_MS 60000L
#define DEFAULT_LOW_SPEED_BYTES 1024L
#define DEFAULT_LOW_SPEED_S 15
#define DEFAULT_NOTICE_MS 10000L
#define DEFAULT_MAX_RESPONSE ((size_t)16 * 1024 * 1024)
#define MAX_HEADER_BYTES (256 * 1024) /* all response header lines together */
#define UPLOAD_BUFFER (256 * 1024)

struct sl_http {
  struct sl_http_options opt;
  char *ca_bundle;
  CURL *easy;
  int busy; /* curl refuses re-entrant use of a handle; say so clearly */
  struct sl_http_stats st;
};



static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_ok;

static void global_init(void)
{
  global_ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

int sl_http_global_init(void)
{
  pthread_once(&global_once, global_init);
  return global_ok;
}

void sl_http_response_init(struct sl_http_response *r)
{
  r->status = 0;
  sl_headers_init(&r->headers);
  if(sl_buf_init(&r->body, DEFAULT_MAX_RESPONSE))
    r->body.data = NULL; /* sl_buf_add allocates on first use */
}

void sl_http_response_cleanup(struct sl_http_response *r)
{
  sl_headers_cleanup(&r->headers);
  sl_buf_cleanup(&r->body);
  r->status = 0;
}

void sl_http_response_reset(struct sl_http_response *r)
{
  sl_headers_cleanup(&r->headers);
  sl_buf_reset(&r->body);
  r->status = 0;
}

void sl_http_options_copy(struct sl_http_options *dst, char **ca, const struct sl_http_options *o)
{
  memset(dst, 0, sizeof(*dst));
  if(o)
    *dst = *o;
  if(dst->connect_timeout_ms <= 0)
    dst->connect_timeout_ms = DEFAULT_CONNECT_MS;
  if(dst->timeout_ms <= 0)
    dst->timeout_ms = DEFAULT_TIMEOUT_MS;
  if(!dst->low_speed_bytes)
    dst->low_speed_bytes = DEFAULT_LOW_SPEED_BYTES;
  if(dst->low_speed_time_s <= 0)
    dst->low_speed_time_s = DEFAULT_LOW_SPEED_S;
  if(!dst->notice_after_ms)
    dst->notice_after_ms = DEFAULT_NOTICE_MS;
  *ca = (o && o->ca_bundle && o->ca_bundle[0]) ? sl_strdup(o->ca_bundle) : NULL;
  dst->ca_bundle = *ca;
}

/* Refuses what must never go out: bad URLs, other schemes, plain http to a
 * remote host, a body without a Content-Type. Fills x->where. */
enum sl_result sl_http_check_request(const struct sl_http_options *opt,
                                     const struct sl_http_request *req,
                                     struct sl_http_xfer *x, struct sl_error *err)
{
  CURLU *u;
  char *scheme = NULL, *host = NULL, *path = NULL;
  enum sl_result r = SL_OK;
  if(!req->method || !req->method[0] || !req->url)
    return sl_error_set(err, SL_E_INVALID, NULL, "HTTP request without method or URL");
  u = curl_url();
  if(!u)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory parsing URL");
  if(curl_url_set(u, CURLUPART_URL, req->url, 0) ||
     curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
     curl_url_get(u, CURLUPART_HOST, &host, 0) ||
     curl_url_get(u, CURLUPART_PATH, &path, 0))
    r = sl_error_set(err, SL_E_INVALID, NULL, "malformed URL");
  else if(strcasecmp(scheme, "https") && strcasecmp(scheme, "http"))
    r = sl_error_set(err, SL_E_INVALID, NULL, "unsupported URL scheme \"%s\"", scheme);
  else if(!strcasecmp(scheme, "http") && !opt->allow_plain_http && !sl_host_is_loopback(host))
    r = sl_error_set(err, SL_E_INVALID, NULL,
                     "refusing plain http:// to non-loopback host %s "
                     "(use https, or allow plain http explicitly)", host);
  else if(req->body_len && !sl_headers_get(req->headers ? req->headers :
                                           &(struct sl_headers){ 0 }, "Content-Type"))
    r = sl_error_set(err, SL_E_INVALID, NULL,
                     "%s %s%s: request body without a Content-Type", req->method, host, path);
  if(!r)
    snprintf(x->where, sizeof(x->where), "%s %s%s", req->method, host, path);
  curl_free(scheme);
  curl_free(host);
  curl_free(path);
  curl_url_cleanup(u);
  return r;
}

/* Stops the transfer from a callback, remembering why. */
static size_t stop(struct sl_http_xfer *x, enum sl_result r)
{
  x->abort_r = r;
  return 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
  struct sl_http_xfer *x = ud;
  struct sl_http_response *resp = x->resp;
  size_t len = size * n, end = len, colon;
  x->header_bytes += len;
  if(x->header_bytes > MAX_HEADER_BYTES) {
    snprintf(x->abort_msg, sizeof(x->abort_msg), "response headers exceed %d bytes",
             MAX_HEADER_BYTES);
    return stop(x, SL_E_TOO_LARGE);
  }
  while(end && (p[end - 1] == '\r' || p[end - 1] == '\n'))
    end--;
  if(end >= 5 && !memcmp(p, "HTTP/", 5)) {
    /* A new status line: headers of a 1xx answer before it are dropped. */
    sl_headers_cleanup(&resp->headers);
    resp->status = strtol(memchr(p, ' ', end) ? (char *)memchr(p, ' ', end) + 1 : p,
                          NULL, 10);
    return len;
  }
  if(!end)
    return len;
  if((p[0] == ' ' || p[0] == '\t') && resp->headers.n) {
    /* obsolete line folding: continue the previous value */
    struct sl_header *h = &resp->headers.v[resp->headers.n - 1];
    size_t old = strlen(h->value);
    char *nv = malloc(old + end + 1);
    enum sl_result r = nv ? SL_OK : SL_E_NOMEM;
    if(nv) {
      memcpy(nv, h->value, old);
      nv[old] = ' ';
      memcpy(nv + old + 1, p + 1, end - 1);
      r = sl_header_set_value(h, nv, old + end);
      free(nv);
    }
    if(r) {
      snprintf(x->abort_msg, sizeof(x->abort_msg), "out of memory reading headers");
      return stop(x, SL_E_NOMEM);
    }
    return len;
  }
  for(colon = 0; colon < end && p[colon] != ':'; colon++)
    ;
  if(colon == end)
    return len; /* not a header line: ignore rather than fail */
  {
    size_t v = colon + 1, ve = end;
    while(v < ve && (p[v] == ' ' || p[v] == '\t'))
      v++;
    while(ve > v && (p[ve - 1] == ' ' || p[ve - 1] == '\t'))
      ve--;
    if(sl_headers_addn(&resp->headers, p, colon, p + v, ve - v)) {
      snprintf(x->abort_msg, sizeof(x->abort_msg), "out of memory reading headers");
      return stop(x, SL_E_NOMEM);
    }
    /* A body announced bigger than the bound fails now, not after the
     * bytes arrive. HEAD answers and 1xx/204/304 carry no body. */
    if(colon == 14 && !strncasecmp(p, "Content-Length", 14) && !x->req->on_body &&
       !x->is_head && resp->status >= 200 && resp->status != 204 && resp->status != 304) {
      unsigned long long cl = strtoull(p + v, NULL, 10);
      if(cl > x->max) {
        snprintf(x->abort_msg, sizeof(x->abort_msg),
                 "response body of %llu bytes (Content-Length) exceeds the limit of %zu bytes",
                 cl, x->max);
        return stop(x, SL_E_TOO_LARGE);
      }
    }
  }
  return len;
}

static size_t on_write(char *p, size_t size, size_t n, void *ud)
{
  struct sl_http_xfer *x = ud;
  size_t len = size * n;
  if(x->req->on_body) {
    if(x->req->on_body(x->req->on_body_ud, p, len)) {
      snprintf(x->abort_msg, sizeof(x->abort_msg), "transfer stopped by the body consumer");
      return stop(x, SL_E_INVALID);
    }
    return len;
  }
  if(sl_buf_add(&x->resp->body, p, len)) {
    snprintf(x->abort_msg, sizeof(x->abort_msg),
             "response body exceeds the limit of %zu bytes", x->max);
    return stop(x, SL_E_TOO_LARGE);
  }
  return len;
}

/* Called before each time the request is written to a connection: more
 * than once when curl resends it on a fresh connection because a reused one
 * closed before answering. */
static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One line, at the default verbosity, when a request is slow to finish:
 * the user sees why nothing happens, long before the timeouts say. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
  struct sl_http_xfer *x = ud;
  (void)dltotal;
  (void)dlnow;
  (void)ultotal;
  (void)ulnow;
  if(sl_interrupted()) {
    x->abort_r = SL_E_INTERRUPTED;
    snprintf(x->abort_msg, sizeof(x->abort_msg), "interrupted");
    return 1;
  }
  if(!x->noticed && x->notice_ms >= 0 && now_ms() - x->started_ms >= x->notice_ms) {
    x->noticed = 1;
    sl_log(SL_LOG_WARN, "%s: no complete answer after %.1f s; still waiting (each try ends "
           "after %ld s, or when slower than %ld bytes/s for %d s)", x->where,
           (double)(now_ms() - x->started_ms) / 1000.0, x->timeout_ms / 1000, x->low_speed_bytes,
           x->low_speed_time_s);
  }
  return 0;
}

static int on_prereq(void *ud, char *ip, char *local_ip, int port, int local_port)
{
  struct sl_http_xfer *x = ud;
  (void)ip;
  (void)local_ip;
  (void)port;
  (void)local_port;
  x->sends++;
  return CURL_PREREQFUNC_OK;
}

enum sl_result sl_http_curl_error(CURLcode cc, const char *where, const char *text,
                                  struct sl_error *err)
{
  enum sl_result r;
  switch(cc) {
  case CURLE_OPERATION_TIMEDOUT:
    r = SL_E_TIMEOUT;
    break;
  case CURLE_OUT_OF_MEMORY:
    r = SL_E_NOMEM;
    break;
  case CURLE_URL_MALFORMAT:
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_BAD_FUNCTION_ARGUMENT:
    r = SL_E_INVALID;
    break;
  case CURLE_FILESIZE_EXCEEDED:
    r = SL_E_TOO_LARGE;
    break;
  /* Failures a retry cannot mend get a code that says so (retry.h). */
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_ISSUER_ERROR:
    return sl_error_set(err, SL_E_NETWORK, SL_CODE_CERT_VERIFY, "%s: %s (the server's "
                        "certificate is not trusted: for a private CA set AWS_CA_BUNDLE)",
                        where, text);
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_CRL_BADFILE:
    return sl_error_set(err, SL_E_NETWORK, SL_CODE_CA_BUNDLE, "%s: %s (check AWS_CA_BUNDLE "
                        "or the profile's ca_bundle)", where, text);
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return sl_error_set(err, SL_E_NETWORK, SL_CODE_UNKNOWN_HOST, "%s: %s", where, text);
  default:
    /* connect, reset, partial, TLS handshake: "the network failed", for now */
    r = SL_E_NETWORK;
    break;
  }
  return sl_error_set(err, r, NULL, "%s: %s", where, text);
}

/* Curl results mapped to ours, with the reason in err. */
static enum sl_result map_curl(struct sl_http_xfer *x, CURLcode cc, struct sl_error *err)
{
  const char *text = x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc);
  if((cc == CURLE_WRITE_ERROR || cc == CURLE_ABORTED_BY_CALLBACK) && x->abort_r)
    return sl_error_set(err, x->abort_r, NULL, "%s: %s", x->where, x->abort_msg);
  return sl_http_curl_error(cc, x->where, text, err);
}

static void trace_headers(const char *dir, const struct sl_headers *h)
{
  size_t i;
  if(!sl_log_enabled(SL_LOG_TRACE))
    return;
  for(i = 0; i < h->n; i++)
    sl_log(SL_LOG_TRACE, "%s %s: %s", dir, h->v[i].name,
           sl_header_is_sensitive(h->v[i].name) ? "****" : h->v[i].value);
}

/* Sets every option of one transfer on x->easy (fresh or reset). */
enum sl_result sl_http_setup(const struct sl_http_options *opt, struct sl_http_xfer *x,
                             struct sl_error *err)
{
  const struct sl_http_request *req = x->req;
  CURL *e = x->easy;
  long timeout = req->timeout_ms > 0 ? req->timeout_ms : opt->timeout_ms;
  int has_ct = 0, has_accept = 0;
  size_t i;
  CURLcode cc = CURLE_OK;

  x->max = req->max_response ? req->max_response : DEFAULT_MAX_RESPONSE;
  x->is_head = !strcasecmp(req->method, "HEAD");
  sl_http_response_reset(x->resp);
  x->resp->body.max = x->max;

  for(i = 0; req->headers && i < req->headers->n && !cc; i++) {
    const struct sl_header *h = &req->headers->v[i];
    char *line;
    size_t nl = strlen(h->name), vl = strlen(h->value);
    struct curl_slist *l;
    if(!strcasecmp(h->name, "Content-Type"))
      has_ct = 1;
    if(!strcasecmp(h->name, "Accept"))
      has_accept = 1;
    line = malloc(nl + vl + 3);
    if(!line)
      return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory building headers");
    /* "Name;" is curl's spelling for a header with an empty value */
    if(vl)
      snprintf(line, nl + vl + 3, "%s: %s", h->name, h->value);
    else
      snprintf(line, nl + vl + 3, "%s;", h->name);
    l = curl_slist_append(x->hdrs, line);
    free(line);
    if(!l)
      return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory building headers");
    x->hdrs = l;
  }
  /* No 100-continue round trip; no headers curl would add on its own. */
  x->hdrs = curl_slist_append(x->hdrs, "Expect:");
  if(x->hdrs && !has_ct)
    x->hdrs = curl_slist_append(x->hdrs, "Content-Type:");
  if(x->hdrs && !has_accept)
    x->hdrs = curl_slist_append(x->hdrs, "Accept:");
  if(!x->hdrs)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory building headers");

  x->errbuf[0] = 0;
  cc = curl_easy_setopt(e, CURLOPT_URL, req->url);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if(!cc && opt->ca_bundle) cc = curl_easy_setopt(e, CURLOPT_CAINFO, opt->ca_bundle);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, opt->connect_timeout_ms);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
  /* Slower than the limit over the window ends the attempt (as a timeout,
   * so it is retried). A streamed body's consumer may hold the transfer
   * while it waits its turn (inspect's ordering window), so there only a
   * real stall ends it: no byte at all for a minute or the window. */
  if(!cc && opt->low_speed_bytes > 0) {
    cc = curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, req->on_body ? 1L : opt->low_speed_bytes);
    if(!cc) cc = curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, req->on_body && opt->low_speed_time_s < 60 ?
                                  60L : (long)opt->low_speed_time_s);
  }
  x->started_ms = now_ms();
  x->notice_ms = req->on_body ? -1 : opt->notice_after_ms;
  x->noticed = 0;
  x->timeout_ms = timeout;
  x->low_speed_bytes = opt->low_speed_bytes;
  x->low_speed_time_s = opt->low_speed_time_s;
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_XFERINFODATA, x);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, on_prereq);
  if(!cc) cc = curl_easy_setopt(e, CURLOPT_PREREQDATA, x);
  if(!cc && x->is_head)
    cc = curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  else if(!cc && !strcasecmp(req->method, "GET") && !req->body_len)
    cc = curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  else if(!cc && (req->body_len || !strcasecmp(req->method, "POST") ||
                  !strcasecmp(req->method, "PUT") || !strcasecmp(req->method, "PATCH"))) {
    /* POSTFIELDS for every method with a body: "Content-Length: 0" too */
    cc = curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    if(!cc) cc = curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    /* curl copies a large body through its upload buffer; 256 KiB instead
     * of 64 KiB means a quarter of the send() calls for a ~700 KB batch
     * (scripts/bench send: about 15% less CPU per record). */
    if(!cc && req->body_len > 64 * 1024)
      cc = curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, (long)UPLOAD_BUFFER);
  }
  if(!cc && strcasecmp(req->method, "GET") && strcasecmp(req->method, "HEAD") &&
     strcasecmp(req->method, "POST"))
    cc = curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
  if(cc)
    return sl_error_set(err, cc == CURLE_OUT_OF_MEMORY ? SL_E_NOMEM : SL_E_INTERNAL, NULL,
                        "curl option refused: %s", curl_easy_strerror(cc));
  sl_log(SL_LOG_TRACE, "> %s", x->where);
  trace_headers(">", req->headers ? req->headers : &(struct sl_headers){ 0 });
  return SL_OK;
}

/* After curl is done with x: status, result, logging. */
enum sl_result sl_http_finish(struct sl_http_xfer *x, CURLcode cc, struct sl_error *err)
{
  enum sl_result r = SL_OK;
  long status = 0;
  curl_off_t us = 0;
  curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(x->easy, CURLINFO_TOTAL_TIME_T, &us);
  if(status)
    x->resp->status = status;
  if(cc)
    r = map_curl(x, cc, err);
  if(err)
    err->http_status = x->resp->status;
  trace_headers("<", &x->resp->headers);
  sl_log(SL_LOG_DEBUG, "http: %s -> %ld, %zu bytes in %lld ms%s%s", x->where,
         x->resp->status, x->resp->body.len, (long long)(us / 1000), r ? ": " : "",
         r ? sl_strresult(r) : "");
  curl_slist_free_all(x->hdrs);
  x->hdrs = NULL;
  return r;
}

struct sl_http *sl_http_new(const struct sl_http_options *opt)
{
  struct sl_http *h;
  if(!sl_http_global_init())
    return NULL;
  h = calloc(1, sizeof(*h));
  if(!h)
    return NULL;
  sl_http_options_copy(&h->opt, &h->ca_bundle, opt);
  h->easy = curl_easy_init();
  if(!h->easy || (opt && opt->ca_bundle && opt->ca_bundle[0] && !h->ca_bundle)) {
    sl_http_free(h);
    return NULL;
  }
  return h;
}

void sl_http_free(struct sl_http *h)
{
  if(!h)
    return;
  if(h->easy)
    curl_easy_cleanup(h->easy);
  free(h->ca_bundle);
  free(h);
}

void sl_http_get_stats(const struct sl_http *h, struct sl_http_stats *out)
{
  *out = h->st;
}

enum sl_result sl_http_perform(struct sl_http *h, const struct sl_http_request *req,
                               struct sl_http_response *resp, struct sl_error *err)
{
  struct sl_http_xfer x;
  enum sl_result r;
  memset(&x, 0, sizeof(x));
  x.req = req;
  x.resp = resp;
  x.easy = h->easy;
  if(h->busy)
    return sl_error_set(err, SL_E_INVALID, NULL, "sl_http_perform called re-entrantly");
  r = sl_http_check_request(&h->opt, req, &x, err);
  if(r)
    return r;
  /* reset keeps the connection, DNS and TLS session caches */
  curl_easy_reset(h->easy);
  r = sl_http_setup(&h->opt, &x, err);
  if(!r) {
    CURLcode cc;
    h->busy = 1;
    cc = curl_easy_perform(h->easy);
    h->busy = 0;
    r = sl_http_finish(&x, cc, err);
    h->st.requests += (uint64_t)x.sends;
    h->st.resent += x.sends > 1 ? (uint64_t)x.sends - 1 : 0;
    h->st.body_bytes += (uint64_t)x.sends * req->body_len;
    if(x.sends > 1)
      sl_log(SL_LOG_DEBUG, "http: %s went out %d times (curl resent it on a fresh connection)",
             x.where, x.sends);
  }
  curl_slist_free_all(x.hdrs);
  return r;
}

void sl_http_options_init(struct sl_http_options *o)
{
  memset(o, 0, sizeof(*o));
  o->connect_timeout_ms = DEFAULT_CONNECT_MS;
  o->timeout_ms = DEFAULT_TIMEOUT_MS;
  o->low_speed_bytes = DEFAULT_LOW_SPEED_BYTES;
  o->low_speed_time_s = DEFAULT_LOW_SPEED_S;
  o->notice_after_ms = DEFAULT_NOTICE_MS;
}
