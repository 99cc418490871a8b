/* profile_check.h — the whole-profile checks (profile_check.c). */
#ifndef SL_PROFILE_CHECK_H
#define SL_PROFILE_CHECK_H

#include "common/profile/profile_diag.h"

/* Every check, after all lines are read (whatever they reported): one
 * diagnostic per problem; fills the derived defaults (role name, log
 * group and stream). */
void sl_profile_check(struct sl_profile_state *st);

#endif
