/* sluice — the INI profile that describes one pipeline: AWS settings,
 * bucket, role, optional Kinesis source stream, Firehose stream, retries.
 * Parsed once, validated up front, then passed down read-only. */
#ifndef SLUICE_PROFILE_H
#define SLUICE_PROFILE_H

#include "export.h"

#include "buf.h"
#include "config.h"

#ifdef __cplusplus
extern "C" {
#endif

enum sl_encryption { SL_ENC_SSE_S3 = 0, SL_ENC_SSE_KMS };
enum sl_source { SL_SOURCE_DIRECT = 0, SL_SOURCE_KINESIS };
/* [bucket] tls_only: auto follows the S3 endpoint in effect (on for https). */
enum sl_tls_only { SL_TLS_ONLY_AUTO = 0, SL_TLS_ONLY_TRUE, SL_TLS_ONLY_FALSE };

struct sl_profile {
  char path[1024];
  struct sl_aws_config aws;      /* [aws]: region, profile, endpoint_url, max_attempts, keys */
  struct sl_headers default_tags; /* [aws] default_tags: on every resource (Terraform's) */

  struct {
    char name[64];
    enum sl_encryption encryption;
    char kms_key_id[2048];
    int block_public_access;     /* default 1 */
    int expire_after_days;       /* 0 = no lifecycle rule */
    struct sl_headers tags;      /* key = value pairs, in profile order */
    enum sl_tls_only tls_only;   /* the bucket policy's deny-non-TLS statement */
    int tls_only_line;           /* where tls_only was set, 0 = not set */
  } bucket;

  struct {
    char name[65];               /* default derived from the stream name */
    int name_derived;
    char permissions_boundary[2048]; /* managed policy ARN, "" = none */
  } role;

  struct {
    char name[65];
    enum sl_source source;
    char prefix[1025];
    char error_prefix[1025];
    int buffer_size_mb;          /* 1..128, default 5 */
    int buffer_interval_s;       /* 0..900, default 300 */
    char compression[16];        /* UNCOMPRESSED | GZIP | ZIP | Snappy | HADOOP_SNAPPY */
    int cloudwatch_logging;
    char log_group[513];         /* default /aws/kinesisfirehose/<name> */
    char log_stream[513];        /* default DestinationDelivery */
    int log_retention_days;      /* the log group's retention, default 14; 0 = never expire */
  } firehose;

  struct {
    int enabled;                 /* a [kinesis] section is present */
    char name[129];
    int on_demand;
    int shards;                  /* provisioned mode, default 1 */
    int retention_hours;         /* 24..8760, default 24 */
    long max_request_bytes;      /* PutRecords bound: 5 MiB default, up to 10 MiB */
  } kinesis;

  struct {
    int create_attempts;         /* default 10 */
    int create_delay_s;          /* default 4 */
  } retry;

  struct {
    int aggregate;               /* enum sl_aggregate, default SL_AGGREGATE_OFF */
  } send;

  /* [athena]: the Glue table over the delivered prefix (sluice/table.h). */
  struct {
    int enabled;                 /* an [athena] section is present */
    char database[256];          /* Glue database, created when missing */
    char table[256];             /* default: the stream name, '-' and '.' as '_' */
    char columns[8192];          /* "name:type, ..." in Athena (Hive DDL) types */
    char partition_column[128];  /* default by the time unit: datehour, day, month, ... */
    char results[1100];          /* s3:// URI for query results, default s3://<bucket>/athena-results/ */
    int results_expire_days;     /* the results prefix's lifecycle expiry, default 7; 0 = none */
    char workgroup[129];         /* default primary */
  } athena;
};
/* [send] aggregate: auto = on when records end in newlines (--delimiter
 * newline, the default). */
enum sl_aggregate { SL_AGGREGATE_OFF, SL_AGGREGATE_ON, SL_AGGREGATE_AUTO };

SL_EXPORT void sl_profile_init(struct sl_profile *p);
SL_EXPORT void sl_profile_cleanup(struct sl_profile *p);

/* Parses and validates. Every problem is reported as
 * "FILE:LINE: [section] key: what is wrong"; err gets the first one and
 * diagnostics (when not NULL) all of them, one per line. ${VAR} and
 * ${VAR:-default} expand from the environment; $$ is a literal '$'. */
SL_EXPORT enum sl_result sl_profile_load(const char *path, struct sl_profile *p,
                               struct sl_buf *diagnostics, struct sl_error *err);
/* The same from a string; name is used in messages in place of a path. */
SL_EXPORT enum sl_result sl_profile_parse(const char *name, const char *text, struct sl_profile *p,
                                struct sl_buf *diagnostics, struct sl_error *err);

/* What a command needs from a profile, for sl_profile_parse_for: each key
 * it needs and the profile lacks is "FILE:LINE: [section] name: is
 * required by COMMAND". What is there is always checked. */
#define SL_PROFILE_NEED_BUCKET   0x1u  /* [bucket] name */
#define SL_PROFILE_NEED_FIREHOSE 0x2u  /* [firehose] name */
#define SL_PROFILE_NEED_KINESIS  0x4u  /* [kinesis] name */
#define SL_PROFILE_NEED_STREAM   0x8u  /* [firehose] name or [kinesis] name */
#define SL_PROFILE_NEED_PIPELINE (SL_PROFILE_NEED_BUCKET | SL_PROFILE_NEED_FIREHOSE)
/* As sl_profile_load / sl_profile_parse (which need the whole pipeline),
 * for a command that needs only part of it; command ("provision send")
 * is named in the messages. */
SL_EXPORT enum sl_result sl_profile_load_for(const char *path, unsigned needs,
                                             const char *command, struct sl_profile *p,
                                             struct sl_buf *diagnostics, struct sl_error *err);
SL_EXPORT enum sl_result sl_profile_parse_for(const char *name, const char *text, unsigned needs,
                                              const char *command, struct sl_profile *p,
                                              struct sl_buf *diagnostics,
                                              struct sl_error *err);

/* Name rules, exposed for tests and other callers. 1 = valid. */
/* Whether the bucket policy carries the TLS-only statement with the
 * settings in effect (cfg: the resolved config): *on, and *why in words
 * ("the S3 endpoint is http", "tls_only = false"). tls_only = true with a
 * plain-http S3 endpoint is SL_E_CONFIG naming the profile file and line:
 * the statement would deny sluice's own requests. */
SL_EXPORT enum sl_result sl_profile_tls_only(const struct sl_profile *p,
                                             const struct sl_aws_config *cfg, int *on,
                                             const char **why, struct sl_error *err);
SL_EXPORT int sl_valid_bucket_name(const char *s, const char **why);
SL_EXPORT int sl_valid_role_name(const char *s);
SL_EXPORT int sl_valid_policy_arn(const char *s); /* an IAM managed policy ARN */
SL_EXPORT int sl_valid_firehose_name(const char *s);
SL_EXPORT int sl_valid_kinesis_name(const char *s);
/* Checks a Firehose prefix pair the way the service does; 1 = valid. */
SL_EXPORT int sl_valid_prefixes(const char *prefix, const char *error_prefix, const char **why);

#ifdef __cplusplus
}
#endif
#endif
