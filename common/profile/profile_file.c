/* profile_file.c — a profile read from its file: the checks on the file
 * itself (a folder, unreadable, too large, a NUL byte), then the parser. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sluice/profile.h"

enum sl_result sl_profile_load(const char *path, struct sl_profile *p, struct sl_buf *diagnostics,
                               struct sl_error *err)
{
  return sl_profile_load_for(path, SL_PROFILE_NEED_PIPELINE, NULL, p, diagnostics, err);
}

enum sl_result sl_profile_load_for(const char *path, unsigned needs, const char *command,
                                   struct sl_profile *p, struct sl_buf *diagnostics,
                                   struct sl_error *err)
{
  FILE *f;
  struct stat st;
  struct sl_buf text;
  char chunk[8192];
  size_t n;
  enum sl_result r;
  snprintf(p->path, sizeof(p->path), "%s", path);
  if(!stat(path, &st) && S_ISDIR(st.st_mode))
    return sl_error_set(err, SL_E_CONFIG, NULL, "%s: is a directory, not a profile (an INI "
                        "file such as profiles/local.ini)", path);
  f = fopen(path, "rb");
  if(!f)
    return sl_error_set(err, SL_E_CONFIG, NULL, "%s: cannot open profile: %s", path,
                        strerror(errno));
  r = sl_buf_init(&text, 4u * 1024 * 1024);
  while(!r && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    r = sl_buf_add(&text, chunk, n);
  if(!r && ferror(f))
    r = sl_error_set(err, SL_E_IO, NULL, "%s: read error", path);
  else if(r == SL_E_TOO_LARGE)
    sl_error_set(err, SL_E_CONFIG, NULL, "%s: profile larger than 4 MiB", path);
  fclose(f);
  if(!r && memchr(text.data, 0, text.len))
    r = sl_error_set(err, SL_E_CONFIG, NULL, "%s: profile contains a NUL byte", path);
  if(!r)
    r = sl_profile_parse_for(path, text.data, needs, command, p, diagnostics, err);
  sl_buf_cleanup_secret(&text);
  return r;
}
