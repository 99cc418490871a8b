/* jscan.c — finds where each JSON value of a concatenated stream ends,
 * without building it: a pushdown scanner that checks the grammar (so a cut
 * record is noticed where the next one starts), keeps the container types up
 * to max_depth in a bit stack, classifies bytes through tables, and skips
 * string bodies sixteen (SSE2) or eight bytes at a time; on a CPU with AVX2,
 * 64 bytes at a time, checking escapes inside each 64-byte window with
 * bitmasks instead of leaving the fast loop for every backslash. On a CPU
 * with AVX-512 (BW, VL, VBMI2), objects and arrays between records go to the
 * record fast path (jscan_wide.c), which checks the same grammar on bitmasks
 * and a token list and hands anything else back to this scanner.
 *
 * Errors and resynchronization: on a grammar error the record in progress is
 * reported and dropped, and scanning resumes at the first '{', '[' or '\n'
 * at or after the offending byte. Nothing is ever rescanned from an earlier
 * position, so each byte is examined at most three times here, plus once by
 * the fast path for a record it gives back (bounded by fast_backoff), and the
 * total is linear. A record nested deeper than max_depth is reported, then skimmed
 * (strings and brackets only) to its end and dropped; the records after it
 * survive. Raw control characters inside strings are errors, as in RFC 8259
 * (an unescaped newline in a string is how a cut NDJSON line shows). */
#include <stdio.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_WIDE 1
#endif

#include "jscan.h"
#include "jscan_tables.h"
#include "dec_record.h"
#include "jscan_wide.h"

void sl_jscan_reset(struct sl_decoder *d)
{
  sl_jscan_tables_init();
  d->js = J_TOP;
  d->depth = 0;
  d->skim_depth = 0;
  d->str_key = 0;
  d->uhex = 0;
  d->lit = NULL;
  d->fast_from = 0;
  d->fast_wait = 0;
  d->fast_ok = 0;
}

int sl_jscan_set_wide(struct sl_decoder *d, int on)
{
  sl_jscan_tables_init();
  d->portable = !on;
  return on && sl_jscan_cpu_wide;
}

/* First byte at or after p that ends a run of plain string bytes ('"', '\\'
 * or a control character), or end. Eight bytes per step where the byte order
 * lets the lowest flagged byte be the first match. */
static inline const unsigned char *string_run(const unsigned char *p, const unsigned char *end)
{
#if defined(__SSE2__) && defined(__GNUC__)
  /* Sixteen at a time: '"', '\\', or at most 0x1f (unsigned max trick). */
  const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
  const __m128i ctl = _mm_set1_epi8(0x1f);
#define STOPS(x) _mm_movemask_epi8(_mm_or_si128(                              \
    _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),           \
    _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl)))
  while(end - p >= 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    unsigned mask = (unsigned)STOPS(x);
    if(mask)
      return p + __builtin_ctz(mask);
    p += 16;
  }
#undef STOPS
#endif
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  while(end - p >= 8) {
    uint64_t w, q, b, t;
    memcpy(&w, p, 8);
    q = w ^ (ones * '"');
    b = w ^ (ones * '\\');
    /* "has a zero byte" for q and b, "has a byte < 0x20" for w; a borrow only
     * runs upward from a real match, so the lowest flag is exact. */
    t = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
    t &= highs;
    if(t)
      return p + (__builtin_ctzll(t) >> 3);
    p += 8;
  }
#endif
  while(p < end && !sl_jscan_strstop[*p])
    p++;
  return p;
}

#ifdef HAVE_WIDE
/* Most strings (keys, short values) end within 32 bytes without an escape:
 * that case stays inline, the rest goes to the wide scan. */
static inline const unsigned char *string_run_short(const unsigned char *p,
                                                    const unsigned char *end)
{
  const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\');
  const __m128i ctl = _mm_set1_epi8(0x1f);
  int i;
#define STOPS(x) _mm_movemask_epi8(_mm_or_si128(                              \
    _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),           \
    _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl)))
  for(i = 0; i < 2 && end - p >= 16; i++) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    unsigned mask = (unsigned)STOPS(x);
    if(mask) {
      if(p[__builtin_ctz(mask)] != '\\')
        return p + __builtin_ctz(mask);
      break;
    }
    p += 16;
  }
#undef STOPS
  return sl_jscan_string_run_wide(p, end);
}
#endif

#ifdef HAVE_WIDE
/* The record fast path reads ahead of where it stops. It is tried once the
 * byte scanner has delivered a record (so garbage costs no reading ahead),
 * and after a try that got through fewer bytes than it read past them (a
 * top-level scalar, an error) the byte scanner goes on alone for a while,
 * longer each time, and until it delivers a record again. */
static void fast_backoff(struct sl_decoder *d, uint64_t got, uint64_t ahead, uint64_t at)
{
  if(got >= ahead) {
    d->fast_wait = 0;
    return;
  }
  d->fast_ok = 0;
  d->fast_wait = d->fast_wait ? d->fast_wait * 2 : 256;
  if(d->fast_wait > 64 * 1024)
    d->fast_wait = 64 * 1024;
  d->fast_from = at + ahead + d->fast_wait;
}
#endif

static const char *describe(unsigned char c, char *tmp, size_t n)
{
  if(c >= 0x20 && c < 0x7f)
    snprintf(tmp, n, "'%c'", c);
  else
    snprintf(tmp, n, "byte 0x%02x", c);
  return tmp;
}

/* Begins a record at p when at top level. */
#define BEGIN_AT_TOP()                                                  \
  do {                                                                  \
    if(!depth) {                                                        \
      if(!d->trial)                                                     \
        sl_dec_record_begin(d, d->pos + (uint64_t)(p - b));             \
      d->in_rec = 1;                                                    \
      rs = p;                                                           \
    }                                                                   \
  } while(0)
#define SKIP_WS() while(p < end && sl_jscan_cls[*p] == K_WS) p++
#define IS_OBJECT(lvl) ((d->stack[(lvl) >> 6] >> ((lvl) & 63)) & 1)
/* Leaves the scanner at the chunk's end, remembering the state. */
#define SUSPEND(state) do { st = (state); goto out; } while(0)

/* Direct-threaded: each state is a label and a transition is a jump, so the
 * common path ("key":"value",) never goes back through a dispatch. A chunk
 * boundary saves the state; the switch below only re-enters it. */
void sl_jscan(struct sl_decoder *d, const char *buf, size_t n)
{
  const unsigned char *b = (const unsigned char *)buf, *p = b, *end = b + n;
  const unsigned char *rs = b; /* first byte of the record in this chunk */
  enum sl_jstate st = d->js;
  unsigned depth = d->depth, max_depth = d->o.max_depth;
  int key = d->str_key, uhex = d->uhex;
  const char *lit = d->lit;
  uint64_t redo = 0;           /* bytes looked at twice */
  const char *why = NULL;
#ifdef HAVE_WIDE
  const int wide = sl_jscan_cpu_wide && !d->portable;
  const int fast = wide && sl_jscan_cpu_fast && !d->trial;
#endif
  char tmp[32];
  unsigned char c;

dispatch:
  switch(st) {
  case J_TOP: goto s_top;
  case J_OBJ_FIRST: goto s_obj_first;
  case J_OBJ_KEY: goto s_obj_key;
  case J_COLON: goto s_colon;
  case J_VALUE: goto s_value;
  case J_ARR_FIRST: goto s_arr_first;
  case J_AFTER: goto s_after;
  case J_STR: goto s_str;
  case J_ESC: goto s_esc;
  case J_UHEX: goto s_uhex;
  case J_LIT: goto s_lit;
  case J_SCALAR_END: goto s_scalar_end;
  case J_SKIM: goto s_skim;
  case J_SKIM_STR: goto s_skim_str;
  case J_SKIM_ESC: goto s_skim_esc;
  case J_RESYNC: goto s_resync;
  default: goto s_num; /* the number states */
  }

s_top:
#ifdef HAVE_WIDE
  if(fast && d->fast_ok && p < end && d->pos + (uint64_t)(p - b) >= d->fast_from) {
    const unsigned char *from = p;
    struct sl_jfast f;
    sl_jscan_fast(d, b, p, end, &f);
    p = f.p;
    redo += (uint64_t)(f.seen - p);
    fast_backoff(d, (uint64_t)(p - from), (uint64_t)(f.seen - p), d->pos + (uint64_t)(p - b));
    if(d->stopped)
      SUSPEND(J_TOP);
    if(f.rec) { /* a record cut by the chunk's end goes on from here */
      sl_dec_record_begin(d, d->pos + (uint64_t)(f.rec - b));
      d->in_rec = 1;
      rs = f.rec;
      st = f.st;
      depth = f.depth;
      d->stack[0] = f.stack;
      key = f.key;
      uhex = f.uhex;
      goto dispatch;
    }
  }
#endif
  SKIP_WS();
  if(p == end)
    SUSPEND(J_TOP);
  st = J_TOP;
  c = *p;
  if(sl_jscan_cls[c] != K_LBRACE && sl_jscan_cls[c] != K_LBRACK && sl_jscan_cls[c] != K_QUOTE && sl_jscan_cls[c] != K_NUM &&
     sl_jscan_cls[c] != K_LIT)
    goto unexpected;
  BEGIN_AT_TOP();
  goto value_start;

s_value:
  if(p < end && *p == '"') { /* the usual "key":"value" */
    p++;
    key = 0;
    goto s_str;
  }
  SKIP_WS();
  if(p == end)
    SUSPEND(J_VALUE);
  st = J_VALUE;
value_start:
  c = *p;
  if(c == '"') { /* most values are strings: no class lookup */
    p++;
    key = 0;
    goto s_str;
  }
  switch(sl_jscan_cls[c]) {
  case K_LBRACE:
  case K_LBRACK:
    if(depth == max_depth)
      goto too_deep;
    if(c == '{')
      d->stack[depth >> 6] |= (uint64_t)1 << (depth & 63);
    else
      d->stack[depth >> 6] &= ~((uint64_t)1 << (depth & 63));
    depth++;
    p++;
    if(c == '{')
      goto s_obj_first;
    goto s_arr_first;
  case K_NUM:
    st = c == '-' ? J_MINUS : c == '0' ? J_ZERO : J_INT;
    p++;
    goto s_num;
  case K_LIT:
    lit = c == 't' ? "rue" : c == 'f' ? "alse" : "ull";
    p++;
    goto s_lit;
  default:
    goto unexpected;
  }

s_arr_first:
  SKIP_WS();
  if(p == end)
    SUSPEND(J_ARR_FIRST);
  st = J_ARR_FIRST;
  if(*p == ']')
    goto close;
  goto value_start;

s_obj_first:
  SKIP_WS();
  if(p == end)
    SUSPEND(J_OBJ_FIRST);
  st = J_OBJ_FIRST;
  c = *p;
  if(c == '}')
    goto close;
  if(c != '"')
    goto unexpected;
  p++;
  key = 1;
  goto s_str;

s_obj_key:
  SKIP_WS();
  if(p == end)
    SUSPEND(J_OBJ_KEY);
  if(*p != '"') {
    st = J_OBJ_KEY;
    goto unexpected;
  }
  p++;
  key = 1;
  goto s_str;

s_colon:
  if(p < end && *p == ':') { /* the usual "key": */
    p++;
    goto s_value;
  }
  SKIP_WS();
  if(p == end)
    SUSPEND(J_COLON);
  if(*p != ':') {
    st = J_COLON;
    goto unexpected;
  }
  p++;
  goto s_value;

s_after:
  SKIP_WS();
  if(p == end)
    SUSPEND(J_AFTER);
  c = *p;
  if(c == ',') {
    p++;
    if(!IS_OBJECT(depth - 1))
      goto s_value;
    if(p < end && *p == '"') { /* the usual ,"key" */
      p++;
      key = 1;
      goto s_str;
    }
    goto s_obj_key;
  }
  if(c == '}' || c == ']')
    goto close;
  st = J_AFTER;
  goto unexpected;

close:
  c = *p;
  if(IS_OBJECT(depth - 1) != (c == '}')) {
    why = "mismatched closing bracket";
    goto error;
  }
  p++;
  if(--depth)
    goto s_after;
  goto record_done;

s_str:
#ifdef HAVE_WIDE
  if(wide)
    p = string_run_short(p, end);
  else
#endif
    p = string_run(p, end);
  if(p == end)
    SUSPEND(J_STR);
  c = *p;
  if(c == '"') {
    p++;
    if(key)
      goto s_colon;
    if(depth)
      goto s_after;
    goto record_done;
  }
  if(c != '\\') {
    why = "control character inside a string";
    goto error;
  }
  p++;
s_esc:
  if(p == end)
    SUSPEND(J_ESC);
  c = *p;
  if(!sl_jscan_escape[c]) {
    why = "bad escape in string";
    goto error;
  }
  p++;
  if(c != 'u')
    goto s_str;
  uhex = 4;
s_uhex:
  for(; uhex; uhex--, p++) {
    if(p == end)
      SUSPEND(J_UHEX);
    if(!sl_jscan_hexdig[*p]) {
      why = "bad \\u escape in string";
      goto error;
    }
  }
  goto s_str;

s_num:
  for(;;) {
    unsigned char nx;
    if(st == J_INT || st == J_FRAC || st == J_EXP) /* runs of digits */
      while(p < end && (unsigned char)(*p - '0') < 10)
        p++;
    if(p == end)
      goto out; /* st holds the number state */
    nx = sl_jscan_numnext[st][sl_jscan_numcls[*p]];
    if(nx == N_ERR) {
      why = "malformed number";
      goto error;
    }
    if(nx == N_END)
      break;
    st = (enum sl_jstate)nx;
    p++;
  }
  redo++; /* the delimiter is looked at again */
  if(depth)
    goto s_after;
  goto record_done;

s_lit:
  for(; *lit; lit++, p++) {
    if(p == end)
      SUSPEND(J_LIT);
    if(*p != (unsigned char)*lit) {
      why = "malformed literal (true, false or null)";
      goto error;
    }
  }
  if(depth)
    goto s_after;
s_scalar_end:
  /* A top-level literal ends only at whitespace or a structural byte. */
  if(p == end)
    SUSPEND(J_SCALAR_END);
  if(!K_IS_DELIM(sl_jscan_cls[*p])) {
    why = "malformed literal (true, false or null)";
    goto error;
  }
  redo++;
  goto record_done;

too_deep:
  /* Report once, then skim to the end of the value opened here. */
  if(!d->trial && !d->drop) { /* a record already dropped was reported */
    sl_dec_error(d, d->pos + (uint64_t)(p - b),
                 "nesting deeper than %u levels, record at %llu skipped", max_depth,
                 (unsigned long long)d->rec_off);
    sl_dec_record_drop(d);
  }
  d->skim_depth = 1;
  p++;
s_skim:
  while(p < end) {
    c = *p++;
    if(c == '"')
      goto s_skim_str;
    if(c == '{' || c == '[')
      d->skim_depth++;
    else if((c == '}' || c == ']') && !--d->skim_depth)
      goto s_after; /* closed the value opened at max_depth */
  }
  SUSPEND(J_SKIM);
s_skim_str:
  while(p < end && *p != '"' && *p != '\\')
    p++;
  if(p == end)
    SUSPEND(J_SKIM_STR);
  if(*p++ == '"')
    goto s_skim;
s_skim_esc:
  if(p == end)
    SUSPEND(J_SKIM_ESC);
  p++;
  goto s_skim_str;

record_done:
  /* The record ends just before p. */
  d->in_rec = 0;
  if(d->trial)
    d->trial_records++;
  else {
    d->fast_ok = 1;
    sl_dec_record_end(d, (const char *)(d->spanning ? b : rs), (const char *)p,
                      SL_RECORD_JSON);
    if(d->stopped)
      SUSPEND(J_TOP);
  }
  goto s_top;

unexpected:
  /* st tells which structural state was looking at *p. */
  c = *p;
  if(st == J_TOP && (c == '}' || c == ']'))
    why = "closing bracket without an opening one";
  else {
    snprintf(d->msg, sizeof(d->msg), "unexpected %s, expected %s",
             describe(c, tmp, sizeof(tmp)), sl_jscan_expected[st]);
    why = d->msg;
  }
error:
  if(d->trial) {
    d->trial_failed = 1;
    SUSPEND(J_RESYNC);
  }
  /* One error per record: one already dropped (too large, held across
   * chunks) was reported, and whether it was depends on chunk boundaries. */
  if(d->in_rec && !d->drop)
    sl_dec_error(d, d->pos + (uint64_t)(p - b), "%s (record at %llu dropped)", why,
                 (unsigned long long)d->rec_off);
  else if(!d->in_rec)
    sl_dec_error(d, d->pos + (uint64_t)(p - b), "%s", why);
  sl_dec_record_abort(d);
  depth = 0;
  d->skim_depth = 0;
  redo++; /* the offending byte is looked at again below */
s_resync:
  while(p < end && !sl_jscan_resync[*p])
    p++;
  if(p == end)
    SUSPEND(J_RESYNC);
  if(*p == '\n')
    p++;
  else
    redo++;
  goto s_top;

out:
  if(d->in_rec && p == end && !d->trial)
    sl_dec_record_hold(d, (const char *)(d->spanning ? b : rs), (const char *)end,
                       SL_RECORD_JSON);
  d->js = st;
  d->depth = depth;
  d->str_key = key;
  d->uhex = uhex;
  d->lit = lit;
  d->st.scan_steps += (uint64_t)(p - b) + redo;
}

/* End of input: with clean data a number or literal at top level is complete
 * here; anything else open is a truncated record. */
void sl_jscan_finish(struct sl_decoder *d, int clean)
{
  enum sl_jstate st = d->js;
  if(d->in_rec && clean && !d->depth &&
     (st == J_ZERO || st == J_INT || st == J_FRAC || st == J_EXP || st == J_SCALAR_END)) {
    d->in_rec = 0;
    sl_dec_record_end(d, "", "", SL_RECORD_JSON);
  }
  else if(d->in_rec) {
    if(!d->drop)
      sl_dec_error(d, d->rec_off, "truncated record at end of %s (record at %llu dropped)",
                   clean ? "object" : "data", (unsigned long long)d->rec_off);
    sl_dec_record_abort(d);
  }
  d->js = J_TOP;
  d->depth = 0;
}
