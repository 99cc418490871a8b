/* table_internal.h — the table's derivation with the profile key at
 * fault kept apart, so the profile check can name its line (table.c). */
#ifndef SL_TABLE_INTERNAL_H
#define SL_TABLE_INTERNAL_H

#include "sluice/table.h"

struct sl_table_problem {
  const char *section, *key;
  char message[1400];
};

/* sl_table_from_profile without the file name in the message. */
enum sl_result sl_table_build(const struct sl_profile *p, int64_t created, struct sl_table *t,
                              struct sl_table_problem *err);

#endif
