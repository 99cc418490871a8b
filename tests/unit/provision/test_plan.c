/* test_plan.c — the plan is a pure diff of desired against actual state:
 * which action each resource gets, the exact field-level changes, and the
 * exact text a person reads. No network. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice/provision.h"
#include "provision/engine/provision_internal.h"
#include "provision/engine/glue.h"

#define ACCOUNT "000000000000"

static const char profile_text[] =
  "[aws]\nregion = us-east-1\n"
  "[bucket]\nname = plan-logs\nexpire_after_days = 7\ntags = project=sluice, env=test\n"
  "[role]\nname = plan-role\n"
  "[firehose]\nname = plan-stream\nsource = kinesis\nprefix = logs/\n"
  "error_prefix = errors/!{firehose:error-output-type}/\nbuffer_size_mb = 64\n"
  "buffer_interval_s = 60\ncompression = GZIP\n"
  "cloudwatch_logging = true\nlog_retention_days = 30\n"
  "[kinesis]\nname = plan-source\nshards = 2\nretention_hours = 48\n"
  "[athena]\ndatabase = audit\ncolumns = ts:string, status:int\n";

static struct sl_profile profile;
static struct sl_prov_desired want;

static int setup(void)
{
  struct sl_error err;
  sl_error_clear(&err);
  sl_profile_init(&profile);
  if(sl_profile_parse("plan.ini", profile_text, &profile, NULL, &err) ||
     sl_prov_desired_init(&want, &profile, NULL, ACCOUNT, &err)) {
    fprintf(stderr, "setup: %s\n", err.message);
    return 1;
  }
  return 0;
}

static int teardown(void)
{
  sl_prov_desired_cleanup(&want);
  sl_profile_cleanup(&profile);
  return 0;
}

/* The actual state of a pipeline exactly as the profile wants it, with
 * documents re-ordered and re-spaced the way services hand them back. */
static void in_sync(struct sl_prov_state *s)
{
  int i;
  sl_prov_state_init(s);
  s->bucket.exists = 1;
  s->bucket.head_status = 200;
  s->bucket.pab_found = 1;
  for(i = 0; i < 4; i++)
    s->bucket.pab[i] = 1;
  strcpy(s->bucket.sse, "AES256");
  strcpy(s->bucket.ownership, "BucketOwnerEnforced");
  s->bucket.policy = strdup(
    "{\"Statement\": [{\"Condition\": {\"Bool\": {\"aws:SecureTransport\": false}},"
    " \"Resource\": [\"arn:aws:s3:::plan-logs/*\", \"arn:aws:s3:::plan-logs\"],"
    " \"Action\": [\"s3:*\"], \"Principal\": \"*\", \"Effect\": \"Deny\","
    " \"Sid\": \"DenyInsecureTransport\"}], \"Version\": \"2012-10-17\"}");
  s->bucket.lifecycle_found = 1;
  s->bucket.expire_days = 7;
  s->bucket.results_expire_days = 7;
  sl_headers_add(&s->bucket.tags, "env", "test");
  sl_headers_add(&s->bucket.tags, "project", "sluice");

  s->role.exists = 1;
  strcpy(s->role.arn, "arn:aws:iam::" ACCOUNT ":role/plan-role");
  s->role.trust_policy = strdup(
    "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":"
    "{\"Service\":[\"firehose.amazonaws.com\"]},\"Action\":[\"sts:AssumeRole\"],\"Condition\":"
    "{\"StringEquals\":{\"sts:ExternalId\":[\"" ACCOUNT "\"]}}}}");
  s->role.policy = strdup(want.role_policy);
  {
    char owner[200];
    snprintf(owner, sizeof(owner), "%s/plan-stream", want.region);
    sl_headers_add(&s->role.tags, SL_PROV_OWNER_TAG, owner);
  }

  s->kinesis.exists = 1;
  strcpy(s->kinesis.arn, want.kinesis_arn);
  strcpy(s->kinesis.status, "ACTIVE");
  s->kinesis.shards = 2;
  s->kinesis.retention_hours = 48;

  s->firehose.exists = 1;
  strcpy(s->firehose.status, "ACTIVE");
  strcpy(s->firehose.type, "KinesisStreamAsSource");
  strcpy(s->firehose.kinesis_arn, want.kinesis_arn);
  strcpy(s->firehose.role_arn, want.role_arn);
  strcpy(s->firehose.bucket_arn, want.bucket_arn);
  strcpy(s->firehose.prefix, "logs/");
  strcpy(s->firehose.error_prefix, "errors/!{firehose:error-output-type}/");
  s->firehose.buffer_size_mb = 64;
  s->firehose.buffer_interval_s = 60;
  strcpy(s->firehose.compression, "GZIP");
  strcpy(s->firehose.version_id, "3");
  s->firehose.logging = 1;
  strcpy(s->firehose.log_group, "/aws/kinesisfirehose/plan-stream");
  strcpy(s->firehose.log_stream, "DestinationDelivery");
  s->firehose.created = 1796639400; /* 2026-12-07T10:30:00Z */

  s->glue_database.exists = 1;
  snprintf(s->glue_database.owner, sizeof(s->glue_database.owner), "%s/plan-stream", want.region);
  s->glue_table.exists = 1;
  strcpy(s->glue_table.location, "s3://plan-logs/logs/");
  strcpy(s->glue_table.partitions, "datehour string");
  strcpy(s->glue_table.serde, "org.openx.data.jsonserde.JsonSerDe");
  s->glue_table.columns = strdup("ts\tstring\nstatus\tint\n");
  s->glue_table.parameters = strdup(
    "EXTERNAL\tTRUE\nclassification\tjson\ncompressionType\tgzip\n"
    "projection.datehour.format\tyyyy/MM/dd/HH\nprojection.datehour.interval\t1\n"
    "projection.datehour.interval.unit\tHOURS\nprojection.datehour.range\t2026/12/07/00,NOW\n"
    "projection.datehour.type\tdate\nprojection.enabled\ttrue\n"
    "storage.location.template\ts3://plan-logs/logs/${datehour}/\n");

  s->logs.exists = 1;
  strcpy(s->logs.arn, want.log_group_arn);
  s->logs.retention_days = 30;
  s->logs.stream_exists = 1;
}

static void check_change(const struct sl_prov_item *it, int i, const char *field,
                         const char *from, const char *to)
{
  CU_ASSERT_FATAL(i < it->nchanges);
  CU_ASSERT_STRING_EQUAL(it->changes[i].field, field);
  CU_ASSERT_STRING_EQUAL(it->changes[i].from, from);
  CU_ASSERT_STRING_EQUAL(it->changes[i].to, to);
}

static void test_nothing_exists(void)
{
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  int k;
  sl_prov_state_init(&s);
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  for(k = 0; k < SL_PROV_NKINDS; k++) {
    CU_ASSERT_EQUAL(plan.item[k].action, SL_PROV_CREATE);
    CU_ASSERT_EQUAL(plan.item[k].nchanges, 0);
    CU_ASSERT_TRUE(plan.item[k].wanted);
  }
  CU_ASSERT_STRING_EQUAL(plan.item[SL_PROV_KINESIS].name, "plan-source");
  CU_ASSERT_STRING_EQUAL(plan.item[SL_PROV_LOGS].name, "/aws/kinesisfirehose/plan-stream");
  CU_ASSERT_STRING_EQUAL(want.log_group_arn,
                         "arn:aws:logs:us-east-1:" ACCOUNT ":log-group:/aws/kinesisfirehose/plan-stream");
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&plan), 7);
  CU_ASSERT_STRING_EQUAL(plan.item[SL_PROV_GLUE_TABLE].name, "audit.plan_stream");
  CU_ASSERT_STRING_EQUAL(want.glue_table_arn, "arn:aws:glue:us-east-1:" ACCOUNT ":table/audit/plan_stream");
  sl_prov_state_cleanup(&s);
}

static void test_in_sync(void)
{
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  int k;
  in_sync(&s);
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  for(k = 0; k < SL_PROV_NKINDS; k++) {
    if(plan.item[k].nchanges)
      fprintf(stderr, "%s: %s %s -> %s\n", plan.item[k].name, plan.item[k].changes[0].field,
              plan.item[k].changes[0].from, plan.item[k].changes[0].to);
    CU_ASSERT_EQUAL(plan.item[k].action, SL_PROV_OK);
    CU_ASSERT_EQUAL(plan.item[k].nchanges, 0);
  }
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&plan), 0);
  sl_prov_state_cleanup(&s);
}

static void test_bucket_drift(void)
{
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  const struct sl_prov_item *it = &plan.item[SL_PROV_BUCKET];
  in_sync(&s);
  s.bucket.pab_found = 0;
  strcpy(s.bucket.sse, "aws:kms");
  strcpy(s.bucket.kms_key, "arn:aws:kms:us-east-1:1:key/x");
  s.bucket.ownership[0] = 0;
  free(s.bucket.policy);
  s.bucket.policy = strdup("{\"Version\":\"2012-10-17\",\"Statement\":[]}");
  s.bucket.expire_days = -1;
  sl_headers_cleanup(&s.bucket.tags);
  sl_headers_add(&s.bucket.tags, "env", "prod");
  sl_headers_add(&s.bucket.tags, "project", "sluice");
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_UPDATE);
  CU_ASSERT_EQUAL(it->nchanges, 6);
  check_change(it, 0, "block_public_access", "missing", "on");
  check_change(it, 1, "encryption", "SSE-KMS arn:aws:kms:us-east-1:1:key/x", "SSE-S3");
  check_change(it, 2, "object_ownership", "missing", "BucketOwnerEnforced");
  check_change(it, 3, "bucket_policy", "differs", "deny non-TLS");
  check_change(it, 4, "lifecycle", "other rules",
               "expire after 7 days, athena-results/ after 7 days");
  check_change(it, 5, "tags", "env=prod, project=sluice", "project=sluice, env=test");
  CU_ASSERT_EQUAL(plan.item[SL_PROV_ROLE].action, SL_PROV_OK);
  sl_prov_state_cleanup(&s);
}

static void test_role_drift(void)
{
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  const struct sl_prov_item *it = &plan.item[SL_PROV_ROLE];
  in_sync(&s);
  /* One action more than least privilege is a real difference. */
  free(s.role.policy);
  s.role.policy = strdup("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                         "\"Action\":\"s3:*\",\"Resource\":\"*\"}]}");
  free(s.role.trust_policy);
  s.role.trust_policy = NULL;
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_UPDATE);
  CU_ASSERT_EQUAL(it->nchanges, 2);
  check_change(it, 0, "trust_policy", "missing",
               "firehose.amazonaws.com with ExternalId " ACCOUNT);
  check_change(it, 1, "inline_policy", "differs", "sluice-delivery (least privilege)");
  sl_prov_state_cleanup(&s);
}

static void test_kinesis_drift(void)
{
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  const struct sl_prov_item *it = &plan.item[SL_PROV_KINESIS];
  in_sync(&s);
  s.kinesis.shards = 1;
  s.kinesis.retention_hours = 24;
  strcpy(s.kinesis.status, "UPDATING");
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_UPDATE);
  CU_ASSERT_EQUAL(it->nchanges, 2);
  check_change(it, 0, "shards", "1", "2");
  check_change(it, 1, "retention_hours", "24", "48");
  CU_ASSERT_STRING_EQUAL(it->note, "status UPDATING");
  /* A stream being deleted is created again once it is gone. */
  strcpy(s.kinesis.status, "DELETING");
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_CREATE);
  sl_prov_state_cleanup(&s);
}

static void test_logs_drift(void)
{
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  const struct sl_prov_item *it = &plan.item[SL_PROV_LOGS];
  in_sync(&s);
  s.logs.retention_days = 0;
  s.logs.stream_exists = 0;
  sl_headers_add(&s.logs.tags, "owner", "someone");
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_UPDATE);
  CU_ASSERT_EQUAL(it->nchanges, 3);
  check_change(it, 0, "retention_days", "never expire", "30");
  check_change(it, 1, "log_stream", "missing", "DestinationDelivery");
  check_change(it, 2, "tags", "owner=someone", "none");
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&plan), 1);
  sl_prov_state_cleanup(&s);
}

/* Without cloudwatch_logging there is no log group to want, read or show. */
static void test_logs_unwanted(void)
{
  struct sl_profile p;
  struct sl_prov_desired d;
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  struct sl_error err;
  sl_error_clear(&err);
  sl_profile_init(&p);
  CU_ASSERT_EQUAL_FATAL(sl_profile_parse("p.ini", "[aws]\nregion = us-east-1\n[bucket]\n"
                                         "name = plan-logs\n[firehose]\nname = plain\n",
                                         &p, NULL, &err), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_prov_desired_init(&d, &p, NULL, ACCOUNT, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(d.log_group_arn, "");
  CU_ASSERT_PTR_NULL(strstr(d.role_policy, "logs:"));
  sl_prov_state_init(&s);
  CU_ASSERT_EQUAL(sl_prov_diff(&d, &s, &plan, NULL), SL_OK);
  CU_ASSERT_FALSE(plan.item[SL_PROV_LOGS].wanted);
  CU_ASSERT_EQUAL(plan.item[SL_PROV_LOGS].action, SL_PROV_OK);
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&plan), 3);
  sl_prov_state_cleanup(&s);
  sl_prov_desired_cleanup(&d);
  sl_profile_cleanup(&p);
}

static void test_firehose_update(void)
{
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  const struct sl_prov_item *it = &plan.item[SL_PROV_FIREHOSE];
  in_sync(&s);
  s.firehose.buffer_size_mb = 5;
  strcpy(s.firehose.compression, "UNCOMPRESSED");
  strcpy(s.firehose.prefix, "old/");
  s.firehose.error_prefix[0] = 0;
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_UPDATE);
  CU_ASSERT_EQUAL(it->nchanges, 4);
  check_change(it, 0, "prefix", "old/", "logs/");
  check_change(it, 1, "error_prefix", "none", "errors/!{firehose:error-output-type}/");
  check_change(it, 2, "buffer_size_mb", "5", "64");
  check_change(it, 3, "compression", "UNCOMPRESSED", "GZIP");
  sl_prov_state_cleanup(&s);
}

static void test_firehose_replace(void)
{
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  const struct sl_prov_item *it = &plan.item[SL_PROV_FIREHOSE];
  in_sync(&s);
  strcpy(s.firehose.type, "DirectPut");
  s.firehose.kinesis_arn[0] = 0;
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_REPLACE);
  CU_ASSERT_EQUAL(it->nchanges, 1);
  check_change(it, 0, "source", "DirectPut", "KinesisStreamAsSource");
  CU_ASSERT_STRING_EQUAL(it->note, "the source cannot change in place");

  sl_prov_state_cleanup(&s);
  in_sync(&s);
  strcpy(s.firehose.kinesis_arn, "arn:aws:kinesis:us-east-1:" ACCOUNT ":stream/other");
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_REPLACE);
  check_change(it, 0, "kinesis_stream", "arn:aws:kinesis:us-east-1:" ACCOUNT ":stream/other",
               want.kinesis_arn);

  sl_prov_state_cleanup(&s);
  in_sync(&s);
  strcpy(s.firehose.status, "CREATING_FAILED");
  strcpy(s.firehose.failure, "RETIRE_KMS_GRANT_FAILED: grant gone");
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_REPLACE);
  CU_ASSERT_EQUAL(it->nchanges, 0);
  CU_ASSERT_STRING_EQUAL(it->note, "CREATING_FAILED: RETIRE_KMS_GRANT_FAILED: grant gone");
  sl_prov_state_cleanup(&s);
}

/* What `provision plan` prints for a drifted pipeline, byte for byte. */
static void test_plan_text(void)
{
  struct sl_prov sess;
  struct sl_buf out;
  memset(&sess, 0, sizeof(sess));
  sess.profile = &profile;
  sess.want = want;
  in_sync(&sess.have);
  sess.have.firehose.buffer_size_mb = 5;
  sess.have.kinesis.exists = 0;
  free(sess.have.glue_table.columns);
  sess.have.glue_table.columns = strdup("ts\tstring\nstatus\tbigint\n");
  CU_ASSERT_EQUAL(sl_prov_diff(&sess.want, &sess.have, &sess.plan, NULL), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&out, 65536), SL_OK);
  CU_ASSERT_EQUAL(sl_prov_report_text(&sess, SL_PROV_REPORT_PLAN, &out), SL_OK);
  CU_ASSERT_STRING_EQUAL(out.data,
    "= bucket plan-logs: ok\n"
    "= role plan-role: ok\n"
    "+ kinesis plan-source: create\n"
    "= log_group /aws/kinesisfirehose/plan-stream: ok\n"
    "~ firehose plan-stream: update\n"
    "    ~ buffer_size_mb: 5 -> 64\n"
    "= glue_database audit: ok\n"
    "~ glue_table audit.plan_stream: update\n"
    "    ~ column status: bigint -> int\n"
    "plan: 1 to create, 2 to update, 0 to replace, 4 ok\n");
  sl_buf_cleanup(&out);
  sl_prov_state_cleanup(&sess.have);
}

/* Over a plain-http S3 endpoint the TLS-only statement is left out: no
 * bucket policy is wanted, the one sluice put there is drift, and the
 * report says why on one line (text and JSON). */
static void test_plan_tls_off(void)
{
  struct sl_prov sess;
  struct sl_buf out;
  struct sl_error err;
  const struct sl_prov_item *it = &sess.plan.item[SL_PROV_BUCKET];
  memset(&sess, 0, sizeof(sess));
  sl_error_clear(&err);
  sess.profile = &profile;
  CU_ASSERT_EQUAL_FATAL(sl_prov_desired_init(&sess.want, &profile, NULL, ACCOUNT, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_prov_desired_set_tls(&sess.want, 0, "the S3 endpoint is http", &err),
                  SL_OK);
  CU_ASSERT_PTR_NULL(sess.want.bucket_policy);
  CU_ASSERT_EQUAL(sess.want.tls_only, 0);
  in_sync(&sess.have);
  CU_ASSERT_EQUAL(sl_prov_diff(&sess.want, &sess.have, &sess.plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_UPDATE);
  CU_ASSERT_EQUAL_FATAL(it->nchanges, 1);
  check_change(it, 0, "bucket_policy", "present", "none");
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&out, 65536), SL_OK);
  CU_ASSERT_EQUAL(sl_prov_report_text(&sess, SL_PROV_REPORT_PLAN, &out), SL_OK);
  CU_ASSERT_PTR_NOT_NULL(strstr(out.data,
    "~ bucket plan-logs: update\n"
    "    bucket_policy: TLS-only statement not applied: the S3 endpoint is http\n"
    "    ~ bucket_policy: present -> none\n"
    "        - {\"Action\":\"s3:*\",\"Condition\":{\"Bool\":{\"aws:SecureTransport\":\"false\"}},"
    "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Resource\":[\"arn:aws:s3:::plan-logs\","
    "\"arn:aws:s3:::plan-logs/*\"],\"Sid\":\"DenyInsecureTransport\"}\n"
    "= role plan-role: ok\n"));
  sl_buf_reset(&out);
  CU_ASSERT_EQUAL(sl_prov_report_json(&sess, SL_PROV_REPORT_PLAN, NULL, &out), SL_OK);
  CU_ASSERT_PTR_NOT_NULL(strstr(out.data,
    "      \"tls_only\": {\n"
    "        \"applied\": false,\n"
    "        \"reason\": \"the S3 endpoint is http\"\n"
    "      }\n"));

  /* no policy there: nothing to do for it */
  free(sess.have.bucket.policy);
  sess.have.bucket.policy = NULL;
  CU_ASSERT_EQUAL(sl_prov_diff(&sess.want, &sess.have, &sess.plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_OK);

  /* and back on (https): the statement is wanted again, byte for byte */
  CU_ASSERT_EQUAL(sl_prov_desired_set_tls(&sess.want, 1, "the S3 endpoint is https", &err),
                  SL_OK);
  CU_ASSERT_STRING_EQUAL(sess.want.bucket_policy, want.bucket_policy);
  CU_ASSERT_EQUAL(sl_prov_diff(&sess.want, &sess.have, &sess.plan, NULL), SL_OK);
  CU_ASSERT_EQUAL_FATAL(it->nchanges, 1);
  check_change(it, 0, "bucket_policy", "missing", "deny non-TLS");
  sl_buf_reset(&out);
  CU_ASSERT_EQUAL(sl_prov_report_text(&sess, SL_PROV_REPORT_STATUS, &out), SL_OK);
  CU_ASSERT_PTR_NOT_NULL(strstr(out.data,
    "    bucket_policy: TLS-only statement applied: the S3 endpoint is https\n"));
  sl_buf_cleanup(&out);
  sl_prov_state_cleanup(&sess.have);
  sl_prov_desired_cleanup(&sess.want);
}

/* The table: a column changed, one added, one Glue has that the profile
 * dropped, and a projection property, each a change of its own. */
static void test_glue_table_drift(void)
{
  struct sl_prov_state s;
  struct sl_prov_plan plan;
  const struct sl_prov_item *it = &plan.item[SL_PROV_GLUE_TABLE];
  in_sync(&s);
  free(s.glue_table.columns);
  s.glue_table.columns = strdup("ts\tbigint\nold\tstring\n");
  s.firehose.created += 86400; /* a stream re-created a day later */
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_UPDATE);
  CU_ASSERT_EQUAL_FATAL(it->nchanges, 4);
  check_change(it, 0, "column ts", "bigint", "string");
  check_change(it, 1, "column status", "missing", "int");
  check_change(it, 2, "column old", "string", "absent");
  check_change(it, 3, "projection.datehour.range", "2026/12/07/00,NOW", "2026/12/08/00,NOW");
  CU_ASSERT_EQUAL(plan.item[SL_PROV_GLUE_DATABASE].action, SL_PROV_OK);
  sl_prov_state_cleanup(&s);
  /* Gone: created again; a database sluice did not make is noted. */
  in_sync(&s);
  sl_prov_glue_table_state_cleanup(&s.glue_table);
  s.glue_database.owner[0] = 0;
  CU_ASSERT_EQUAL(sl_prov_diff(&want, &s, &plan, NULL), SL_OK);
  CU_ASSERT_EQUAL(it->action, SL_PROV_CREATE);
  CU_ASSERT_STRING_EQUAL(plan.item[SL_PROV_GLUE_DATABASE].note,
                         "not created by sluice: destroy keeps it");
  sl_prov_state_cleanup(&s);
}

static const struct sl_test tests[] = {
  { "nothing exists: create all", test_nothing_exists },
  { "in sync: all ok", test_in_sync },
  { "bucket drift, field by field", test_bucket_drift },
  { "TLS-only statement off over http", test_plan_tls_off },
  { "role drift", test_role_drift },
  { "kinesis drift", test_kinesis_drift },
  { "log group drift: retention, log stream, tags", test_logs_drift },
  { "no log group without cloudwatch_logging", test_logs_unwanted },
  { "firehose update in place", test_firehose_update },
  { "firehose replace", test_firehose_replace },
  { "plan text", test_plan_text },
  { "glue table drift: columns, projection", test_glue_table_drift },
  { NULL, NULL }
};

SL_TEST_MAIN("plan", tests, setup, teardown)
