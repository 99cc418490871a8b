/* decode_internal.h — the decoder's state, shared by decode.c (compression,
 * format choice, record assembly), jscan.c (JSON boundary scanner) and
 * gunzip.c. Not installed. */
#ifndef SL_DECODE_INTERNAL_H
#define SL_DECODE_INTERNAL_H

#include <stdint.h>

#include "sluice/decode.h"

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

  /* compression sniffing and gzip */
  unsigned char hdr[16];
  size_t hdr_len;
  struct sl_gunzip gz;
  int gz_on;

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

/* decode.c, for the scanners. A record's bytes in this chunk start at start
 * (the chunk itself when the record is spanning). */
void sl_dec_record_begin(struct sl_decoder *d, uint64_t off);
void sl_dec_record_end(struct sl_decoder *d, const char *start, const char *end, int kind);
void sl_dec_record_hold(struct sl_decoder *d, const char *start, const char *end, int kind);
void sl_dec_record_drop(struct sl_decoder *d);
void sl_dec_record_abort(struct sl_decoder *d);
void sl_dec_error(struct sl_decoder *d, uint64_t off, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* jscan.c */
void sl_jscan_reset(struct sl_decoder *d);
void sl_jscan(struct sl_decoder *d, const char *buf, size_t n);
void sl_jscan_finish(struct sl_decoder *d, int clean);
/* For tests: 0 makes the decoder scan strings with the portable code even on
 * a CPU with AVX2; non-zero restores the default. Returns whether the wide
 * scan is in use afterwards. */
int sl_jscan_set_wide(struct sl_decoder *d, int on);
#if defined(__x86_64__) && defined(__GNUC__)
/* jscan_wide.c (AVX2 only; the caller checks the CPU): the first byte at or
 * after p inside a string that the byte scanner must handle, or end. */
const unsigned char *sl_jscan_string_run_wide(const unsigned char *p, const unsigned char *end)
  __attribute__((target("avx2")));

/* What the record fast path hands back to the byte scanner: where to go on
 * and in which state. rec is the start of a record it leaves in progress
 * (NULL when it stops at top level); depth and stack (levels 0..63) are that
 * record's, key and uhex as in struct sl_decoder. */
struct sl_jfast {
  const unsigned char *p, *rec, *seen; /* seen: end of the bytes it looked at */
  enum sl_jstate st;
  unsigned depth;
  uint64_t stack;
  int key, uhex;
};
/* jscan_wide.c (AVX-512 BW, VL and VBMI2, PCLMUL, BMI; the caller checks the
 * CPU): from p, at
 * top level, delivers the objects and arrays of [p, end) it can prove valid
 * and stops at anything else: the byte scanner rescans a record with an
 * error from its start, and takes over a record cut by end where it is. */
void sl_jscan_fast(struct sl_decoder *d, const unsigned char *b, const unsigned char *p,
                   const unsigned char *end, struct sl_jfast *out)
  __attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vbmi2,pclmul,bmi")));
#endif

#endif
