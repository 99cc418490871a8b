/* kinesis.h — the Kinesis source stream: read, diff, apply, delete
 * (kinesis.c). */
#ifndef SL_PROV_KINESIS_H
#define SL_PROV_KINESIS_H

#include "session.h"

enum sl_result sl_prov_kinesis_read(struct sl_client *c, const struct sl_prov_desired *d,
                                    struct sl_prov_kinesis_state *s, struct sl_error *err);
void sl_prov_kinesis_diff(const struct sl_prov_desired *d, const struct sl_prov_kinesis_state *s,
                          struct sl_prov_item *it);
enum sl_result sl_prov_kinesis_apply(struct sl_prov_run *run);
enum sl_result sl_prov_kinesis_destroy(struct sl_prov_run *run);

#endif
