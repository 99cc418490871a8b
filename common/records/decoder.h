/* decoder.h — the decoder's state, types only: decode.c (compression,
 * format choice), dec_record.c (record assembly) and the JSON scanners
 * (jscan.c, jscan_wide.c) all work on it. Not installed. */
#ifndef SL_DECODER_H
#define SL_DECODER_H

#include <stdint.h>

#include "sluice/decode.h"
#include "gunzip.h"
#include "unzip.h"
#include "snappy.h"
#include "dec_pipe.h"

/* Where the JSON scanner is: between records, in a structural position, in a
 * string, number or literal, past the depth limit, or resynchronizing. */
enum sl_jstate {
  J_TOP, J_OBJ_FIRST, J_OBJ_KEY, J_COLON, J_VALUE, J_ARR_FIRST, J_AFTER, /* structural */
  J_STR, J_ESC, J_UHEX,
  J_MINUS, J_ZERO, J_INT, J_DOT, J_FRAC, J_EXP_MARK, J_EXP_SIGN, J_EXP, /* numbers */
  J_LIT, J_SCALAR_END,
  J_SKIM, J_SKIM_STR, J_SKIM_ESC,
  J_RESYNC
};

struct sl_decoder {
  struct sl_decoder_options o;
  struct sl_decoder_stats st;
  enum sl_result fail; /* sticky: input is ignored once set */
  int stopped;         /* on_record asked to stop */
  int finished;        /* sl_decoder_finish was called */

  /* compression sniffing, then the one decompressor in use */
  unsigned char hdr[16];
  size_t hdr_len;
  int codec;           /* CODEC_* in decode.c; 0: none, bytes are data */
  enum sl_inflate_backend inflate_backend; /* tests compare ISA-L with zlib */
  size_t codec_held;   /* the decompressor's buffers, for peak_buffer */
  struct sl_gunzip gz;
  struct sl_unzip zip;
  struct sl_snappy sn;
  struct sl_dec_pipe *pipe; /* options.pipeline: the codec runs on its thread */

  /* auto format: decompressed bytes kept until the first line is judged */
  struct sl_buf sniff;
  int trial;           /* the JSON scanner only judges, delivers nothing */
  int trial_failed;
  uint64_t trial_records;

  /* the record in progress */
  uint64_t pos;        /* decompressed offset of the current chunk */
  uint64_t rec_off;
  int in_rec;
  int spanning;        /* its head is in rec (it began in an earlier chunk) */
  int drop;            /* already reported as bad: its bytes are not kept */
  struct sl_buf rec;

  /* JSON scanner */
  enum sl_jstate js;
  unsigned depth;
  uint64_t skim_depth; /* levels open beyond max_depth */
  int str_key;         /* the string being scanned is an object key */
  int uhex;            /* \u hex digits still expected */
  const char *lit;     /* rest of the literal being matched */
  uint64_t stack[SL_DECODER_MAX_DEPTH_LIMIT / 64]; /* bit set: object */
  int portable;        /* tests: no AVX2 string scan even where the CPU has it */
  uint64_t fast_from;  /* the record fast path is not tried before this offset */
  uint64_t fast_wait;  /* how far the last unproductive try pushed fast_from */
  int fast_ok;         /* the byte scanner delivered a record since the last such try */
  uint64_t fast_records; /* delivered by the fast path (tests look) */

  char msg[256];
};

#endif
