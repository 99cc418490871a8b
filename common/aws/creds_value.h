/* creds_value.h — building one credential value (creds_value.c), for every
 * provider. Not installed. */
#ifndef SLUICE_CREDS_VALUE_H
#define SLUICE_CREDS_VALUE_H

#include <time.h>
#include "sluice/buf.h"
#include "sluice/config.h"
#include "sluice/sigv4.h"

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

/* Reads a small file whole (a token file), trailing whitespace trimmed. */
enum sl_result sl_creds_read_token_file(const char *path, struct sl_buf *out,
                                        struct sl_error *err);

/* Parses a JSON credentials document as credential_process, ECS and IMDS
 * answer them: AccessKeyId, SecretAccessKey, token_member (SessionToken or
 * Token; optional), Expiration (optional); with need_version, "Version": 1
 * is required. what names the provider in error messages. */
enum sl_result sl_creds_from_json(const char *text, size_t len, const char *token_member,
                                  int need_version, const char *source, const char *what,
                                  struct sl_creds *out, struct sl_error *err);

#endif
