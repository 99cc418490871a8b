/* shards.c — a Kinesis stream's shard map, for placing records as Kinesis
 * does (KPL aggregation groups records by the shard they land in). The
 * hash keys are 128-bit numbers: kept as two 64-bit halves, so no compiler
 * extension is needed. */
#include "sluice/streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/evp.h>

int sl_kinesis_parse_hash(const char *dec, uint64_t *hi, uint64_t *lo)
{
  uint64_t h = 0, l = 0;
  const char *p;
  if(!dec || !*dec || strlen(dec) > 39)
    return 0;
  for(p = dec; *p; p++) {
    /* (h, l) = (h, l) * 10 + digit, refusing past 2^128 - 1 */
    uint64_t d, l_lo, l_hi, m_lo, m_hi, carry;
    if(*p < '0' || *p > '9')
      return 0;
    d = (uint64_t)(*p - '0');
    l_lo = (l & 0xffffffffu) * 10;
    l_hi = (l >> 32) * 10 + (l_lo >> 32);
    m_lo = (l_hi << 32) | (l_lo & 0xffffffffu);
    carry = l_hi >> 32;
    if(h > (UINT64_MAX - carry) / 10)
      return 0;
    m_hi = h * 10 + carry;
    l = m_lo + d;
    if(l < m_lo) {
      if(m_hi == UINT64_MAX)
        return 0;
      m_hi++;
    }
    h = m_hi;
  }
  *hi = h;
  *lo = l;
  return 1;
}

void sl_kinesis_key_hash(const char *key, size_t len, uint64_t *hi, uint64_t *lo)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0, i;
  *hi = *lo = 0;
  if(!EVP_Digest(key, len, md, &n, EVP_md5(), NULL) || n != 16)
    return;
  for(i = 0; i < 8; i++) {
    *hi = (*hi << 8) | md[i];
    *lo = (*lo << 8) | md[8 + i];
  }
}

static int cmp128(uint64_t ah, uint64_t al, uint64_t bh, uint64_t bl)
{
  return ah != bh ? (ah < bh ? -1 : 1) : al != bl ? (al < bl ? -1 : 1) : 0;
}

static int by_start(const void *a, const void *b)
{
  const struct sl_shard_range *x = a, *y = b;
  return cmp128(x->start_hi, x->start_lo, y->start_hi, y->start_lo);
}

size_t sl_shard_map_find(const struct sl_shard_map *m, uint64_t hi, uint64_t lo)
{
  size_t a = 0, b = m->n;
  while(a < b) {
    size_t mid = a + (b - a) / 2;
    const struct sl_shard_range *s = &m->shard[mid];
    if(cmp128(hi, lo, s->start_hi, s->start_lo) < 0)
      b = mid;
    else if(cmp128(hi, lo, s->end_hi, s->end_lo) > 0)
      a = mid + 1;
    else
      return mid;
  }
  return (size_t)-1;
}

void sl_shard_map_cleanup(struct sl_shard_map *m)
{
  free(m->shard);
  m->shard = NULL;
  m->n = 0;
}

static const char *member(struct json_object *o, const char *a, const char *b)
{
  struct json_object *v = NULL;
  if(!json_object_object_get_ex(o, a, &v) || (b && !json_object_object_get_ex(v, b, &v)))
    return NULL;
  return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* One page's open shards into m. */
static enum sl_result take_page(struct json_object *out, struct sl_shard_map *m,
                                const char *stream, struct sl_error *err)
{
  struct json_object *list = NULL;
  size_t i, n;
  if(!json_object_object_get_ex(out, "Shards", &list) ||
     !json_object_is_type(list, json_type_array))
    return sl_error_set(err, SL_E_PARSE, NULL, "ListShards answer for %s has no Shards", stream);
  n = json_object_array_length(list);
  for(i = 0; i < n; i++) {
    struct json_object *s = json_object_array_get_idx(list, i);
    const char *id = member(s, "ShardId", NULL);
    const char *start = member(s, "HashKeyRange", "StartingHashKey");
    const char *end = member(s, "HashKeyRange", "EndingHashKey");
    struct sl_shard_range *r;
    void *p;
    if(member(s, "SequenceNumberRange", "EndingSequenceNumber"))
      continue; /* closed: takes no more records */
    if(!id || !start || !end)
      return sl_error_set(err, SL_E_PARSE, NULL, "ListShards answer for %s: a shard without "
                          "its id or hash key range", stream);
    p = realloc(m->shard, (m->n + 1) * sizeof(*m->shard));
    if(!p)
      return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
    m->shard = p;
    r = &m->shard[m->n];
    memset(r, 0, sizeof(*r));
    if(!sl_kinesis_parse_hash(start, &r->start_hi, &r->start_lo) ||
       !sl_kinesis_parse_hash(end, &r->end_hi, &r->end_lo))
      return sl_error_set(err, SL_E_PARSE, NULL, "ListShards answer for %s: shard %s has a hash "
                          "key range that is not two numbers 0..2^128-1", stream, id);
    snprintf(r->id, sizeof(r->id), "%s", id);
    m->n++;
  }
  return SL_OK;
}

enum sl_result sl_kinesis_shard_map(struct sl_client *c, const char *stream,
                                    struct sl_shard_map *m, struct sl_error *err)
{
  char token[4096] = "";
  enum sl_result r = SL_OK;
  int pages = 0;
  memset(m, 0, sizeof(*m));
  do {
    struct json_object *in = json_object_new_object(), *out = NULL;
    const char *next;
    /* NextToken and StreamName may not go together */
    if(token[0])
      json_object_object_add(in, "NextToken", json_object_new_string(token));
    else
      json_object_object_add(in, "StreamName", json_object_new_string(stream));
    r = sl_kinesis_call(c, "ListShards", in, &out, err);
    json_object_put(in);
    if(!r) r = take_page(out, m, stream, err);
    next = r ? NULL : member(out, "NextToken", NULL);
    snprintf(token, sizeof(token), "%s", next ? next : "");
    if(out)
      json_object_put(out);
  } while(!r && token[0] && ++pages < 10000);
  if(!r && !m->n)
    r = sl_error_set(err, SL_E_INVALID, NULL, "Kinesis stream %s has no open shard", stream);
  if(r)
    sl_shard_map_cleanup(m);
  else
    qsort(m->shard, m->n, sizeof(*m->shard), by_start);
  return r;
}
