/* test_inflate.c — gzip (gunzip.c) and ZIP (unzip.c) through inflate.c, with
 * each back end the build has: every case gives exact records and messages,
 * and ISA-L's results are zlib's byte for byte (multi-member streams, members
 * cut short, bad CRCs, trailing garbage, header errors). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>
#include <zlib.h>

#include "harness.h"
#include "sluice/decode.h"
#include "common/records/decoder.h"
#include "common/records/crc32c.h"
#include "common/records/inflate.h"

static const enum sl_inflate_backend backends[] = {
  SL_INFLATE_ZLIB,
#ifdef SL_HAVE_ISAL
  SL_INFLATE_ISAL,
#endif
};
#define NBACKENDS (sizeof(backends) / sizeof(backends[0]))

/* "OFFSET:record\n" per record, "!OFFSET reason\n" per error, then "=RESULT". */
static int on_rec(void *ud, const char *p, size_t n, uint64_t off, int kind)
{
  struct sl_buf *b = ud;
  (void)kind;
  sl_buf_printf(b, "%llu:", (unsigned long long)off);
  sl_buf_add(b, p, n);
  sl_buf_addc(b, '\n');
  return 0;
}

static void on_err(void *ud, uint64_t off, const char *reason)
{
  sl_buf_printf(ud, "!%llu %s\n", (unsigned long long)off, reason);
}

static uint32_t rng_state;
static uint32_t rng(void)
{
  rng_state = rng_state * 1103515245u + 12345u;
  return rng_state >> 8;
}

/* Non-zero: decoders decompress on their second thread (options.pipeline). */
static int pipeline;

/* Decodes in with back end b, fed in pieces of `piece` bytes (0: whole,
 * SIZE_MAX: random 1..4096), into out. */
static void decode(enum sl_inflate_backend b, const unsigned char *in, size_t n, size_t piece,
                   struct sl_buf *out, struct sl_decoder_stats *st)
{
  struct sl_decoder_options o;
  struct sl_decoder *d;
  enum sl_result r = SL_OK, fr;
  size_t pos = 0;
  sl_decoder_options_init(&o);
  o.on_record = on_rec;
  o.on_error = on_err;
  o.userdata = out;
  o.pipeline = pipeline;
  d = sl_decoder_new(&o);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  d->inflate_backend = b;
  rng_state = 7;
  while(pos < n) {
    size_t k = piece == SIZE_MAX ? 1 + rng() % 4096 : piece ? piece : n - pos;
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
  sl_buf_printf(out, "=%s", sl_strresult(r));
  if(st)
    *st = *sl_decoder_stats(d);
  sl_decoder_free(d);
}

/* Every back end, every chunking, inline or on the decoder's second thread,
 * gives want (when want is not NULL) and the same bytes as the first run.
 * Returns how many runs differed. */
static int check(const char *name, const void *in, size_t n, const char *want)
{
  static const size_t pieces[] = { 0, 1, 3, SIZE_MAX };
  struct sl_buf first, got;
  size_t b, k, run;
  int bad = 0;
  sl_buf_init(&first, 64u << 20);
  sl_buf_init(&got, 64u << 20);
  for(run = 0; run < 2 * NBACKENDS * (sizeof(pieces) / sizeof(pieces[0])); run++) {
    b = run / 2 % NBACKENDS;
    k = run / 2 / NBACKENDS;
    pipeline = (int)(run % 2);
    {
      if(pieces[k] && pieces[k] < 8 && n > 50000)
        continue; /* byte-sized feeds of the big cases take too long under valgrind */
      sl_buf_reset(&got);
      decode(backends[b], in, n, pieces[k], &got, NULL);
      if(!first.len)
        sl_buf_add(&first, got.data, got.len);
      if((want && strcmp(got.data, want)) || strcmp(got.data, first.data)) {
        if(bad++ < 2)
          fprintf(stderr, "\n%s: back end %d, piece %zu, pipeline %d:\n got <<%.400s>>\nwant "
                  "<<%.400s>>\n", name, (int)backends[b], pieces[k], pipeline, got.data,
                  want ? want : first.data);
      }
    }
  }
  pipeline = 0;
  sl_buf_cleanup(&first);
  sl_buf_cleanup(&got);
  return bad;
}

/* check() for the many cuts: each back end whole, inline and pipelined in
 * 3-byte pieces. */
static int check_light(const char *name, const void *in, size_t n, const char *want)
{
  struct sl_buf got;
  size_t b;
  int bad = 0, pipe;
  sl_buf_init(&got, 64u << 20);
  for(b = 0; b < NBACKENDS; b++) {
    for(pipe = 0; pipe < 2; pipe++) {
      sl_buf_reset(&got);
      pipeline = pipe;
      decode(backends[b], in, n, pipe ? 3 : 0, &got, NULL);
      if(strcmp(got.data, want) && bad++ < 1)
        fprintf(stderr, "\n%s: back end %d, pipeline %d:\n got <<%.400s>>\nwant <<%.400s>>\n", name,
                (int)backends[b], pipe, got.data, want);
    }
  }
  pipeline = 0;
  sl_buf_cleanup(&got);
  return bad;
}

/* zlib deflate of in: raw (wbits -15) or gzip (31). */
static void deflate_to(struct sl_buf *out, const void *in, size_t n, int wbits)
{
  z_stream z;
  unsigned char tmp[65536];
  int zr;
  memset(&z, 0, sizeof(z));
  CU_ASSERT_EQUAL_FATAL(deflateInit2(&z, 6, Z_DEFLATED, wbits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = (unsigned char *)(uintptr_t)in;
  z.avail_in = (uInt)n;
  do {
    z.next_out = tmp;
    z.avail_out = sizeof(tmp);
    zr = deflate(&z, Z_FINISH);
    sl_buf_add(out, tmp, sizeof(tmp) - z.avail_out);
  } while(zr != Z_STREAM_END);
  deflateEnd(&z);
}

static void ndjson(struct sl_buf *b, int from, int count)
{
  int i;
  for(i = from; i < from + count; i++)
    sl_buf_printf(b, "{\"n\":%d,\"msg\":\"record %d of the test\"}\n", i, i);
}

/* ---- gzip ------------------------------------------------------------- */

static void put_le32(struct sl_buf *b, uint32_t v)
{
  unsigned char p[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                         (unsigned char)(v >> 24) };
  sl_buf_add(b, p, 4);
}

static void put_le16(struct sl_buf *b, unsigned v)
{
  unsigned char p[2] = { (unsigned char)v, (unsigned char)(v >> 8) };
  sl_buf_add(b, p, 2);
}

/* A gzip member written field by field, with the optional header parts flg asks for. */
static void member(struct sl_buf *b, const char *data, size_t n, unsigned flg)
{
  size_t start = b->len;
  static const unsigned char fixed[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
  sl_buf_add(b, fixed, sizeof(fixed));
  b->data[start + 3] = (char)flg;
  if(flg & 0x04) {
    put_le16(b, 6);
    sl_buf_add(b, "AB\x02\x00xy", 6);
  }
  if(flg & 0x08)
    sl_buf_add(b, "name.json", 10);
  if(flg & 0x10)
    sl_buf_add(b, "a comment", 10);
  if(flg & 0x02)
    put_le16(b, (unsigned)crc32(0, (unsigned char *)b->data + start, (uInt)(b->len - start)) & 0xffff);
  deflate_to(b, data, n, -15);
  put_le32(b, (uint32_t)crc32(0, (const unsigned char *)data, (uInt)n));
  put_le32(b, (uint32_t)n);
}

static void test_gzip_members(void)
{
  struct sl_buf z, want;
  unsigned flg;
  sl_buf_init(&z, 1 << 20);
  sl_buf_init(&want, 1 << 20);
  /* Every combination of the optional header parts, as three members. */
  for(flg = 0; flg < 32; flg += 2) {
    sl_buf_reset(&z);
    member(&z, "{\"a\":1}\n", 8, flg);
    member(&z, "{\"b\":2}\n", 8, flg ^ 0x1e);
    member(&z, "", 0, flg);
    member(&z, "{\"c\":3}", 7, 0);
    CU_ASSERT_EQUAL(check("members", z.data, z.len, "0:{\"a\":1}\n8:{\"b\":2}\n16:{\"c\":3}\n=ok"), 0);
  }
  sl_buf_cleanup(&z);
  sl_buf_cleanup(&want);
}

static void test_gzip_stats(void)
{
  struct sl_buf z, out;
  struct sl_decoder_stats st;
  size_t b;
  sl_buf_init(&z, 1 << 20);
  sl_buf_init(&out, 1 << 20);
  member(&z, "{\"a\":1}\n", 8, 0);
  member(&z, "{\"b\":2}\n", 8, 0x08);
  for(b = 0; b < NBACKENDS; b++) {
    sl_buf_reset(&out);
    decode(backends[b], (unsigned char *)z.data, z.len, 0, &out, &st);
    CU_ASSERT_EQUAL(st.gzip_members, 2);
    CU_ASSERT_EQUAL(st.compression, SL_COMPRESSION_GZIP);
    CU_ASSERT_EQUAL(st.bytes_in, z.len);
    CU_ASSERT_EQUAL(st.bytes_decoded, 16);
    CU_ASSERT_EQUAL(st.records, 2);
  }
  sl_buf_cleanup(&z);
  sl_buf_cleanup(&out);
}

/* Corrupt trailers, headers and what follows the last member: the same exact
 * message, at the same offsets, from both back ends. */
static void test_gzip_errors(void)
{
  struct sl_buf z, want;
  size_t m1, m2;
  char msg[512];
  sl_buf_init(&z, 1 << 20);
  sl_buf_init(&want, 1 << 20);

  member(&z, "{\"a\":1}\n", 8, 0);
  m1 = z.len;
  member(&z, "{\"b\":2}\n", 8, 0x08);
  m2 = z.len;
  /* Bad CRC in member 2: its records came out, then the error at its end. */
  z.data[m2 - 8] ^= 0x01;
  snprintf(msg, sizeof(msg), "0:{\"a\":1}\n8:{\"b\":2}\n!16 gzip: CRC-32 mismatch in member 2 "
           "(trailer at compressed byte %zu): data is corrupt\n=parse error", m2 - 8);
  CU_ASSERT_EQUAL(check("bad crc", z.data, z.len, msg), 0);
  z.data[m2 - 8] ^= 0x01;
  /* Bad length. */
  z.data[m2 - 1] ^= 0x40;
  snprintf(msg, sizeof(msg), "0:{\"a\":1}\n8:{\"b\":2}\n!16 gzip: length mismatch in member 2 "
           "(trailer at compressed byte %zu): data is corrupt\n=parse error", m2 - 8);
  CU_ASSERT_EQUAL(check("bad isize", z.data, z.len, msg), 0);
  z.data[m2 - 1] ^= 0x40;
  /* Trailing garbage, and a second 0x1f that is not followed by 0x8b. */
  sl_buf_add(&z, "junk", 4);
  snprintf(msg, sizeof(msg), "0:{\"a\":1}\n8:{\"b\":2}\n!16 gzip: bytes after member 2 are not "
           "gzip (compressed byte %zu)\n=parse error", m2);
  CU_ASSERT_EQUAL(check("garbage", z.data, z.len, msg), 0);
  z.len = m2;
  sl_buf_add(&z, "\x1f\x00\x08\x00\x00\x00\x00\x00\x00\x03", 10);
  CU_ASSERT_EQUAL(check("garbage 1f", z.data, z.len, msg), 0);
  z.len = m2;
  sl_buf_add(&z, "\x00\x00\x00\x00", 4); /* zero padding is garbage too */
  CU_ASSERT_EQUAL(check("zeros", z.data, z.len, msg), 0);
  /* Header errors in member 2. */
  z.len = m2;
  z.data[m1 + 2] = 7;
  snprintf(msg, sizeof(msg), "0:{\"a\":1}\n!8 gzip: member 2 at compressed byte %zu: compression "
           "method 7 is not deflate\n=parse error", m1);
  CU_ASSERT_EQUAL(check("method", z.data, z.len, msg), 0);
  z.data[m1 + 2] = 8;
  z.data[m1 + 3] = (char)0x28;
  snprintf(msg, sizeof(msg), "0:{\"a\":1}\n!8 gzip: member 2 at compressed byte %zu: reserved "
           "header flags set (0x28)\n=parse error", m1);
  CU_ASSERT_EQUAL(check("flags", z.data, z.len, msg), 0);
  /* Header CRC. */
  sl_buf_reset(&z);
  member(&z, "{\"a\":1}\n", 8, 0x02 | 0x08);
  z.data[20] ^= 0x10;
  CU_ASSERT_EQUAL(check("hcrc", z.data, z.len, "!0 gzip: member 1 at compressed byte 0: header "
                        "CRC mismatch\n=parse error"), 0);
  sl_buf_cleanup(&z);
  sl_buf_cleanup(&want);
}

/* A stream cut at every byte: the error names the member, where it starts
 * and how much came, and the records are the same from both back ends. */
static void test_gzip_cut(void)
{
  struct sl_buf plain, z;
  size_t cut, m1;
  int bad = 0;
  sl_buf_init(&plain, 1 << 20);
  sl_buf_init(&z, 1 << 20);
  ndjson(&plain, 0, 40);
  member(&z, plain.data, plain.len, 0x08);
  m1 = z.len;
  sl_buf_reset(&plain);
  ndjson(&plain, 40, 40);
  member(&z, plain.data, plain.len, 0);
  for(cut = 2; cut < z.len && bad < 3; cut++) {
    struct sl_buf out;
    char tail[200];
    sl_buf_init(&out, 1 << 20);
    decode(SL_INFLATE_ZLIB, (unsigned char *)z.data, cut, 0, &out, NULL);
    if(cut != m1) {
      snprintf(tail, sizeof(tail), "gzip: truncated stream, input ended inside member %d (member "
               "starts at compressed byte %zu) after %zu compressed bytes\n",
               cut < m1 ? 1 : 2, cut < m1 ? (size_t)0 : m1, cut);
      if(!strstr(out.data, tail) || !strstr(out.data, "\n=parse error")) {
        fprintf(stderr, "cut %zu: <<%s>>\n", cut, out.data);
        bad++;
      }
    }
    else if(!strstr(out.data, "=ok"))
      bad++;
    bad += cut % 16 ? check_light("cut", z.data, cut, out.data) : check("cut", z.data, cut, out.data);
    sl_buf_cleanup(&out);
  }
  CU_ASSERT_EQUAL(bad, 0);
  sl_buf_cleanup(&plain);
  sl_buf_cleanup(&z);
}

/* A longer member cut every 5 bytes: whole feeds only, the back ends
 * compared with each other (ISA-L decodes ahead in 64-bit words, zlib bit
 * by bit: what each has delivered when the input ends must still agree). */
static void test_gzip_cut_long(void)
{
  struct sl_buf plain, z, a, b;
  size_t cut, k;
  int bad = 0;
  sl_buf_init(&plain, 1 << 20);
  sl_buf_init(&z, 1 << 20);
  sl_buf_init(&a, 1 << 20);
  sl_buf_init(&b, 1 << 20);
  ndjson(&plain, 0, 800);
  member(&z, plain.data, plain.len, 0);
  for(cut = 12; cut < z.len; cut += 5) {
    for(k = 1; k < NBACKENDS; k++) {
      sl_buf_reset(&a);
      sl_buf_reset(&b);
      decode(backends[0], (unsigned char *)z.data, cut, 0, &a, NULL);
      decode(backends[k], (unsigned char *)z.data, cut, 0, &b, NULL);
      if(strcmp(a.data, b.data) && bad++ < 2)
        fprintf(stderr, "cut %zu: back ends differ\n", cut);
    }
  }
  CU_ASSERT_EQUAL(bad, 0);
  CU_ASSERT(z.len > 3000);
  sl_buf_cleanup(&plain);
  sl_buf_cleanup(&z);
  sl_buf_cleanup(&a);
  sl_buf_cleanup(&b);
}

/* A big multi-member object in random pieces, against the plain text. */
static void test_gzip_big(void)
{
  struct sl_buf plain, z, want;
  size_t i;
  int m;
  sl_buf_init(&plain, 64u << 20);
  sl_buf_init(&z, 64u << 20);
  sl_buf_init(&want, 64u << 20);
  for(m = 0; m < 3; m++) {
    size_t from = plain.len;
    ndjson(&plain, m * 6000, 6000);
    member(&z, plain.data + from, plain.len - from, m ? 0x08 : 0);
  }
  /* The plain object decoded is what the gzip one must give. */
  {
    struct sl_buf out;
    sl_buf_init(&out, 64u << 20);
    decode(SL_INFLATE_ZLIB, (unsigned char *)plain.data, plain.len, 0, &out, NULL);
    CU_ASSERT_EQUAL(check("big", z.data, z.len, out.data), 0);
    sl_buf_cleanup(&out);
  }
  /* CRC helper against zlib's, at odd lengths and offsets. */
  for(i = 0; i < 64; i++) {
    size_t off = rng() % 1000, len = rng() % 100000;
    CU_ASSERT_EQUAL(sl_inflate_crc32(0, (unsigned char *)plain.data + off, len),
                    (uint32_t)crc32(0, (unsigned char *)plain.data + off, (uInt)len));
  }
  sl_buf_cleanup(&plain);
  sl_buf_cleanup(&z);
  sl_buf_cleanup(&want);
}

/* ---- ZIP -------------------------------------------------------------- */

enum { ZF_DESC = 1, ZF_DESC_SIG = 2, ZF_STORED = 4, ZF_ZIP64 = 8 };

/* One local entry (header, data, optional data descriptor). */
static void zip_entry(struct sl_buf *b, const char *name, const char *data, size_t n, int f)
{
  struct sl_buf comp;
  uint32_t crc = (uint32_t)crc32(0, (const unsigned char *)data, (uInt)n);
  int desc = f & (ZF_DESC | ZF_DESC_SIG);
  sl_buf_init(&comp, 16u << 20);
  if(f & ZF_STORED)
    sl_buf_add(&comp, data, n);
  else
    deflate_to(&comp, data, n, -15);
  put_le32(b, 0x04034b50u);
  put_le16(b, f & ZF_ZIP64 ? 45 : 20);
  put_le16(b, desc ? 0x0008 : 0);
  put_le16(b, f & ZF_STORED ? 0 : 8);
  put_le16(b, 0);
  put_le16(b, 0x21);
  put_le32(b, desc ? 0 : crc);
  put_le32(b, f & ZF_ZIP64 ? 0xffffffffu : desc ? 0 : (uint32_t)comp.len);
  put_le32(b, f & ZF_ZIP64 ? 0xffffffffu : desc ? 0 : (uint32_t)n);
  put_le16(b, (unsigned)strlen(name));
  put_le16(b, f & ZF_ZIP64 ? 20 : 0);
  sl_buf_add(b, name, strlen(name));
  if(f & ZF_ZIP64) {
    put_le16(b, 0x0001);
    put_le16(b, 16);
    put_le32(b, desc ? 0 : (uint32_t)n);
    put_le32(b, 0);
    put_le32(b, desc ? 0 : (uint32_t)comp.len);
    put_le32(b, 0);
  }
  sl_buf_add(b, comp.data, comp.len);
  if(desc) {
    if(f & ZF_DESC_SIG)
      put_le32(b, 0x08074b50u);
    put_le32(b, crc);
    put_le32(b, (uint32_t)comp.len);
    if(f & ZF_ZIP64)
      put_le32(b, 0);
    put_le32(b, (uint32_t)n);
    if(f & ZF_ZIP64)
      put_le32(b, 0);
  }
  sl_buf_cleanup(&comp);
}

/* The central directory is not read: a stand-in header and the end record. */
static void zip_end(struct sl_buf *b)
{
  put_le32(b, 0x02014b50u);
  sl_buf_add(b, "central directory entry, not read", 33);
  put_le32(b, 0x06054b50u);
  sl_buf_add(b, "\0\0\0\0\1\0\1\0\0\0\0\0\0\0\0\0\0\0", 18);
}

static void test_zip_entries(void)
{
  static const int kinds[] = { 0, ZF_DESC, ZF_DESC_SIG, ZF_STORED, ZF_ZIP64, ZF_ZIP64 | ZF_DESC_SIG,
                               ZF_ZIP64 | ZF_DESC, ZF_ZIP64 | ZF_STORED };
  struct sl_buf zip, plain, want;
  size_t k;
  sl_buf_init(&zip, 16u << 20);
  sl_buf_init(&plain, 16u << 20);
  sl_buf_init(&want, 16u << 20);
  ndjson(&plain, 0, 3000);
  for(k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
    struct sl_decoder_stats st;
    sl_buf_reset(&zip);
    sl_buf_reset(&want);
    zip_entry(&zip, "stream-1-2026-12-07-00-00-00-uuid", plain.data, plain.len, kinds[k]);
    zip_end(&zip);
    decode(SL_INFLATE_ZLIB, (unsigned char *)plain.data, plain.len, 0, &want, NULL);
    CU_ASSERT_EQUAL(check("zip", zip.data, zip.len, want.data), 0);
    sl_buf_reset(&want);
    decode(SL_INFLATE_ZLIB, (unsigned char *)zip.data, zip.len, 0, &want, &st);
    CU_ASSERT_EQUAL(st.compression, SL_COMPRESSION_ZIP);
    CU_ASSERT_EQUAL(st.records, 3000);
    CU_ASSERT_EQUAL(st.bytes_decoded, plain.len);
  }
  /* Two entries run on; an empty archive holds no records. */
  sl_buf_reset(&zip);
  zip_entry(&zip, "a", "{\"a\":1}\n", 8, 0);
  zip_entry(&zip, "b", "{\"b\":2}\n", 8, ZF_STORED);
  zip_end(&zip);
  CU_ASSERT_EQUAL(check("two", zip.data, zip.len, "0:{\"a\":1}\n8:{\"b\":2}\n=ok"), 0);
  sl_buf_reset(&zip);
  zip_end(&zip);
  CU_ASSERT_EQUAL(check("empty", zip.data + 37, zip.len - 37, "=ok"), 0);
  sl_buf_cleanup(&zip);
  sl_buf_cleanup(&plain);
  sl_buf_cleanup(&want);
}

static void test_zip_errors(void)
{
  struct sl_buf zip;
  char msg[512];
  size_t e1, cut;
  int bad = 0;
  sl_buf_init(&zip, 1 << 20);
  zip_entry(&zip, "a.json", "{\"a\":1}\n", 8, 0);
  e1 = zip.len;
  zip_entry(&zip, "b.json", "{\"b\":2}\n", 8, ZF_DESC_SIG);
  zip_end(&zip);
  /* CRC in the data descriptor of entry 2. */
  zip.data[zip.len - 59 - 12] ^= 0x01;
  snprintf(msg, sizeof(msg), "0:{\"a\":1}\n8:{\"b\":2}\n!16 zip: CRC-32 mismatch in entry 2 "
           "'b.json' at byte %zu: data is corrupt\n=parse error", e1);
  CU_ASSERT_EQUAL(check("crc", zip.data, zip.len, msg), 0);
  zip.data[zip.len - 59 - 12] ^= 0x01;
  /* Length in the local header of entry 1. */
  zip.data[22] = 9;
  CU_ASSERT_EQUAL(check("length", zip.data, zip.len, "0:{\"a\":1}\n!8 zip: length mismatch in "
                        "entry 1 'a.json' at byte 0: the header says 9 bytes (10 compressed), the "
                        "data holds 8 (10)\n=parse error"), 0);
  zip.data[22] = 8;
  /* Encrypted, another method, stored with a descriptor: refused by name. */
  zip.data[6] = 1;
  CU_ASSERT_EQUAL(check("encrypted", zip.data, zip.len, "!0 zip: entry 1 'a.json' at byte 0 is "
                        "encrypted; encrypted entries cannot be read\n=not supported"), 0);
  zip.data[6] = 0;
  zip.data[8] = 12;
  CU_ASSERT_EQUAL(check("method", zip.data, zip.len, "!0 zip: entry 1 'a.json' at byte 0 uses "
                        "compression method 12; stored (0) and deflate (8) can be read\n=not supported"), 0);
  zip.data[8] = 8;
  /* Not a record after entry 1. */
  zip.data[e1 + 2] = 9;
  snprintf(msg, sizeof(msg), "0:{\"a\":1}\n!8 zip: bytes at %zu are not a ZIP record (signature "
           "0x04094b50)\n=parse error", e1);
  CU_ASSERT_EQUAL(check("record", zip.data, zip.len, msg), 0);
  zip.data[e1 + 2] = 3;
  /* Cut at every byte before the central directory (59 bytes here). */
  for(cut = 4; cut <= zip.len - 59 && bad < 3; cut++) {
    struct sl_buf out;
    size_t start = cut < e1 ? 0 : e1;
    char name[16] = "";
    sl_buf_init(&out, 1 << 20);
    decode(SL_INFLATE_ZLIB, (unsigned char *)zip.data, cut, 0, &out, NULL);
    if(cut >= start + 36) /* the header (30) and the name (6) are in */
      snprintf(name, sizeof(name), " '%s'", cut < e1 ? "a.json" : "b.json");
    if((cut >= e1 && cut < e1 + 4) || cut == zip.len - 59) /* no entry begun */
      snprintf(msg, sizeof(msg), "zip: truncated archive, input ended after %zu bytes with no "
               "central directory\n", cut);
    else
      snprintf(msg, sizeof(msg), "zip: truncated archive, input ended inside entry %d%s at "
               "byte %zu after %zu bytes\n", cut < e1 ? 1 : 2, name, start, cut);
    if(!strstr(out.data, msg) || !strstr(out.data, "\n=parse error")) {
      fprintf(stderr, "cut %zu: <<%s>> want <<%s>>\n", cut, out.data, msg);
      bad++;
    }
    bad += cut % 16 ? check_light("zip cut", zip.data, cut, out.data)
                    : check("zip cut", zip.data, cut, out.data);
    sl_buf_cleanup(&out);
  }
  CU_ASSERT_EQUAL(bad, 0);
  sl_buf_cleanup(&zip);
}

/* ---- Snappy through the decoder (snappy.c's own cases: test_snappy) -- */

static void put_be32(struct sl_buf *b, uint32_t v)
{
  unsigned char p[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
                         (unsigned char)v };
  sl_buf_add(b, p, 4);
}

/* plain as Firehose's Snappy (framing) or HADOOP_SNAPPY object. */
static void snappy_object(struct sl_buf *out, const struct sl_buf *plain, int hadoop)
{
  size_t at, step = hadoop ? 256u * 1024u : 65536u;
  char *tmp = malloc(snappy_max_compressed_length(step));
  CU_ASSERT_PTR_NOT_NULL_FATAL(tmp);
  if(!hadoop)
    sl_buf_add(out, "\xff\x06\x00\x00sNaPpY", 10);
  for(at = 0; at < plain->len; at += step) {
    size_t n = plain->len - at < step ? plain->len - at : step;
    size_t clen = snappy_max_compressed_length(n);
    CU_ASSERT_EQUAL_FATAL(snappy_compress(plain->data + at, n, tmp, &clen), SNAPPY_OK);
    if(hadoop) {
      put_be32(out, (uint32_t)n);
      put_be32(out, (uint32_t)clen);
    }
    else {
      unsigned char h[4] = { 0, (unsigned char)(clen + 4), (unsigned char)((clen + 4) >> 8),
                             (unsigned char)((clen + 4) >> 16) };
      sl_buf_add(out, h, 4);
      put_le32(out, sl_crc32c_mask(sl_crc32c(0, plain->data + at, n)));
    }
    sl_buf_add(out, tmp, clen);
  }
  free(tmp);
}

static void test_snappy_objects(void)
{
  struct sl_buf plain, obj, want;
  int hadoop;
  sl_buf_init(&plain, 64u << 20);
  sl_buf_init(&obj, 64u << 20);
  sl_buf_init(&want, 64u << 20);
  ndjson(&plain, 0, 8000);
  decode(SL_INFLATE_ZLIB, (unsigned char *)plain.data, plain.len, 0, &want, NULL);
  for(hadoop = 0; hadoop < 2; hadoop++) {
    struct sl_decoder_stats st;
    sl_buf_reset(&obj);
    snappy_object(&obj, &plain, hadoop);
    CU_ASSERT_EQUAL(check(hadoop ? "hadoop-snappy" : "snappy", obj.data, obj.len, want.data), 0);
    sl_buf_reset(&want);
    decode(SL_INFLATE_ZLIB, (unsigned char *)obj.data, obj.len, 0, &want, &st);
    CU_ASSERT_EQUAL(st.compression, hadoop ? SL_COMPRESSION_HADOOP_SNAPPY : SL_COMPRESSION_SNAPPY);
    CU_ASSERT_EQUAL(st.records, 8000);
    CU_ASSERT_EQUAL(st.bytes_decoded, plain.len);
    /* cut inside the third chunk or block: its records are not delivered */
    sl_buf_reset(&want);
    decode(SL_INFLATE_ZLIB, (unsigned char *)obj.data, obj.len * 2 / 3, 0, &want, &st);
    CU_ASSERT_EQUAL(check("snappy cut", obj.data, obj.len * 2 / 3, want.data), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(want.data, "truncated stream, input ended inside"));
    sl_buf_reset(&want);
    decode(SL_INFLATE_ZLIB, (unsigned char *)plain.data, plain.len, 0, &want, NULL);
  }
  sl_buf_cleanup(&plain);
  sl_buf_cleanup(&obj);
  sl_buf_cleanup(&want);
}

/* on_record stops after 10 records: inline and with the second thread, the
 * decoder stops there, and freeing it ends its thread. */
static int stop_at_10(void *ud, const char *p, size_t n, uint64_t off, int kind)
{
  int *count = ud;
  (void)p;
  (void)n;
  (void)off;
  (void)kind;
  return ++*count >= 10;
}

static void test_stop(void)
{
  struct sl_buf plain, z;
  int pipe;
  sl_buf_init(&plain, 64u << 20);
  sl_buf_init(&z, 64u << 20);
  ndjson(&plain, 0, 100000);
  member(&z, plain.data, plain.len, 0);
  for(pipe = 0; pipe < 2; pipe++) {
    struct sl_decoder_options o;
    struct sl_decoder *d;
    int count = 0;
    size_t pos;
    sl_decoder_options_init(&o);
    o.on_record = stop_at_10;
    o.userdata = &count;
    o.pipeline = pipe;
    d = sl_decoder_new(&o);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    for(pos = 0; pos < z.len && !sl_decoder_done(d); pos += 4096)
      CU_ASSERT_EQUAL(sl_decoder_feed(d, z.data + pos, z.len - pos < 4096 ? z.len - pos : 4096), SL_OK);
    CU_ASSERT_EQUAL(sl_decoder_finish(d), SL_OK);
    CU_ASSERT_EQUAL(count, 10);
    CU_ASSERT_EQUAL(sl_decoder_stats(d)->records, 10);
    /* Inline it stops taking input well before the end; pipelined the
     * queue may take up to SL_DEC_PIPE_IN_MAX first. */
    CU_ASSERT(pos < z.len || (pipe && z.len <= SL_DEC_PIPE_IN_MAX));
    sl_decoder_free(d);
  }
  sl_buf_cleanup(&plain);
  sl_buf_cleanup(&z);
}

static const struct sl_test tests[] = {
  { "gzip members with every header field", test_gzip_members },
  { "gzip stats", test_gzip_stats },
  { "gzip corrupt trailers, headers, garbage", test_gzip_errors },
  { "gzip cut at every byte", test_gzip_cut },
  { "gzip longer member cut every 5 bytes, back ends agree", test_gzip_cut_long },
  { "gzip big multi-member, CRC-32", test_gzip_big },
  { "ZIP entries: deflate, stored, descriptors, zip64", test_zip_entries },
  { "ZIP errors and cuts", test_zip_errors },
  { "Snappy and HADOOP_SNAPPY objects, inline and pipelined", test_snappy_objects },
  { "on_record stops, inline and pipelined", test_stop },
  { NULL, NULL },
};

SL_TEST_MAIN("inflate", tests, NULL, NULL)
