/* test_suggest.c — "did you mean": edit distances and the nearest name. */
#include <string.h>

#include "harness.h"
#include "common/suggest_internal.h"

static void test_distance(void)
{
  static const struct { const char *a, *b; unsigned d; } cases[] = {
    { "", "", 0 }, { "plan", "plan", 0 }, { "", "abc", 3 }, { "abc", "", 3 },
    { "aply", "apply", 1 },          /* a letter left out */
    { "appply", "apply", 1 },        /* one too many */
    { "plna", "plan", 1 },           /* two neighbours swapped */
    { "kenisis", "kinesis", 2 },     /* two substitutions */
    { "batchsize", "batch-size", 1 },
    { "ls", "rm", 2 },
    { "kitten", "sitting", 3 },
  };
  size_t i;
  char longer[80];
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    CU_ASSERT_EQUAL(sl_suggest_distance(cases[i].a, cases[i].b), cases[i].d);
  /* Past the table's width: capped, never read past a row. */
  memset(longer, 'a', sizeof(longer) - 1);
  longer[sizeof(longer) - 1] = 0;
  CU_ASSERT_EQUAL(sl_suggest_distance(longer, "a"), 255);
}

static void test_nearest(void)
{
  static const char *const commands[] = { "plan", "apply", "destroy", "status", "send", "smoke",
                                          NULL };
  static const char *const keys[] = { "name", "encryption", "kms_key_id", "tls_only", NULL };
  CU_ASSERT_STRING_EQUAL(sl_suggest_in("aply", commands), "apply");
  CU_ASSERT_STRING_EQUAL(sl_suggest_in("destory", commands), "destroy");
  CU_ASSERT_STRING_EQUAL(sl_suggest_in("snd", commands), "send");
  CU_ASSERT_STRING_EQUAL(sl_suggest_in("encyption", keys), "encryption");
  CU_ASSERT_STRING_EQUAL(sl_suggest_in("tls-only", keys), "tls_only");
  /* Too far to be a typo: nothing rather than a guess. */
  CU_ASSERT_PTR_NULL(sl_suggest_in("frobnicate", commands));
  CU_ASSERT_PTR_NULL(sl_suggest_in("ls", commands));
  CU_ASSERT_PTR_NULL(sl_suggest_in("x", keys));
  /* The first of two equally near names. */
  CU_ASSERT_STRING_EQUAL(sl_suggest_in("sxnd", commands), "send");
}

static const struct sl_test tests[] = {
  { "distance", test_distance },
  { "nearest", test_nearest },
  { NULL, NULL }
};

SL_TEST_MAIN("suggest", tests, NULL, NULL)
