/* test_table.c — the Athena table a profile makes: location and partition
 * projection for the default and custom layouts, what cannot be
 * projected, the columns' grammar, the window predicate, the Glue input
 * and the DDL (against tests/golden/athena-ddl.sql). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "harness.h"
#include "sluice/profile.h"
#include "sluice/table.h"

#define BASE "[aws]\nregion = us-east-1\n[bucket]\nname = acme-logs\n"
#define ATHENA "[athena]\ndatabase = audit\ncolumns = ts:string, service:string, " \
               "req:struct<method:string, Bytes : BIGINT>, tags:array<string>\n"
/* 2026-12-07T10:30:00Z */
#define T0 ((int64_t)1796639400)

static int load(const char *text, struct sl_profile *p, struct sl_error *err)
{
  sl_profile_init(p);
  sl_error_clear(err);
  return sl_profile_parse("t.ini", text, p, NULL, err);
}

static void test_default_layout(void)
{
  struct sl_profile p;
  struct sl_error err;
  struct sl_table t;
  CU_ASSERT_EQUAL_FATAL(load(BASE "[firehose]\nname = Web.Logs-1\nprefix = logs/web/\n"
                             "compression = GZIP\n" ATHENA, &p, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(p.athena.table, "web_logs_1");
  CU_ASSERT_STRING_EQUAL(p.athena.workgroup, "primary");
  CU_ASSERT_STRING_EQUAL(p.athena.results, "s3://acme-logs/athena-results/");
  CU_ASSERT_EQUAL(p.athena.results_expire_days, 7);
  sl_table_init(&t);
  CU_ASSERT_EQUAL_FATAL(sl_table_from_profile(&p, T0, &t, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(t.location, "s3://acme-logs/logs/web/");
  CU_ASSERT_STRING_EQUAL(t.location_template, "s3://acme-logs/logs/web/${datehour}/");
  CU_ASSERT_STRING_EQUAL(t.part_name, "datehour");
  CU_ASSERT_STRING_EQUAL(t.part_format, "yyyy/MM/dd/HH");
  CU_ASSERT_STRING_EQUAL(t.part_unit, "HOURS");
  CU_ASSERT_STRING_EQUAL(t.part_range, "2026/12/07/00,NOW"); /* the creation day */
  CU_ASSERT_STRING_EQUAL(t.compression, "gzip");
  CU_ASSERT_EQUAL(t.part_sortable, 1);
  CU_ASSERT_EQUAL_FATAL(t.ncolumns, 4);
  CU_ASSERT_STRING_EQUAL(t.column[2].name, "req");
  CU_ASSERT_STRING_EQUAL(t.column[2].type, "struct<method:string,Bytes:bigint>");
  CU_ASSERT_STRING_EQUAL(t.column[3].type, "array<string>");
  sl_table_cleanup(&t);
  sl_profile_cleanup(&p);
}

static void test_custom_layouts(void)
{
  static const struct {
    const char *prefix;
    const char *location, *template_, *name, *format, *unit;
    int sortable;
  } c[] = {
    { "logs/!{timestamp:yyyy}-!{timestamp:MM}-!{timestamp:dd}/", "s3://acme-logs/logs/",
      "s3://acme-logs/logs/${day}/", "day", "yyyy-MM-dd", "DAYS", 1 },
    { "logs/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/", "s3://acme-logs/logs/",
      "s3://acme-logs/logs/dt=${datehour}/", "datehour", "yyyy-MM-dd'/hour='HH", "HOURS", 1 },
    { "app!{timestamp:yyyy/MM}/", "s3://acme-logs/", NULL, NULL, NULL, NULL, 0 },
    { "x/!{timestamp:dd-MM-yyyy}/", "s3://acme-logs/x/", "s3://acme-logs/x/${day}/", "day",
      "dd-MM-yyyy", "DAYS", 0 },
  };
  size_t i;
  for(i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    struct sl_profile p;
    struct sl_error err;
    struct sl_table t;
    char text[1024];
    snprintf(text, sizeof(text), BASE "[firehose]\nname = s\nprefix = %s\n"
             "error_prefix = err/!{firehose:error-output-type}/\n" ATHENA, c[i].prefix);
    if(!c[i].name) { /* the location would be the whole bucket */
      CU_ASSERT_EQUAL(load(text, &p, &err), SL_E_CONFIG);
      CU_ASSERT_STRING_EQUAL(err.message, "t.ini:7: [firehose] prefix: the Athena table's "
                             "location would be the whole bucket: give the prefix a folder of "
                             "its own (like logs/)");
      sl_profile_cleanup(&p);
      continue;
    }
    CU_ASSERT_EQUAL_FATAL(load(text, &p, &err), SL_OK);
    sl_table_init(&t);
    CU_ASSERT_EQUAL_FATAL(sl_table_from_profile(&p, T0, &t, &err), SL_OK);
    CU_ASSERT_STRING_EQUAL(t.location, c[i].location);
    CU_ASSERT_STRING_EQUAL(t.location_template, c[i].template_);
    CU_ASSERT_STRING_EQUAL(t.part_name, c[i].name);
    if(strcmp(t.part_format, c[i].format))
      fprintf(stderr, "\ncase %zu: %s\n", i, t.part_format);
    CU_ASSERT_STRING_EQUAL(t.part_format, c[i].format);
    CU_ASSERT_STRING_EQUAL(t.part_unit, c[i].unit);
    CU_ASSERT_EQUAL(t.part_sortable, c[i].sortable);
    sl_table_cleanup(&t);
    sl_profile_cleanup(&p);
  }
  /* The value for a time follows the format, quoted text and all. */
  {
    struct sl_profile p;
    struct sl_error err;
    struct sl_table t;
    char v[64];
    CU_ASSERT_EQUAL_FATAL(load(BASE "[firehose]\nname = s\nprefix = logs/dt=!{timestamp:yyyy-MM-"
                               "dd}/hour=!{timestamp:HH}/\nerror_prefix = e/!{firehose:error-"
                               "output-type}/\n" ATHENA, &p, &err), SL_OK);
    sl_table_init(&t);
    CU_ASSERT_EQUAL_FATAL(sl_table_from_profile(&p, T0, &t, &err), SL_OK);
    sl_table_part_value(&t, T0, v, sizeof(v));
    CU_ASSERT_STRING_EQUAL(v, "2026-12-07/hour=10");
    CU_ASSERT_STRING_EQUAL(t.part_range, "2026-12-07/hour=00,NOW");
    sl_table_cleanup(&t);
    sl_profile_cleanup(&p);
  }
}

static void test_refused(void)
{
  static const struct {
    const char *firehose, *athena, *message;
  } c[] = {
    { "prefix = logs/!{firehose:random-string}/\nerror_prefix = e/!{firehose:error-output-type}/\n",
      ATHENA, "t.ini:7: [firehose] prefix: !{firehose:random-string} cannot be an Athena "
      "partition (its values are not known in advance): [athena] needs a prefix whose "
      "expressions are all !{timestamp:...}" },
    { "prefix = logs/\ncompression = ZIP\n", ATHENA, "t.ini:8: [firehose] compression: Athena "
      "cannot read ZIP archives: deliver GZIP, HADOOP_SNAPPY, Snappy or UNCOMPRESSED for [athena]" },
    { "prefix = logs/\nerror_prefix = logs/errors/\n", ATHENA, "t.ini:8: [firehose] error_prefix: "
      "'logs/errors/' is inside the Athena table's location: failed records would be read as "
      "data; put it beside the prefix" },
    { "prefix = logs/!{timestamp:yyyy-MM-dd-ss}/\nerror_prefix = e/!{firehose:error-output-type}/\n",
      ATHENA, "t.ini:7: [firehose] prefix: timestamp letter 's' cannot be projected (use y, M, "
      "d, H and m)" },
    { "prefix = logs/\n", "[athena]\ndatabase = audit\nresults = s3://acme-logs/logs/q\n"
      "columns = a:int\n", "t.ini:10: [athena] results: 's3://acme-logs/logs/q/' is inside "
      "the table's location: query results would be read as data" },
    { "prefix = logs/\n", "[athena]\ndatabase = Audit\ncolumns = a:int\n",
      "t.ini:9: [athena] database: 'Audit': Glue keeps names in lowercase; write it so" },
    { "prefix = logs/\n", "[athena]\ndatabase = audit\n", "t.ini:8: [athena] columns: is required" },
    { "prefix = logs/\n", "[athena]\ndatabase = audit\ncolumns = a:int, b:strin\n",
      "t.ini:10: [athena] columns: column 'b': 'strin' is not an Athena type (boolean, tinyint, "
      "smallint, int, bigint, float, double, decimal, string, varchar, char, date, timestamp, "
      "binary, array, map, struct)" },
    { "prefix = logs/\n", "[athena]\ndatabase = audit\ncolumns = a:map<string>\n",
      "t.ini:10: [athena] columns: column 'a': expected ',' at '>'" },
    { "prefix = logs/\n", "[athena]\ndatabase = audit\ncolumns = a:int, A:int\n",
      "t.ini:10: [athena] columns: column 'A': Athena keeps column names in lowercase: write "
      "them so" },
    { "prefix = logs/\n", "[athena]\ndatabase = audit\ncolumns = a:int,a:string\n",
      "t.ini:10: [athena] columns: column 'a' appears twice" },
    { "prefix = logs/\n", "[athena]\ndatabase = audit\ncolumns = datehour:string\n",
      "t.ini:10: [athena] columns: column 'datehour' has the partition column's name: rename it "
      "or set [athena] partition_column" },
  };
  size_t i;
  for(i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
    struct sl_profile p;
    struct sl_error err;
    char text[2048];
    snprintf(text, sizeof(text), BASE "[firehose]\nname = s\n%s%s", c[i].firehose, c[i].athena);
    CU_ASSERT_EQUAL(load(text, &p, &err), SL_E_CONFIG);
    if(strcmp(err.message, c[i].message))
      fprintf(stderr, "\ncase %zu: %s\n", i, err.message);
    CU_ASSERT_STRING_EQUAL(err.message, c[i].message);
    sl_profile_cleanup(&p);
  }
}

static void test_window(void)
{
  struct sl_profile p;
  struct sl_error err;
  struct sl_table t;
  struct sl_buf b, q;
  CU_ASSERT_EQUAL_FATAL(load(BASE "[firehose]\nname = s\nprefix = logs/\n" ATHENA, &p, &err),
                        SL_OK);
  sl_table_init(&t);
  CU_ASSERT_EQUAL_FATAL(sl_table_from_profile(&p, T0, &t, &err), SL_OK);
  sl_buf_init(&b, 4096);
  sl_buf_init(&q, 4096);
  CU_ASSERT_EQUAL(sl_table_window(&t, T0, T0 + 7200, &b, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "datehour BETWEEN '2026/12/07/10' AND '2026/12/07/12'");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_table_window(&t, T0, INT64_MIN, &b, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "datehour >= '2026/12/07/10'");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_table_window(&t, INT64_MIN, INT64_MIN, &b, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "TRUE");
  CU_ASSERT_EQUAL(sl_table_expand_window("SELECT 1 FROM t WHERE {window} AND x = '{window}'",
                                         "datehour >= 'a'", &q, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(q.data, "SELECT 1 FROM t WHERE (datehour >= 'a') AND x = "
                                 "'(datehour >= 'a')'");
  sl_buf_reset(&q);
  CU_ASSERT_EQUAL(sl_table_expand_window("SELECT 1 WHERE {window}", NULL, &q, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(q.data, "SELECT 1 WHERE (TRUE)");
  sl_buf_reset(&q);
  CU_ASSERT_EQUAL(sl_table_expand_window("SELECT 1", "datehour >= 'a'", &q, &err), SL_E_INVALID);
  t.part_sortable = 0;
  CU_ASSERT_EQUAL(sl_table_window(&t, T0, T0, &b, &err), SL_E_UNSUPPORTED);
  sl_buf_cleanup(&b);
  sl_buf_cleanup(&q);
  sl_table_cleanup(&t);
  sl_profile_cleanup(&p);
}

static void test_glue_and_ddl(void)
{
  struct sl_profile p;
  struct sl_error err;
  struct sl_table t;
  struct sl_buf b;
  struct json_object *in, *v;
  char path[1024], *golden;
  FILE *f;
  long n;
  CU_ASSERT_EQUAL_FATAL(load(BASE "[firehose]\nname = web-logs\nprefix = logs/web/\n"
                             "compression = GZIP\n" ATHENA, &p, &err), SL_OK);
  sl_table_init(&t);
  CU_ASSERT_EQUAL_FATAL(sl_table_from_profile(&p, T0, &t, &err), SL_OK);
  in = sl_table_glue_input(&t);
  CU_ASSERT_STRING_EQUAL(json_object_to_json_string_ext(json_object_object_get(in, "Parameters"),
                                                        JSON_C_TO_STRING_PLAIN),
    "{\"EXTERNAL\":\"TRUE\",\"classification\":\"json\",\"compressionType\":\"gzip\","
    "\"projection.enabled\":\"true\",\"projection.datehour.type\":\"date\","
    "\"projection.datehour.format\":\"yyyy\\/MM\\/dd\\/HH\","
    "\"projection.datehour.range\":\"2026\\/12\\/07\\/00,NOW\","
    "\"projection.datehour.interval\":\"1\",\"projection.datehour.interval.unit\":\"HOURS\","
    "\"storage.location.template\":\"s3:\\/\\/acme-logs\\/logs\\/web\\/${datehour}\\/\"}");
  v = json_object_object_get(in, "StorageDescriptor");
  CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(v, "Location")),
                         "s3://acme-logs/logs/web/");
  CU_ASSERT_EQUAL(json_object_get_boolean(json_object_object_get(v, "Compressed")), 1);
  CU_ASSERT_EQUAL(json_object_array_length(json_object_object_get(v, "Columns")), 4);
  json_object_put(in);
  sl_buf_init(&b, 65536);
  CU_ASSERT_EQUAL(sl_table_ddl(&t, &b), SL_OK);
  snprintf(path, sizeof(path), "%s/tests/golden/athena-ddl.sql", getenv("SL_SOURCE_ROOT"));
  f = fopen(path, "rb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  rewind(f);
  golden = calloc(1, (size_t)n + 1);
  CU_ASSERT_EQUAL(fread(golden, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  CU_ASSERT_STRING_EQUAL(b.data, golden);
  free(golden);
  sl_buf_cleanup(&b);
  sl_table_cleanup(&t);
  sl_profile_cleanup(&p);
}

static const struct sl_test tests[] = {
  { "default layout", test_default_layout },
  { "custom layouts", test_custom_layouts },
  { "refused layouts and columns", test_refused },
  { "window predicate and {window}", test_window },
  { "Glue input and DDL", test_glue_and_ddl },
  { NULL, NULL }
};

SL_TEST_MAIN("table", tests, NULL, NULL)
