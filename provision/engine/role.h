/* role.h — the IAM delivery role: read, diff, apply, delete (role.c). */
#ifndef SL_PROV_ROLE_H
#define SL_PROV_ROLE_H

#include "session.h"

enum sl_result sl_prov_role_read(struct sl_client *c, const struct sl_prov_desired *d,
                                 struct sl_prov_role_state *s, struct sl_error *err);
/* "<region>/<firehose>", the value of the SL_PROV_OWNER_TAG this profile gives its role. */
void sl_prov_owner_value(const struct sl_prov_desired *d, char *out, size_t outlen);
/* 1 when the existing role serves another pipeline (its owner tag, or for
 * an untagged role the bucket its sluice policy grants), who saying which. */
int sl_prov_role_owner(const struct sl_prov_desired *d, const struct sl_prov_role_state *s,
                       char *who, size_t wholen);
void sl_prov_role_diff(const struct sl_prov_desired *d, const struct sl_prov_role_state *s,
                       struct sl_prov_item *it);
enum sl_result sl_prov_role_apply(struct sl_prov_run *run);
enum sl_result sl_prov_role_destroy(struct sl_prov_run *run);

#endif
