/* run_internal.h — the resuming GetObject of run.c, which the iterator
 * (iter.c) reads with too. */
#ifndef SL_INSPECT_RUN_INTERNAL_H
#define SL_INSPECT_RUN_INTERNAL_H

#include "sluice/inspect.h"

/* GetObject tries per object: a cut download resumes with a Range request. */
#define SL_INSPECT_RESUME_ATTEMPTS 3

/* GetObject into on_body; a download cut after *fed bytes (what the
 * caller's decoder already has) goes on with a Range request from there.
 * stop(ud) non-zero after an error means the caller is done with the
 * object: SL_OK. */
enum sl_result sl_inspect_get_resuming(struct sl_client *c, const char *bucket, const char *key,
                                       const uint64_t *fed,
                                       int (*on_body)(void *ud, const char *p, size_t n),
                                       int (*stop)(void *ud), void *ud, struct sl_error *err);

#endif
