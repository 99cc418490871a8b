/* cli_values.c — option values checked one way for every command, usage
 * errors printed one way, and numbers with units. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/suggest_internal.h"
#include "common/cli/cli_spec.h"
#include "common/cli/cli_values.h"

int sl_cli_usage_error(const char *who, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "%s: ", who);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return SL_EXIT_USAGE;
}

int sl_cli_bad_value(const char *who, const char *opt, const char *value, const char *expected)
{
  return sl_cli_usage_error(who, "--%s: '%s' is not %s (see %s --help)", opt, value, expected,
                            who);
}

int sl_cli_number(const char *who, const char *opt, const char *v, long long lo,
                  long long hi, long long *out)
{
  char *end;
  long long n;
  errno = 0;
  n = strtoll(v, &end, 10);
  if(errno || end == v || *end || n < lo || n > hi)
    return sl_cli_usage_error(who, "--%s takes a number from %lld to %lld, not '%s'", opt, lo,
                              hi, v);
  *out = n;
  return 0;
}

int sl_cli_duration(const char *who, const char *opt, const char *v, double max_s, long *ms)
{
  char *end;
  double n, scale = -1;
  errno = 0;
  n = strtod(v, &end);
  if(end != v && !errno) {
    if(!*end || !strcmp(end, "s"))
      scale = 1;
    else if(!strcmp(end, "ms"))
      scale = 0.001;
    else if(!strcmp(end, "m"))
      scale = 60;
    else if(!strcmp(end, "h"))
      scale = 3600;
  }
  /* Written so that NaN fails too. */
  if(scale < 0 || !(n >= 0 && n * scale <= max_s))
    return sl_cli_usage_error(who, "--%s takes a duration from 0 to %.0f s (e.g. 500ms, 1.5, "
                              "90s, 5m, 1h), not '%s'", opt, max_s, v);
  *ms = (long)(n * scale * 1000.0 + 0.5);
  return 0;
}

int sl_cli_choice(const char *who, const char *opt, const char *v, const char *choices)
{
  char names[16][32];
  const char *list[17], *p = choices, *near;
  int n = 0, i;
  while(*p && n < 16) {
    size_t len = strcspn(p, "|");
    snprintf(names[n], sizeof(names[n]), "%.*s", (int)len, p);
    list[n] = names[n];
    n++;
    p += len + (p[len] == '|');
  }
  list[n] = NULL;
  for(i = 0; i < n; i++)
    if(!strcmp(v, names[i]))
      return i;
  near = sl_suggest_in(v, list);
  if(near)
    sl_cli_usage_error(who, "--%s takes %s, not '%s'; did you mean '%s'?", opt, choices, v,
                       near);
  else
    sl_cli_usage_error(who, "--%s takes %s, not '%s'", opt, choices, v);
  return -1;
}
