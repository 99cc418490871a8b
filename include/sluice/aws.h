/* sluice — an AWS client: endpoint resolution, signing, sending, error
 * parsing and retries in one call, plus the three protocols sluice needs:
 * REST-XML (S3), Query (IAM, STS) and JSON 1.1 (Firehose, Kinesis). */
#ifndef SLUICE_AWS_H
#define SLUICE_AWS_H

#include "export.h"

#include <stddef.h>
#include "buf.h"
#include "config.h"
#include "http.h"
#include "retry.h"
#include "sigv4.h"
#include "creds.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A client: config, connection pool, credential provider, signing-key
 * cache and retry policy. Opaque; safe to use from one thread at a time. */
struct sl_client;

/* Takes ownership of *cfg's heap members (cfg is left empty). On failure
 * *out is NULL and err says why. */
SL_EXPORT enum sl_result sl_client_new(struct sl_client **out, struct sl_aws_config *cfg,
                                       const char *sluice_profile_path, struct sl_error *err);
SL_EXPORT void sl_client_free(struct sl_client *c); /* NULL is fine */
/* Another client with the same settings (its own connections and
 * credential cache), e.g. one per worker thread. */
SL_EXPORT enum sl_result sl_client_dup(struct sl_client **out, const struct sl_client *c,
                                       struct sl_error *err);
/* The settings in effect (read-only, valid while the client lives). */
SL_EXPORT const struct sl_aws_config *sl_client_config(const struct sl_client *c);
/* Its connection pool, credential provider and retry policy, for callers
 * making calls of their own (STS with the client's credentials) or
 * counting what was sent (sl_http_get_stats). */
SL_EXPORT struct sl_http *sl_client_http(struct sl_client *c);
SL_EXPORT struct sl_creds_provider *sl_client_creds(struct sl_client *c);
SL_EXPORT struct sl_retry_policy *sl_client_retry(struct sl_client *c);

/* A request before endpoint, signing and retries. */
struct sl_aws_request {
  enum sl_service svc;
  const char *method;
  const char *bucket;          /* S3: bucket name, placed per addressing style; else NULL */
  const char *path;            /* URI-encoded path after the bucket, starting with '/' ("/" for none) */
  const char *query;           /* encoded query without '?', or NULL */
  const struct sl_headers *headers; /* extra headers (Content-Type, X-Amz-Target, ...) */
  const char *content_type;    /* required when body_len > 0 */
  const void *body;
  size_t body_len;
  int unsigned_payload;        /* S3: sign with UNSIGNED-PAYLOAD */
  size_t max_response;         /* 0 = 16 MiB */
  int (*on_body)(void *ud, const char *p, size_t n); /* streaming GET */
  void *on_body_ud;
  /* Lowercase hex SHA-256 of body when the caller hashed it while building
   * it (the signer then skips a second pass); NULL: the signer hashes it. */
  const char *payload_hash;
};

/* Sends with retries per the client's policy. SL_OK only for 2xx; an error
 * answer gives SL_E_AWS with err filled from whatever shape the service used.
 * resp holds the last answer either way. */
SL_EXPORT enum sl_result sl_aws_send(struct sl_client *c, const struct sl_aws_request *req,
                           struct sl_http_response *resp, struct sl_error *err);

/* The same without a client, for the credential chain's STS calls:
 * explicit creds (NULL = send unsigned, e.g. AssumeRoleWithWebIdentity),
 * explicit retry policy (NULL = one attempt). */
SL_EXPORT enum sl_result sl_aws_send_with(struct sl_http *http, const struct sl_aws_config *cfg,
                                const struct sl_creds *creds, struct sl_sigv4_cache *sigcache,
                                const struct sl_retry_policy *retry,
                                const struct sl_aws_request *req,
                                struct sl_http_response *resp, struct sl_error *err);

/* Query protocol body: "Action=a&Version=v&k1=v1..." form-urlencoded (keys
 * and values encoded per RFC 3986, space as %20). Appends to out. */
SL_EXPORT enum sl_result sl_aws_query_body(const char *action, const char *version,
                                 const struct sl_headers *params, struct sl_buf *out);

/* Fills err from an error answer: S3 <Error>, IAM/STS <ErrorResponse><Error>,
 * JSON "__type"/"code" (any "prefix#" stripped) and "message"/"Message",
 * x-amzn-ErrorType header (":..." stripped), request id from
 * x-amzn-RequestId / x-amz-request-id / body, and bodiless answers (HEAD)
 * from the status (404 NotFound, 403 Forbidden, 301 PermanentRedirect ...).
 * Never fails on malformed bodies: the status is used instead. */
SL_EXPORT void sl_aws_parse_error(long status, const struct sl_headers *headers, const char *body,
                        size_t body_len, struct sl_error *err);

/* JSON 1.1: POST / with X-Amz-Target "<prefix>.<op>" and
 * Content-Type application/x-amz-json-1.1. *out is the parsed answer
 * (json-c object, json_object_put it) on success. */
struct json_object;
SL_EXPORT enum sl_result sl_aws_json(struct sl_client *c, enum sl_service svc, const char *target,
                           struct json_object *in, struct json_object **out,
                           struct sl_error *err);

/* Query protocol: POST form-urlencoded Action=op&Version=ver&params...
 * params is an ordered list of (name, value), unencoded. *out is the parsed
 * XML document (xmlFreeDoc it) on success. */
struct _xmlDoc;
SL_EXPORT enum sl_result sl_aws_query(struct sl_client *c, enum sl_service svc, const char *action,
                            const char *version, const struct sl_headers *params,
                            struct _xmlDoc **out, struct sl_error *err);

/* Safe XML parsing for answers: no network, no entity expansion, no DTD
 * loading, bounded depth. NULL with err filled on failure. */
SL_EXPORT struct _xmlDoc *sl_xml_parse(const char *data, size_t len, struct sl_error *err);
/* Text of the first element with this local name (namespace ignored) below
 * node (depth-first); NULL when absent. Returned string is owned by the doc's
 * caller: xmlFree it. */
SL_EXPORT char *sl_xml_find_text(void *node, const char *local_name);

#ifdef __cplusplus
}
#endif
#endif
