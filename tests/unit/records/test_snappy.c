/* test_snappy.c — CRC-32C (known vectors, the table and SSE4.2 paths
 * agreeing) and the streaming Snappy decoder: framing-format and Hadoop
 * objects built here with libsnappy, decoded whole, a byte at a time and in
 * random pieces to the same bytes, and each way of being broken reported
 * with its exact message after exactly the chunks before it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>

#include "harness.h"
#include "common/records/crc32c.h"
#include "common/records/snappy.h"

#define MB (1024u * 1024u)

/* ---- building objects ---- */

/* v in `bytes` bytes, little- or big-endian */
static void put(struct sl_buf *b, uint32_t v, int bytes, int big)
{
  int i;
  for(i = 0; i < bytes; i++)
    sl_buf_addc(b, (char)(v >> (8 * (big ? bytes - 1 - i : i))));
}
#define put_le(b, v, bytes) put((b), (v), (bytes), 0)
#define put_be32(b, v) put((b), (v), 4, 1)

static void frame_raw(struct sl_buf *f, unsigned type, const void *p, size_t n)
{
  sl_buf_addc(f, (char)type);
  put_le(f, (uint32_t)n, 3);
  sl_buf_add(f, p, n);
}

static void frame_ident(struct sl_buf *f)
{
  frame_raw(f, 0xff, "sNaPpY", 6);
}

/* type 0x01 (uncompressed) or 0x00 (compressed) with the masked CRC */
static void frame_data(struct sl_buf *f, unsigned type, const char *p, size_t n)
{
  size_t clen = snappy_max_compressed_length(n);
  char *c = malloc(clen);
  sl_buf_addc(f, (char)type);
  if(type == 0x00)
    CU_ASSERT_FATAL(snappy_compress(p, n, c, &clen) == SNAPPY_OK);
  put_le(f, (uint32_t)(4 + (type == 0x00 ? clen : n)), 3);
  put_le(f, sl_crc32c_mask(sl_crc32c(0, p, n)), 4);
  sl_buf_add(f, type == 0x00 ? c : p, type == 0x00 ? clen : n);
  free(c);
}

/* a Hadoop sub-chunk: compressed length, raw snappy */
static void hadoop_sub(struct sl_buf *f, const char *p, size_t n)
{
  size_t clen = snappy_max_compressed_length(n);
  char *c = malloc(clen);
  CU_ASSERT_FATAL(snappy_compress(p, n, c, &clen) == SNAPPY_OK);
  put_be32(f, (uint32_t)clen);
  sl_buf_add(f, c, clen);
  free(c);
}

/* NDJSON records as Firehose delivers them, about 90 bytes each. */
static void ndjson(struct sl_buf *b, size_t bytes, unsigned seed)
{
  unsigned i = 0;
  for(; b->len < bytes; i++)
    sl_buf_printf(b, "{\"i\":%u,\"path\":\"/api/v1/items/%u\",\"status\":%u,\"ms\":%u}\n", i,
                  (seed + i * 7919u) % 100000u, 200u + i % 5u, (seed ^ i) % 997u);
  b->len = bytes;
}

/* ---- decoding ---- */

struct out {
  struct sl_buf b;
  int calls;
  int stop_after; /* 0 = never */
};

static int sink(void *ctx, const char *p, size_t n)
{
  struct out *o = ctx;
  CU_ASSERT(n > 0);
  sl_buf_add(&o->b, p, n);
  o->calls++;
  return o->stop_after && o->calls == o->stop_after;
}

enum { WHOLE, BYTES, RANDOM, MODES };
static const char *const mode_names[MODES] = { "whole", "1 byte", "random" };

/* Feeds obj in the mode's pieces, then finishes; the first failure wins.
 * s is left for the caller to look at and clean up. */
static enum sl_result run(struct sl_snappy *s, int hadoop, const struct sl_buf *obj, int mode,
                          struct out *o)
{
  enum sl_result r;
  size_t at = 0;
  uint32_t rnd = 12345;
  CU_ASSERT_FATAL(sl_snappy_init(s, hadoop) == SL_OK);
  CU_ASSERT_FATAL(sl_buf_init(&o->b, 64 * MB) == SL_OK);
  o->calls = 0;
  for(r = SL_OK; !r && at < obj->len;) {
    size_t n = obj->len - at;
    if(mode == BYTES)
      n = 1;
    else if(mode == RANDOM) { /* mostly small, sometimes larger than a chunk */
      rnd = rnd * 1103515245u + 12345u;
      n = (rnd >> 16) % 8 ? 1 + (rnd >> 8) % 300 : 1 + (rnd >> 4) % 150000;
    }
    if(n > obj->len - at)
      n = obj->len - at;
    r = sl_snappy_feed(s, (const unsigned char *)obj->data + at, n, sink, o);
    at += n;
  }
  if(!r)
    r = sl_snappy_finish(s);
  return r;
}

/* Decodes obj in every mode: each must give want (bytes, result, message). */
static void expect(int hadoop, const struct sl_buf *obj, const char *want, size_t want_len,
                   enum sl_result want_r, const char *want_msg)
{
  int mode;
  for(mode = 0; mode < MODES; mode++) {
    struct sl_snappy s;
    struct out o = { .stop_after = 0 };
    enum sl_result r = run(&s, hadoop, obj, mode, &o);
    if(r != want_r || o.b.len != want_len)
      fprintf(stderr, "mode %s: result %d, %zu bytes out\n", mode_names[mode], (int)r, o.b.len);
    CU_ASSERT_EQUAL(r, want_r);
    SL_ASSERT_STR(r ? s.msg : "", want_msg);
    CU_ASSERT_EQUAL_FATAL(o.b.len, want_len);
    CU_ASSERT(!memcmp(o.b.data, want, want_len));
    CU_ASSERT_EQUAL(s.out_total, want_len);
    if(r) { /* the failure sticks */
      CU_ASSERT_EQUAL(sl_snappy_feed(&s, (const unsigned char *)"x", 1, sink, &o), want_r);
      CU_ASSERT_EQUAL(sl_snappy_finish(&s), want_r);
      SL_ASSERT_STR(s.msg, want_msg);
    }
    else
      CU_ASSERT_EQUAL(s.in_total, obj->len);
    sl_snappy_cleanup(&s);
    sl_buf_cleanup(&o.b);
  }
}

/* ---- CRC-32C ---- */

static uint32_t crc_bitwise(const unsigned char *p, size_t n)
{
  uint32_t c = 0xffffffffu;
  int k;
  while(n--) {
    c ^= *p++;
    for(k = 0; k < 8; k++)
      c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
  }
  return ~c;
}

static void test_crc32c_vectors(void)
{
  unsigned char zeros[32] = { 0 }, ones[32], inc[32], dec[32];
  uint32_t (*const fns[2])(uint32_t, const void *, size_t) = { sl_crc32c_portable, sl_crc32c };
  int i, f;
  for(i = 0; i < 32; i++) {
    ones[i] = 0xff;
    inc[i] = (unsigned char)i;
    dec[i] = (unsigned char)(31 - i);
  }
  for(f = 0; f < 2; f++) {
    CU_ASSERT_EQUAL(fns[f](0, "123456789", 9), 0xe3069283u);
    CU_ASSERT_EQUAL(fns[f](0, zeros, 32), 0x8a9136aau);
    CU_ASSERT_EQUAL(fns[f](0, ones, 32), 0x62a8ab43u);
    CU_ASSERT_EQUAL(fns[f](0, inc, 32), 0x46dd794eu);
    CU_ASSERT_EQUAL(fns[f](0, dec, 32), 0x113fdb5cu);
    CU_ASSERT_EQUAL(fns[f](0, "a", 1), 0xc1d04330u);
    CU_ASSERT_EQUAL(fns[f](0, "", 0), 0u);
    CU_ASSERT_EQUAL(fns[f](fns[f](0, "1234", 4), "56789", 5), 0xe3069283u); /* continued */
  }
  CU_ASSERT_EQUAL(sl_crc32c_mask(0), 0xa282ead8u);
  CU_ASSERT_EQUAL(sl_crc32c_mask(0xe3069283u), 0xc78ab0e5u);
  CU_ASSERT_EQUAL(sl_crc32c_mask(0x8a9136aau), 0x0fd7fffau);
  if(!sl_crc32c_hw_active())
    fprintf(stderr, "note: no SSE4.2 here, sl_crc32c ran the portable code\n");
}

/* Every length 0..600 at every alignment 0..7, against the bitwise CRC:
 * touches every table entry and every tail length of both paths. */
static void test_crc32c_paths_agree(void)
{
  unsigned char buf[640];
  uint32_t rnd = 99;
  size_t i, n, a;
  int bad = 0;
  for(i = 0; i < sizeof(buf); i++) {
    rnd = rnd * 1103515245u + 12345u;
    buf[i] = (unsigned char)(rnd >> 16);
  }
  for(a = 0; a < 8; a++)
    for(n = 0; n <= 600; n++) {
      uint32_t want = crc_bitwise(buf + a, n);
      if(sl_crc32c_portable(0, buf + a, n) != want || sl_crc32c(0, buf + a, n) != want ||
         sl_crc32c(sl_crc32c(0, buf + a, n / 3), buf + a + n / 3, n - n / 3) != want)
        bad++;
    }
  CU_ASSERT_EQUAL(bad, 0);
}

/* ---- framing format ---- */

/* An object with every kind of chunk: identifier, compressed chunks of 64 KiB
 * and less, an uncompressed one, padding, a skippable one, an empty padding
 * chunk, a repeated identifier (a second stream appended) and a short last
 * chunk. Fills plain with what it must decode to; returns the chunk count. */
static uint64_t frame_object(struct sl_buf *obj, struct sl_buf *plain)
{
  static const unsigned char zeros[300];
  const size_t sizes[] = { 65536, 65536, 1000, 0 /* the uncompressed one */, 65536, 30000, 17 };
  size_t i, at = 0;
  ndjson(plain, 65536 * 3 + 1000 + 30000 + 17 + 500, 7);
  frame_ident(obj);
  for(i = 0; i < 3; i++) {
    frame_data(obj, 0x00, plain->data + at, sizes[i]);
    at += sizes[i];
  }
  frame_data(obj, 0x01, plain->data + at, 500); /* an uncompressed chunk */
  at += 500;
  frame_raw(obj, 0xfe, zeros, sizeof(zeros));   /* padding */
  frame_raw(obj, 0x80, "skip me", 7);           /* reserved skippable */
  frame_raw(obj, 0xfd, "", 0);
  frame_ident(obj);                              /* a second stream */
  for(i = 4; i < 7; i++) {
    frame_data(obj, 0x00, plain->data + at, sizes[i]);
    at += sizes[i];
  }
  CU_ASSERT_EQUAL(at, plain->len);
  return 12;
}

static void test_frame_roundtrip(void)
{
  struct sl_buf obj, plain;
  struct sl_snappy s;
  struct out o = { .stop_after = 0 };
  uint64_t chunks;
  sl_buf_init(&obj, 4 * MB);
  sl_buf_init(&plain, 4 * MB);
  chunks = frame_object(&obj, &plain);
  expect(0, &obj, plain.data, plain.len, SL_OK, "");
  /* fed whole, every chunk is decoded in place: nothing is gathered */
  CU_ASSERT_EQUAL(run(&s, 0, &obj, WHOLE, &o), SL_OK);
  CU_ASSERT_EQUAL(s.chunks, chunks);
  CU_ASSERT_EQUAL(o.calls, 7); /* one per data chunk */
  CU_ASSERT(s.in.cap <= 256);
  sl_snappy_cleanup(&s);
  sl_buf_cleanup(&o.b);
  /* a byte at a time, the largest chunk is gathered, and nothing more */
  CU_ASSERT_EQUAL(run(&s, 0, &obj, BYTES, &o), SL_OK);
  CU_ASSERT_EQUAL(s.chunks, chunks);
  CU_ASSERT(s.in.cap <= 2 * (4 + snappy_max_compressed_length(65536)));
  sl_snappy_cleanup(&s);
  sl_buf_cleanup(&o.b);
  sl_buf_cleanup(&obj);
  sl_buf_cleanup(&plain);
}

static void test_frame_empty(void)
{
  struct sl_buf obj;
  sl_buf_init(&obj, 64);
  expect(0, &obj, "", 0, SL_OK, "");
  frame_ident(&obj); /* an identifier and nothing else */
  expect(0, &obj, "", 0, SL_OK, "");
  sl_buf_cleanup(&obj);
}

/* One broken object per row: two good data chunks (so the error is chunk 4
 * at byte `at`, after 2 * 1000 bytes of output), then what `bad` adds. */
enum bad {
  BAD_CRC, BAD_UNSKIPPABLE, BAD_IDENT_TEXT, BAD_IDENT_LEN, BAD_OVERSIZE, BAD_UNCOMPRESSED_BIG,
  BAD_COMPRESSED_LONG, BAD_SHORT, BAD_SNAPPY, BAD_VARINT, CUT_HEADER, CUT_AFTER_HEADER,
  CUT_BODY, CUT_CRC
};

/* the messages, written out: the chunk's offset, then (cuts) the input length */
#define F_AT "snappy: chunk 4 at compressed byte %llu "
#define F_CUT "snappy: truncated stream, input ended inside chunk 4 at compressed byte %llu " \
              "after %llu compressed bytes"
static const struct {
  enum bad bad;
  const char *msg;
} frame_errors[] = {
  { BAD_CRC, F_AT "has a bad CRC-32C" },
  { BAD_UNSKIPPABLE, F_AT "has reserved unskippable type 0x05" },
  { BAD_IDENT_TEXT, F_AT "is not a valid sNaPpY stream identifier" },
  { BAD_IDENT_LEN, F_AT "is not a valid sNaPpY stream identifier" },
  { BAD_OVERSIZE, F_AT "decompresses to 70000 bytes (the limit is 65536)" },
  { BAD_UNCOMPRESSED_BIG, F_AT "holds 65537 uncompressed bytes (the limit is 65536)" },
  { BAD_COMPRESSED_LONG, F_AT "has 76491 bytes of compressed data (the limit is 76490)" },
  { BAD_SHORT, F_AT "is too short (3 bytes) to hold its CRC-32C" },
  { BAD_SNAPPY, F_AT "is corrupt compressed data" },
  { BAD_VARINT, F_AT "is corrupt compressed data" },
  { CUT_HEADER, F_CUT },
  { CUT_AFTER_HEADER, F_CUT },
  { CUT_BODY, F_CUT },
  { CUT_CRC, F_CUT },
};

static void test_frame_errors(void)
{
  size_t i;
  struct sl_buf plain, big;
  sl_buf_init(&plain, MB);
  sl_buf_init(&big, MB);
  ndjson(&plain, 2000, 3);
  /* 70000 bytes of one repeated record: compresses small */
  while(big.len < 70000)
    sl_buf_adds(&big, "{\"same\":\"record\"}\n");
  big.len = 70000;
  for(i = 0; i < sizeof(frame_errors) / sizeof(frame_errors[0]); i++) {
    struct sl_buf obj;
    unsigned long long at;
    char msg[200];
    sl_buf_init(&obj, MB);
    frame_ident(&obj);
    frame_data(&obj, 0x00, plain.data, 1000);
    frame_data(&obj, 0x01, plain.data + 1000, 1000);
    at = obj.len;
    switch(frame_errors[i].bad) {
    case BAD_CRC:
      frame_data(&obj, 0x00, plain.data, 1000);
      obj.data[at + 4] ^= 1;
      break;
    case BAD_UNSKIPPABLE:
      frame_raw(&obj, 0x05, "abc", 3);
      break;
    case BAD_IDENT_TEXT:
      frame_raw(&obj, 0xff, "sNaPpX", 6);
      break;
    case BAD_IDENT_LEN:
      frame_raw(&obj, 0xff, "sNaPp", 5);
      break;
    case BAD_OVERSIZE:
      frame_data(&obj, 0x00, big.data, 70000);
      break;
    case BAD_UNCOMPRESSED_BIG:
      frame_data(&obj, 0x01, big.data, 65537);
      break;
    case BAD_COMPRESSED_LONG: /* the header alone is enough to tell */
      sl_buf_addc(&obj, 0x00);
      put_le(&obj, 4 + 76491, 3);
      break;
    case BAD_SHORT:
      frame_raw(&obj, 0x00, "abc", 3);
      break;
    case BAD_SNAPPY: /* the CRC is checked after inflating: any will do */
      frame_raw(&obj, 0x00, "\0\0\0\0\x0a\xff\xff\xff", 8); /* a copy past the end */
      break;
    case BAD_VARINT:
      frame_raw(&obj, 0x00, "\0\0\0\0\xff\xff\xff\xff\xff\xff", 10); /* no length */
      break;
    case CUT_HEADER: /* the next chunk cut at each point in turn */
    case CUT_AFTER_HEADER:
    case CUT_BODY:
    case CUT_CRC:
      frame_data(&obj, 0x00, plain.data, 1000);
      obj.len = at + (frame_errors[i].bad == CUT_HEADER         ? 2
                      : frame_errors[i].bad == CUT_AFTER_HEADER ? 4
                      : frame_errors[i].bad == CUT_CRC          ? 6 : 40);
      break;
    }
    snprintf(msg, sizeof(msg), frame_errors[i].msg, at, (unsigned long long)obj.len);
    expect(0, &obj, plain.data, 2000, SL_E_PARSE, msg);
    sl_buf_cleanup(&obj);
  }
  sl_buf_cleanup(&plain);
  sl_buf_cleanup(&big);
}

/* The identifier must come first; any other first byte fails at once. */
static void test_frame_no_identifier(void)
{
  static const unsigned first[] = { 0x00, 0x01, 0x05, 0x80, 0xfe };
  size_t i;
  for(i = 0; i < sizeof(first) / sizeof(first[0]); i++) {
    struct sl_buf obj;
    sl_buf_init(&obj, MB);
    if(first[i] <= 0x01)
      frame_data(&obj, first[i], "{\"a\":1}\n", 8);
    else
      frame_raw(&obj, first[i], "abc", 3);
    frame_ident(&obj);
    expect(0, &obj, "", 0, SL_E_PARSE, "snappy: stream does not start with the sNaPpY identifier");
    obj.len = 1; /* the type byte alone is enough */
    expect(0, &obj, "", 0, SL_E_PARSE, "snappy: stream does not start with the sNaPpY identifier");
    sl_buf_cleanup(&obj);
  }
}

/* ---- Hadoop ---- */

static void test_hadoop_roundtrip(void)
{
  struct sl_buf obj, plain;
  struct sl_snappy s;
  struct out o = { .stop_after = 0 };
  sl_buf_init(&obj, 8 * MB);
  sl_buf_init(&plain, 8 * MB);
  ndjson(&plain, 100000 + 262144 + 5, 11);
  put_be32(&obj, 100000); /* one block in three sub-chunks */
  hadoop_sub(&obj, plain.data, 40000);
  hadoop_sub(&obj, plain.data + 40000, 40000);
  hadoop_sub(&obj, plain.data + 80000, 20000);
  put_be32(&obj, 0);      /* an empty block: no sub-chunks */
  put_be32(&obj, 262144); /* Hadoop's default buffer, in one */
  hadoop_sub(&obj, plain.data + 100000, 262144);
  put_be32(&obj, 5);
  hadoop_sub(&obj, plain.data + 362144, 5);
  expect(1, &obj, plain.data, plain.len, SL_OK, "");
  CU_ASSERT_EQUAL(run(&s, 1, &obj, WHOLE, &o), SL_OK);
  CU_ASSERT_EQUAL(s.chunks, 4);
  CU_ASSERT_EQUAL(o.calls, 5);
  CU_ASSERT(s.in.cap <= 256);
  sl_snappy_cleanup(&s);
  sl_buf_cleanup(&o.b);
  obj.len = 0; /* empty input, and a lone empty block */
  expect(1, &obj, "", 0, SL_OK, "");
  put_be32(&obj, 0);
  expect(1, &obj, "", 0, SL_OK, "");
  sl_buf_cleanup(&obj);
  sl_buf_cleanup(&plain);
}

enum hbad { H_OVERRUN, H_OVERRUN_SECOND, H_BLOCK_BIG, H_SUB_BIG, H_SUB_CORRUPT, H_SUB_EMPTY,
            H_CUT_BLOCK_HEADER, H_CUT_SUB_HEADER, H_CUT_SUB, H_CUT_BETWEEN };

/* the block's offset, then the sub-chunk's (cuts: the input length) */
#define H_AT "hadoop-snappy: block 2 at compressed byte %llu"
#define H_SUB H_AT ": sub-chunk at compressed byte %llu "
#define H_CUT "hadoop-snappy: truncated stream, input ended inside block 2 at compressed " \
              "byte %llu after %llu compressed bytes"
static const struct {
  enum hbad bad;
  const char *msg;
} hadoop_errors[] = {
  { H_OVERRUN, H_SUB "decompresses to 1500 bytes, past the 1000 bytes left in the block" },
  { H_OVERRUN_SECOND, H_SUB "decompresses to 600 bytes, past the 400 bytes left in the block" },
  { H_BLOCK_BIG, H_AT " declares 67108865 bytes (the limit is 67108864)" },
  { H_SUB_BIG, H_SUB "has 44 compressed bytes (the limit for the 10 bytes left in the block is 43)" },
  { H_SUB_CORRUPT, H_SUB "is corrupt compressed data" },
  { H_SUB_EMPTY, H_SUB "is corrupt compressed data" },
  { H_CUT_BLOCK_HEADER, H_CUT },
  { H_CUT_SUB_HEADER, H_CUT },
  { H_CUT_SUB, H_CUT },
  { H_CUT_BETWEEN, H_CUT },
};

static void test_hadoop_errors(void)
{
  struct sl_buf plain;
  size_t i;
  sl_buf_init(&plain, MB);
  ndjson(&plain, 4000, 5);
  for(i = 0; i < sizeof(hadoop_errors) / sizeof(hadoop_errors[0]); i++) {
    struct sl_buf obj;
    unsigned long long block, sub;
    size_t want = 1000;
    char msg[240];
    sl_buf_init(&obj, MB);
    put_be32(&obj, 1000); /* block 1, good */
    hadoop_sub(&obj, plain.data, 1000);
    block = obj.len;
    sub = block + 4;
    switch(hadoop_errors[i].bad) {
    case H_OVERRUN:
      put_be32(&obj, 1000);
      hadoop_sub(&obj, plain.data, 1500);
      break;
    case H_OVERRUN_SECOND: /* the first sub-chunk is delivered, then the block overruns */
      put_be32(&obj, 1000);
      hadoop_sub(&obj, plain.data + 1000, 600);
      sub = obj.len;
      hadoop_sub(&obj, plain.data, 600);
      want = 1600;
      break;
    case H_BLOCK_BIG:
      put_be32(&obj, 64 * MB + 1);
      break;
    case H_SUB_BIG:
      put_be32(&obj, 10);
      put_be32(&obj, 44);
      break;
    case H_SUB_CORRUPT:
      put_be32(&obj, 1000);
      put_be32(&obj, 4);
      sl_buf_add(&obj, "\x0a\xff\xff\xff", 4);
      break;
    case H_SUB_EMPTY:
      put_be32(&obj, 1000);
      put_be32(&obj, 0);
      break;
    case H_CUT_BLOCK_HEADER:
      put_be32(&obj, 1000);
      obj.len -= 2;
      break;
    case H_CUT_SUB_HEADER:
      put_be32(&obj, 1000);
      put_be32(&obj, 100);
      obj.len -= 1;
      break;
    case H_CUT_SUB:
      put_be32(&obj, 1000);
      hadoop_sub(&obj, plain.data, 1000);
      obj.len -= 10;
      break;
    case H_CUT_BETWEEN: /* whole sub-chunks, but fewer bytes than the block owes */
      put_be32(&obj, 1000);
      hadoop_sub(&obj, plain.data + 1000, 600);
      want = 1600;
      break;
    }
    if(hadoop_errors[i].bad >= H_CUT_BLOCK_HEADER)
      sub = obj.len;
    snprintf(msg, sizeof(msg), hadoop_errors[i].msg, block, sub);
    expect(1, &obj, plain.data, want, SL_E_PARSE, msg);
    sl_buf_cleanup(&obj);
  }
  sl_buf_cleanup(&plain);
}

/* ---- the sink stopping ---- */

static void test_sink_stops(void)
{
  struct sl_buf fobj, fplain, hobj, hplain;
  int mode;
  sl_buf_init(&fobj, 4 * MB);
  sl_buf_init(&fplain, 4 * MB);
  sl_buf_init(&hobj, MB);
  sl_buf_init(&hplain, MB);
  frame_object(&fobj, &fplain);
  ndjson(&hplain, 3000, 1);
  put_be32(&hobj, 3000);
  hadoop_sub(&hobj, hplain.data, 1000);
  hadoop_sub(&hobj, hplain.data + 1000, 1000);
  hadoop_sub(&hobj, hplain.data + 2000, 1000);
  put_be32(&hobj, 7); /* never reached: a bad block after the stop */
  for(mode = 0; mode < MODES; mode++) {
    struct sl_snappy s;
    struct out o = { .stop_after = 2 };
    CU_ASSERT_EQUAL(run(&s, 0, &fobj, mode, &o), SL_OK);
    CU_ASSERT_EQUAL(o.calls, 2);
    CU_ASSERT_EQUAL_FATAL(o.b.len, 2 * 65536);
    CU_ASSERT(!memcmp(o.b.data, fplain.data, o.b.len));
    CU_ASSERT_EQUAL(s.chunks, 3);
    CU_ASSERT_EQUAL(sl_snappy_feed(&s, (const unsigned char *)fobj.data, fobj.len, sink, &o),
                    SL_OK);
    CU_ASSERT_EQUAL(o.calls, 2);
    sl_snappy_cleanup(&s);
    sl_buf_cleanup(&o.b);
    CU_ASSERT_EQUAL(run(&s, 1, &hobj, mode, &o), SL_OK);
    CU_ASSERT_EQUAL(o.calls, 2);
    CU_ASSERT_EQUAL_FATAL(o.b.len, 2000);
    CU_ASSERT(!memcmp(o.b.data, hplain.data, o.b.len));
    sl_snappy_cleanup(&s);
    sl_buf_cleanup(&o.b);
  }
  sl_buf_cleanup(&fobj);
  sl_buf_cleanup(&fplain);
  sl_buf_cleanup(&hobj);
  sl_buf_cleanup(&hplain);
}

static const struct sl_test tests[] = {
  { "crc32c: known vectors, both paths", test_crc32c_vectors },
  { "crc32c: paths agree, all lengths and alignments", test_crc32c_paths_agree },
  { "framing: every chunk kind, any piece size", test_frame_roundtrip },
  { "framing: empty input, identifier only", test_frame_empty },
  { "framing: errors, exact messages", test_frame_errors },
  { "framing: no identifier first", test_frame_no_identifier },
  { "hadoop: sub-chunks, empty block, any piece size", test_hadoop_roundtrip },
  { "hadoop: errors, exact messages", test_hadoop_errors },
  { "sink: non-zero stops", test_sink_stops },
  { NULL, NULL }
};

SL_TEST_MAIN("snappy", tests, NULL, NULL)
