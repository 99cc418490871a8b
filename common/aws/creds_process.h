/* creds_process.h — credential_process (creds_process.c). Not installed. */
#ifndef SLUICE_CREDS_PROCESS_H
#define SLUICE_CREDS_PROCESS_H

#include "sluice/sigv4.h"

/* credential_process: runs command via /bin/sh -c, output bounded, killed
 * after timeout_ms. */
enum sl_result sl_creds_from_process(const char *command, long timeout_ms,
                                     struct sl_creds *out, struct sl_error *err);

#endif
