/* gunzip.c — streaming gzip (RFC 1952) for the decoder: members one after
 * another (concatenated gzip, as `cat a.gz b.gz` makes), a fixed output
 * window handed to a sink, every header field and trailer checked here, and a
 * message naming the member and its compressed offset when the stream is
 * corrupt or ends inside a member. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gunzip.h"

enum {
  GZ_NEXT,    /* between members: another one, or the end */
  GZ_HEAD,    /* the fixed 10 bytes */
  GZ_XLEN,    /* FEXTRA's length */
  GZ_EXTRA,
  GZ_NAME,    /* FNAME, NUL-terminated */
  GZ_COMMENT, /* FCOMMENT, NUL-terminated */
  GZ_HCRC,    /* FHCRC */
  GZ_BODY,
  GZ_TRAILER  /* CRC-32 and ISIZE */
};

#define FHCRC 0x02
#define FEXTRA 0x04
#define FNAME 0x08
#define FCOMMENT 0x10

enum sl_result sl_gunzip_init(struct sl_gunzip *g, size_t outsize, enum sl_inflate_backend b)
{
  enum sl_result r;
  memset(g, 0, sizeof(*g));
  g->state = GZ_NEXT;
  g->outsize = outsize;
  r = sl_inflate_init(&g->inf, b);
  if(!r && !(g->out = malloc(outsize)))
    r = SL_E_NOMEM;
  if(r)
    sl_gunzip_cleanup(g);
  return r;
}

void sl_gunzip_cleanup(struct sl_gunzip *g)
{
  sl_inflate_cleanup(&g->inf);
  free(g->out);
  g->out = NULL;
}

static enum sl_result bad(struct sl_gunzip *g, uint64_t out_off, const char *fmt, ...)
  __attribute__((format(printf, 3, 4)));
static enum sl_result bad(struct sl_gunzip *g, uint64_t out_off, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(g->msg, sizeof(g->msg), fmt, ap);
  va_end(ap);
  g->err_out = out_off;
  return SL_E_PARSE;
}

/* The header part after the one just read, given the flags. */
static int after(struct sl_gunzip *g, int done)
{
  static const struct {
    int state;
    unsigned flag;
    size_t need;
  } parts[] = {
    { GZ_XLEN, FEXTRA, 2 }, { GZ_NAME, FNAME, 0 }, { GZ_COMMENT, FCOMMENT, 0 }, { GZ_HCRC, FHCRC, 2 },
  };
  size_t i;
  for(i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
    if(parts[i].state <= done)
      continue;
    if(g->flags & parts[i].flag) {
      g->need = parts[i].need;
      g->have = 0;
      return parts[i].state;
    }
  }
  sl_inflate_reset(&g->inf);
  g->crc = 0;
  g->isize = 0;
  return GZ_BODY;
}

static uint32_t le32(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Header and trailer bytes: takes what the current part needs from p. */
static enum sl_result frame(struct sl_gunzip *g, const unsigned char *p, size_t n, size_t *took)
{
  size_t k = 0;
  *took = 0;
  switch(g->state) {
  case GZ_NEXT:
    if(p[0] != 0x1f)
      return bad(g, g->out_total, "gzip: bytes after member %llu are not gzip (compressed byte %llu)",
                 (unsigned long long)g->members, (unsigned long long)g->in_total);
    g->state = GZ_HEAD;
    g->in_member = 1;
    g->member_in = g->in_total;
    g->member_out = g->out_total;
    g->have = 0;
    g->need = 10;
    g->hcrc = 0;
    return SL_OK;
  case GZ_NAME:
  case GZ_COMMENT: {
    const unsigned char *nul = memchr(p, 0, n);
    k = nul ? (size_t)(nul - p) + 1 : n;
    g->hcrc = sl_inflate_crc32(g->hcrc, p, k);
    *took = k;
    if(nul)
      g->state = after(g, g->state);
    return SL_OK;
  }
  case GZ_EXTRA:
    k = n < g->need - g->have ? n : g->need - g->have;
    g->hcrc = sl_inflate_crc32(g->hcrc, p, k);
    g->have += k;
    *took = k;
    if(g->have == g->need)
      g->state = after(g, GZ_EXTRA);
    return SL_OK;
  default:
    break;
  }
  /* Fixed-size parts: gathered in g->part. */
  k = n < g->need - g->have ? n : g->need - g->have;
  memcpy(g->part + g->have, p, k);
  g->have += k;
  *took = k;
  if(g->have < g->need)
    return SL_OK;
  switch(g->state) {
  case GZ_HEAD:
    if(g->part[1] != 0x8b)
      return bad(g, g->out_total, "gzip: bytes after member %llu are not gzip (compressed byte %llu)",
                 (unsigned long long)g->members, (unsigned long long)g->member_in);
    if(g->part[2] != 8)
      return bad(g, g->out_total, "gzip: member %llu at compressed byte %llu: compression method %u "
                 "is not deflate", (unsigned long long)g->members + 1,
                 (unsigned long long)g->member_in, g->part[2]);
    if(g->part[3] & 0xe0)
      return bad(g, g->out_total, "gzip: member %llu at compressed byte %llu: reserved header flags "
                 "set (0x%02x)", (unsigned long long)g->members + 1,
                 (unsigned long long)g->member_in, g->part[3]);
    g->flags = g->part[3];
    g->hcrc = sl_inflate_crc32(g->hcrc, g->part, 10);
    g->state = after(g, GZ_HEAD);
    break;
  case GZ_XLEN:
    g->hcrc = sl_inflate_crc32(g->hcrc, g->part, 2);
    g->need = (size_t)g->part[0] | (size_t)g->part[1] << 8;
    g->have = 0;
    g->state = g->need ? GZ_EXTRA : after(g, GZ_EXTRA);
    break;
  case GZ_HCRC:
    if((g->part[0] | (unsigned)g->part[1] << 8) != (g->hcrc & 0xffff))
      return bad(g, g->out_total, "gzip: member %llu at compressed byte %llu: header CRC mismatch",
                 (unsigned long long)g->members + 1, (unsigned long long)g->member_in);
    g->state = after(g, GZ_HCRC);
    break;
  case GZ_TRAILER:
    if(le32(g->part) != g->crc)
      return bad(g, g->out_total, "gzip: CRC-32 mismatch in member %llu (trailer at compressed byte "
                 "%llu): data is corrupt", (unsigned long long)g->members + 1,
                 (unsigned long long)g->trailer_in);
    if(le32(g->part + 4) != g->isize)
      return bad(g, g->out_total, "gzip: length mismatch in member %llu (trailer at compressed byte "
                 "%llu): data is corrupt", (unsigned long long)g->members + 1,
                 (unsigned long long)g->trailer_in);
    g->members++;
    g->in_member = 0;
    g->state = GZ_NEXT;
    break;
  }
  return SL_OK;
}

static enum sl_result run(struct sl_gunzip *g, const unsigned char *p, size_t n,
                          sl_gunzip_sink sink, void *ctx, int *stop);

/* Deflate data: inflates until the input is used up or the stream ends. */
static enum sl_result body(struct sl_gunzip *g, const unsigned char *p, size_t n, size_t *took,
                           sl_gunzip_sink sink, void *ctx, int *stop)
{
  uint64_t made = 0;
  enum sl_inflate_status s = sl_inflate_pump(&g->inf, p, n, g->out, g->outsize, took, &g->crc,
                                             &made, sink, ctx, stop);
  g->in_total += *took;
  g->isize += (uint32_t)made;
  g->out_total += made;
  if(*stop)
    return SL_OK;
  if(s == SL_INFLATE_BAD)
    return bad(g, g->member_out, "gzip: corrupt deflate data in member %llu (member starts at "
               "compressed byte %llu)", (unsigned long long)g->members + 1,
               (unsigned long long)g->member_in);
  if(s == SL_INFLATE_END) {
    unsigned char spill[sizeof(g->inf.spill)];
    size_t k = g->inf.spill_len;
    /* The bytes read ahead come first in what follows the stream. */
    memcpy(spill, g->inf.spill, k);
    g->in_total -= k;
    g->trailer_in = g->in_total;
    g->state = GZ_TRAILER;
    g->have = 0;
    g->need = 8;
    return k ? run(g, spill, k, sink, ctx, stop) : SL_OK;
  }
  return SL_OK;
}

static enum sl_result run(struct sl_gunzip *g, const unsigned char *p, size_t n,
                          sl_gunzip_sink sink, void *ctx, int *stop)
{
  enum sl_result r = SL_OK;
  while(!r && !*stop && (n || g->state == GZ_BODY)) {
    size_t took;
    if(g->state == GZ_BODY) {
      r = body(g, p, n, &took, sink, ctx, stop);
      if(!n)
        break;
    }
    else {
      r = frame(g, p, n, &took);
      g->in_total += took;
    }
    p += took;
    n -= took;
  }
  return r;
}

enum sl_result sl_gunzip_feed(struct sl_gunzip *g, const unsigned char *p, size_t n,
                              sl_gunzip_sink sink, void *ctx)
{
  int stop = 0;
  return run(g, p, n, sink, ctx, &stop);
}

enum sl_result sl_gunzip_finish(struct sl_gunzip *g)
{
  if(!g->in_member)
    return SL_OK;
  /* Where the member starts, not how much came out: ISA-L decodes whole
   * 64-bit words, so at a cut it may hold back a byte or two zlib gave. */
  return bad(g, g->member_out, "gzip: truncated stream, input ended inside member %llu (member "
             "starts at compressed byte %llu) after %llu compressed bytes",
             (unsigned long long)g->members + 1, (unsigned long long)g->member_in,
             (unsigned long long)g->in_total);
}
