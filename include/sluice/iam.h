/* sluice — the IAM role calls the provisioner needs (Query protocol,
 * Version 2010-05-08): roles, their trust policy, inline role policies,
 * attached managed policies, permissions boundaries and tags. Policy documents go in and come out as plain JSON text: the
 * URL-encoding IAM applies to documents in its answers is undone here. */
#ifndef SLUICE_IAM_H
#define SLUICE_IAM_H

#include "export.h"

#include "aws.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SL_IAM_VERSION "2010-05-08"
#define SL_IAM_MAX_POLICY (128u * 1024u) /* bound on one decoded document */

struct sl_iam_role {
  char name[65];
  char arn[2048];
  char role_id[128];
  char *trust_policy; /* decoded JSON, malloc'ed; NULL when IAM sent none */
  char boundary[2048]; /* permissions boundary policy ARN, "" = none */
  struct sl_headers tags; /* key = value, as IAM sent them */
};

SL_EXPORT void sl_iam_role_init(struct sl_iam_role *r);
SL_EXPORT void sl_iam_role_cleanup(struct sl_iam_role *r);

/* Every call maps IAM's NoSuchEntity to SL_E_NOT_FOUND (err still filled);
 * other error answers are SL_E_AWS with err->code as IAM sent it (for
 * example EntityAlreadyExists, DeleteConflict, MalformedPolicyDocument). */

/* GetRole. out is filled (trust policy decoded). */
SL_EXPORT enum sl_result sl_iam_get_role(struct sl_client *c, const char *name, struct sl_iam_role *out,
                               struct sl_error *err);
/* CreateRole with path "/". description, boundary (a permissions boundary
 * policy ARN) and tags may be NULL. out may be NULL. */
SL_EXPORT enum sl_result sl_iam_create_role(struct sl_client *c, const char *name, const char *trust_policy,
                                  const char *description, const char *boundary,
                                  const struct sl_headers *tags, struct sl_iam_role *out,
                                  struct sl_error *err);
SL_EXPORT enum sl_result sl_iam_update_assume_role_policy(struct sl_client *c, const char *name,
                                                const char *trust_policy, struct sl_error *err);
SL_EXPORT enum sl_result sl_iam_delete_role(struct sl_client *c, const char *name, struct sl_error *err);

SL_EXPORT enum sl_result sl_iam_put_role_policy(struct sl_client *c, const char *role,
                                      const char *policy_name, const char *document,
                                      struct sl_error *err);
/* GetRolePolicy: the decoded document replaces the contents of out. */
SL_EXPORT enum sl_result sl_iam_get_role_policy(struct sl_client *c, const char *role,
                                      const char *policy_name, struct sl_buf *out,
                                      struct sl_error *err);
/* ListRolePolicies, every page: on_name is called per policy name; a
 * non-zero return stops the listing (SL_OK). */
SL_EXPORT enum sl_result sl_iam_list_role_policies(struct sl_client *c, const char *role,
                                         int (*on_name)(void *ud, const char *name), void *ud,
                                         struct sl_error *err);
SL_EXPORT enum sl_result sl_iam_delete_role_policy(struct sl_client *c, const char *role,
                                         const char *policy_name, struct sl_error *err);
/* ListAttachedRolePolicies, every page: on_policy is called per managed
 * policy attached to the role; a non-zero return stops the listing. */
SL_EXPORT enum sl_result sl_iam_list_attached_role_policies(struct sl_client *c, const char *role,
                                                  int (*on_policy)(void *ud, const char *arn,
                                                                   const char *name),
                                                  void *ud, struct sl_error *err);
SL_EXPORT enum sl_result sl_iam_attach_role_policy(struct sl_client *c, const char *role,
                                         const char *policy_arn, struct sl_error *err);
/* DetachRolePolicy: SL_E_NOT_FOUND when that policy is not attached. */
SL_EXPORT enum sl_result sl_iam_detach_role_policy(struct sl_client *c, const char *role,
                                         const char *policy_arn, struct sl_error *err);
SL_EXPORT enum sl_result sl_iam_put_role_permissions_boundary(struct sl_client *c, const char *role,
                                                    const char *policy_arn, struct sl_error *err);
SL_EXPORT enum sl_result sl_iam_delete_role_permissions_boundary(struct sl_client *c, const char *role,
                                                       struct sl_error *err);
/* TagRole: adds or replaces the given key = value pairs. */
SL_EXPORT enum sl_result sl_iam_tag_role(struct sl_client *c, const char *role, const struct sl_headers *tags,
                               struct sl_error *err);
/* UntagRole: removes the keys named (the names of keys; values ignored). */
SL_EXPORT enum sl_result sl_iam_untag_role(struct sl_client *c, const char *role,
                                 const struct sl_headers *keys, struct sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
