/* gunzip.h — gzip members inflated one after another into a fixed
 * output window (gunzip.c). Not installed. */
#ifndef SL_GUNZIP_H
#define SL_GUNZIP_H

#include <stdint.h>

#include "sluice/buf.h"

/* Inflates gzip members one after another into a fixed output window. */
struct sl_gunzip {
  void *z;                /* z_stream, kept opaque so only gunzip.c sees zlib */
  unsigned char *out;
  size_t outsize;
  uint64_t in_total;      /* compressed bytes consumed */
  uint64_t members;       /* members finished */
  int in_member;          /* a member has started and not ended */
  char msg[160];
};

/* The sink gets each decompressed piece; non-zero stops inflating. */
typedef int (*sl_gunzip_sink)(void *ctx, const char *p, size_t n);

enum sl_result sl_gunzip_init(struct sl_gunzip *g, size_t outsize);
void sl_gunzip_cleanup(struct sl_gunzip *g);
/* SL_E_PARSE with g->msg on corrupt data. */
enum sl_result sl_gunzip_feed(struct sl_gunzip *g, const unsigned char *p, size_t n,
                              sl_gunzip_sink sink, void *ctx);
/* SL_E_PARSE with g->msg when the input ended inside a member. */
enum sl_result sl_gunzip_finish(struct sl_gunzip *g);

#endif
