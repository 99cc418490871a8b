/* http_internal.h — one transfer's state and the steps every transfer
 * takes (http.c), shared with the multi mode (http_multi.c). Not installed. */
#ifndef SLUICE_HTTP_INTERNAL_H
#define SLUICE_HTTP_INTERNAL_H

#include "sluice/http.h"

#include <curl/curl.h>

/* One transfer's state, shared by the blocking and the multi paths. */
struct sl_http_xfer {
  const struct sl_http_request *req;
  struct sl_http_response *resp;
  CURL *easy;
  struct curl_slist *hdrs;
  size_t max;
  size_t header_bytes;
  int is_head;
  int sends;                /* times the request went out (curl resends on its own) */
  enum sl_result abort_r;   /* why a callback stopped the transfer */
  char abort_msg[256];
  char errbuf[CURL_ERROR_SIZE];
  char where[320];          /* "GET host/path" for messages, no query */
  /* the slow-request notice (on_progress) */
  long long started_ms;
  long notice_ms;           /* < 0: none */
  int noticed;
  long timeout_ms, low_speed_bytes;
  int low_speed_time_s;
  /* multi only */
  sl_http_done_fn done;
  void *done_ud;
  struct sl_http_xfer *next;
};

/* curl's global init, once per process; 0 when it failed. */
int sl_http_global_init(void);
/* Options with defaults filled in and the CA bundle path copied to *ca. */
void sl_http_options_copy(struct sl_http_options *dst, char **ca, const struct sl_http_options *o);
/* Refuses what must never go out: bad URLs, other schemes, plain http to a
 * remote host, a body without a Content-Type. Fills x->where. */
enum sl_result sl_http_check_request(const struct sl_http_options *opt,
                                     const struct sl_http_request *req,
                                     struct sl_http_xfer *x, struct sl_error *err);
/* Sets every option of one transfer on x->easy (fresh or reset). */
enum sl_result sl_http_setup(const struct sl_http_options *opt, struct sl_http_xfer *x,
                             struct sl_error *err);
/* A curl failure as our result, with "where: text" in err and, for one
 * that a retry cannot mend, its code (SL_CODE_CERT_VERIFY, ...). */
enum sl_result sl_http_curl_error(CURLcode cc, const char *where, const char *text,
                                  struct sl_error *err);
/* After curl is done with x: status, result, logging. */
enum sl_result sl_http_finish(struct sl_http_xfer *x, CURLcode cc, struct sl_error *err);

#endif
