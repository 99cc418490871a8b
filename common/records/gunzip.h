/* gunzip.h — gzip members inflated one after another into a fixed output
 * window (gunzip.c). Headers and trailers are parsed here, the deflate data
 * by inflate.c, so every error names the same offsets whichever back end
 * inflates. Not installed. */
#ifndef SL_GUNZIP_H
#define SL_GUNZIP_H

#include <stdint.h>

#include "sluice/buf.h"
#include "inflate.h"

typedef sl_inflate_sink sl_gunzip_sink;

struct sl_gunzip {
  struct sl_inflate inf;
  unsigned char *out;
  size_t outsize;
  uint64_t in_total;      /* compressed bytes consumed */
  uint64_t out_total;     /* decompressed bytes handed to the sink */
  uint64_t members;       /* members finished */
  uint64_t member_in;     /* where the current member starts, compressed */
  uint64_t member_out;    /* and decompressed */
  uint64_t trailer_in;    /* where its trailer starts */
  uint64_t err_out;       /* decompressed offset the error message is about */
  int state;
  int in_member;          /* a member has started and not ended */
  unsigned flags;         /* FLG of the current member */
  size_t have, need;      /* bytes of the current header part */
  unsigned char part[10];
  uint32_t crc, hcrc;     /* CRC-32 of the member's data, of its header */
  uint32_t isize;         /* its length mod 2^32 */
  char msg[200];
};

enum sl_result sl_gunzip_init(struct sl_gunzip *g, size_t outsize, enum sl_inflate_backend b);
void sl_gunzip_cleanup(struct sl_gunzip *g);
/* SL_E_PARSE with g->msg on corrupt data. */
enum sl_result sl_gunzip_feed(struct sl_gunzip *g, const unsigned char *p, size_t n,
                              sl_gunzip_sink sink, void *ctx);
/* SL_E_PARSE with g->msg when the input ended inside a member. */
enum sl_result sl_gunzip_finish(struct sl_gunzip *g);

#endif
