/* bucket_apply.c — converging the S3 bucket: create it when missing, then
 * write each hardening setting that differs from the profile; and
 * deleting it (optionally emptying it first, a page of keys at a time). */
#include "bucket_apply.h"
#include "tags.h"
#include "bucket.h"
#include "prov_run.h"
#include "sluice/s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S3_NS "http://s3.amazonaws.com/doc/2006-03-01/"
#define XML_TYPE "application/xml"
#define LIFECYCLE_RULE_ID "sluice-expire"
#define RESULTS_RULE_ID "sluice-athena-results"

static enum sl_result xml_text(struct sl_buf *out, const char *s)
{
  enum sl_result r = SL_OK;
  for(; !r && *s; s++) {
    switch(*s) {
    case '&': r = sl_buf_adds(out, "&amp;"); break;
    case '<': r = sl_buf_adds(out, "&lt;"); break;
    case '>': r = sl_buf_adds(out, "&gt;"); break;
    case '"': r = sl_buf_adds(out, "&quot;"); break;
    case '\'': r = sl_buf_adds(out, "&apos;"); break;
    default: r = sl_buf_addc(out, *s);
    }
  }
  return r;
}

static enum sl_result pab_body(const struct sl_profile *p, struct sl_buf *b)
{
  const char *v = p->bucket.block_public_access ? "true" : "false";
  return sl_buf_printf(b, "<PublicAccessBlockConfiguration xmlns=\"" S3_NS "\">"
                       "<BlockPublicAcls>%s</BlockPublicAcls>"
                       "<IgnorePublicAcls>%s</IgnorePublicAcls>"
                       "<BlockPublicPolicy>%s</BlockPublicPolicy>"
                       "<RestrictPublicBuckets>%s</RestrictPublicBuckets>"
                       "</PublicAccessBlockConfiguration>", v, v, v, v);
}

static enum sl_result sse_body(const struct sl_prov_desired *d, struct sl_buf *b)
{
  enum sl_result r = sl_buf_adds(b, "<ServerSideEncryptionConfiguration xmlns=\"" S3_NS "\">"
                                 "<Rule><ApplyServerSideEncryptionByDefault>");
  if(d->p->bucket.encryption == SL_ENC_SSE_S3) {
    if(!r) r = sl_buf_adds(b, "<SSEAlgorithm>AES256</SSEAlgorithm>"
                           "</ApplyServerSideEncryptionByDefault>");
  }
  else {
    if(!r) r = sl_buf_adds(b, "<SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>");
    if(!r) r = xml_text(b, d->kms_key_arn);
    /* The bucket key cuts KMS requests (and their cost) by orders of magnitude. */
    if(!r) r = sl_buf_adds(b, "</KMSMasterKeyID></ApplyServerSideEncryptionByDefault>"
                           "<BucketKeyEnabled>true</BucketKeyEnabled>");
  }
  if(!r) r = sl_buf_adds(b, "</Rule></ServerSideEncryptionConfiguration>");
  return r;
}

static enum sl_result ownership_body(struct sl_buf *b)
{
  return sl_buf_adds(b, "<OwnershipControls xmlns=\"" S3_NS "\"><Rule>"
                     "<ObjectOwnership>BucketOwnerEnforced</ObjectOwnership>"
                     "</Rule></OwnershipControls>");
}

/* The whole-bucket expiry and the Athena results' one, each when wanted. */
static enum sl_result lifecycle_body(const struct sl_profile *p, struct sl_buf *b)
{
  const char *results = sl_prov_results_prefix(p);
  enum sl_result r = sl_buf_adds(b, "<LifecycleConfiguration xmlns=\"" S3_NS "\">");
  if(!r && p->bucket.expire_after_days)
    r = sl_buf_printf(b, "<Rule><Expiration><Days>%d</Days></Expiration><ID>" LIFECYCLE_RULE_ID
                      "</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status></Rule>",
                      p->bucket.expire_after_days);
  if(!r && results[0]) {
    r = sl_buf_printf(b, "<Rule><Expiration><Days>%d</Days></Expiration><ID>" RESULTS_RULE_ID
                      "</ID><Filter><Prefix>", p->athena.results_expire_days);
    if(!r) r = xml_text(b, results);
    if(!r) r = sl_buf_adds(b, "</Prefix></Filter><Status>Enabled</Status></Rule>");
  }
  if(!r) r = sl_buf_adds(b, "</LifecycleConfiguration>");
  return r;
}

static enum sl_result tagging_body(const struct sl_headers *tags, struct sl_buf *b)
{
  enum sl_result r = sl_buf_adds(b, "<Tagging xmlns=\"" S3_NS "\"><TagSet>");
  size_t i;
  for(i = 0; !r && i < tags->n; i++) {
    r = sl_buf_adds(b, "<Tag><Key>");
    if(!r) r = xml_text(b, tags->v[i].name);
    if(!r) r = sl_buf_adds(b, "</Key><Value>");
    if(!r) r = xml_text(b, tags->v[i].value);
    if(!r) r = sl_buf_adds(b, "</Value></Tag>");
  }
  if(!r) r = sl_buf_adds(b, "</TagSet></Tagging>");
  return r;
}

/* PUTs one sub-resource whose body is in b; step names the S3 operation. */
static enum sl_result put(struct sl_prov_run *run, const char *sub, const char *type,
                          struct sl_buf *b, enum sl_result built, const char *step)
{
  const char *bucket = run->s->want.p->bucket.name;
  enum sl_result r = built;
  if(r)
    return sl_prov_fail(run->err, r, NULL, "%s: request body too large", step);
  r = sl_s3_put_subresource(run->c, bucket, sub, type, b->data, b->len, run->err);
  if(!r)
    sl_prov_step(run, SL_PROV_BUCKET, step);
  sl_buf_reset(b);
  return r;
}

static enum sl_result del(struct sl_prov_run *run, const char *sub, const char *step)
{
  enum sl_result r = sl_s3_delete_subresource(run->c, run->s->want.p->bucket.name, sub,
                                              run->err);
  if(!r)
    sl_prov_step(run, SL_PROV_BUCKET, step);
  return r;
}

static void state_reset(struct sl_prov_bucket_state *b)
{
  free(b->policy);
  sl_headers_cleanup(&b->tags);
  memset(b, 0, sizeof(*b));
  sl_headers_init(&b->tags);
}

enum sl_result sl_prov_bucket_apply(struct sl_prov_run *run)
{
  struct sl_prov *s = run->s;
  const struct sl_prov_desired *d = &s->want;
  const struct sl_profile *p = d->p;
  struct sl_prov_bucket_state *have = &s->have.bucket;
  struct sl_prov_item *it = &s->plan.item[SL_PROV_BUCKET];
  struct sl_buf b;
  enum sl_result r;
  int created = 0;
  if(it->action == SL_PROV_OK)
    return SL_OK;
  r = sl_buf_init(&b, SL_BUF_SMALL);
  if(!r && it->action == SL_PROV_CREATE) {
    r = sl_s3_create_bucket(run->c, p->bucket.name, &created, run->err);
    if(!r && created) {
      sl_prov_step(run, SL_PROV_BUCKET, "CreateBucket");
      /* A new bucket is closed before anything else, even a read: public
       * access blocked and (over https) plain http denied. */
      r = put(run, "publicAccessBlock", XML_TYPE, &b, pab_body(p, &b), "PutPublicAccessBlock");
      if(!r && d->bucket_policy)
        r = put(run, "policy", "application/json", &b, sl_buf_adds(&b, d->bucket_policy),
                "PutBucketPolicy");
    }
    else if(!r) /* BucketAlreadyOwnedByYou: made since the plan */
      sl_prov_raced(run, SL_PROV_BUCKET);
    /* Then from what S3 gave the new bucket: it applies defaults. */
    state_reset(have);
    if(!r) r = sl_prov_bucket_read(run->c, d, have, run->err);
  }
  /* The same order for an existing one: the closing settings first. */
  if(!r && !sl_prov_bucket_pab_ok(p, have))
    r = put(run, "publicAccessBlock", XML_TYPE, &b, pab_body(p, &b), "PutPublicAccessBlock");
  if(!r && !sl_prov_bucket_policy_ok(d, have))
    r = d->bucket_policy ? put(run, "policy", "application/json", &b,
                               sl_buf_adds(&b, d->bucket_policy), "PutBucketPolicy") :
                           del(run, "policy", "DeleteBucketPolicy");
  if(!r && !sl_prov_bucket_sse_ok(d, have))
    r = put(run, "encryption", XML_TYPE, &b, sse_body(d, &b), "PutBucketEncryption");
  if(!r && strcmp(have->ownership, "BucketOwnerEnforced"))
    r = put(run, "ownershipControls", XML_TYPE, &b, ownership_body(&b),
            "PutBucketOwnershipControls");
  if(!r && !sl_prov_bucket_lifecycle_ok(p, have))
    r = p->bucket.expire_after_days || sl_prov_results_prefix(p)[0] ?
        put(run, "lifecycle", XML_TYPE, &b, lifecycle_body(p, &b),
            "PutBucketLifecycleConfiguration") :
        del(run, "lifecycle", "DeleteBucketLifecycle");
  if(!r && !sl_prov_tags_equal(&d->bucket_tags, &have->tags))
    r = d->bucket_tags.n ? put(run, "tagging", XML_TYPE, &b, tagging_body(&d->bucket_tags, &b),
                               "PutBucketTagging") :
                           del(run, "tagging", "DeleteBucketTagging");
  sl_buf_cleanup(&b);
  return r;
}

/* ------------------------------------------------------------------ destroy */

struct keys {
  char **v;
  size_t n;
  int failed;
};

static int collect_key(void *ud, const struct sl_s3_object *o)
{
  struct keys *k = ud;
  if(k->n >= 1000)
    return 1;
  if(!(k->v[k->n] = strdup(o->key))) {
    k->failed = 1;
    return 1;
  }
  k->n++;
  return 0;
}

/* Lists a page of up to 1000 keys and deletes them with DeleteObjects, until
 * a listing comes back empty. */
static enum sl_result empty_bucket(struct sl_prov_run *run, const char *bucket)
{
  struct keys k;
  struct sl_s3_list l;
  enum sl_result r = SL_OK;
  char step[64];
  k.v = calloc(1000, sizeof(*k.v));
  if(!k.v)
    return sl_prov_fail(run->err, SL_E_NOMEM, NULL, "out of memory");
  memset(&l, 0, sizeof(l));
  l.max_keys = 1000;
  l.on_object = collect_key;
  l.ud = &k;
  for(;;) {
    char *next = NULL;
    size_t failed = 0, i;
    k.n = 0;
    k.failed = 0;
    r = sl_s3_list_page(run->c, bucket, &l, &next, run->err);
    free(next);
    if(!r && k.failed)
      r = sl_prov_fail(run->err, SL_E_NOMEM, NULL, "out of memory");
    if(!r && k.n) {
      r = sl_s3_delete_objects(run->c, bucket, (const char *const *)k.v, k.n, &failed, run->err);
      if(!r && failed)
        r = sl_prov_fail(run->err, SL_E_AWS, "DeleteObjectsFailed", "S3 refused to delete %zu "
                         "of %zu objects in %s", failed, k.n, bucket);
      if(!r) {
        snprintf(step, sizeof(step), "DeleteObjects (%zu keys)", k.n);
        sl_prov_step(run, SL_PROV_BUCKET, step);
      }
    }
    for(i = 0; i < k.n; i++)
      free(k.v[i]);
    if(r || !k.n)
      break;
  }
  free(k.v);
  return r;
}

enum sl_result sl_prov_bucket_destroy(struct sl_prov_run *run)
{
  const char *bucket = run->s->want.p->bucket.name;
  enum sl_result r = SL_OK;
  if(!run->s->have.bucket.exists)
    return SL_OK;
  if(run->o->empty_bucket)
    r = empty_bucket(run, bucket);
  if(!r) {
    r = sl_s3_delete_bucket(run->c, bucket, run->err);
    if(r == SL_E_AWS && !strcmp(run->err->code, "NoSuchBucket")) {
      sl_error_clear(run->err);
      r = SL_OK;
    }
    else if(!r)
      sl_prov_step(run, SL_PROV_BUCKET, "DeleteBucket");
    else if(!strcmp(run->err->code, "BucketNotEmpty"))
      snprintf(run->err->message + strlen(run->err->message),
               sizeof(run->err->message) - strlen(run->err->message),
               " (objects arrived while destroying; run again with --empty-bucket)");
  }
  return r;
}
