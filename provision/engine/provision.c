/* provision.c — the provisioning session: opening it (client, account,
 * desired state), reading every resource concurrently, diffing, and running
 * apply and destroy in dependency order. */
#include "provision_internal.h"
#include "prov_run.h"
#include "bucket.h"
#include "bucket_apply.h"
#include "role.h"
#include "kinesis.h"
#include "glue.h"
#include "logs.h"
#include "firehose.h"
#include "sluice/log.h"
#include "sluice/s3.h"
#include "sluice/sts.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void sl_prov_state_init(struct sl_prov_state *s)
{
  memset(s, 0, sizeof(*s));
  sl_headers_init(&s->bucket.tags);
  sl_headers_init(&s->role.other_policies);
  sl_headers_init(&s->role.attached);
  sl_headers_init(&s->role.tags);
  sl_headers_init(&s->kinesis.tags);
  sl_headers_init(&s->logs.tags);
  sl_headers_init(&s->firehose.tags);
}

void sl_prov_state_cleanup(struct sl_prov_state *s)
{
  free(s->bucket.policy);
  sl_headers_cleanup(&s->bucket.tags);
  free(s->role.trust_policy);
  free(s->role.policy);
  sl_headers_cleanup(&s->role.other_policies);
  sl_headers_cleanup(&s->role.attached);
  sl_headers_cleanup(&s->role.tags);
  sl_headers_cleanup(&s->kinesis.tags);
  sl_headers_cleanup(&s->logs.tags);
  sl_headers_cleanup(&s->firehose.tags);
  sl_prov_glue_table_state_cleanup(&s->glue_table);
  sl_prov_state_init(s);
}

/* ------------------------------------------------------------------ open */

/* A client of its own for a reader thread: a credential provider may not
 * be shared between threads. */
static enum sl_result client_for(struct sl_client *c, const struct sl_aws_config *base,
                                 const char *path, struct sl_error *err)
{
  struct sl_aws_config cfg;
  enum sl_result r = sl_aws_config_copy(&cfg, base, err);
  if(!r)
    r = sl_client_init(c, &cfg, path, err);
  sl_aws_config_cleanup(&cfg);
  return r;
}

static enum sl_result account_of(struct sl_client *c, char account[32], struct sl_error *err)
{
  const struct sl_creds *creds = NULL;
  struct sl_sts_identity id;
  enum sl_result r = sl_creds_get(c->creds, &creds, err);
  if(!r) r = sl_sts_get_caller_identity(c->http, &c->cfg, creds, &id, err);
  if(!r)
    snprintf(account, 32, "%s", id.account);
  return r;
}

enum sl_result sl_prov_open(struct sl_prov *s, const struct sl_profile *p, struct sl_error *err)
{
  struct sl_aws_config cfg;
  char account[32] = "";
  const char *tls_why = "";
  enum sl_result r;
  int tls = 1;
  memset(s, 0, sizeof(*s));
  s->profile = p;
  sl_prov_state_init(&s->have);
  r = sl_aws_config_resolve(&cfg, &p->aws, err);
  if(r)
    return r;
  /* Before anything is sent: tls_only = true over http is a profile error. */
  r = sl_profile_tls_only(p, &cfg, &tls, &tls_why, err);
  if(r) {
    sl_aws_config_cleanup(&cfg);
    return r;
  }
  r = sl_client_init(&s->client, &cfg, p->path[0] ? p->path : NULL, err);
  sl_aws_config_cleanup(&cfg);
  if(r)
    return r;
  r = account_of(&s->client, account, err);
  if(!r) r = sl_prov_desired_init(&s->want, p, s->client.cfg.region, account, err);
  if(!r) r = sl_prov_desired_set_tls(&s->want, tls, tls_why, err);
  if(r) {
    snprintf(s->where, sizeof(s->where), "%.250s", p->path);
    sl_prov_close(s);
  }
  return r;
}

void sl_prov_close(struct sl_prov *s)
{
  if(s->client.http || s->client.creds)
    sl_client_cleanup(&s->client);
  sl_prov_desired_cleanup(&s->want);
  sl_prov_state_cleanup(&s->have);
  memset(&s->client, 0, sizeof(s->client));
}

enum sl_result sl_prov_new(struct sl_prov **out, const struct sl_profile *p,
                           struct sl_error *err)
{
  *out = calloc(1, sizeof(**out));
  if(!*out)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  return sl_prov_open(*out, p, err);
}

void sl_prov_free(struct sl_prov *s)
{
  if(s) {
    sl_prov_close(s);
    free(s);
  }
}

const struct sl_profile *sl_prov_get_profile(const struct sl_prov *s) { return s->profile; }
struct sl_client *sl_prov_get_client(struct sl_prov *s) { return &s->client; }
const struct sl_prov_desired *sl_prov_get_desired(const struct sl_prov *s) { return &s->want; }
const struct sl_prov_state *sl_prov_get_state(const struct sl_prov *s) { return &s->have; }
const struct sl_prov_plan *sl_prov_get_plan(const struct sl_prov *s) { return &s->plan; }
const char *sl_prov_get_where(const struct sl_prov *s) { return s->where; }

enum sl_prov_action sl_prov_get_done(const struct sl_prov *s, enum sl_prov_kind k)
{
  return (unsigned)k < SL_PROV_NKINDS ? (enum sl_prov_action)s->done[k] : SL_PROV_OK;
}

const char *sl_prov_get_calls(const struct sl_prov *s, enum sl_prov_kind k)
{
  return (unsigned)k < SL_PROV_NKINDS ? s->calls[k] : "";
}

/* ------------------------------------------------------------------ read */

struct reader {
  struct sl_prov *s;
  enum sl_prov_kind k;
  pthread_t thread;
  int started;
  enum sl_result r;
  struct sl_error err;
};

static enum sl_result read_kind(struct sl_client *c, struct sl_prov *s, enum sl_prov_kind k,
                                struct sl_error *err)
{
  switch(k) {
  case SL_PROV_BUCKET: return sl_prov_bucket_read(c, &s->want, &s->have.bucket, err);
  case SL_PROV_ROLE: return sl_prov_role_read(c, &s->want, &s->have.role, err);
  case SL_PROV_KINESIS: return sl_prov_kinesis_read(c, &s->want, &s->have.kinesis, err);
  case SL_PROV_LOGS: return sl_prov_logs_read(c, &s->want, &s->have.logs, err);
  case SL_PROV_GLUE_DATABASE:
    return sl_prov_glue_database_read(c, &s->want, &s->have.glue_database, err);
  case SL_PROV_GLUE_TABLE: return sl_prov_glue_table_read(c, &s->want, &s->have.glue_table, err);
  default: return sl_prov_firehose_read(c, &s->want, &s->have.firehose, err);
  }
}

/* Each reader writes only its own part of s->have. */
static void *read_thread(void *ud)
{
  struct reader *rd = ud;
  struct sl_client c;
  rd->r = client_for(&c, &rd->s->client.cfg, NULL, &rd->err);
  if(!rd->r) {
    rd->r = read_kind(&c, rd->s, rd->k, &rd->err);
    sl_client_cleanup(&c);
  }
  return NULL;
}

enum sl_result sl_prov_read(struct sl_prov *s, struct sl_error *err)
{
  struct reader rd[SL_PROV_NKINDS];
  enum sl_result r = SL_OK;
  int k;
  sl_prov_state_cleanup(&s->have);
  s->where[0] = 0;
  memset(rd, 0, sizeof(rd));
  for(k = 0; k < SL_PROV_NKINDS; k++) {
    rd[k].s = s;
    rd[k].k = (enum sl_prov_kind)k;
    if((k == SL_PROV_KINESIS && !s->profile->kinesis.enabled) ||
       (k == SL_PROV_LOGS && !s->profile->firehose.cloudwatch_logging) ||
       (k >= SL_PROV_GLUE_DATABASE && !s->profile->athena.enabled))
      continue;
    rd[k].started = !pthread_create(&rd[k].thread, NULL, read_thread, &rd[k]);
    if(!rd[k].started) /* no thread to be had: read it here */
      rd[k].r = read_kind(&s->client, s, rd[k].k, &rd[k].err);
  }
  for(k = 0; k < SL_PROV_NKINDS; k++)
    if(rd[k].started)
      pthread_join(rd[k].thread, NULL);
  for(k = 0; k < SL_PROV_NKINDS && !r; k++)
    if(rd[k].r) {
      r = rd[k].r;
      if(err) {
        *err = rd[k].err;
        err->result = r;
        if(k == SL_PROV_BUCKET)
          sl_s3_explain_denied(&s->client, s->profile->bucket.name, err);
      }
      sl_prov_where(s, (enum sl_prov_kind)k);
    }
  return r;
}

/* ------------------------------------------------------------------ plan */

enum sl_result sl_prov_diff(const struct sl_prov_desired *want, const struct sl_prov_state *have,
                            struct sl_prov_plan *plan, struct sl_error *err)
{
  const struct sl_profile *p = want->p;
  int k;
  (void)err;
  memset(plan, 0, sizeof(*plan));
  for(k = 0; k < SL_PROV_NKINDS; k++) {
    struct sl_prov_item *it = &plan->item[k];
    it->kind = (enum sl_prov_kind)k;
    it->wanted = k == SL_PROV_KINESIS ? p->kinesis.enabled :
                 k == SL_PROV_LOGS ? p->firehose.cloudwatch_logging :
                 k >= SL_PROV_GLUE_DATABASE ? p->athena.enabled : 1;
    snprintf(it->name, sizeof(it->name), "%s", sl_prov_item_name(want, it->kind));
  }
  sl_prov_bucket_diff(want, &have->bucket, &plan->item[SL_PROV_BUCKET]);
  sl_prov_role_diff(want, &have->role, &plan->item[SL_PROV_ROLE]);
  sl_prov_kinesis_diff(want, &have->kinesis, &plan->item[SL_PROV_KINESIS]);
  sl_prov_logs_diff(want, &have->logs, &plan->item[SL_PROV_LOGS]);
  sl_prov_firehose_diff(want, &have->firehose, &plan->item[SL_PROV_FIREHOSE]);
  sl_prov_glue_database_diff(want, &have->glue_database, &plan->item[SL_PROV_GLUE_DATABASE]);
  sl_prov_glue_table_diff(want, have, &plan->item[SL_PROV_GLUE_TABLE]);
  return SL_OK;
}

int sl_prov_plan_pending(const struct sl_prov_plan *plan)
{
  int k, n = 0;
  for(k = 0; k < SL_PROV_NKINDS; k++)
    if(plan->item[k].wanted && plan->item[k].action != SL_PROV_OK &&
       plan->item[k].action != SL_PROV_ABSENT)
      n++;
  return n;
}

enum sl_result sl_prov_plan(struct sl_prov *s, struct sl_error *err)
{
  enum sl_result r = sl_prov_read(s, err);
  if(!r) r = sl_prov_diff(&s->want, &s->have, &s->plan, err);
  return r;
}

/* ------------------------------------------------------------------ apply */

enum sl_result sl_prov_apply(struct sl_prov *s, const struct sl_prov_options *opts,
                             struct sl_error *err)
{
  static const struct sl_prov_options none;
  struct sl_prov_run run = { s, opts ? opts : &none, &s->client, err };
  enum sl_result (*const steps[SL_PROV_NKINDS])(struct sl_prov_run *) = {
    sl_prov_bucket_apply, sl_prov_role_apply, sl_prov_kinesis_apply, sl_prov_logs_apply,
    sl_prov_firehose_apply, sl_prov_glue_database_apply, sl_prov_glue_table_apply };
  enum sl_result r;
  int k;
  memset(s->done, 0, sizeof(s->done));
  memset(s->raced, 0, sizeof(s->raced));
  memset(s->calls, 0, sizeof(s->calls));
  s->ran = "apply";
  s->dry_run = run.o->dry_run;
  r = sl_prov_plan(s, err);
  if(r || run.o->dry_run)
    return r;
  /* Refuse before changing anything, not halfway through. */
  {
    char who[2200];
    if(sl_prov_role_owner(&s->want, &s->have.role, who, sizeof(who))) {
      sl_prov_where(s, SL_PROV_ROLE);
      return sl_prov_fail(err, SL_E_INVALID, "RoleInUse", "is used by %.1900s; apply does not take "
                          "it over (its policy would stop serving that pipeline): give this "
                          "profile its own [role] name", who);
    }
  }
  for(k = 0; k < SL_PROV_NKINDS; k++)
    if(s->plan.item[k].action == SL_PROV_REPLACE && !run.o->replace) {
      sl_prov_where(s, (enum sl_prov_kind)k);
      return sl_prov_fail(err, SL_E_INVALID, "ReplaceNeeded", "needs to be replaced (%s); "
                          "run apply with --replace to delete and re-create it",
                          s->plan.item[k].note);
    }
  for(k = 0; k < SL_PROV_NKINDS && !r; k++) {
    if(!s->plan.item[k].wanted)
      continue;
    /* A signal (sl_interrupt) stops the run before the next resource too. */
    r = sl_interrupted() ? sl_prov_fail(err, SL_E_INTERRUPTED, NULL, "interrupted") :
        steps[k](&run);
    if(r)
      sl_prov_where(s, (enum sl_prov_kind)k);
    else
      s->done[k] = s->plan.item[k].action;
  }
  return r;
}

/* ------------------------------------------------------------------ destroy */

enum sl_result sl_prov_destroy(struct sl_prov *s, const struct sl_prov_options *opts,
                               struct sl_error *err)
{
  static const struct sl_prov_options none;
  struct sl_prov_run run = { s, opts ? opts : &none, &s->client, err };
  enum sl_result (*const steps[SL_PROV_NKINDS])(struct sl_prov_run *) = {
    sl_prov_bucket_destroy, sl_prov_role_destroy, sl_prov_kinesis_destroy,
    sl_prov_logs_destroy, sl_prov_firehose_destroy, sl_prov_glue_database_destroy,
    sl_prov_glue_table_destroy };
  enum sl_result r;
  int k;
  memset(s->done, 0, sizeof(s->done));
  memset(s->calls, 0, sizeof(s->calls));
  s->ran = "destroy";
  s->dry_run = run.o->dry_run;
  r = sl_prov_read(s, err);
  if(!r) r = sl_prov_diff(&s->want, &s->have, &s->plan, err);
  if(r)
    return r;
  for(k = 0; k < SL_PROV_NKINDS; k++) {
    struct sl_prov_item *it = &s->plan.item[k];
    int here = k == SL_PROV_BUCKET ? s->have.bucket.exists :
               k == SL_PROV_ROLE ? s->have.role.exists :
               k == SL_PROV_KINESIS ? s->have.kinesis.exists :
               k == SL_PROV_LOGS ? s->have.logs.exists :
               k == SL_PROV_GLUE_DATABASE ? s->have.glue_database.exists :
               k == SL_PROV_GLUE_TABLE ? s->have.glue_table.exists : s->have.firehose.exists;
    it->action = here ? SL_PROV_DELETE : SL_PROV_ABSENT;
    it->nchanges = 0;
    it->note[0] = 0;
  }
  /* A non-empty bucket is refused up front, so nothing is half-destroyed. */
  if(s->have.bucket.exists) {
    r = sl_prov_bucket_count(&s->client, s->want.p->bucket.name, &s->have.bucket.objects, err);
    if(!r && s->have.bucket.objects && !run.o->empty_bucket)
      r = sl_prov_fail(err, SL_E_INVALID, "BucketNotEmpty", "holds %s%lld objects; destroy "
                       "deletes them only with --empty-bucket",
                       s->have.bucket.objects >= 1000 ? "at least " : "",
                       s->have.bucket.objects);
    if(r) {
      sl_prov_where(s, SL_PROV_BUCKET);
      return r;
    }
  }
  if(run.o->dry_run)
    return SL_OK;
  for(k = SL_PROV_NKINDS - 1; k >= 0 && !r; k--) {
    if(!s->plan.item[k].wanted || s->plan.item[k].action != SL_PROV_DELETE)
      continue;
    r = sl_interrupted() ? sl_prov_fail(err, SL_E_INTERRUPTED, NULL, "interrupted") :
        steps[k](&run);
    if(r)
      sl_prov_where(s, (enum sl_prov_kind)k);
    else /* a step may keep what it finds (a database not ours) */
      s->done[k] = s->plan.item[k].action;
  }
  return r;
}

void sl_prov_options_init(struct sl_prov_options *o)
{
  memset(o, 0, sizeof(*o));
}
