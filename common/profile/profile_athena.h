/* profile_athena.h — the [athena] section's checks (profile_athena.c). */
#ifndef SL_PROFILE_ATHENA_H
#define SL_PROFILE_ATHENA_H

#include "common/profile/profile_diag.h"

/* Names, defaults (table, workgroup, results) and the table's layout. */
void sl_profile_check_athena(struct sl_profile_state *st);

#endif
