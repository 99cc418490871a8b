/* logs.h — the CloudWatch log group and log stream Firehose logs delivery
 * errors to: read, diff, apply, delete (logs.c). */
#ifndef SL_PROV_LOGS_H
#define SL_PROV_LOGS_H

#include "session.h"

enum sl_result sl_prov_logs_read(struct sl_client *c, const struct sl_prov_desired *d,
                                 struct sl_prov_logs_state *s, struct sl_error *err);
void sl_prov_logs_diff(const struct sl_prov_desired *d, const struct sl_prov_logs_state *s,
                       struct sl_prov_item *it);
enum sl_result sl_prov_logs_apply(struct sl_prov_run *run);
enum sl_result sl_prov_logs_destroy(struct sl_prov_run *run);

#endif
