/* window.c — time windows for inspect: parsing --since/--until, reading the
 * arrival time out of Firehose object names, evaluating !{timestamp:...}
 * prefixes, and turning a window into the hour prefixes worth listing. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sluice/inspect.h"

static int digits(const char *s, int n, int *out)
{
  int i, v = 0;
  for(i = 0; i < n; i++) {
    if(!isdigit((unsigned char)s[i]))
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

static int64_t to_epoch(int y, int mo, int d, int h, int mi, int s)
{
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return (int64_t)timegm(&tm);
}

static int valid_fields(int mo, int d, int h, int mi, int s)
{
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

/* "YYYY-MM-DD[(T| )HH[:MM[:SS[.fff]]]][Z]" */
static enum sl_result parse_iso(const char *s, int64_t *out)
{
  int y, mo, d, h = 0, mi = 0, sec = 0;
  const char *p = s + 10;
  if(strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
     s[7] != '-' || !digits(s + 8, 2, &d))
    return SL_E_INVALID;
  if(*p == 'T' || *p == 't' || *p == ' ') {
    if(!digits(p + 1, 2, &h))
      return SL_E_INVALID;
    p += 3;
    if(*p == ':') {
      if(!digits(p + 1, 2, &mi))
        return SL_E_INVALID;
      p += 3;
      if(*p == ':') {
        if(!digits(p + 1, 2, &sec))
          return SL_E_INVALID;
        p += 3;
        if(*p == '.') {
          p++;
          while(isdigit((unsigned char)*p))
            p++;
        }
      }
    }
  }
  if(*p == 'Z' || *p == 'z')
    p++;
  if(*p || !valid_fields(mo, d, h, mi, sec))
    return SL_E_INVALID;
  *out = to_epoch(y, mo, d, h, mi, sec);
  return SL_OK;
}

enum sl_result sl_inspect_parse_time(const char *s, int64_t now, int64_t *out)
{
  char *end;
  long long n;
  if(!s || !*s)
    return SL_E_INVALID;
  if(!strcmp(s, "now")) {
    *out = now;
    return SL_OK;
  }
  if(isdigit((unsigned char)s[0]) && strlen(s) >= 10 && s[4] == '-')
    return parse_iso(s, out);
  n = strtoll(s, &end, 10);
  if(end == s || !isdigit((unsigned char)s[0]) || n < 0 || n > 100000000LL || end[0] == 0 ||
     end[1])
    return SL_E_INVALID;
  switch(end[0]) {
  case 's': break;
  case 'm': n *= 60; break;
  case 'h': n *= 3600; break;
  case 'd': n *= 86400; break;
  default: return SL_E_INVALID;
  }
  *out = now - n;
  return SL_OK;
}

void sl_inspect_format_time(int64_t t, char *out, size_t outlen)
{
  time_t tt = (time_t)t;
  struct tm tm;
  if(!gmtime_r(&tt, &tm) || !strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm))
    snprintf(out, outlen, "?");
}

/* "YYYY-MM-DD-HH-MM-SS" at p (19 bytes), as Firehose names objects. */
static int stamp_at(const char *p, int64_t *t)
{
  int y, mo, d, h, mi, s;
  if(!digits(p, 4, &y) || p[4] != '-' || !digits(p + 5, 2, &mo) || p[7] != '-' ||
     !digits(p + 8, 2, &d) || p[10] != '-' || !digits(p + 11, 2, &h) || p[13] != '-' ||
     !digits(p + 14, 2, &mi) || p[16] != '-' || !digits(p + 17, 2, &s) ||
     !valid_fields(mo, d, h, mi, s))
    return 0;
  *t = to_epoch(y, mo, d, h, mi, s);
  return 1;
}

int sl_inspect_key_time(const char *key, int64_t *t)
{
  const char *base = strrchr(key, '/');
  size_t len;
  base = base ? base + 1 : key;
  len = strlen(base);
  /* The last stamp in the name, preceded by '-' (after "<stream>-<version>"). */
  while(len >= 20) {
    const char *p = base + len - 20;
    if(p[0] == '-' && (p[20] == '-' || p[20] == 0 || p[20] == '.') && stamp_at(p + 1, t))
      return 1;
    len--;
  }
  return 0;
}

int sl_inspect_prefix_has_expressions(const char *pattern)
{
  return pattern && strstr(pattern, "!{") != NULL;
}

/* One DateTimeFormatter run of `count` letter c; 1 when it depends only on
 * the hour, 0 when finer (evaluation stops), -1 when unknown. */
static int format_letter(char c, int count, const struct tm *tm, struct sl_buf *out,
                         enum sl_result *r)
{
  int v;
  switch(c) {
  case 'y': case 'u':
    v = tm->tm_year + 1900;
    if(count == 2)
      v %= 100;
    break;
  case 'M': v = tm->tm_mon + 1; break;
  case 'd': v = tm->tm_mday; break;
  case 'H': v = tm->tm_hour; break;
  case 'D': v = tm->tm_yday + 1; break;
  case 'm': case 's': case 'S':
    return 0;
  default:
    return -1;
  }
  if(count > 9)
    return -1;
  *r = sl_buf_printf(out, "%0*d", count, v);
  return 1;
}

/* Formats one timestamp pattern. *stop set when a finer letter was met. */
static enum sl_result format_pattern(const char *p, size_t n, const struct tm *tm,
                                     struct sl_buf *out, int *stop)
{
  enum sl_result r = SL_OK;
  size_t i = 0;
  while(!r && i < n && !*stop) {
    char c = p[i];
    if(c == '\'') {
      size_t j = i + 1;
      while(j < n && p[j] != '\'')
        j++;
      if(j >= n)
        return SL_E_INVALID;
      r = j == i + 1 ? sl_buf_addc(out, '\'') : sl_buf_add(out, p + i + 1, j - i - 1);
      i = j + 1;
    }
    else if(isalpha((unsigned char)c)) {
      size_t j = i;
      int k;
      while(j < n && p[j] == c)
        j++;
      k = format_letter(c, (int)(j - i), tm, out, &r);
      if(k < 0)
        return SL_E_INVALID;
      if(k == 0)
        *stop = 1;
      i = j;
    }
    else
      r = sl_buf_addc(out, p[i++]);
  }
  return r;
}

enum sl_result sl_inspect_eval_prefix(const char *pattern, int64_t t, struct sl_buf *out,
                                      int *complete)
{
  time_t tt = (time_t)t;
  struct tm tm;
  const char *p = pattern;
  enum sl_result r = SL_OK;
  int stop = 0;
  if(!gmtime_r(&tt, &tm))
    return SL_E_INVALID;
  while(!r && *p && !stop) {
    const char *e = strstr(p, "!{");
    const char *close;
    if(!e)
      return sl_buf_adds(out, p) ? SL_E_TOO_LARGE : (*complete = 1, SL_OK);
    r = sl_buf_add(out, p, (size_t)(e - p));
    close = strchr(e, '}');
    if(r || !close)
      return r ? r : SL_E_INVALID;
    if(!strncmp(e + 2, "timestamp:", 10))
      r = format_pattern(e + 12, (size_t)(close - e - 12), &tm, out, &stop);
    else if(!strncmp(e + 2, "firehose:", 9))
      stop = 1;
    else
      return SL_E_INVALID;
    p = close + 1;
  }
  *complete = !r && !stop;
  return r;
}

void sl_inspect_prefixes_cleanup(struct sl_inspect_prefixes *p)
{
  size_t i;
  for(i = 0; i < p->n; i++)
    free(p->v[i]);
  free(p->v);
  p->v = NULL;
  p->n = 0;
}

static int cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Listings must come out in key order, which is not time order for
 * patterns like dd/MM/yyyy; a prefix that extends a kept one would list
 * the same keys twice, so only the shorter is kept (the time filter on the
 * keys does the rest). */
static void key_order(struct sl_inspect_prefixes *p)
{
  size_t i, kept = 0;
  qsort(p->v, p->n, sizeof(char *), cmp_str);
  for(i = 0; i < p->n; i++) {
    if(kept && !strncmp(p->v[i], p->v[kept - 1], strlen(p->v[kept - 1])))
      free(p->v[i]);
    else
      p->v[kept++] = p->v[i];
  }
  p->n = kept;
}

enum sl_result sl_inspect_window_prefixes(const char *pattern, int64_t since, int64_t until,
                                          size_t max_hours, struct sl_inspect_prefixes *out)
{
  struct sl_buf b = { 0 }, lit = { 0 };
  enum sl_result r;
  int64_t h, first = since - ((since % 3600) + 3600) % 3600;
  int expr = sl_inspect_prefix_has_expressions(pattern);
  int complete;
  out->v = NULL;
  out->n = 0;
  if(until < since)
    return SL_OK;
  if((uint64_t)(until - first) / 3600 + 1 > max_hours)
    return SL_E_TOO_LARGE;
  r = sl_buf_init(&b, 8192);
  if(!r)
    r = sl_buf_init(&lit, 8192);
  /* Evaluating only up to the first expression tells whether any time letter
   * narrows the listing at all. */
  if(!r && expr) {
    r = sl_buf_add(&lit, pattern, (size_t)(strstr(pattern, "!{") - pattern));
    if(!r)
      r = sl_inspect_eval_prefix(pattern, first, &b, &complete);
    if(!r && b.len == lit.len)
      r = SL_E_UNSUPPORTED;
  }
  if(!r)
    out->v = calloc((size_t)((until - first) / 3600 + 1), sizeof(char *));
  if(!r && !out->v)
    r = SL_E_NOMEM;
  for(h = first; !r && h <= until; h += 3600) {
    sl_buf_reset(&b);
    if(expr)
      r = sl_inspect_eval_prefix(pattern, h, &b, &complete);
    else {
      char hour[16];
      time_t tt = (time_t)h;
      struct tm tm;
      gmtime_r(&tt, &tm);
      strftime(hour, sizeof(hour), "%Y/%m/%d/%H/", &tm);
      r = sl_buf_adds(&b, pattern);
      if(!r)
        r = sl_buf_adds(&b, hour);
    }
    /* Coarser patterns (days) give the same prefix for many hours. */
    if(!r && (!out->n || strcmp(out->v[out->n - 1], b.data))) {
      out->v[out->n] = sl_strdup(b.data);
      if(!out->v[out->n])
        r = SL_E_NOMEM;
      else
        out->n++;
    }
  }
  if(!r)
    key_order(out);
  if(r)
    sl_inspect_prefixes_cleanup(out);
  sl_buf_cleanup(&b);
  sl_buf_cleanup(&lit);
  return r;
}
