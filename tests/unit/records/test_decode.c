/* test_decode.c — the streaming log decoder (common/records/decode.c, jscan.c,
 * gunzip.c), the JSON text helpers and the error-output record parser.
 * Every table case is decoded whole, one byte at a time, split in two at
 * every position and in random chunks; all must give the same records,
 * offsets and errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "harness.h"
#include "sluice/decode.h"
#include "common/records/decoder.h"
#include "common/records/gunzip.h"
#include "common/records/jscan.h"

/* ---- collecting what the decoder says --------------------------------- */

/* Records become "OFFSET:bytes\n" (JSON) or "OFFSET=bytes\n" (text line),
 * errors "!OFFSET\n", in the order they were reported. */
struct coll {
  struct sl_buf out;
  char reason[512];
  int stop_after;
  int records;
};

static int on_rec(void *ud, const char *p, size_t n, uint64_t off, int kind)
{
  struct coll *c = ud;
  sl_buf_printf(&c->out, "%llu%c", (unsigned long long)off, kind == SL_RECORD_JSON ? ':' : '=');
  sl_buf_add(&c->out, p, n);
  sl_buf_addc(&c->out, '\n');
  c->records++;
  return c->stop_after && c->records >= c->stop_after;
}

static void on_err(void *ud, uint64_t off, const char *reason)
{
  struct coll *c = ud;
  size_t used = strlen(c->reason);
  sl_buf_printf(&c->out, "!%llu\n", (unsigned long long)off);
  snprintf(c->reason + used, sizeof(c->reason) - used, "%s|", reason);
}

static void coll_init(struct coll *c)
{
  memset(c, 0, sizeof(*c));
  sl_buf_init(&c->out, 64u * 1024 * 1024);
}

enum feed_how { FEED_WHOLE, FEED_BYTES, FEED_SPLIT, FEED_RANDOM, FEED_RANDOM_BIG };

/* Non-zero: decoders scan strings with the portable code, not AVX2. */
static int portable;

static uint32_t rng_state;
static uint32_t rng(void)
{
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

/* Decodes in into c; returns the first failure of feed or finish. */
static enum sl_result decode_with(const struct sl_decoder_options *base, const char *in,
                                  size_t n, enum feed_how how, size_t arg, struct coll *c,
                                  struct sl_decoder_stats *st)
{
  struct sl_decoder_options o = *base;
  struct sl_decoder *d;
  enum sl_result r = SL_OK, fr;
  size_t pos = 0;
  o.on_record = on_rec;
  o.on_error = on_err;
  o.userdata = c;
  d = sl_decoder_new(&o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  sl_jscan_set_wide(d, !portable);
  rng_state = (uint32_t)arg;
  while(pos < n) {
    size_t k = n - pos;
    if(how == FEED_BYTES)
      k = 1;
    else if(how == FEED_SPLIT && pos < arg)
      k = arg - pos;
    else if(how == FEED_RANDOM)
      k = 1 + rng() % 17;
    else if(how == FEED_RANDOM_BIG)
      k = 1 + rng() % 3000;
    if(k > n - pos)
      k = n - pos;
    fr = sl_decoder_feed(d, in + pos, k);
    if(fr && !r)
      r = fr;
    pos += k;
  }
  fr = sl_decoder_finish(d);
  if(fr && !r)
    r = fr;
  if(st)
    *st = *sl_decoder_stats(d);
  sl_decoder_free(d);
  return r;
}

/* Every way of chunking must give want. */
static void check_all(const char *name, const struct sl_decoder_options *o, const char *in,
                      size_t n, const char *want)
{
  struct coll c;
  struct sl_decoder_stats st;
  size_t k, runs = 0;
  int bad = 0;
  for(k = 0; k < n + 9 && !bad; k++) {
    enum feed_how how = k == 0 ? FEED_WHOLE : k == 1 ? FEED_BYTES : k < 8 ? FEED_RANDOM : FEED_SPLIT;
    size_t arg = how == FEED_RANDOM ? k * 7919 : k >= 8 ? k - 8 : 0;
    coll_init(&c);
    decode_with(o, in, n, how, arg, &c, &st);
    runs++;
    if(strcmp(c.out.data, want)) {
      fprintf(stderr, "\ncase %s, feed mode %d/%zu:\n got: [%s]\nwant: [%s]\n", name, how, arg,
              c.out.data, want);
      bad = 1;
    }
    sl_buf_cleanup(&c.out);
  }
  CU_ASSERT(!bad);
  CU_ASSERT(runs >= 9);
}

#define S(lit) lit, sizeof(lit) - 1

static const struct dcase {
  const char *name;
  enum sl_decode_format format;
  const char *in;
  size_t len;
  const char *want;
} cases[] = {
  /* boundaries */
  { "concat", SL_DECODE_JSON, S("{\"a\":1}{\"a\":2}[3]"), "0:{\"a\":1}\n7:{\"a\":2}\n14:[3]\n" },
  { "ndjson", SL_DECODE_JSON, S("{\"a\":1}\n{\"b\":[1,2]}\n"), "0:{\"a\":1}\n8:{\"b\":[1,2]}\n" },
  { "mixed whitespace", SL_DECODE_JSON, S(" \t{\"a\":1} \r\n\n  {\"b\":2}\t[3]"),
    "2:{\"a\":1}\n15:{\"b\":2}\n23:[3]\n" },
  { "top-level scalars", SL_DECODE_JSON, S("\"x\" 1 -2.5e+3 true false null [] {}"),
    "0:\"x\"\n4:1\n6:-2.5e+3\n14:true\n19:false\n25:null\n30:[]\n33:{}\n" },
  { "1 2 is two", SL_DECODE_JSON, S("1 2"), "0:1\n2:2\n" },
  { "12 is one", SL_DECODE_JSON, S("12"), "0:12\n" },
  { "number between objects", SL_DECODE_JSON, S("{\"a\":1}12{\"b\":2}"),
    "0:{\"a\":1}\n7:12\n9:{\"b\":2}\n" },
  { "number then string", SL_DECODE_JSON, S("1\"x\""), "0:1\n1:\"x\"\n" },
  { "literal then object", SL_DECODE_JSON, S("true{}"), "0:true\n4:{}\n" },
  { "adjacent strings", SL_DECODE_JSON, S("\"a\"\"b\""), "0:\"a\"\n3:\"b\"\n" },
  { "numbers", SL_DECODE_JSON, S("0 -0 1.5 1e10 1E-2 0.0e+0"),
    "0:0\n2:-0\n5:1.5\n9:1e10\n14:1E-2\n19:0.0e+0\n" },
  { "braces and escaped quotes in strings", SL_DECODE_JSON,
    S("{\"k\":\"a\\\"}{\"}{\"k\":\"\\\\\"}"), "0:{\"k\":\"a\\\"}{\"}\n13:{\"k\":\"\\\\\"}\n" },
  { "unicode escapes", SL_DECODE_JSON,
    S("{\"u\":\"\\u00e9\\uD83D\\uDE00\xc3\xa9\"}[\"\\u0041\"]"),
    "0:{\"u\":\"\\u00e9\\uD83D\\uDE00\xc3\xa9\"}\n28:[\"\\u0041\"]\n" },
  { "pretty printed", SL_DECODE_JSON, S("{\n  \"a\": [\n    1,\n    2\n  ]\n}\n{\"b\":{}}"),
    "0:{\n  \"a\": [\n    1,\n    2\n  ]\n}\n30:{\"b\":{}}\n" },
  { "spaces everywhere", SL_DECODE_JSON, S("{ \"a\" : 1 , \"b\" : [ ] }"),
    "0:{ \"a\" : 1 , \"b\" : [ ] }\n" },
  { "empty", SL_DECODE_JSON, S(""), "" },
  { "whitespace only", SL_DECODE_JSON, S(" \n\t "), "" },
  /* errors and resynchronization */
  { "garbage between", SL_DECODE_JSON, S("{\"a\":1}xyz{\"b\":2}"), "0:{\"a\":1}\n!7\n10:{\"b\":2}\n" },
  { "stray closer", SL_DECODE_JSON, S("{\"a\":1}}{\"b\":2}"), "0:{\"a\":1}\n!7\n8:{\"b\":2}\n" },
  { "cut record then good", SL_DECODE_JSON, S("{\"a\":1,{\"b\":2}"), "!7\n7:{\"b\":2}\n" },
  { "cut string then NDJSON", SL_DECODE_JSON, S("{\"a\":\"abc\n{\"b\":2}\n"), "!9\n10:{\"b\":2}\n" },
  { "truncated last record", SL_DECODE_JSON, S("{\"a\":1}{\"b\":"), "0:{\"a\":1}\n!7\n" },
  { "bad number resyncs at newline", SL_DECODE_JSON, S("12abc\n3"), "!2\n6:3\n" },
  { "truncated literal", SL_DECODE_JSON, S("tru"), "!0\n" },
  { "bad literal", SL_DECODE_JSON, S("nul}"), "!3\n" },
  { "literal not delimited", SL_DECODE_JSON, S("truex"), "!4\n" },
  { "literal in array not delimited", SL_DECODE_JSON, S("[truex]"), "!5\n" },
  { "lone minus", SL_DECODE_JSON, S("-"), "!0\n" },
  { "leading zero", SL_DECODE_JSON, S("01"), "!1\n" },
  { "no fraction digits", SL_DECODE_JSON, S("1."), "!0\n" },
  { "no exponent digits", SL_DECODE_JSON, S("1e"), "!0\n" },
  { "leading dot", SL_DECODE_JSON, S(".5"), "!0\n" },
  { "leading plus", SL_DECODE_JSON, S("+1"), "!0\n" },
  { "dot then letter", SL_DECODE_JSON, S("1.x"), "!2\n" },
  { "dot in array", SL_DECODE_JSON, S("[1.]"), "!3\n" },
  { "leading zero in array", SL_DECODE_JSON, S("[01]"), "!2\n" },
  { "trailing comma", SL_DECODE_JSON, S("[1,]"), "!3\n" },
  { "key without value", SL_DECODE_JSON, S("{\"a\"}"), "!4\n" },
  { "comma first", SL_DECODE_JSON, S("{,}"), "!1\n" },
  { "missing comma", SL_DECODE_JSON, S("[1 2]"), "!3\n" },
  { "mismatched closer", SL_DECODE_JSON, S("{\"a\":1]"), "!6\n" },
  { "bad escape", SL_DECODE_JSON, S("{\"a\":\"\\x\"}"), "!7\n" },
  { "bad unicode escape", SL_DECODE_JSON, S("[\"\\u12G4\"]"), "!6\n" },
  { "control character in string", SL_DECODE_JSON, S("{\"a\":\"x\ty\"}{\"b\":1}"),
    "!7\n11:{\"b\":1}\n" },
  { "invalid UTF-8 in string passes", SL_DECODE_JSON, S("{\"a\":\"\xff\xfe\"}"),
    "0:{\"a\":\"\xff\xfe\"}\n" },
  { "invalid UTF-8 outside", SL_DECODE_JSON, S("\xff{\"a\":1}"), "!0\n1:{\"a\":1}\n" },
  { "NUL first (short)", SL_DECODE_JSON, S("\0{}"), "!0\n1:{}\n" },
  /* text lines */
  { "lines crlf", SL_DECODE_LINES, S("a\r\nb\n\nc"), "0=a\n3=b\n5=\n6=c\n" },
  { "lines json is text", SL_DECODE_LINES, S("{\"a\":1}\n"), "0={\"a\":1}\n" },
  { "lines cr at end", SL_DECODE_LINES, S("a\r"), "0=a\n" },
  { "lines empty crlf", SL_DECODE_LINES, S("\r\n"), "0=\n" },
  { "lines invalid UTF-8", SL_DECODE_LINES, S("\xff\xfe x\n"), "!0\n0=\xff\xfe x\n" },
  /* auto */
  { "auto text", SL_DECODE_AUTO, S("hello world\n{\"a\":1}\n"), "0=hello world\n12={\"a\":1}\n" },
  { "auto bracketed text", SL_DECODE_AUTO, S("[INFO] started\n[WARN] x\n"),
    "0=[INFO] started\n15=[WARN] x\n" },
  { "auto ndjson", SL_DECODE_AUTO, S("{\"a\":1}\n{\"b\":2}\n"), "0:{\"a\":1}\n8:{\"b\":2}\n" },
  { "auto pretty", SL_DECODE_AUTO, S("{\n \"a\": 1\n}\n"), "0:{\n \"a\": 1\n}\n" },
  { "auto VPC flow log", SL_DECODE_AUTO, S("2 123456789010 eni-1 ok\n3 4 eni-2 REJECT\n"),
    "0=2 123456789010 eni-1 ok\n24=3 4 eni-2 REJECT\n" },
  { "auto strings", SL_DECODE_AUTO, S("\"x\"\n\"y\"\n"), "0:\"x\"\n4:\"y\"\n" },
  { "auto one word", SL_DECODE_AUTO, S("hello"), "0=hello\n" },
  { "auto truncated json", SL_DECODE_AUTO, S("{\"a\":"), "!0\n" },
  { "auto blank lines first", SL_DECODE_AUTO, S("\n\n{\"a\":1}"), "2:{\"a\":1}\n" },
  { "auto json then words", SL_DECODE_AUTO, S("{\"a\":1} trailing words\n{}\n"),
    "0={\"a\":1} trailing words\n23={}\n" },
  { "auto starts like PK", SL_DECODE_AUTO, S("PK hello\n"), "0=PK hello\n" },
  { "auto starts like gzip", SL_DECODE_AUTO, S("\x1f"), "0=\x1f\n" },
};

static void test_table(void)
{
  size_t i;
  for(portable = 0; portable < 2; portable++)
    for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
      struct sl_decoder_options o = { 0 };
      o.format = cases[i].format;
      check_all(cases[i].name, &o, cases[i].in, cases[i].len, cases[i].want);
    }
  portable = 0;
}

/* ---- the 64-byte string scan ------------------------------------------ */

/* String contents placed after 0..130 plain bytes, so each escape, quote and
 * control character falls before, on and after the 16-, 32- and 64-byte
 * marks of the string scan, and of the chunk when split; once more after a
 * leading escape, which starts a window with escapes early, so the pattern
 * also lands at odd and even offsets of such a window and across its end.
 * err: offset of the offending byte in the pattern, -1 when it is valid. */
static const struct wcase {
  const char *pat;
  int err;
} wcases[] = {
  { "\\\"", -1 },                    /* \" escaped quote */
  { "\\\\", -1 },                   /* \\ escaped backslash */
  { "\\\\\\\"", -1 },            /* three backslashes and a quote */
  { "\\\\\\\\\\n", -1 },      /* five backslashes and n */
  { "\\\\\\\\\\\\", -1 },   /* six backslashes */
  { "\\u00e9", -1 },
  { "\\uD83D\\uDE00x", -1 },
  { "\\/\\b\\f\\r\\t\\n", -1 },
  { "\\\\uxyz", -1 },               /* an escaped backslash, then a plain u */
  { "\xc3\xa9\xff \\\"", -1 },    /* bytes above 0x7f are content */
  { "\\x", 1 },
  { "\\u12G4", 4 },
  { "\\u12", 4 },                     /* the closing quote cuts the \u */
  { "\\u", 2 },
  { "\t", 0 },
  { "ab\x01", 2 },
  { "\\\t", 1 },                     /* backslash, raw tab */
  { "\\\\\\q", 3 },               /* an escaped backslash, then \q */
  { "\\\\\\\\ \x1f", 5 },
  { "\\\"a\\\"bc\\\\\\\"", -1 },   /* runs starting at odd offsets */
  { "a\\\\\\x", 4 },
};

static void test_string_windows(void)
{
  struct sl_buf in, want;
  size_t i, pad, k;
  struct sl_decoder_options o = { 0 };
  o.format = SL_DECODE_JSON;
  sl_buf_init(&in, 1 << 16);
  sl_buf_init(&want, 1 << 16);
  for(i = 0; i < 4 * sizeof(wcases) / sizeof(wcases[0]); i++)
    for(pad = 0; pad <= 130; pad++) {
      const struct wcase *w = &wcases[i / 4];
      const char *lead = i % 2 ? "\\n" : "";
      /* After a first record the fast path scans the pattern (on CPUs
       * that have it), with the record starting at an odd offset. */
      const char *first = i % 4 >= 2 ? "[0]" : "";
      size_t ok_at, at0 = strlen(first);
      sl_buf_reset(&in);
      sl_buf_reset(&want);
      sl_buf_adds(&in, first);
      if(at0)
        sl_buf_printf(&want, "0:%s\n", first);
      sl_buf_adds(&in, "{\"s\":\"");
      sl_buf_adds(&in, lead);
      for(k = 0; k < pad; k++)
        sl_buf_addc(&in, (char)('a' + k % 26));
      sl_buf_adds(&in, w->pat);
      sl_buf_adds(&in, "\"}");
      ok_at = in.len;
      sl_buf_adds(&in, "{\"ok\":1}");
      if(w->err < 0)
        sl_buf_printf(&want, "%zu:%.*s\n", at0, (int)(ok_at - at0), in.data + at0);
      else
        sl_buf_printf(&want, "!%zu\n", at0 + 6 + strlen(lead) + pad + (size_t)w->err);
      sl_buf_printf(&want, "%zu:{\"ok\":1}\n", ok_at);
      for(portable = 0; portable < 2; portable++) {
        struct coll c;
        int how;
        /* Whole, random pieces, and split at the 64-byte marks. */
        for(how = 0; how < 9; how++) { /* the marks, and those behind "[0]" */
          static const size_t split[] = { 0, 0, 63, 64, 65, 70, 66, 67, 68 };
          coll_init(&c);
          decode_with(&o, in.data, in.len, how == 0 ? FEED_WHOLE : how == 1 ? FEED_RANDOM : FEED_SPLIT,
                      how == 1 ? pad * 31 + i : split[how], &c, NULL);
          if(strcmp(c.out.data, want.data)) {
            fprintf(stderr, "\nwindow case %zu pad %zu portable %d how %d:\n got: [%s]\nwant: [%s]\n",
                    i, pad, portable, how, c.out.data, want.data);
            CU_FAIL("string window");
          }
          sl_buf_cleanup(&c.out);
        }
      }
      /* Every chunking, around the marks. */
      if(pad % 32 >= 28 || pad % 32 <= 2)
        for(portable = 0; portable < 2; portable++)
          check_all("string window", &o, in.data, in.len, want.data);
    }
  portable = 0;
  sl_buf_cleanup(&in);
  sl_buf_cleanup(&want);
}

/* The test hook answers truthfully and the portable scan can be forced. */
static void test_wide_hook(void)
{
  struct sl_decoder_options o = { 0 };
  struct sl_decoder *d;
  struct coll c;
  int wide;
  coll_init(&c);
  o.on_record = on_rec;
  o.userdata = &c;
  d = sl_decoder_new(&o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  CU_ASSERT_EQUAL(sl_jscan_set_wide(d, 0), 0);
  wide = sl_jscan_set_wide(d, 1);
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  CU_ASSERT_EQUAL(wide, __builtin_cpu_supports("avx2") != 0);
#else
  CU_ASSERT_EQUAL(wide, 0);
#endif
  CU_ASSERT_EQUAL(sl_decoder_feed(d, S("{\"a\":\"x\"}")), SL_OK);
  CU_ASSERT_EQUAL(sl_decoder_finish(d), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.out.data, "0:{\"a\":\"x\"}\n");
  sl_decoder_free(d);
  sl_buf_cleanup(&c.out);
}

/* ---- generated inputs ------------------------------------------------- */

static char *repeat(const char *s, size_t times, struct sl_buf *b)
{
  size_t i;
  for(i = 0; i < times; i++)
    sl_buf_adds(b, s);
  return b->data;
}

static void test_depth(void)
{
  struct sl_decoder_options o = { 0 };
  struct sl_buf in, want;
  sl_buf_init(&in, 1 << 20);
  sl_buf_init(&want, 1 << 20);
  /* Exactly the limit is fine. */
  repeat("[", 512, &in);
  repeat("]", 512, &in);
  sl_buf_printf(&want, "0:%s\n", in.data);
  check_all("depth 512", &o, in.data, in.len, want.data);
  /* One past it: reported at the 513th bracket, the record skipped to its
   * end (brackets inside strings ignored), the next record kept. */
  sl_buf_reset(&in);
  repeat("[", 600, &in);
  sl_buf_adds(&in, "\"]]]\\\"]\"");
  repeat("]", 600, &in);
  sl_buf_adds(&in, "{\"ok\":1}");
  sl_buf_reset(&want);
  sl_buf_printf(&want, "!512\n%zu:{\"ok\":1}\n", in.len - 8);
  check_all("depth 600", &o, in.data, in.len, want.data);
  /* Objects, and a lower configured bound. */
  o.max_depth = 3;
  check_all("depth 3 ok", &o, S("{\"a\":{\"b\":[1]}}"), "0:{\"a\":{\"b\":[1]}}\n");
  check_all("depth 4 refused", &o, S("{\"a\":{\"b\":[[1]]}}[]"), "!11\n17:[]\n");
  sl_buf_cleanup(&in);
  sl_buf_cleanup(&want);
}

static void test_record_max(void)
{
  struct sl_decoder_options o = { 0 };
  o.record_max = 16;
  o.format = SL_DECODE_JSON;
  check_all("record max", &o, S("{\"a\":\"0123456789abcdef\"}{\"b\":1}"), "!0\n24:{\"b\":1}\n");
  check_all("record exactly max", &o, S("{\"a\":\"01234567\"}"), "0:{\"a\":\"01234567\"}\n");
  o.record_max = 4;
  o.format = SL_DECODE_LINES;
  check_all("line max", &o, S("abcdef\nxy\nabcd\r\n"), "!0\n7=xy\n10=abcd\n");
}

static void test_stop(void)
{
  struct sl_decoder_options o = { 0 };
  struct sl_decoder *d;
  struct coll c;
  coll_init(&c);
  c.stop_after = 2;
  o.format = SL_DECODE_JSON;
  o.on_record = on_rec;
  o.userdata = &c;
  d = sl_decoder_new(&o);
  CU_ASSERT_EQUAL(sl_decoder_feed(d, S("1 2 3 4 ")), SL_OK);
  CU_ASSERT(sl_decoder_done(d));
  CU_ASSERT_EQUAL(sl_decoder_feed(d, S("5 ")), SL_OK);
  CU_ASSERT_EQUAL(sl_decoder_finish(d), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.out.data, "0:1\n2:2\n");
  CU_ASSERT_EQUAL(sl_decoder_stats(d)->records, 2);
  sl_decoder_free(d);
  sl_buf_cleanup(&c.out);
  /* Bad options. */
  o.on_record = NULL;
  CU_ASSERT_PTR_NULL(sl_decoder_new(&o));
  o.on_record = on_rec;
  o.max_depth = SL_DECODER_MAX_DEPTH_LIMIT + 1;
  CU_ASSERT_PTR_NULL(sl_decoder_new(&o));
}

/* ---- gzip ------------------------------------------------------------- */

/* gzip of in; with flush_at, a full flush there so a cut later in the
 * stream still leaves the first part decodable. */
static void gz(const char *in, size_t n, size_t flush_at, struct sl_buf *out)
{
  z_stream z;
  unsigned char tmp[65536];
  int zr;
  memset(&z, 0, sizeof(z));
  CU_ASSERT_EQUAL_FATAL(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = (unsigned char *)(uintptr_t)in;
  z.avail_in = (uInt)(flush_at ? flush_at : n);
  do {
    z.next_out = tmp;
    z.avail_out = sizeof(tmp);
    zr = deflate(&z, flush_at ? Z_FULL_FLUSH : Z_FINISH);
    sl_buf_add(out, tmp, sizeof(tmp) - z.avail_out);
  } while(z.avail_out == 0);
  if(flush_at) {
    z.avail_in = (uInt)(n - flush_at);
    do {
      z.next_out = tmp;
      z.avail_out = sizeof(tmp);
      zr = deflate(&z, Z_FINISH);
      sl_buf_add(out, tmp, sizeof(tmp) - z.avail_out);
    } while(zr != Z_STREAM_END);
  }
  deflateEnd(&z);
}

static void test_gzip(void)
{
  struct sl_decoder_options o = { 0 };
  struct sl_buf z, plain, want;
  struct coll c;
  struct sl_decoder_stats st;
  int i;
  sl_buf_init(&z, 1 << 20);
  sl_buf_init(&plain, 1 << 20);
  sl_buf_init(&want, 1 << 20);
  /* One member, every chunking. */
  gz(S("{\"a\":1}\n{\"b\":\"x\"}\n"), 0, &z);
  check_all("gzip", &o, z.data, z.len, "0:{\"a\":1}\n8:{\"b\":\"x\"}\n");
  /* Two members: offsets run on across them. */
  sl_buf_reset(&z);
  gz(S("{\"a\":1}"), 0, &z);
  gz(S("12 {\"b\":2}"), 0, &z);
  check_all("gzip members", &o, z.data, z.len, "0:{\"a\":1}\n7:12\n10:{\"b\":2}\n");
  coll_init(&c);
  CU_ASSERT_EQUAL(decode_with(&o, z.data, z.len, FEED_WHOLE, 0, &c, &st), SL_OK);
  CU_ASSERT_EQUAL(st.gzip_members, 2);
  CU_ASSERT_EQUAL(st.compression, SL_COMPRESSION_GZIP);
  CU_ASSERT_EQUAL(st.bytes_in, z.len);
  CU_ASSERT_EQUAL(st.bytes_decoded, 17);
  sl_buf_cleanup(&c.out);
  /* Text lines inside gzip, whatever the key says. */
  sl_buf_reset(&z);
  gz(S("line one\r\nline two\n"), 0, &z);
  check_all("gzip lines", &o, z.data, z.len, "0=line one\n10=line two\n");
  /* Truncated: the records before the cut come out, then the error. */
  for(i = 0; i < 2000; i++)
    sl_buf_printf(&plain, "{\"n\":%d,\"pad\":\"%040d\"}\n", i, i);
  sl_buf_reset(&z);
  gz(plain.data, plain.len, plain.len / 2, &z);
  coll_init(&c);
  CU_ASSERT_EQUAL(decode_with(&o, z.data, z.len - 50, FEED_RANDOM, 5, &c, &st), SL_E_PARSE);
  CU_ASSERT(st.records >= 1000 && st.records < 2000);
  CU_ASSERT(strstr(c.reason, "gzip") && strstr(c.reason, "truncated"));
  CU_ASSERT(!strncmp(c.out.data, "0:{\"n\":0,", 9));
  CU_ASSERT_PTR_NULL(strstr(c.out.data, "\"n\":1999,"));
  CU_ASSERT(st.errors >= 1 && st.errors <= 2);
  sl_buf_cleanup(&c.out);
  /* Corrupt in the middle: reported, good records before it kept. */
  z.data[z.len * 3 / 4] ^= 0x55;
  z.data[z.len * 3 / 4 + 1] ^= 0xaa;
  coll_init(&c);
  decode_with(&o, z.data, z.len, FEED_WHOLE, 0, &c, &st);
  CU_ASSERT(st.records >= 1000);
  CU_ASSERT(st.errors >= 1);
  sl_buf_cleanup(&c.out);
  /* Garbage after a complete member. */
  sl_buf_reset(&z);
  gz(S("{\"a\":1}"), 0, &z);
  sl_buf_add(&z, "junk", 4);
  coll_init(&c);
  CU_ASSERT_EQUAL(decode_with(&o, z.data, z.len, FEED_BYTES, 0, &c, &st), SL_E_PARSE);
  CU_ASSERT_PTR_NOT_NULL(strstr(c.out.data, "0:{\"a\":1}\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(c.reason, "not gzip"));
  sl_buf_cleanup(&c.out);
  sl_buf_cleanup(&z);
  sl_buf_cleanup(&plain);
  sl_buf_cleanup(&want);
}

static void test_refused(void)
{
  static const struct {
    const char *in;
    size_t len;
    const char *what;
  } refuse[] = {
    { S("\x28\xb5\x2f\xfd\x24\x0e\x71\x00\x00{\"a\":1}\n"), "zstd (28 b5 2f fd)" },
    { S("\xfd" "7zXZ\x00\x00\x04\xe6\xd6\xb4\x46\x02\x00\x21\x01"), "xz (fd 37 7a 58 5a 00)" },
    { S("BZh91AY&SY\x94\x1b\x8c\x4e\x00\x00"), "bzip2 (BZh)" },
  };
  size_t i, k;
  for(i = 0; i < sizeof(refuse) / sizeof(refuse[0]); i++) {
    for(k = 0; k < 3; k++) {
      struct sl_decoder_options o = { 0 };
      struct coll c;
      struct sl_decoder_stats st;
      char want[256];
      coll_init(&c);
      CU_ASSERT_EQUAL(decode_with(&o, refuse[i].in, refuse[i].len,
                                  k == 0 ? FEED_WHOLE : k == 1 ? FEED_BYTES : FEED_SPLIT, 3,
                                  &c, &st), SL_E_UNSUPPORTED);
      CU_ASSERT_STRING_EQUAL(c.out.data, "!0\n");
      snprintf(want, sizeof(want), "format not supported: %s; gzip, ZIP, Snappy (framing format), "
               "HADOOP_SNAPPY and uncompressed objects can be decoded|", refuse[i].what);
      SL_ASSERT_STR(c.reason, want);
      CU_ASSERT_EQUAL(st.compression, SL_COMPRESSION_UNSUPPORTED);
      CU_ASSERT_EQUAL(st.records, 0);
      CU_ASSERT_EQUAL(st.errors, 1);
      sl_buf_cleanup(&c.out);
    }
  }
}

/* ---- bounds: memory and time ------------------------------------------ */

struct counter {
  uint64_t records, bytes;
};

static int count_rec(void *ud, const char *p, size_t n, uint64_t off, int kind)
{
  struct counter *k = ud;
  (void)p;
  (void)off;
  (void)kind;
  k->records++;
  k->bytes += n;
  return 0;
}

/* An endless NDJSON stream of 600..1400-byte records, handed out in
 * arbitrary pieces. */
struct synth {
  char rec[2048];
  size_t len, at;
  uint64_t seq;
};

static void synth_fill(struct synth *s, char *buf, size_t n)
{
  while(n) {
    size_t k;
    if(s->at == s->len) {
      size_t i, len = 600 + (size_t)(s->seq * 2654435761u % 800);
      memcpy(s->rec, "{\"s\":\"", 6);
      for(i = 6; i < len - 3; i++)
        s->rec[i] = (char)('a' + i % 26);
      memcpy(s->rec + len - 3, "\"}\n", 3);
      s->len = len;
      s->at = 0;
      s->seq++;
    }
    k = s->len - s->at < n ? s->len - s->at : n;
    memcpy(buf, s->rec + s->at, k);
    s->at += k;
    buf += k;
    n -= k;
  }
}

static void big_stream(int gzip)
{
  const size_t total = 128u * 1024 * 1024, chunk = 64 * 1024;
  struct sl_decoder_options o = { 0 };
  struct sl_decoder *d;
  struct counter k = { 0, 0 };
  const struct sl_decoder_stats *st;
  char *in = malloc(chunk);
  unsigned char *zout = malloc(chunk);
  struct synth syn;
  size_t done = 0;
  int complete;
  z_stream z;
  o.record_max = 64 * 1024;
  o.on_record = count_rec;
  o.userdata = &k;
  d = sl_decoder_new(&o);
  memset(&syn, 0, sizeof(syn));
  memset(&z, 0, sizeof(z));
  if(gzip)
    deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  while(done < total) {
    synth_fill(&syn, in, chunk);
    done += chunk;
    if(!gzip) {
      CU_ASSERT_EQUAL_FATAL(sl_decoder_feed(d, in, chunk), SL_OK);
      continue;
    }
    z.next_in = (unsigned char *)in;
    z.avail_in = (uInt)chunk;
    do {
      z.next_out = zout;
      z.avail_out = (uInt)chunk;
      deflate(&z, done < total ? Z_NO_FLUSH : Z_FINISH);
      CU_ASSERT_EQUAL_FATAL(sl_decoder_feed(d, zout, chunk - z.avail_out), SL_OK);
    } while(z.avail_out == 0);
  }
  if(gzip)
    deflateEnd(&z);
  CU_ASSERT_EQUAL(sl_decoder_finish(d), SL_OK);
  st = sl_decoder_stats(d);
  CU_ASSERT_EQUAL(st->bytes_decoded, total);
  /* The 128 MiB mark may cut the last record: then one truncation error. */
  complete = syn.at + 1 >= syn.len;
  CU_ASSERT_EQUAL(st->errors, complete ? 0 : 1);
  CU_ASSERT_EQUAL(st->records, complete ? syn.seq : syn.seq - 1);
  CU_ASSERT_EQUAL(k.records, st->records);
  CU_ASSERT(st->peak_buffer < 1024 * 1024 + o.record_max);
  CU_ASSERT(st->scan_steps <= total + total / 100);
  if(gzip)
    CU_ASSERT_EQUAL(st->gzip_members, 1);
  sl_decoder_free(d);
  free(in);
  free(zout);
}

static void test_big_plain(void)
{
  big_stream(0);
}

static void test_big_gzip(void)
{
  big_stream(1);
}

/* Hostile input costs a bounded number of scanner steps per byte: nothing is
 * retried from an earlier position (the old reader was quadratic here). */
static void test_linear_on_garbage(void)
{
  static const char *const units[] = { "{x", "[", "{", "[1,", "{\"a\":", "tru", "\"", "}",
                                       "{\"a\":1,", "x", "1", "-" };
  const size_t mib = 1024 * 1024;
  struct sl_buf in;
  size_t i;
  sl_buf_init(&in, 2 * mib);
  for(i = 0; i <= sizeof(units) / sizeof(units[0]); i++) {
    struct sl_decoder_options o = { 0 };
    struct sl_decoder *d;
    struct counter k = { 0, 0 };
    const struct sl_decoder_stats *st;
    sl_buf_reset(&in);
    if(i == sizeof(units) / sizeof(units[0])) {
      rng_state = 42;
      while(in.len < mib)
        sl_buf_addc(&in, (char)(rng() & 0xff));
    }
    else
      while(in.len < mib)
        sl_buf_adds(&in, units[i]);
    o.format = SL_DECODE_JSON;
    o.record_max = 64 * 1024;
    o.on_record = count_rec;
    o.userdata = &k;
    d = sl_decoder_new(&o);
    sl_decoder_feed(d, in.data, in.len);
    sl_decoder_finish(d);
    st = sl_decoder_stats(d);
    CU_ASSERT(st->scan_steps <= 3 * st->bytes_decoded);
    CU_ASSERT(st->peak_buffer < mib);
    sl_decoder_free(d);
  }
  sl_buf_cleanup(&in);
}

/* Random near-JSON: whatever the bytes, every chunking agrees with the
 * whole-buffer result (no state is lost at a feed() boundary). */
static void test_chunking_agrees(void)
{
  static const char alphabet[] = "{}[]\":,\\u0123456789abcdefEe.+-tn \n\r\tx\xc3\xa9\x01";
  char in[96];
  int i;
  for(i = 0; i < 3000; i++) {
    struct sl_decoder_options o = { 0 };
    struct coll whole;
    size_t n, j;
    rng_state = (uint32_t)i * 2654435761u;
    n = 1 + rng() % sizeof(in);
    for(j = 0; j < n; j++)
      in[j] = alphabet[rng() % (sizeof(alphabet) - 1)];
    o.format = (enum sl_decode_format)(i % 3);
    o.max_depth = 1 + (unsigned)(i % 5);
    portable = i % 2; /* the whole-buffer reference uses the other scan */
    coll_init(&whole);
    decode_with(&o, in, n, FEED_WHOLE, 0, &whole, NULL);
    portable = !portable;
    check_all("random", &o, in, n, whole.out.data);
    sl_buf_cleanup(&whole.out);
  }
  portable = 0;
}

/* ---- helpers ---------------------------------------------------------- */

static void test_compact(void)
{
  static const struct {
    const char *in, *want;
  } cc[] = {
    { "{\n  \"a\": [ 1, 2 ],\n  \"s\": \"x y\\\" }\"\n}", "{\"a\":[1,2],\"s\":\"x y\\\" }\"}" },
    { "{\"a\":1}", "{\"a\":1}" },
    { " \"\\\\\" ", "\"\\\\\"" },
    { "[\r\n\t]", "[]" },
    { "", "" },
  };
  struct sl_buf b;
  size_t i;
  sl_buf_init(&b, 1024);
  for(i = 0; i < sizeof(cc) / sizeof(cc[0]); i++) {
    sl_buf_reset(&b);
    CU_ASSERT_EQUAL(sl_json_compact(cc[i].in, strlen(cc[i].in), &b), SL_OK);
    CU_ASSERT_STRING_EQUAL(b.data, cc[i].want);
  }
  sl_buf_cleanup(&b);
  sl_buf_init(&b, 4);
  CU_ASSERT_EQUAL(sl_json_compact(S("[1, 2, 3]"), &b), SL_E_TOO_LARGE);
  sl_buf_cleanup(&b);
}

static void test_append_string(void)
{
  static const struct {
    const char *in;
    size_t len;
    const char *want;
  } sc[] = {
    { S("plain"), "\"plain\"" },
    { S("q\"b\\/"), "\"q\\\"b\\\\/\"" },
    { S("\n\t\r\b\f\x01\x1f\x7f"), "\"\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\"" },
    { S("\0"), "\"\\u0000\"" },
    { S("\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac"), "\"\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac\"" },
    { S("\xff"), "\"\\ufffd\"" },
    { S("a\xc3"), "\"a\\ufffd\"" },
    { S("\xc0\xaf"), "\"\\ufffd\\ufffd\"" },
    { S("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"" },
    { S("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
    { S("\xe2\x82" "a"), "\"\\ufffd\\ufffda\"" },
    { S("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"" },
  };
  struct sl_buf b;
  size_t i;
  sl_buf_init(&b, 1024);
  for(i = 0; i < sizeof(sc) / sizeof(sc[0]); i++) {
    sl_buf_reset(&b);
    CU_ASSERT_EQUAL(sl_json_append_string(&b, sc[i].in, sc[i].len), SL_OK);
    if(strcmp(b.data, sc[i].want))
      fprintf(stderr, "\nappend_string %zu: got [%s] want [%s]\n", i, b.data, sc[i].want);
    CU_ASSERT_STRING_EQUAL(b.data, sc[i].want);
  }
  sl_buf_cleanup(&b);
}

static void test_failed_record(void)
{
  static const char good[] =
    "{\"attemptsMade\":4,\"arrivalTimestamp\":1700000000000,\"errorCode\":\"Lambda.FunctionError\","
    "\"errorMessage\":\"boom \\\"x\\\"\",\"attemptEndingTimestamp\":\"1700000001234\","
    "\"rawData\":\"eyJhIjoxfQo=\",\"lambdaArn\":\"arn:aws:lambda:eu-west-1:1:function:f\"}\n";
  static const char *const bad[] = {
    "{\"errorCode\":\"x\"}",                   /* no rawData */
    "{\"rawData\":\"eyJh*\"}",                  /* not base64 */
    "{\"rawData\":\"\",\"attemptsMade\":\"x\"}", /* not a number */
    "{\"rawData\":\"\",\"errorCode\":5}",       /* not a string */
    "[1]",                                      /* not an object */
    "{\"rawData\":\"\"} x",                     /* trailing bytes */
    "{\"rawData\":",                            /* cut */
  };
  struct sl_failed_record f;
  struct sl_error err;
  size_t i;
  CU_ASSERT_EQUAL(sl_failed_record_init(&f, 1024), SL_OK);
  CU_ASSERT_EQUAL(sl_failed_record_parse(&f, good, sizeof(good) - 1, &err), SL_OK);
  CU_ASSERT_EQUAL(f.attempts_made, 4);
  CU_ASSERT_EQUAL(f.arrival_timestamp, 1700000000000LL);
  CU_ASSERT_EQUAL(f.attempt_ending_timestamp, 1700000001234LL);
  CU_ASSERT_STRING_EQUAL(f.error_code, "Lambda.FunctionError");
  CU_ASSERT_STRING_EQUAL(f.error_message, "boom \"x\"");
  CU_ASSERT_EQUAL(f.raw_data.len, 8);
  CU_ASSERT_EQUAL(memcmp(f.raw_data.data, "{\"a\":1}\n", 8), 0);
  /* Optional fields absent: zero and "". */
  CU_ASSERT_EQUAL(sl_failed_record_parse(&f, S("{\"rawData\":\"AP8=\"}"), &err), SL_OK);
  CU_ASSERT_EQUAL(f.attempts_made, 0);
  CU_ASSERT_STRING_EQUAL(f.error_code, "");
  CU_ASSERT_EQUAL(f.raw_data.len, 2);
  CU_ASSERT_EQUAL((unsigned char)f.raw_data.data[1], 0xff);
  for(i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_failed_record_parse(&f, bad[i], strlen(bad[i]), &err), SL_E_PARSE);
    CU_ASSERT(err.message[0] != 0);
  }
  sl_failed_record_cleanup(&f);
  /* rawData larger than the caller's bound. */
  CU_ASSERT_EQUAL(sl_failed_record_init(&f, 2), SL_OK);
  CU_ASSERT_EQUAL(sl_failed_record_parse(&f, S("{\"rawData\":\"eyJhIjoxfQo=\"}"), &err),
                  SL_E_TOO_LARGE);
  sl_failed_record_cleanup(&f);
}

/* An error-output object end to end: decoder records into the parser. */
static int parse_failed(void *ud, const char *p, size_t n, uint64_t off, int kind)
{
  struct sl_buf *raw = ud;
  struct sl_failed_record f;
  (void)off;
  CU_ASSERT_EQUAL(kind, SL_RECORD_JSON);
  sl_failed_record_init(&f, 1024);
  CU_ASSERT_EQUAL(sl_failed_record_parse(&f, p, n, NULL), SL_OK);
  sl_buf_add(raw, f.raw_data.data, f.raw_data.len);
  sl_failed_record_cleanup(&f);
  return 0;
}

static void test_failed_object(void)
{
  static const char obj[] =
    "{\"attemptsMade\":1,\"arrivalTimestamp\":1,\"errorCode\":\"E\",\"errorMessage\":\"m\","
    "\"attemptEndingTimestamp\":2,\"rawData\":\"b25l\"}\n"
    "{\"attemptsMade\":1,\"arrivalTimestamp\":1,\"errorCode\":\"E\",\"errorMessage\":\"m\","
    "\"attemptEndingTimestamp\":2,\"rawData\":\"dHdv\"}\n";
  struct sl_decoder_options o = { 0 };
  struct sl_decoder *d;
  struct sl_buf raw;
  struct sl_buf z;
  sl_buf_init(&raw, 1024);
  sl_buf_init(&z, 4096);
  gz(obj, sizeof(obj) - 1, 0, &z);
  o.on_record = parse_failed;
  o.userdata = &raw;
  d = sl_decoder_new(&o);
  CU_ASSERT_EQUAL(sl_decoder_feed(d, z.data, z.len), SL_OK);
  CU_ASSERT_EQUAL(sl_decoder_finish(d), SL_OK);
  CU_ASSERT_STRING_EQUAL(raw.data, "onetwo");
  CU_ASSERT_EQUAL(sl_decoder_stats(d)->records, 2);
  sl_decoder_free(d);
  sl_buf_cleanup(&raw);
  sl_buf_cleanup(&z);
}

/* ---- the record fast path --------------------------------------------- */

/* Whether jscan.c runs the record fast path on this CPU. */
static int fast_cpu(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vbmi2") &&
         __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("bmi");
#else
  return 0;
#endif
}

/* Decodes in whole into c (fast path allowed); returns the records the fast
 * path delivered. */
static uint64_t decode_fast(const struct sl_decoder_options *base, const char *in, size_t n,
                            struct coll *c)
{
  struct sl_decoder_options o = *base;
  struct sl_decoder *d;
  uint64_t k;
  o.on_record = on_rec;
  o.on_error = on_err;
  o.userdata = c;
  d = sl_decoder_new(&o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  sl_decoder_feed(d, in, n);
  sl_decoder_finish(d);
  k = d->fast_records;
  sl_decoder_free(d);
  return k;
}

/* Each input starts with "[0]": the byte scanner delivers that record and
 * the fast path takes the rest (where the CPU has it). fast: how many
 * records it must deliver when the input is fed whole; after a record it
 * gave back to the byte scanner (an error) it waits for the next ones. */
static const struct fcase {
  const char *name;
  const char *in;
  size_t len;
  const char *want;
  unsigned fast;
} fcases[] = {
  { "records", S("[0]{\"a\":1}{\"b\":[1,2,{}]}\n[]"),
    "0:[0]\n3:{\"a\":1}\n10:{\"b\":[1,2,{}]}\n25:[]\n", 3 },
  { "braces and quotes in strings", S("[0]{\"a\":\"}{][\",\"b\":[\"]\\\"[\"]}{\"c\":\"\\\\\"}"),
    "0:[0]\n3:{\"a\":\"}{][\",\"b\":[\"]\\\"[\"]}\n28:{\"c\":\"\\\\\"}\n", 2 },
  { "top-level scalars between", S("[0]{\"a\":1} 12 \"x\" true{\"b\":2}null[3]"),
    "0:[0]\n3:{\"a\":1}\n11:12\n14:\"x\"\n18:true\n22:{\"b\":2}\n29:null\n33:[3]\n", 1 },
  { "whitespace", S("[0] {\n \"a\" :\t[ 1 , 2 ] }\r\n[ ]"),
    "0:[0]\n4:{\n \"a\" :\t[ 1 , 2 ] }\n26:[ ]\n", 2 },
  { "empty containers", S("[0]{\"a\":{},\"b\":[],\"c\":[{}]}"),
    "0:[0]\n3:{\"a\":{},\"b\":[],\"c\":[{}]}\n", 1 },
  { "numbers", S("[0][0,-0,1.5e+3,-2E-2,10,0.25e7]"),
    "0:[0]\n3:[0,-0,1.5e+3,-2E-2,10,0.25e7]\n", 1 },
  { "literals", S("[0][true,false,null]{\"t\":true}"),
    "0:[0]\n3:[true,false,null]\n20:{\"t\":true}\n", 2 },
  { "escapes", S("[0]{\"a\":\"\\u00e9\\\\\\\"\\/\\b\\f\\n\\r\\t\"}"),
    "0:[0]\n3:{\"a\":\"\\u00e9\\\\\\\"\\/\\b\\f\\n\\r\\t\"}\n", 1 },
  { "invalid UTF-8 in a string", S("[0]{\"a\":\"\xff\xfe\xc3\xa9\"}"),
    "0:[0]\n3:{\"a\":\"\xff\xfe\xc3\xa9\"}\n", 1 },
  /* Errors: the byte scanner rescans the record and reports them. */
  { "bad literal mid-record", S("[0]{\"a\":1}{\"b\":tru}{\"c\":2}"),
    "0:[0]\n3:{\"a\":1}\n!18\n19:{\"c\":2}\n", 1 },
  { "literal not delimited", S("[0][truex][1]"), "0:[0]\n!8\n10:[1]\n", 0 },
  { "control character in a string", S("[0]{\"a\":\"x\ty\"}{\"b\":1}"), "0:[0]\n!10\n14:{\"b\":1}\n", 0 },
  { "bad escape", S("[0]{\"a\":\"\\q\"}[1]"), "0:[0]\n!10\n13:[1]\n", 0 },
  { "bad \\u", S("[0][\"\\u12G4\"][1]"), "0:[0]\n!9\n13:[1]\n", 0 },
  { "mismatched closer", S("[0]{\"a\":[1}][2]"), "0:[0]\n!10\n12:[2]\n", 0 },
  { "missing colon", S("[0]{\"a\" 1}[2]"), "0:[0]\n!8\n10:[2]\n", 0 },
  { "trailing comma", S("[0][1,][2]"), "0:[0]\n!6\n7:[2]\n", 0 },
  { "leading zero", S("[0][01][2]"), "0:[0]\n!5\n7:[2]\n", 0 },
  { "no fraction digits", S("[0][1.][2]"), "0:[0]\n!6\n7:[2]\n", 0 },
  { "no exponent digits", S("[0][1e+][2]"), "0:[0]\n!7\n8:[2]\n", 0 },
  { "lone minus", S("[0][-][2]"), "0:[0]\n!5\n6:[2]\n", 0 },
  { "byte outside strings", S("[0]{\"a\":1}\xff{\"b\":2}"), "0:[0]\n3:{\"a\":1}\n!10\n11:{\"b\":2}\n", 1 },
  { "stray closer", S("[0]}{\"a\":1}"), "0:[0]\n!3\n4:{\"a\":1}\n", 0 },
  { "key not a string", S("[0]{1:2}[3]"), "0:[0]\n!4\n8:[3]\n", 0 },
  { "truncated string", S("[0]{\"a\":\"abc"), "0:[0]\n!3\n", 0 },
  { "truncated number", S("[0][1,23"), "0:[0]\n!3\n", 0 },
};

static void test_fast_table(void)
{
  struct sl_decoder_options o = { 0 };
  size_t i;
  o.format = SL_DECODE_JSON;
  for(i = 0; i < sizeof(fcases) / sizeof(fcases[0]); i++) {
    struct coll c;
    uint64_t k;
    for(portable = 0; portable < 2; portable++)
      check_all(fcases[i].name, &o, fcases[i].in, fcases[i].len, fcases[i].want);
    portable = 0;
    coll_init(&c);
    k = decode_fast(&o, fcases[i].in, fcases[i].len, &c);
    if(k != (fast_cpu() ? fcases[i].fast : 0)) {
      fprintf(stderr, "\nfast case %s: the fast path delivered %llu records\n", fcases[i].name,
              (unsigned long long)k);
      CU_FAIL("fast path records");
    }
    sl_buf_cleanup(&c.out);
  }
}

/* Nesting at the fast path's own bound (64 levels) and at configured ones:
 * exactly the bound is a record, one more is reported at that bracket. */
static void test_fast_depth(void)
{
  static const unsigned bounds[] = { 3, 63, 64, 65, 0 };
  struct sl_buf in, want;
  size_t i, lvl;
  sl_buf_init(&in, 1 << 16);
  sl_buf_init(&want, 1 << 16);
  for(i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
    struct sl_decoder_options o = { 0 };
    unsigned bound = bounds[i] ? bounds[i] : SL_DECODER_DEFAULT_MAX_DEPTH;
    o.format = SL_DECODE_JSON;
    o.max_depth = bounds[i];
    for(lvl = bound; lvl <= bound + 1; lvl++) {
      size_t k, at;
      sl_buf_reset(&in);
      sl_buf_reset(&want);
      sl_buf_adds(&in, "[0]");
      for(k = 0; k < lvl; k++)
        sl_buf_adds(&in, k % 2 ? "[" : "{\"k\":");
      sl_buf_adds(&in, "\"}]\"");
      for(k = lvl; k-- > 0;)
        sl_buf_addc(&in, k % 2 ? ']' : '}');
      at = in.len;
      sl_buf_adds(&in, "[1]");
      sl_buf_adds(&want, "0:[0]\n");
      if(lvl == bound)
        sl_buf_printf(&want, "3:%.*s\n", (int)(at - 3), in.data + 3);
      else /* the bracket that opens level bound + 1 */
        sl_buf_printf(&want, "!%zu\n", (size_t)(3 + bound / 2 * 6 + (bound % 2 ? 5 : 0)));
      sl_buf_printf(&want, "%zu:[1]\n", at);
      for(portable = 0; portable < 2; portable++) {
        struct coll c;
        int how;
        for(how = 0; how < 3; how++) {
          coll_init(&c);
          decode_with(&o, in.data, in.len, how == 0 ? FEED_WHOLE : how == 1 ? FEED_RANDOM : FEED_RANDOM_BIG,
                      lvl * 7 + i, &c, NULL);
          if(strcmp(c.out.data, want.data)) {
            fprintf(stderr, "\nfast depth bound %u level %zu portable %d how %d:\n got: [%s]\nwant: [%s]\n",
                    bound, lvl, portable, how, c.out.data, want.data);
            CU_FAIL("fast depth");
          }
          sl_buf_cleanup(&c.out);
        }
      }
      portable = 0;
    }
  }
  sl_buf_cleanup(&in);
  sl_buf_cleanup(&want);
}

/* Random JSON for the differential test: records of nested objects and
 * arrays whose strings hold escapes (backslash runs, \u, \"), brackets,
 * quotes and UTF-8, and numbers and literals of every form. */
static void gen_value(struct sl_buf *b, unsigned depth)
{
  static const char *const pieces[] = { "\\\\", "\\\"", "\\u00e9", "\\uD83D\\uDE00", "{", "}",
                                        "[", "]", ":", ",", "\xc3\xa9", "\xe6\x9d\xb1", "\\n",
                                        "\\/", " ", "abc", "\\\\\\\"", "\\t\\r" };
  static const char *const atoms[] = { "0", "-0", "12", "-3.25", "1e9", "2.5E-3", "0.0e+0",
                                       "1700000000000", "true", "false", "null" };
  unsigned r = rng() % 16, i, n;
  if(depth < 70 && r < 4) { /* an object, a few nested deeply */
    n = depth > 6 && rng() % 8 ? 1 : rng() % 5;
    sl_buf_addc(b, '{');
    for(i = 0; i < n; i++) {
      sl_buf_printf(b, "%s\"k%u\"%s:", i ? "," : "", rng() % 50, rng() % 7 ? "" : " ");
      gen_value(b, depth + 1);
    }
    sl_buf_addc(b, '}');
  }
  else if(depth < 70 && r < 7) {
    n = depth > 6 && rng() % 8 ? 1 : rng() % 5;
    sl_buf_addc(b, '[');
    for(i = 0; i < n; i++) {
      if(i)
        sl_buf_adds(b, rng() % 5 ? "," : " ,\n");
      gen_value(b, depth + 1);
    }
    sl_buf_addc(b, ']');
  }
  else if(r < 12) {
    n = rng() % 12;
    sl_buf_addc(b, '"');
    for(i = 0; i < n; i++) {
      if(rng() % 3)
        sl_buf_adds(b, pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))]);
      else { /* a run of plain bytes, to move the rest across block marks */
        unsigned k, len = rng() % 70;
        for(k = 0; k < len; k++)
          sl_buf_addc(b, (char)('a' + k % 26));
      }
    }
    sl_buf_addc(b, '"');
  }
  else
    sl_buf_adds(b, atoms[rng() % (sizeof(atoms) / sizeof(atoms[0]))]);
}

/* The fast path against the byte scanner on random documents, some with a
 * few bytes broken: the same records, offsets and errors, fed whole and in
 * random pieces. Fixed seed. */
static void test_fast_differential(void)
{
  static const char breakers[] = "{}[]\":,\\u0x \n\x01\xff";
  static const unsigned depths[] = { 0, 3, 64, 65 };
  struct sl_buf in;
  uint64_t fast = 0;
  int i;
  sl_buf_init(&in, 1 << 20);
  for(i = 0; i < 400; i++) {
    struct sl_decoder_options o = { 0 };
    struct coll ref, c;
    unsigned j, n;
    int how;
    rng_state = 0x5eed0000u + (uint32_t)i;
    sl_buf_reset(&in);
    n = 1 + rng() % 20;
    for(j = 0; j < n; j++) {
      if(rng() % 8 == 0)
        sl_buf_adds(&in, rng() % 2 ? "\n" : " ");
      if(j && rng() % 10 == 0)
        gen_value(&in, 70); /* a top-level scalar */
      else if(rng() % 2)
        gen_value(&in, 0);
      else {
        sl_buf_addc(&in, '{');
        sl_buf_adds(&in, "\"a\":");
        gen_value(&in, 1);
        sl_buf_addc(&in, '}');
      }
    }
    if(i % 3 == 0) /* break a few bytes */
      for(j = 0; j < 1 + rng() % 3 && in.len; j++)
        in.data[rng() % in.len] = breakers[rng() % (sizeof(breakers) - 1)];
    o.format = SL_DECODE_JSON;
    o.max_depth = depths[i % 4];
    o.record_max = i % 7 == 0 ? 300 : 0;
    portable = 1;
    coll_init(&ref);
    decode_with(&o, in.data, in.len, FEED_WHOLE, 0, &ref, NULL);
    portable = 0;
    coll_init(&c);
    fast += decode_fast(&o, in.data, in.len, &c);
    CU_ASSERT_STRING_EQUAL(c.out.data, ref.out.data);
    sl_buf_cleanup(&c.out);
    /* In pieces, against the byte scanner fed the same pieces (where a
     * record too large is reported can depend on the pieces). */
    for(how = 0; how < 3; how++) {
      enum feed_how fh = how == 0 ? FEED_RANDOM : how == 1 ? FEED_RANDOM_BIG : FEED_SPLIT;
      size_t arg = how == 2 ? rng() % (in.len + 1) : (size_t)i * 7919 + (size_t)how;
      struct coll pref;
      portable = 1;
      coll_init(&pref);
      decode_with(&o, in.data, in.len, fh, arg, &pref, NULL);
      portable = 0;
      coll_init(&c);
      decode_with(&o, in.data, in.len, fh, arg, &c, NULL);
      if(strcmp(c.out.data, pref.out.data)) {
        fprintf(stderr, "\ndifferential %d how %d (%zu bytes):\n in: [%s]\n got: [%s]\nwant: [%s]\n", i,
                how, in.len, in.data, c.out.data, pref.out.data);
        CU_FAIL("fast path differs");
        how = 3;
        i = 400;
      }
      sl_buf_cleanup(&c.out);
      sl_buf_cleanup(&pref.out);
    }
    sl_buf_cleanup(&ref.out);
  }
  portable = 0;
  /* Most documents are valid: the fast path must have done the work. */
  if(fast_cpu()) {
    CU_ASSERT(fast > 500); /* 728 with this seed */
  }
  else {
    CU_ASSERT_EQUAL(fast, 0);
  }
  sl_buf_cleanup(&in);
}

/* A first line longer than the auto-detection window is judged on what fits. */
static void test_auto_long_first_line(void)
{
  struct sl_decoder_options o = { 0 };
  struct sl_buf in, want;
  sl_buf_init(&in, 1 << 20);
  sl_buf_init(&want, 1 << 20);
  sl_buf_adds(&in, "{\"s\":\"");
  while(in.len < 200000)
    sl_buf_adds(&in, "abcdefghij");
  sl_buf_adds(&in, "\"}\n[1]");
  sl_buf_printf(&want, "0:%.*s\n%zu:[1]\n", (int)(in.len - 4), in.data, in.len - 3);
  {
    struct coll c;
    size_t k;
    for(k = 0; k < 3; k++) {
      coll_init(&c);
      decode_with(&o, in.data, in.len, k == 0 ? FEED_WHOLE : k == 1 ? FEED_RANDOM : FEED_SPLIT,
                  k == 1 ? 3 : 65536, &c, NULL);
      CU_ASSERT_STRING_EQUAL(c.out.data, want.data);
      sl_buf_cleanup(&c.out);
    }
  }
  sl_buf_cleanup(&in);
  sl_buf_cleanup(&want);
}

static const struct sl_test tests[] = {
  { "table, every chunking", test_table },
  { "nesting depth bound", test_depth },
  { "record size bound", test_record_max },
  { "stop and bad options", test_stop },
  { "gzip, members, truncated, corrupt", test_gzip },
  { "zstd, xz and bzip2 refused by name", test_refused },
  { "128 MiB plain in 64 KiB chunks, bounded", test_big_plain },
  { "128 MiB gzip in 64 KiB chunks, bounded", test_big_gzip },
  { "linear on garbage", test_linear_on_garbage },
  { "random input, every chunking agrees", test_chunking_agrees },
  { "string scan windows, wide and portable", test_string_windows },
  { "wide scan test hook", test_wide_hook },
  { "fast path table, every chunking", test_fast_table },
  { "fast path nesting bounds", test_fast_depth },
  { "fast path against the byte scanner", test_fast_differential },
  { "auto, long first line", test_auto_long_first_line },
  { "json compact", test_compact },
  { "json string from bytes", test_append_string },
  { "error-output record", test_failed_record },
  { "error-output object end to end", test_failed_object },
  { NULL, NULL }
};

SL_TEST_MAIN("decode", tests, NULL, NULL)
