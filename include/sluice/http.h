/* sluice — HTTP transport on libcurl: one reusable connection pool, bounded
 * bodies, timeouts, TLS always verified, and a concurrent mode (curl multi). */
#ifndef SLUICE_HTTP_H
#define SLUICE_HTTP_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sl_http_options {
  long connect_timeout_ms;  /* default 3000 */
  long timeout_ms;          /* whole transfer; default 60000 */
  const char *ca_bundle;    /* NULL = system store */
  int allow_plain_http;     /* http:// to non-loopback hosts */
  /* A transfer slower than low_speed_bytes per second over low_speed_time_s
   * seconds fails as a timeout (a server that trickles is not waited on for
   * the whole timeout). 0 = default (1024 B/s over 15 s); bytes < 0 = off. */
  long low_speed_bytes;
  int low_speed_time_s;
  /* A request without a streamed body still not done after this long gets
   * one warning line (at the default verbosity); 0 = 10000; < 0 = none. */
  long notice_after_ms;
};
/* Defaults: connect 3 s, whole transfer 60 s, below 1 KiB/s for 15 s, a
 * notice after 10 s, system CA store, https only beyond loopback. */
SL_EXPORT void sl_http_options_init(struct sl_http_options *o);

struct sl_http_request {
  const char *method;
  const char *url;               /* full URL, query included */
  const struct sl_headers *headers; /* sent as given (already signed) */
  const void *body;
  size_t body_len;
  size_t max_response;           /* bound on the body kept in memory; 0 = 16 MiB */
  /* Optional streaming: when set, body chunks go here instead of the buffer.
   * Return non-zero to abort the transfer. */
  int (*on_body)(void *ud, const char *p, size_t n);
  void *on_body_ud;
  long timeout_ms;               /* 0 = the handle's default */
};

struct sl_http_response {
  long status;
  struct sl_headers headers;     /* names as received */
  struct sl_buf body;
};
SL_EXPORT void sl_http_response_init(struct sl_http_response *r);
SL_EXPORT void sl_http_response_cleanup(struct sl_http_response *r);
SL_EXPORT void sl_http_response_reset(struct sl_http_response *r);

/* A reusable client: connection cache, DNS cache, TLS session. One thread
 * at a time; a call from inside a body callback is refused (SL_E_INVALID). */
struct sl_http;
SL_EXPORT struct sl_http *sl_http_new(const struct sl_http_options *opt);
SL_EXPORT void sl_http_free(struct sl_http *h);

/* One blocking request. Transport failures: SL_E_NETWORK / SL_E_TIMEOUT /
 * SL_E_TOO_LARGE with err filled. Any HTTP status is SL_OK here; callers
 * decide what a status means. Redirects are never followed. */
SL_EXPORT enum sl_result sl_http_perform(struct sl_http *h, const struct sl_http_request *req,
                               struct sl_http_response *resp, struct sl_error *err);

/* What one sl_http has sent so far (sl_http_perform only). libcurl sends a
 * request again by itself, without telling, when a kept-alive connection
 * closes before any answer byte; the server may have acted on the first
 * copy. A caller to whom that matters (a POST that is not idempotent)
 * compares resent before and after its call. */
struct sl_http_stats {
  uint64_t requests;   /* requests written to a connection, libcurl's own resends included */
  uint64_t resent;     /* of those, libcurl's own resends */
  uint64_t body_bytes; /* request body bytes of those requests */
};
SL_EXPORT void sl_http_get_stats(const struct sl_http *h, struct sl_http_stats *out);

/* Concurrent mode: add requests, then run until they complete. Each
 * completion calls done() once with the transfer's result. req and resp must
 * stay valid until done() is called. done() may add more requests. */
typedef void (*sl_http_done_fn)(void *ud, enum sl_result r, struct sl_http_response *resp,
                                const struct sl_error *err);
struct sl_http_multi;
SL_EXPORT struct sl_http_multi *sl_http_multi_new(const struct sl_http_options *opt);
SL_EXPORT void sl_http_multi_free(struct sl_http_multi *m);
/* A request refused up front (bad URL, plain http:// to a remote host, a
 * body without Content-Type) returns its error here; done() is not called. */
SL_EXPORT enum sl_result sl_http_multi_add(struct sl_http_multi *m, const struct sl_http_request *req,
                                 struct sl_http_response *resp, sl_http_done_fn done, void *ud);
/* Drives transfers; returns after at least one completion, or after
 * timeout_ms, or at once when nothing is in flight. *running = in flight. */
SL_EXPORT enum sl_result sl_http_multi_run(struct sl_http_multi *m, long timeout_ms, int *running);

#ifdef __cplusplus
}
#endif
#endif
