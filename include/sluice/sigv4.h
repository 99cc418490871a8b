/* sluice — AWS Signature Version 4: header mode and presigned-query mode.
 * Own implementation on OpenSSL (libcurl 7.88's mis-sorts query strings). */
#ifndef SLUICE_SIGV4_H
#define SLUICE_SIGV4_H

#include <stddef.h>
#include <time.h>
#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Credentials used to sign. Strings are owned (sl_creds_cleanup frees and zeroes). */
struct sl_creds {
  char *access_key_id;
  char *secret_access_key;
  char *session_token;  /* NULL when none */
  time_t expiration;    /* 0 = does not expire */
  char source[32];      /* "env", "profile", "process", "sts", "web-identity", "ecs", "imds", "sluice-profile" */
};
void sl_creds_cleanup(struct sl_creds *c);
enum sl_result sl_creds_copy(struct sl_creds *dst, const struct sl_creds *src);

#define SL_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SL_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* The request to sign, as it will go on the wire. */
struct sl_sigv4_request {
  const char *method;        /* "GET", "POST", ... */
  const char *path;          /* as on the request line, already URI-encoded, e.g. "/my%20key" */
  const char *query;         /* raw query string without '?', or NULL; may be unsorted/unencoded-ish as sent */
  struct sl_headers *headers; /* must contain Host; the signer adds X-Amz-Date,
                                 X-Amz-Security-Token, X-Amz-Content-Sha256 (when asked)
                                 and Authorization */
  const void *body;
  size_t body_len;
  const char *payload_hash;  /* hex SHA-256 of body, or SL_UNSIGNED_PAYLOAD; NULL = computed from body */
};

struct sl_sigv4_params {
  const struct sl_creds *creds;
  const char *region;
  const char *service;
  time_t now;               /* signing time (UTC seconds) */
  int s3_rules;             /* S3: no path normalization, no double encoding, always x-amz-content-sha256 */
  int normalize_path;       /* non-S3: normalize . .. and // segments (ignored with s3_rules) */
  int add_content_sha256;   /* add x-amz-content-sha256 header (forced with s3_rules) */
  int omit_session_token;   /* add the token after signing instead of signing it */
  long expires;             /* presign only: X-Amz-Expires in seconds (1..604800) */
};

/* Optional view into intermediate results, for tests and -vvv. */
struct sl_sigv4_debug {
  struct sl_buf canonical_request;
  struct sl_buf string_to_sign;
  char signature[65];
};
void sl_sigv4_debug_init(struct sl_sigv4_debug *d);
void sl_sigv4_debug_cleanup(struct sl_sigv4_debug *d);

/* Cache of derived signing keys per (date, region, service). */
struct sl_sigv4_cache;
struct sl_sigv4_cache *sl_sigv4_cache_new(void);
void sl_sigv4_cache_free(struct sl_sigv4_cache *c);

/* Header mode: adds the headers named above to req->headers.
 * cache may be NULL; dbg may be NULL. */
enum sl_result sl_sigv4_sign(const struct sl_sigv4_request *req,
                             const struct sl_sigv4_params *p,
                             struct sl_sigv4_cache *cache,
                             struct sl_sigv4_debug *dbg);

/* Query mode (presigned URL): writes the full signed query string (without
 * '?') to out: the request's own query plus X-Amz-Algorithm, -Credential,
 * -Date, -Expires, -SignedHeaders, [-Security-Token], -Signature. */
enum sl_result sl_sigv4_presign(const struct sl_sigv4_request *req,
                                const struct sl_sigv4_params *p,
                                struct sl_sigv4_cache *cache,
                                struct sl_buf *out,
                                struct sl_sigv4_debug *dbg);

/* SHA-256 of data as lowercase hex (65 bytes with NUL). */
void sl_sha256_hex(const void *data, size_t n, char out[65]);

#ifdef __cplusplus
}
#endif
#endif
