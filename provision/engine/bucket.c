/* bucket.c — the S3 bucket: read its hardening settings back (parsed, so
 * they compare by meaning), diff them against the profile, and write only
 * what differs. Writing and deleting are in bucket_apply.c. */
#include "bucket.h"
#include "tags.h"
#include "prov_run.h"
#include "sluice/s3.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

static const char *const pab_names[4] = { "BlockPublicAcls", "IgnorePublicAcls",
                                          "BlockPublicPolicy", "RestrictPublicBuckets" };

static xmlNode *child(xmlNode *n, const char *name)
{
  for(n = n ? n->children : NULL; n; n = n->next)
    if(n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name))
      return n;
  return NULL;
}

/* Text of a direct child into out ("" when absent or too long). */
static void child_text(xmlNode *n, const char *name, char *out, size_t outlen)
{
  xmlNode *c = child(n, name);
  xmlChar *t = c ? xmlNodeGetContent(c) : NULL;
  out[0] = 0;
  if(t && strlen((char *)t) < outlen)
    snprintf(out, outlen, "%s", (char *)t);
  xmlFree(t);
}

/* GETs one sub-resource and parses it; *doc NULL when it is not set. */
static enum sl_result get_xml(struct sl_client *c, const char *bucket, const char *name,
                              xmlDoc **doc, struct sl_error *err)
{
  struct sl_buf b;
  enum sl_result r = sl_buf_init(&b, 1024 * 1024);
  *doc = NULL;
  if(!r) r = sl_s3_get_subresource(c, bucket, name, &b, err);
  if(!r) {
    *doc = sl_xml_parse(b.data, b.len, err);
    if(!*doc)
      r = SL_E_PARSE;
  }
  else if(r == SL_E_NOT_FOUND) {
    sl_error_clear(err);
    r = SL_OK;
  }
  sl_buf_cleanup(&b);
  return r;
}

static enum sl_result read_pab(struct sl_client *c, const char *bucket,
                               struct sl_prov_bucket_state *b, struct sl_error *err)
{
  xmlDoc *doc;
  enum sl_result r = get_xml(c, bucket, "publicAccessBlock", &doc, err);
  int i;
  if(!r && doc) {
    xmlNode *root = xmlDocGetRootElement(doc);
    char v[8];
    b->pab_found = 1;
    for(i = 0; i < 4; i++) {
      child_text(root, pab_names[i], v, sizeof(v));
      b->pab[i] = !strcmp(v, "true");
    }
  }
  xmlFreeDoc(doc);
  return r;
}

static enum sl_result read_encryption(struct sl_client *c, const char *bucket,
                                      struct sl_prov_bucket_state *b, struct sl_error *err)
{
  xmlDoc *doc;
  enum sl_result r = get_xml(c, bucket, "encryption", &doc, err);
  if(!r && doc) {
    xmlNode *rule = child(xmlDocGetRootElement(doc), "Rule");
    xmlNode *def = child(rule, "ApplyServerSideEncryptionByDefault");
    char v[8];
    child_text(def, "SSEAlgorithm", b->sse, sizeof(b->sse));
    child_text(def, "KMSMasterKeyID", b->kms_key, sizeof(b->kms_key));
    child_text(rule, "BucketKeyEnabled", v, sizeof(v));
    b->bucket_key = !strcmp(v, "true");
  }
  xmlFreeDoc(doc);
  return r;
}

static enum sl_result read_ownership(struct sl_client *c, const char *bucket,
                                     struct sl_prov_bucket_state *b, struct sl_error *err)
{
  xmlDoc *doc;
  enum sl_result r = get_xml(c, bucket, "ownershipControls", &doc, err);
  if(!r && doc)
    child_text(child(xmlDocGetRootElement(doc), "Rule"), "ObjectOwnership", b->ownership,
               sizeof(b->ownership));
  xmlFreeDoc(doc);
  return r;
}

static enum sl_result read_policy(struct sl_client *c, const char *bucket,
                                  struct sl_prov_bucket_state *b, struct sl_error *err)
{
  struct sl_buf t;
  enum sl_result r = sl_buf_init(&t, 1024 * 1024);
  if(!r) r = sl_s3_get_subresource(c, bucket, "policy", &t, err);
  if(!r)
    b->policy = sl_buf_steal(&t);
  else if(r == SL_E_NOT_FOUND) {
    sl_error_clear(err);
    r = SL_OK;
  }
  sl_buf_cleanup(&t);
  return r;
}

/* A rule applies to the whole bucket when it filters nothing: no filter, an
 * empty <Filter/>, or an empty prefix (either form). */
static int whole_bucket(xmlNode *rule)
{
  xmlNode *f = child(rule, "Filter"), *n;
  char prefix[1100]; /* room for any prefix: one cut short would read as empty */
  child_text(rule, "Prefix", prefix, sizeof(prefix));
  if(child(rule, "Prefix") && prefix[0])
    return 0;
  for(n = f ? f->children : NULL; n; n = n->next) {
    if(n->type != XML_ELEMENT_NODE)
      continue;
    if(strcmp((const char *)n->name, "Prefix"))
      return 0;
    child_text(f, "Prefix", prefix, sizeof(prefix));
    if(prefix[0])
      return 0;
  }
  return 1;
}

/* The results prefix whose objects [athena] expires, "" when none. */
const char *sl_prov_results_prefix(const struct sl_profile *p)
{
  size_t n = strlen(p->bucket.name);
  const char *r = p->athena.results;
  if(!p->athena.enabled || !p->athena.results_expire_days || strncmp(r, "s3://", 5) ||
     strncmp(r + 5, p->bucket.name, n) || r[5 + n] != '/')
    return "";
  return r + 6 + n;
}

/* One enabled rule whose one action is expiry after N days: N, else 0. */
static int expiry_days(xmlNode *rule)
{
  xmlNode *n;
  int actions = 0;
  char status[16], days[16];
  for(n = rule->children; n; n = n->next)
    if(n->type == XML_ELEMENT_NODE && (strstr((const char *)n->name, "Transition") ||
                                       strstr((const char *)n->name, "Expiration") ||
                                       !strcmp((const char *)n->name,
                                               "AbortIncompleteMultipartUpload")))
      actions++;
  child_text(rule, "Status", status, sizeof(status));
  child_text(child(rule, "Expiration"), "Days", days, sizeof(days));
  return actions == 1 && !strcmp(status, "Enabled") && atoi(days) > 0 ? atoi(days) : 0;
}

/* A rule's prefix filter (either form), "" when it has none. */
static void rule_prefix(xmlNode *rule, char *out, size_t n)
{
  child_text(rule, "Prefix", out, n);
  if(!out[0])
    child_text(child(rule, "Filter"), "Prefix", out, n);
}

/* Our two rules: one whole-bucket expiry (expire_days = N) and one on the
 * Athena results prefix (results_expire_days = N); any other rule, or a
 * second of either, makes expire_days -1 ("other rules"). */
static enum sl_result read_lifecycle(struct sl_client *c, const struct sl_profile *p,
                                     struct sl_prov_bucket_state *b, struct sl_error *err)
{
  xmlDoc *doc;
  const char *results = sl_prov_results_prefix(p);
  enum sl_result r = get_xml(c, p->bucket.name, "lifecycle", &doc, err);
  if(!r && doc) {
    xmlNode *root = xmlDocGetRootElement(doc), *n;
    int whole = 0, other = 0;
    b->lifecycle_found = 1;
    for(n = root ? root->children : NULL; n; n = n->next) {
      char prefix[1100];
      int days;
      if(n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "Rule"))
        continue;
      days = expiry_days(n);
      rule_prefix(n, prefix, sizeof(prefix));
      if(days && whole_bucket(n) && !whole++)
        b->expire_days = days;
      else if(days && results[0] && !strcmp(prefix, results) && !b->results_expire_days)
        b->results_expire_days = days;
      else
        other = 1;
    }
    if(other || whole > 1)
      b->expire_days = -1;
  }
  xmlFreeDoc(doc);
  return r;
}

static enum sl_result read_tags(struct sl_client *c, const char *bucket,
                                struct sl_prov_bucket_state *b, struct sl_error *err)
{
  xmlDoc *doc;
  enum sl_result r = get_xml(c, bucket, "tagging", &doc, err);
  if(!r && doc) {
    xmlNode *set = child(xmlDocGetRootElement(doc), "TagSet"), *n;
    for(n = set ? set->children : NULL; !r && n; n = n->next) {
      char k[160], v[300];
      if(n->type != XML_ELEMENT_NODE || strcmp((const char *)n->name, "Tag"))
        continue;
      child_text(n, "Key", k, sizeof(k));
      child_text(n, "Value", v, sizeof(v));
      if(sl_headers_add(&b->tags, k, v))
        r = sl_prov_fail(err, SL_E_NOMEM, NULL, "out of memory");
    }
  }
  xmlFreeDoc(doc);
  return r;
}

enum sl_result sl_prov_bucket_read(struct sl_client *c, const struct sl_prov_desired *d,
                                   struct sl_prov_bucket_state *b, struct sl_error *err)
{
  const char *name = d->p->bucket.name;
  enum sl_result r = sl_s3_head_bucket(c, name, &b->head_status, b->region, err);
  if(r)
    return r;
  if(b->head_status == 404)
    return SL_OK;
  if(b->head_status == 403) {
    /* The owner can always read the policy (S3's lock-out guard): if that
     * works, the bucket is ours and a policy denies the rest. */
    struct sl_buf pol;
    struct sl_error perr;
    int ours = 0;
    sl_error_clear(&perr);
    if(!sl_buf_init(&pol, 64 * 1024)) {
      ours = !sl_s3_get_subresource(c, name, "policy", &pol, &perr);
      sl_buf_cleanup(&pol);
    }
    if(ours) {
      r = sl_prov_fail(err, SL_E_AWS, "AccessDenied", "HeadBucket %s: access denied by the "
                       "bucket's policy", name);
      err->http_status = 403;
      return r; /* sl_prov_read adds the policy's cause when it can */
    }
    /* HEAD has no body to say which: name every cause a 403 can have. */
    r = sl_prov_fail(err, SL_E_AWS, "AccessDenied", "HeadBucket %s answered 403 Forbidden: the "
                     "bucket exists but these credentials may not read it; either it belongs "
                     "to another account (bucket names are global: choose another name), or "
                     "an IAM policy of the caller or the bucket's policy denies s3:ListBucket",
                     name);
    err->http_status = 403;
    return r;
  }
  /* 301: S3 says the bucket lives elsewhere; a 200 naming another region
   * would have us configure a bucket the profile does not describe. */
  if(b->head_status != 200 || (b->region[0] && strcmp(b->region, d->region))) {
    r = sl_prov_fail(err, SL_E_AWS, "BucketInOtherRegion", "bucket %s exists in region %s, "
                     "not %s", name, b->region[0] ? b->region : "(not said)", d->region);
    if(b->head_status != 200)
      err->http_status = b->head_status;
    return r;
  }
  b->exists = 1;
  r = read_pab(c, name, b, err);
  if(!r) r = read_encryption(c, name, b, err);
  if(!r) r = read_ownership(c, name, b, err);
  if(!r) r = read_policy(c, name, b, err);
  if(!r) r = read_lifecycle(c, d->p, b, err);
  if(!r) r = read_tags(c, name, b, err);
  return r;
}

/* ------------------------------------------------------------------ diff */

static const char *pab_word(const struct sl_prov_bucket_state *b)
{
  int i, on = 0;
  if(!b->pab_found)
    return "missing";
  for(i = 0; i < 4; i++)
    on += b->pab[i];
  return on == 4 ? "on" : on ? "partial" : "off";
}

/* Public access blocked as the profile wants; none configured = all off. */
int sl_prov_bucket_pab_ok(const struct sl_profile *p, const struct sl_prov_bucket_state *b)
{
  int i;
  for(i = 0; i < 4; i++)
    if((b->pab_found && b->pab[i]) != (p->bucket.block_public_access != 0))
      return 0;
  return 1;
}

static void sse_words(const char *sse, const char *key, int bucket_key, char *out, size_t n)
{
  if(!sse[0])
    snprintf(out, n, "none");
  else if(!strcmp(sse, "AES256"))
    snprintf(out, n, "SSE-S3");
  else if(!strcmp(sse, "aws:kms"))
    snprintf(out, n, "SSE-KMS %s%s", key[0] ? key : "(aws/s3 key)",
             bucket_key ? " +bucket key" : "");
  else
    snprintf(out, n, "%s", sse);
}

int sl_prov_bucket_sse_ok(const struct sl_prov_desired *d, const struct sl_prov_bucket_state *b)
{
  if(d->p->bucket.encryption == SL_ENC_SSE_S3)
    return !strcmp(b->sse, "AES256");
  return !strcmp(b->sse, "aws:kms") && !strcmp(b->kms_key, d->kms_key_arn) && b->bucket_key;
}

int sl_prov_bucket_lifecycle_ok(const struct sl_profile *p, const struct sl_prov_bucket_state *b)
{
  int results = sl_prov_results_prefix(p)[0] ? p->athena.results_expire_days : 0;
  if(!p->bucket.expire_after_days && !results)
    return !b->lifecycle_found;
  return b->lifecycle_found && b->expire_days == p->bucket.expire_after_days &&
         b->results_expire_days == results;
}

int sl_prov_bucket_policy_ok(const struct sl_prov_desired *d, const struct sl_prov_bucket_state *b)
{
  return d->bucket_policy ? sl_policy_equal(b->policy, d->bucket_policy) : !b->policy;
}

static void lifecycle_words(int found, int days, const char *results, int results_days,
                            char *out, size_t n)
{
  if(!found || (!days && !results_days))
    snprintf(out, n, "none");
  else if(days < 0)
    snprintf(out, n, "other rules");
  else if(!results_days)
    snprintf(out, n, "expire after %d days", days);
  else {
    char whole[48] = "";
    if(days)
      snprintf(whole, sizeof(whole), "expire after %d days, ", days);
    snprintf(out, n, "%s%.100s after %d days", whole, results, results_days);
  }
}

void sl_prov_bucket_diff(const struct sl_prov_desired *d, const struct sl_prov_bucket_state *b,
                         struct sl_prov_item *it)
{
  const struct sl_profile *p = d->p;
  char from[200], to[200];
  if(!b->exists) {
    it->action = SL_PROV_CREATE;
    return;
  }
  if(!sl_prov_bucket_pab_ok(p, b))
    sl_prov_change(it, "block_public_access", pab_word(b),
                   p->bucket.block_public_access ? "on" : "off");
  if(!sl_prov_bucket_sse_ok(d, b)) {
    sse_words(b->sse, b->kms_key, b->bucket_key, from, sizeof(from));
    sse_words(p->bucket.encryption == SL_ENC_SSE_S3 ? "AES256" : "aws:kms", d->kms_key_arn, 1,
              to, sizeof(to));
    sl_prov_change(it, "encryption", from, to);
  }
  if(strcmp(b->ownership, "BucketOwnerEnforced"))
    sl_prov_change(it, "object_ownership", b->ownership[0] ? b->ownership : "missing",
                   "BucketOwnerEnforced");
  if(!sl_prov_bucket_policy_ok(d, b))
    sl_prov_change(it, "bucket_policy", !b->policy ? "missing" : d->bucket_policy ? "differs" :
                   "present", d->bucket_policy ? "deny non-TLS" : "none");
  if(!sl_prov_bucket_lifecycle_ok(p, b)) {
    const char *results = sl_prov_results_prefix(p);
    lifecycle_words(b->lifecycle_found, b->expire_days, results, b->results_expire_days, from,
                    sizeof(from));
    lifecycle_words(1, p->bucket.expire_after_days, results,
                    results[0] ? p->athena.results_expire_days : 0, to, sizeof(to));
    sl_prov_change(it, "lifecycle", from, to);
  }
  sl_prov_tags_diff(it, &d->bucket_tags, &b->tags);
  it->action = it->nchanges ? SL_PROV_UPDATE : SL_PROV_OK;
}

static int count_object(void *ud, const struct sl_s3_object *o)
{
  (void)o;
  (*(long long *)ud)++;
  return 0;
}

/* Objects in the bucket, counting one page at most: destroy only needs to
 * know "empty or not". */
enum sl_result sl_prov_bucket_count(struct sl_client *c, const char *bucket, long long *n,
                                    struct sl_error *err)
{
  struct sl_s3_list l;
  char *next = NULL;
  enum sl_result r;
  memset(&l, 0, sizeof(l));
  l.on_object = count_object;
  l.ud = n;
  *n = 0;
  r = sl_s3_list_page(c, bucket, &l, &next, err);
  free(next);
  return r;
}
