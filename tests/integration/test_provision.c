/* test_provision.c — provisioning through the public library API against
 * the emulator: create all, converge with zero mutating calls, survive the
 * IAM propagation window, CREATING waits, throttling and 5xx faults, an
 * interrupted apply, drift, replace, the us-east-1 bucket rule, destroy.
 * Every check that matters is an exact ledger count or an exact value. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "harness.h"
#include "itest.h"
#include "sluice/iam.h"
#include "sluice/provision.h"
#include "sluice/s3.h"

/* ------------------------------------------------------------------ emulator */

static void control(const char *method, const char *path, const char *json)
{
  long st = sl_itest_control(method, path, json, NULL);
  if(st != 200)
    fprintf(stderr, "control %s %s: HTTP %ld\n", method, path, st);
  CU_ASSERT_EQUAL(st, 200);
}

static void ledger_reset(void)
{
  control("POST", "ledger/reset", NULL);
}

static long mutating_calls(void)
{
  char *ans = NULL;
  struct json_object *o, *v;
  long n = -1;
  if(sl_itest_control("GET", "ledger/summary", NULL, &ans) == 200 && ans &&
     (o = json_tokener_parse(ans))) {
    if(json_object_object_get_ex(o, "mutating_calls", &v))
      n = (long)json_object_get_int64(v);
    json_object_put(o);
  }
  free(ans);
  return n;
}

/* Calls of one operation in the ledger since the last reset; status 0 =
 * any, -1 = any error. The mutating ones are listed into list. */
static int calls(const char *op, int status, char *list, size_t listlen)
{
  char *ans = NULL;
  struct json_object *o, *a;
  int n = 0;
  size_t i, len = 0;
  if(list)
    list[0] = 0;
  if(sl_itest_control("GET", "ledger", NULL, &ans) == 200 && ans &&
     (o = json_tokener_parse(ans))) {
    if(json_object_object_get_ex(o, "calls", &a))
      for(i = 0; i < json_object_array_length(a); i++) {
        struct json_object *c = json_object_array_get_idx(a, i), *v;
        const char *name = json_object_object_get_ex(c, "operation", &v) ?
                           json_object_get_string(v) : "";
        int st = json_object_object_get_ex(c, "status", &v) ? json_object_get_int(v) : 0;
        int mut = json_object_object_get_ex(c, "mutating", &v) && json_object_get_boolean(v);
        if(list && mut && len < listlen)
          len += (size_t)snprintf(list + len, listlen - len, "%s%s", len ? " " : "", name);
        if(op && strcmp(name, op))
          continue;
        if(status == 0 || st == status || (status == -1 && st >= 300))
          n++;
      }
    json_object_put(o);
  }
  free(ans);
  return n;
}

/* Answers the fault injector produced (throttling, 500, 503). */
static int fault_calls(void)
{
  static const char *const codes[] = { "Throttling", "ThrottlingException", "SlowDown",
                                       "InternalFailure", "InternalError", "ServiceUnavailable",
                                       "ServiceUnavailableException", NULL };
  char *ans = NULL;
  struct json_object *o, *a, *v;
  int n = 0, j;
  size_t i;
  if(sl_itest_control("GET", "ledger", NULL, &ans) == 200 && ans &&
     (o = json_tokener_parse(ans))) {
    if(json_object_object_get_ex(o, "calls", &a))
      for(i = 0; i < json_object_array_length(a); i++)
        if(json_object_object_get_ex(json_object_array_get_idx(a, i), "error_code", &v) &&
           json_object_is_type(v, json_type_string))
          for(j = 0; codes[j]; j++)
            n += !strcmp(json_object_get_string(v), codes[j]);
    json_object_put(o);
  }
  free(ans);
  return n;
}

/* ------------------------------------------------------------------ fixture */

struct spec {
  const char *region;
  int max_attempts;
  int buffer_mb;
  int kinesis;               /* a Kinesis source stream */
  const char *compression;
  int create_attempts, create_delay_s;
  int kms;                   /* SSE-KMS, with CloudWatch logging */
  int bare;                  /* no lifecycle rule, no tags */
  int on_demand;             /* the Kinesis stream in on-demand mode */
  int shards;                /* provisioned Kinesis shards; 0 = 1 */
};

struct fx {
  char name[64];
  struct sl_profile p;
  struct sl_prov s;
  struct sl_prov_options o;
  struct sl_error err;
  int open;
};

static void fx_profile(struct fx *f, const struct spec *sp, char *text, size_t n)
{
  char kin[256] = "", extras[256] = "";
  if(sp->kinesis && sp->on_demand)
    snprintf(kin, sizeof(kin), "[kinesis]\nname = %s-src\nmode = on_demand\n", f->name);
  else if(sp->kinesis)
    snprintf(kin, sizeof(kin), "[kinesis]\nname = %s-src\nmode = provisioned\nshards = %d\n",
             f->name, sp->shards ? sp->shards : 1);
  if(!sp->bare)
    snprintf(extras, sizeof(extras), "expire_after_days = 3\ntags = suite=provision, run=%s\n",
             f->name);
  snprintf(text, n,
           "[aws]\nregion = %s\nendpoint_url = %s\nmax_attempts = %d\n"
           "[bucket]\nname = %s\n%s%s"
           "[role]\nname = %s-role\n"
           "[firehose]\nname = %s\nsource = %s\nprefix = logs/\n"
           "error_prefix = errors/!{firehose:error-output-type}/\nbuffer_size_mb = %d\n"
           "buffer_interval_s = 60\ncompression = %s\ncloudwatch_logging = %s\n%s"
           "[retry]\ncreate_attempts = %d\ncreate_delay_s = %d\n",
           sp->region ? sp->region : "us-east-1", getenv("SLUICE_TEST_ENDPOINT"),
           sp->max_attempts ? sp->max_attempts : 3, f->name, extras,
           sp->kms ? "encryption = SSE-KMS\n"
                     "kms_key_id = arn:aws:kms:us-east-1:000000000000:key/itest\n" : "",
           f->name, f->name, sp->kinesis ? "kinesis" : "direct",
           sp->buffer_mb ? sp->buffer_mb : 1, sp->compression ? sp->compression : "GZIP",
           sp->kms ? "true" : "false", kin, sp->create_attempts ? sp->create_attempts : 10,
           sp->create_delay_s);
}

/* Parses the profile for spec and opens a session (name kept when set). */
static int fx_open(struct fx *f, const struct spec *sp)
{
  char text[2048];
  if(!f->name[0])
    snprintf(f->name, sizeof(f->name), "%s", sl_itest_name("slprov"));
  if(f->open) {
    sl_prov_close(&f->s);
    sl_profile_cleanup(&f->p);
  }
  fx_profile(f, sp, text, sizeof(text));
  sl_error_clear(&f->err);
  sl_profile_init(&f->p);
  f->open = 0;
  if(sl_profile_parse("itest.ini", text, &f->p, NULL, &f->err)) {
    fprintf(stderr, "profile: %s\n", f->err.message);
    return -1;
  }
  if(sl_prov_open(&f->s, &f->p, &f->err)) {
    fprintf(stderr, "open: %s\n", f->err.message);
    sl_profile_cleanup(&f->p);
    return -1;
  }
  f->open = 1;
  memset(&f->o, 0, sizeof(f->o));
  f->o.wait_timeout_s = 60;
  return 0;
}

static void fx_close(struct fx *f)
{
  if(f->open) {
    sl_prov_close(&f->s);
    sl_profile_cleanup(&f->p);
  }
  f->open = 0;
}

static enum sl_result fx_apply(struct fx *f)
{
  enum sl_result r;
  sl_error_clear(&f->err);
  r = sl_prov_apply(&f->s, &f->o, &f->err);
  if(r)
    fprintf(stderr, "apply %s: %s: %s: %s\n", f->name, f->s.where, f->err.code, f->err.message);
  return r;
}

static enum sl_result fx_destroy(struct fx *f)
{
  enum sl_result r;
  sl_error_clear(&f->err);
  r = sl_prov_destroy(&f->s, &f->o, &f->err);
  if(r)
    fprintf(stderr, "destroy %s: %s: %s\n", f->name, f->err.code, f->err.message);
  return r;
}

static const struct spec plain = { NULL, 0, 0, 0, NULL, 0, 0, 0, 0, 0, 0 };

/* ------------------------------------------------------------------ tests */

static void test_create_then_converged(void)
{
  struct fx f;
  char list[1024];
  memset(&f, 0, sizeof(f));
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &plain), 0);
  ledger_reset();
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(f.s.done[SL_PROV_BUCKET], SL_PROV_CREATE);
  CU_ASSERT_EQUAL(f.s.done[SL_PROV_ROLE], SL_PROV_CREATE);
  CU_ASSERT_EQUAL(f.s.done[SL_PROV_FIREHOSE], SL_PROV_CREATE);
  CU_ASSERT_FALSE(f.s.plan.item[SL_PROV_KINESIS].wanted);
  CU_ASSERT_STRING_EQUAL(f.s.have.firehose.status, "ACTIVE");
  /* Exactly the writes a new pipeline needs, in dependency order; over the
   * emulator's plain http no bucket policy (its TLS-only statement would
   * lock everyone out). */
  CU_ASSERT_EQUAL(f.s.want.tls_only, 0);
  CU_ASSERT_STRING_EQUAL(f.s.want.tls_reason, "the S3 endpoint is http");
  CU_ASSERT_EQUAL(mutating_calls(), 8);
  calls(NULL, 0, list, sizeof(list));
  CU_ASSERT_STRING_EQUAL(list, "CreateBucket PutPublicAccessBlock PutBucketOwnershipControls "
                         "PutBucketLifecycleConfiguration PutBucketTagging "
                         "CreateRole PutRolePolicy CreateDeliveryStream");

  /* The second apply changes nothing at all. */
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &plain), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(mutating_calls(), 0);
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&f.s.plan), 0);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

/* What IAM and S3 store is compared by meaning, and stored exactly. */
static void test_documents_as_written(void)
{
  struct fx f;
  struct sl_buf b;
  struct sl_iam_role role;
  memset(&f, 0, sizeof(f));
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &plain), 0);
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&b, 65536), SL_OK);
  CU_ASSERT_EQUAL(sl_iam_get_role_policy(&f.s.client, f.p.role.name, SL_PROV_POLICY_NAME, &b,
                                         &f.err), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, f.s.want.role_policy);
  sl_iam_role_init(&role);
  CU_ASSERT_EQUAL(sl_iam_get_role(&f.s.client, f.p.role.name, &role, &f.err), SL_OK);
  CU_ASSERT_STRING_EQUAL(role.trust_policy, f.s.want.trust_policy);
  CU_ASSERT_STRING_EQUAL(role.arn, f.s.want.role_arn);
  sl_iam_role_cleanup(&role);
  sl_buf_reset(&b);
  CU_ASSERT_PTR_NULL(f.s.want.bucket_policy);
  CU_ASSERT_EQUAL(sl_s3_get_subresource(&f.s.client, f.name, "policy", &b, &f.err),
                  SL_E_NOT_FOUND);
  CU_ASSERT_STRING_EQUAL(f.err.code, "NoSuchBucketPolicy");
  sl_buf_cleanup(&b);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

/* LocationConstraint outside us-east-1 only: the emulator refuses both
 * wrong forms, so a create in each region proves the request shape. */
static void test_bucket_regions(void)
{
  struct fx f;
  struct spec eu = plain;
  memset(&f, 0, sizeof(f));
  eu.region = "eu-west-1";
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &eu), 0);
  ledger_reset();
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(calls("CreateBucket", 200, NULL, 0), 1);
  CU_ASSERT_EQUAL(calls("CreateBucket", -1, NULL, 0), 0);
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &eu), 0);
  CU_ASSERT_EQUAL(sl_prov_plan(&f.s, &f.err), SL_OK);
  CU_ASSERT_STRING_EQUAL(f.s.have.bucket.region, "eu-west-1");
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&f.s.plan), 0);
  /* The same bucket seen from a us-east-1 profile is not ours to configure. */
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &plain), 0);
  CU_ASSERT_EQUAL(sl_prov_plan(&f.s, &f.err), SL_E_AWS);
  CU_ASSERT_STRING_EQUAL(f.err.code, "BucketInOtherRegion");
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &eu), 0);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);

  memset(&f, 0, sizeof(f));
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &plain), 0);
  ledger_reset();
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(calls("CreateBucket", 200, NULL, 0), 1);
  CU_ASSERT_EQUAL(calls("CreateBucket", -1, NULL, 0), 0);
  CU_ASSERT_STRING_EQUAL(f.s.have.bucket.region, "us-east-1");
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

static void test_iam_propagation(void)
{
  struct fx f;
  struct spec sp = plain;
  memset(&f, 0, sizeof(f));
  sp.create_attempts = 10;
  sp.create_delay_s = 1;
  control("POST", "config", "{\"iam_propagation_seconds\": 2}");
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  /* Refused while the new role propagates, then accepted once. */
  CU_ASSERT_TRUE(calls("CreateDeliveryStream", 400, NULL, 0) >= 1);
  CU_ASSERT_TRUE(calls("CreateDeliveryStream", 400, NULL, 0) <= 3);
  CU_ASSERT_EQUAL(calls("CreateDeliveryStream", 200, NULL, 0), 1);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);

  /* Too few attempts: the AWS message comes through, after exactly those tries. */
  memset(&f, 0, sizeof(f));
  sp.create_attempts = 2;
  sp.create_delay_s = 0;
  control("POST", "config", "{\"iam_propagation_seconds\": 30}");
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(sl_prov_apply(&f.s, &f.o, &f.err), SL_E_AWS);
  CU_ASSERT_STRING_EQUAL(f.err.code, "InvalidArgumentException");
  CU_ASSERT_PTR_NOT_NULL(strstr(f.err.message, "unable to assume role"));
  CU_ASSERT_EQUAL(f.err.attempts, 2);
  CU_ASSERT_EQUAL(calls("CreateDeliveryStream", 0, NULL, 0), 2);
  CU_ASSERT_EQUAL(strncmp(f.s.where, "firehose ", 9), 0);
  control("POST", "config", "{\"iam_propagation_seconds\": 0}");

  /* The interrupted apply converges: only the missing stream is created. */
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(f.s.done[SL_PROV_BUCKET], SL_PROV_OK);
  CU_ASSERT_EQUAL(f.s.done[SL_PROV_ROLE], SL_PROV_OK);
  CU_ASSERT_EQUAL(f.s.done[SL_PROV_FIREHOSE], SL_PROV_CREATE);
  CU_ASSERT_EQUAL(mutating_calls(), 1);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

/* Any other error fails at once, with the service's own message. */
static void test_other_error_not_retried(void)
{
  struct fx f;
  struct spec sp = plain;
  memset(&f, 0, sizeof(f));
  sp.create_attempts = 5;
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  control("POST", "faults", "{\"reject\": 1.0, \"reject_code\": \"InvalidArgumentException\", "
          "\"reject_message\": \"Access was denied when calling KMS.\", "
          "\"operations\": [\"CreateDeliveryStream\"]}");
  CU_ASSERT_EQUAL(sl_prov_apply(&f.s, &f.o, &f.err), SL_E_AWS);
  control("POST", "faults", "{}");
  CU_ASSERT_STRING_EQUAL(f.err.code, "InvalidArgumentException");
  CU_ASSERT_EQUAL(f.err.http_status, 400);
  CU_ASSERT_STRING_EQUAL(f.err.message, "Access was denied when calling KMS.");
  CU_ASSERT_EQUAL(calls("CreateDeliveryStream", 0, NULL, 0), 1);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

static void test_creating_waits_and_kinesis(void)
{
  struct fx f;
  struct spec sp = plain;
  memset(&f, 0, sizeof(f));
  sp.kinesis = 1;
  control("POST", "config", "{\"lifecycle_seconds\": 2}");
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(f.s.done[SL_PROV_KINESIS], SL_PROV_CREATE);
  CU_ASSERT_STRING_EQUAL(f.s.have.kinesis.status, "ACTIVE");
  CU_ASSERT_STRING_EQUAL(f.s.have.firehose.status, "ACTIVE");
  CU_ASSERT_STRING_EQUAL(f.s.have.firehose.type, "KinesisStreamAsSource");
  CU_ASSERT_STRING_EQUAL(f.s.have.firehose.kinesis_arn, f.s.want.kinesis_arn);
  /* Polled while CREATING, not failed. */
  CU_ASSERT_TRUE(calls("DescribeStreamSummary", 200, NULL, 0) >= 2);
  CU_ASSERT_TRUE(calls("DescribeDeliveryStream", 200, NULL, 0) >= 2);
  CU_ASSERT_EQUAL(calls("CreateStream", 0, NULL, 0), 1);
  CU_ASSERT_EQUAL(calls("CreateDeliveryStream", 0, NULL, 0), 1);
  CU_ASSERT_EQUAL(calls("CreateDeliveryStream", 200, NULL, 0), 1);

  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(mutating_calls(), 0);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  CU_ASSERT_EQUAL(f.s.done[SL_PROV_KINESIS], SL_PROV_DELETE);
  CU_ASSERT_FALSE(f.s.have.kinesis.exists);
  control("POST", "config", "{\"lifecycle_seconds\": 0.2}");
  fx_close(&f);
}

/* Plans the spec and checks that the Kinesis stream's mode is the one
 * pending change, from -> to. */
static void plan_mode_change(struct fx *f, const struct spec *sp, const char *from,
                             const char *to)
{
  const struct sl_prov_item *it = &f->s.plan.item[SL_PROV_KINESIS];
  CU_ASSERT_EQUAL_FATAL(fx_open(f, sp), 0);
  CU_ASSERT_EQUAL_FATAL(sl_prov_plan(&f->s, &f->err), SL_OK);
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&f->s.plan), 1);
  CU_ASSERT_EQUAL(it->action, SL_PROV_UPDATE);
  CU_ASSERT_EQUAL_FATAL(it->nchanges, 1);
  CU_ASSERT_STRING_EQUAL(it->changes[0].field, "mode");
  CU_ASSERT_STRING_EQUAL(it->changes[0].from, from);
  CU_ASSERT_STRING_EQUAL(it->changes[0].to, to);
}

/* Applies the spec and checks the mutating calls made, then that a second
 * apply makes none. */
static void apply_exactly(struct fx *f, const struct spec *sp, const char *want)
{
  char list[512];
  CU_ASSERT_EQUAL_FATAL(fx_open(f, sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(f), SL_OK);
  calls(NULL, 0, list, sizeof(list));
  CU_ASSERT_STRING_EQUAL(list, want);
  /* Never refused for being UPDATING: each call waited for ACTIVE. */
  CU_ASSERT_EQUAL(calls("UpdateStreamMode", -1, NULL, 0), 0);
  CU_ASSERT_EQUAL(calls("UpdateShardCount", -1, NULL, 0), 0);
  CU_ASSERT_STRING_EQUAL(f->s.have.kinesis.status, "ACTIVE");
  CU_ASSERT_EQUAL(f->s.have.kinesis.on_demand, sp->on_demand);
  CU_ASSERT_EQUAL_FATAL(fx_open(f, sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(f), SL_OK);
  CU_ASSERT_EQUAL(mutating_calls(), 0);
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&f->s.plan), 0);
}

/* The capacity mode is switched in place with UpdateStreamMode, waited on
 * until ACTIVE; the shard count survives the switch and is reconciled
 * only after the stream is ACTIVE again. */
static void test_kinesis_mode(void)
{
  struct fx f;
  struct spec prov = plain, od;
  memset(&f, 0, sizeof(f));
  prov.kinesis = 1;
  od = prov;
  od.on_demand = 1;
  control("POST", "config", "{\"lifecycle_seconds\": 0.5}");
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &prov), 0);
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  CU_ASSERT_FALSE(f.s.have.kinesis.on_demand);
  CU_ASSERT_EQUAL(f.s.have.kinesis.shards, 1);

  plan_mode_change(&f, &od, "provisioned", "on_demand");
  apply_exactly(&f, &od, "UpdateStreamMode");

  plan_mode_change(&f, &prov, "on_demand", "provisioned");
  apply_exactly(&f, &prov, "UpdateStreamMode");
  CU_ASSERT_EQUAL(f.s.have.kinesis.shards, 1);

  /* Mode and shard count at once: the reshard waits for the switch. */
  apply_exactly(&f, &od, "UpdateStreamMode");
  prov.shards = 2;
  apply_exactly(&f, &prov, "UpdateStreamMode UpdateShardCount");
  CU_ASSERT_EQUAL(f.s.have.kinesis.shards, 2);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  control("POST", "config", "{\"lifecycle_seconds\": 0.2}");
  fx_close(&f);
}

static void test_faults(void)
{
  struct fx f;
  struct spec sp = plain;
  memset(&f, 0, sizeof(f));
  sp.max_attempts = 10;
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  control("POST", "faults", "{\"seed\": 7, \"throttle\": 0.2, \"http_500\": 0.1, "
                            "\"http_503\": 0.1}");
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  control("POST", "faults", "{}");
  /* Faults did happen, and were retried through. */
  CU_ASSERT_TRUE(fault_calls() >= 3);
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(mutating_calls(), 0);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

static void test_drift_fixed(void)
{
  struct fx f;
  struct spec sp = plain;
  const struct sl_prov_item *it;
  char list[512];
  static const char broad[] = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                              "\"Action\":\"s3:*\",\"Resource\":\"*\"}]}";
  char own_policy[512];
  memset(&f, 0, sizeof(f));
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  snprintf(own_policy, sizeof(own_policy), "{\"Version\":\"2012-10-17\",\"Statement\":[{"
           "\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteBucket\","
           "\"Resource\":\"arn:aws:s3:::%s\",\"Condition\":{\"StringNotEquals\":"
           "{\"aws:PrincipalAccount\":\"000000000000\"}}}]}", f.name);
  /* Someone widens the role and gives the bucket a policy of their own
   * (none is wanted over http). */
  CU_ASSERT_EQUAL(sl_iam_put_role_policy(&f.s.client, f.p.role.name, SL_PROV_POLICY_NAME, broad,
                                         &f.err), SL_OK);
  CU_ASSERT_EQUAL(sl_s3_put_subresource(&f.s.client, f.name, "policy", "application/json",
                                        own_policy, strlen(own_policy), &f.err), SL_OK);
  sp.buffer_mb = 64;
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  CU_ASSERT_EQUAL(sl_prov_plan(&f.s, &f.err), SL_OK);
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&f.s.plan), 3);
  it = &f.s.plan.item[SL_PROV_FIREHOSE];
  CU_ASSERT_EQUAL(it->action, SL_PROV_UPDATE);
  CU_ASSERT_EQUAL_FATAL(it->nchanges, 1);
  CU_ASSERT_STRING_EQUAL(it->changes[0].field, "buffer_size_mb");
  CU_ASSERT_STRING_EQUAL(it->changes[0].from, "1");
  CU_ASSERT_STRING_EQUAL(it->changes[0].to, "64");
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  calls(NULL, 0, list, sizeof(list));
  CU_ASSERT_STRING_EQUAL(list, "DeleteBucketPolicy PutRolePolicy UpdateDestination");
  CU_ASSERT_EQUAL(f.s.have.firehose.buffer_size_mb, 64);
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  CU_ASSERT_EQUAL(sl_prov_plan(&f.s, &f.err), SL_OK);
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&f.s.plan), 0);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

/* Another writer updates the stream between our plan and our update: the
 * first UpdateDestination meets ConcurrentModificationException, the stream
 * is read again and the update sent against the new version. */
static void test_concurrent_update(void)
{
  struct fx f;
  struct spec sp = plain;
  char list[512], body[256];
  memset(&f, 0, sizeof(f));
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  sp.buffer_mb = 32;
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  CU_ASSERT_EQUAL(sl_prov_plan(&f.s, &f.err), SL_OK);
  CU_ASSERT_EQUAL(f.s.plan.item[SL_PROV_FIREHOSE].action, SL_PROV_UPDATE);
  /* Another writer changes the stream just before our UpdateDestination. */
  snprintf(body, sizeof(body), "{\"stream\": \"%s\"}", f.p.firehose.name);
  CU_ASSERT_EQUAL(sl_itest_control("POST", "firehose/concurrent-update-next", body, NULL), 200);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  calls(NULL, 0, list, sizeof(list));
  CU_ASSERT_STRING_EQUAL(list, "UpdateDestination UpdateDestination");
  CU_ASSERT_EQUAL(calls("UpdateDestination", 400, NULL, 0), 1);
  CU_ASSERT_EQUAL(f.s.have.firehose.buffer_size_mb, 32);
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  CU_ASSERT_EQUAL(sl_prov_plan(&f.s, &f.err), SL_OK);
  CU_ASSERT_EQUAL(sl_prov_plan_pending(&f.s.plan), 0);
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

/* SSE-KMS with logging converges too; dropping settings from the profile
 * removes them (lifecycle, tags) or reverts them (encryption, logging). */
static void test_kms_and_removed_settings(void)
{
  struct fx f;
  struct spec sp = plain;
  char list[512];
  memset(&f, 0, sizeof(f));
  sp.kms = 1;
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  CU_ASSERT_STRING_EQUAL(f.s.have.firehose.kms_key_arn,
                         "arn:aws:kms:us-east-1:000000000000:key/itest");
  CU_ASSERT_TRUE(f.s.have.firehose.logging);
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(mutating_calls(), 0);
  CU_ASSERT_STRING_EQUAL(f.s.have.bucket.sse, "aws:kms");
  CU_ASSERT_EQUAL(f.s.have.bucket.bucket_key, 1);

  sp.kms = 0;
  sp.bare = 1;
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  calls(NULL, 0, list, sizeof(list));
  CU_ASSERT_STRING_EQUAL(list, "PutBucketEncryption DeleteBucketLifecycle DeleteBucketTagging "
                         "PutRolePolicy UpdateDestination");
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(mutating_calls(), 0);
  CU_ASSERT_FALSE(f.s.have.bucket.lifecycle_found);
  CU_ASSERT_EQUAL(f.s.have.bucket.tags.n, 0);
  CU_ASSERT_STRING_EQUAL(f.s.have.bucket.sse, "AES256");
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

static void test_replace(void)
{
  struct fx f;
  struct spec sp = plain;
  char list[512];
  memset(&f, 0, sizeof(f));
  sp.kinesis = 1;
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &plain), 0);
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  /* Direct put → Kinesis source cannot change in place. */
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &sp), 0);
  ledger_reset();
  CU_ASSERT_EQUAL(sl_prov_apply(&f.s, &f.o, &f.err), SL_E_INVALID);
  CU_ASSERT_STRING_EQUAL(f.err.code, "ReplaceNeeded");
  CU_ASSERT_EQUAL(f.s.plan.item[SL_PROV_FIREHOSE].action, SL_PROV_REPLACE);
  CU_ASSERT_EQUAL(mutating_calls(), 0);
  f.o.replace = 1;
  ledger_reset();
  CU_ASSERT_EQUAL(fx_apply(&f), SL_OK);
  calls(NULL, 0, list, sizeof(list));
  CU_ASSERT_STRING_EQUAL(list, "PutRolePolicy CreateStream DeleteDeliveryStream "
                         "CreateDeliveryStream");
  CU_ASSERT_STRING_EQUAL(f.s.have.firehose.type, "KinesisStreamAsSource");
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  fx_close(&f);
}

static void test_destroy(void)
{
  struct fx f;
  char list[512];
  memset(&f, 0, sizeof(f));
  CU_ASSERT_EQUAL_FATAL(fx_open(&f, &plain), 0);
  CU_ASSERT_EQUAL_FATAL(fx_apply(&f), SL_OK);
  CU_ASSERT_EQUAL(sl_s3_put_object(&f.s.client, f.name, "logs/x.json", "{}\n", 3,
                                   "application/json", &f.err), SL_OK);
  /* A bucket with objects is refused before anything is deleted. */
  ledger_reset();
  CU_ASSERT_EQUAL(sl_prov_destroy(&f.s, &f.o, &f.err), SL_E_INVALID);
  CU_ASSERT_STRING_EQUAL(f.err.code, "BucketNotEmpty");
  CU_ASSERT_STRING_EQUAL(f.err.message, "holds 1 objects; destroy deletes them only with "
                         "--empty-bucket");
  CU_ASSERT_EQUAL(mutating_calls(), 0);
  f.o.empty_bucket = 1;
  ledger_reset();
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  calls(NULL, 0, list, sizeof(list));
  CU_ASSERT_STRING_EQUAL(list, "DeleteDeliveryStream DeleteRolePolicy DeleteRole DeleteObjects "
                         "DeleteBucket");
  CU_ASSERT_EQUAL(f.s.done[SL_PROV_BUCKET], SL_PROV_DELETE);
  /* Everything is gone; a second destroy is a no-op. */
  ledger_reset();
  CU_ASSERT_EQUAL(fx_destroy(&f), SL_OK);
  CU_ASSERT_EQUAL(mutating_calls(), 0);
  CU_ASSERT_EQUAL(f.s.plan.item[SL_PROV_BUCKET].action, SL_PROV_ABSENT);
  CU_ASSERT_EQUAL(f.s.plan.item[SL_PROV_ROLE].action, SL_PROV_ABSENT);
  CU_ASSERT_EQUAL(f.s.plan.item[SL_PROV_FIREHOSE].action, SL_PROV_ABSENT);
  fx_close(&f);
}

static int setup(void)
{
  if(!getenv("SLUICE_TEST_ENDPOINT") || !sl_itest_is_emulator()) {
    fprintf(stderr, "provision suite: needs the bundled emulator (SLUICE_TEST_ENDPOINT)\n");
    return 1;
  }
  setenv("AWS_ACCESS_KEY_ID", "test", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "test", 1);
  /* Short lifecycles keep the suite quick; the waits are still exercised. */
  return sl_itest_control("POST", "config", "{\"lifecycle_seconds\": 0.2}", NULL) != 200;
}

static int teardown(void)
{
  sl_itest_control("POST", "config", "{\"lifecycle_seconds\": 1.0, "
                   "\"iam_propagation_seconds\": 0}", NULL);
  sl_itest_control("POST", "faults", "{}", NULL);
  return 0;
}

static const struct sl_test tests[] = {
  { "create all, then a second apply changes nothing", test_create_then_converged },
  { "documents stored exactly as generated", test_documents_as_written },
  { "bucket regions: us-east-1 and eu-west-1", test_bucket_regions },
  { "IAM propagation window and an interrupted apply", test_iam_propagation },
  { "other errors fail at once", test_other_error_not_retried },
  { "CREATING waits, Kinesis source", test_creating_waits_and_kinesis },
  { "Kinesis capacity mode switched in place", test_kinesis_mode },
  { "throttling and 5xx faults", test_faults },
  { "concurrent UpdateDestination retried", test_concurrent_update },
  { "drift is fixed with exactly the needed calls", test_drift_fixed },
  { "SSE-KMS, logging, and settings removed", test_kms_and_removed_settings },
  { "replace only with the option", test_replace },
  { "destroy, non-empty bucket, second destroy", test_destroy },
  { NULL, NULL }
};

SL_TEST_MAIN("provision-integration", tests, setup, teardown)
