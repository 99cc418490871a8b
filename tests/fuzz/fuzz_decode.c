/* fuzz_decode.c — the log decoder (gzip, concatenated JSON, NDJSON, text
 * lines) fed in random chunks. The first bytes choose the options and the
 * chunk sizes; the rest is the object. The same object fed in one piece
 * must give the same records (offset, kind, bytes) and the same number of
 * errors: chunking may never change what is decoded. And the AVX2 string
 * scan must agree with the portable one byte for byte, errors included. */
#include <openssl/evp.h>

#include "fuzz.h"
#include "sluice/decode.h"
#include "common/records/decoder.h"
#include "common/records/gunzip.h"
#include "common/records/jscan.h"

#define FUZZ_MAX_INPUT (512u * 1024u)
#define HEADER 8

struct run {
  EVP_MD_CTX *md;
  EVP_MD_CTX *errmd;   /* offsets and reasons of the errors */
  uint64_t records;
  uint64_t errors;
  size_t record_max;
  uint64_t stop_after; /* 0 = never stop */
  uint64_t last_offset;
};

static int on_record(void *ud, const char *p, size_t n, uint64_t offset, int kind)
{
  struct run *r = ud;
  uint64_t meta[3] = { offset, n, (uint64_t)kind };
  FUZZ_CHECK(kind == SL_RECORD_JSON || kind == SL_RECORD_TEXT);
  FUZZ_CHECK(n <= r->record_max + 1); /* a text line may carry its '\r' */
  FUZZ_CHECK(!r->records || offset >= r->last_offset);
  r->last_offset = offset;
  if(kind == SL_RECORD_JSON)
    FUZZ_CHECK(n > 0);
  if(n)
    FUZZ_CHECK(p != NULL);
  EVP_DigestUpdate(r->md, meta, sizeof(meta));
  EVP_DigestUpdate(r->md, p, n);
  r->records++;
  return r->stop_after && r->records == r->stop_after;
}

static void on_error(void *ud, uint64_t offset, const char *reason)
{
  struct run *r = ud;
  FUZZ_CHECK(reason && reason[0]);
  EVP_DigestUpdate(r->errmd, &offset, sizeof(offset));
  EVP_DigestUpdate(r->errmd, reason, strlen(reason) + 1);
  r->errors++;
}

/* Decodes obj in the given chunk sizes (cycled); NULL sizes = one piece. */
static enum sl_result decode(const struct sl_decoder_options *base, struct run *run,
                             const uint8_t *obj, size_t n, const uint8_t *sizes, int portable,
                             unsigned char out[32], unsigned char errs[32],
                             struct sl_decoder_stats *stats)
{
  struct sl_decoder_options o = *base;
  struct sl_decoder *d;
  enum sl_result r = SL_OK, fr;
  size_t at = 0, k = 0;
  unsigned mdlen = 0;
  run->md = EVP_MD_CTX_new();
  run->errmd = EVP_MD_CTX_new();
  if(!run->md || !EVP_DigestInit_ex(run->md, EVP_sha256(), NULL) || !run->errmd ||
     !EVP_DigestInit_ex(run->errmd, EVP_sha256(), NULL))
    abort();
  o.on_record = on_record;
  o.on_error = on_error;
  o.userdata = run;
  d = sl_decoder_new(&o);
  FUZZ_CHECK(d != NULL);
  if(portable)
    sl_jscan_set_wide(d, 0);
  while(at < n) {
    size_t c = n;
    if(sizes) { /* 1..256 bytes, or up to ~4 KiB when the next size byte is odd */
      unsigned a = sizes[k % (HEADER - 3)], b = sizes[(k + 1) % (HEADER - 3)];
      c = 1 + (size_t)a * (b & 1 ? 17 : 1);
      k++;
    }
    if(c > n - at)
      c = n - at;
    fr = sl_decoder_feed(d, obj + at, c);
    if(fr && !r)
      r = fr;
    at += c;
  }
  fr = sl_decoder_finish(d);
  if(fr && !r)
    r = fr;
  *stats = *sl_decoder_stats(d);
  /* input after a stop or a failure is ignored, and not counted */
  FUZZ_CHECK(sl_decoder_done(d) ? stats->bytes_in <= n : stats->bytes_in == n);
  FUZZ_CHECK(stats->records == run->records);
  sl_decoder_free(d);
  EVP_DigestFinal_ex(run->md, out, &mdlen);
  EVP_DigestFinal_ex(run->errmd, errs, &mdlen);
  EVP_MD_CTX_free(run->md);
  EVP_MD_CTX_free(run->errmd);
  return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const size_t record_maxes[] = { 0, 1, 7, 64, 1000, 65536 };
  static const unsigned depths[] = { 0, 1, 2, 5, 64, 4096 };
  struct sl_decoder_options o;
  struct run chunked, whole, portable;
  struct sl_decoder_stats s1, s2, s3;
  unsigned char h1[32], h2[32], h3[32], e1[32], e2[32], e3[32];
  enum sl_result r1, r2, r3;
  if(size < HEADER || size > FUZZ_MAX_INPUT)
    return 0;
  fuzz_init();
  memset(&o, 0, sizeof(o));
  o.format = (enum sl_decode_format)(data[0] % 3);
  o.record_max = record_maxes[data[1] % 6];
  o.max_depth = depths[data[2] % 6];
  memset(&chunked, 0, sizeof(chunked));
  chunked.record_max = o.record_max ? o.record_max : SL_DECODER_DEFAULT_RECORD_MAX;
  chunked.stop_after = data[0] / 3 % 8; /* 0..7 records, 0 = all */
  whole = portable = chunked;
  r1 = decode(&o, &chunked, data + HEADER, size - HEADER, data + 3, 0, h1, e1, &s1);
  r2 = decode(&o, &whole, data + HEADER, size - HEADER, NULL, 0, h2, e2, &s2);
  r3 = decode(&o, &portable, data + HEADER, size - HEADER, NULL, 1, h3, e3, &s3);
  FUZZ_CHECK(r2 == r3 && whole.records == portable.records && whole.errors == portable.errors);
  FUZZ_CHECK(!memcmp(h2, h3, sizeof(h2)) && !memcmp(e2, e3, sizeof(e2)));
  FUZZ_CHECK(r1 == r2);
  FUZZ_CHECK(chunked.records == whole.records);
  FUZZ_CHECK(!memcmp(h1, h2, sizeof(h1)));
  FUZZ_CHECK(s1.compression == s2.compression);
  /* after a stop or a failure the error count depends on where input ended */
  if(!r1 && !(chunked.stop_after && chunked.records == chunked.stop_after)) {
    FUZZ_CHECK(chunked.errors == whole.errors);
    FUZZ_CHECK(s1.bytes_decoded == s2.bytes_decoded);
    FUZZ_CHECK(s1.gzip_members == s2.gzip_members);
  }
  return 0;
}
