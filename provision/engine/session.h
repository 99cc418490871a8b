/* session.h — the layout of a provisioning session and of one apply or
 * destroy in progress: types only, shared by the engine's files; everyone
 * else has the opaque type (include/sluice/provision.h). */
#ifndef SL_PROV_SESSION_H
#define SL_PROV_SESSION_H

#include "sluice/provision.h"
#include "common/aws/aws_internal.h"

struct sl_prov {
  const struct sl_profile *profile;  /* borrowed */
  struct sl_client client;
  struct sl_prov_desired want;
  struct sl_prov_state have;
  struct sl_prov_plan plan;
  int done[SL_PROV_NKINDS];     /* apply/destroy: the action carried out (enum sl_prov_action) */
  int raced[SL_PROV_NKINDS];    /* apply: the create found it made meanwhile by another run */
  char calls[SL_PROV_NKINDS][1024]; /* apply/destroy: the changing calls made, ", "-separated */
  char where[600];              /* the resource an error is about, "" when none */
  const char *ran;              /* "apply" or "destroy" once one ran, for the report */
  int dry_run;                  /* that one was --dry-run */
};

/* One apply or destroy in progress. */
struct sl_prov_run {
  struct sl_prov *s;
  const struct sl_prov_options *o;
  struct sl_client *c;
  struct sl_error *err;
};

#endif
