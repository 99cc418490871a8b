/* test_checkpoint.c — the --checkpoint file: which outcomes settle a
 * record, what a reopened file says of the earlier run (settled, possible
 * duplicates), the exact document on disk, and other input refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "sluice/send.h"

static char path[512];
static const char *input = "{\"files\":[{\"path\":\"/x/in.txt\",\"size\":10}]}";

static void note(struct sl_send_checkpoint *c, uint64_t i, enum sl_send_status st, int maybe)
{
  struct sl_send_record rec = { i, NULL, st, "", "", "", "", 1, maybe, 0, 0 };
  sl_send_checkpoint_note(c, &rec);
}

static char *slurp(const char *p)
{
  static char text[4096];
  FILE *f = fopen(p, "rb");
  size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
  if(f)
    fclose(f);
  text[n] = 0;
  return text;
}

static void fresh(void)
{
  snprintf(path, sizeof(path), "%s/ck.json", sl_test_tmpdir());
  remove(path);
}

/* Ten records read: 0-3 accepted, 4 dead-lettered, 5 failed (surely not
 * stored), 6 interrupted before any request, 7 interrupted with no answer,
 * 8 failed after a request got no answer, 9 withheld. */
static void test_outcomes(void)
{
  struct sl_send_checkpoint *c = NULL;
  struct sl_error err;
  struct stat st;
  uint64_t i, settled = 9, unknown = 9;
  fresh();
  sl_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(sl_send_checkpoint_open(&c, path, input, &err), SL_OK);
  sl_send_checkpoint_earlier(c, &settled, &unknown);
  CU_ASSERT_EQUAL(settled, 0);
  CU_ASSERT_EQUAL(unknown, 0);
  for(i = 0; i < 10; i++)
    CU_ASSERT_EQUAL(sl_send_checkpoint_reserve(c, i, &err), SL_OK);
  for(i = 0; i < 4; i++)
    note(c, i, SL_SEND_ACCEPTED, 0);
  note(c, 4, SL_SEND_DEAD_LETTERED, 1);
  note(c, 5, SL_SEND_FAILED, 0);
  note(c, 6, SL_SEND_INTERRUPTED, 0);
  note(c, 7, SL_SEND_INTERRUPTED, 1);
  note(c, 8, SL_SEND_FAILED, 1);
  note(c, 9, SL_SEND_WITHHELD, 0);
  CU_ASSERT_EQUAL(sl_send_checkpoint_save(c, &err), SL_OK);
  sl_send_checkpoint_free(c);
  CU_ASSERT_EQUAL(stat(path, &st), 0);
  CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
  CU_ASSERT_STRING_EQUAL(slurp(path),
    "{\"format_version\":1,\"input\":{\"files\":[{\"path\":\"\\/x\\/in.txt\",\"size\":10}]},"
    "\"reserved\":10,\"settled_below\":5,\"settled\":[],\"failed\":[[5,7],[9,10]]}");

  /* The rerun: 5 settled and skipped; 7 and 8 may be stored already. */
  c = NULL;
  CU_ASSERT_EQUAL_FATAL(sl_send_checkpoint_open(&c, path, input, &err), SL_OK);
  sl_send_checkpoint_earlier(c, &settled, &unknown);
  CU_ASSERT_EQUAL(settled, 5);
  CU_ASSERT_EQUAL(unknown, 2);
  for(i = 0; i < 10; i++)
    CU_ASSERT_EQUAL(sl_send_checkpoint_settled(c, i), i < 5);
  sl_send_checkpoint_free(c);
}

/* A gap: 0 and 2 settled, 1 still out when the process died (no save at
 * the end): the reserve says how far it may have gone. */
static void test_killed(void)
{
  struct sl_send_checkpoint *c = NULL;
  struct sl_error err;
  uint64_t i, settled, unknown;
  fresh();
  sl_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(sl_send_checkpoint_open(&c, path, input, &err), SL_OK);
  for(i = 0; i < 3; i++)
    CU_ASSERT_EQUAL(sl_send_checkpoint_reserve(c, i, &err), SL_OK);
  note(c, 0, SL_SEND_ACCEPTED, 0);
  note(c, 2, SL_SEND_ACCEPTED, 0);
  /* past the reserve (1000 ahead at first): saved with 1000 more */
  CU_ASSERT_EQUAL(sl_send_checkpoint_reserve(c, 1000, &err), SL_OK);
  sl_send_checkpoint_free(c); /* killed: no last save */
  CU_ASSERT_PTR_NOT_NULL(strstr(slurp(path), "\"reserved\":2000,\"settled_below\":1,"
                                             "\"settled\":[[2,3]],\"failed\":[]}"));
  c = NULL;
  CU_ASSERT_EQUAL_FATAL(sl_send_checkpoint_open(&c, path, input, &err), SL_OK);
  sl_send_checkpoint_earlier(c, &settled, &unknown);
  CU_ASSERT_EQUAL(settled, 2);
  CU_ASSERT_EQUAL(unknown, 1998);
  CU_ASSERT_EQUAL(sl_send_checkpoint_settled(c, 1), 0);
  CU_ASSERT_EQUAL(sl_send_checkpoint_settled(c, 2), 1);
  sl_send_checkpoint_free(c);
}

static void test_other_input(void)
{
  struct sl_send_checkpoint *c = NULL;
  struct sl_error err;
  FILE *f;
  fresh();
  sl_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(sl_send_checkpoint_open(&c, path, input, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_send_checkpoint_save(c, &err), SL_OK);
  sl_send_checkpoint_free(c);
  c = NULL;
  CU_ASSERT_EQUAL(sl_send_checkpoint_open(&c, path, "{\"files\":[]}", &err), SL_E_INVALID);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT_STRING_EQUAL(err.code, "CheckpointMismatch");
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is for other input: it has {\"files\":[{\"path\":"
                                             "\"\\/x\\/in.txt\",\"size\":10}]}, this run reads "
                                             "{\"files\":[]} (remove the file to start over)"));
  f = fopen(path, "wb");
  fputs("{\"format_version\":1,\"input\":{\"files\":[{\"path\":\"\\/x\\/in.txt\",\"size\":10}]},"
        "\"reserved\":4,\"settled_below\":0,\"settled\":[[3,1]]}", f);
  fclose(f);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_send_checkpoint_open(&c, path, input, &err), SL_E_PARSE);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "range [3, 1] is not valid"));
}

static const struct sl_test tests[] = {
  { "outcomes settle or not", test_outcomes },
  { "killed mid-run", test_killed },
  { "other input, bad ranges", test_other_input },
  { NULL, NULL }
};

SL_TEST_MAIN("checkpoint", tests, NULL, NULL)
