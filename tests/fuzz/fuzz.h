/* fuzz.h — what the libFuzzer targets share: logging at TRACE into a sink
 * that checks and drops each line (so the redactor sees everything the
 * parsers log), a NUL-terminated copy of the input, and a check macro that
 * aborts so libFuzzer records the input. */
#ifndef SL_FUZZ_H
#define SL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant the code under test promises; a violation is a finding. */
#define FUZZ_CHECK(cond)                                                        \
  do {                                                                          \
    if(!(cond)) {                                                               \
      fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
      abort();                                                                  \
    }                                                                           \
  } while(0)

/* A registered secret; no log line may ever contain it. */
#define FUZZ_SECRET "fUzZsEcReTkEy0123456789"

static void fuzz_sink(void *ud, enum sl_log_level lvl, const char *line)
{
  (void)ud;
  (void)lvl;
  FUZZ_CHECK(!strstr(line, FUZZ_SECRET));
}

static inline void fuzz_init(void)
{
  static int done;
  if(!done) {
    done = 1;
    sl_log_set_level(SL_LOG_TRACE);
    sl_log_set_sink(fuzz_sink, NULL);
  }
  /* Every input: parsed credentials register their secrets too, and the
   * logger keeps the 16 newest. */
  sl_log_register_secret(FUZZ_SECRET);
}

/* A malloc'ed copy with a NUL after it (inner NULs stay). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
  char *s = malloc(size + 1);
  if(!s)
    abort();
  if(size)
    memcpy(s, data, size);
  s[size] = 0;
  return s;
}

/* True when s[0..max) holds a NUL: fixed-size text fields stay terminated. */
static inline int fuzz_terminated(const char *s, size_t max)
{
  return memchr(s, 0, max) != NULL;
}

#endif
