/* profile_tls.c — whether the bucket policy carries the TLS-only
 * statement, given [bucket] tls_only and the S3 endpoint in effect. */
#include "sluice/profile.h"
#include "common/profile/profile_tls.h"

#include <stdio.h>
#include <string.h>

/* Why tls_only = true cannot work with this endpoint. */
void sl_profile_tls_conflict(const char *endpoint, char *msg, size_t n)
{
  snprintf(msg, n, "true, but the S3 endpoint %.512s is plain http: the TLS-only "
           "statement would deny sluice's own requests (use tls_only = auto, or an https "
           "endpoint)", endpoint);
}

enum sl_result sl_profile_tls_only(const struct sl_profile *p, const struct sl_aws_config *cfg,
                                   int *on, const char **why, struct sl_error *err)
{
  struct sl_endpoint ep;
  enum sl_result r = sl_endpoint_resolve(cfg, SL_SVC_S3, p->bucket.name, &ep, err);
  *on = 1;
  *why = "";
  if(r)
    return r;
  if(p->bucket.tls_only == SL_TLS_ONLY_FALSE) {
    *on = 0;
    *why = "tls_only = false";
  }
  else if(p->bucket.tls_only == SL_TLS_ONLY_TRUE) {
    *why = "tls_only = true";
    if(!ep.is_https) {
      char msg[768];
      sl_profile_tls_conflict(ep.base_url, msg, sizeof(msg));
      return sl_error_set(err, SL_E_CONFIG, NULL, "%s:%d: [bucket] tls_only: %s", p->path,
                          p->bucket.tls_only_line, msg);
    }
  }
  else {
    *on = ep.is_https;
    *why = ep.is_https ? "the S3 endpoint is https" : "the S3 endpoint is http";
  }
  return SL_OK;
}
