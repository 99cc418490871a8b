/* prov_internal.h — what the provisioner's files share and nobody else
 * sees: per-resource read / diff / apply / destroy, the run context, and
 * bounded waits. */
#ifndef SL_PROV_INTERNAL_H
#define SL_PROV_INTERNAL_H

#include "sluice/provision.h"

/* One apply or destroy in progress. */
struct sl_prov_run {
  struct sl_prov *s;
  const struct sl_prov_options *o;
  struct sl_client *c;
  struct sl_error *err;
};

/* sl_error_set on a cleared error: a failure of our own carries no HTTP
 * status or request id left over from an earlier call. */
enum sl_result sl_prov_fail(struct sl_error *e, enum sl_result r, const char *code,
                            const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 4, 5)))
#endif
  ;
/* Reports one changing call through opts->on_step. */
void sl_prov_step(struct sl_prov_run *run, enum sl_prov_kind k, const char *what);
/* Records the resource an error is about ("bucket x") in s->where. */
void sl_prov_where(struct sl_prov *s, enum sl_prov_kind k);
/* Appends a field-level change to an item (silently stops at the limit,
 * which is far above what any resource has). */
void sl_prov_change(struct sl_prov_item *it, const char *field, const char *from,
                    const char *to);
/* Seconds for waits: opts->wait_timeout_s or 600. */
int sl_prov_wait_limit(const struct sl_prov_run *run);
/* Monotonic seconds, for deadlines. */
double sl_prov_clock(void);
/* Sleeps the n-th poll interval (0.25 s doubling up to 5 s). */
void sl_prov_poll_sleep(int n);

/* Each resource: read the actual state (changes nothing), diff against the
 * desired state (pure), apply the item's action, delete. */
enum sl_result sl_prov_bucket_read(struct sl_client *c, const struct sl_prov_desired *d,
                                   struct sl_prov_bucket_state *b, struct sl_error *err);
void sl_prov_bucket_diff(const struct sl_prov_desired *d, const struct sl_prov_bucket_state *b,
                         struct sl_prov_item *it);
enum sl_result sl_prov_bucket_apply(struct sl_prov_run *run);
/* The comparisons the diff and apply share (1 = as the profile wants). */
int sl_prov_bucket_pab_ok(const struct sl_profile *p, const struct sl_prov_bucket_state *b);
int sl_prov_bucket_sse_ok(const struct sl_prov_desired *d, const struct sl_prov_bucket_state *b);
int sl_prov_bucket_lifecycle_ok(const struct sl_profile *p, const struct sl_prov_bucket_state *b);
int sl_prov_bucket_tags_ok(const struct sl_profile *p, const struct sl_prov_bucket_state *b);
enum sl_result sl_prov_bucket_count(struct sl_client *c, const char *bucket, long long *n,
                                    struct sl_error *err);
enum sl_result sl_prov_bucket_destroy(struct sl_prov_run *run);

enum sl_result sl_prov_role_read(struct sl_client *c, const struct sl_prov_desired *d,
                                 struct sl_prov_role_state *s, struct sl_error *err);
void sl_prov_role_diff(const struct sl_prov_desired *d, const struct sl_prov_role_state *s,
                       struct sl_prov_item *it);
enum sl_result sl_prov_role_apply(struct sl_prov_run *run);
enum sl_result sl_prov_role_destroy(struct sl_prov_run *run);

enum sl_result sl_prov_kinesis_read(struct sl_client *c, const struct sl_prov_desired *d,
                                    struct sl_prov_kinesis_state *s, struct sl_error *err);
void sl_prov_kinesis_diff(const struct sl_prov_desired *d, const struct sl_prov_kinesis_state *s,
                          struct sl_prov_item *it);
enum sl_result sl_prov_kinesis_apply(struct sl_prov_run *run);
enum sl_result sl_prov_kinesis_destroy(struct sl_prov_run *run);

enum sl_result sl_prov_firehose_read(struct sl_client *c, const struct sl_prov_desired *d,
                                     struct sl_prov_firehose_state *s, struct sl_error *err);
void sl_prov_firehose_diff(const struct sl_prov_desired *d,
                           const struct sl_prov_firehose_state *s, struct sl_prov_item *it);
enum sl_result sl_prov_firehose_apply(struct sl_prov_run *run);
enum sl_result sl_prov_firehose_destroy(struct sl_prov_run *run);

#endif
