/* sluice — AWS client configuration: region, endpoints, attempts, timeouts.
 * Filled once (from the sluice profile, the environment and the AWS shared
 * config), validated, then passed down read-only. */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include "export.h"

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

enum sl_service {
  SL_SVC_S3 = 0,
  SL_SVC_IAM,
  SL_SVC_STS,
  SL_SVC_FIREHOSE,
  SL_SVC_KINESIS,
  SL_SVC_LOGS,      /* CloudWatch Logs: the log group Firehose reports delivery errors to */
  SL_SVC_GLUE,      /* the Glue Data Catalog: the Athena table over the delivered prefix */
  SL_SVC_ATHENA,
  SL_SVC_COUNT
};
SL_EXPORT const char *sl_service_name(enum sl_service s);      /* signing name: "s3", "iam", "sts", "firehose", "kinesis", "logs", "glue", "athena" */
SL_EXPORT const char *sl_service_env_suffix(enum sl_service s); /* "S3", "IAM", ... "CLOUDWATCH_LOGS" for AWS_ENDPOINT_URL_<X> */

struct sl_aws_config {
  char region[64];
  char profile[128];                      /* AWS shared-config profile for credentials */
  char endpoint_url[512];                 /* global override, "" = none */
  char service_endpoint[SL_SVC_COUNT][512]; /* per-service override, "" = none */
  int max_attempts;                       /* 0 = not set: sl_aws_config_max_attempts() gives 3 */
  long connect_timeout_ms;
  long timeout_ms;                        /* whole request */
  long low_speed_bytes;                   /* slower (bytes/s) over low_speed_time_s fails a try; */
  int low_speed_time_s;                   /* 0 = 1024 over 15 s; bytes < 0 = off (sl_http_options) */
  char ca_bundle[1024];                   /* AWS_CA_BUNDLE, "" = system */
  int allow_plain_http;                   /* http:// to a non-loopback host */
  int s3_force_path_style;
  /* Explicit keys from the sluice profile (the replaced libraries allowed it). */
  char static_access_key_id[128];
  char static_secret_access_key[128];
  char *static_session_token;             /* owned; freed by sl_aws_config_cleanup */
};

/* Defaults: max_attempts unset (3), connect 3 s, total 60 s. */
SL_EXPORT void sl_aws_config_init(struct sl_aws_config *c);
SL_EXPORT void sl_aws_config_cleanup(struct sl_aws_config *c);
/* Fills what is still empty from the environment: AWS_REGION,
 * AWS_DEFAULT_REGION, AWS_PROFILE, AWS_ENDPOINT_URL[_<SVC>],
 * AWS_MAX_ATTEMPTS, AWS_CA_BUNDLE. Values already set (from a profile or
 * command line) win; an endpoint already set outranks every configured
 * one, and AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true skips the endpoint
 * variables, as in the AWS CLI. Bad values give SL_E_CONFIG naming the
 * variable. */
SL_EXPORT enum sl_result sl_aws_config_from_env(struct sl_aws_config *c, struct sl_error *err);
/* Fills region, max_attempts, endpoints and ca_bundle from the AWS shared
 * config file's profile section when still empty. Endpoints, only when
 * none came from above: the `services = NAME` section's
 * "<service>.endpoint_url" sub-keys, then the profile's endpoint_url
 * (none with ignore_configured_endpoint_urls = true). */
SL_EXPORT enum sl_result sl_aws_config_from_shared(struct sl_aws_config *c, struct sl_error *err);

/* Sets one setting as a command-line option does: key is "region",
 * "profile", "endpoint_url" (which also replaces every per-service
 * endpoint), "max_attempts" or "ca_bundle"; the value is checked as the
 * profile's would be. from ("--region") names it in errors and, when not
 * NULL, in the -v line that tells where each setting came from. */
SL_EXPORT enum sl_result sl_aws_config_set(struct sl_aws_config *c, const char *key,
                                           const char *value, const char *from,
                                           struct sl_error *err);

/* A deep copy (the session token is the one member on the heap); dst is
 * overwritten and must be cleaned up. */
SL_EXPORT enum sl_result sl_aws_config_copy(struct sl_aws_config *dst, const struct sl_aws_config *src,
                                  struct sl_error *err);
/* The settings a command runs with: a copy of the profile's [aws] section,
 * then what is still unset from the environment, then from the AWS shared
 * config; a region is required. On failure dst needs no cleanup. */
SL_EXPORT enum sl_result sl_aws_config_resolve(struct sl_aws_config *dst, const struct sl_aws_config *profile,
                                     struct sl_error *err);

/* The one call for a program without a sluice profile: defaults, then the
 * environment, then the AWS shared config, as sl_aws_config_resolve does;
 * a region is required. c is ready for sl_client_new; on failure it needs
 * no cleanup. */
SL_EXPORT enum sl_result sl_aws_config_load(struct sl_aws_config *c, struct sl_error *err);

/* The effective attempt count: max_attempts, or 3 when not set. */
SL_EXPORT int sl_aws_config_max_attempts(const struct sl_aws_config *c);

/* Where to send a request and how to sign it. */
struct sl_endpoint {
  char base_url[640];      /* scheme://host[:port][/base-path] without trailing slash */
  char host[300];          /* Host header value (with :port when not default) */
  char signing_region[64];
  const char *signing_name;
  int path_style;          /* S3: bucket in the path (1) or in the host (0) */
  int is_https;
};

SL_EXPORT const char *sl_partition_of(const char *region); /* "aws", "aws-cn", "aws-us-gov" */
SL_EXPORT const char *sl_dns_suffix(const char *partition); /* "amazonaws.com", "amazonaws.com.cn" */

/* Resolves the endpoint for a service; for S3 pass the bucket (or NULL) so
 * addressing style can be chosen. Refuses http:// to a non-loopback host
 * unless allow_plain_http. */
SL_EXPORT enum sl_result sl_endpoint_resolve(const struct sl_aws_config *c, enum sl_service svc,
                                   const char *bucket, struct sl_endpoint *out,
                                   struct sl_error *err);

/* 1 when host (no port) is 127.0.0.0/8, ::1 or "localhost". */
SL_EXPORT int sl_host_is_loopback(const char *host);

/* 1 when a command-line argument ("--secret-access-key", "--session-token=x",
 * "--aws_access_key_id", ...) names a credential. The CLIs refuse those:
 * a command line is readable by every user of the machine (ps, /proc). */
SL_EXPORT int sl_config_is_credential_option(const char *arg);
#define SL_CREDENTIAL_OPTION_HINT \
  "credentials are never taken on the command line, where other users can read them; " \
  "use the profile's [aws] section, the AWS_* environment variables or ~/.aws/credentials"

#ifdef __cplusplus
}
#endif
#endif
