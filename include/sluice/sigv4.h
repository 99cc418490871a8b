/* sluice — AWS Signature Version 4: header mode and presigned-query mode.
 * Own implementation on OpenSSL (libcurl 7.88's mis-sorts query strings). */
#ifndef SLUICE_SIGV4_H
#define SLUICE_SIGV4_H

#include "export.h"

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
SL_EXPORT void sl_creds_cleanup(struct sl_creds *c);
SL_EXPORT enum sl_result sl_creds_copy(struct sl_creds *dst, const struct sl_creds *src);

#define SL_UNSIGNED_PAYLOAD "UNSIGNED-PAYLOAD"
#define SL_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* Bounds: larger inputs are refused with SL_E_TOO_LARGE. */
#define SL_SIGV4_MAX_CANONICAL (1024u * 1024u) /* canonical request, path, query */
#define SL_SIGV4_MAX_HEADERS 256               /* headers in req->headers */
#define SL_SIGV4_MAX_PARAMS 8192               /* query parameters */
#define SL_SIGV4_MAX_TOKEN (32u * 1024u)       /* session token length */

/* The request to sign, as it will go on the wire.
 * Path: non-S3 services canonicalize it by (optionally) normalizing it and
 * URI-encoding it once more, so "/a%20b" signs as "/a%2520b" as AWS expects;
 * with s3_rules it is signed exactly as given. It must start with '/' and
 * hold no '?', '#' or control characters (SL_E_INVALID).
 * Query: each key and value is decoded, re-encoded per SigV4 ('+' is a
 * literal plus, send spaces as %20) and sorted; the wire query is untouched.
 * Headers: names lowercased, values trimmed with inner whitespace collapsed,
 * duplicates joined with ',' in order. Never signed: Authorization,
 * User-Agent, Expect, Transfer-Encoding, X-Amzn-Trace-Id. Names must be HTTP
 * tokens and values free of control characters other than tab (SL_E_INVALID). */
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
SL_EXPORT void sl_sigv4_debug_init(struct sl_sigv4_debug *d);
SL_EXPORT void sl_sigv4_debug_cleanup(struct sl_sigv4_debug *d);

/* Cache of derived signing keys per (date, region, service), also keyed by
 * the secret key so refreshed credentials never reuse an old key. Safe to
 * share between threads; secrets and key material are zeroed on free. */
struct sl_sigv4_cache;
SL_EXPORT struct sl_sigv4_cache *sl_sigv4_cache_new(void);
SL_EXPORT void sl_sigv4_cache_free(struct sl_sigv4_cache *c);
/* How many lookups found a key and how many derived one (tests, -vvv). */
SL_EXPORT void sl_sigv4_cache_stats(struct sl_sigv4_cache *c, unsigned long *hits,
                          unsigned long *misses);

/* Header mode: adds the headers named above to req->headers, replacing any
 * of the same name (so a retry can be re-signed); a stale
 * X-Amz-Security-Token is removed when creds carry no token. On error the
 * headers are left as they were. cache may be NULL; dbg may be NULL. */
SL_EXPORT enum sl_result sl_sigv4_sign(const struct sl_sigv4_request *req,
                             const struct sl_sigv4_params *p,
                             struct sl_sigv4_cache *cache,
                             struct sl_sigv4_debug *dbg);

/* Query mode (presigned URL): writes the full signed query string (without
 * '?') to out: the request's own query as given, then X-Amz-Algorithm,
 * -Credential, -Date, -SignedHeaders, -Expires, [-Security-Token], -Signature
 * in that order. req->headers is not modified and gets no X-Amz-Date or
 * x-amz-content-sha256; with s3_rules and no payload_hash the payload is
 * UNSIGNED-PAYLOAD. A query that already holds any of these X-Amz- keys is
 * SL_E_INVALID; p->expires outside 1..604800 too. */
SL_EXPORT enum sl_result sl_sigv4_presign(const struct sl_sigv4_request *req,
                                const struct sl_sigv4_params *p,
                                struct sl_sigv4_cache *cache,
                                struct sl_buf *out,
                                struct sl_sigv4_debug *dbg);

/* SHA-256 of data as lowercase hex (65 bytes with NUL); "" if OpenSSL fails. */
SL_EXPORT void sl_sha256_hex(const void *data, size_t n, char out[65]);

#ifdef __cplusplus
}
#endif
#endif
