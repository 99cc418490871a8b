/* json_text.c — JSON text helpers for printing records: compact a value to
 * one line, quote arbitrary bytes (text lines, raw data) as a JSON string
 * that is always valid UTF-8, and find the bytes in a text line that are
 * not text (the decoder reports them, by the same UTF-8 rules). */
#include <stdint.h>
#include <string.h>

#include "sluice/decode.h"
#include "common/records/json_text.h"

/* Copies runs between whitespace bytes outside strings; inside a string
 * everything is kept, and an escaped quote does not end it. */
enum sl_result sl_json_compact(const char *p, size_t n, struct sl_buf *out)
{
  size_t i = 0, run = 0;
  int in_str = 0;
  enum sl_result r = SL_OK;
  while(i < n && !r) {
    char c = p[i];
    if(in_str) {
      if(c == '\\')
        i++;
      else if(c == '"')
        in_str = 0;
      i++;
    }
    else if(c == ' ' || c == '\n' || c == '\r' || c == '\t') {
      if(i > run)
        r = sl_buf_add(out, p + run, i - run);
      run = ++i;
    }
    else {
      in_str = c == '"';
      i++;
    }
  }
  if(i > n)
    i = n; /* a trailing lone backslash */
  if(!r && i > run)
    r = sl_buf_add(out, p + run, i - run);
  return r;
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlongs,
 * no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
  unsigned char c = p[0];
  size_t len, i;
  unsigned char lo = 0x80, hi = 0xbf;
  if(c < 0xc2 || c > 0xf4)
    return 0;
  if(c < 0xe0)
    len = 2;
  else if(c < 0xf0) {
    len = 3;
    if(c == 0xe0)
      lo = 0xa0;
    else if(c == 0xed)
      hi = 0x9f;
  }
  else {
    len = 4;
    if(c == 0xf0)
      lo = 0x90;
    else if(c == 0xf4)
      hi = 0x8f;
  }
  if(n < len || p[1] < lo || p[1] > hi)
    return 0;
  for(i = 2; i < len; i++)
    if(p[i] < 0x80 || p[i] > 0xbf)
      return 0;
  return len;
}

enum sl_result sl_json_append_string(struct sl_buf *out, const char *s, size_t n)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, run = 0;
  enum sl_result r = sl_buf_addc(out, '"');
  while(!r && i < n) {
    unsigned char c = p[i];
    char esc[8];
    size_t elen = 0, k;
    if(c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      i++;
      continue;
    }
    if(c >= 0x80 && (k = utf8_len(p + i, n - i))) {
      i += k;
      continue;
    }
    if(i > run)
      r = sl_buf_add(out, p + run, i - run);
    if(c >= 0x80) {
      memcpy(esc, "\\ufffd", 6);
      elen = 6;
    }
    else if(c == '"' || c == '\\') {
      esc[0] = '\\';
      esc[1] = (char)c;
      elen = 2;
    }
    else {
      char named = c == '\b' ? 'b' : c == '\f' ? 'f' : c == '\n' ? 'n' :
                   c == '\r' ? 'r' : c == '\t' ? 't' : 0;
      esc[0] = '\\';
      if(named) {
        esc[1] = named;
        elen = 2;
      }
      else {
        memcpy(esc, "\\u00", 4);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        elen = 6;
      }
    }
    if(!r)
      r = sl_buf_add(out, esc, elen);
    run = ++i;
  }
  if(!r && i > run)
    r = sl_buf_add(out, p + run, i - run);
  if(!r)
    r = sl_buf_addc(out, '"');
  return r;
}

enum sl_result sl_json_utf8_clean(const char *s, size_t n, struct sl_buf *out)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, run = 0, k;
  enum sl_result r = SL_OK;
  while(!r && i < n) {
    if(p[i] < 0x80) {
      i++;
      continue;
    }
    if((k = utf8_len(p + i, n - i))) {
      i += k;
      continue;
    }
    /* The same replacement sl_json_append_string writes as \ufffd. */
    if(i > run)
      r = sl_buf_add(out, p + run, i - run);
    if(!r)
      r = sl_buf_add(out, "\xef\xbf\xbd", 3);
    run = ++i;
  }
  if(!r && i > run)
    r = sl_buf_add(out, p + run, i - run);
  return r;
}

/* Non-zero when the len bytes at p (a multiple of 8) are all ASCII and none
 * is NUL: one test per word, no branch per byte. */
static int clean_ascii(const unsigned char *p, size_t len)
{
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  uint64_t acc = 0, w;
  size_t i;
  for(i = 0; i < len; i += 8) {
    memcpy(&w, p + i, 8);
    acc |= w | ((w - ones) & ~w);
  }
  return !(acc & highs);
}

void sl_json_text_check(const char *s, size_t n, size_t *nul, size_t *bad)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, k;
  *nul = *bad = SL_JSON_NO_POS;
  while(i < n && (*nul == SL_JSON_NO_POS || *bad == SL_JSON_NO_POS)) {
    /* Log text is mostly ASCII and this runs over every text line: skip
     * clean runs a block, then a word, at a time. */
    if(n - i >= 32 && clean_ascii(p + i, 32)) {
      i += 32;
      continue;
    }
    if(n - i >= 8 && clean_ascii(p + i, 8)) {
      i += 8;
      continue;
    }
    if(!p[i]) {
      if(*nul == SL_JSON_NO_POS)
        *nul = i;
      i++;
    }
    else if(p[i] < 0x80)
      i++;
    else if((k = utf8_len(p + i, n - i)))
      i += k;
    else {
      if(*bad == SL_JSON_NO_POS)
        *bad = i;
      i++;
    }
  }
}
