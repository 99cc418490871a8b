/* profile_tls.h — the tls_only checks shared by the parser (profile.c)
 * and sl_profile_tls_only (profile_tls.c). Not installed. */
#ifndef SL_PROFILE_TLS_H
#define SL_PROFILE_TLS_H

#include <stddef.h>

/* Why tls_only = true cannot work with a plain-http endpoint, into msg. */
void sl_profile_tls_conflict(const char *endpoint, char *msg, size_t n);

#endif
