/* provision_internal.h — the session's layout and its in-place open/close,
 * for the engine's own files and unit tests; everyone else has the opaque
 * type and sl_prov_new (include/sluice/provision.h). */
#ifndef SL_PROVISION_INTERNAL_H
#define SL_PROVISION_INTERNAL_H

#include "sluice/provision.h"
#include "common/aws/aws_internal.h"

struct sl_prov {
  const struct sl_profile *profile;  /* borrowed */
  struct sl_client client;
  struct sl_prov_desired want;
  struct sl_prov_state have;
  struct sl_prov_plan plan;
  int done[SL_PROV_NKINDS];     /* apply/destroy: the action carried out (enum sl_prov_action) */
  char calls[SL_PROV_NKINDS][1024]; /* apply/destroy: the changing calls made, ", "-separated */
  char where[256];              /* the resource an error is about, "" when none */
};

/* sl_prov_new in caller memory. On failure s->where names what failed and
 * nothing needs closing (closing anyway is harmless). */
enum sl_result sl_prov_open(struct sl_prov *s, const struct sl_profile *p, struct sl_error *err);
void sl_prov_close(struct sl_prov *s);

#endif
