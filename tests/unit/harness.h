/* harness.h — the CUnit runner every unit suite shares. A suite file defines
 * its tests as a table and calls SL_TEST_MAIN. */
#ifndef SL_TEST_HARNESS_H
#define SL_TEST_HARNESS_H

#include <CUnit/CUnit.h>
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

struct sl_test {
  const char *name;
  void (*fn)(void);
};

/* Runs the tests, prints CUnit's summary and "suite: N passed, N failed".
 * Returns the process exit code (0 when all passed). */
int sl_test_run(const char *suite, const struct sl_test *tests,
                int (*init)(void), int (*cleanup)(void));

/* Path to a file under the shared test data (SL_TESTDATA), in a static buffer. */
const char *sl_test_data(const char *rel);
/* Reads a whole file into a malloc'ed NUL-terminated string; NULL if missing. */
char *sl_test_read_file(const char *path, size_t *len);
/* A fresh private temporary directory (mode 0700), removed at exit. */
const char *sl_test_tmpdir(void);

/* CU_ASSERT_STRING_EQUAL that shows both strings when they differ, so a
 * rare failure in CI can be read from the log. */
#define SL_ASSERT_STR(got, want)                                                       \
  do {                                                                                 \
    const char *g_ = (got), *w_ = (want);                                              \
    if(!g_ || strcmp(g_, w_))                                                          \
      fprintf(stderr, "%s:%d: got <<%s>>\n  want <<%s>>\n", __FILE__, __LINE__,        \
              g_ ? g_ : "(null)", w_);                                                 \
    CU_ASSERT_STRING_EQUAL(g_, w_);                                                    \
  } while(0)

#define SL_TEST_MAIN(suite, table, init, cleanup) \
  int main(void) { return sl_test_run(suite, table, init, cleanup); }

#endif
