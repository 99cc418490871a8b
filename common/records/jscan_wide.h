/* jscan_wide.h — the AVX2 string scan and the AVX-512 record fast path
 * (jscan_wide.c). Not installed. */
#ifndef SL_JSCAN_WIDE_H
#define SL_JSCAN_WIDE_H

#include "decoder.h"

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
