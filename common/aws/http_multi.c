/* http_multi.c — many transfers at once on one curl multi handle, sharing
 * the DNS and TLS session caches; each transfer is set up and finished
 * exactly as a blocking one (http.c). */
#include "http_internal.h"
#include "sluice/log.h"

#include <stdlib.h>
#include <time.h>

struct sl_http_multi {
  struct sl_http_options opt;
  char *ca_bundle;
  CURLM *multi;
  CURLSH *share;
  struct sl_http_xfer *active;
};

struct sl_http_multi *sl_http_multi_new(const struct sl_http_options *opt)
{
  struct sl_http_multi *m;
  if(!sl_http_global_init())
    return NULL;
  m = calloc(1, sizeof(*m));
  if(!m)
    return NULL;
  sl_http_options_copy(&m->opt, &m->ca_bundle, opt);
  m->multi = curl_multi_init();
  m->share = curl_share_init();
  if(!m->multi || !m->share ||
     curl_share_setopt(m->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) ||
     curl_share_setopt(m->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION)) {
    sl_http_multi_free(m);
    return NULL;
  }
  return m;
}

static void xfer_free(struct sl_http_multi *m, struct sl_http_xfer *x)
{
  curl_multi_remove_handle(m->multi, x->easy);
  curl_easy_cleanup(x->easy);
  curl_slist_free_all(x->hdrs);
  free(x);
}

void sl_http_multi_free(struct sl_http_multi *m)
{
  if(!m)
    return;
  while(m->active) {
    struct sl_http_xfer *x = m->active;
    m->active = x->next;
    xfer_free(m, x);
  }
  if(m->multi)
    curl_multi_cleanup(m->multi);
  if(m->share)
    curl_share_cleanup(m->share);
  free(m->ca_bundle);
  free(m);
}

enum sl_result sl_http_multi_add(struct sl_http_multi *m, const struct sl_http_request *req,
                                 struct sl_http_response *resp, sl_http_done_fn done, void *ud)
{
  struct sl_error err;
  enum sl_result r;
  struct sl_http_xfer *x = calloc(1, sizeof(*x));
  if(!x)
    return SL_E_NOMEM;
  sl_error_clear(&err);
  x->req = req;
  x->resp = resp;
  x->done = done;
  x->done_ud = ud;
  r = sl_http_check_request(&m->opt, req, x, &err);
  if(!r) {
    x->easy = curl_easy_init();
    if(!x->easy)
      r = SL_E_NOMEM;
  }
  if(!r)
    r = sl_http_setup(&m->opt, x, &err);
  if(!r && curl_easy_setopt(x->easy, CURLOPT_SHARE, m->share))
    r = SL_E_INTERNAL;
  if(!r && curl_multi_add_handle(m->multi, x->easy))
    r = SL_E_INTERNAL;
  if(r) {
    sl_log(SL_LOG_DEBUG, "http: request refused: %s", err.message);
    if(x->easy)
      curl_easy_cleanup(x->easy);
    curl_slist_free_all(x->hdrs);
    free(x);
    return r;
  }
  x->next = m->active;
  m->active = x;
  return SL_OK;
}

/* Completes every finished transfer; returns how many. */
static int reap(struct sl_http_multi *m)
{
  CURLMsg *msg;
  int left, n = 0;
  while((msg = curl_multi_info_read(m->multi, &left))) {
    struct sl_http_xfer *x = NULL, **pp;
    struct sl_error err;
    enum sl_result r;
    if(msg->msg != CURLMSG_DONE)
      continue;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
    for(pp = &m->active; *pp && *pp != x; pp = &(*pp)->next)
      ;
    if(!x || !*pp)
      continue;
    *pp = x->next;
    sl_error_clear(&err);
    r = sl_http_finish(x, msg->data.result, &err);
    curl_multi_remove_handle(m->multi, x->easy);
    /* done() may add transfers; x is already off the list */
    if(x->done)
      x->done(x->done_ud, r, x->resp, &err);
    xfer_free(m, x);
    n++;
  }
  return n;
}

static long long now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum sl_result sl_http_multi_run(struct sl_http_multi *m, long timeout_ms, int *running)
{
  long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);
  int still = 0, completed = 0;
  struct sl_http_xfer *x;
  if(running)
    *running = 0;
  while(m->active) {
    long long left;
    if(curl_multi_perform(m->multi, &still))
      return SL_E_INTERNAL;
    completed += reap(m);
    left = deadline - now_ms();
    if(completed || !m->active || left <= 0)
      break;
    if(curl_multi_poll(m->multi, NULL, 0, left > 1000 ? 1000 : (int)left, NULL))
      return SL_E_INTERNAL;
  }
  for(x = m->active; x && running; x = x->next)
    (*running)++;
  return SL_OK;
}
