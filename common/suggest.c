/* suggest.c — the nearest name to a mistyped one, for "did you mean". */
#include <string.h>

#include "common/suggest_internal.h"

#define MAX_WORD 64

unsigned sl_suggest_distance(const char *a, const char *b)
{
  /* Three rows of the Damerau (optimal string alignment) table. */
  unsigned rows[3][MAX_WORD + 1];
  unsigned *pp = rows[0], *prev = rows[1], *cur = rows[2];
  size_t la = strlen(a), lb = strlen(b), i, j;
  if(la > MAX_WORD || lb > MAX_WORD)
    return 255;
  for(j = 0; j <= lb; j++)
    prev[j] = (unsigned)j;
  for(i = 1; i <= la; i++) {
    unsigned *t;
    cur[0] = (unsigned)i;
    for(j = 1; j <= lb; j++) {
      unsigned cost = a[i - 1] != b[j - 1], best = prev[j - 1] + cost;
      if(prev[j] + 1 < best)
        best = prev[j] + 1;
      if(cur[j - 1] + 1 < best)
        best = cur[j - 1] + 1;
      if(i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && pp[j - 2] + 1 < best)
        best = pp[j - 2] + 1;
      cur[j] = best;
    }
    t = pp;
    pp = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb];
}

const char *sl_suggest(const char *word, const char *(*next)(const void *list, size_t i),
                       const void *list)
{
  const char *best = NULL, *name;
  unsigned best_d = 3, d;
  size_t i, len = strlen(word);
  for(i = 0; (name = next(list, i)) != NULL; i++) {
    d = sl_suggest_distance(word, name);
    /* A name the word begins ("buffer_size" for "buffer_size_mb") is near. */
    if(len >= 4 && !strncmp(name, word, len) && d > 1)
      d = 1;
    /* "ls" for "rm" would be two edits of two letters: no suggestion. */
    if(d < best_d && 2 * d < len) {
      best_d = d;
      best = name;
    }
  }
  return best;
}

static const char *array_next(const void *list, size_t i)
{
  return ((const char *const *)list)[i];
}

const char *sl_suggest_in(const char *word, const char *const *names)
{
  return sl_suggest(word, array_next, names);
}
