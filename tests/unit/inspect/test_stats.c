/* test_stats.c — inspect/stats.c over a local folder: the counts with and
 * without --where/--grep (records, records per hour and the arrival range
 * follow the matching records; objects, bytes and parse errors stay totals)
 * and the exact JSON it renders. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "sluice/inspect.h"

/* Three hours; the last object ends in a truncated record (one parse error). */
static const struct {
  const char *rel, *body;
} objs[] = {
  { "2025/01/01/00/st-1-2025-01-01-00-10-00-9f1c0e4a-0000-4000-8000-000000000001",
    "{\"level\":\"error\",\"n\":1}\n{\"level\":\"info\",\"n\":2}\n" },
  { "2025/01/01/00/st-1-2025-01-01-00-50-00-9f1c0e4a-0000-4000-8000-000000000002",
    "{\"level\":\"info\",\"n\":3}\n" },
  { "2025/01/01/01/st-1-2025-01-01-01-20-00-9f1c0e4a-0000-4000-8000-000000000003",
    "{\"level\":\"error\",\"n\":4}\n" },
  { "2025/01/01/02/st-1-2025-01-01-02-05-00-9f1c0e4a-0000-4000-8000-000000000004",
    "{\"level\":\"info\",\"n\":5}\n{\"level\":\"error\",\n" },
};
#define NOBJS (sizeof(objs) / sizeof(objs[0]))

#define T_0010 1735690200 /* 2025-01-01T00:10:00Z */
#define T_0050 1735692600
#define T_0120 1735694400
#define T_0205 1735697100
#define H_00 1735689600   /* 2025-01-01T00:00:00Z */

static char dir[600];
static uint64_t total_bytes;

static int make_tree(void)
{
  size_t i;
  snprintf(dir, sizeof(dir), "%s/stats", sl_test_tmpdir());
  mkdir(dir, 0700);
  for(i = 0; i < NOBJS; i++) {
    char path[1024], *p;
    FILE *f;
    snprintf(path, sizeof(path), "%s/%s", dir, objs[i].rel);
    for(p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
      *p = 0;
      mkdir(path, 0700);
      *p = '/';
    }
    f = fopen(path, "wb");
    if(!f)
      return 1;
    fputs(objs[i].body, f);
    fclose(f);
    total_bytes += strlen(objs[i].body);
  }
  return 0;
}

/* Runs stats on the tree with the given filter (NULL: none). */
static enum sl_result run_stats(const char *where1, const char *where2, const char *grep,
                                struct sl_inspect_stats *st)
{
  struct sl_inspect_command cmd;
  struct sl_inspect_filter f;
  struct sl_error err;
  enum sl_result r = SL_OK;
  memset(&cmd, 0, sizeof(cmd));
  cmd.src.local = dir;
  cmd.src.since = cmd.src.until = SL_INSPECT_NO_TIME;
  cmd.concurrency = 3;
  sl_inspect_filter_init(&f);
  if(where1)
    r = sl_inspect_filter_add_where(&f, where1);
  if(!r && where2)
    r = sl_inspect_filter_add_where(&f, where2);
  if(!r && grep)
    r = sl_inspect_filter_set_grep(&f, grep);
  if(where1 || where2 || grep)
    cmd.filter = &f;
  sl_error_clear(&err);
  if(!r)
    r = sl_inspect_stats(NULL, &cmd, st, &err);
  sl_inspect_filter_cleanup(&f);
  return r;
}

static void test_counts(void)
{
  static const struct {
    const char *where1, *where2, *grep;
    uint64_t records;
    uint64_t per_hour[3]; /* 00, 01, 02 */
    int64_t first, last;
  } cases[] = {
    { NULL, NULL, NULL, 5, { 3, 1, 1 }, T_0010, T_0205 },
    { "level=error", NULL, NULL, 2, { 1, 1, 0 }, T_0010, T_0120 },
    { "level=info", NULL, NULL, 3, { 2, 0, 1 }, T_0010, T_0205 },
    { NULL, NULL, "\"n\":3", 1, { 1, 0, 0 }, T_0050, T_0050 },
    { "level=info", NULL, "\"n\":5", 1, { 0, 0, 1 }, T_0205, T_0205 },
    { "level=info", "n=2", NULL, 1, { 1, 0, 0 }, T_0010, T_0010 },
    { "level=debug", NULL, NULL, 0, { 0, 0, 0 }, SL_INSPECT_NO_TIME, SL_INSPECT_NO_TIME },
    /* a record's bytes: the truncated one is bad data, never a match */
    { NULL, NULL, "\"level\":\"error\",\n", 0, { 0, 0, 0 }, SL_INSPECT_NO_TIME,
      SL_INSPECT_NO_TIME },
  };
  size_t i, h;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_inspect_stats st;
    CU_ASSERT_EQUAL_FATAL(run_stats(cases[i].where1, cases[i].where2, cases[i].grep, &st),
                          SL_OK);
    if(st.records != cases[i].records)
      fprintf(stderr, "stats case %zu: %llu records\n", i, (unsigned long long)st.records);
    CU_ASSERT_EQUAL(st.records, cases[i].records);
    /* totals of everything read, filter or not */
    CU_ASSERT_EQUAL(st.sum.objects, NOBJS);
    CU_ASSERT_EQUAL(st.sum.bytes, total_bytes);
    CU_ASSERT_EQUAL(st.sum.records, 5);
    CU_ASSERT_EQUAL(st.sum.data_errors, 1);
    CU_ASSERT_EQUAL(st.sum.failed_objects, 0);
    CU_ASSERT_EQUAL(st.first, cases[i].first);
    CU_ASSERT_EQUAL(st.last, cases[i].last);
    /* every hour read keeps its row */
    CU_ASSERT_EQUAL_FATAL(st.nhours, 3);
    for(h = 0; h < 3; h++) {
      CU_ASSERT_EQUAL(st.hours[h].hour, H_00 + (int64_t)h * 3600);
      CU_ASSERT_EQUAL(st.hours[h].records, cases[i].per_hour[h]);
    }
    CU_ASSERT_EQUAL(st.hours[0].objects, 2);
    CU_ASSERT_EQUAL(st.hours[1].objects, 1);
    CU_ASSERT_EQUAL(st.hours[2].objects, 1);
    sl_inspect_stats_cleanup(&st);
  }
}

static void test_render_filtered(void)
{
  struct sl_inspect_stats st;
  struct sl_buf out, flat;
  char want[512];
  CU_ASSERT_EQUAL_FATAL(run_stats("level=error", NULL, NULL, &st), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&out, 4096), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&flat, 4096), SL_OK);
  CU_ASSERT_EQUAL(sl_inspect_stats_render(&st, 1, &out), SL_OK);
  snprintf(want, sizeof(want),
           "{\"format_version\":1,\"command\":\"stats\",\"objects\":4,\"bytes\":%llu,\"records\":2,\"parse_errors\":1,"
           "\"unreadable_objects\":0,\"first_arrival\":\"2025-01-01T00:10:00Z\","
           "\"last_arrival\":\"2025-01-01T01:20:00Z\",\"records_per_hour\":"
           "{\"2025-01-01T00\":1,\"2025-01-01T01\":1,\"2025-01-01T02\":0}}",
           (unsigned long long)total_bytes);
  /* Indented by the one JSON writer; compared without the blanks. */
  CU_ASSERT_EQUAL(sl_json_compact(out.data, out.len, &flat), SL_OK);
  CU_ASSERT_STRING_EQUAL(flat.data, want);
  CU_ASSERT_EQUAL(out.data[out.len - 1], '\n');
  sl_buf_cleanup(&flat);
  sl_buf_reset(&out);
  sl_inspect_stats_cleanup(&st);
  /* nothing matches: no arrival range */
  CU_ASSERT_EQUAL_FATAL(run_stats("level=debug", NULL, NULL, &st), SL_OK);
  CU_ASSERT_EQUAL(sl_inspect_stats_render(&st, 0, &out), SL_OK);
  snprintf(want, sizeof(want),
           "objects: 4\nbytes: %llu (%llu B)\nrecords: 0\nparse errors: 1\n"
           "unreadable objects: 0\nfirst arrival: -\nlast arrival: -\nrecords per hour:\n"
           "  2025-01-01T00  0\n  2025-01-01T01  0\n  2025-01-01T02  0\n",
           (unsigned long long)total_bytes, (unsigned long long)total_bytes);
  CU_ASSERT_STRING_EQUAL(out.data, want);
  sl_buf_cleanup(&out);
  sl_inspect_stats_cleanup(&st);
}

static const struct sl_test tests[] = {
  { "counts", test_counts },
  { "render_filtered", test_render_filtered },
  { NULL, NULL }
};

SL_TEST_MAIN("stats", tests, make_tree, NULL)
