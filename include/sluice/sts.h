/* sluice — the three STS calls the credential chain and the CLIs need:
 * AssumeRole, AssumeRoleWithWebIdentity and GetCallerIdentity (Query
 * protocol, Version 2011-06-15). They take an http handle and a config
 * rather than a client, so the credential chain can use them before any
 * client exists. */
#ifndef SLUICE_STS_H
#define SLUICE_STS_H

#include "export.h"

#include "buf.h"
#include "config.h"
#include "sigv4.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sl_http;

#define SL_STS_VERSION "2011-06-15"

/* out must be zeroed or hold credentials (they are replaced).
 * Signs with source; fills out (source "sts", expiration from the answer,
 * secrets registered with the logger). external_id may be NULL;
 * duration_s 0 = the service default (1 h). The region is cfg->region, or
 * us-east-1 when empty. Errors: SL_E_AWS with err from the answer, or the
 * transport's result. */
SL_EXPORT enum sl_result sl_sts_assume_role(struct sl_http *http, const struct sl_aws_config *cfg,
                                  const struct sl_creds *source, const char *role_arn,
                                  const char *session_name, const char *external_id,
                                  int duration_s, struct sl_creds *out, struct sl_error *err);

/* Unsigned; token is the OIDC token itself (not a file name). Source
 * "web-identity". */
SL_EXPORT enum sl_result sl_sts_assume_role_web_identity(struct sl_http *http,
                                               const struct sl_aws_config *cfg,
                                               const char *role_arn, const char *session_name,
                                               const char *token, struct sl_creds *out,
                                               struct sl_error *err);

struct sl_sts_identity {
  char account[32];
  char arn[2048];
  char user_id[256];
};

/* Who the credentials belong to. */
SL_EXPORT enum sl_result sl_sts_get_caller_identity(struct sl_http *http, const struct sl_aws_config *cfg,
                                          const struct sl_creds *creds,
                                          struct sl_sts_identity *out, struct sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
