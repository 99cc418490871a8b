/* unzip.h — the entries of a ZIP archive read front to back as it streams
 * (unzip.c): local headers, stored or deflate data (through inflate.c), data
 * descriptors; the central directory ends the data. Firehose's ZIP objects
 * hold one entry; more are read one after another. Not installed. */
#ifndef SL_UNZIP_H
#define SL_UNZIP_H

#include <stdint.h>

#include "sluice/buf.h"
#include "inflate.h"

struct sl_unzip {
  struct sl_inflate inf;
  unsigned char *out;
  size_t outsize;
  uint64_t in_total;   /* archive bytes consumed */
  uint64_t out_total;  /* entry bytes handed to the sink */
  uint64_t entries;    /* entries finished */
  uint64_t entry_in;   /* where the current entry's local header starts */
  uint64_t entry_out;  /* where its data starts, decompressed */
  uint64_t err_out;    /* decompressed offset the error message is about */
  int state;
  int in_entry;
  int zip64;
  unsigned flags, method;
  uint32_t want_crc, crc;
  uint64_t want_csize, want_usize, csize, usize;
  uint64_t left;       /* bytes left in the current variable-length part */
  size_t have, need;
  unsigned char part[30];
  unsigned char *extra; /* the local header's extra field (up to 64 KiB) */
  char name[72];        /* the entry's name, cut for messages */
  size_t name_len;
  char msg[240];
};

enum sl_result sl_unzip_init(struct sl_unzip *z, size_t outsize, enum sl_inflate_backend b);
void sl_unzip_cleanup(struct sl_unzip *z);
/* SL_E_PARSE with z->msg on corrupt data, SL_E_UNSUPPORTED on an encrypted
 * entry or a method other than stored and deflate. */
enum sl_result sl_unzip_feed(struct sl_unzip *z, const unsigned char *p, size_t n,
                             sl_inflate_sink sink, void *ctx);
/* SL_E_PARSE with z->msg when the archive ended early. */
enum sl_result sl_unzip_finish(struct sl_unzip *z);

#endif
