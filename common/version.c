/* version.c — the library's version, for programs linked against it. */
#include "sluice/version.h"

const char *sl_version(void)
{
  return SLUICE_VERSION;
}
