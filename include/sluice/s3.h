/* sluice — S3 client: buckets, their hardening sub-resources, objects, and
 * ListObjectsV2 paging with callbacks per key. */
#ifndef SLUICE_S3_H
#define SLUICE_S3_H

#include "export.h"

#include <stddef.h>
#include "aws.h"

#ifdef __cplusplus
extern "C" {
#endif

/* HEAD bucket: *status is 200 (exists, ours), 403 (exists, not ours), 404
 * (missing) or 301 (exists in another region; *region filled when S3 said
 * which, from x-amz-bucket-region). Those are SL_OK; anything else fails. */
SL_EXPORT enum sl_result sl_s3_head_bucket(struct sl_client *c, const char *bucket, long *status,
                                 char region[64], struct sl_error *err);

/* CreateBucket in the client's region: LocationConstraint except in
 * us-east-1. BucketAlreadyOwnedByYou counts as success (*created = 0). */
SL_EXPORT enum sl_result sl_s3_create_bucket(struct sl_client *c, const char *bucket, int *created,
                                   struct sl_error *err);
SL_EXPORT enum sl_result sl_s3_delete_bucket(struct sl_client *c, const char *bucket, struct sl_error *err);

/* Bucket sub-resources by their query name ("publicAccessBlock",
 * "encryption", "policy", "ownershipControls", "tagging", "lifecycle"):
 * GET returns the body (XML, or JSON for policy) in out; a missing
 * configuration gives SL_E_NOT_FOUND with err->code set. PUT sends body
 * with Content-MD5 (S3 requires it on several of these). */
SL_EXPORT enum sl_result sl_s3_get_subresource(struct sl_client *c, const char *bucket, const char *name,
                                     struct sl_buf *out, struct sl_error *err);
SL_EXPORT enum sl_result sl_s3_put_subresource(struct sl_client *c, const char *bucket, const char *name,
                                     const char *content_type, const char *body, size_t len,
                                     struct sl_error *err);
SL_EXPORT enum sl_result sl_s3_delete_subresource(struct sl_client *c, const char *bucket,
                                        const char *name, struct sl_error *err);

/* After an AccessDenied on bucket: when the bucket policy (read as the
 * owner) denies requests not made over TLS and the S3 endpoint in effect is
 * plain http, appends that cause and the way out to err->message; else
 * leaves err as it is. The original code and request id are kept. */
SL_EXPORT void sl_s3_explain_denied(struct sl_client *c, const char *bucket, struct sl_error *err);
/* 1 when a policy document has a Deny statement on aws:SecureTransport false. */
SL_EXPORT int sl_s3_policy_denies_plain_http(const char *policy);
SL_EXPORT enum sl_result sl_s3_put_object(struct sl_client *c, const char *bucket, const char *key,
                                const void *data, size_t len, const char *content_type,
                                struct sl_error *err);

/* GET object. With on_body the object streams there chunk by chunk; without,
 * it is read into out (bounded by out->max). range is "bytes=0-9" or NULL. */
struct sl_s3_get {
  const char *range;
  int (*on_body)(void *ud, const char *p, size_t n);
  void *ud;
  struct sl_buf *out;
  long long content_length;  /* filled from the answer */
  char etag[80];
  char content_type[128];
};
SL_EXPORT enum sl_result sl_s3_get_object(struct sl_client *c, const char *bucket, const char *key,
                                struct sl_s3_get *g, struct sl_error *err);
SL_EXPORT enum sl_result sl_s3_delete_object(struct sl_client *c, const char *bucket, const char *key,
                                   struct sl_error *err);
/* DeleteObjects for up to 1000 keys; *failed counts keys S3 refused. */
SL_EXPORT enum sl_result sl_s3_delete_objects(struct sl_client *c, const char *bucket,
                                    const char *const *keys, size_t n, size_t *failed,
                                    struct sl_error *err);

struct sl_s3_object {
  const char *key;           /* decoded */
  long long size;
  const char *last_modified; /* ISO 8601 as S3 gave it */
  const char *etag;
};

struct sl_s3_list {
  const char *prefix;
  const char *delimiter;
  const char *start_after;
  const char *continuation_token; /* from the previous page, or NULL */
  int max_keys;                   /* 0 = S3's default (1000) */
  /* Called for each key / common prefix, in order; non-zero stops paging. */
  int (*on_object)(void *ud, const struct sl_s3_object *o);
  int (*on_prefix)(void *ud, const char *prefix);
  void *ud;
};

/* One ListObjectsV2 page (encoding-type=url, keys decoded). *next_token is
 * malloc'ed when the listing is truncated, else NULL. */
SL_EXPORT enum sl_result sl_s3_list_page(struct sl_client *c, const char *bucket,
                               const struct sl_s3_list *l, char **next_token,
                               struct sl_error *err);
/* All pages. */
SL_EXPORT enum sl_result sl_s3_list_all(struct sl_client *c, const char *bucket, const struct sl_s3_list *l,
                              struct sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
