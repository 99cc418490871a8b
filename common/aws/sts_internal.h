/* sts_internal.h — the AssumeRole* answer parser on its own (sts.c), for the
 * fuzz target and tests. Not installed. */
#ifndef SLUICE_STS_INTERNAL_H
#define SLUICE_STS_INTERNAL_H

#include "sluice/sigv4.h"

/* An AssumeRole* answer body (XML) into out, as the STS calls parse it;
 * for the fuzz target. action names the call in messages. */
enum sl_result sl_sts_parse_credentials(const char *xml, size_t len, const char *action,
                                        const char *source, struct sl_creds *out,
                                        struct sl_error *err);

#endif
