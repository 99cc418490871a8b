/* creds_internal.h — helpers shared by the credential providers (creds.c,
 * creds_process.c, creds_remote.c, sts.c). Not installed. */
#ifndef SLUICE_CREDS_INTERNAL_H
#define SLUICE_CREDS_INTERNAL_H

#include <time.h>
#include "sluice/buf.h"
#include "sluice/config.h"
#include "sluice/sigv4.h"

struct sl_http;

/* Bounds on what providers accept from files, processes and servers. */
#define SL_CREDS_MAX_ANSWER (64u * 1024u)
#define SL_CREDS_MAX_TOKEN_FILE (64u * 1024u)

/* Fills out (cleaning it first) with copies of the strings; registers the
 * secret and the token with the logger. token may be NULL or "". */
enum sl_result sl_creds_fill(struct sl_creds *out, const char *id, const char *secret,
                             const char *token, time_t expiration, const char *source);

/* "2024-05-01T12:00:00Z", with optional fraction and "+hh:mm"/"-hh:mm"
 * offset. 0 on success. */
int sl_creds_parse_time(const char *s, time_t *out);

/* Parses a JSON credentials document as credential_process, ECS and IMDS
 * answer them: AccessKeyId, SecretAccessKey, token_member (SessionToken or
 * Token; optional), Expiration (optional); with need_version, "Version": 1
 * is required. what names the provider in error messages. */
enum sl_result sl_creds_from_json(const char *text, size_t len, const char *token_member,
                                  int need_version, const char *source, const char *what,
                                  struct sl_creds *out, struct sl_error *err);

/* An AssumeRole* answer body (XML) into out, as the STS calls parse it;
 * for the fuzz target. action names the call in messages. */
enum sl_result sl_sts_parse_credentials(const char *xml, size_t len, const char *action,
                                        const char *source, struct sl_creds *out,
                                        struct sl_error *err);

/* Reads a small file whole (a token file), trailing whitespace trimmed. */
enum sl_result sl_creds_read_token_file(const char *path, struct sl_buf *out,
                                        struct sl_error *err);

/* credential_process: runs command via /bin/sh -c, output bounded, killed
 * after timeout_ms. */
enum sl_result sl_creds_from_process(const char *command, long timeout_ms,
                                     struct sl_creds *out, struct sl_error *err);

/* ECS / EKS container endpoint from AWS_CONTAINER_CREDENTIALS_*.
 * SL_E_NOT_FOUND when not configured. */
enum sl_result sl_creds_from_ecs(const struct sl_aws_config *cfg, struct sl_creds *out,
                                 struct sl_error *err);

/* EC2 instance metadata (IMDSv2). SL_E_NOT_FOUND when disabled, absent or
 * without a role. */
enum sl_result sl_creds_from_imds(const struct sl_aws_config *cfg, struct sl_creds *out,
                                  struct sl_error *err);

#endif
