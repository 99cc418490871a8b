/* harness.h — the CUnit runner every unit suite shares. A suite file defines
 * its tests as a table and calls SL_TEST_MAIN. */
#ifndef SL_TEST_HARNESS_H
#define SL_TEST_HARNESS_H

#include <CUnit/CUnit.h>
#include <CUnit/Basic.h>

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

#define SL_TEST_MAIN(suite, table, init, cleanup) \
  int main(void) { return sl_test_run(suite, table, init, cleanup); }

#endif
