/* role.c — the IAM role Firehose assumes: its trust policy and its one
 * inline least-privilege policy, compared as canonical JSON and written
 * only when they really differ. */
#include "role.h"
#include "prov_run.h"
#include "sluice/iam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROLE_DESCRIPTION "sluice: Firehose delivery role"

enum sl_result sl_prov_role_read(struct sl_client *c, const struct sl_prov_desired *d,
                                 struct sl_prov_role_state *s, struct sl_error *err)
{
  const char *name = d->p->role.name;
  struct sl_iam_role role;
  struct sl_buf doc;
  enum sl_result r;
  sl_iam_role_init(&role);
  r = sl_iam_get_role(c, name, &role, err);
  if(r == SL_E_NOT_FOUND) {
    sl_iam_role_cleanup(&role);
    sl_error_clear(err);
    return SL_OK;
  }
  if(!r) {
    s->exists = 1;
    snprintf(s->arn, sizeof(s->arn), "%s", role.arn);
    s->trust_policy = role.trust_policy;
    role.trust_policy = NULL;
    r = sl_buf_init(&doc, SL_IAM_MAX_POLICY);
    if(!r) r = sl_iam_get_role_policy(c, name, SL_PROV_POLICY_NAME, &doc, err);
    if(!r)
      s->policy = sl_buf_steal(&doc);
    else if(r == SL_E_NOT_FOUND) {
      sl_error_clear(err);
      r = SL_OK;
    }
    sl_buf_cleanup(&doc);
  }
  sl_iam_role_cleanup(&role);
  return r;
}

void sl_prov_role_diff(const struct sl_prov_desired *d, const struct sl_prov_role_state *s,
                       struct sl_prov_item *it)
{
  char to[200];
  if(!s->exists) {
    it->action = SL_PROV_CREATE;
    return;
  }
  if(!sl_policy_equal(s->trust_policy, d->trust_policy)) {
    snprintf(to, sizeof(to), "firehose.amazonaws.com with ExternalId %s", d->account);
    sl_prov_change(it, "trust_policy", s->trust_policy ? "differs" : "missing", to);
  }
  if(!sl_policy_equal(s->policy, d->role_policy))
    sl_prov_change(it, "inline_policy", s->policy ? "differs" : "missing",
                   SL_PROV_POLICY_NAME " (least privilege)");
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
  r = sl_iam_create_role(run->c, d->p->role.name, d->trust_policy, ROLE_DESCRIPTION, NULL, &role,
                         run->err);
  if(!r) {
    sl_prov_step(run, SL_PROV_ROLE, "CreateRole");
    have->exists = 1;
    snprintf(have->arn, sizeof(have->arn), "%s", role.arn);
    free(have->trust_policy);
    have->trust_policy = strdup(d->trust_policy);
    if(!have->trust_policy)
      r = sl_prov_fail(run->err, SL_E_NOMEM, NULL, "out of memory");
  }
  else if(r == SL_E_AWS && !strcmp(run->err->code, "EntityAlreadyExists")) {
    sl_error_clear(run->err);
    r = sl_prov_role_read(run->c, d, have, run->err);
  }
  sl_iam_role_cleanup(&role);
  return r;
}

enum sl_result sl_prov_role_apply(struct sl_prov_run *run)
{
  const struct sl_prov_desired *d = &run->s->want;
  struct sl_prov_role_state *have = &run->s->have.role;
  const char *name = d->p->role.name;
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
  return r;
}

/* ------------------------------------------------------------------ destroy */

#define MAX_POLICIES 64

struct names {
  char v[MAX_POLICIES][129];
  int n;
};

static int collect_name(void *ud, const char *name)
{
  struct names *ns = ud;
  if(ns->n < MAX_POLICIES)
    snprintf(ns->v[ns->n++], sizeof(ns->v[0]), "%s", name);
  return ns->n >= MAX_POLICIES;
}

static enum sl_result gone_ok(struct sl_prov_run *run, enum sl_result r)
{
  if(r == SL_E_NOT_FOUND) {
    sl_error_clear(run->err);
    return SL_OK;
  }
  return r;
}

/* Inline policies first: IAM refuses to delete a role that has any. Every
 * inline policy goes, not only ours, or DeleteRole could not succeed. */
enum sl_result sl_prov_role_destroy(struct sl_prov_run *run)
{
  const char *role = run->s->want.p->role.name;
  struct names *ns;
  enum sl_result r;
  int i;
  char step[200];
  if(!run->s->have.role.exists)
    return SL_OK;
  ns = calloc(1, sizeof(*ns));
  if(!ns)
    return sl_prov_fail(run->err, SL_E_NOMEM, NULL, "out of memory");
  do {
    ns->n = 0;
    r = gone_ok(run, sl_iam_list_role_policies(run->c, role, collect_name, ns, run->err));
    for(i = 0; !r && i < ns->n; i++) {
      r = gone_ok(run, sl_iam_delete_role_policy(run->c, role, ns->v[i], run->err));
      snprintf(step, sizeof(step), "DeleteRolePolicy %s", ns->v[i]);
      if(!r)
        sl_prov_step(run, SL_PROV_ROLE, step);
    }
  } while(!r && ns->n == MAX_POLICIES);
  free(ns);
  if(!r) {
    r = sl_iam_delete_role(run->c, role, run->err);
    if(!r)
      sl_prov_step(run, SL_PROV_ROLE, "DeleteRole");
    r = gone_ok(run, r);
  }
  return r;
}
