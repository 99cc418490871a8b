/* test_filter.c — inspect/filter.c: --where dotted-path matching, --grep,
 * and the NDJSON line each record becomes (compacted JSON, text as a JSON
 * string, the --with-key wrapper). */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "sluice/inspect.h"

static const char rec[] =
  "{\"level\":\"error\",\"code\":500,\"ok\":false,\"none\":null,\"dot\":{\"a\":{\"b\":\"x y\"}},"
  "\"list\":[{\"id\":\"first\"},{\"id\":7}],\"num\":1.50,\"esc\":\"a\\\"b\\u00e9\"}";

static void test_where(void)
{
  static const struct {
    const char *where1, *where2;
    int match;
  } cases[] = {
    { "level=error", NULL, 1 },
    { "level=Error", NULL, 0 },
    { "level=", NULL, 0 },
    { "code=500", NULL, 1 },
    { "code=\"500\"", NULL, 0 },
    { "ok=false", NULL, 1 },
    { "none=null", NULL, 1 },
    { "missing=null", NULL, 0 },
    { "dot.a.b=x y", NULL, 1 },
    { "dot.a=x y", NULL, 0 },
    { "dot.a.b.c=x y", NULL, 0 },
    { "list.0.id=first", NULL, 1 },
    { "list.1.id=7", NULL, 1 },
    { "list.2.id=7", NULL, 0 },
    { "list.x.id=7", NULL, 0 },
    { "num=1.50", NULL, 1 },
    { "esc=a\"b\xc3\xa9", NULL, 1 },
    { "level=error", "code=500", 1 },
    { "level=error", "code=404", 0 },
    { "value=a=b", NULL, 0 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_inspect_filter f;
    int m;
    sl_inspect_filter_init(&f);
    CU_ASSERT_EQUAL(sl_inspect_filter_add_where(&f, cases[i].where1), SL_OK);
    if(cases[i].where2)
      CU_ASSERT_EQUAL(sl_inspect_filter_add_where(&f, cases[i].where2), SL_OK);
    m = sl_inspect_filter_match(&f, rec, strlen(rec), SL_RECORD_JSON);
    if(m != cases[i].match)
      fprintf(stderr, "where case %zu (%s): got %d\n", i, cases[i].where1, m);
    CU_ASSERT_EQUAL(m, cases[i].match);
    sl_inspect_filter_cleanup(&f);
  }
}

static void test_where_edges(void)
{
  struct sl_inspect_filter f;
  const char *value_eq = "{\"value\":\"a=b\"}";
  sl_inspect_filter_init(&f);
  CU_ASSERT_EQUAL(sl_inspect_filter_add_where(&f, "noequals"), SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_inspect_filter_add_where(&f, "=x"), SL_E_INVALID);
  /* the value is everything after the first '=' */
  CU_ASSERT_EQUAL(sl_inspect_filter_add_where(&f, "value=a=b"), SL_OK);
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, value_eq, strlen(value_eq), SL_RECORD_JSON), 1);
  /* text lines and non-JSON never match a --where */
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, value_eq, strlen(value_eq), SL_RECORD_TEXT), 0);
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, "{\"value\":", 9, SL_RECORD_JSON), 0);
  /* a record is one value: trailing bytes make it no match */
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, "{\"value\":\"a=b\"}x", 16, SL_RECORD_JSON), 0);
  sl_inspect_filter_cleanup(&f);
  /* no conditions: everything passes */
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, "anything", 8, SL_RECORD_TEXT), 1);
}

static void test_grep(void)
{
  struct sl_inspect_filter f;
  sl_inspect_filter_init(&f);
  CU_ASSERT_EQUAL(sl_inspect_filter_set_grep(&f, "needle"), SL_OK);
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, "hay needle hay", 14, SL_RECORD_TEXT), 1);
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, "hay needl", 9, SL_RECORD_TEXT), 0);
  /* the record is a view: bytes past n do not count */
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, "needle", 5, SL_RECORD_TEXT), 0);
  CU_ASSERT_EQUAL(sl_inspect_filter_add_where(&f, "k=v"), SL_OK);
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, "{\"k\":\"v\",\"t\":\"needle\"}", 22,
                                          SL_RECORD_JSON), 1);
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, "{\"k\":\"w\",\"t\":\"needle\"}", 22,
                                          SL_RECORD_JSON), 0);
  CU_ASSERT_EQUAL(sl_inspect_filter_match(&f, "{\"k\":\"v\",\"t\":\"needl\"}", 21,
                                          SL_RECORD_JSON), 0);
  sl_inspect_filter_cleanup(&f);
}

static void test_format(void)
{
  static const struct {
    const char *key;
    unsigned long long off;
    const char *in;
    int kind;
    const char *want;
  } cases[] = {
    { NULL, 0, "{\"a\":1}", SL_RECORD_JSON, "{\"a\":1}\n" },
    { NULL, 0, "{\"a\": 1, \"b\": [1, 2]}", SL_RECORD_JSON, "{\"a\": 1, \"b\": [1, 2]}\n" },
    { NULL, 0, "{\n  \"a\": 1,\n  \"s\": \"x y\"\r\n}", SL_RECORD_JSON, "{\"a\":1,\"s\":\"x y\"}\n" },
    { NULL, 0, "plain text", SL_RECORD_TEXT, "\"plain text\"\n" },
    { NULL, 0, "tab\there \"q\" \\", SL_RECORD_TEXT, "\"tab\\there \\\"q\\\" \\\\\"\n" },
    { NULL, 0, "bad \xff byte", SL_RECORD_TEXT, "\"bad \\ufffd byte\"\n" },
    { "k/1.gz", 42, "{\"a\":1}", SL_RECORD_JSON,
      "{\"key\":\"k/1.gz\",\"offset\":42,\"record\":{\"a\":1}}\n" },
    { "k \"q\"", 0, "line", SL_RECORD_TEXT,
      "{\"key\":\"k \\\"q\\\"\",\"offset\":0,\"record\":\"line\"}\n" },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_buf b;
    sl_buf_init(&b, 4096);
    CU_ASSERT_EQUAL(sl_inspect_format_record(&b, cases[i].key, cases[i].off, cases[i].in,
                                             strlen(cases[i].in), cases[i].kind), SL_OK);
    if(strcmp(b.data, cases[i].want))
      fprintf(stderr, "format case %zu: got %s", i, b.data);
    CU_ASSERT_STRING_EQUAL(b.data, cases[i].want);
    sl_buf_cleanup(&b);
  }
}

static const struct sl_test tests[] = {
  { "where", test_where },
  { "where_edges", test_where_edges },
  { "grep", test_grep },
  { "format", test_format },
  { NULL, NULL }
};

SL_TEST_MAIN("filter", tests, NULL, NULL)
