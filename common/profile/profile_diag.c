/* profile_diag.c — a profile's diagnostics: every problem with file, line,
 * section and key, the first kept as the error, at most one per key. */
#include "common/profile/profile_diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int key_index(const struct sl_profile_state *st, const char *section, const char *key)
{
  size_t i;
  for(i = 0; section && key && i < st->nkeys; i++)
    if(!strcmp(st->keys[i].section, section) && !strcmp(st->keys[i].key, key))
      return (int)i;
  return -1;
}

void sl_profile_diag(struct sl_profile_state *st, int line, const char *section, const char *key,
                     const char *fmt, ...)
{
  char msg[1024], full[1400];
  int k = key_index(st, section, key);
  va_list ap;
  if(k >= 0) {
    if(st->reported[k] && st->checking)
      return;
    st->reported[k] = 1;
  }
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  if(line > 0 && key)
    snprintf(full, sizeof(full), "%s:%d: [%s] %s: %s", st->name, line, section, key, msg);
  else if(line > 0)
    snprintf(full, sizeof(full), "%s:%d: %s", st->name, line, msg);
  else if(key)
    snprintf(full, sizeof(full), "%s: [%s] %s: %s", st->name, section, key, msg);
  else
    snprintf(full, sizeof(full), "%s: %s", st->name, msg);
  if(!st->ndiags)
    sl_error_set(st->err, SL_E_CONFIG, NULL, "%s", full);
  if(st->diags && st->ndiags < SL_PROFILE_MAX_DIAGS) {
    sl_buf_adds(st->diags, full);
    sl_buf_addc(st->diags, '\n');
  }
  st->ndiags++;
}

int sl_profile_key_line(const struct sl_profile_state *st, const char *section, const char *key)
{
  int k = key_index(st, section, key);
  return k >= 0 ? st->seen_line[k] : 0;
}

void sl_profile_required(struct sl_profile_state *st, int line, const char *section,
                         const char *key)
{
  if(st->command)
    sl_profile_diag(st, line, section, key, "is required by %s", st->command);
  else
    sl_profile_diag(st, line, section, key, "is required");
}
