/* smoke_seen.c — the keys smoke has read, kept sorted, so each object is
 * fetched once per run however often a listing shows it. */
#include "smoke_seen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Cleared first: no HTTP status or request id of an earlier call. */
static enum sl_result fail(struct sl_error *e, enum sl_result r, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 3, 4)))
#endif
  ;
static enum sl_result fail(struct sl_error *e, enum sl_result r, const char *fmt, ...)
{
  char msg[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  sl_error_clear(e);
  return sl_error_set(e, r, NULL, "%s", msg);
}

size_t sl_smoke_seen_pos(const struct smoke_seen *s, const char *key, int *found)
{
  size_t lo = 0, hi = s->n;
  *found = 0;
  while(lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    int c = strcmp(s->v[mid], key);
    if(!c) {
      *found = 1;
      return mid;
    }
    if(c < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

enum sl_result sl_smoke_seen_add(struct smoke_seen *s, size_t pos, const char *key,
                                 struct sl_error *err)
{
  char *k;
  if(s->n >= SL_SMOKE_MAX_OBJECTS)
    return fail(err, SL_E_TOO_LARGE, "more than %d objects in the window; smoke needs a "
                "quieter prefix", SL_SMOKE_MAX_OBJECTS);
  if(s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    char **v = realloc(s->v, cap * sizeof(*v));
    if(!v)
      return fail(err, SL_E_NOMEM, "out of memory");
    s->v = v;
    s->cap = cap;
  }
  if(!(k = sl_strdup(key)))
    return fail(err, SL_E_NOMEM, "out of memory");
  memmove(s->v + pos + 1, s->v + pos, (s->n - pos) * sizeof(*s->v));
  s->v[pos] = k;
  s->n++;
  return SL_OK;
}

void sl_smoke_seen_cleanup(struct smoke_seen *s)
{
  size_t i;
  for(i = 0; i < s->n; i++)
    free(s->v[i]);
  free(s->v);
}
