/* role.c — the IAM role Firehose assumes: its trust policy, its one inline
 * least-privilege policy and its permissions boundary, compared as
 * canonical JSON and written only when they really differ; any other
 * inline or attached policy is drift, removed by apply. */
#include "role.h"
#include "prov_run.h"
#include "tags.h"
#include "sluice/iam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define ROLE_DESCRIPTION "sluice: Firehose delivery role"

struct listing {
  struct sl_prov_role_state *s;
  int ours;                     /* our policy is among the inline ones */
  int nomem;                    /* the listing stopped: out of memory */
};

static int collect_inline(void *ud, const char *name)
{
  struct listing *l = ud;
  if(!strcmp(name, SL_PROV_POLICY_NAME))
    l->ours = 1;
  else if(sl_headers_add(&l->s->other_policies, name, ""))
    l->nomem = 1;
  return l->nomem;
}

static int collect_attached(void *ud, const char *arn, const char *name)
{
  struct listing *l = ud;
  if(sl_headers_add(&l->s->attached, arn, name))
    l->nomem = 1;
  return l->nomem;
}

static void reset_lists(struct sl_prov_role_state *s)
{
  sl_headers_cleanup(&s->other_policies);
  sl_headers_cleanup(&s->attached);
  sl_headers_cleanup(&s->tags);
  free(s->policy);
  s->policy = NULL;
  s->boundary[0] = '\0';
}

/* Every inline policy name and every attached managed policy: what the
 * role can do is all of them, so all of them are read. */
static enum sl_result read_policies(struct sl_client *c, const char *name,
                                    struct sl_prov_role_state *s, struct sl_error *err)
{
  struct listing l = { s, 0, 0 };
  struct sl_buf doc;
  enum sl_result r = sl_iam_list_role_policies(c, name, collect_inline, &l, err);
  if(!r && !l.nomem) r = sl_iam_list_attached_role_policies(c, name, collect_attached, &l, err);
  if(!r && l.nomem)
    r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  if(r || !l.ours)
    return r;
  r = sl_buf_init(&doc, SL_IAM_MAX_POLICY);
  if(!r) r = sl_iam_get_role_policy(c, name, SL_PROV_POLICY_NAME, &doc, err);
  if(!r)
    s->policy = sl_buf_steal(&doc);
  else if(r == SL_E_NOT_FOUND) { /* deleted between the list and the read */
    sl_error_clear(err);
    r = SL_OK;
  }
  sl_buf_cleanup(&doc);
  return r;
}

enum sl_result sl_prov_role_read(struct sl_client *c, const struct sl_prov_desired *d,
                                 struct sl_prov_role_state *s, struct sl_error *err)
{
  const char *name = d->role_name;
  struct sl_iam_role role;
  enum sl_result r;
  reset_lists(s);
  sl_iam_role_init(&role);
  r = sl_iam_get_role(c, name, &role, err);
  if(r == SL_E_NOT_FOUND) {
    sl_error_clear(err);
    r = SL_OK;
    /* Before 0.3.0 the default name had no region: say so if that one is there. */
    s->legacy_found = 0;
    if(d->legacy_role[0]) {
      r = sl_iam_get_role(c, d->legacy_role, &role, err);
      s->legacy_found = !r;
      if(r == SL_E_NOT_FOUND) {
        sl_error_clear(err);
        r = SL_OK;
      }
    }
    sl_iam_role_cleanup(&role);
    return r;
  }
  if(!r) {
    s->exists = 1;
    snprintf(s->arn, sizeof(s->arn), "%s", role.arn);
    snprintf(s->boundary, sizeof(s->boundary), "%s", role.boundary);
    free(s->trust_policy);
    s->trust_policy = role.trust_policy;
    role.trust_policy = NULL;
    s->tags = role.tags;
    sl_headers_init(&role.tags);
    r = read_policies(c, name, s, err);
  }
  sl_iam_role_cleanup(&role);
  return r;
}

/* One change line per policy the profile does not declare; when more than
 * the plan can hold, the last line counts the rest. */
static void extra_changes(const struct sl_prov_role_state *s, struct sl_prov_item *it)
{
  size_t i, total = s->other_policies.n + s->attached.n, shown = 0;
  char from[200];
  for(i = 0; i < total; i++) {
    int is_inline = i < s->other_policies.n;
    const struct sl_header *h = is_inline ? &s->other_policies.v[i] :
                                &s->attached.v[i - s->other_policies.n];
    if(it->nchanges == SL_PROV_MAX_CHANGES - 1 && total - shown > 1) {
      snprintf(from, sizeof(from), "%zu more policies", total - shown);
      sl_prov_change(it, "extra_policy", from, "removed");
      return;
    }
    snprintf(from, sizeof(from), "%s %s", is_inline ? "inline" : "managed", h->name);
    sl_prov_change(it, "extra_policy", from, is_inline ? "deleted" : "detached");
    shown++;
  }
}

void sl_prov_owner_value(const struct sl_prov_desired *d, char *out, size_t outlen)
{
  snprintf(out, outlen, "%s/%s", d->region, d->p->firehose.name);
}

/* The bucket the S3Bucket statement of a sluice delivery policy grants. */
static int policy_bucket(const char *policy, char *out, size_t outlen)
{
  struct json_object *doc = policy ? json_tokener_parse(policy) : NULL, *st, *x;
  size_t i;
  int found = 0;
  if(doc && json_object_object_get_ex(doc, "Statement", &st) && json_object_is_type(st, json_type_array))
    for(i = 0; !found && i < json_object_array_length(st); i++) {
      struct json_object *one = json_object_array_get_idx(st, i);
      if(json_object_object_get_ex(one, "Sid", &x) && !strcmp(json_object_get_string(x), "S3Bucket") &&
         json_object_object_get_ex(one, "Resource", &x) && json_object_is_type(x, json_type_string)) {
        snprintf(out, outlen, "%s", json_object_get_string(x));
        found = 1;
      }
    }
  json_object_put(doc);
  return found;
}

int sl_prov_role_owner(const struct sl_prov_desired *d, const struct sl_prov_role_state *s,
                       char *who, size_t wholen)
{
  const char *tag = sl_headers_get(&s->tags, SL_PROV_OWNER_TAG);
  char mine[200], bucket[2048];
  if(!s->exists)
    return 0;
  sl_prov_owner_value(d, mine, sizeof(mine));
  if(tag) {
    if(!strcmp(tag, mine))
      return 0;
    snprintf(who, wholen, "the pipeline %s (its tag %s)", tag, SL_PROV_OWNER_TAG);
    return 1;
  }
  /* A role from before the tag: whose bucket does our policy name? */
  if(policy_bucket(s->policy, bucket, sizeof(bucket)) && strcmp(bucket, d->bucket_arn)) {
    snprintf(who, wholen, "the pipeline writing to %s (its %s policy)", bucket,
             SL_PROV_POLICY_NAME);
    return 1;
  }
  return 0;
}

void sl_prov_role_diff(const struct sl_prov_desired *d, const struct sl_prov_role_state *s,
                       struct sl_prov_item *it)
{
  const char *boundary = d->p->role.permissions_boundary;
  char to[200], who[2200];
  if(!s->exists) {
    it->action = SL_PROV_CREATE;
    if(s->legacy_found)
      snprintf(it->note, sizeof(it->note), "a role %s, the default name before sluice 0.3.0, "
               "exists: set [role] name = %s to keep using it", d->legacy_role, d->legacy_role);
    return;
  }
  if(sl_prov_role_owner(d, s, who, sizeof(who))) {
    snprintf(it->note, sizeof(it->note), "used by %.500s: apply refuses to take it over; give "
             "this profile its own [role] name", who);
    it->action = SL_PROV_UPDATE;
    return;
  }
  sl_prov_tags_diff(it, &d->role_tags, &s->tags);
  if(!sl_policy_equal(s->trust_policy, d->trust_policy)) {
    snprintf(to, sizeof(to), "firehose.amazonaws.com with ExternalId %s", d->account);
    sl_prov_change(it, "trust_policy", s->trust_policy ? "differs" : "missing", to);
  }
  if(!sl_policy_equal(s->policy, d->role_policy))
    sl_prov_change(it, "inline_policy", s->policy ? "differs" : "missing",
                   SL_PROV_POLICY_NAME " (least privilege)");
  if(strcmp(s->boundary, boundary))
    sl_prov_change(it, "permissions_boundary", s->boundary[0] ? s->boundary : "none",
                   boundary[0] ? boundary : "none");
  extra_changes(s, it);
  it->action = it->nchanges ? SL_PROV_UPDATE : SL_PROV_OK;
}

/* CreateRole; a role created meanwhile by someone else (EntityAlreadyExists)
 * counts as existing and is read back instead. */
static enum sl_result create(struct sl_prov_run *run, struct sl_prov_role_state *have)
{
  const struct sl_prov_desired *d = &run->s->want;
  struct sl_iam_role role;
  enum sl_result r;
  sl_iam_role_init(&role);
  r = sl_iam_create_role(run->c, d->role_name, d->trust_policy, ROLE_DESCRIPTION,
                         d->p->role.permissions_boundary, &d->role_tags, &role, run->err);
  if(!r) {
    sl_prov_step(run, SL_PROV_ROLE, "CreateRole");
    have->exists = 1;
    snprintf(have->arn, sizeof(have->arn), "%s", role.arn);
    snprintf(have->boundary, sizeof(have->boundary), "%s", d->p->role.permissions_boundary);
    sl_headers_cleanup(&have->tags);
    if(sl_prov_tags_merge(&have->tags, &d->role_tags, NULL))
      r = sl_prov_fail(run->err, SL_E_NOMEM, NULL, "out of memory");
    free(have->trust_policy);
    have->trust_policy = strdup(d->trust_policy);
    if(!have->trust_policy)
      r = sl_prov_fail(run->err, SL_E_NOMEM, NULL, "out of memory");
  }
  else if(r == SL_E_AWS && !strcmp(run->err->code, "EntityAlreadyExists")) {
    sl_error_clear(run->err);
    sl_prov_raced(run, SL_PROV_ROLE);
    r = sl_prov_role_read(run->c, d, have, run->err);
  }
  sl_iam_role_cleanup(&role);
  return r;
}

static enum sl_result gone_ok(struct sl_prov_run *run, enum sl_result r)
{
  if(r == SL_E_NOT_FOUND) {
    sl_error_clear(run->err);
    return SL_OK;
  }
  return r;
}

static enum sl_result apply_boundary(struct sl_prov_run *run, struct sl_prov_role_state *have)
{
  const char *name = run->s->want.role_name, *want = run->s->want.p->role.permissions_boundary;
  enum sl_result r;
  if(!strcmp(have->boundary, want))
    return SL_OK;
  if(want[0]) {
    r = sl_iam_put_role_permissions_boundary(run->c, name, want, run->err);
    if(!r)
      sl_prov_step(run, SL_PROV_ROLE, "PutRolePermissionsBoundary");
  }
  else {
    r = gone_ok(run, sl_iam_delete_role_permissions_boundary(run->c, name, run->err));
    if(!r)
      sl_prov_step(run, SL_PROV_ROLE, "DeleteRolePermissionsBoundary");
  }
  if(!r)
    snprintf(have->boundary, sizeof(have->boundary), "%s", want);
  return r;
}

static void drop_first(struct sl_headers *h)
{
  sl_header_release(&h->v[0]);
  memmove(&h->v[0], &h->v[1], (h->n - 1) * sizeof(h->v[0]));
  h->n--;
}

/* What the profile does not declare goes: inline policies deleted, managed
 * policies detached (the policies themselves stay; they may serve others).
 * One already gone counts as done. */
static enum sl_result remove_extras(struct sl_prov_run *run, struct sl_prov_role_state *have)
{
  const char *name = run->s->want.role_name;
  enum sl_result r = SL_OK;
  char step[2100];
  while(!r && have->other_policies.n) {
    struct sl_header *h = &have->other_policies.v[0];
    r = gone_ok(run, sl_iam_delete_role_policy(run->c, name, h->name, run->err));
    if(!r) {
      snprintf(step, sizeof(step), "DeleteRolePolicy %s", h->name);
      sl_prov_step(run, SL_PROV_ROLE, step);
      drop_first(&have->other_policies);
    }
  }
  while(!r && have->attached.n) {
    struct sl_header *h = &have->attached.v[0];
    r = gone_ok(run, sl_iam_detach_role_policy(run->c, name, h->name, run->err));
    if(!r) {
      snprintf(step, sizeof(step), "DetachRolePolicy %s", h->name);
      sl_prov_step(run, SL_PROV_ROLE, step);
      drop_first(&have->attached);
    }
  }
  return r;
}

enum sl_result sl_prov_role_apply(struct sl_prov_run *run)
{
  const struct sl_prov_desired *d = &run->s->want;
  struct sl_prov_role_state *have = &run->s->have.role;
  const char *name = d->role_name;
  enum sl_result r = SL_OK;
  if(run->s->plan.item[SL_PROV_ROLE].action == SL_PROV_OK)
    return SL_OK;
  if(!have->exists)
    r = create(run, have);
  if(!r && !sl_policy_equal(have->trust_policy, d->trust_policy)) {
    r = sl_iam_update_assume_role_policy(run->c, name, d->trust_policy, run->err);
    if(!r)
      sl_prov_step(run, SL_PROV_ROLE, "UpdateAssumeRolePolicy");
  }
  if(!r && !sl_policy_equal(have->policy, d->role_policy)) {
    r = sl_iam_put_role_policy(run->c, name, SL_PROV_POLICY_NAME, d->role_policy, run->err);
    if(!r)
      sl_prov_step(run, SL_PROV_ROLE, "PutRolePolicy " SL_PROV_POLICY_NAME);
  }
  if(!r) r = apply_boundary(run, have);
  if(!r && !sl_prov_tags_equal(&d->role_tags, &have->tags)) {
    struct sl_headers set, remove;
    sl_headers_init(&set);
    sl_headers_init(&remove);
    if(sl_prov_tags_delta(&d->role_tags, &have->tags, &set, &remove))
      r = sl_prov_fail(run->err, SL_E_NOMEM, NULL, "out of memory");
    if(!r && set.n && !(r = sl_iam_tag_role(run->c, name, &set, run->err)))
      sl_prov_step(run, SL_PROV_ROLE, "TagRole");
    if(!r && remove.n && !(r = sl_iam_untag_role(run->c, name, &remove, run->err)))
      sl_prov_step(run, SL_PROV_ROLE, "UntagRole");
    sl_headers_cleanup(&set);
    sl_headers_cleanup(&remove);
  }
  if(!r) r = remove_extras(run, have);
  return r;
}

/* ------------------------------------------------------------------ destroy */

/* IAM refuses to delete a role with any inline or attached policy, so all
 * of them go first, as listed now (not as planned: someone may have added
 * one since), not only ours. */
enum sl_result sl_prov_role_destroy(struct sl_prov_run *run)
{
  struct sl_prov_role_state *have = &run->s->have.role;
  const char *role = run->s->want.role_name;
  enum sl_result r;
  if(!have->exists)
    return SL_OK;
  r = sl_prov_role_read(run->c, &run->s->want, have, run->err);
  if(!r && have->exists && have->policy) {
    r = gone_ok(run, sl_iam_delete_role_policy(run->c, role, SL_PROV_POLICY_NAME, run->err));
    if(!r)
      sl_prov_step(run, SL_PROV_ROLE, "DeleteRolePolicy " SL_PROV_POLICY_NAME);
  }
  if(!r && have->exists) r = remove_extras(run, have);
  if(!r && have->exists) {
    r = sl_iam_delete_role(run->c, role, run->err);
    if(!r)
      sl_prov_step(run, SL_PROV_ROLE, "DeleteRole");
    r = gone_ok(run, r);
  }
  return r;
}
