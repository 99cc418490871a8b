/* decode.c — the push decoder for Firehose log objects: sniffs compression
 * from the first bytes (gzip, ZIP, Snappy framing, Hadoop-Snappy), picks the
 * record format per object, assembles records that straddle feed() chunks
 * into one bounded buffer, and delivers them with their offsets in the
 * decompressed stream. The JSON scanner is jscan.c; the decompressors are
 * gunzip.c, unzip.c (both through inflate.c) and snappy.c.
 *
 * Memory: a record inside one chunk is delivered in place; only the head of
 * a record that crosses a chunk boundary is copied (up to record_max), plus
 * a 64 KiB inflate window and, in auto mode, at most 64 KiB of the first
 * line while the format is being judged. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "dec_record.h"
#include "gunzip.h"
#include "jscan.h"

#define INFLATE_WINDOW (64u * 1024u)
#define SNIFF_MAX (64u * 1024u)

/* ---- text lines ------------------------------------------------------- */

static void scan_lines(struct sl_decoder *d, const char *buf, size_t n)
{
  const char *p = buf, *end = buf + n;
  while(p < end) {
    const char *nl;
    if(!d->in_rec) {
      sl_dec_record_begin(d, d->pos + (uint64_t)(p - buf));
      d->in_rec = 1;
    }
    nl = memchr(p, '\n', (size_t)(end - p));
    if(!nl) {
      sl_dec_record_hold(d, d->spanning ? buf : p, end, SL_RECORD_TEXT);
      break;
    }
    d->in_rec = 0;
    sl_dec_record_end(d, d->spanning ? buf : p, nl, SL_RECORD_TEXT);
    if(d->stopped)
      break;
    p = nl + 1;
  }
  d->st.scan_steps += n;
}

/* clean: the data really ended (not cut by a corrupt compressed stream), so
 * a last line without '\n' or a last top-level number is a whole record. */
static void lines_finish(struct sl_decoder *d, int clean)
{
  if(!d->in_rec)
    return;
  if(clean) {
    d->in_rec = 0;
    sl_dec_record_end(d, "", "", SL_RECORD_TEXT);
  }
  else {
    if(!d->drop) /* a line already dropped as too long was reported */
      sl_dec_error(d, d->rec_off, "truncated line at end of data (line at %llu dropped)",
                   (unsigned long long)d->rec_off);
    sl_dec_record_abort(d);
  }
}

/* ---- format choice ---------------------------------------------------- */

static void scan(struct sl_decoder *d, const char *p, size_t n)
{
  if(d->st.format == SL_DECODE_LINES)
    scan_lines(d, p, n);
  else
    sl_jscan(d, p, n);
  d->pos += n;
}

/* Settles the format and replays what was kept while judging. */
static void decide(struct sl_decoder *d, enum sl_decode_format f)
{
  d->st.format = f;
  d->trial = 0;
  sl_dec_record_abort(d);
  sl_jscan_reset(d);
  if(d->sniff.len)
    scan(d, d->sniff.data, d->sniff.len);
  sl_buf_cleanup(&d->sniff);
}

/* Auto mode: the object is JSON unless its first line is not (a grammar
 * error before the first newline, e.g. "[INFO] ..." or a VPC flow log line
 * "2 123456789010 eni-..."). A pretty-printed record's "{" line passes. The
 * first line is judged incrementally, at most SNIFF_MAX bytes of it. */
static void judge(struct sl_decoder *d, const char *p, size_t n)
{
  while(n && d->st.format == SL_DECODE_AUTO) {
    const char *nl = memchr(p, '\n', n);
    size_t k = nl ? (size_t)(nl - p) + 1 : n;
    int line_end = nl != NULL;
    if(k > SNIFF_MAX - d->sniff.len) {
      k = SNIFF_MAX - d->sniff.len;
      line_end = 0;
    }
    if(sl_buf_add(&d->sniff, p, k)) {
      d->fail = SL_E_NOMEM;
      return;
    }
    sl_dec_note_peak(d);
    sl_jscan(d, p, k);
    p += k;
    n -= k;
    if(d->trial_failed)
      decide(d, SL_DECODE_LINES);
    else if((line_end && (d->trial_records || d->in_rec)) || d->sniff.len == SNIFF_MAX)
      decide(d, SL_DECODE_JSON);
  }
  if(n && !d->stopped)
    scan(d, p, n);
}

/* Every decompressed (or plain) byte comes through here. */
static int decoded(void *ctx, const char *p, size_t n)
{
  struct sl_decoder *d = ctx;
  d->st.bytes_decoded += n;
  if(d->st.format == SL_DECODE_AUTO)
    judge(d, p, n);
  else
    scan(d, p, n);
  return d->stopped || d->fail;
}

static void end_of_data(struct sl_decoder *d, int clean)
{
  /* Still judging: no grammar error so far (a cut JSON record is still
   * JSON, reported as truncated below). */
  if(d->st.format == SL_DECODE_AUTO)
    decide(d, SL_DECODE_JSON);
  if(d->stopped)
    return;
  if(d->st.format == SL_DECODE_LINES)
    lines_finish(d, clean);
  else
    sl_jscan_finish(d, clean);
}

/* ---- compression ------------------------------------------------------ */

enum {
  MAGIC_MORE, MAGIC_NONE, MAGIC_GZIP, MAGIC_ZIP, MAGIC_SNAPPY, MAGIC_HADOOP,
  MAGIC_ZSTD, MAGIC_XZ, MAGIC_BZIP2
};

/* 1: h starts with magic; 0: h is a proper prefix of it; -1: neither. */
static int prefix_of(const unsigned char *h, size_t n, const char *magic, size_t mlen)
{
  if(memcmp(h, magic, n < mlen ? n : mlen))
    return -1;
  return n >= mlen;
}

static uint32_t be32(const unsigned char *p)
{
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Looks at the first bytes. Hadoop-Snappy has no magic: it is recognized by
 * its block header (big-endian raw length, then a plausible compressed
 * length); text and JSON never start with a NUL byte. */
static int sniff_magic(const unsigned char *h, size_t n)
{
  static const struct {
    const char *m;
    size_t len;
    int kind;
  } magics[] = {
    { "\x1f\x8b", 2, MAGIC_GZIP },
    { "PK\x03\x04", 4, MAGIC_ZIP },
    { "PK\x05\x06", 4, MAGIC_ZIP },
    { "\xff\x06\x00\x00sNaPpY", 10, MAGIC_SNAPPY },
    { "\x28\xb5\x2f\xfd", 4, MAGIC_ZSTD },
    { "\xfd" "7zXZ\x00", 6, MAGIC_XZ },
  };
  size_t i;
  int more = 0;
  for(i = 0; i < sizeof(magics) / sizeof(magics[0]); i++) {
    int r = prefix_of(h, n, magics[i].m, magics[i].len);
    if(r == 1)
      return magics[i].kind;
    if(r == 0)
      more = 1;
  }
  /* bzip2: "BZh", the block size digit, then the block magic (pi in BCD). */
  if(!memcmp(h, "BZh", n < 3 ? n : 3)) {
    if(n < 10)
      more = 1;
    else if(h[3] >= '1' && h[3] <= '9' && !memcmp(h + 4, "\x31\x41\x59\x26\x53\x59", 6))
      return MAGIC_BZIP2;
  }
  if(h[0] == 0) {
    uint32_t raw, comp;
    if(n < 8)
      return MAGIC_MORE;
    raw = be32(h);
    comp = be32(h + 4);
    if(raw && raw <= (1u << 30) && comp && comp <= 32 + raw + raw / 6)
      return MAGIC_HADOOP;
  }
  return more ? MAGIC_MORE : MAGIC_NONE;
}

enum { CODEC_NONE, CODEC_GZIP, CODEC_ZIP, CODEC_SNAPPY };

/* The decompressor in use: its message and the decompressed offset it is
 * about, after a failure. */
static const char *codec_msg(struct sl_decoder *d, uint64_t *at)
{
  switch(d->codec) {
  case CODEC_GZIP:
    *at = d->gz.err_out;
    return d->gz.msg;
  case CODEC_ZIP:
    *at = d->zip.err_out;
    return d->zip.msg;
  case CODEC_SNAPPY:
    *at = d->sn.out_total;
    return d->sn.msg;
  }
  *at = d->pos;
  return "";
}

static enum sl_result codec_failed(struct sl_decoder *d, enum sl_result r)
{
  uint64_t at;
  const char *msg = codec_msg(d, &at);
  sl_dec_error(d, at, "%s", msg);
  end_of_data(d, 0);
  return d->fail = r;
}

static enum sl_result input(struct sl_decoder *d, const unsigned char *p, size_t n)
{
  enum sl_result r = SL_OK;
  if(d->pipe)
    r = sl_dec_pipe_push(d->pipe, p, n, decoded, d);
  else
    switch(d->codec) {
    case CODEC_GZIP:
      r = sl_gunzip_feed(&d->gz, p, n, decoded, d);
      d->st.gzip_members = d->gz.members;
      break;
    case CODEC_ZIP:
      r = sl_unzip_feed(&d->zip, p, n, decoded, d);
      break;
    case CODEC_SNAPPY:
      r = sl_snappy_feed(&d->sn, p, n, decoded, d);
      break;
    default:
      decoded(d, (const char *)p, n);
    }
  if(!r)
    r = d->fail;
  if(r && !d->fail)
    return codec_failed(d, r);
  return r;
}

static enum sl_result refuse(struct sl_decoder *d, const char *what)
{
  d->st.compression = SL_COMPRESSION_UNSUPPORTED;
  sl_dec_error(d, 0, "format not supported: %s; gzip, ZIP, Snappy (framing format), "
               "HADOOP_SNAPPY and uncompressed objects can be decoded", what);
  d->fail = SL_E_UNSUPPORTED;
  return d->fail;
}

/* The codecs as dec_pipe.c calls them. */
static enum sl_result gz_feed(void *c, const unsigned char *p, size_t n, sl_inflate_sink sink,
                              void *ctx)
{
  return sl_gunzip_feed(c, p, n, sink, ctx);
}

static enum sl_result gz_finish(void *c)
{
  return sl_gunzip_finish(c);
}

static enum sl_result zip_feed(void *c, const unsigned char *p, size_t n, sl_inflate_sink sink,
                               void *ctx)
{
  return sl_unzip_feed(c, p, n, sink, ctx);
}

static enum sl_result zip_finish(void *c)
{
  return sl_unzip_finish(c);
}

static enum sl_result sn_feed(void *c, const unsigned char *p, size_t n, sl_inflate_sink sink,
                              void *ctx)
{
  return sl_snappy_feed(c, p, n, sink, ctx);
}

static enum sl_result sn_finish(void *c)
{
  return sl_snappy_finish(c);
}

/* Sets up for the compression the first bytes showed. */
static enum sl_result settle(struct sl_decoder *d, int kind)
{
  enum sl_result r = SL_OK;
  switch(kind) {
  case MAGIC_ZSTD:
    return refuse(d, "zstd (28 b5 2f fd)");
  case MAGIC_XZ:
    return refuse(d, "xz (fd 37 7a 58 5a 00)");
  case MAGIC_BZIP2:
    return refuse(d, "bzip2 (BZh)");
  case MAGIC_SNAPPY:
  case MAGIC_HADOOP:
    r = sl_snappy_init(&d->sn, kind == MAGIC_HADOOP);
    d->codec = CODEC_SNAPPY;
    d->st.compression = kind == MAGIC_HADOOP ? SL_COMPRESSION_HADOOP_SNAPPY : SL_COMPRESSION_SNAPPY;
    break;
  case MAGIC_ZIP:
    r = sl_unzip_init(&d->zip, INFLATE_WINDOW, d->inflate_backend);
    d->codec = CODEC_ZIP;
    d->st.compression = SL_COMPRESSION_ZIP;
    break;
  case MAGIC_GZIP:
    r = sl_gunzip_init(&d->gz, INFLATE_WINDOW, d->inflate_backend);
    d->codec = CODEC_GZIP;
    d->st.compression = SL_COMPRESSION_GZIP;
    break;
  default:
    d->st.compression = SL_COMPRESSION_NONE;
    return SL_OK;
  }
  if(r) {
    d->codec = CODEC_NONE;
    return d->fail = r;
  }
  d->codec_held = d->codec == CODEC_SNAPPY ? d->sn.outsize : INFLATE_WINDOW;
  if(d->o.pipeline) {
    /* No thread to be had: decompress inline, the same results. */
    d->pipe = d->codec == CODEC_GZIP ? sl_dec_pipe_new(gz_feed, gz_finish, &d->gz)
            : d->codec == CODEC_ZIP ? sl_dec_pipe_new(zip_feed, zip_finish, &d->zip)
            : sl_dec_pipe_new(sn_feed, sn_finish, &d->sn);
    if(d->pipe)
      d->codec_held += sl_dec_pipe_held();
  }
  sl_dec_note_peak(d);
  return SL_OK;
}

static enum sl_result codec_finish(struct sl_decoder *d)
{
  if(d->pipe) {
    enum sl_result r = sl_dec_pipe_end(d->pipe, decoded, d);
    d->st.gzip_members = d->gz.members; /* the thread has ended */
    return r;
  }
  switch(d->codec) {
  case CODEC_GZIP:
    return sl_gunzip_finish(&d->gz);
  case CODEC_ZIP:
    return sl_unzip_finish(&d->zip);
  case CODEC_SNAPPY:
    return sl_snappy_finish(&d->sn);
  }
  return SL_OK;
}

static void codec_free(struct sl_decoder *d)
{
  sl_dec_pipe_free(d->pipe); /* first: its thread uses the codec */
  d->pipe = NULL;
  switch(d->codec) {
  case CODEC_GZIP:
    sl_gunzip_cleanup(&d->gz);
    break;
  case CODEC_ZIP:
    sl_unzip_cleanup(&d->zip);
    break;
  case CODEC_SNAPPY:
    sl_snappy_cleanup(&d->sn);
    break;
  }
  d->codec = CODEC_NONE;
}

/* ---- public ----------------------------------------------------------- */

struct sl_decoder *sl_decoder_new(const struct sl_decoder_options *o)
{
  struct sl_decoder *d;
  if(!o || !o->on_record || o->max_depth > SL_DECODER_MAX_DEPTH_LIMIT ||
     o->format > SL_DECODE_LINES)
    return NULL;
  d = calloc(1, sizeof(*d));
  if(!d)
    return NULL;
  d->o = *o;
  if(!d->o.record_max)
    d->o.record_max = SL_DECODER_DEFAULT_RECORD_MAX;
  if(!d->o.max_depth)
    d->o.max_depth = SL_DECODER_DEFAULT_MAX_DEPTH;
  if(d->o.record_max > ((size_t)-1) / 2 || sl_buf_init(&d->rec, d->o.record_max + 1) ||
     sl_buf_init(&d->sniff, SNIFF_MAX)) {
    sl_decoder_free(d);
    return NULL;
  }
  d->st.format = o->format;
  d->trial = o->format == SL_DECODE_AUTO;
  sl_jscan_reset(d);
  sl_dec_note_peak(d);
  return d;
}

void sl_decoder_free(struct sl_decoder *d)
{
  if(!d)
    return;
  codec_free(d);
  sl_buf_cleanup(&d->rec);
  sl_buf_cleanup(&d->sniff);
  free(d);
}

enum sl_result sl_decoder_feed(struct sl_decoder *d, const void *buf, size_t n)
{
  const unsigned char *p = buf;
  if(d->finished)
    return SL_E_INVALID;
  if(d->fail || d->stopped)
    return d->fail;
  d->st.bytes_in += n;
  if(d->st.compression == SL_COMPRESSION_UNKNOWN && !d->hdr_len && n >= sizeof(d->hdr)) {
    /* The usual case: the first chunk is long enough to judge in place. */
    if(settle(d, sniff_magic(p, sizeof(d->hdr))))
      return d->fail;
  }
  else if(d->st.compression == SL_COMPRESSION_UNKNOWN) {
    int kind;
    size_t k = sizeof(d->hdr) - d->hdr_len;
    if(k > n)
      k = n;
    memcpy(d->hdr + d->hdr_len, p, k);
    d->hdr_len += k;
    p += k;
    n -= k;
    if(!d->hdr_len)
      return SL_OK;
    kind = sniff_magic(d->hdr, d->hdr_len);
    if(kind == MAGIC_MORE)
      return SL_OK;
    if(settle(d, kind) || input(d, d->hdr, d->hdr_len) || d->stopped)
      return d->fail;
  }
  if(!n)
    return SL_OK;
  return input(d, p, n);
}

enum sl_result sl_decoder_finish(struct sl_decoder *d)
{
  enum sl_result r;
  if(d->finished)
    return SL_E_INVALID;
  d->finished = 1;
  if(d->fail || d->stopped)
    return d->fail;
  if(d->st.compression == SL_COMPRESSION_UNKNOWN) {
    /* Fewer bytes than a magic number: whatever they are, they are data. */
    if(d->hdr_len && ((r = settle(d, MAGIC_NONE)) || (r = input(d, d->hdr, d->hdr_len))))
      return r;
    if(d->stopped)
      return SL_OK;
  }
  if((r = codec_finish(d)))
    return codec_failed(d, r);
  end_of_data(d, 1);
  return d->fail;
}

int sl_decoder_done(const struct sl_decoder *d)
{
  return d->fail || d->stopped;
}

const struct sl_decoder_stats *sl_decoder_stats(const struct sl_decoder *d)
{
  return &d->st;
}

void sl_decoder_options_init(struct sl_decoder_options *o)
{
  memset(o, 0, sizeof(*o));
}
