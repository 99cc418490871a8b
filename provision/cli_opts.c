/* cli_opts.c — the option handling the provision command lines share
 * (main.c, cmd_send.c, cmd_smoke.c), so that a refusal or a bad value reads
 * the same whichever command printed it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"
#include "cli_opts.h"

int sl_cli_is_help(const char *a)
{
  return !strcmp(a, "-h") || !strcmp(a, "--help");
}

int sl_cli_verbose(const char *a, int *verbose)
{
  if(strcmp(a, "-v") && strcmp(a, "-vv") && strcmp(a, "-vvv"))
    return 0;
  *verbose += (int)strlen(a) - 1;
  return 1;
}

int sl_cli_refused(const char *who, const char *a)
{
  if(!sl_config_is_credential_option(a))
    return 0;
  /* Named without its value: the value may be the secret itself. */
  fprintf(stderr, "%s: refusing '%.*s': %s\n", who, (int)strcspn(a, "="), a,
          SL_CREDENTIAL_OPTION_HINT);
  return 1;
}

void sl_cli_unknown(const char *who, const char *a)
{
  fprintf(stderr, "%s: unknown option '%.*s' (see %s --help)\n", who, (int)strcspn(a, "="), a,
          who);
}

void sl_cli_needs_value(const char *who, const char *a)
{
  fprintf(stderr, "%s: %.*s needs a value (see %s --help)\n", who, (int)strcspn(a, "="), a,
          who);
}

int sl_cli_number(const char *who, const char *opt, const char *v, int lo, int hi, int *out)
{
  char *end;
  long n;
  errno = 0;
  n = v ? strtol(v, &end, 10) : 0;
  if(!v || errno || *end || end == v || n < lo || n > hi) {
    fprintf(stderr, "%s: %s takes a number from %d to %d\n", who, opt, lo, hi);
    return -1;
  }
  *out = (int)n;
  return 0;
}

void sl_cli_error(const char *where, const struct sl_error *err)
{
  char line[2048];
  size_t n = strlen(where);
  sl_error_format(err, line, sizeof(line));
  /* A profile error already starts with "FILE:LINE:". */
  if(!strncmp(line, where, n) && line[n] == ':')
    fprintf(stderr, "provision: %s\n", line);
  else
    fprintf(stderr, "provision: %s: %s\n", where, line);
}
