/* streams_scan.c — the PutRecordBatch / PutRecords answer read in one pass
 * without a DOM. It accepts only the plain shape services send (ASCII
 * strings without escapes, scalar extra members, each known member once, a
 * failed count that agrees) and hands anything else back to the json-c
 * reader in streams.c, so the two cannot disagree on what an answer means. */
#include "streams_scan.h"

#include <string.h>

struct scan {
  const char *p, *end;
};

static void ws(struct scan *s)
{
  while(s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
    s->p++;
}

/* After whitespace, the byte c. */
static int take(struct scan *s, char c)
{
  ws(s);
  if(s->p < s->end && *s->p == c) {
    s->p++;
    return 1;
  }
  return 0;
}

/* A string of printable ASCII without escapes, viewed in place. */
static int str(struct scan *s, struct sl_view *v)
{
  const char *q;
  if(!take(s, '"'))
    return 0;
  for(q = s->p; q < s->end; q++) {
    unsigned char ch = (unsigned char)*q;
    if(ch == '"') {
      v->p = s->p;
      v->len = (size_t)(q - s->p);
      s->p = q + 1;
      return 1;
    }
    if(ch < 0x20 || ch >= 0x7f || ch == '\\')
      return 0;
  }
  return 0;
}

/* Up to max digits; a leading zero only alone. */
static int digits(struct scan *s, size_t max, unsigned long long *v)
{
  const char *q = s->p;
  *v = 0;
  while(s->p < s->end && *s->p >= '0' && *s->p <= '9' && (size_t)(s->p - q) < max)
    *v = *v * 10 + (unsigned long long)(*s->p++ - '0');
  if(s->p == q || (s->p < s->end && *s->p >= '0' && *s->p <= '9'))
    return 0;
  return *q != '0' || s->p - q == 1;
}

/* A member we do not read: a string, true, false, null or a short number
 * (no exponent, so no edge of double parsing can differ from json-c's). */
static int scalar(struct scan *s)
{
  static const char *const words[] = { "true", "false", "null" };
  struct sl_view v;
  unsigned long long x;
  size_t i;
  ws(s);
  if(s->p == s->end)
    return 0;
  if(*s->p == '"')
    return str(s, &v);
  for(i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
    size_t n = strlen(words[i]);
    if((size_t)(s->end - s->p) >= n && !memcmp(s->p, words[i], n)) {
      s->p += n;
      return 1;
    }
  }
  if(*s->p == '-')
    s->p++;
  if(!digits(s, 15, &x))
    return 0;
  if(s->p < s->end && *s->p == '.') {
    const char *q = ++s->p;
    while(s->p < s->end && *s->p >= '0' && *s->p <= '9' && s->p - q < 15)
      s->p++;
    if(s->p == q)
      return 0;
  }
  return 1;
}

static int is(struct sl_view v, const char *name)
{
  size_t n = strlen(name);
  return v.len == n && !memcmp(v.p, name, n);
}

/* Bounded copy, cut as snprintf cuts. */
static void put(char *dst, size_t cap, struct sl_view v)
{
  size_t n = v.len < cap - 1 ? v.len : cap - 1;
  if(n) /* an absent member is a NULL view; memcpy from NULL is undefined even for 0 */
    memcpy(dst, v.p, n);
  dst[n] = 0;
}

/* One entry object: its id, shard, error code and message. */
static int entry(struct scan *s, int kinesis, struct sl_record_result *res, size_t *nfail)
{
  const char *names[4] = { kinesis ? "SequenceNumber" : "RecordId", "ShardId", "ErrorCode",
                           "ErrorMessage" };
  struct sl_view f[4];
  int seen[4] = { 0, 0, 0, 0 };
  if(!take(s, '{'))
    return 0;
  memset(f, 0, sizeof(f));
  if(!take(s, '}')) {
    do {
      struct sl_view k;
      int w;
      if(!str(s, &k) || !take(s, ':'))
        return 0;
      for(w = 0; w < 4 && !is(k, names[w]); w++)
        ;
      if(w == 4) {
        if(!scalar(s))
          return 0;
      }
      else if(seen[w]++ || !str(s, &f[w]))
        return 0;
    } while(take(s, ','));
    if(!take(s, '}'))
      return 0;
  }
  res->id[0] = res->shard_id[0] = res->error_code[0] = res->error_message[0] = 0;
  res->ok = !f[2].len;
  if(res->ok) {
    put(res->id, sizeof(res->id), f[0]);
    put(res->shard_id, sizeof(res->shard_id), f[1]);
  }
  else {
    put(res->error_code, sizeof(res->error_code), f[2]);
    put(res->error_message, sizeof(res->error_message), f[3]);
    (*nfail)++;
  }
  return 1;
}

/* The entries array: exactly n of them. */
static int entries(struct scan *s, int kinesis, size_t n, struct sl_record_result *results,
                   size_t *nfail)
{
  size_t i = 0;
  if(!take(s, '['))
    return 0;
  if(take(s, ']'))
    return n == 0;
  do {
    if(i == n || !entry(s, kinesis, &results[i], nfail))
      return 0;
    i++;
  } while(take(s, ','));
  return take(s, ']') && i == n;
}

int sl_streams_scan_put_answer(const char *text, size_t len, int kinesis, size_t n,
                               struct sl_record_result *results, size_t *failed)
{
  const char *list_key = kinesis ? "Records" : "RequestResponses";
  const char *count_key = kinesis ? "FailedRecordCount" : "FailedPutCount";
  struct scan s;
  int have_list = 0, have_count = 0;
  unsigned long long count = 0;
  size_t nfail = 0;
  *failed = 0;
  if(!text)
    return 0;
  s.p = text;
  s.end = text + len;
  if(!take(&s, '{'))
    return 0;
  do {
    struct sl_view k;
    if(!str(&s, &k) || !take(&s, ':'))
      return 0;
    if(is(k, list_key)) {
      if(have_list++ || !entries(&s, kinesis, n, results, &nfail))
        return 0;
    }
    else if(is(k, count_key)) {
      ws(&s);
      if(have_count++ || !digits(&s, 18, &count))
        return 0;
    }
    else if(!scalar(&s))
      return 0;
  } while(take(&s, ','));
  if(!take(&s, '}'))
    return 0;
  ws(&s);
  if(s.p != s.end || !have_list || (have_count && count != nfail))
    return 0;
  *failed = nfail;
  return 1;
}
