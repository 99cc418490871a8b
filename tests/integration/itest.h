/* itest.h — helpers for integration suites: a client pointed at the
 * endpoint the runner started (SLUICE_TEST_ENDPOINT), and the emulator's
 * control API for ledger and fault checks. */
#ifndef SL_ITEST_H
#define SL_ITEST_H

#include "sluice.h"
/* The suites embed clients and sessions: they link the static core. */
#include "common/aws/aws_internal.h"
#include "provision/engine/provision_internal.h"

/* A client for SLUICE_TEST_ENDPOINT with the test/test keys, region us-east-1
 * unless SLUICE_TEST_REGION says otherwise. Fails the test run when unset. */
int sl_itest_client(struct sl_client *c, const char *region);
/* Emulator control: POST/GET a path under /_emu/ with an optional JSON body;
 * the answer body is returned malloc'ed (NULL on failure). Returns status. */
long sl_itest_control(const char *method, const char *path, const char *json, char **answer);
/* A name unique to this run, for buckets and streams: prefix-<pid>-<n>. */
const char *sl_itest_name(const char *prefix);
/* Runs $SLUICE_BUILD/<tool> with args (shell words), its stdout and stderr
 * kept in dir/out and dir/err and read back into *out and *err (malloc'ed,
 * never NULL; freed first when set). Returns the exit code, -1 if none. */
int sl_itest_run_tool(const char *tool, const char *args, const char *dir, char **out,
                      char **err);
/* 1 when the endpoint is the bundled emulator (control API present). */
int sl_itest_is_emulator(void);
/* A --json document without the blanks outside strings (sl_json_compact),
 * in a static buffer, for comparing with an expected one-line text. */
const char *sl_itest_flat(const char *json);

#endif
