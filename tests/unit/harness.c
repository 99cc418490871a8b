/* harness.c — shared CUnit runner and small file helpers for unit suites. */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[256];

static void remove_tmpdir(void)
{
  char cmd[300];
  if(tmpdir[0]) {
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if(system(cmd) != 0)
      fprintf(stderr, "warning: could not remove %s\n", tmpdir);
  }
}

const char *sl_test_tmpdir(void)
{
  if(!tmpdir[0]) {
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/sluice-test-XXXXXX", base ? base : "/tmp");
    if(!mkdtemp(tmpdir)) {
      perror("mkdtemp");
      exit(2);
    }
    atexit(remove_tmpdir);
  }
  return tmpdir;
}

const char *sl_test_data(const char *rel)
{
  static char path[4096];
  const char *base = getenv("SL_TESTDATA");
  snprintf(path, sizeof(path), "%s/%s", base ? base : "../shared/testdata", rel);
  return path;
}

char *sl_test_read_file(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if(!f)
    return NULL;
  if(fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
    fclose(f);
    return NULL;
  }
  buf = malloc((size_t)n + 1);
  if(buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  if(buf) {
    buf[n] = 0;
    if(len)
      *len = (size_t)n;
  }
  return buf;
}

int sl_test_run(const char *suite, const struct sl_test *tests,
                int (*init)(void), int (*cleanup)(void))
{
  CU_pSuite s;
  unsigned passed, failed;
  int rc;
  if(CU_initialize_registry() != CUE_SUCCESS)
    return 2;
  s = CU_add_suite(suite, init, cleanup);
  if(!s)
    return 2;
  for(; tests->name; tests++)
    if(!CU_add_test(s, tests->name, tests->fn))
      return 2;
  CU_basic_set_mode(CU_BRM_NORMAL);
  CU_basic_run_tests();
  failed = CU_get_number_of_tests_failed();
  passed = CU_get_number_of_tests_run() - failed;
  /* An init failure runs no test: count the suite as failed. */
  if(CU_get_number_of_suites_failed())
    failed++;
  printf("\n%s: %u passed, %u failed\n", suite, passed, failed);
  rc = failed ? 1 : 0;
  CU_cleanup_registry();
  return rc;
}
