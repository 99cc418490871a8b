/* provision_internal.h — the session opened and closed in caller memory
 * (provision.c), for unit and integration tests that read its fields;
 * everyone else has sl_prov_new (include/sluice/provision.h). */
#ifndef SL_PROVISION_INTERNAL_H
#define SL_PROVISION_INTERNAL_H

#include "session.h"

/* sl_prov_new in caller memory. On failure s->where names what failed and
 * nothing needs closing (closing anyway is harmless). */
enum sl_result sl_prov_open(struct sl_prov *s, const struct sl_profile *p, struct sl_error *err);
void sl_prov_close(struct sl_prov *s);

#endif
