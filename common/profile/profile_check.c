/* profile_check.c — the checks on a whole profile once every line is read:
 * required keys by command, AWS naming rules, keys that only make sense
 * together, and the defaults derived from other keys. */
#include "common/profile/profile_check.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "common/profile/profile_athena.h"
#include "common/profile/profile_tls.h"

/* A role name from the stream name, within IAM's 64 characters: when the
 * plain form is too long, a hash keeps two long names from colliding. */
static void derive_role_name(struct sl_profile *p)
{
  const char *suffix = "-firehose";
  size_t n = strlen(p->firehose.name);
  if(n + strlen(suffix) <= 64) {
    memcpy(p->role.name, p->firehose.name, n);
    memcpy(p->role.name + n, suffix, strlen(suffix) + 1);
  }
  else {
    unsigned char md[32];
    char hex[9];
    unsigned int mdlen = 0;
    EVP_Digest(p->firehose.name, n, md, &mdlen, EVP_sha256(), NULL);
    sl_hex(md, 4, hex);
    snprintf(p->role.name, sizeof(p->role.name), "%.*s-%s%s", (int)(64 - 9 - 9 - 1),
             p->firehose.name, hex, suffix);
  }
  p->role.name_derived = 1;
}

/* CloudWatch Logs names: a group is 1-512 of letters, digits and _ - / . #;
 * a stream 1-512 characters without ':' or '*'. */
static void check_log_names(struct sl_profile_state *st)
{
  const struct sl_profile *p = st->p;
  const char *g = p->firehose.log_group, *t = p->firehose.log_stream;
  size_t i;
  int ok = 1;
  for(i = 0; g[i] && ok; i++)
    ok = isalnum((unsigned char)g[i]) || strchr("_-/.#", g[i]);
  if(g[0] && !ok)
    sl_profile_diag(st, sl_profile_key_line(st, "firehose", "log_group"), "firehose", "log_group",
                    "'%s' is not a valid log group name (1-512 characters: letters, digits and "
                    "_ - / . #)", g);
  if(t[0] && strpbrk(t, ":*"))
    sl_profile_diag(st, sl_profile_key_line(st, "firehose", "log_stream"), "firehose",
                    "log_stream", "'%s' is not a valid log stream name (no ':' or '*')", t);
  {
    /* CloudWatch Logs takes these retention periods only. */
    static const int days[] = { 0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
                                731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 };
    int line = sl_profile_key_line(st, "firehose", "log_retention_days");
    for(i = 0, ok = 0; i < sizeof(days) / sizeof(days[0]) && !ok; i++)
      ok = days[i] == p->firehose.log_retention_days;
    if(!ok)
      sl_profile_diag(st, line, "firehose", "log_retention_days",
                      "%d is not a CloudWatch Logs retention period (0 = never expire, 1, 3, 5, "
                      "7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, "
                      "2557, 2922, 3288, 3653)", p->firehose.log_retention_days);
    else if(line && !p->firehose.cloudwatch_logging)
      sl_profile_diag(st, line, "firehose", "log_retention_days",
                      "is only used with cloudwatch_logging = true");
  }
  if(!p->firehose.cloudwatch_logging && (g[0] || t[0]))
    sl_profile_diag(st, sl_profile_key_line(st, "firehose", g[0] ? "log_group" : "log_stream"),
                    "firehose", g[0] ? "log_group" : "log_stream",
                    "is only used with cloudwatch_logging = true");
}

void sl_profile_check(struct sl_profile_state *st)
{
  struct sl_profile *p = st->p;
  const char *why;
  st->checking = 1;
  if(!p->bucket.name[0]) {
    if((st->needs & SL_PROFILE_NEED_BUCKET) || st->section_line[1])
      sl_profile_required(st, st->section_line[1], "bucket", "name");
  }
  else if(!sl_valid_bucket_name(p->bucket.name, &why))
    sl_profile_diag(st, sl_profile_key_line(st, "bucket", "name"), "bucket", "name", "'%s' is not a valid S3 bucket "
         "name: it %s", p->bucket.name, why);
  p->bucket.tls_only_line = sl_profile_key_line(st, "bucket", "tls_only");
  if(p->bucket.tls_only == SL_TLS_ONLY_TRUE && !strncasecmp(p->aws.endpoint_url, "http://", 7)) {
    char msg[768];
    sl_profile_tls_conflict(p->aws.endpoint_url, msg, sizeof(msg));
    sl_profile_diag(st, p->bucket.tls_only_line, "bucket", "tls_only", "%s", msg);
  }
  if(p->bucket.encryption == SL_ENC_SSE_KMS && !p->bucket.kms_key_id[0])
    sl_profile_diag(st, sl_profile_key_line(st, "bucket", "encryption"), "bucket", "kms_key_id",
         "is required with encryption = SSE-KMS");
  if(p->bucket.encryption != SL_ENC_SSE_KMS && p->bucket.kms_key_id[0])
    sl_profile_diag(st, sl_profile_key_line(st, "bucket", "kms_key_id"), "bucket", "kms_key_id",
         "is only used with encryption = SSE-KMS");

  if(!p->firehose.name[0]) {
    if((st->needs & SL_PROFILE_NEED_FIREHOSE) || st->section_line[3] ||
       ((st->needs & SL_PROFILE_NEED_STREAM) && !p->kinesis.enabled))
      sl_profile_required(st, st->section_line[3], "firehose", "name");
  }
  else if(!sl_valid_firehose_name(p->firehose.name))
    sl_profile_diag(st, sl_profile_key_line(st, "firehose", "name"), "firehose", "name", "'%s' is not a valid delivery "
         "stream name (1-64 characters: letters, digits, '_', '.', '-')", p->firehose.name);
  if(!sl_valid_prefixes(p->firehose.prefix, p->firehose.error_prefix, &why))
    sl_profile_diag(st, sl_profile_key_line(st, "firehose", strstr(why, "error_prefix") == why ? "error_prefix" :
                                      "prefix"),
         "firehose", strstr(why, "error_prefix") == why ? "error_prefix" : "prefix", "%s", why);
  if(p->firehose.prefix[0] == '/')
    sl_profile_diag(st, sl_profile_key_line(st, "firehose", "prefix"), "firehose", "prefix",
         "must not start with '/' (S3 keys would begin with an empty folder)");

  if(p->role.name[0] && !sl_valid_role_name(p->role.name))
    sl_profile_diag(st, sl_profile_key_line(st, "role", "name"), "role", "name", "'%s' is not a valid IAM role name "
         "(1-64 characters: letters, digits and _+=,.@-)", p->role.name);
  else if(!p->role.name[0] && p->firehose.name[0] && sl_valid_firehose_name(p->firehose.name))
    derive_role_name(p);
  if(p->role.permissions_boundary[0] && !sl_valid_policy_arn(p->role.permissions_boundary))
    sl_profile_diag(st, sl_profile_key_line(st, "role", "permissions_boundary"), "role", "permissions_boundary",
         "'%s' is not a managed policy ARN (arn:aws:iam::<account or aws>:policy/<name>)",
         p->role.permissions_boundary);

  if(!p->kinesis.enabled && (st->needs & SL_PROFILE_NEED_KINESIS))
    sl_profile_required(st, 0, "kinesis", "name");
  if(p->firehose.source == SL_SOURCE_KINESIS && !p->kinesis.enabled)
    sl_profile_diag(st, sl_profile_key_line(st, "firehose", "source"), "firehose", "source",
         "kinesis needs a [kinesis] section naming the source stream");
  if(p->kinesis.enabled) {
    if(!p->kinesis.name[0])
      sl_profile_required(st, st->section_line[4], "kinesis", "name");
    else if(!sl_valid_kinesis_name(p->kinesis.name))
      sl_profile_diag(st, sl_profile_key_line(st, "kinesis", "name"), "kinesis", "name", "'%s' is not a valid stream "
           "name (1-128 characters: letters, digits, '_', '.', '-')", p->kinesis.name);
    if(p->kinesis.on_demand && sl_profile_key_line(st, "kinesis", "shards"))
      sl_profile_diag(st, sl_profile_key_line(st, "kinesis", "shards"), "kinesis", "shards",
           "is only used with mode = provisioned");
  }
  if(p->aws.static_access_key_id[0] != 0 && !p->aws.static_secret_access_key[0])
    sl_profile_diag(st, sl_profile_key_line(st, "aws", "access_key_id"), "aws", "secret_access_key",
         "is required with access_key_id");
  if(!p->aws.static_access_key_id[0] && p->aws.static_secret_access_key[0])
    sl_profile_diag(st, sl_profile_key_line(st, "aws", "secret_access_key"), "aws", "access_key_id",
         "is required with secret_access_key");
  if(p->aws.static_session_token && !p->aws.static_access_key_id[0])
    sl_profile_diag(st, sl_profile_key_line(st, "aws", "session_token"), "aws", "access_key_id",
         "is required with session_token");
  check_log_names(st);
  sl_profile_check_athena(st);
  /* The role carries sluice's own tag too, within IAM's 50. */
  if(p->default_tags.n > 49)
    sl_profile_diag(st, sl_profile_key_line(st, "aws", "default_tags"), "aws", "default_tags",
                    "more than 49 tags (the role also carries %s)", "sluice:pipeline");
  if(p->firehose.cloudwatch_logging && p->firehose.name[0]) {
    if(!p->firehose.log_group[0])
      snprintf(p->firehose.log_group, sizeof(p->firehose.log_group), "/aws/kinesisfirehose/%s",
               p->firehose.name);
    if(!p->firehose.log_stream[0])
      snprintf(p->firehose.log_stream, sizeof(p->firehose.log_stream), "DestinationDelivery");
  }
}

