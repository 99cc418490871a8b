/* sluice — idempotent provisioning of the pipeline a profile describes:
 * S3 bucket (hardened), IAM delivery role, optional Kinesis source stream,
 * the CloudWatch log group Firehose logs to (with cloudwatch_logging),
 * Firehose delivery stream. Data flows one way: profile → desired state →
 * actual state (read) → plan (a pure diff) → calls → report.
 *
 *   struct sl_prov *s;
 *   r = sl_prov_new(&s, &profile, err);        client, account, desired state
 *   if(!r) r = sl_prov_plan(s, err);           read everything, diff
 *   if(!r) r = sl_prov_apply(s, &opts, err);   converge (plans again first)
 *   sl_prov_free(s);
 */
#ifndef SLUICE_PROVISION_H
#define SLUICE_PROVISION_H

#include "export.h"

#include <stdint.h>

#include "aws.h"
#include "profile.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SL_PROV_POLICY_NAME "sluice-delivery" /* the role's inline policy */
/* The role tag naming the pipeline a role serves: "<region>/<firehose>". */
#define SL_PROV_OWNER_TAG "sluice:pipeline"

/* In the order apply makes them (destroy: the reverse). */
enum sl_prov_kind { SL_PROV_BUCKET = 0, SL_PROV_ROLE, SL_PROV_KINESIS, SL_PROV_LOGS,
                    SL_PROV_FIREHOSE, SL_PROV_GLUE_DATABASE, SL_PROV_GLUE_TABLE,
                    SL_PROV_NKINDS };
enum sl_prov_action {
  SL_PROV_OK = 0,   /* exists and matches */
  SL_PROV_CREATE,
  SL_PROV_UPDATE,   /* in place; see the changes */
  SL_PROV_REPLACE,  /* cannot be changed in place: delete and create (apply needs replace=1) */
  SL_PROV_DELETE,   /* destroy */
  SL_PROV_ABSENT    /* destroy / status: does not exist (nothing to do) */
};
/* "bucket", "role", "kinesis", "log_group", "firehose", "glue_database", "glue_table" /
 * "ok", "create", "update", ... */
SL_EXPORT const char *sl_prov_kind_name(enum sl_prov_kind k);
SL_EXPORT const char *sl_prov_action_name(enum sl_prov_action a);

/* ------------------------------------------------------------------ desired state */

/* What the profile asks for, with everything derived from it: ARNs and the
 * three policy documents (exact JSON text, see policy.c). */
struct sl_prov_desired {
  const struct sl_profile *p;   /* borrowed, read-only */
  char region[64];              /* effective region (profile, environment or shared config) */
  char account[32];
  char partition[16];
  char bucket_arn[128];
  char role_name[65];           /* [role] name, or the default: <firehose>-<region>-firehose */
  char legacy_role[65];         /* with the default: the name sluice before 0.3.0 gave it */
  char role_arn[256];           /* arn:<partition>:iam::<account>:role/<name> */
  char kinesis_arn[512];        /* "" without [kinesis] */
  char kms_key_arn[2048];       /* "" unless SSE-KMS */
  char *trust_policy;           /* role trust policy */
  char *role_policy;            /* the inline least-privilege policy */
  char *bucket_policy;          /* deny non-TLS; NULL: no bucket policy (tls_only off) */
  int tls_only;                 /* the TLS-only statement is wanted */
  char tls_reason[64];          /* why, in words: "the S3 endpoint is http" */
  struct sl_headers bucket_tags; /* [aws] default_tags with [bucket] tags over them */
  struct sl_headers role_tags;  /* default_tags and SL_PROV_OWNER_TAG */
  struct sl_headers stream_tags; /* default_tags: the Kinesis and Firehose streams, the log group */
  char log_group_arn[800];      /* "" without cloudwatch_logging */
  char glue_table[520];         /* [athena]: "<database>.<table>", else "" */
  char glue_database_arn[400];  /* arn:<partition>:glue:<region>:<account>:database/<db> */
  char glue_table_arn[700];     /* ...:table/<db>/<table> */
};

/* region NULL = the profile's [aws] region. */
SL_EXPORT enum sl_result sl_prov_desired_init(struct sl_prov_desired *d, const struct sl_profile *p,
                                    const char *region, const char *account,
                                    struct sl_error *err);
SL_EXPORT void sl_prov_desired_cleanup(struct sl_prov_desired *d);

/* The default role name of a Firehose stream in a region (IAM roles are
 * global, so the region is in it): <firehose>-<region>-firehose, or, past
 * 64 characters, the stream name cut and a hash of it kept apart. */
SL_EXPORT void sl_prov_default_role_name(const char *firehose, const char *region, char *out,
                                         size_t outlen);
/* The transport's say (sl_profile_tls_only): with on = 0 the bucket gets no
 * policy (its one statement would deny every plain-http request), and an
 * existing one is drift like any other. why is kept for the reports. */
SL_EXPORT enum sl_result sl_prov_desired_set_tls(struct sl_prov_desired *d, int on, const char *why,
                                                 struct sl_error *err);

/* Policy documents, appended to out as compact JSON (exact bytes are part of
 * the contract and unit-tested). */
SL_EXPORT enum sl_result sl_policy_trust(const char *account, struct sl_buf *out);
SL_EXPORT enum sl_result sl_policy_delivery(const struct sl_prov_desired *d, struct sl_buf *out);
SL_EXPORT enum sl_result sl_policy_bucket_tls(const char *bucket_arn, struct sl_buf *out);
/* The literal part of a Firehose prefix: up to the first "!{" expression. */
SL_EXPORT size_t sl_prefix_literal_len(const char *prefix);

/* JSON compared the way IAM reads policies: object key order irrelevant,
 * a single value equals a one-element array, arrays are sets (order and
 * duplicates irrelevant), booleans and numbers equal their string form.
 * sl_json_canonical appends that canonical text to out. */
SL_EXPORT enum sl_result sl_json_canonical(const char *json, size_t len, struct sl_buf *out,
                                 struct sl_error *err);
/* 1 equal, 0 different (or either fails to parse). */
SL_EXPORT int sl_policy_equal(const char *a, const char *b);
/* What differs between two policy documents (either may be NULL: none), one
 * call of line per statement in canonical JSON: '-' only in before, '+' only
 * in after; a statement changed under the same Sid gives its '-' then its
 * '+'. Statements in both are not reported. */
SL_EXPORT enum sl_result sl_policy_diff(const char *before, const char *after,
                                        void (*line)(void *ud, char sign, const char *statement),
                                        void *ud, struct sl_error *err);

/* ------------------------------------------------------------------ actual state */

struct sl_prov_bucket_state {
  int exists;
  long head_status;             /* 200, 403, 404, 301 */
  char region[64];              /* from x-amz-bucket-region */
  /* BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets */
  int pab_found, pab[4];
  char sse[16];                 /* "AES256", "aws:kms", "" = none */
  char kms_key[2048];
  int bucket_key;
  char ownership[48];           /* "" = no ownership controls */
  char *policy;                 /* JSON, NULL = none */
  int lifecycle_found;
  int expire_days;              /* our one whole-bucket expiry rule; -1 = other rules */
  int results_expire_days;      /* our expiry rule on the Athena results prefix; 0 = none */
  struct sl_headers tags;       /* empty = none */
  long long objects;            /* destroy only: keys seen (stops counting at 1 page) */
};

struct sl_prov_role_state {
  int exists;
  char arn[2048];
  char *trust_policy;           /* decoded JSON */
  char *policy;                 /* our inline policy, NULL = none */
  struct sl_headers other_policies; /* inline policies besides ours: name = "" */
  struct sl_headers attached;   /* attached managed policies: ARN = policy name */
  char boundary[2048];          /* permissions boundary ARN, "" = none */
  struct sl_headers tags;       /* as IAM has them */
  int legacy_found;             /* missing, but a role of the pre-0.3.0 default name exists */
};

struct sl_prov_kinesis_state {
  int exists;
  char arn[2048];
  char status[32];
  int on_demand;
  int shards;                   /* open shards */
  int retention_hours;
  struct sl_headers tags;
};

/* The log group (and its one log stream) Firehose reports delivery errors to. */
struct sl_prov_logs_state {
  int exists;
  char arn[800];                /* logGroupArn, without the ":*" */
  int retention_days;           /* 0 = never expire */
  int stream_exists;            /* the profile's log_stream is in it */
  struct sl_headers tags;
};

struct sl_prov_firehose_state {
  int exists;
  char arn[2048];
  char status[32];
  char failure[512];            /* FailureDescription of CREATING_FAILED etc. */
  char version_id[32];
  int64_t created;              /* CreateTimestamp, seconds; INT64_MIN when not told */
  char destination_id[64];
  char type[32];                /* DirectPut | KinesisStreamAsSource */
  char kinesis_arn[512];
  char role_arn[2048];
  char bucket_arn[2048];
  char prefix[1025];
  char error_prefix[1025];
  int buffer_size_mb;
  int buffer_interval_s;
  char compression[16];
  int logging;
  char log_group[513];
  char log_stream[513];
  char kms_key_arn[2048];       /* "" = NoEncryption */
  struct sl_headers tags;
};

/* [athena]: the Glue database and the table over the delivered prefix. */
struct sl_prov_glue_database_state {
  int exists;
  char owner[200];              /* its SL_TABLE_OWNER_PARAM: the pipeline that created it */
};

struct sl_prov_glue_table_state {
  int exists;
  char *columns;                /* "name type, ..." as Glue has them, NULL when none */
  char location[1200];
  char partitions[300];         /* partition keys: "datehour string" */
  char serde[200];
  char *parameters;             /* the table properties sluice sets, "k=v\n" sorted; NULL when none */
};

struct sl_prov_state {
  struct sl_prov_bucket_state bucket;
  struct sl_prov_role_state role;
  struct sl_prov_kinesis_state kinesis;
  struct sl_prov_logs_state logs;
  struct sl_prov_firehose_state firehose;
  struct sl_prov_glue_database_state glue_database;
  struct sl_prov_glue_table_state glue_table;
};

SL_EXPORT void sl_prov_state_init(struct sl_prov_state *s);
SL_EXPORT void sl_prov_state_cleanup(struct sl_prov_state *s);

/* ------------------------------------------------------------------ plan */

#define SL_PROV_MAX_CHANGES 16

struct sl_prov_change {
  char field[40];               /* e.g. "buffer_size_mb" */
  char from[200];               /* as displayed: "5", "missing", "SSE-S3" */
  char to[200];
};

struct sl_prov_item {
  enum sl_prov_kind kind;
  int wanted;                   /* the profile describes it (kinesis: a [kinesis] section) */
  char name[520];               /* a log group name may be 512 long */
  enum sl_prov_action action;
  int nchanges;
  struct sl_prov_change changes[SL_PROV_MAX_CHANGES];
  char note[600];               /* why a replace, a failure reason, a status */
};

struct sl_prov_plan {
  struct sl_prov_item item[SL_PROV_NKINDS];
};

/* Pure: what apply has to do to turn `have` into `want`. No I/O. */
SL_EXPORT enum sl_result sl_prov_diff(const struct sl_prov_desired *want, const struct sl_prov_state *have,
                            struct sl_prov_plan *plan, struct sl_error *err);
/* Items needing create/update/replace. */
SL_EXPORT int sl_prov_plan_pending(const struct sl_prov_plan *plan);

/* ------------------------------------------------------------------ session */

struct sl_prov_options {
  int replace;                  /* allow delete + create for REPLACE items */
  int empty_bucket;             /* destroy: delete every object first */
  int wait_timeout_s;           /* bound on each wait for ACTIVE / gone; 0 = 600 */
  int dry_run;                  /* apply/destroy: plan only */
  /* Progress, one line per call that changes something ("CreateBucket"). */
  void (*on_step)(void *ud, enum sl_prov_kind kind, const char *name, const char *what);
  void *ud;
};
/* All off: no replace, no emptying, 600 s waits, no progress callback. */
SL_EXPORT void sl_prov_options_init(struct sl_prov_options *o);

/* A provisioning session. Opaque: read it through the accessors below. */
struct sl_prov;

/* Client from the profile (environment and AWS shared config fill what it
 * leaves open), caller's account (STS GetCallerIdentity), desired state.
 * The profile must outlive the session. *out is set also when opening
 * fails (NULL only when out of memory), so sl_prov_get_where can name what
 * failed; sl_prov_free it either way. */
SL_EXPORT enum sl_result sl_prov_new(struct sl_prov **out, const struct sl_profile *p,
                                     struct sl_error *err);
SL_EXPORT void sl_prov_free(struct sl_prov *s); /* NULL is fine */

/* What the session holds; valid until the next call that changes it. */
SL_EXPORT const struct sl_profile *sl_prov_get_profile(const struct sl_prov *s);
SL_EXPORT struct sl_client *sl_prov_get_client(struct sl_prov *s);
SL_EXPORT const struct sl_prov_desired *sl_prov_get_desired(const struct sl_prov *s);
/* The actual state last read, and the plan made from it. */
SL_EXPORT const struct sl_prov_state *sl_prov_get_state(const struct sl_prov *s);
SL_EXPORT const struct sl_prov_plan *sl_prov_get_plan(const struct sl_prov *s);
/* apply/destroy: the action carried out on a resource, and the changing
 * calls made for it (", "-separated, "" when none). */
SL_EXPORT enum sl_prov_action sl_prov_get_done(const struct sl_prov *s, enum sl_prov_kind k);
SL_EXPORT const char *sl_prov_get_calls(const struct sl_prov *s, enum sl_prov_kind k);
/* The resource the last error is about ("bucket NAME"), "" when none. */
SL_EXPORT const char *sl_prov_get_where(const struct sl_prov *s);

/* Reads the actual state of every resource (concurrently, one client per
 * resource); changes nothing. */
SL_EXPORT enum sl_result sl_prov_read(struct sl_prov *s, struct sl_error *err);
/* sl_prov_read then sl_prov_diff into s->plan. */
SL_EXPORT enum sl_result sl_prov_plan(struct sl_prov *s, struct sl_error *err);
/* Plans, then converges: bucket → role → kinesis → log group → firehose. s->done says
 * what was done; s->plan keeps what was found. A REPLACE without
 * opts->replace fails before any change. */
SL_EXPORT enum sl_result sl_prov_apply(struct sl_prov *s, const struct sl_prov_options *opts,
                             struct sl_error *err);
/* Deletes in reverse order (firehose → log group → kinesis → role
 * policies → role → bucket), waiting for each deletion; missing resources are fine. A
 * non-empty bucket is refused (before anything is deleted) unless
 * opts->empty_bucket. */
SL_EXPORT enum sl_result sl_prov_destroy(struct sl_prov *s, const struct sl_prov_options *opts,
                               struct sl_error *err);

/* ------------------------------------------------------------------ reports */

/* Outputs, as Terraform's: after sl_prov_read (or plan), each existing
 * resource's name and ARN appended to out as name = value, in a fixed
 * order (region, account, bucket, bucket_arn, role, role_arn,
 * kinesis_stream(_arn), firehose_stream(_arn), s3_prefix, s3_error_prefix
 * as the stream delivers, log_group, log_group_arn (when that group
 * exists), log_stream when it logs); each
 * resource the profile names that does not exist goes to missing as
 * kind = name. */
SL_EXPORT enum sl_result sl_prov_outputs(const struct sl_prov *s, struct sl_headers *out,
                                         struct sl_headers *missing);
/* The outputs as one JSON document: format_version, command "output",
 * profile, outputs {name: value}, missing [{type, name}]. */
SL_EXPORT enum sl_result sl_prov_outputs_json(const struct sl_prov *s,
                                              const struct sl_headers *outputs,
                                              const struct sl_headers *missing,
                                              struct sl_buf *out);

enum sl_prov_report_kind { SL_PROV_REPORT_PLAN, SL_PROV_REPORT_APPLY, SL_PROV_REPORT_DESTROY,
                           SL_PROV_REPORT_STATUS };
/* Human text (what the CLI prints) and JSON (--json) for a session after
 * plan/apply/destroy/read, appended to out. The JSON carries "error"
 * (resource, code, message, http_status, request_id) when err is given. */
SL_EXPORT enum sl_result sl_prov_report_text(const struct sl_prov *s, enum sl_prov_report_kind k,
                                   struct sl_buf *out);
SL_EXPORT enum sl_result sl_prov_report_json(const struct sl_prov *s, enum sl_prov_report_kind k,
                                   const struct sl_error *err, struct sl_buf *out);
/* The "error" object alone (resource may be NULL), for failures before a
 * session exists (a bad profile): {"command", "profile", "error": {...}}. */
SL_EXPORT enum sl_result sl_prov_error_json(const char *command, const char *profile,
                                  const char *resource, const struct sl_error *err,
                                  struct sl_buf *out);

#ifdef __cplusplus
}
#endif
#endif
