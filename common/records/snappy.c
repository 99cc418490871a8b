/* snappy.c — streaming Snappy decoding for the two layouts Firehose writes:
 *
 * framing format ("Snappy"): chunks of 1 type byte + 3-byte little-endian
 *   length + data; 0xff stream identifier "sNaPpY" (first, and again at
 *   each concatenated stream), 0x00 compressed and 0x01 uncompressed data,
 *   each with the masked CRC-32C of its uncompressed bytes and at most 64 KiB
 *   of them, 0x02-0x7f reserved (an error), 0x80-0xfe skipped.
 * Hadoop ("HADOOP_SNAPPY"): blocks of a 4-byte big-endian decompressed
 *   length, then sub-chunks of a 4-byte big-endian compressed length + raw
 *   Snappy, until the block's bytes are all there.
 *
 * A chunk whole in the caller's buffer is decoded in place; only one that
 * straddles feed() calls is gathered in s->in, so memory is one chunk. Every
 * error names the chunk (block) and where it starts in the compressed input. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>

#include "crc32c.h"
#include "snappy.h"

enum { PH_HEADER, PH_BODY, PH_SKIP };

enum {
  T_COMPRESSED = 0x00,
  T_UNCOMPRESSED = 0x01,
  T_UNSKIPPABLE_LAST = 0x7f,
  T_IDENTIFIER = 0xff
};

#define IDENT "sNaPpY"
#define IDENT_LEN 6

#ifdef __GNUC__
__attribute__((format(printf, 3, 4)))
#endif
static enum sl_result fail(struct sl_snappy *s, enum sl_result r, const char *fmt, ...)
{
  va_list ap;
  int n = snprintf(s->msg, sizeof(s->msg), "%s: ", s->hadoop ? "hadoop-snappy" : "snappy");
  va_start(ap, fmt);
  vsnprintf(s->msg + n, sizeof(s->msg) - (size_t)n, fmt, ap);
  va_end(ap);
  s->failed = r;
  return r;
}

static uint32_t le32(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* The largest chunk body the framing format can need: CRC + the worst case
 * of 64 KiB compressed. Longer ones are rejected from the header, before any
 * of them is buffered. */
static size_t frame_body_max(void)
{
  return 4 + snappy_max_compressed_length(SL_SNAPPY_CHUNK_MAX);
}

enum sl_result sl_snappy_init(struct sl_snappy *s, int hadoop)
{
  enum sl_result r;
  memset(s, 0, sizeof(*s));
  s->hadoop = hadoop;
  /* in only grows when a chunk straddles feeds; Hadoop grows out to the
   * largest sub-chunk seen (Hadoop writes 256 KiB ones by default) */
  r = sl_buf_init(&s->in, hadoop ? snappy_max_compressed_length(SL_SNAPPY_BLOCK_MAX)
                                 : frame_body_max());
  s->outsize = SL_SNAPPY_CHUNK_MAX;
  if(!r) {
    s->out = malloc(s->outsize);
    if(!s->out)
      r = SL_E_NOMEM;
  }
  if(r)
    sl_snappy_cleanup(s);
  return r;
}

void sl_snappy_cleanup(struct sl_snappy *s)
{
  sl_buf_cleanup(&s->in);
  free(s->out);
  s->out = NULL;
  s->outsize = 0;
}

static void chunk_done(struct sl_snappy *s)
{
  s->chunks++;
  s->phase = PH_HEADER;
}

static void deliver(struct sl_snappy *s, const void *p, size_t n, sl_snappy_sink sink, void *ctx)
{
  s->out_total += n;
  if(n && sink(ctx, p, n))
    s->stopped = 1;
}

/* framing: the type byte alone already tells some streams apart as bad. */
static enum sl_result frame_type(struct sl_snappy *s)
{
  unsigned t = s->hdr[0];
  if(!s->started && t != T_IDENTIFIER)
    return fail(s, SL_E_PARSE, "stream does not start with the sNaPpY identifier");
  if(t > T_UNCOMPRESSED && t <= T_UNSKIPPABLE_LAST)
    return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                " has reserved unskippable type 0x%02x", s->chunks + 1, s->chunk_off, t);
  return SL_OK;
}

static enum sl_result frame_header(struct sl_snappy *s)
{
  size_t len = (size_t)s->hdr[1] | (size_t)s->hdr[2] << 8 | (size_t)s->hdr[3] << 16;
  uint64_t k = s->chunks + 1, at = s->chunk_off;
  switch(s->hdr[0]) {
  case T_IDENTIFIER:
    if(len != IDENT_LEN)
      return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                  " is not a valid sNaPpY stream identifier", k, at);
    break;
  case T_COMPRESSED:
  case T_UNCOMPRESSED:
    if(len < 4)
      return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                  " is too short (%zu bytes) to hold its CRC-32C", k, at, len);
    if(s->hdr[0] == T_UNCOMPRESSED && len - 4 > SL_SNAPPY_CHUNK_MAX)
      return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                  " holds %zu uncompressed bytes (the limit is %u)", k, at, len - 4,
                  SL_SNAPPY_CHUNK_MAX);
    if(s->hdr[0] == T_COMPRESSED && len > frame_body_max())
      return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                  " has %zu bytes of compressed data (the limit is %zu)", k, at, len - 4,
                  frame_body_max() - 4);
    break;
  default: /* skippable or padding (frame_type let nothing else through) */
    s->skip_left = len;
    if(len)
      s->phase = PH_SKIP;
    else
      chunk_done(s);
    return SL_OK;
  }
  s->body_len = len;
  s->phase = PH_BODY;
  return SL_OK;
}

static enum sl_result frame_body(struct sl_snappy *s, const unsigned char *p, size_t len,
                                 sl_snappy_sink sink, void *ctx)
{
  uint64_t k = s->chunks + 1, at = s->chunk_off;
  const unsigned char *data = p + 4;
  size_t n = len - 4;
  if(s->hdr[0] == T_IDENTIFIER) {
    if(memcmp(p, IDENT, IDENT_LEN))
      return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                  " is not a valid sNaPpY stream identifier", k, at);
    s->started = 1;
    chunk_done(s);
    return SL_OK;
  }
  if(s->hdr[0] == T_COMPRESSED) {
    size_t ulen;
    if(snappy_uncompressed_length((const char *)data, n, &ulen) != SNAPPY_OK)
      return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                  " is corrupt compressed data", k, at);
    if(ulen > SL_SNAPPY_CHUNK_MAX)
      return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                  " decompresses to %zu bytes (the limit is %u)", k, at, ulen,
                  SL_SNAPPY_CHUNK_MAX);
    if(snappy_uncompress((const char *)data, n, (char *)s->out, &ulen) != SNAPPY_OK)
      return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                  " is corrupt compressed data", k, at);
    data = s->out;
    n = ulen;
  }
  /* the CRC covers the uncompressed bytes, so it is checked after inflating */
  if(sl_crc32c_mask(sl_crc32c(0, data, n)) != le32(p))
    return fail(s, SL_E_PARSE, "chunk %" PRIu64 " at compressed byte %" PRIu64
                " has a bad CRC-32C", k, at);
  chunk_done(s);
  deliver(s, data, n, sink, ctx);
  return SL_OK;
}

static enum sl_result hadoop_header(struct sl_snappy *s)
{
  uint32_t len = be32(s->hdr);
  size_t limit;
  if(!s->in_block) {
    if(len > SL_SNAPPY_BLOCK_MAX)
      return fail(s, SL_E_PARSE, "block %" PRIu64 " at compressed byte %" PRIu64
                  " declares %" PRIu32 " bytes (the limit is %u)", s->chunks + 1,
                  s->chunk_off, len, SL_SNAPPY_BLOCK_MAX);
    if(!len) { /* an empty block has no sub-chunks */
      chunk_done(s);
      return SL_OK;
    }
    s->in_block = 1;
    s->block_left = len;
    return SL_OK;
  }
  limit = snappy_max_compressed_length(s->block_left);
  if(len > limit)
    return fail(s, SL_E_PARSE, "block %" PRIu64 " at compressed byte %" PRIu64
                ": sub-chunk at compressed byte %" PRIu64 " has %" PRIu32
                " compressed bytes (the limit for the %" PRIu32 " bytes left in the block is %zu)",
                s->chunks + 1, s->chunk_off, s->sub_off, len, s->block_left, limit);
  if(!len)
    return fail(s, SL_E_PARSE, "block %" PRIu64 " at compressed byte %" PRIu64
                ": sub-chunk at compressed byte %" PRIu64 " is corrupt compressed data",
                s->chunks + 1, s->chunk_off, s->sub_off);
  s->body_len = len;
  s->phase = PH_BODY;
  return SL_OK;
}

static enum sl_result hadoop_body(struct sl_snappy *s, const unsigned char *p, size_t len,
                                  sl_snappy_sink sink, void *ctx)
{
  size_t ulen;
  uint64_t k = s->chunks + 1;
  if(snappy_uncompressed_length((const char *)p, len, &ulen) != SNAPPY_OK)
    return fail(s, SL_E_PARSE, "block %" PRIu64 " at compressed byte %" PRIu64
                ": sub-chunk at compressed byte %" PRIu64 " is corrupt compressed data",
                k, s->chunk_off, s->sub_off);
  if(ulen > s->block_left)
    return fail(s, SL_E_PARSE, "block %" PRIu64 " at compressed byte %" PRIu64
                ": sub-chunk at compressed byte %" PRIu64 " decompresses to %zu bytes, past"
                " the %" PRIu32 " bytes left in the block", k, s->chunk_off, s->sub_off, ulen,
                s->block_left);
  if(ulen > s->outsize) {
    size_t nsize = s->outsize * 2 > ulen ? s->outsize * 2 : ulen;
    unsigned char *o;
    if(nsize > SL_SNAPPY_BLOCK_MAX)
      nsize = SL_SNAPPY_BLOCK_MAX;
    o = realloc(s->out, nsize);
    if(!o)
      return fail(s, SL_E_NOMEM, "out of memory");
    s->out = o;
    s->outsize = nsize;
  }
  if(snappy_uncompress((const char *)p, len, (char *)s->out, &ulen) != SNAPPY_OK)
    return fail(s, SL_E_PARSE, "block %" PRIu64 " at compressed byte %" PRIu64
                ": sub-chunk at compressed byte %" PRIu64 " is corrupt compressed data",
                k, s->chunk_off, s->sub_off);
  s->block_left -= (uint32_t)ulen;
  s->phase = PH_HEADER;
  if(!s->block_left) {
    s->in_block = 0;
    chunk_done(s);
  }
  deliver(s, s->out, ulen, sink, ctx);
  return SL_OK;
}

static enum sl_result body(struct sl_snappy *s, const unsigned char *p, size_t len,
                           sl_snappy_sink sink, void *ctx)
{
  return s->hadoop ? hadoop_body(s, p, len, sink, ctx) : frame_body(s, p, len, sink, ctx);
}

enum sl_result sl_snappy_feed(struct sl_snappy *s, const unsigned char *p, size_t n,
                              sl_snappy_sink sink, void *ctx)
{
  enum sl_result r = s->failed;
  while(!r && n && !s->stopped) {
    size_t take;
    if(s->phase == PH_HEADER) {
      if(!s->hdr_len) { /* a (sub-)chunk starts here */
        if(s->hadoop && s->in_block)
          s->sub_off = s->in_total;
        else
          s->chunk_off = s->in_total;
      }
      take = 4u - s->hdr_len < n ? 4u - s->hdr_len : n;
      memcpy(s->hdr + s->hdr_len, p, take);
      if(!s->hadoop && !s->hdr_len)
        r = frame_type(s);
      s->hdr_len = (unsigned char)(s->hdr_len + take);
      p += take;
      n -= take;
      s->in_total += take;
      if(!r && s->hdr_len == 4) {
        s->hdr_len = 0;
        r = s->hadoop ? hadoop_header(s) : frame_header(s);
      }
    }
    else if(s->phase == PH_SKIP) {
      take = s->skip_left < n ? s->skip_left : n;
      p += take;
      n -= take;
      s->in_total += take;
      s->skip_left -= take;
      if(!s->skip_left)
        chunk_done(s);
    }
    else if(!s->in.len && n >= s->body_len) { /* whole here: decode in place */
      take = s->body_len;
      s->in_total += take;
      r = body(s, p, take, sink, ctx);
      p += take;
      n -= take;
    }
    else {
      take = s->body_len - s->in.len < n ? s->body_len - s->in.len : n;
      r = sl_buf_add(&s->in, p, take);
      if(r)
        r = fail(s, r, "out of memory");
      p += take;
      n -= take;
      s->in_total += take;
      if(!r && s->in.len == s->body_len) {
        r = body(s, (const unsigned char *)s->in.data, s->in.len, sink, ctx);
        sl_buf_reset(&s->in);
      }
    }
  }
  return r;
}

enum sl_result sl_snappy_finish(struct sl_snappy *s)
{
  if(s->failed || s->stopped)
    return s->failed;
  if(s->hdr_len || s->phase != PH_HEADER || s->in_block)
    return fail(s, SL_E_PARSE, "truncated stream, input ended inside %s %" PRIu64
                " at compressed byte %" PRIu64 " after %" PRIu64 " compressed bytes",
                s->hadoop ? "block" : "chunk", s->chunks + 1, s->chunk_off, s->in_total);
  return SL_OK;
}
