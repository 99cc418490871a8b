/* batch.c — what may be sent to Firehose and Kinesis in one request and in
 * one record, batches that close on count or bytes, and the partition keys
 * (fixed, from a JSON field, or a random UUID). */
#include "sluice/send.h"
#include "sluice/kpl.h"
#include "sluice/streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <json-c/json.h>

/* Room per entry in the arena besides the data: key, its NUL, the
 * explicit hash key (<= 39 digits) and its NUL. */
#define ENTRY_OVERHEAD (SL_KINESIS_MAX_KEY_BYTES + 1 + 40 + 1)

const char *sl_send_target_name(enum sl_send_target t)
{
  return t == SL_SEND_KINESIS ? "kinesis" : "firehose";
}

enum sl_result sl_send_limits_init(struct sl_send_limits *l, enum sl_send_target t,
                                   size_t batch_records, long kinesis_request_bytes,
                                   struct sl_error *err)
{
  size_t maxrec = t == SL_SEND_KINESIS ? SL_KINESIS_MAX_BATCH_RECORDS :
                                         SL_FIREHOSE_MAX_BATCH_RECORDS;
  memset(l, 0, sizeof(*l));
  l->target = t;
  if(batch_records > maxrec)
    return sl_error_set(err, SL_E_INVALID, NULL, "batch size %zu is over %s's %zu records "
                        "per request", batch_records, t == SL_SEND_KINESIS ? "Kinesis" :
                        "Firehose", maxrec);
  l->max_records = batch_records ? batch_records : maxrec;
  if(t == SL_SEND_KINESIS) {
    if(!kinesis_request_bytes)
      kinesis_request_bytes = SL_KINESIS_DEFAULT_BATCH_BYTES;
    if(kinesis_request_bytes < SL_KINESIS_DEFAULT_BATCH_BYTES ||
       kinesis_request_bytes > SL_KINESIS_MAX_BATCH_BYTES)
      return sl_error_set(err, SL_E_INVALID, NULL, "Kinesis request bound of %ld bytes is "
                          "outside 5 MiB..10 MiB", kinesis_request_bytes);
    l->max_request_bytes = (size_t)kinesis_request_bytes;
    l->max_record_bytes = SL_KINESIS_MAX_RECORD_BYTES;
  }
  else {
    l->max_request_bytes = SL_FIREHOSE_MAX_BATCH_BYTES;
    l->max_record_bytes = SL_FIREHOSE_MAX_RECORD_BYTES;
  }
  return SL_OK;
}

size_t sl_send_record_size(const struct sl_send_limits *l, size_t len, size_t key_len)
{
  return l->target == SL_SEND_KINESIS ? len + key_len : len;
}

void sl_send_where_format(const struct sl_send_where *w, char *out, size_t outlen)
{
  const char *src = w->src ? w->src : "input";
  unsigned long long pos = (unsigned long long)w->pos;
  switch(w->kind) {
  case SL_WHERE_LINE:
    snprintf(out, outlen, "%s:%llu", src, pos);
    break;
  case SL_WHERE_VALUE:
    snprintf(out, outlen, "%s: value %llu", src, pos);
    break;
  case SL_WHERE_WHOLE:
    snprintf(out, outlen, "%s", src);
    break;
  case SL_WHERE_OFFSET:
    snprintf(out, outlen, "%s: byte %llu", src, pos);
    break;
  case SL_WHERE_ARG:
    snprintf(out, outlen, "argument %llu", pos);
    break;
  default:
    snprintf(out, outlen, "record %llu", pos);
    break;
  }
}

int sl_send_valid_hash_key(const char *s)
{
  static const char max[] = "340282366920938463463374607431768211455"; /* 2^128-1 */
  size_t n = strlen(s), i;
  if(!n)
    return 0;
  for(i = 0; i < n; i++)
    if(s[i] < '0' || s[i] > '9')
      return 0;
  while(n > 1 && *s == '0') { /* leading zeros do not make it larger */
    s++;
    n--;
  }
  return n < sizeof(max) - 1 || (n == sizeof(max) - 1 && strcmp(s, max) <= 0);
}

enum sl_result sl_send_too_large(const struct sl_send_limits *l, const struct sl_send_where *w,
                                 uint64_t size, struct sl_error *err)
{
  char where[160], what[64];
  sl_send_where_format(w, where, sizeof(where));
  if(size)
    snprintf(what, sizeof(what), "record of %llu bytes", (unsigned long long)size);
  else /* only known to pass the bound the reader holds */
    snprintf(what, sizeof(what), "record of more than %zu bytes", l->max_record_bytes);
  if(l->target == SL_SEND_FIREHOSE)
    return sl_error_set(err, SL_E_TOO_LARGE, "RecordTooLarge", "%s: %s is over Firehose's "
                        "1,000 KiB limit (1,024,000 bytes)", where, what);
  return sl_error_set(err, SL_E_TOO_LARGE, "RecordTooLarge", "%s: %s is over Kinesis's 1 MiB "
                      "limit (data + partition key)", where, what);
}

enum sl_result sl_send_check_record(const struct sl_send_limits *l, const struct sl_send_where *w,
                                    size_t len, const char *key, const char *ehk,
                                    struct sl_error *err)
{
  char where[160];
  if(l->target == SL_SEND_FIREHOSE)
    return len > l->max_record_bytes ? sl_send_too_large(l, w, len, err) : SL_OK;
  sl_send_where_format(w, where, sizeof(where));
  if(!key || !key[0] || strlen(key) > SL_KINESIS_MAX_KEY_BYTES)
    return sl_error_set(err, SL_E_INVALID, "InvalidPartitionKey", "%s: partition key of %zu "
                        "bytes: Kinesis takes 1 to 256 bytes", where, key ? strlen(key) : 0);
  if(ehk && !sl_send_valid_hash_key(ehk))
    return sl_error_set(err, SL_E_INVALID, "InvalidExplicitHashKey", "%s: explicit hash key "
                        "must be a decimal in 0..2^128-1", where);
  if(len + strlen(key) > l->max_record_bytes)
    return sl_send_too_large(l, w, len + strlen(key), err);
  return SL_OK;
}

/* ------------------------------------------------------------------ batches */

enum sl_result sl_batch_init(struct sl_batch *b, const struct sl_send_limits *l)
{
  memset(b, 0, sizeof(*b));
  b->lim = l;
  b->e = calloc(l->max_records, sizeof(*b->e));
  if(!b->e)
    return SL_E_NOMEM;
  /* Bounded by the request limit plus one record's key room per entry. */
  return sl_buf_init(&b->arena, l->max_request_bytes + l->max_records * ENTRY_OVERHEAD + 1);
}

void sl_batch_cleanup(struct sl_batch *b)
{
  sl_buf_cleanup(&b->arena);
  free(b->e);
  free(b->parts);
  free(b->open);
  b->open = NULL;
  b->e = NULL;
  b->parts = NULL;
  b->n = b->nparts = b->parts_cap = 0;
}

void sl_batch_reset(struct sl_batch *b)
{
  if(b->open)
    memset(b->open, 0, b->map->n * sizeof(*b->open));
  sl_buf_reset(&b->arena);
  b->n = 0;
  b->nparts = 0;
  b->bytes = 0;
}

/* Aggregated: the record can go into the last entry. */
static int joins(const struct sl_batch *b, size_t size)
{
  return b->aggregate && b->n && b->nparts < SL_SEND_MAX_PARTS &&
         b->e[b->n - 1].len + size <= b->lim->max_record_bytes &&
         size <= b->lim->max_request_bytes - b->bytes;
}

int sl_batch_fits(const struct sl_batch *b, size_t size)
{
  if(b->aggregate && b->nparts >= SL_SEND_MAX_PARTS)
    return 0;
  return joins(b, size) ||
         (b->n < b->lim->max_records && size <= b->lim->max_request_bytes - b->bytes);
}

static enum sl_result add_part(struct sl_batch *b, size_t off, size_t len, uint64_t index,
                               const struct sl_send_where *w)
{
  struct sl_send_part *p;
  if(b->nparts == b->parts_cap) {
    size_t cap = b->parts_cap ? b->parts_cap * 2 : 256;
    void *np = cap <= SL_SEND_MAX_PARTS ? realloc(b->parts, cap * sizeof(*b->parts)) : NULL;
    if(!np)
      return cap <= SL_SEND_MAX_PARTS ? SL_E_NOMEM : SL_E_INTERNAL;
    b->parts = np;
    b->parts_cap = cap;
  }
  p = &b->parts[b->nparts++];
  p->index = index;
  memset(&p->where, 0, sizeof(p->where));
  if(w)
    p->where = *w;
  p->off = off;
  p->len = len;
  p->key_off = p->key_len = 0;
  p->ehk_off = (size_t)-1;
  p->next = (size_t)-1;
  return SL_OK;
}

/* ---- KPL carriers ---------------------------------------------------------- */

enum sl_result sl_batch_kpl(struct sl_batch *b, const struct sl_shard_map *map)
{
  if(!map || !map->n || b->n)
    return SL_E_INVALID;
  free(b->open);
  b->open = calloc(map->n, sizeof(*b->open));
  if(!b->open)
    return SL_E_NOMEM;
  b->map = map;
  b->aggregate = 1;
  /* every part keeps its key (and explicit hash key) in the arena */
  b->arena.max = b->lim->max_request_bytes + SL_SEND_MAX_PARTS * ENTRY_OVERHEAD + 1;
  return SL_OK;
}

static size_t shard_of(const struct sl_batch *b, const char *key, const char *ehk)
{
  uint64_t hi = 0, lo = 0;
  size_t s;
  if(!ehk || !sl_kinesis_parse_hash(ehk, &hi, &lo))
    sl_kinesis_key_hash(key, strlen(key), &hi, &lo);
  s = sl_shard_map_find(b->map, hi, lo);
  return s == (size_t)-1 ? 0 : s; /* a gap (resharding): any shard will place it */
}

/* What the record adds to its shard's open carrier (0: it cannot join). */
static size_t kpl_growth(const struct sl_batch *b, size_t shard, size_t len, const char *key,
                         const char *ehk)
{
  const struct sl_send_entry *e;
  const struct sl_send_part *last;
  size_t kl = strlen(key), add;
  int new_key;
  if(!b->open[shard] || b->nparts >= SL_SEND_MAX_PARTS || !b->e[b->open[shard] - 1].kpl)
    return 0;
  e = &b->e[b->open[shard] - 1];
  last = &b->parts[e->part_last];
  /* a key like the last one's is surely in the table already */
  new_key = last->key_len != kl || memcmp(b->arena.data + last->key_off, key, kl);
  add = sl_kpl_added_size(kl, new_key, ehk ? strlen(ehk) : 0, 1, len);
  if(e->len + add + e->key_len > b->lim->max_record_bytes ||
     add > b->lim->max_request_bytes - b->bytes)
    return 0;
  return add;
}

/* A carrier of one record, or the record as it is when even that is over
 * the record limit (the KPL sends those unaggregated too). */
static size_t kpl_first_size(const struct sl_batch *b, size_t len, const char *key,
                             const char *ehk, int *raw)
{
  size_t kl = strlen(key);
  size_t n = SL_KPL_OVERHEAD + sl_kpl_added_size(kl, 1, ehk ? strlen(ehk) : 0, 1, len);
  *raw = n + kl > b->lim->max_record_bytes;
  return *raw ? len + kl : n + kl;
}

int sl_batch_kpl_fits(const struct sl_batch *b, size_t len, const char *key, const char *ehk)
{
  int raw;
  size_t size, shard = shard_of(b, key, ehk);
  if(kpl_growth(b, shard, len, key, ehk))
    return 1;
  /* One service record per shard and request: a retried carrier then
   * still goes before anything later of its shard (per-key order). */
  if(b->open[shard])
    return 0;
  size = kpl_first_size(b, len, key, ehk, &raw);
  return b->nparts < SL_SEND_MAX_PARTS && b->n < b->lim->max_records &&
         size <= b->lim->max_request_bytes - b->bytes;
}

static enum sl_result kpl_add(struct sl_batch *b, const void *data, size_t len, int nl,
                              const char *key, const char *ehk, uint64_t index,
                              const struct sl_send_where *w)
{
  size_t shard = shard_of(b, key, ehk), start = b->arena.len, grow, off, dlen, koff;
  size_t eoff = (size_t)-1;
  enum sl_result r;
  struct sl_send_entry *e;
  grow = kpl_growth(b, shard, len + (size_t)nl, key, ehk);
  if(!grow && (b->n >= b->lim->max_records || b->open[shard]))
    return SL_E_INTERNAL; /* the caller asks sl_batch_kpl_fits first */
  r = sl_buf_add(&b->arena, data, len);
  if(!r && nl)
    r = sl_buf_addc(&b->arena, '\n');
  off = start;
  dlen = b->arena.len - start;
  koff = b->arena.len;
  if(!r) r = sl_buf_add(&b->arena, key, strlen(key) + 1);
  if(!r && ehk) {
    eoff = b->arena.len;
    r = sl_buf_add(&b->arena, ehk, strlen(ehk) + 1);
  }
  if(!r) r = add_part(b, off, dlen, index, w);
  if(r) {
    b->arena.len = start;
    return r;
  }
  b->parts[b->nparts - 1].key_off = koff;
  b->parts[b->nparts - 1].key_len = strlen(key);
  b->parts[b->nparts - 1].ehk_off = eoff;
  if(grow) {
    e = &b->e[b->open[shard] - 1];
    b->parts[e->part_last].next = b->nparts - 1;
    e->part_last = b->nparts - 1;
    e->nparts++;
    e->len += grow;
    b->bytes += grow;
    return SL_OK;
  }
  {
    int raw;
    size_t size = kpl_first_size(b, dlen, key, ehk, &raw);
    e = &b->e[b->n];
    memset(e, 0, sizeof(*e));
    e->off = off;
    e->key_off = koff;
    e->key_len = strlen(key);
    e->ehk_off = eoff;
    e->index = index;
    if(w)
      e->where = *w;
    e->part0 = e->part_last = b->nparts - 1;
    e->nparts = 1;
    e->kpl = !raw;
    e->len = raw ? dlen : size - e->key_len;
    b->bytes += size;
    b->open[shard] = b->n + 1; /* the shard's one entry in this batch */
    b->n++;
  }
  return SL_OK;
}

enum sl_result sl_batch_kpl_encode(const struct sl_batch *b, size_t i, struct sl_buf *out,
                                   struct sl_record *rec)
{
  const struct sl_send_entry *e = &b->e[i];
  struct sl_kpl_record *r = calloc(e->nparts, sizeof(*r));
  size_t j, k = 0;
  enum sl_result res;
  if(!r)
    return SL_E_NOMEM;
  for(j = e->part0; j != (size_t)-1 && k < e->nparts; j = b->parts[j].next, k++) {
    const struct sl_send_part *p = &b->parts[j];
    r[k].key = b->arena.data + p->key_off;
    r[k].key_len = p->key_len;
    r[k].ehk = p->ehk_off != (size_t)-1 ? b->arena.data + p->ehk_off : NULL;
    r[k].ehk_len = r[k].ehk ? strlen(r[k].ehk) : 0;
    r[k].data = b->arena.data + p->off;
    r[k].len = p->len;
  }
  res = k == e->nparts ? sl_kpl_encode(r, k, out) : SL_E_INTERNAL;
  free(r);
  /* The carrier goes where its first record's key puts it: the shard of all. */
  rec->data = NULL;
  rec->len = 0;
  rec->partition_key = b->arena.data + e->key_off;
  rec->explicit_hash_key = e->ehk_off != (size_t)-1 ? b->arena.data + e->ehk_off : NULL;
  return res;
}

enum sl_result sl_batch_add(struct sl_batch *b, const void *data, size_t len, int newline,
                            const char *key, const char *ehk, uint64_t index,
                            const struct sl_send_where *w)
{
  struct sl_send_entry *e;
  int nl = newline && (!len || ((const char *)data)[len - 1] != '\n');
  size_t start = b->arena.len;
  enum sl_result r;
  if(b->map)
    return kpl_add(b, data, len, nl, key, ehk, index, w);
  if(b->aggregate && (key || ehk))
    return SL_E_INTERNAL; /* Firehose only: the entry's data ends the arena */
  if(joins(b, len + (size_t)nl)) {
    e = &b->e[b->n - 1];
    r = sl_buf_add(&b->arena, data, len);
    if(!r && nl)
      r = sl_buf_addc(&b->arena, '\n');
    if(!r)
      r = add_part(b, start, b->arena.len - start, index, w);
    if(r) {
      b->arena.len = start;
      return r;
    }
    e->len += b->arena.len - start;
    b->parts[e->part_last].next = b->nparts - 1;
    e->part_last = b->nparts - 1;
    e->nparts++;
    b->bytes += b->arena.len - start;
    return SL_OK;
  }
  if(b->n >= b->lim->max_records)
    return SL_E_INTERNAL;
  e = &b->e[b->n];
  memset(e, 0, sizeof(*e));
  e->off = start;
  e->ehk_off = (size_t)-1;
  r = sl_buf_add(&b->arena, data, len);
  if(!r && nl)
    r = sl_buf_addc(&b->arena, '\n');
  e->len = b->arena.len - start;
  if(!r && key) {
    e->key_off = b->arena.len;
    e->key_len = strlen(key);
    r = sl_buf_add(&b->arena, key, e->key_len + 1);
  }
  if(!r && ehk) {
    e->ehk_off = b->arena.len;
    r = sl_buf_add(&b->arena, ehk, strlen(ehk) + 1);
  }
  if(!r && b->aggregate) {
    e->part0 = e->part_last = b->nparts;
    e->nparts = 1;
    r = add_part(b, start, e->len, index, w);
  }
  if(r) {
    b->arena.len = start; /* the batch stays as it was */
    return r;
  }
  e->index = index;
  if(w)
    e->where = *w;
  b->bytes += sl_send_record_size(b->lim, e->len, e->key_len);
  b->n++;
  return SL_OK;
}

void sl_batch_record(const struct sl_batch *b, size_t i, struct sl_record *out)
{
  const struct sl_send_entry *e = &b->e[i];
  out->data = b->arena.data + e->off;
  out->len = e->len;
  out->partition_key = e->key_len ? b->arena.data + e->key_off : NULL;
  out->explicit_hash_key = e->ehk_off != (size_t)-1 ? b->arena.data + e->ehk_off : NULL;
}

/* ------------------------------------------------------------------ keys */

/* Random bytes come in blocks: one getrandom call per 256 keys, not per key. */
static _Thread_local unsigned char pool[4096];
static _Thread_local size_t pool_left;

enum sl_result sl_uuid4(char out[37])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char *u;
  int i, k = 0;
  if(pool_left < 16) {
    if(getrandom(pool, sizeof(pool), 0) != (ssize_t)sizeof(pool))
      return SL_E_INTERNAL;
    pool_left = sizeof(pool);
  }
  u = pool + sizeof(pool) - pool_left;
  pool_left -= 16;
  u[6] = (unsigned char)((u[6] & 0x0f) | 0x40); /* version 4 */
  u[8] = (unsigned char)((u[8] & 0x3f) | 0x80); /* RFC 4122 variant */
  for(i = 0; i < 16; i++) {
    if(i == 4 || i == 6 || i == 8 || i == 10)
      out[k++] = '-';
    out[k++] = hex[u[i] >> 4];
    out[k++] = hex[u[i] & 15];
  }
  out[k] = 0;
  return SL_OK;
}

enum sl_result sl_send_key_from_field(const char *json, size_t len, const char *path,
                                      char *key, size_t keymax, size_t *key_len)
{
  struct json_tokener *tok;
  struct json_object *root, *cur;
  enum sl_result r = SL_OK;
  const char *p = path, *v;
  char part[256];
  *key_len = 0;
  if(len > 0x7fffffff || !(tok = json_tokener_new()))
    return SL_E_PARSE;
  root = json_tokener_parse_ex(tok, json, (int)len);
  if(!root || json_tokener_get_error(tok) != json_tokener_success)
    r = SL_E_PARSE;
  else { /* one value, nothing but whitespace after it */
    size_t end = json_tokener_get_parse_end(tok);
    while(end < len && (json[end] == ' ' || json[end] == '\t' || json[end] == '\r' ||
                        json[end] == '\n'))
      end++;
    if(end != len)
      r = SL_E_PARSE;
  }
  json_tokener_free(tok);
  for(cur = root; !r && *p; p += *p == '.') {
    size_t n = strcspn(p, ".");
    if(!n || n >= sizeof(part) || !json_object_is_type(cur, json_type_object)) {
      r = SL_E_NOT_FOUND;
      break;
    }
    memcpy(part, p, n);
    part[n] = 0;
    p += n;
    if(!json_object_object_get_ex(cur, part, &cur))
      r = SL_E_NOT_FOUND;
  }
  if(!r) {
    switch(json_object_get_type(cur)) {
    case json_type_string:
      v = json_object_get_string(cur);
      *key_len = (size_t)json_object_get_string_len(cur);
      break;
    case json_type_int:
    case json_type_double:
    case json_type_boolean:
      v = json_object_to_json_string_ext(cur, JSON_C_TO_STRING_PLAIN);
      *key_len = strlen(v);
      break;
    default:
      v = NULL;
      r = SL_E_NOT_FOUND;
    }
    /* Too long for the buffer: report the length, the caller refuses it. */
    if(v && keymax) {
      size_t n = *key_len < keymax - 1 ? *key_len : keymax - 1;
      memcpy(key, v, n);
      key[n] = 0;
      if(memchr(key, 0, n))
        r = SL_E_INVALID; /* an embedded NUL cannot go in a key */
    }
  }
  if(root)
    json_object_put(root);
  return r;
}
