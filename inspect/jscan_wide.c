/* jscan_wide.c — the JSON scanner's 64-byte string scan for CPUs with
 * AVX2 (chosen at run time; nothing else is built with -mavx2): each byte
 * class of a window becomes a 64-bit mask, and escapes are resolved inside
 * the masks, so the scan leaves the fast loop only where the byte scanner
 * must look. */
#include <stdint.h>
#include <string.h>

#include "decode_internal.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* The 64-byte string scan. A window is 64 bytes from a position where the
 * scanner is in a string and not inside an escape; each byte class becomes a
 * 64-bit mask, bit i for byte i. */
#define WIDE_TARGET __attribute__((target("avx2")))

WIDE_TARGET static inline uint64_t mask64(__m256i lo, __m256i hi)
{
  return (uint32_t)_mm256_movemask_epi8(lo) | (uint64_t)(uint32_t)_mm256_movemask_epi8(hi) << 32;
}

/* Bytes equal to c. */
#define EQ(x, c) _mm256_cmpeq_epi8(x, _mm256_set1_epi8(c))
/* Bytes at most k (unsigned). */
#define LE(x, k) _mm256_cmpeq_epi8(_mm256_min_epu8(x, _mm256_set1_epi8(k)), x)

/* Bytes that may not follow a backslash: not one of " \ / b f n r t u. Two
 * nibble lookups: the high nibble picks a group (2x, 5x, 6x, 7x), the low
 * nibble says which groups it completes. */
WIDE_TARGET static inline __m256i not_escape(__m256i x)
{
  const __m256i lo_tbl = _mm256_setr_epi8(0, 0, 13, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1,
                                          0, 0, 13, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1);
  const __m256i hi_tbl = _mm256_setr_epi8(0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0,
                                          0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nib = _mm256_set1_epi8(0x0f);
  __m256i lo = _mm256_shuffle_epi8(lo_tbl, _mm256_and_si256(x, nib));
  __m256i hi = _mm256_shuffle_epi8(hi_tbl, _mm256_and_si256(_mm256_srli_epi16(x, 4), nib));
  return _mm256_cmpeq_epi8(_mm256_and_si256(lo, hi), _mm256_setzero_si256());
}

/* Bytes that are hex digits. */
WIDE_TARGET static inline __m256i hex_digit(__m256i x)
{
  __m256i d = _mm256_sub_epi8(x, _mm256_set1_epi8('0'));
  __m256i l = _mm256_sub_epi8(_mm256_or_si256(x, _mm256_set1_epi8(0x20)), _mm256_set1_epi8('a'));
  return _mm256_or_si256(LE(d, 9), LE(l, 5));
}

/* Bytes escaped by a backslash: those after a run of an odd number of
 * backslashes (the window starts outside any escape). Adding a run's lowest
 * bit carries past its top: the carry lands just after the run, and the run
 * is odd when it starts and lands on positions of different parity. *out is
 * set when byte 64, the next window's first, is escaped. */
static inline uint64_t escaped(uint64_t bs, int *out)
{
  const uint64_t even = 0x5555555555555555ull;
  uint64_t starts = bs & ~(bs << 1), from_odd;
  uint64_t land_even = (bs + (starts & even)) & ~bs;
  *out = __builtin_add_overflow(bs, starts & ~even, &from_odd);
  return (land_even & ~even) | (from_odd & ~bs & even);
}

/* One window of n <= 64 bytes at w (zero-padded to 64) that holds a
 * backslash: the offset the byte scanner must look at next, in a state it
 * can resume, which is the closing quote or control character that ends the
 * plain run, the backslash of an invalid escape or of one cut by the window
 * end, or n when all n bytes are plain string content and whole escapes. */
WIDE_TARGET static unsigned window_escapes(const unsigned char *w, unsigned n)
{
  __m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)w);
  __m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(w + 32));
  int esc_out;
  uint64_t bs = mask64(EQ(lo, '\\'), EQ(hi, '\\'));
  uint64_t esc = escaped(bs, &esc_out);
  uint64_t quote = mask64(EQ(lo, '"'), EQ(hi, '"')) & ~esc;
  uint64_t ctl = mask64(LE(lo, 0x1f), LE(hi, 0x1f));
  uint64_t u = mask64(EQ(lo, 'u'), EQ(hi, 'u')) & esc;
  uint64_t bad_esc = mask64(not_escape(lo), not_escape(hi)) & esc;
  uint64_t need_hex = u << 1 | u << 2 | u << 3 | u << 4;
  uint64_t bad_hex = need_hex & ~mask64(hex_digit(lo), hex_digit(hi));
  uint64_t stop = quote | ctl | bad_esc | bad_hex, late;
  unsigned limit = n, t;
  /* An escape cut by the window's end is left to the byte scanner, from its
   * backslash. */
  if(n < 64 ? (int)((esc >> n) & 1) : esc_out)
    limit = n - 1;
  /* A \u whose four digits do not all lie before limit is left to the byte
   * scanner too, from its backslash. Lowering limit can cut an earlier \u
   * ("\u\ud83" at a window end: the second \u is cut, and the first one's
   * digits run into it), so repeat until none is cut. */
  for(;;) {
    late = limit > 4 ? u >> (limit - 4) << (limit - 4) : u;
    if(!late || (unsigned)__builtin_ctzll(late) - 1 >= limit)
      break;
    limit = (unsigned)__builtin_ctzll(late) - 1;
  }
  if(!stop)
    return limit;
  t = (unsigned)__builtin_ctzll(stop);
  if(t >= limit)
    return limit;
  if((bad_esc >> t) & 1)
    return t - 1;
  if((bad_hex >> t) & 1) /* the \u this digit belongs to is the last one before it */
    return 63u - (unsigned)__builtin_clzll(u & (((uint64_t)1 << t) - 1)) - 1;
  return t;
}

/* Like string_run, 64 bytes at a time: the first byte at or after p that the
 * byte scanner must handle, or end. Windows without a backslash only look
 * for the closing quote or a control character. */
WIDE_TARGET const unsigned char *sl_jscan_string_run_wide(const unsigned char *p,
                                                          const unsigned char *end)
{
  unsigned char tail[64];
  for(;;) {
    const unsigned char *w = p;
    unsigned n = 64, off;
    uint64_t stop;
    __m256i lo, hi;
    if(end - p < 64) {
      if(p == end)
        return p;
      n = (unsigned)(end - p);
      memset(tail, 0, sizeof(tail));
      memcpy(tail, p, n);
      w = tail;
    }
    lo = _mm256_loadu_si256((const __m256i *)(const void *)w);
    hi = _mm256_loadu_si256((const __m256i *)(const void *)(w + 32));
    stop = mask64(_mm256_or_si256(_mm256_or_si256(EQ(lo, '"'), EQ(lo, '\\')), LE(lo, 0x1f)),
                  _mm256_or_si256(_mm256_or_si256(EQ(hi, '"'), EQ(hi, '\\')), LE(hi, 0x1f)));
    if(!stop) {
      p += 64;
      continue;
    }
    off = (unsigned)__builtin_ctzll(stop);
    if(w[off] != '\\')
      return p + (off < n ? off : n);
    /* Escapes: a new window from the first backslash resolves them. */
    p += off;
    if(w == tail) {
      n -= off;
      memmove(tail, tail + off, n);
      memset(tail + n, 0, 64 - n);
    }
    else if(end - p < 64) {
      n = (unsigned)(end - p);
      memset(tail, 0, sizeof(tail));
      memcpy(tail, p, n);
      w = tail;
    }
    else
      w = p;
    off = window_escapes(w, n);
    if(off < n || n < 64)
      return p + off;
    p += 64;
  }
}
#undef EQ
#undef LE

#endif
