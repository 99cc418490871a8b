/* test_send_input.c — records out of input bytes: lines (with \r\n, empty
 * lines, no final newline, lines crossing read chunks, over-long lines
 * measured exactly), JSON values (concatenated, NDJSON, bad), raw binary. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sluice/send.h"

#define MAXREC 64

struct got {
  int n;
  char rec[MAXREC][64];
  size_t len[MAXREC];
  char where[MAXREC][64];
  size_t big_len[MAXREC];      /* record lengths when > 64 bytes */
  int over;
  char over_where[8][64];
  uint64_t over_size[8];
  int bad;
  char bad_where[8][64];
};

static enum sl_result on_record(void *ud, const char *p, size_t n, const struct sl_send_where *w)
{
  struct got *g = ud;
  if(g->n < MAXREC) {
    memcpy(g->rec[g->n], p, n < 64 ? n : 64);
    g->len[g->n] = n;
    sl_send_where_format(w, g->where[g->n], sizeof(g->where[0]));
    g->n++;
  }
  return SL_OK;
}

static void on_oversize(void *ud, const struct sl_send_where *w, uint64_t size)
{
  struct got *g = ud;
  if(g->over < 8) {
    sl_send_where_format(w, g->over_where[g->over], sizeof(g->over_where[0]));
    g->over_size[g->over] = size;
  }
  g->over++;
}

static void on_bad(void *ud, const struct sl_send_where *w, const char *reason)
{
  struct got *g = ud;
  (void)reason;
  if(g->bad < 8)
    sl_send_where_format(w, g->bad_where[g->bad], sizeof(g->bad_where[0]));
  g->bad++;
}

/* Runs the reader over the bytes through a temporary file. */
static enum sl_result read_bytes(enum sl_send_format f, size_t max, const void *p, size_t n,
                                 struct got *g)
{
  char path[512];
  struct sl_send_input in;
  struct sl_error err;
  enum sl_result r;
  FILE *fp;
  int fd;
  snprintf(path, sizeof(path), "%s/input", sl_test_tmpdir());
  fp = fopen(path, "wb");
  if(!fp)
    return SL_E_IO;
  fwrite(p, 1, n, fp);
  fclose(fp);
  memset(g, 0, sizeof(*g));
  memset(&in, 0, sizeof(in));
  in.format = f;
  in.record_max = max;
  in.on_record = on_record;
  in.on_oversize = on_oversize;
  in.on_bad = on_bad;
  in.ud = g;
  fd = open(path, O_RDONLY);
  sl_error_clear(&err);
  r = sl_send_read(&in, fd, "in", -1, &err);
  close(fd);
  return r;
}

static void test_lines(void)
{
  static const char text[] = "one\r\ntwo\n\n\r\nthree\nfour";
  struct got g;
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_LINES, 100, text, sizeof(text) - 1, &g), SL_OK);
  CU_ASSERT_EQUAL_FATAL(g.n, 4);
  CU_ASSERT_EQUAL(g.len[0], 3);
  CU_ASSERT_EQUAL(memcmp(g.rec[0], "one", 3), 0);
  CU_ASSERT_STRING_EQUAL(g.where[0], "in:1");
  CU_ASSERT_EQUAL(memcmp(g.rec[1], "two", 3), 0);
  CU_ASSERT_STRING_EQUAL(g.where[1], "in:2");
  CU_ASSERT_EQUAL(g.len[2], 5);
  CU_ASSERT_STRING_EQUAL(g.where[2], "in:5"); /* empty lines 3 and 4 skipped, still counted */
  CU_ASSERT_EQUAL(g.len[3], 4);
  CU_ASSERT_EQUAL(memcmp(g.rec[3], "four", 4), 0);
  CU_ASSERT_STRING_EQUAL(g.where[3], "in:6");
  CU_ASSERT_EQUAL(g.over, 0);
}

static void test_lines_edges(void)
{
  /* max 5: "12345" fits, "12345\r" fits (the \r is not data), "123456"
   * does not (size 6), "1234567\r" is 7 bytes. */
  static const char text[] = "12345\n12345\r\n123456\n1234567\r\nok\n";
  struct got g;
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_LINES, 5, text, sizeof(text) - 1, &g), SL_OK);
  CU_ASSERT_EQUAL(g.n, 3);
  CU_ASSERT_EQUAL(g.len[0], 5);
  CU_ASSERT_EQUAL(g.len[1], 5);
  CU_ASSERT_STRING_EQUAL(g.where[2], "in:5");
  CU_ASSERT_EQUAL_FATAL(g.over, 2);
  CU_ASSERT_STRING_EQUAL(g.over_where[0], "in:3");
  CU_ASSERT_EQUAL(g.over_size[0], 6);
  CU_ASSERT_STRING_EQUAL(g.over_where[1], "in:4");
  CU_ASSERT_EQUAL(g.over_size[1], 7);
}

static void test_lines_across_chunks(void)
{
  /* The reader takes 256 KiB at a time: lines straddle the boundary, and a
   * 700,000-byte line (over a 300,000 bound) spans three reads. */
  size_t n = 1500000, i, pos = 0;
  char *buf = malloc(n);
  struct got g;
  CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
  memset(buf, 'x', n);
  for(i = 0; i < 20; i++) { /* 20 lines of 13,107 bytes + '\n' ~ 262,160 */
    pos += 13107;
    buf[pos++] = '\n';
  }
  pos += 700000;
  buf[pos++] = '\r';
  buf[pos++] = '\n';
  pos += 299999;
  buf[pos++] = '\n';
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_LINES, 300000, buf, pos, &g), SL_OK);
  CU_ASSERT_EQUAL(g.n, 21);
  for(i = 0; i < 20; i++)
    CU_ASSERT_EQUAL(g.len[i], 13107);
  CU_ASSERT_EQUAL(g.len[20], 299999);
  CU_ASSERT_STRING_EQUAL(g.where[20], "in:22");
  CU_ASSERT_EQUAL_FATAL(g.over, 1);
  CU_ASSERT_EQUAL(g.over_size[0], 700000);
  CU_ASSERT_STRING_EQUAL(g.over_where[0], "in:21");
  free(buf);
}

static void test_json(void)
{
  static const char concat[] = "{\"a\":1}{\"b\":[1,2]} \"s\"\n42\n{\"c\":\n  {\"d\":null}}";
  static const char ndjson[] = "{\"a\":1}\n{\"a\":2}\r\n{\"a\":3}\n";
  struct got g;
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_JSON, 100, concat, sizeof(concat) - 1, &g), SL_OK);
  CU_ASSERT_EQUAL_FATAL(g.n, 5);
  CU_ASSERT_EQUAL(g.len[0], 7);
  CU_ASSERT_EQUAL(memcmp(g.rec[1], "{\"b\":[1,2]}", 11), 0);
  CU_ASSERT_EQUAL(memcmp(g.rec[2], "\"s\"", 3), 0);
  CU_ASSERT_EQUAL(g.len[3], 2);
  CU_ASSERT_EQUAL(g.len[4], strlen("{\"c\":\n  {\"d\":null}}")); /* as given */
  CU_ASSERT_STRING_EQUAL(g.where[4], "in: value 5");
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_JSON, 100, ndjson, sizeof(ndjson) - 1, &g), SL_OK);
  CU_ASSERT_EQUAL(g.n, 3);
  CU_ASSERT_EQUAL(memcmp(g.rec[2], "{\"a\":3}", 7), 0);
  CU_ASSERT_EQUAL(g.bad, 0);
}

static void test_json_bad_and_large(void)
{
  static const char text[] = "{\"a\":1}\n{\"big\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}\n"
                             "{\"a\":2}\n{\"a\": }\n{\"a\":3}\n";
  struct got g;
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_JSON, 20, text, sizeof(text) - 1, &g), SL_OK);
  CU_ASSERT_EQUAL(g.n, 3);
  CU_ASSERT_EQUAL(memcmp(g.rec[2], "{\"a\":3}", 7), 0);
  /* The value over the bound is refused as too large, only known to be
   * more than the bound (size 0); the broken one is bad. */
  CU_ASSERT_EQUAL_FATAL(g.over, 1);
  CU_ASSERT_STRING_EQUAL(g.over_where[0], "in: byte 8");
  CU_ASSERT_EQUAL(g.over_size[0], 0);
  CU_ASSERT_EQUAL_FATAL(g.bad, 1);
  CU_ASSERT_STRING_EQUAL(g.bad_where[0], "in: byte 65"); /* where it broke */
}

/* Compacted JSON: every value on one line, whitespace outside strings
 * gone, string bytes (escapes, spaces, braces) and number text exact. */
static void test_json_compact(void)
{
  static const struct {
    const char *in;
    const char *out[4];
  } cases[] = {
    { "{\n  \"a\": 1,\n  \"b\": [\n    1.50,\n    -0e+00,\r\n    12345678901234567890123\n  ]\n}\n",
      { "{\"a\":1,\"b\":[1.50,-0e+00,12345678901234567890123]}" } },
    { "{ \"s\" : \"a  b\\\" \\n\\t{ }\" ,\"t\":\"\\\\\" }\n[ 1 , 2 ]\n\"x y\" 7 ",
      { "{\"s\":\"a  b\\\" \\n\\t{ }\",\"t\":\"\\\\\"}", "[1,2]", "\"x y\"", "7" } },
    { "{\"c\":\n  {\"d\":null}}{\"e\" :true}", { "{\"c\":{\"d\":null}}", "{\"e\":true}" } },
  };
  size_t i, k;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char path[512];
    struct sl_send_input in;
    struct got g;
    FILE *fp;
    int fd;
    snprintf(path, sizeof(path), "%s/compact", sl_test_tmpdir());
    fp = fopen(path, "wb");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs(cases[i].in, fp);
    fclose(fp);
    memset(&g, 0, sizeof(g));
    memset(&in, 0, sizeof(in));
    in.format = SL_SEND_JSON;
    in.compact = 1;
    in.record_max = 200;
    in.on_record = on_record;
    in.on_oversize = on_oversize;
    in.on_bad = on_bad;
    in.ud = &g;
    fd = open(path, O_RDONLY);
    CU_ASSERT_EQUAL(sl_send_read(&in, fd, "in", -1, NULL), SL_OK);
    close(fd);
    CU_ASSERT_EQUAL(g.bad + g.over, 0);
    for(k = 0; k < 4 && cases[i].out[k]; k++) {
      CU_ASSERT_EQUAL_FATAL(g.len[k], strlen(cases[i].out[k]));
      CU_ASSERT_EQUAL(memcmp(g.rec[k], cases[i].out[k], g.len[k]), 0);
    }
    CU_ASSERT_EQUAL(g.n, (int)k);
  }
}

static void test_raw(void)
{
  static const unsigned char bin[] = { 0, 1, 2, '\n', 0xff, 0, '\r', '\n', 0x80 };
  struct got g;
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_RAW, 100, bin, sizeof(bin), &g), SL_OK);
  CU_ASSERT_EQUAL_FATAL(g.n, 1);
  CU_ASSERT_EQUAL(g.len[0], sizeof(bin));
  CU_ASSERT_EQUAL(memcmp(g.rec[0], bin, sizeof(bin)), 0);
  CU_ASSERT_STRING_EQUAL(g.where[0], "in");
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_RAW, 9, bin, sizeof(bin), &g), SL_OK);
  CU_ASSERT_EQUAL(g.n, 1);
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_RAW, 8, bin, sizeof(bin), &g), SL_OK);
  CU_ASSERT_EQUAL(g.n, 0);
  CU_ASSERT_EQUAL_FATAL(g.over, 1);
  CU_ASSERT_EQUAL(g.over_size[0], 9);
  CU_ASSERT_EQUAL_FATAL(read_bytes(SL_SEND_RAW, 8, "", 0, &g), SL_OK);
  CU_ASSERT_EQUAL(g.n + g.over, 0);
}

static void test_tee(void)
{
  static const char text[] = "a\nb\n";
  char path[512], copy[16] = "";
  struct sl_send_input in;
  struct got g;
  int fds[2], out;
  FILE *fp;
  snprintf(path, sizeof(path), "%s/tee", sl_test_tmpdir());
  CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
  CU_ASSERT_EQUAL(write(fds[1], text, 4), 4);
  close(fds[1]);
  out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  memset(&in, 0, sizeof(in));
  memset(&g, 0, sizeof(g));
  in.format = SL_SEND_LINES;
  in.record_max = 10;
  in.on_record = on_record;
  in.ud = &g;
  CU_ASSERT_EQUAL(sl_send_read(&in, fds[0], "stdin", out, NULL), SL_OK);
  close(fds[0]);
  close(out);
  CU_ASSERT_EQUAL(g.n, 2);
  fp = fopen(path, "rb");
  CU_ASSERT_EQUAL(fread(copy, 1, sizeof(copy), fp), 4);
  fclose(fp);
  CU_ASSERT_STRING_EQUAL(copy, text);
}

static const struct sl_test tests[] = {
  { "lines", test_lines },
  { "lines at the record bound", test_lines_edges },
  { "lines across reads", test_lines_across_chunks },
  { "json values", test_json },
  { "json: bad and too large", test_json_bad_and_large },
  { "json compacted to one line", test_json_compact },
  { "raw binary", test_raw },
  { "tee for a second pass", test_tee },
  { NULL, NULL }
};

SL_TEST_MAIN("send_input", tests, NULL, NULL)
