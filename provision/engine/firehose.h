/* firehose.h — the Firehose delivery stream: read, diff, apply, delete
 * (firehose.c). */
#ifndef SL_PROV_FIREHOSE_H
#define SL_PROV_FIREHOSE_H

#include "session.h"

enum sl_result sl_prov_firehose_read(struct sl_client *c, const struct sl_prov_desired *d,
                                     struct sl_prov_firehose_state *s, struct sl_error *err);
void sl_prov_firehose_diff(const struct sl_prov_desired *d,
                           const struct sl_prov_firehose_state *s, struct sl_prov_item *it);
enum sl_result sl_prov_firehose_apply(struct sl_prov_run *run);
enum sl_result sl_prov_firehose_destroy(struct sl_prov_run *run);

#endif
