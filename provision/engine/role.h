/* role.h — the IAM delivery role: read, diff, apply, delete (role.c). */
#ifndef SL_PROV_ROLE_H
#define SL_PROV_ROLE_H

#include "session.h"

enum sl_result sl_prov_role_read(struct sl_client *c, const struct sl_prov_desired *d,
                                 struct sl_prov_role_state *s, struct sl_error *err);
void sl_prov_role_diff(const struct sl_prov_desired *d, const struct sl_prov_role_state *s,
                       struct sl_prov_item *it);
enum sl_result sl_prov_role_apply(struct sl_prov_run *run);
enum sl_result sl_prov_role_destroy(struct sl_prov_run *run);

#endif
