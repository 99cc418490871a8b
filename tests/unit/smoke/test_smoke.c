/* test_smoke.c — the pure parts of provision/smoke/smoke.c and smoke_report.c:
 * the canary record's exact bytes, which records count as this run's
 * canaries, and the report's counts and lines for a result built by hand. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice.h"
#include "sluice/smoke.h"

#define RUN "0b7e1f3c-2d4a-4c4e-9a1b-5f6e7d8c9a0b"

static void test_canary_record(void)
{
  struct sl_buf b;
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&b, 1024), SL_OK);
  /* 2026-05-01T10:00:00.042Z */
  CU_ASSERT_EQUAL(sl_smoke_canary_record(RUN, 3, 1777629600042LL, &b), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "{\"sluice_canary\":true,\"run_id\":\"" RUN "\",\"seq\":3,"
                                 "\"sent_at\":\"2026-05-01T10:00:00.042Z\"}\n");
  CU_ASSERT_EQUAL(sl_smoke_canary_seq(b.data, b.len, RUN, 10), 3);
  CU_ASSERT_EQUAL(sl_smoke_canary_seq(b.data, b.len, RUN, 2), 0); /* seq past --count */
  sl_buf_cleanup(&b);
}

static void test_canary_seq(void)
{
  static const struct {
    const char *rec;
    int want;
  } cases[] = {
    { "{\"sluice_canary\":true,\"run_id\":\"" RUN "\",\"seq\":1}", 1 },
    /* The decoder never starts a record with a space. */
    { " {\"seq\":7,\"run_id\":\"" RUN "\",\"sluice_canary\":true}", 0 },
    { "{\"seq\":7,\"run_id\":\"" RUN "\",\"sluice_canary\":true}\r\n", 7 },
    { "{\"sluice_canary\":false,\"run_id\":\"" RUN "\",\"seq\":1}", 0 },
    { "{\"sluice_canary\":\"true\",\"run_id\":\"" RUN "\",\"seq\":1}", 0 },
    { "{\"sluice_canary\":true,\"run_id\":\"" RUN "x\",\"seq\":1}", 0 },   /* another run */
    { "{\"sluice_canary\":true,\"run_id\":\"other\",\"seq\":1,\"msg\":\"" RUN "\"}", 0 },
    { "{\"sluice_canary\":true,\"run_id\":\"" RUN "\",\"seq\":\"1\"}", 0 },
    { "{\"sluice_canary\":true,\"run_id\":\"" RUN "\",\"seq\":0}", 0 },
    { "{\"sluice_canary\":true,\"run_id\":\"" RUN "\",\"seq\":11}", 0 },
    { "{\"sluice_canary\":true,\"run_id\":\"" RUN "\",\"seq\":1} {}", 0 }, /* two values */
    { "{\"sluice_canary\":true,\"run_id\":\"" RUN "\",\"seq\":1", 0 },     /* cut short */
    { "[\"" RUN "\"]", 0 },
    { "plain text " RUN, 0 },
    { "", 0 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int got = sl_smoke_canary_seq(cases[i].rec, strlen(cases[i].rec), RUN, 10);
    if(got != cases[i].want)
      fprintf(stderr, "case %zu: got %d want %d\n", i, got, cases[i].want);
    CU_ASSERT_EQUAL(got, cases[i].want);
  }
}

/* A result as sl_smoke_run leaves it: 4 canaries, seq 1 twice, seq 2 in
 * the error prefix, seq 4 missing. */
static void fill(struct sl_smoke_result *res)
{
  int i;
  sl_smoke_result_init(res);
  strcpy(res->run_id, RUN);
  strcpy(res->stream, "s");
  strcpy(res->bucket, "b");
  strcpy(res->prefix, "logs/");
  strcpy(res->error_prefix, "errors/");
  res->count = 4;
  res->canary = calloc(4, sizeof(*res->canary));
  res->objects = calloc(2, sizeof(*res->objects));
  CU_ASSERT_PTR_NOT_NULL_FATAL(res->canary);
  CU_ASSERT_PTR_NOT_NULL_FATAL(res->objects);
  for(i = 0; i < 4; i++)
    res->canary[i].accepted = 1;
  res->canary[0].found = 2;
  res->canary[2].found = 1;
  res->canary[1].errors = 1;
  strcpy(res->canary[1].error_code, "S3.AccessDenied");
  res->objects[0].key = strdup("logs/x");
  res->objects[0].canaries = 3;
  res->objects[0].other = 1;
  res->objects[1].key = strdup("errors/y");
  res->objects[1].error_output = 1;
  res->objects[1].canaries = 1;
  strcpy(res->objects[1].error_code, "S3.AccessDenied");
  res->nobjects = 2;
  res->sent = 4;
  res->found = 2;
  res->missing = 1;
  res->duplicated = 1;
  res->in_error = 1;
  res->elapsed_s = 3;
  res->timed_out = 1;
}

static void test_report(void)
{
  struct sl_smoke_result res;
  struct sl_buf b, flat;
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&b, SL_BUF_SMALL), SL_OK);
  fill(&res);
  CU_ASSERT_EQUAL(sl_smoke_report_text(&res, &b), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data,
    "smoke: run " RUN ": 4 of 4 canaries sent to firehose s\n"
    "  object s3://b/logs/x: 3 canaries, 1 other record\n"
    "  error s3://b/errors/y: 1 canary, errorCode S3.AccessDenied\n"
    "  missing: seq 4 (not under s3://b/logs/ nor the error prefix after 3 s)\n"
    "  duplicated: seq 1\n"
    "  in the error prefix s3://b/errors/: 1 canary, errorCode S3.AccessDenied (1)\n"
    "smoke: FAILED: sent 4, found 2, missing 1, duplicated 1, in error prefix 1 "
    "(3.0 s, timed out)\n");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_smoke_report_json(NULL, &res, NULL, &b), SL_OK);
  /* Indented by the one JSON writer; searched without the blanks. */
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&flat, SL_BUF_SMALL), SL_OK);
  CU_ASSERT_EQUAL(sl_json_compact(b.data, b.len, &flat), SL_OK);
  sl_buf_cleanup(&b);
  b = flat;
  CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "{\"format_version\":1,\"command\":\"smoke\","));
  CU_ASSERT_EQUAL(strstr(b.data, "{\"format_version\":1,"), b.data);
  CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\"count\":4,\"sent\":4,\"found\":2,\"missing\":1,"
                                        "\"duplicated\":1,\"in_error\":1,\"passed\":false,"
                                        "\"timed_out\":true"));
  CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\"missing_seq\":[4],\"duplicated_seq\":[1],"
                                        "\"refused_seq\":[],\"error_codes\":[{\"errorCode\":"
                                        "\"S3.AccessDenied\",\"canaries\":1}]"));
  CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\"latency_s\":null"));
  sl_smoke_result_cleanup(&res);
  sl_buf_cleanup(&b);
}

static const struct sl_test tests[] = {
  { "canary record", test_canary_record },
  { "canary seq", test_canary_seq },
  { "report", test_report },
  { NULL, NULL },
};

SL_TEST_MAIN("smoke", tests, NULL, NULL)
