/* test_window.c — inspect/window.c: --since/--until parsing (relative times
 * against an injected "now"), arrival times in Firehose object names,
 * !{timestamp:...} prefix evaluation, and time windows → the exact hour
 * prefixes to list, across day, month, year and leap-day boundaries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice/inspect.h"

/* 2024-03-01T00:30:00Z */
#define NOW 1709253000LL

static void test_parse_time(void)
{
  static const struct {
    const char *in;
    int ok;
    long long want;
  } cases[] = {
    { "2024-03-01", 1, 1709251200LL },
    { "2024-03-01T00:30", 1, NOW },
    { "2024-03-01T00:30:00Z", 1, NOW },
    { "2024-03-01 00:30:00", 1, NOW },
    { "2024-03-01T00:30:00.123Z", 1, NOW },
    { "2024-02-29T23", 1, 1709247600LL },
    { "2023-12-31T23:59:59Z", 1, 1704067199LL },
    { "now", 1, NOW },
    { "30m", 1, NOW - 1800 },
    { "2h", 1, NOW - 7200 },
    { "1d", 1, NOW - 86400 },
    { "45s", 1, NOW - 45 },
    { "0h", 1, NOW },
    { "", 0, 0 },
    { "2h ago", 0, 0 },
    { "-2h", 0, 0 },
    { "2w", 0, 0 },
    { "h", 0, 0 },
    { "2024-13-01", 0, 0 },
    { "2024-03-01T24", 0, 0 },
    { "2024-03-01T00:30Zx", 0, 0 },
    { "2024-3-01", 0, 0 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int64_t t = -1;
    enum sl_result r = sl_inspect_parse_time(cases[i].in, NOW, &t);
    if(cases[i].ok != (r == SL_OK) || (cases[i].ok && t != cases[i].want))
      fprintf(stderr, "parse_time case %zu (%s): r=%d t=%lld\n", i, cases[i].in, r,
              (long long)t);
    CU_ASSERT_EQUAL(r == SL_OK, cases[i].ok);
    if(cases[i].ok)
      CU_ASSERT_EQUAL(t, cases[i].want);
  }
}

static void test_format_time(void)
{
  char s[32];
  sl_inspect_format_time(NOW, s, sizeof(s));
  CU_ASSERT_STRING_EQUAL(s, "2024-03-01T00:30:00Z");
}

static void test_key_time(void)
{
  static const struct {
    const char *key;
    int ok;
    long long want;
  } cases[] = {
    { "logs/2024/03/01/00/st-1-2024-03-01-00-30-00-0b6c1d5e-4a8c-4a3e-9a1e-2f0c6c1c7d10", 1,
      NOW },
    { "logs/2024/03/01/00/st-1-2024-03-01-00-30-00-0b6c1d5e-4a8c-4a3e-9a1e-2f0c6c1c7d10.gz", 1,
      NOW },
    /* the stream name may look like a date too: the last stamp wins */
    { "p/2023-01-01-00-00-00-1-2024-03-01-00-30-00-abc", 1, NOW },
    { "st-1-2024-03-01-00-30-00", 1, NOW },
    { "logs/2024/03/01/00/plain.json", 0, 0 },
    { "st-1-2024-03-01-00-30-0x-abc", 0, 0 },
    { "st-1-2024-13-01-00-30-00-abc", 0, 0 },
    { "", 0, 0 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    int64_t t = 0;
    int ok = sl_inspect_key_time(cases[i].key, &t);
    CU_ASSERT_EQUAL(ok, cases[i].ok);
    if(ok && cases[i].ok)
      CU_ASSERT_EQUAL(t, cases[i].want);
  }
}

static void test_eval_prefix(void)
{
  static const struct {
    const char *pattern;
    enum sl_result r;
    const char *want;
    int complete;
  } cases[] = {
    { "logs/", SL_OK, "logs/", 1 },
    { "", SL_OK, "", 1 },
    { "logs/!{timestamp:yyyy/MM/dd/HH}/", SL_OK, "logs/2024/03/01/00/", 1 },
    { "y=!{timestamp:yyyy}/m=!{timestamp:MM}/d=!{timestamp:dd}/h=!{timestamp:HH}/", SL_OK,
      "y=2024/m=03/d=01/h=00/", 1 },
    { "!{timestamp:yy-M-d-H}/", SL_OK, "24-3-1-0/", 1 },
    { "!{timestamp:'year='yyyy'/day='DDD}/", SL_OK, "year=2024/day=061/", 1 },
    { "!{timestamp:uuuu''MM}", SL_OK, "2024'03", 1 },
    { "logs/!{timestamp:yyyy/MM/dd/HH/mm}/", SL_OK, "logs/2024/03/01/00/", 0 },
    { "logs/!{firehose:random-string}/!{timestamp:yyyy}/", SL_OK, "logs/", 0 },
    { "err/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/", SL_OK, "err/", 0 },
    { "logs/!{timestamp:yyyy", SL_E_INVALID, NULL, 0 },
    { "logs/!{timestamp:yyyy/QQ}/", SL_E_INVALID, NULL, 0 },
    { "logs/!{timestamp:'open}/", SL_E_INVALID, NULL, 0 },
    { "logs/!{partitionKeyFromQuery:id}/", SL_E_INVALID, NULL, 0 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_buf b;
    int complete = -1;
    enum sl_result r;
    sl_buf_init(&b, 4096);
    r = sl_inspect_eval_prefix(cases[i].pattern, NOW, &b, &complete);
    if(r != cases[i].r || (cases[i].want && strcmp(b.data, cases[i].want)))
      fprintf(stderr, "eval case %zu: r=%d got '%s'\n", i, r, b.data);
    CU_ASSERT_EQUAL(r, cases[i].r);
    if(cases[i].want) {
      CU_ASSERT_STRING_EQUAL(b.data, cases[i].want);
      CU_ASSERT_EQUAL(complete, cases[i].complete);
    }
    sl_buf_cleanup(&b);
  }
}

/* Expected prefixes joined with '|'. */
static void check_window(const char *pattern, const char *since, const char *until,
                         enum sl_result want_r, const char *want)
{
  struct sl_inspect_prefixes p;
  struct sl_buf got;
  int64_t s, u;
  enum sl_result r;
  size_t i;
  CU_ASSERT_EQUAL_FATAL(sl_inspect_parse_time(since, NOW, &s), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_inspect_parse_time(until, NOW, &u), SL_OK);
  sl_buf_init(&got, 1u << 20);
  r = sl_inspect_window_prefixes(pattern, s, u, 300, &p);
  for(i = 0; !r && i < p.n; i++)
    sl_buf_printf(&got, "%s%s", i ? "|" : "", p.v[i]);
  if(r != want_r || (want && strcmp(got.data, want)))
    fprintf(stderr, "window %s %s..%s: r=%d got %s\n", pattern, since, until, r, got.data);
  CU_ASSERT_EQUAL(r, want_r);
  if(want)
    CU_ASSERT_STRING_EQUAL(got.data, want);
  sl_inspect_prefixes_cleanup(&p);
  sl_buf_cleanup(&got);
}

static void test_window_default_layout(void)
{
  /* year, month and leap-day boundaries */
  check_window("logs/", "2023-12-31T22:15", "2024-01-01T01:00", SL_OK,
               "logs/2023/12/31/22/|logs/2023/12/31/23/|logs/2024/01/01/00/|logs/2024/01/01/01/");
  check_window("logs/", "2024-02-28T23:59:59", "2024-03-01T00:00", SL_OK,
               "logs/2024/02/28/23/|logs/2024/02/29/00/|logs/2024/02/29/01/|logs/2024/02/29/02/|"
               "logs/2024/02/29/03/|logs/2024/02/29/04/|logs/2024/02/29/05/|logs/2024/02/29/06/|"
               "logs/2024/02/29/07/|logs/2024/02/29/08/|logs/2024/02/29/09/|logs/2024/02/29/10/|"
               "logs/2024/02/29/11/|logs/2024/02/29/12/|logs/2024/02/29/13/|logs/2024/02/29/14/|"
               "logs/2024/02/29/15/|logs/2024/02/29/16/|logs/2024/02/29/17/|logs/2024/02/29/18/|"
               "logs/2024/02/29/19/|logs/2024/02/29/20/|logs/2024/02/29/21/|logs/2024/02/29/22/|"
               "logs/2024/02/29/23/|logs/2024/03/01/00/");
  check_window("", "2023-04-30T23:00", "2023-05-01T00:59", SL_OK,
               "2023/04/30/23/|2023/05/01/00/");
  /* relative to the injected now (00:30): 2 h back crosses midnight */
  check_window("logs/", "2h", "now", SL_OK,
               "logs/2024/02/29/22/|logs/2024/02/29/23/|logs/2024/03/01/00/");
  check_window("logs/", "30m", "now", SL_OK, "logs/2024/03/01/00/");
  check_window("logs/", "now", "2h", SL_OK, "");
  check_window("logs/", "13d", "now", SL_E_TOO_LARGE, NULL);
}

static void test_window_expressions(void)
{
  check_window("logs/!{timestamp:yyyy/MM/dd/HH}/", "2023-12-31T23:00", "2024-01-01T00:10", SL_OK,
               "logs/2023/12/31/23/|logs/2024/01/01/00/");
  check_window("y=!{timestamp:yyyy}/m=!{timestamp:MM}/d=!{timestamp:dd}/h=!{timestamp:HH}/",
               "2024-01-31T23:00", "2024-02-01T00:00", SL_OK,
               "y=2024/m=01/d=31/h=23/|y=2024/m=02/d=01/h=00/");
  /* daily layout: one prefix per day */
  check_window("d/!{timestamp:yyyy-MM-dd}/", "2024-02-28T10:00", "2024-03-01T00:00", SL_OK,
               "d/2024-02-28/|d/2024-02-29/|d/2024-03-01/");
  /* a layout out of time order is listed in key order */
  check_window("!{timestamp:dd-MM-yyyy}/", "2023-12-31T23:00", "2024-01-01T00:00", SL_OK,
               "01-01-2024/|31-12-2023/");
  /* minutes in the pattern: the hour part is what narrows */
  check_window("m/!{timestamp:yyyy/MM/dd/HH/mm}/", "2024-03-01T00:00", "2024-03-01T01:59", SL_OK,
               "m/2024/03/01/00/|m/2024/03/01/01/");
  /* nothing time-dependent before the first non-time expression */
  check_window("r/!{firehose:random-string}/!{timestamp:yyyy}/", "2h", "now", SL_E_UNSUPPORTED,
               NULL);
  check_window("e/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/", "2h", "now",
               SL_E_UNSUPPORTED, NULL);
  /* a prefix that is a prefix of another is listed once */
  check_window("!{timestamp:yyyyMd}", "2024-01-01T00:00", "2024-01-01T00:00", SL_OK, "202411");
  check_window("x!{timestamp:Md}", "2024-01-01T00:00", "2024-01-11T00:00", SL_OK,
               "x11|x12|x13|x14|x15|x16|x17|x18|x19");
}

static const struct sl_test tests[] = {
  { "parse_time", test_parse_time },
  { "format_time", test_format_time },
  { "key_time", test_key_time },
  { "eval_prefix", test_eval_prefix },
  { "window_default_layout", test_window_default_layout },
  { "window_expressions", test_window_expressions },
  { NULL, NULL }
};

SL_TEST_MAIN("window", tests, NULL, NULL)
