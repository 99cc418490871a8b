/* shared_config_internal.h — what the credential chain reads from the AWS
 * config file besides profiles (sluice/creds.h has those). */
#ifndef SL_AWS_SHARED_CONFIG_INTERNAL_H
#define SL_AWS_SHARED_CONFIG_INTERNAL_H

#include "sluice/creds.h"

/* A typed section of the config file (AWS_CONFIG_FILE or ~/.aws/config):
 * [sso-session NAME] or [services NAME]; found = 0 when there is none.
 * Sub-keys are "parent.child" ("kinesis.endpoint_url"). */
enum sl_result sl_shared_section_load(const char *type, const char *name,
                                      struct sl_shared_profile *out, struct sl_error *err);

#endif
