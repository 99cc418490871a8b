/* jscan_wide.c — the JSON scanner's SIMD paths, chosen at run time
 * (nothing else is built with -mavx2 or -mavx512*): the 64-byte string scan
 * for CPUs with AVX2, where each byte class of a window becomes a 64-bit
 * mask and escapes are resolved inside the masks, so the scan leaves the
 * fast loop only where the byte scanner must look; and the record fast path
 * for CPUs with AVX-512, which finds and checks whole records. */
#include <stdint.h>
#include <string.h>

#include "jscan_wide.h"
#include "dec_record.h"

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

/* ---- the record fast path ---------------------------------------------
 * Two stages over [p, end). The block scan turns each 64-byte block into
 * bitmasks: backslashes resolve into escaped bytes (carried from block to
 * block), unescaped quotes into an in-string mask (a carry-less multiply
 * computes the prefix xor), and every byte a string may not hold (a control
 * character, a bad escape, a \u without four hex digits) stops the scan
 * there. Outside strings it keeps the positions of tokens: structural bytes,
 * opening quotes and the first byte of each number or literal. The token
 * walk then checks the grammar token by token, as the byte scanner would,
 * validating numbers and literals by their bytes. Anything it cannot prove
 * valid goes back to the byte scanner, which reports the exact error. */

#define FAST_TARGET \
  __attribute__((target("avx2,avx512f,avx512bw,avx512vl,avx512vbmi2,pclmul,bmi")))
#define FAST_BLOCKS 16 /* the block scan runs this far ahead of the walk */

/* Carried from one block to the next. */
struct fblocks {
  uint64_t esc;   /* bit 0: the first byte is escaped */
  uint64_t instr; /* all ones: it starts inside a string */
  uint64_t atom;  /* bit 0: the byte before it belongs to a number or literal */
  uint64_t hex;   /* bits 0-3: its bytes that must be hex digits (after \u) */
};

/* Ends a number or a literal: whitespace, a structural byte or a quote. */
static const unsigned char delim[256] = {
  [' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, ['{'] = 1, ['}'] = 1, ['['] = 1, [']'] = 1,
  [':'] = 1, [','] = 1, ['"'] = 1,
};

/* Bytes after a run of an odd number of backslashes, the first byte too
 * when the last block ended with one; *carry says so for the next block. */
static inline uint64_t escaped_from(uint64_t bs, uint64_t *carry)
{
  const uint64_t even = 0x5555555555555555ull;
  uint64_t first = *carry, starts, land_even, sum_odd;
  bs &= ~first; /* an escaped backslash starts no run */
  starts = bs & ~(bs << 1);
  land_even = (bs + (starts & even)) & ~bs;
  *carry = __builtin_add_overflow(bs, starts & ~even, &sum_odd);
  return first | (land_even & ~even) | (sum_odd & ~bs & even);
}

FAST_TARGET static inline uint64_t prefix_xor(uint64_t x)
{
  __m128i v = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x), _mm_set1_epi8(-1), 0);
  return (uint64_t)_mm_cvtsi128_si64(v);
}

#define EQ64(x, c) _mm512_cmpeq_epi8_mask(x, _mm512_set1_epi8(c))
#define LE64(x, k) _mm512_cmple_epu8_mask(x, _mm512_set1_epi8(k))
/* A 16-byte table repeated in the four lanes, for byte shuffles. */
#define TABLE64(...) _mm512_broadcast_i32x4(_mm_setr_epi8(__VA_ARGS__))

/* Where the input ends inside a string: what the byte scanner needs. */
struct fend {
  int in_str, esc, uhex;
};

/* One block of 64 bytes at w, the first n of them data. Returns the token
 * mask; *bad gets the bytes the scan rejects; *e is filled when n < 64. */
FAST_TARGET __attribute__((always_inline)) static inline uint64_t fblock(struct fblocks *s, const unsigned char *w, unsigned n,
                                          uint64_t *bad, struct fend *e)
{
  /* Whitespace is the byte its low nibble picks from ws_t; { } [ ] : , the
   * same on the byte with 0x20 set (folding [ ] onto { }), which also takes
   * 0x0c and 0x1a: those are dropped as control characters. */
  const __m512i ws_t = TABLE64(' ', 0, 0, 0, 0, 0, 0, 0, 0, '\t', '\n', 0, 0, '\r', 0, 0);
  const __m512i sc_t = TABLE64(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ':', '{', ',', '}', 0, 0);
  __m512i x = _mm512_loadu_si512((const void *)w);
  __m512i y = _mm512_or_si512(x, _mm512_set1_epi8(0x20));
  uint64_t bs = EQ64(x, '\\');
  uint64_t q = EQ64(x, '"');
  uint64_t ctl = LE64(x, 0x1f);
  uint64_t ws = _mm512_cmpeq_epi8_mask(x, _mm512_shuffle_epi8(ws_t, x));
  uint64_t sc = _mm512_cmpeq_epi8_mask(y, _mm512_shuffle_epi8(sc_t, y)) & ~ctl;
  uint64_t esc = 0, need = 0, b = 0, realq, instr, atom, tokens;
  uint64_t valid = n < 64 ? ((uint64_t)1 << n) - 1 : ~(uint64_t)0;
  if(bs | s->esc | s->hex) {
    /* The escape tables of not_escape(), and hex digits by range. */
    const __m512i lo_t = TABLE64(0, 0, 13, 0, 8, 8, 4, 0, 0, 0, 0, 0, 2, 0, 4, 1);
    const __m512i hi_t = TABLE64(0, 0, 1, 0, 0, 2, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m512i nib = _mm512_set1_epi8(0x0f);
    __m512i lo = _mm512_shuffle_epi8(lo_t, _mm512_and_si512(x, nib));
    __m512i hi = _mm512_shuffle_epi8(hi_t, _mm512_and_si512(_mm512_srli_epi16(x, 4), nib));
    uint64_t hex = LE64(_mm512_sub_epi8(x, _mm512_set1_epi8('0')), 9) |
                   LE64(_mm512_sub_epi8(y, _mm512_set1_epi8('a')), 5);
    uint64_t u;
    esc = escaped_from(bs, &s->esc);
    u = EQ64(x, 'u') & esc;
    b |= esc & _mm512_testn_epi8_mask(lo, hi);
    need = u << 1 | u << 2 | u << 3 | u << 4 | s->hex;
    s->hex = u >> 60 | u >> 61 | u >> 62 | u >> 63;
    b |= need & ~hex;
  }
  realq = q & ~esc;
  instr = prefix_xor(realq) ^ s->instr;
  s->instr = (uint64_t)((int64_t)instr >> 63);
  b |= ctl & instr & ~realq;
  atom = ~(instr | realq | ws | sc);
  tokens = (sc & ~instr) | (realq & instr) | (atom & ~(atom << 1 | s->atom));
  s->atom = atom >> 63;
  if(n < 64) {
    e->in_str = (int)((instr >> (n - 1)) & 1);
    e->esc = (int)((esc >> n) & 1);
    e->uhex = __builtin_popcountll(((need >> n) | s->hex << (64 - n)) & 0xf);
  }
  *bad = b & valid;
  return tokens & valid;
}

/* Appends the positions of the set bits of m, plus off, to out; may write
 * up to 32 entries past them. */
FAST_TARGET __attribute__((always_inline)) static inline unsigned flatten(uint16_t *out, uint64_t m, uint16_t off)
{
  const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50,
                                       49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36,
                                       35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22,
                                       21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7,
                                       6, 5, 4, 3, 2, 1, 0);
  const __m512i base = _mm512_set1_epi16((short)off);
  unsigned cnt = (unsigned)__builtin_popcountll(m);
  __m512i pos = _mm512_maskz_compress_epi8(m, iota);
  _mm512_storeu_si512((void *)out,
                      _mm512_add_epi16(_mm512_cvtepu8_epi16(_mm512_castsi512_si256(pos)), base));
  if(cnt > 32)
    _mm512_storeu_si512((void *)(out + 32),
                        _mm512_add_epi16(_mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(pos, 1)),
                                         base));
  return cnt;
}

/* The block scan's progress through [base, end). */
struct fscan {
  struct fblocks s;
  struct fend e;
  const unsigned char *base; /* next block */
  const unsigned char *stop; /* the first byte rejected, or end */
  const unsigned char *end;
  unsigned char tail[64];
};

/* Scans up to FAST_BLOCKS blocks from f->base into idx (offsets from the
 * first); returns how many tokens. Kept out of line: the walk's registers
 * are better spent on the walk. */
FAST_TARGET __attribute__((noinline)) static unsigned fill(struct fscan *f, uint16_t *idx)
{
  struct fblocks s = f->s; /* in registers for the loop */
  const unsigned char *base = f->base, *end = f->end;
  unsigned i, n, ntok = 0;
  uint64_t tokens, bad;
  /* Whole blocks before the last one: n is 64, no end state. */
  for(i = 0; i < FAST_BLOCKS && base < f->stop && end - base > 64; i++, base += 64) {
    tokens = fblock(&s, base, 64, &bad, NULL);
    if(bad) {
      unsigned at = (unsigned)_tzcnt_u64(bad);
      tokens &= ((uint64_t)1 << at) - 1;
      f->stop = base + at;
    }
    ntok += flatten(idx + ntok, tokens, (uint16_t)(64 * i));
  }
  if(i < FAST_BLOCKS && base < f->stop) { /* the block that ends at end */
    const unsigned char *w = base;
    n = (unsigned)(end - base);
    if(n < 64) { /* padded with whitespace, which changes no state */
      memset(f->tail, ' ', sizeof(f->tail));
      memcpy(f->tail, base, n);
      w = f->tail;
      tokens = fblock(&s, w, n, &bad, &f->e);
    }
    else {
      tokens = fblock(&s, w, 64, &bad, NULL);
      f->e.in_str = (int)(s.instr & 1); /* the end state is in the carries */
      f->e.esc = (int)(s.esc & 1);
      f->e.uhex = __builtin_popcountll(s.hex);
    }
    if(bad) {
      unsigned at = (unsigned)_tzcnt_u64(bad);
      tokens &= ((uint64_t)1 << at) - 1;
      f->stop = base + at;
    }
    ntok += flatten(idx + ntok, tokens, (uint16_t)(64 * i));
    base += n;
  }
  f->s = s;
  f->base = base;
  return ntok;
}

enum { ATOM_OK, ATOM_BAD, ATOM_CUT };

/* The end of the run of digits at q: sixteen bytes a look, so a number
 * costs no branch per digit. */
FAST_TARGET static inline const unsigned char *digits(const unsigned char *q,
                                                      const unsigned char *end)
{
  while(end - q >= 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
    unsigned other = _mm_cmpgt_epu8_mask(_mm_sub_epi8(x, _mm_set1_epi8('0')), _mm_set1_epi8(9));
    if(other)
      return q + __builtin_ctz(other);
    q += 16;
  }
  while(q < end && (unsigned char)(*q - '0') <= 9)
    q++;
  return q;
}

/* A number or literal starting at t: the grammar the byte scanner checks,
 * up to the delimiter after it. ATOM_CUT when end comes first. */
FAST_TARGET static inline int fatom(const unsigned char *t, const unsigned char *end)
{
  const unsigned char *q = t, *r;
  const char *lit = NULL;
  size_t len = 0;
  switch(*t) {
  case 't': lit = "true"; len = 4; break;
  case 'f': lit = "false"; len = 5; break;
  case 'n': lit = "null"; len = 4; break;
  default: break;
  }
  if(lit) {
    uint32_t want, got;
    if((size_t)(end - t) <= len) /* the delimiter is not here yet */
      return !memcmp(t, lit, (size_t)(end - t)) ? ATOM_CUT : ATOM_BAD;
    memcpy(&want, lit + len - 4, 4); /* the last four letters */
    memcpy(&got, t + len - 4, 4);
    return want == got && delim[t[len]] ? ATOM_OK : ATOM_BAD;
  }
  if(*q == '-')
    q++;
  r = digits(q, end);
  if(r == q || (*q == '0' && r - q > 1)) /* no digits, or a leading zero */
    return r == end ? ATOM_CUT : ATOM_BAD;
  q = r;
  if(q < end && *q == '.') {
    r = digits(++q, end);
    if(r == q)
      return r == end ? ATOM_CUT : ATOM_BAD;
    q = r;
  }
  if(q < end && (*q | 0x20) == 'e') {
    q++;
    if(q < end && (*q == '+' || *q == '-'))
      q++;
    r = digits(q, end);
    if(r == q)
      return r == end ? ATOM_CUT : ATOM_BAD;
    q = r;
  }
  if(q == end)
    return ATOM_CUT;
  return delim[*q] ? ATOM_OK : ATOM_BAD;
}

/* The next token, or a refill of the token list; state is where to come
 * back to. */
#define NEXT(state)                                                     \
  do {                                                                  \
    if(k == ntok) {                                                     \
      st = (state);                                                     \
      goto refill;                                                      \
    }                                                                   \
    t = bb + idx[k++];                                                  \
    c = *t;                                                             \
  } while(0)

FAST_TARGET void sl_jscan_fast(struct sl_decoder *d, const unsigned char *b, const unsigned char *p,
                               const unsigned char *end, struct sl_jfast *out)
{
  struct fscan f;
  uint16_t idx[FAST_BLOCKS * 64 + 32];
  const unsigned char *bb = p, *t = p, *rec = NULL, *done = p;
  const unsigned limit = d->o.max_depth < 64 ? d->o.max_depth : 64;
  enum sl_jstate st = J_TOP;
  unsigned depth = 0, ntok = 0, k = 0;
  uint64_t stack = 0;
  unsigned char c;

  memset(out, 0, sizeof(*out));
  memset(&f, 0, sizeof(f));
  f.base = p;
  f.stop = f.end = end;
  goto refill;

top:
  NEXT(J_TOP);
  if(c != '{' && c != '[') {
    out->p = t; /* a top-level scalar or an error: the byte scanner's */
    goto leave;
  }
  rec = t;
open:
  if(depth == limit)
    goto bail;
  if(c == '{')
    stack |= (uint64_t)1 << depth;
  else
    stack &= ~((uint64_t)1 << depth);
  depth++;
  if(c == '[')
    goto arr_first;
obj_first:
  NEXT(J_OBJ_FIRST);
  if(c == '"')
    goto colon;
  if(c == '}')
    goto close;
  goto bail;
obj_key:
  NEXT(J_OBJ_KEY);
  if(c != '"')
    goto bail;
colon:
  NEXT(J_COLON);
  if(c != ':')
    goto bail;
value:
  NEXT(J_VALUE);
value_c:
  if(c == '"')
    goto after;
  if(c == '{' || c == '[')
    goto open;
  if(delim[c]) /* } ] : , */
    goto bail;
  switch(fatom(t, end)) {
  case ATOM_OK:
    break;
  case ATOM_CUT: /* the byte scanner reads it across the chunk boundary */
    st = J_VALUE;
    out->p = t;
    goto hand_over;
  default:
    goto bail;
  }
after:
  NEXT(J_AFTER);
  if(c == ',') {
    if((stack >> (depth - 1)) & 1)
      goto obj_key;
    goto value;
  }
  if(c != '}' && c != ']')
    goto bail;
close:
  if(((stack >> (depth - 1)) & 1) != (c == '}'))
    goto bail;
  if(--depth)
    goto after;
  sl_dec_record_begin(d, d->pos + (uint64_t)(rec - b));
  sl_dec_record_end(d, (const char *)rec, (const char *)t + 1, SL_RECORD_JSON);
  d->fast_records++;
  rec = NULL;
  done = t + 1;
  if(d->stopped) {
    out->p = done;
    goto leave;
  }
  goto top;
arr_first:
  NEXT(J_ARR_FIRST);
  if(c == ']')
    goto close;
  goto value_c;

refill:
  if(f.base >= f.stop) {
    if(f.stop < end) /* the block scan rejected a byte: the byte scanner reports it */
      goto bail;
    out->p = end;
    if(!rec)
      goto leave;
    if(f.e.in_str) { /* the last token opened a string */
      out->key = st == J_COLON;
      out->uhex = f.e.uhex;
      st = f.e.esc ? J_ESC : f.e.uhex ? J_UHEX : J_STR;
    }
    goto hand_over;
  }
  bb = f.base;
  k = 0;
  ntok = fill(&f, idx);
  switch(st) {
  case J_TOP: goto top;
  case J_OBJ_FIRST: goto obj_first;
  case J_OBJ_KEY: goto obj_key;
  case J_COLON: goto colon;
  case J_VALUE: goto value;
  case J_ARR_FIRST: goto arr_first;
  default: goto after;
  }

bail: /* the byte scanner takes the record from its start */
  out->p = rec ? rec : done;
  rec = NULL;
  st = J_TOP;
  goto leave;
hand_over:
  out->rec = rec;
  out->st = st;
  out->depth = depth;
  out->stack = stack;
leave:
  out->seen = f.base;
}
#undef NEXT
#undef EQ64
#undef LE64
#undef TABLE64
#undef EQ
#undef LE

#endif
