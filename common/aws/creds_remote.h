/* creds_remote.h — credentials from servers: the ECS / EKS container
 * endpoint and EC2 IMDSv2 (creds_remote.c). Not installed. */
#ifndef SLUICE_CREDS_REMOTE_H
#define SLUICE_CREDS_REMOTE_H

#include <time.h>
#include "sluice/buf.h"
#include "sluice/config.h"
#include "sluice/sigv4.h"

/* ECS / EKS container endpoint from AWS_CONTAINER_CREDENTIALS_*.
 * SL_E_NOT_FOUND when not configured. */
enum sl_result sl_creds_from_ecs(const struct sl_aws_config *cfg, struct sl_creds *out,
                                 struct sl_error *err);

/* EC2 instance metadata (IMDSv2). SL_E_NOT_FOUND when disabled, absent or
 * without a role. */
enum sl_result sl_creds_from_imds(const struct sl_aws_config *cfg, struct sl_creds *out,
                                  struct sl_error *err);

#endif
