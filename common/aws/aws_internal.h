/* aws_internal.h — the client's layout, for the library's own code that
 * embeds clients (one per worker) and for unit tests; outside programs get
 * the opaque type and sl_client_new (include/sluice/aws.h). */
#ifndef SL_AWS_INTERNAL_H
#define SL_AWS_INTERNAL_H

#include "sluice/aws.h"

struct sl_client {
  struct sl_aws_config cfg;          /* owned copy of the caller's config */
  struct sl_http *http;
  struct sl_creds_provider *creds;
  struct sl_sigv4_cache *sigcache;
  struct sl_retry_quota quota;
  struct sl_retry_policy retry;      /* tests may replace retry.random */
  const char *user_agent;
};

/* In place: takes ownership of *cfg's heap members (cfg is left empty); the
 * client must not move afterwards (the provider points at c->cfg). */
enum sl_result sl_client_init(struct sl_client *c, struct sl_aws_config *cfg,
                              const char *sluice_profile_path, struct sl_error *err);
void sl_client_cleanup(struct sl_client *c);

#endif
