/* listing_internal.h — the lister's one setting the commands need beyond
 * the public ones (tail's already-printed keys). */
#ifndef SL_INSPECT_LISTING_INTERNAL_H
#define SL_INSPECT_LISTING_INTERNAL_H

#include "sluice/inspect.h"

/* Keys for which skip() answers non-zero are passed over, like those
 * before start_after. */
void sl_inspect_lister_set_skip(struct sl_inspect_lister *l,
                                int (*skip)(void *ud, const char *key), void *ud);

#endif
