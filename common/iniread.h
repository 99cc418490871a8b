/* iniread.h — inih with line numbers and values of any length (internal).
 * Debian's inih reads lines in 200-byte pieces whatever ini_max_line says,
 * which would cut session tokens; this wrapper hands long values around it. */
#ifndef SL_INIREAD_H
#define SL_INIREAD_H

/* Called for each key, and with key and value NULL for each [section] line;
 * line is the 1-based line. Return 0 to stop. */
typedef int (*sl_ini_handler)(void *user, const char *section, const char *key,
                              const char *value, int line);

/* Parses NUL-terminated text. Comments: ';' or '#' at line start, and ';'
 * after whitespace inside a line. With nested = 1, indented lines are kept
 * as keys (the AWS config's nested sections) rather than continuations.
 * Returns 0, the first line that is not INI, or -1 when out of memory. */
int sl_ini_parse(const char *text, int nested, sl_ini_handler fn, void *user);

#endif
