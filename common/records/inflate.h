/* inflate.h — one raw deflate stream at a time, inflated by ISA-L where the
 * build found it and by zlib otherwise; gzip (gunzip.c) and ZIP (unzip.c)
 * parse their own headers and trailers around it, so both back ends report
 * the same offsets. Not installed. */
#ifndef SL_INFLATE_H
#define SL_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#include "sluice/buf.h"

enum sl_inflate_backend {
  SL_INFLATE_DEFAULT = 0, /* ISA-L when built with it, else zlib */
  SL_INFLATE_ZLIB,
  SL_INFLATE_ISAL
};

enum sl_inflate_status {
  SL_INFLATE_AGAIN, /* wants more input, or more room for output */
  SL_INFLATE_END,   /* the stream ended; see spill */
  SL_INFLATE_BAD    /* corrupt deflate data */
};

struct sl_inflate {
  enum sl_inflate_backend backend; /* the one in use, never DEFAULT after init */
  void *st;                        /* z_stream or struct inflate_state */
  void *snap;                      /* ISA-L: its state before the current call */
  /* At END: input the inflater had read past the end of the stream (ISA-L
   * reads 8 bytes ahead). It comes before the unused rest of the input. */
  unsigned char spill[8];
  size_t spill_len;
};

/* SL_E_UNSUPPORTED when ISA-L is asked for and the build has none. */
enum sl_result sl_inflate_init(struct sl_inflate *f, enum sl_inflate_backend b);
void sl_inflate_cleanup(struct sl_inflate *f);
/* Ready for the next stream. */
void sl_inflate_reset(struct sl_inflate *f);
/* Inflates from in[0..n) into out[0..outsize): *used input bytes taken,
 * *made output bytes written. AGAIN with *made == outsize: call again. */
enum sl_inflate_status sl_inflate_run(struct sl_inflate *f, const unsigned char *in, size_t n,
                                      unsigned char *out, size_t outsize, size_t *used,
                                      size_t *made);
/* The sink gets each decompressed piece; non-zero stops inflating. */
typedef int (*sl_inflate_sink)(void *ctx, const char *p, size_t n);

/* sl_inflate_run until p[0..n) is used up (AGAIN), the stream ends (END) or
 * is corrupt (BAD), each piece of out handed to sink and added to *crc and
 * *made. *took: input taken (spill included). *stop: the sink said stop. */
enum sl_inflate_status sl_inflate_pump(struct sl_inflate *f, const unsigned char *p, size_t n,
                                       unsigned char *out, size_t outsize, size_t *took,
                                       uint32_t *crc, uint64_t *made, sl_inflate_sink sink,
                                       void *ctx, int *stop);
/* CRC-32 (gzip's, ZIP's), the fastest the build has. */
uint32_t sl_inflate_crc32(uint32_t crc, const unsigned char *p, size_t n);
/* The back end DEFAULT means in this build. */
enum sl_inflate_backend sl_inflate_default(void);

#endif
