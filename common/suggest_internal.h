/* suggest_internal.h — "did you mean": the nearest of a list of names to
 * a word that matched none of them (an option, a command, a profile key). */
#ifndef SL_SUGGEST_INTERNAL_H
#define SL_SUGGEST_INTERNAL_H

#include <stddef.h>

/* Edit distance (insert, delete, substitute, swap two neighbours), capped
 * at 255 for long words. */
unsigned sl_suggest_distance(const char *a, const char *b);

/* The candidate nearest to word, or NULL when none is near enough to be a
 * typo (at most 2 edits, and fewer than half the word's length). next
 * walks the candidates: it returns the i-th name, or NULL past the end. */
const char *sl_suggest(const char *word, const char *(*next)(const void *list, size_t i),
                       const void *list);

/* The same over a NULL-terminated array of names. */
const char *sl_suggest_in(const char *word, const char *const *names);

#endif
