/* smoke_seen.h — the sorted set of keys smoke has read (smoke_seen.c). Not
 * installed. */
#ifndef SLUICE_SMOKE_SEEN_H
#define SLUICE_SMOKE_SEEN_H

#include "sluice/smoke.h"

struct smoke_seen {
  char **v;
  size_t n, cap;
};

/* Position of key, or where it would go; *found says which. */
size_t sl_smoke_seen_pos(const struct smoke_seen *s, const char *key, int *found);
/* Inserts a copy of key at pos (from sl_smoke_seen_pos); at most
 * SL_SMOKE_MAX_OBJECTS keys. */
enum sl_result sl_smoke_seen_add(struct smoke_seen *s, size_t pos, const char *key,
                                 struct sl_error *err);
void sl_smoke_seen_cleanup(struct smoke_seen *s);

#endif
