/* test_dec_record.c — text records that are not text (common/records/
 * dec_record.c, json_text.c): a line with a NUL byte or invalid UTF-8 is
 * reported once, at its first such byte, and still delivered; the printed
 * JSON string shows the bad bytes as U+FFFD. Every case is decoded whole,
 * one byte at a time and split in two at every position. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice/decode.h"
#include "common/records/json_text.h"

/* Records become "OFFSET=bytes\n" (text) or "OFFSET:bytes\n" (JSON), errors
 * "!OFFSET reason\n", in the order they were reported. */
struct coll {
  struct sl_buf out;
  struct sl_buf printed; /* each text record as sl_json_append_string writes it */
};

static int on_rec(void *ud, const char *p, size_t n, uint64_t off, int kind)
{
  struct coll *c = ud;
  sl_buf_printf(&c->out, "%llu%c", (unsigned long long)off, kind == SL_RECORD_JSON ? ':' : '=');
  sl_buf_add(&c->out, p, n);
  sl_buf_addc(&c->out, '\n');
  if(kind == SL_RECORD_TEXT) {
    sl_json_append_string(&c->printed, p, n);
    sl_buf_addc(&c->printed, '\n');
  }
  return 0;
}

static void on_err(void *ud, uint64_t off, const char *reason)
{
  struct coll *c = ud;
  sl_buf_printf(&c->out, "!%llu %s\n", (unsigned long long)off, reason);
}

/* Feeds in in pieces of at most step bytes, the first one split bytes long
 * (0: no split). */
static void decode(enum sl_decode_format f, const char *in, size_t n, size_t split, size_t step,
                   struct coll *c, struct sl_decoder_stats *st)
{
  struct sl_decoder_options o;
  struct sl_decoder *d;
  size_t pos = 0;
  sl_decoder_options_init(&o);
  o.format = f;
  o.on_record = on_rec;
  o.on_error = on_err;
  o.userdata = c;
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&c->out, 1u << 20), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&c->printed, 1u << 20), SL_OK);
  d = sl_decoder_new(&o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  while(pos < n) {
    size_t k = split && !pos ? split : step;
    if(k > n - pos)
      k = n - pos;
    CU_ASSERT_EQUAL(sl_decoder_feed(d, in + pos, k), SL_OK);
    pos += k;
  }
  CU_ASSERT_EQUAL(sl_decoder_finish(d), SL_OK);
  *st = *sl_decoder_stats(d);
  sl_decoder_free(d);
}

/* Bytes as they can be read in a log: NUL and the like as \xNN. */
static void show(const char *label, const char *p, size_t n)
{
  size_t i;
  fprintf(stderr, "%s[", label);
  for(i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)p[i];
    if(ch == '\n' || (ch >= 0x20 && ch < 0x7f))
      fputc(ch, stderr);
    else
      fprintf(stderr, "\\x%02x", ch);
  }
  fprintf(stderr, "]\n");
}

/* got against want (either may hold NUL bytes); shows both when they differ. */
static int same(const struct sl_buf *got, const char *want, size_t wlen, const char *what)
{
  if(got->len == wlen && !memcmp(got->data, want, wlen))
    return 1;
  fprintf(stderr, "\n%s:\n", what);
  show(" got: ", got->data, got->len);
  show("want: ", want, wlen);
  return 0;
}

/* Whole, byte by byte, and split at every position: all must give want. */
static void check_all(const char *name, enum sl_decode_format f, const char *in, size_t n,
                      const char *want, size_t wlen, uint64_t records, uint64_t errors)
{
  size_t k;
  for(k = 0; k <= n + 1; k++) {
    struct coll c;
    struct sl_decoder_stats st;
    size_t split = k <= n ? k : 0, step = k <= n ? n : 1;
    decode(f, in, n, split, step, &c, &st);
    if(!same(&c.out, want, wlen, name) || st.records != records || st.errors != errors) {
      fprintf(stderr, "case %s, split %zu step %zu: %llu records %llu errors\n", name, split,
              step, (unsigned long long)st.records, (unsigned long long)st.errors);
      CU_FAIL("decoded differently");
      k = n + 2;
    }
    sl_buf_cleanup(&c.out);
    sl_buf_cleanup(&c.printed);
  }
}

#define S(lit) lit, sizeof(lit) - 1

static void test_table(void)
{
  static const struct {
    const char *name;
    enum sl_decode_format format;
    const char *in;
    size_t len;
    const char *want;
    size_t wlen;
    uint64_t records, errors;
  } cases[] = {
    { "ascii", SL_DECODE_LINES, S("hello\nworld\n"), S("0=hello\n6=world\n"), 2, 0 },
    { "multibyte", SL_DECODE_LINES, S("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n"),
      S("0=\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\n"), 1, 0 },
    { "control bytes are text", SL_DECODE_LINES, S("a\tb\x01\x1b[0m\x7f\r\n"),
      S("0=a\tb\x01\x1b[0m\x7f\n"), 1, 0 },
    { "NUL", SL_DECODE_LINES, S("ab\0c\n"),
      S("!2 text record with a NUL byte (line at 0 kept)\n0=ab\0c\n"), 1, 1 },
    { "NUL only", SL_DECODE_LINES, S("x\n\0"),
      S("0=x\n!2 text record with a NUL byte (line at 2 kept)\n2=\0\n"), 2, 1 },
    { "stray continuation", SL_DECODE_LINES, S("ok\nab\x80\n"),
      S("0=ok\n!5 text record with invalid UTF-8 (line at 3 kept)\n3=ab\x80\n"), 2, 1 },
    { "overlong", SL_DECODE_LINES, S("\xc0\xaf\n"),
      S("!0 text record with invalid UTF-8 (line at 0 kept)\n0=\xc0\xaf\n"), 1, 1 },
    { "surrogate", SL_DECODE_LINES, S("\xed\xa0\x80\n"),
      S("!0 text record with invalid UTF-8 (line at 0 kept)\n0=\xed\xa0\x80\n"), 1, 1 },
    { "above U+10FFFF", SL_DECODE_LINES, S("\xf4\x90\x80\x80\n"),
      S("!0 text record with invalid UTF-8 (line at 0 kept)\n0=\xf4\x90\x80\x80\n"), 1, 1 },
    { "cut at the end", SL_DECODE_LINES, S("\xe2\x82"),
      S("!0 text record with invalid UTF-8 (line at 0 kept)\n0=\xe2\x82\n"), 1, 1 },
    { "cut before a newline", SL_DECODE_LINES, S("abc\xe2\x82\nz\n"),
      S("!3 text record with invalid UTF-8 (line at 0 kept)\n0=abc\xe2\x82\n6=z\n"), 2, 1 },
    { "both, one error", SL_DECODE_LINES, S("\xff\0\n"),
      S("!0 text record with a NUL byte and invalid UTF-8 (line at 0 kept)\n0=\xff\0\n"), 1, 1 },
    { "past a clean word", SL_DECODE_LINES, S("0123456789abcdef\xfe\n"),
      S("!16 text record with invalid UTF-8 (line at 0 kept)\n0=0123456789abcdef\xfe\n"), 1, 1 },
    { "NUL in the second word", SL_DECODE_LINES, S("01234567\0\n"),
      S("!8 text record with a NUL byte (line at 0 kept)\n0=01234567\0\n"), 1, 1 },
    { "crlf", SL_DECODE_LINES, S("a\r\n\r\n"), S("0=a\n3=\n"), 2, 0 },
    { "auto text", SL_DECODE_AUTO, S("[INFO] \xff\n[INFO] ok\n"),
      S("!7 text record with invalid UTF-8 (line at 0 kept)\n0=[INFO] \xff\n9=[INFO] ok\n"), 2, 1 },
    /* JSON records are the JSON scanner's to judge: a NUL there is a grammar error */
    { "json untouched", SL_DECODE_JSON, S("{\"a\":\"\xff\"}\n"), S("0:{\"a\":\"\xff\"}\n"), 1, 0 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    check_all(cases[i].name, cases[i].format, cases[i].in, cases[i].len, cases[i].want,
              cases[i].wlen, cases[i].records, cases[i].errors);
}

/* The case: one good JSON line, one text line with a NUL, one with
 * 0xff 0xfe, one valid multibyte line: four records, exactly two errors, and
 * what is printed. */
static void test_counts_and_printed(void)
{
  static const char in[] = "{\"a\":1}\nnul\0here\n\xff\xfe\nna\xc3\xafve \xe2\x82\xac\n";
  static const char want[] = "0={\"a\":1}\n"
                             "!11 text record with a NUL byte (line at 8 kept)\n"
                             "8=nul\0here\n"
                             "!17 text record with invalid UTF-8 (line at 17 kept)\n"
                             "17=\xff\xfe\n"
                             "20=na\xc3\xafve \xe2\x82\xac\n";
  struct coll c;
  struct sl_decoder_stats st;
  decode(SL_DECODE_LINES, in, sizeof(in) - 1, 0, sizeof(in), &c, &st);
  CU_ASSERT_EQUAL(st.records, 4);
  CU_ASSERT_EQUAL(st.errors, 2);
  CU_ASSERT(same(&c.out, want, sizeof(want) - 1, "counts"));
  SL_ASSERT_STR(c.printed.data, "\"{\\\"a\\\":1}\"\n"
                                "\"nul\\u0000here\"\n"
                                "\"\\ufffd\\ufffd\"\n"
                                "\"na\xc3\xafve \xe2\x82\xac\"\n");
  sl_buf_cleanup(&c.out);
  sl_buf_cleanup(&c.printed);
}

/* Positions of the first NUL and the first bad byte, across the eight-byte
 * fast path's boundaries. */
static void test_text_check(void)
{
  static const struct {
    const char *in;
    size_t len, nul, bad;
  } cases[] = {
    { S(""), SL_JSON_NO_POS, SL_JSON_NO_POS },
    { S("plain ascii text, longer than a word"), SL_JSON_NO_POS, SL_JSON_NO_POS },
    { S("\0"), 0, SL_JSON_NO_POS },
    { S("1234567\0"), 7, SL_JSON_NO_POS },
    { S("12345678\0"), 8, SL_JSON_NO_POS },
    { S("1234567\xc3\xa9"), SL_JSON_NO_POS, SL_JSON_NO_POS }, /* a sequence across words */
    { S("1234567\xc3"), SL_JSON_NO_POS, 7 },
    { S("123456789012345\xa9"), SL_JSON_NO_POS, 15 },
    { S("\xff\xfe\0\0"), 2, 0 },
    { S("ab\0cd\xf5\0"), 2, 5 },
    { S("\xe0\x80\x80 overlong"), SL_JSON_NO_POS, 0 },
  };
  size_t i, nul, bad;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sl_json_text_check(cases[i].in, cases[i].len, &nul, &bad);
    if(nul != cases[i].nul || bad != cases[i].bad)
      fprintf(stderr, "text check case %zu: nul %zu bad %zu\n", i, nul, bad);
    CU_ASSERT_EQUAL(nul, cases[i].nul);
    CU_ASSERT_EQUAL(bad, cases[i].bad);
  }
}

static const struct sl_test tests[] = {
  { "table", test_table },
  { "counts_and_printed", test_counts_and_printed },
  { "text_check", test_text_check },
  { NULL, NULL }
};

SL_TEST_MAIN("dec_record", tests, NULL, NULL)
