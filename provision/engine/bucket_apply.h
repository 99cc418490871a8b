/* bucket_apply.h — converging and deleting the bucket (bucket_apply.c). */
#ifndef SL_PROV_BUCKET_APPLY_H
#define SL_PROV_BUCKET_APPLY_H

#include "session.h"

enum sl_result sl_prov_bucket_apply(struct sl_prov_run *run);
enum sl_result sl_prov_bucket_destroy(struct sl_prov_run *run);

#endif
