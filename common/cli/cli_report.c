/* cli_report.c — how both command lines print a failure: a profile's
 * diagnostics, each once with its FILE:LINE, and an AWS or local error with
 * where it happened. */
#include <stdio.h>
#include <string.h>

#include "sluice/buf.h"
#include "sluice/profile.h"
#include "common/cli/cli_spec.h"
#include "common/cli/cli_report.h"

int sl_cli_exit_for(int result)
{
  return result == SL_E_CONFIG ? SL_EXIT_USAGE : SL_EXIT_FAILED;
}

void sl_cli_error(const char *who, const char *where, const struct sl_error *err)
{
  char line[2048];
  size_t n = where ? strlen(where) : 0;
  sl_error_format(err, line, sizeof(line));
  if(!line[0])
    snprintf(line, sizeof(line), "%s", sl_strresult(err->result));
  /* A profile error already starts with "FILE:LINE:" or "FILE:". */
  if(!n || (!strncmp(line, where, n) && line[n] == ':'))
    fprintf(stderr, "%s: %s\n", who, line);
  else
    fprintf(stderr, "%s: %s: %s\n", who, where, line);
}

int sl_cli_profile_load(const char *who, const char *path, struct sl_profile *p,
                        struct sl_error *err)
{
  struct sl_buf diag;
  enum sl_result r;
  const char *line, *nl;
  if(sl_buf_init(&diag, SL_BUF_SMALL))
    return SL_EXIT_FAILED;
  r = sl_profile_load(path, p, &diag, err);
  if(r && !diag.len)
    sl_cli_error(who, path, err);
  for(line = diag.data; r && line && *line; line = nl ? nl + 1 : NULL) {
    nl = strchr(line, '\n');
    fprintf(stderr, "%s: %.*s\n", who, nl ? (int)(nl - line) : (int)strlen(line), line);
  }
  sl_buf_cleanup(&diag);
  if(!r)
    return 0;
  /* Out of memory is not the user's mistake. */
  return r == SL_E_NOMEM ? SL_EXIT_FAILED : SL_EXIT_USAGE;
}
