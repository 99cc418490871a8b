/* report.c — a session's outcome for people (text) and programs (JSON):
 * per resource the action planned or done, field-level changes, the calls
 * made, and for status the facts read. Both forms carry the same facts. */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/records/json_out.h"

static const char *const commands[] = { "plan", "apply", "destroy", "status" };

static int exists(const struct sl_prov *s, int k)
{
  switch(k) {
  case SL_PROV_BUCKET: return s->have.bucket.exists;
  case SL_PROV_ROLE: return s->have.role.exists;
  case SL_PROV_KINESIS: return s->have.kinesis.exists;
  case SL_PROV_LOGS: return s->have.logs.exists;
  case SL_PROV_GLUE_DATABASE: return s->have.glue_database.exists;
  case SL_PROV_GLUE_TABLE: return s->have.glue_table.exists;
  default: return s->have.firehose.exists;
  }
}

static const char *arn_of(const struct sl_prov *s, int k)
{
  switch(k) {
  case SL_PROV_BUCKET: return s->have.bucket.exists ? s->want.bucket_arn : "";
  case SL_PROV_ROLE: return s->have.role.arn;
  case SL_PROV_KINESIS: return s->have.kinesis.arn;
  case SL_PROV_LOGS: return s->have.logs.arn;
  case SL_PROV_GLUE_DATABASE:
    return s->have.glue_database.exists ? s->want.glue_database_arn : "";
  case SL_PROV_GLUE_TABLE: return s->have.glue_table.exists ? s->want.glue_table_arn : "";
  default: return s->have.firehose.arn;
  }
}

/* The order resources are shown in: dependencies first, destroy reversed. */
static int nth(enum sl_prov_report_kind kind, int i)
{
  return kind == SL_PROV_REPORT_DESTROY ? SL_PROV_NKINDS - 1 - i : i;
}

static const char *mark(enum sl_prov_action a)
{
  static const char *const m[] = { "=", "+", "~", "-/+", "-", " " };
  return m[a];
}

/* "created" when apply/destroy carried the action out, else the action. */
static const char *verb(const struct sl_prov *s, enum sl_prov_report_kind kind, int k)
{
  static const char *const past[] = { "ok", "created", "updated", "replaced", "deleted",
                                      "absent" };
  enum sl_prov_action a = s->plan.item[k].action;
  if(kind == SL_PROV_REPORT_APPLY && a == SL_PROV_CREATE && s->raced[k])
    return "exists (created by another run)";
  if((kind == SL_PROV_REPORT_APPLY || kind == SL_PROV_REPORT_DESTROY) &&
     a != SL_PROV_OK && a != SL_PROV_ABSENT && s->done[k] == (int)a)
    return past[a];
  return sl_prov_action_name(a);
}

/* ------------------------------------------------------------------ facts */

enum fact_type { F_STR, F_INT, F_BOOL };
typedef void (*fact_fn)(void *ud, const char *key, enum fact_type t, const char *sv, long long iv);

static const char *policy_word(const char *have, const char *want)
{
  if(!want) /* no policy wanted (TLS-only statement off) */
    return have ? "differs" : "none";
  return !have ? "missing" : sl_policy_equal(have, want) ? "as profile" : "differs";
}

/* "a, b, c" of a list's names (values too, as k=v, with values). */
static void join(const struct sl_headers *h, int values, char *out, size_t outlen)
{
  size_t i, n = 0;
  out[0] = '\0';
  for(i = 0; i < h->n && n < outlen; i++)
    n += (size_t)snprintf(out + n, outlen - n, "%s%s%s%s", i ? ", " : "", h->v[i].name,
                          values ? "=" : "", values ? h->v[i].value : "");
}

static void bucket_facts(const struct sl_prov *s, fact_fn f, void *ud)
{
  const struct sl_prov_bucket_state *b = &s->have.bucket;
  char tags[1024] = "";
  size_t i;
  int on = 0;
  for(i = 0; i < 4; i++)
    on += b->pab[i];
  f(ud, "region", F_STR, b->region, 0);
  f(ud, "block_public_access", F_STR, !b->pab_found ? "missing" : on == 4 ? "on" :
                                      on ? "partial" : "off", 0);
  f(ud, "encryption", F_STR, !strcmp(b->sse, "AES256") ? "SSE-S3" :
                             !strcmp(b->sse, "aws:kms") ? "SSE-KMS" : b->sse[0] ? b->sse :
                             "none", 0);
  if(b->kms_key[0])
    f(ud, "kms_key", F_STR, b->kms_key, 0);
  f(ud, "bucket_key", F_BOOL, NULL, b->bucket_key);
  f(ud, "object_ownership", F_STR, b->ownership[0] ? b->ownership : "missing", 0);
  f(ud, "bucket_policy", F_STR, policy_word(b->policy, s->want.bucket_policy), 0);
  f(ud, "expire_after_days", F_INT, NULL, b->lifecycle_found ? b->expire_days : 0);
  join(&b->tags, 1, tags, sizeof(tags));
  f(ud, "tags", F_STR, tags, 0);
}

static void role_facts(const struct sl_prov *s, fact_fn f, void *ud)
{
  const struct sl_prov_role_state *r = &s->have.role;
  char list[2048];
  f(ud, "trust_policy", F_STR, policy_word(r->trust_policy, s->want.trust_policy), 0);
  f(ud, "inline_policy", F_STR, policy_word(r->policy, s->want.role_policy), 0);
  join(&r->other_policies, 0, list, sizeof(list));
  f(ud, "other_inline_policies", F_STR, list, 0);
  join(&r->attached, 0, list, sizeof(list));
  f(ud, "attached_policies", F_STR, list, 0);
  f(ud, "permissions_boundary", F_STR, r->boundary, 0);
  join(&r->tags, 1, list, sizeof(list));
  f(ud, "tags", F_STR, list, 0);
}

static void kinesis_facts(const struct sl_prov *s, fact_fn f, void *ud)
{
  const struct sl_prov_kinesis_state *k = &s->have.kinesis;
  f(ud, "status", F_STR, k->status, 0);
  f(ud, "mode", F_STR, k->on_demand ? "on_demand" : "provisioned", 0);
  f(ud, "shards", F_INT, NULL, k->shards);
  f(ud, "retention_hours", F_INT, NULL, k->retention_hours);
  {
    char tags[2048];
    join(&k->tags, 1, tags, sizeof(tags));
    f(ud, "tags", F_STR, tags, 0);
  }
}

static void logs_facts(const struct sl_prov *s, fact_fn f, void *ud)
{
  const struct sl_prov_logs_state *l = &s->have.logs;
  char tags[2048];
  f(ud, "retention_days", F_INT, NULL, l->retention_days);
  f(ud, "log_stream", F_STR, l->stream_exists ? s->want.p->firehose.log_stream : "missing", 0);
  join(&l->tags, 1, tags, sizeof(tags));
  f(ud, "tags", F_STR, tags, 0);
}

static void firehose_facts(const struct sl_prov *s, fact_fn f, void *ud)
{
  const struct sl_prov_firehose_state *h = &s->have.firehose;
  f(ud, "status", F_STR, h->status, 0);
  if(h->failure[0])
    f(ud, "failure", F_STR, h->failure, 0);
  f(ud, "source", F_STR, h->type, 0);
  if(h->kinesis_arn[0])
    f(ud, "kinesis_stream", F_STR, h->kinesis_arn, 0);
  f(ud, "role_arn", F_STR, h->role_arn, 0);
  f(ud, "bucket_arn", F_STR, h->bucket_arn, 0);
  f(ud, "prefix", F_STR, h->prefix, 0);
  f(ud, "error_prefix", F_STR, h->error_prefix, 0);
  f(ud, "buffer_size_mb", F_INT, NULL, h->buffer_size_mb);
  f(ud, "buffer_interval_s", F_INT, NULL, h->buffer_interval_s);
  f(ud, "compression", F_STR, h->compression, 0);
  f(ud, "encryption", F_STR, h->kms_key_arn[0] ? h->kms_key_arn : "none", 0);
  f(ud, "cloudwatch_logging", F_BOOL, NULL, h->logging);
  f(ud, "version_id", F_STR, h->version_id, 0);
  {
    char tags[2048];
    join(&h->tags, 1, tags, sizeof(tags));
    f(ud, "tags", F_STR, tags, 0);
  }
}

static void facts(const struct sl_prov *s, int k, fact_fn f, void *ud)
{
  if(!exists(s, k))
    return;
  switch(k) {
  case SL_PROV_BUCKET: bucket_facts(s, f, ud); break;
  case SL_PROV_ROLE: role_facts(s, f, ud); break;
  case SL_PROV_KINESIS: kinesis_facts(s, f, ud); break;
  case SL_PROV_LOGS: logs_facts(s, f, ud); break;
  case SL_PROV_GLUE_DATABASE:
    f(ud, "created_by", F_STR, s->have.glue_database.owner[0] ? s->have.glue_database.owner :
      "not sluice", 0);
    break;
  case SL_PROV_GLUE_TABLE:
    f(ud, "location", F_STR, s->have.glue_table.location, 0);
    f(ud, "partition_keys", F_STR, s->have.glue_table.partitions, 0);
    break;
  default: firehose_facts(s, f, ud); break;
  }
}

/* ------------------------------------------------------------------ policies */

/* The two documents behind a policy change line, or 0 when it is not one. */
static int policy_docs(const struct sl_prov *s, int k, const char *field, const char **before,
                       const char **after)
{
  if(k == SL_PROV_ROLE && !strcmp(field, "trust_policy")) {
    *before = s->have.role.trust_policy;
    *after = s->want.trust_policy;
  }
  else if(k == SL_PROV_ROLE && !strcmp(field, "inline_policy")) {
    *before = s->have.role.policy;
    *after = s->want.role_policy;
  }
  else if(k == SL_PROV_BUCKET && !strcmp(field, "bucket_policy")) {
    *before = s->have.bucket.policy;
    *after = s->want.bucket_policy;
  }
  else
    return 0;
  return 1;
}

struct diff_text {
  struct sl_buf *out;
  enum sl_result r;
};

static void diff_line(void *ud, char sign, const char *statement)
{
  struct diff_text *d = ud;
  if(!d->r)
    d->r = sl_buf_printf(d->out, "        %c %s\n", sign, statement);
}

/* Under a policy's change line: the statements removed and added. A new
 * document (nothing before) is not spelled out: it is sluice's own. */
static enum sl_result policy_lines(const struct sl_prov *s, int k, const char *field,
                                   struct sl_buf *out)
{
  const char *before, *after;
  struct diff_text d = { out, SL_OK };
  if(!policy_docs(s, k, field, &before, &after) || !before)
    return SL_OK;
  if(sl_policy_diff(before, after, diff_line, &d, NULL))
    return SL_OK; /* not JSON: the change line says enough */
  return d.r;
}

/* ------------------------------------------------------------------ text */

struct text {
  struct sl_buf *out;
  enum sl_result r;
};

static void text_fact(void *ud, const char *key, enum fact_type t, const char *sv, long long iv)
{
  struct text *x = ud;
  if(x->r)
    return;
  if(t == F_STR)
    x->r = sl_buf_printf(x->out, "    %s: %s\n", key, sv[0] ? sv : "none");
  else if(t == F_BOOL)
    x->r = sl_buf_printf(x->out, "    %s: %s\n", key, iv ? "true" : "false");
  else
    x->r = sl_buf_printf(x->out, "    %s: %lld\n", key, iv);
}

static enum sl_result summary_text(const struct sl_prov *s, enum sl_prov_report_kind kind,
                                   struct sl_buf *out)
{
  int n[SL_PROV_ABSENT + 1] = { 0 }, done[SL_PROV_ABSENT + 1] = { 0 }, k, have = 0, want = 0;
  int raced = 0;
  for(k = 0; k < SL_PROV_NKINDS; k++)
    if(s->plan.item[k].wanted) {
      int lost = s->plan.item[k].action == SL_PROV_CREATE && s->raced[k];
      n[s->plan.item[k].action]++;
      done[s->plan.item[k].action] += s->done[k] == (int)s->plan.item[k].action && !lost;
      raced += lost && s->done[k] == SL_PROV_CREATE;
      have += exists(s, k);
      want++;
    }
  switch(kind) {
  case SL_PROV_REPORT_PLAN:
    return sl_buf_printf(out, "plan: %d to create, %d to update, %d to replace, %d ok\n",
                         n[SL_PROV_CREATE], n[SL_PROV_UPDATE], n[SL_PROV_REPLACE],
                         n[SL_PROV_OK]);
  case SL_PROV_REPORT_APPLY:
    if(raced)
      return sl_buf_printf(out, "apply: %d created, %d updated, %d replaced, %d ok, %d created "
                           "by another run\n", done[SL_PROV_CREATE], done[SL_PROV_UPDATE],
                           done[SL_PROV_REPLACE], n[SL_PROV_OK], raced);
    return sl_buf_printf(out, "apply: %d created, %d updated, %d replaced, %d ok\n",
                         done[SL_PROV_CREATE], done[SL_PROV_UPDATE], done[SL_PROV_REPLACE],
                         n[SL_PROV_OK]);
  case SL_PROV_REPORT_DESTROY: {
    enum sl_result r;
    if(done[SL_PROV_DELETE] == n[SL_PROV_DELETE])
      return sl_buf_printf(out, "destroy: %d deleted, %d absent\n", n[SL_PROV_DELETE],
                           n[SL_PROV_ABSENT]);
    if(s->dry_run)
      return sl_buf_printf(out, "destroy: %d to delete, %d absent\n", n[SL_PROV_DELETE],
                           n[SL_PROV_ABSENT]);
    /* Stopped midway (the error says why): what is still there, by name. */
    r = sl_buf_printf(out, "destroy: %d deleted, %d absent, %d left:", done[SL_PROV_DELETE],
                      n[SL_PROV_ABSENT], n[SL_PROV_DELETE] - done[SL_PROV_DELETE]);
    for(k = SL_PROV_NKINDS - 1, have = 0; !r && k >= 0; k--)
      if(s->plan.item[k].wanted && s->plan.item[k].action == SL_PROV_DELETE &&
         s->done[k] != SL_PROV_DELETE)
        r = sl_buf_printf(out, "%s %s %s", have++ ? "," : "", sl_prov_kind_name(k),
                          s->plan.item[k].name);
    if(!r) r = sl_buf_addc(out, '\n');
    return r;
  }
  default:
    return sl_buf_printf(out, "status: %d of %d exist, %d differ from the profile\n", have, want,
                         sl_prov_plan_pending(&s->plan));
  }
}

enum sl_result sl_prov_report_text(const struct sl_prov *s, enum sl_prov_report_kind kind,
                                   struct sl_buf *out)
{
  struct text x = { out, SL_OK };
  int i, c;
  for(i = 0; i < SL_PROV_NKINDS && !x.r; i++) {
    int k = nth(kind, i);
    const struct sl_prov_item *it = &s->plan.item[k];
    if(!it->wanted)
      continue;
    if(kind == SL_PROV_REPORT_STATUS)
      x.r = sl_buf_printf(out, "%s %s: %s (%s)\n", sl_prov_kind_name(it->kind), it->name,
                          !exists(s, k) ? "missing" :
                          k == SL_PROV_KINESIS ? s->have.kinesis.status :
                          k == SL_PROV_FIREHOSE ? s->have.firehose.status : "exists",
                          it->action == SL_PROV_OK ? "as profile" :
                          sl_prov_action_name(it->action));
    else
      x.r = sl_buf_printf(out, "%s %s %s: %s", mark(it->action), sl_prov_kind_name(it->kind),
                          it->name, verb(s, kind, k));
    if(!x.r && kind != SL_PROV_REPORT_STATUS) {
      if(s->calls[k][0] && kind != SL_PROV_REPORT_PLAN)
        x.r = sl_buf_printf(out, " (%s)", s->calls[k]);
      else if(it->note[0])
        x.r = sl_buf_printf(out, " (%s)", it->note);
      if(!x.r) x.r = sl_buf_addc(out, '\n');
    }
    if(!x.r && k == SL_PROV_BUCKET && kind != SL_PROV_REPORT_DESTROY && s->want.tls_reason[0])
      x.r = sl_buf_printf(out, "    bucket_policy: TLS-only statement %s: %s\n",
                          s->want.tls_only ? "applied" : "not applied", s->want.tls_reason);
    if(!x.r && kind == SL_PROV_REPORT_STATUS && arn_of(s, k)[0])
      x.r = sl_buf_printf(out, "    arn: %s\n", arn_of(s, k));
    for(c = 0; !x.r && c < it->nchanges; c++) {
      x.r = sl_buf_printf(out, "    ~ %s: %s -> %s\n", it->changes[c].field, it->changes[c].from,
                          it->changes[c].to);
      if(!x.r) x.r = policy_lines(s, k, it->changes[c].field, out);
    }
    if(kind == SL_PROV_REPORT_STATUS)
      facts(s, k, text_fact, &x);
  }
  if(!x.r) x.r = summary_text(s, kind, out);
  return x.r;
}

/* ------------------------------------------------------------------ JSON */

static void json_fact(void *ud, const char *key, enum fact_type t, const char *sv, long long iv)
{
  struct json_object *o = ud;
  json_object_object_add(o, key, t == F_STR ? json_object_new_string(sv) :
                                 t == F_BOOL ? json_object_new_boolean((int)iv) :
                                 json_object_new_int64(iv));
}

static struct json_object *opt_str(const char *s)
{
  return s && s[0] ? json_object_new_string(s) : NULL;
}

static struct json_object *calls_array(const char *calls)
{
  struct json_object *a = json_object_new_array();
  while(*calls) {
    const char *e = strstr(calls, ", ");
    size_t n = e ? (size_t)(e - calls) : strlen(calls);
    json_object_array_add(a, json_object_new_string_len(calls, (int)n));
    calls += n + (e ? 2 : 0);
  }
  return a;
}

static void diff_json(void *ud, char sign, const char *statement)
{
  struct json_object **lists = ud, *st = json_tokener_parse(statement);
  json_object_array_add(lists[sign == '+'], st ? st : json_object_new_string(statement));
}

/* A policy change carries both documents and the statements removed and added. */
static void policy_json(const char *before, const char *after, struct json_object *x)
{
  struct json_object *lists[2] = { json_object_new_array(), json_object_new_array() };
  json_object_object_add(x, "before", before ? json_tokener_parse(before) : NULL);
  json_object_object_add(x, "after", after ? json_tokener_parse(after) : NULL);
  sl_policy_diff(before, after, diff_json, lists, NULL);
  json_object_object_add(x, "removed", lists[0]);
  json_object_object_add(x, "added", lists[1]);
}

static struct json_object *resource(const struct sl_prov *s, enum sl_prov_report_kind kind, int k)
{
  const struct sl_prov_item *it = &s->plan.item[k];
  struct json_object *o = json_object_new_object(), *ch = json_object_new_array();
  int c;
  json_object_object_add(o, "type", json_object_new_string(sl_prov_kind_name(it->kind)));
  json_object_object_add(o, "name", json_object_new_string(it->name));
  json_object_object_add(o, "exists", json_object_new_boolean(exists(s, k)));
  json_object_object_add(o, "arn", opt_str(arn_of(s, k)));
  json_object_object_add(o, "action", json_object_new_string(sl_prov_action_name(it->action)));
  if(kind == SL_PROV_REPORT_APPLY || kind == SL_PROV_REPORT_DESTROY) {
    json_object_object_add(o, "result", json_object_new_string(verb(s, kind, k)));
    json_object_object_add(o, "calls", calls_array(s->calls[k]));
  }
  for(c = 0; c < it->nchanges; c++) {
    struct json_object *x = json_object_new_object();
    const char *before, *after;
    json_object_object_add(x, "field", json_object_new_string(it->changes[c].field));
    json_object_object_add(x, "from", json_object_new_string(it->changes[c].from));
    json_object_object_add(x, "to", json_object_new_string(it->changes[c].to));
    if(policy_docs(s, k, it->changes[c].field, &before, &after))
      policy_json(before, after, x);
    json_object_array_add(ch, x);
  }
  json_object_object_add(o, "changes", ch);
  json_object_object_add(o, "note", opt_str(it->note));
  if(k == SL_PROV_BUCKET && kind != SL_PROV_REPORT_DESTROY && s->want.tls_reason[0]) {
    struct json_object *t = json_object_new_object();
    json_object_object_add(t, "applied", json_object_new_boolean(s->want.tls_only));
    json_object_object_add(t, "reason", json_object_new_string(s->want.tls_reason));
    json_object_object_add(o, "tls_only", t);
  }
  if(kind == SL_PROV_REPORT_STATUS) {
    struct json_object *st = json_object_new_object();
    facts(s, k, json_fact, st);
    json_object_object_add(o, "state", st);
  }
  return o;
}

enum sl_result sl_prov_error_json(const char *command, const char *profile,
                                  const char *resource, const struct sl_error *err,
                                  struct sl_buf *out)
{
  struct json_object *o = sl_jout_document(command);
  json_object_object_add(o, "profile", sl_jout_opt(profile));
  json_object_object_add(o, "error", sl_jout_error(resource, err));
  return sl_jout_emit(o, out);
}

enum sl_result sl_prov_report_json(const struct sl_prov *s, enum sl_prov_report_kind kind,
                                   const struct sl_error *err, struct sl_buf *out)
{
  /* apply --dry-run reports a plan, under the command that was run. */
  const char *cmd = kind == SL_PROV_REPORT_PLAN && s->ran ? s->ran : commands[kind];
  struct json_object *o = sl_jout_document(cmd), *res = json_object_new_array();
  struct json_object *sum = json_object_new_object();
  int n[SL_PROV_ABSENT + 1] = { 0 }, i, a;
  json_object_object_add(o, "profile", json_object_new_string(s->profile->path));
  if(s->ran && s->dry_run)
    json_object_object_add(o, "dry_run", json_object_new_boolean(1));
  json_object_object_add(o, "region", json_object_new_string(s->want.region));
  json_object_object_add(o, "account", json_object_new_string(s->want.account));
  for(i = 0; i < SL_PROV_NKINDS; i++) {
    int k = nth(kind, i);
    if(!s->plan.item[k].wanted)
      continue;
    n[s->plan.item[k].action]++;
    json_object_array_add(res, resource(s, kind, k));
  }
  json_object_object_add(o, "resources", res);
  for(a = 0; a <= SL_PROV_ABSENT; a++)
    json_object_object_add(sum, sl_prov_action_name((enum sl_prov_action)a),
                           json_object_new_int(n[a]));
  json_object_object_add(o, "summary", sum);
  if(kind == SL_PROV_REPORT_DESTROY && !s->dry_run) {
    struct json_object *left = json_object_new_array();
    for(i = 0; i < SL_PROV_NKINDS; i++) {
      int k = nth(kind, i);
      const struct sl_prov_item *it = &s->plan.item[k];
      if(it->wanted && it->action == SL_PROV_DELETE && s->done[k] != SL_PROV_DELETE) {
        struct json_object *x = json_object_new_object();
        json_object_object_add(x, "type", json_object_new_string(sl_prov_kind_name(it->kind)));
        json_object_object_add(x, "name", json_object_new_string(it->name));
        json_object_array_add(left, x);
      }
    }
    json_object_object_add(o, "left", left);
  }
  if(kind == SL_PROV_REPORT_PLAN || kind == SL_PROV_REPORT_STATUS)
    json_object_object_add(o, "changes_pending",
                           json_object_new_boolean(sl_prov_plan_pending(&s->plan) > 0));
  if(err)
    json_object_object_add(o, "error", sl_jout_error(s->where, err));
  return sl_jout_emit(o, out);
}
