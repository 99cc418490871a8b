/* bucket.h — reading and diffing the bucket (bucket.c), and the
 * comparisons its apply shares. */
#ifndef SL_PROV_BUCKET_H
#define SL_PROV_BUCKET_H

#include "session.h"

/* Read the actual state (changes nothing); diff against the desired state
 * (pure). */
enum sl_result sl_prov_bucket_read(struct sl_client *c, const struct sl_prov_desired *d,
                                   struct sl_prov_bucket_state *b, struct sl_error *err);
void sl_prov_bucket_diff(const struct sl_prov_desired *d, const struct sl_prov_bucket_state *b,
                         struct sl_prov_item *it);
/* The comparisons the diff and apply share (1 = as the profile wants). */
int sl_prov_bucket_pab_ok(const struct sl_profile *p, const struct sl_prov_bucket_state *b);
int sl_prov_bucket_sse_ok(const struct sl_prov_desired *d, const struct sl_prov_bucket_state *b);
/* The key prefix of the Athena results that the lifecycle expires, "" when
 * none ([athena] results elsewhere, or results_expire_days = 0). */
const char *sl_prov_results_prefix(const struct sl_profile *p);
int sl_prov_bucket_lifecycle_ok(const struct sl_profile *p, const struct sl_prov_bucket_state *b);
int sl_prov_bucket_policy_ok(const struct sl_prov_desired *d, const struct sl_prov_bucket_state *b);
enum sl_result sl_prov_bucket_count(struct sl_client *c, const char *bucket, long long *n,
                                    struct sl_error *err);

#endif
