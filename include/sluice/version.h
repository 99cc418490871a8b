/* sluice — the version: SLUICE_VERSION is what a program was compiled
 * against, sl_version() what it runs with. */
#ifndef SLUICE_VERSION_H
#define SLUICE_VERSION_H

#include "export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SLUICE_VERSION "0.3.0"

SL_EXPORT const char *sl_version(void);

#ifdef __cplusplus
}
#endif
#endif
