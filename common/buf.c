/* buf.c — results, errors, bounded buffers, views, header lists, encodings. */
#include "sluice/buf.h"
#include "common/buf_internal.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

static volatile sig_atomic_t interrupted;

void sl_interrupt(int signo)
{
  interrupted = signo ? signo : -1;
}

int sl_interrupted(void)
{
  return (int)interrupted;
}

void sl_interrupt_reset(void)
{
  interrupted = 0;
}

const char *sl_strresult(enum sl_result r)
{
  switch(r) {
  case SL_OK: return "ok";
  case SL_E_NOMEM: return "out of memory";
  case SL_E_TOO_LARGE: return "size limit exceeded";
  case SL_E_INVALID: return "invalid input";
  case SL_E_PARSE: return "parse error";
  case SL_E_IO: return "I/O error";
  case SL_E_NETWORK: return "network error";
  case SL_E_TIMEOUT: return "timed out";
  case SL_E_AWS: return "AWS error";
  case SL_E_CREDENTIALS: return "credentials error";
  case SL_E_CONFIG: return "configuration error";
  case SL_E_NOT_FOUND: return "not found";
  case SL_E_UNSUPPORTED: return "not supported";
  case SL_E_INTERNAL: return "internal error";
  case SL_E_INTERRUPTED: return "interrupted";
  }
  return "unknown error";
}

void sl_error_clear(struct sl_error *e)
{
  if(e)
    memset(e, 0, sizeof(*e));
}

/* Copies with truncation marked by "..." so a cut message is never mistaken
 * for a whole one. */
static void copy_marked(char *dst, size_t dstlen, const char *src)
{
  size_t n = strlen(src);
  if(n < dstlen) {
    memcpy(dst, src, n + 1);
    return;
  }
  memcpy(dst, src, dstlen - 4);
  memcpy(dst + dstlen - 4, "...", 4);
}

enum sl_result sl_error_set(struct sl_error *e, enum sl_result r, const char *code,
                            const char *fmt, ...)
{
  char tmp[4096];
  va_list ap;
  if(!e)
    return r;
  e->result = r;
  if(code)
    copy_marked(e->code, sizeof(e->code), code);
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof(tmp), fmt, ap);
  va_end(ap);
  copy_marked(e->message, sizeof(e->message), tmp);
  return r;
}

void sl_error_format(const struct sl_error *e, char *out, size_t outlen)
{
  char extra[256] = "";
  size_t n = 0;
  if(!outlen)
    return;
  if(e->http_status || e->request_id[0] || e->attempts > 1) {
    n += (size_t)snprintf(extra + n, sizeof(extra) - n, " (");
    if(e->http_status)
      n += (size_t)snprintf(extra + n, sizeof(extra) - n, "HTTP %ld", e->http_status);
    if(e->request_id[0] && n < sizeof(extra))
      n += (size_t)snprintf(extra + n, sizeof(extra) - n, "%srequest id %s",
                            e->http_status ? ", " : "", e->request_id);
    if(e->attempts > 1 && n < sizeof(extra))
      n += (size_t)snprintf(extra + n, sizeof(extra) - n, "%s%d attempts",
                            (e->http_status || e->request_id[0]) ? ", " : "", e->attempts);
    if(n < sizeof(extra))
      snprintf(extra + n, sizeof(extra) - n, ")");
  }
  snprintf(out, outlen, "%s%s%s%s", e->code, e->code[0] ? ": " : "",
           e->message[0] ? e->message : sl_strresult(e->result), extra);
}

struct sl_view sl_view_of(const char *s)
{
  struct sl_view v = { s ? s : "", s ? strlen(s) : 0 };
  return v;
}

int sl_view_eq(struct sl_view a, const char *s)
{
  size_t n = strlen(s);
  return a.len == n && !memcmp(a.p, s, n);
}

enum sl_result sl_buf_init(struct sl_buf *b, size_t max)
{
  b->len = 0;
  b->max = max;
  b->cap = max < 256 ? max + 1 : 256;
  b->data = malloc(b->cap);
  if(!b->data) {
    b->cap = 0;
    return SL_E_NOMEM;
  }
  b->data[0] = 0;
  return SL_OK;
}

void sl_buf_cleanup(struct sl_buf *b)
{
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

void sl_buf_cleanup_secret(struct sl_buf *b)
{
  if(b->data)
    OPENSSL_cleanse(b->data, b->cap);
  sl_buf_cleanup(b);
}

void sl_buf_reset(struct sl_buf *b)
{
  b->len = 0;
  if(b->data)
    b->data[0] = 0;
}

/* Room for n more bytes plus the NUL, growing by doubling up to max. */
static enum sl_result reserve(struct sl_buf *b, size_t n)
{
  size_t need, ncap;
  char *p;
  if(n > b->max || b->len > b->max - n)
    return SL_E_TOO_LARGE;
  need = b->len + n + 1;
  if(need <= b->cap)
    return SL_OK;
  ncap = b->cap ? b->cap : 64;
  while(ncap < need)
    ncap = ncap > ((size_t)-1) / 2 ? need : ncap * 2;
  if(ncap > b->max + 1)
    ncap = b->max + 1;
  p = realloc(b->data, ncap);
  if(!p)
    return SL_E_NOMEM;
  b->data = p;
  b->cap = ncap;
  return SL_OK;
}

enum sl_result sl_buf_add(struct sl_buf *b, const void *p, size_t n)
{
  enum sl_result r = reserve(b, n);
  if(r)
    return r;
  if(n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
  return SL_OK;
}

enum sl_result sl_buf_adds(struct sl_buf *b, const char *s)
{
  return sl_buf_add(b, s, strlen(s));
}

enum sl_result sl_buf_addc(struct sl_buf *b, char c)
{
  return sl_buf_add(b, &c, 1);
}

enum sl_result sl_buf_addv(struct sl_buf *b, struct sl_view v)
{
  return sl_buf_add(b, v.p, v.len);
}

enum sl_result sl_buf_vprintf(struct sl_buf *b, const char *fmt, va_list ap)
{
  va_list ap2;
  int n;
  enum sl_result r;
  va_copy(ap2, ap);
  n = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if(n < 0)
    return SL_E_INVALID;
  r = reserve(b, (size_t)n);
  if(r)
    return r;
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  b->len += (size_t)n;
  return SL_OK;
}

enum sl_result sl_buf_printf(struct sl_buf *b, const char *fmt, ...)
{
  va_list ap;
  enum sl_result r;
  va_start(ap, fmt);
  r = sl_buf_vprintf(b, fmt, ap);
  va_end(ap);
  return r;
}

char *sl_buf_steal(struct sl_buf *b)
{
  char *p = b->data;
  if(sl_buf_init(b, b->max))
    b->data = NULL;
  return p;
}

char *sl_strdup(const char *s)
{
  return s ? sl_strndup(s, strlen(s)) : NULL;
}

char *sl_strndup(const char *s, size_t n)
{
  char *p = malloc(n + 1);
  if(p) {
    memcpy(p, s, n);
    p[n] = 0;
  }
  return p;
}

void sl_free_secret(char *s)
{
  if(s) {
    explicit_bzero(s, strlen(s)); /* memset speed, never optimized away */
    free(s);
  }
}

void sl_headers_init(struct sl_headers *h)
{
  h->v = NULL;
  h->n = h->cap = 0;
}

void sl_headers_cleanup(struct sl_headers *h)
{
  size_t i;
  for(i = 0; i < h->n; i++)
    sl_header_release(&h->v[i]);
  free(h->v);
  sl_headers_init(h);
}

/* Name and value share one allocation, "name\0value\0": a request's
 * headers cost half the mallocs (signing adds four to every attempt). */
static char *header_block(const char *name, size_t nlen, const char *value, size_t vlen)
{
  char *b;
  if(nlen > (size_t)-1 / 2 || vlen > (size_t)-1 / 2 - 2 - nlen)
    return NULL;
  b = malloc(nlen + vlen + 2);
  if(!b)
    return NULL;
  memcpy(b, name, nlen);
  b[nlen] = 0;
  if(vlen)
    memcpy(b + nlen + 1, value, vlen);
  b[nlen + 1 + vlen] = 0;
  return b;
}

void sl_header_release(struct sl_header *h)
{
  if(h->value)
    explicit_bzero(h->value, strlen(h->value)); /* values may carry tokens */
  free(h->name);
  h->name = h->value = NULL;
}

enum sl_result sl_header_set_value(struct sl_header *h, const char *value, size_t vlen)
{
  size_t nlen = strlen(h->name);
  char *b = header_block(h->name, nlen, value, vlen);
  if(!b)
    return SL_E_NOMEM;
  sl_header_release(h);
  h->name = b;
  h->value = b + nlen + 1;
  return SL_OK;
}

enum sl_result sl_headers_addn(struct sl_headers *h, const char *name, size_t nlen,
                               const char *value, size_t vlen)
{
  struct sl_header *nv;
  char *b;
  if(h->n == h->cap) {
    size_t ncap = h->cap ? h->cap * 2 : 8;
    nv = realloc(h->v, ncap * sizeof(*nv));
    if(!nv)
      return SL_E_NOMEM;
    h->v = nv;
    h->cap = ncap;
  }
  b = header_block(name, nlen, value, vlen);
  if(!b)
    return SL_E_NOMEM;
  h->v[h->n].name = b;
  h->v[h->n].value = b + nlen + 1;
  h->n++;
  return SL_OK;
}

enum sl_result sl_headers_add(struct sl_headers *h, const char *name, const char *value)
{
  return sl_headers_addn(h, name, strlen(name), value, strlen(value));
}

void sl_headers_remove(struct sl_headers *h, const char *name)
{
  size_t i = 0;
  while(i < h->n) {
    if(!strcasecmp(h->v[i].name, name)) {
      sl_header_release(&h->v[i]);
      memmove(&h->v[i], &h->v[i + 1], (h->n - i - 1) * sizeof(h->v[0]));
      h->n--;
    }
    else
      i++;
  }
}

enum sl_result sl_headers_set(struct sl_headers *h, const char *name, const char *value)
{
  sl_headers_remove(h, name);
  return sl_headers_add(h, name, value);
}

const char *sl_headers_get(const struct sl_headers *h, const char *name)
{
  size_t i;
  for(i = 0; i < h->n; i++)
    if(!strcasecmp(h->v[i].name, name))
      return h->v[i].value;
  return NULL;
}

void sl_hex(const unsigned char *in, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for(i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = 0;
}

/* Base64 encoding. The portable encoder turns each 12 bits into two
 * characters with one table lookup; on x86-64 with AVX2 the encoder does 24
 * bytes per step, chosen at run time so one build runs on every CPU. */
#define B64C(v) ((char)((v) < 26 ? 'A' + (v) : (v) < 52 ? 'a' + (v) - 26 : \
                        (v) < 62 ? '0' + (v) - 52 : (v) == 62 ? '+' : '/'))
#define B64P(h, l) { B64C(h), B64C(l) }
#define B64R8(h, l) B64P(h, l), B64P(h, l + 1), B64P(h, l + 2), B64P(h, l + 3), \
  B64P(h, l + 4), B64P(h, l + 5), B64P(h, l + 6), B64P(h, l + 7)
#define B64ROW(h) B64R8(h, 0), B64R8(h, 8), B64R8(h, 16), B64R8(h, 24), B64R8(h, 32), \
  B64R8(h, 40), B64R8(h, 48), B64R8(h, 56)
#define B64ROWS8(h) B64ROW(h), B64ROW(h + 1), B64ROW(h + 2), B64ROW(h + 3), B64ROW(h + 4), \
  B64ROW(h + 5), B64ROW(h + 6), B64ROW(h + 7)

/* b64_pairs[x] is the two characters for the 12-bit value x. */
static const char b64_pairs[4096][2] = {
  B64ROWS8(0), B64ROWS8(8), B64ROWS8(16), B64ROWS8(24),
  B64ROWS8(32), B64ROWS8(40), B64ROWS8(48), B64ROWS8(56)
};

size_t sl_base64_encode_portable(const void *in, size_t n, char *out)
{
  const unsigned char *p = in;
  char *o = out;
  for(; n >= 3; n -= 3, p += 3, o += 4) {
    unsigned v = (unsigned)p[0] << 16 | (unsigned)p[1] << 8 | p[2];
    memcpy(o, b64_pairs[v >> 12], 2);
    memcpy(o + 2, b64_pairs[v & 0xfff], 2);
  }
  if(n) {
    unsigned v = (unsigned)p[0] << 16 | (n > 1 ? (unsigned)p[1] << 8 : 0u);
    memcpy(o, b64_pairs[v >> 12], 2);
    o[2] = n > 1 ? b64_pairs[v & 0xfff][0] : '=';
    o[3] = '=';
    o += 4;
  }
  return (size_t)(o - out);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

int sl_base64_have_avx2(void)
{
  return __builtin_cpu_supports("avx2");
}

/* Mula and Lemire's method: each 128-bit lane takes 12 input bytes, a
 * shuffle puts every 3 bytes into a 32-bit word as [b1 b0 b2 b1], two
 * multiplies move the four 6-bit fields into their own bytes, and a 16-entry
 * lookup of per-range offsets turns them into the alphabet. */
__attribute__((target("avx2")))
size_t sl_base64_encode_avx2(const void *in, size_t n, char *out)
{
  const unsigned char *p = in;
  char *o = out;
  const __m256i shuf = _mm256_setr_epi8(1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10,
                                        1, 0, 2, 1, 4, 3, 5, 4, 7, 6, 8, 7, 10, 9, 11, 10);
  /* offset added per range: 13 = A-Z, 0 = a-z, 1..10 = 0-9, 11 = '+', 12 = '/' */
  const __m256i offs = _mm256_setr_epi8('a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                        '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                        '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0,
                                        'a' - 26, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                        '0' - 52, '0' - 52, '0' - 52, '0' - 52, '0' - 52,
                                        '0' - 52, '+' - 62, '/' - 63, 'A', 0, 0);
  /* The second lane reads bytes 12..27, so 28 must be there. */
  while(n >= 28) {
    __m256i v = _mm256_inserti128_si256(
      _mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)p)),
      _mm_loadu_si128((const __m128i *)(const void *)(p + 12)), 1);
    __m256i hi, lo, idx, range;
    v = _mm256_shuffle_epi8(v, shuf);
    hi = _mm256_mulhi_epu16(_mm256_and_si256(v, _mm256_set1_epi32(0x0fc0fc00)),
                            _mm256_set1_epi32(0x04000040));
    lo = _mm256_mullo_epi16(_mm256_and_si256(v, _mm256_set1_epi32(0x003f03f0)),
                            _mm256_set1_epi32(0x01000010));
    idx = _mm256_or_si256(hi, lo);
    range = _mm256_subs_epu8(idx, _mm256_set1_epi8(51));
    range = _mm256_or_si256(range, _mm256_and_si256(_mm256_cmpgt_epi8(_mm256_set1_epi8(26), idx),
                                                    _mm256_set1_epi8(13)));
    _mm256_storeu_si256((__m256i *)(void *)o,
                        _mm256_add_epi8(idx, _mm256_shuffle_epi8(offs, range)));
    p += 24;
    n -= 24;
    o += 32;
  }
  return (size_t)(o - out) + sl_base64_encode_portable(p, n, o);
}
#else
int sl_base64_have_avx2(void)
{
  return 0;
}

size_t sl_base64_encode_avx2(const void *in, size_t n, char *out)
{
  return sl_base64_encode_portable(in, n, out);
}
#endif

size_t sl_base64_encode_raw(const void *in, size_t n, char *out)
{
  if(n >= 28 && sl_base64_have_avx2())
    return sl_base64_encode_avx2(in, n, out);
  return sl_base64_encode_portable(in, n, out);
}

enum sl_result sl_base64_encode(const void *in, size_t n, struct sl_buf *out)
{
  enum sl_result r;
  if(n > ((size_t)-1) / 2)
    return SL_E_TOO_LARGE;
  r = reserve(out, SL_BASE64_LEN(n));
  if(r)
    return r;
  out->len += sl_base64_encode_raw(in, n, out->data + out->len);
  out->data[out->len] = 0;
  return SL_OK;
}

static int b64val(unsigned char c)
{
  if(c >= 'A' && c <= 'Z') return c - 'A';
  if(c >= 'a' && c <= 'z') return c - 'a' + 26;
  if(c >= '0' && c <= '9') return c - '0' + 52;
  if(c == '+') return 62;
  if(c == '/') return 63;
  return -1;
}

/* Strict decoder: length a multiple of 4, '=' only as trailing padding. */
enum sl_result sl_base64_decode(const char *in, size_t n, struct sl_buf *out)
{
  size_t i;
  enum sl_result r;
  if(n % 4)
    return SL_E_PARSE;
  r = reserve(out, n / 4 * 3);
  if(r)
    return r;
  for(i = 0; i < n; i += 4) {
    int a = b64val((unsigned char)in[i]), b = b64val((unsigned char)in[i + 1]);
    int c = in[i + 2] == '=' ? -2 : b64val((unsigned char)in[i + 2]);
    int d = in[i + 3] == '=' ? -2 : b64val((unsigned char)in[i + 3]);
    int last = i + 4 == n;
    unsigned char *o = (unsigned char *)out->data + out->len;
    if(a < 0 || b < 0 || c == -1 || d == -1 || (!last && (c < 0 || d < 0)) ||
       (c == -2 && d != -2))
      return SL_E_PARSE;
    o[0] = (unsigned char)((a << 2) | (b >> 4));
    out->len++;
    if(c >= 0) {
      o[1] = (unsigned char)(((b & 15) << 4) | (c >> 2));
      out->len++;
      if(d >= 0) {
        o[2] = (unsigned char)(((c & 3) << 6) | d);
        out->len++;
      }
    }
  }
  out->data[out->len] = 0;
  return SL_OK;
}

enum sl_result sl_uri_encode(struct sl_buf *out, const char *s, size_t n, int keep_slash)
{
  static const char digits[] = "0123456789ABCDEF";
  size_t i;
  enum sl_result r = SL_OK;
  for(i = 0; i < n && !r; i++) {
    unsigned char c = (unsigned char)s[i];
    if(isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/'))
      r = sl_buf_addc(out, (char)c);
    else {
      char e[3] = { '%', digits[c >> 4], digits[c & 15] };
      r = sl_buf_add(out, e, 3);
    }
  }
  return r;
}

static int hexval(unsigned char c)
{
  if(c >= '0' && c <= '9') return c - '0';
  if(c >= 'a' && c <= 'f') return c - 'a' + 10;
  if(c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

enum sl_result sl_uri_decode(struct sl_buf *out, const char *s, size_t n, int plus_is_space)
{
  size_t i;
  enum sl_result r = SL_OK;
  for(i = 0; i < n && !r; i++) {
    char c = s[i];
    if(c == '%' && i + 2 < n &&
       hexval((unsigned char)s[i + 1]) >= 0 && hexval((unsigned char)s[i + 2]) >= 0) {
      c = (char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
      i += 2;
    }
    else if(c == '+' && plus_is_space)
      c = ' ';
    r = sl_buf_addc(out, c);
  }
  return r;
}
