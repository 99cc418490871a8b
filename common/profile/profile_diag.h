/* profile_diag.h — what the profile parser and its checks share: the key
 * table's shape, the parse state, and one diagnostic per problem (profile_diag.c). */
#ifndef SL_PROFILE_DIAG_H
#define SL_PROFILE_DIAG_H

#include "sluice/profile.h"

#include <stddef.h>

#define SL_PROFILE_MAX_KEYS 64    /* room in the parse state for the key table */
#define SL_PROFILE_NSECTIONS 8    /* aws, bucket, role, firehose, kinesis, retry, send, athena */

enum sl_profile_kind { K_STR, K_SECRET, K_URL, K_BOOL, K_INT, K_ENUM, K_TAGS, K_REGION };

struct sl_profile_key {
  const char *section;
  const char *key;
  enum sl_profile_kind kind;
  size_t off;        /* offset into struct sl_profile */
  size_t size;       /* K_STR: field size */
  long min, max;     /* K_INT */
  const char *const *choices; /* K_ENUM: accepted words, index stored as int */
};

struct sl_profile_state {
  const char *name;       /* file name for messages */
  int line;               /* line of the key being handled */
  struct sl_profile *p;
  struct sl_buf *diags;   /* all messages */
  struct sl_error *err;   /* the first */
  int ndiags;
  unsigned needs;         /* SL_PROFILE_NEED_* */
  const char *command;    /* who needs them, for "is required by ..." */
  const struct sl_profile_key *keys;
  size_t nkeys;
  int seen_line[SL_PROFILE_MAX_KEYS];
  char reported[SL_PROFILE_MAX_KEYS]; /* the key has a diagnostic already */
  int checking;           /* in sl_profile_check: one diagnostic per key */
  int section_line[SL_PROFILE_NSECTIONS];
};

#define SL_PROFILE_MAX_DIAGS 50

/* One problem: "FILE:LINE: [section] key: message" (line 0: no line,
 * section NULL: no key). While checking, a key that has a diagnostic gets
 * no other, so a value refused while reading is not reported again. */
void sl_profile_diag(struct sl_profile_state *st, int line, const char *section, const char *key,
                     const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 5, 6)))
#endif
  ;
/* Where the key was set, 0 when it was not. */
int sl_profile_key_line(const struct sl_profile_state *st, const char *section, const char *key);
/* "is required", and by whom when a command asked. */
void sl_profile_required(struct sl_profile_state *st, int line, const char *section,
                         const char *key);

#endif
