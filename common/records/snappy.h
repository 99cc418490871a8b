/* snappy.h — Snappy-compressed log objects decoded as they stream
 * (snappy.c): the framing format Firehose writes for CompressionFormat
 * "Snappy", and Hadoop's block format for "HADOOP_SNAPPY". Not installed. */
#ifndef SL_SNAPPY_H
#define SL_SNAPPY_H

#include <stdint.h>

#include "sluice/buf.h"

#define SL_SNAPPY_CHUNK_MAX 65536u               /* framing: bytes a chunk decompresses to */
#define SL_SNAPPY_BLOCK_MAX (64u * 1024u * 1024u) /* Hadoop: bytes a block decompresses to */

/* The sink gets each decompressed chunk; non-zero stops decoding. The same
 * shape as sl_gunzip_sink, so one callback serves both. */
typedef int (*sl_snappy_sink)(void *ctx, const char *p, size_t n);

/* In the Hadoop format a "chunk" below is a block: chunk_off is where the
 * current block starts and chunks counts the blocks finished. */
struct sl_snappy {
  int hadoop;             /* 0: framing format; 1: Hadoop blocks */
  struct sl_buf in;       /* a chunk that straddles feed() calls, gathered */
  unsigned char *out;     /* decompressed chunk */
  size_t outsize;
  uint64_t in_total;      /* compressed bytes consumed so far */
  uint64_t chunk_off;     /* compressed offset where the current chunk starts */
  uint64_t chunks;        /* chunks finished */
  uint64_t out_total;     /* decompressed bytes handed to the sink */
  uint64_t sub_off;       /* Hadoop: where the current sub-chunk starts */
  size_t body_len;        /* bytes after the current (sub-)chunk's header */
  size_t skip_left;       /* framing: bytes of a skippable chunk still to pass */
  uint32_t block_left;    /* Hadoop: decompressed bytes the block still owes */
  unsigned char hdr[4];   /* the (sub-)chunk header being gathered */
  unsigned char hdr_len;
  unsigned char phase;    /* header, body or skip (snappy.c) */
  unsigned char in_block; /* Hadoop: a block has started and not ended */
  unsigned char started;  /* framing: the stream identifier was seen */
  unsigned char stopped;  /* the sink asked to stop */
  enum sl_result failed;  /* sticky: later calls return it again */
  char msg[160];
};

enum sl_result sl_snappy_init(struct sl_snappy *s, int hadoop);
void sl_snappy_cleanup(struct sl_snappy *s);
/* Pushes compressed bytes in pieces of any size; each decompressed chunk goes
 * to sink as soon as it is complete (non-zero from sink stops, returning
 * SL_OK, and later input is ignored). SL_E_PARSE with s->msg on corrupt
 * data, SL_E_NOMEM. */
enum sl_result sl_snappy_feed(struct sl_snappy *s, const unsigned char *p, size_t n,
                              sl_snappy_sink sink, void *ctx);
/* SL_E_PARSE with s->msg when the input ended inside a chunk or block.
 * Empty input is a clean, empty stream. */
enum sl_result sl_snappy_finish(struct sl_snappy *s);

#endif
