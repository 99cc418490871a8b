/* cli_values.h — checking option values and printing usage errors, the
 * same way in every command; and numbers with units for people. */
#ifndef SL_CLI_VALUES_H
#define SL_CLI_VALUES_H

#include <stddef.h>

/* "provision send: --batch-size takes a number from 1 to 500" style
 * messages; each returns SL_EXIT_USAGE. */
int sl_cli_usage_error(const char *who, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));
int sl_cli_bad_value(const char *who, const char *opt, const char *value,
                     const char *expected);

/* v as a whole number from lo to hi. 0, or SL_EXIT_USAGE after a message. */
int sl_cli_number(const char *who, const char *opt, const char *v, long long lo,
                  long long hi, long long *out);
/* v as seconds ("90", "1.5") or a duration ("500ms", "90s", "5m", "1h")
 * from 0 to max_s, in milliseconds. 0, or SL_EXIT_USAGE after a message. */
int sl_cli_duration(const char *who, const char *opt, const char *v, double max_s, long *ms);
/* v as one of a '|'-separated list of choices: its index, or -1 after a
 * message naming the choices (and the nearest one). */
int sl_cli_choice(const char *who, const char *opt, const char *v, const char *choices);

#endif
