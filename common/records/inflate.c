/* inflate.c — raw deflate through ISA-L (isal_inflate, several times zlib's
 * speed) or zlib, behind one small interface. Only this file sees either
 * library's types. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>
#ifdef SL_HAVE_ISAL
#include <isa-l/crc.h>
#include <isa-l/igzip_lib.h>
#endif

#include "inflate.h"

/* Both libraries count in 32 bits: hand over at most 1 GiB at a time. */
#define SLICE_MAX ((size_t)1 << 30)

enum sl_inflate_backend sl_inflate_default(void)
{
#ifdef SL_HAVE_ISAL
  return SL_INFLATE_ISAL;
#else
  return SL_INFLATE_ZLIB;
#endif
}

enum sl_result sl_inflate_init(struct sl_inflate *f, enum sl_inflate_backend b)
{
  memset(f, 0, sizeof(*f));
  if(b == SL_INFLATE_DEFAULT)
    b = sl_inflate_default();
  f->backend = b;
  if(b == SL_INFLATE_ISAL) {
#ifdef SL_HAVE_ISAL
    struct inflate_state *s = calloc(1, sizeof(*s));
    f->snap = malloc(sizeof(*s));
    if(!s || !f->snap) {
      free(s);
      free(f->snap);
      f->snap = NULL;
      return SL_E_NOMEM;
    }
    isal_inflate_init(s);
    s->crc_flag = ISAL_DEFLATE;
    f->st = s;
    return SL_OK;
#else
    return SL_E_UNSUPPORTED;
#endif
  }
  else {
    z_stream *z = calloc(1, sizeof(*z));
    if(!z)
      return SL_E_NOMEM;
    if(inflateInit2(z, -15) != Z_OK) { /* raw deflate, full window */
      free(z);
      return SL_E_NOMEM;
    }
    f->st = z;
  }
  return SL_OK;
}

void sl_inflate_cleanup(struct sl_inflate *f)
{
  if(f->st && f->backend == SL_INFLATE_ZLIB)
    inflateEnd(f->st);
  free(f->st);
  free(f->snap);
  f->st = NULL;
  f->snap = NULL;
}

void sl_inflate_reset(struct sl_inflate *f)
{
  f->spill_len = 0;
#ifdef SL_HAVE_ISAL
  if(f->backend == SL_INFLATE_ISAL) {
    struct inflate_state *s = f->st;
    isal_inflate_reset(s);
    s->crc_flag = ISAL_DEFLATE;
    return;
  }
#endif
  inflateReset(f->st);
}

#ifdef SL_HAVE_ISAL
static enum sl_inflate_status run_isal(struct sl_inflate *f, const unsigned char *in, size_t n,
                                       unsigned char *out, size_t outsize, size_t *used,
                                       size_t *made)
{
  struct inflate_state *s = f->st;
  int r;
  if(n > SLICE_MAX)
    n = SLICE_MAX;
  if(outsize > SLICE_MAX)
    outsize = SLICE_MAX;
  memcpy(f->snap, s, sizeof(*s));
  s->next_in = (uint8_t *)(uintptr_t)in;
  s->avail_in = (uint32_t)n;
  s->next_out = out;
  s->avail_out = (uint32_t)outsize;
  r = isal_inflate(s);
  *used = (size_t)(s->next_in - in);
  *made = (size_t)(s->next_out - out);
  if(r < 0) {
    /* ISA-L decodes ahead: what it wrote in a failing call is not all good,
     * and how far it got depends on how the input was cut. Replayed from
     * before the call a byte at a time, the good output is the same however
     * the bytes came. */
    size_t i, good = 0;
    memcpy(s, f->snap, sizeof(*s));
    for(i = 0; i < n; i++) {
      s->next_in = (uint8_t *)(uintptr_t)in + i;
      s->avail_in = 1;
      s->next_out = out + good;
      s->avail_out = (uint32_t)(outsize - good);
      if(isal_inflate(s) < 0)
        break;
      good = (size_t)(s->next_out - out);
    }
    *used = i;
    *made = good;
    return SL_INFLATE_BAD;
  }
  if(s->block_state != ISAL_BLOCK_FINISH)
    return SL_INFLATE_AGAIN;
  /* ISA-L reads whole 64-bit words: what it holds past the last block's
   * final byte belongs to whatever follows the stream. */
  if(s->read_in_length > 0) {
    unsigned skip = (unsigned)s->read_in_length % 8;
    size_t i, k = (size_t)s->read_in_length / 8;
    for(i = 0; i < k && i < sizeof(f->spill); i++)
      f->spill[i] = (unsigned char)(s->read_in >> (skip + 8 * i));
    f->spill_len = i;
    s->read_in = 0;
    s->read_in_length = 0;
  }
  return SL_INFLATE_END;
}
#endif

enum sl_inflate_status sl_inflate_run(struct sl_inflate *f, const unsigned char *in, size_t n,
                                      unsigned char *out, size_t outsize, size_t *used,
                                      size_t *made)
{
  z_stream *z = f->st;
  int zr;
  f->spill_len = 0;
#ifdef SL_HAVE_ISAL
  if(f->backend == SL_INFLATE_ISAL)
    return run_isal(f, in, n, out, outsize, used, made);
#endif
  z->next_in = (Bytef *)(uintptr_t)in;
  z->avail_in = (uInt)(n > SLICE_MAX ? SLICE_MAX : n);
  z->next_out = out;
  z->avail_out = (uInt)(outsize > SLICE_MAX ? SLICE_MAX : outsize);
  zr = inflate(z, Z_NO_FLUSH);
  *used = (size_t)(z->next_in - in);
  *made = (size_t)(z->next_out - out);
  if(zr == Z_STREAM_END)
    return SL_INFLATE_END;
  if(zr == Z_OK || zr == Z_BUF_ERROR)
    return SL_INFLATE_AGAIN;
  return SL_INFLATE_BAD;
}

enum sl_inflate_status sl_inflate_pump(struct sl_inflate *f, const unsigned char *p, size_t n,
                                       unsigned char *out, size_t outsize, size_t *took,
                                       uint32_t *crc, uint64_t *made, sl_inflate_sink sink,
                                       void *ctx, int *stop)
{
  enum sl_inflate_status s;
  size_t used, got;
  *took = 0;
  do {
    s = sl_inflate_run(f, p, n, out, outsize, &used, &got);
    p += used;
    n -= used;
    *took += used;
    if(got) {
      *crc = sl_inflate_crc32(*crc, out, got);
      *made += got;
      if(sink(ctx, (const char *)out, got)) {
        *stop = 1;
        return SL_INFLATE_AGAIN;
      }
    }
    if(s == SL_INFLATE_AGAIN && n && !used && !got)
      return SL_INFLATE_BAD; /* no progress with input and room: never loop on it */
    /* A full window may leave output pending even with no input left. */
  } while(s == SL_INFLATE_AGAIN && (n || got == outsize));
  return s;
}

uint32_t sl_inflate_crc32(uint32_t crc, const unsigned char *p, size_t n)
{
#ifdef SL_HAVE_ISAL
  while(n) {
    size_t k = n > SLICE_MAX ? SLICE_MAX : n;
    crc = crc32_gzip_refl(crc, (unsigned char *)(uintptr_t)p, (uint64_t)k);
    p += k;
    n -= k;
  }
  return crc;
#else
  return (uint32_t)crc32_z(crc, p, n);
#endif
}
