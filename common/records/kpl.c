/* kpl.c — the KPL aggregation format (sluice/kpl.h): a protobuf written and
 * read by hand, since three fields of two messages are all it takes. The
 * encoder writes the key tables first, then the records (the KPL's order);
 * the decoder accepts the fields in any order and skips the ones it does
 * not know (tags), as protobuf readers must. */
#include "sluice/kpl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#define MD5_LEN 16

static size_t varint_len(uint64_t v)
{
  size_t n = 1;
  while(v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

static enum sl_result put_varint(struct sl_buf *out, uint64_t v)
{
  unsigned char b[10];
  size_t n = 0;
  while(v >= 0x80) {
    b[n++] = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  b[n++] = (unsigned char)v;
  return sl_buf_add(out, b, n);
}

static enum sl_result put_bytes(struct sl_buf *out, unsigned tag, const void *p, size_t n)
{
  enum sl_result r = sl_buf_addc(out, (char)tag);
  if(!r) r = put_varint(out, n);
  if(!r && n) r = sl_buf_add(out, p, n);
  return r;
}

static size_t record_len(size_t key_index, int has_ehk, size_t ehk_index, size_t data_len)
{
  return 1 + varint_len(key_index) + (has_ehk ? 1 + varint_len(ehk_index) : 0) + 1 +
         varint_len(data_len) + data_len;
}

size_t sl_kpl_added_size(size_t key_len, int new_key, size_t ehk_len, int new_ehk,
                         size_t data_len)
{
  /* Indexes are counted at their widest likely size (2 bytes: up to 16383
   * keys), so the estimate never falls short. */
  size_t rec = 1 + 2 + (ehk_len ? 1 + 2 : 0) + 1 + varint_len(data_len) + data_len;
  size_t n = 1 + varint_len(rec) + rec;
  if(new_key)
    n += 1 + varint_len(key_len) + key_len;
  if(new_ehk && ehk_len)
    n += 1 + varint_len(ehk_len) + ehk_len;
  return n;
}

/* ---- the key tables ------------------------------------------------------ */

/* Open addressing over the records' keys: index of the first record with
 * the same key, so each key gets one table slot. */
struct table {
  size_t *slot;     /* record index + 1; 0 empty */
  size_t mask;
  size_t *index;    /* per record: its key's table index */
  size_t count;
};

static uint64_t hash(const char *p, size_t n)
{
  uint64_t h = 1469598103934665603ull;
  while(n--)
    h = (h ^ (unsigned char)*p++) * 1099511628211ull;
  return h;
}

static enum sl_result table_build(struct table *t, const struct sl_kpl_record *r, size_t n,
                                  int ehk)
{
  size_t cap = 16, i;
  while(cap < 2 * n)
    cap *= 2;
  memset(t, 0, sizeof(*t));
  t->slot = calloc(cap, sizeof(*t->slot));
  t->index = calloc(n ? n : 1, sizeof(*t->index));
  if(!t->slot || !t->index)
    return SL_E_NOMEM;
  t->mask = cap - 1;
  for(i = 0; i < n; i++) {
    const char *k = ehk ? r[i].ehk : r[i].key;
    size_t kl = ehk ? r[i].ehk_len : r[i].key_len, s;
    if(ehk && !k)
      continue;
    for(s = hash(k, kl) & t->mask;; s = (s + 1) & t->mask) {
      size_t j = t->slot[s];
      if(!j) {
        t->slot[s] = i + 1;
        t->index[i] = t->count++;
        break;
      }
      j--;
      if((ehk ? r[j].ehk_len : r[j].key_len) == kl &&
         !memcmp(ehk ? r[j].ehk : r[j].key, k, kl)) {
        t->index[i] = t->index[j];
        break;
      }
    }
  }
  return SL_OK;
}

static void table_free(struct table *t)
{
  free(t->slot);
  free(t->index);
}

/* ---- encode -------------------------------------------------------------- */

enum sl_result sl_kpl_encode(const struct sl_kpl_record *r, size_t n, struct sl_buf *out)
{
  struct table keys, ehks;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  size_t i, next, start;
  enum sl_result res = table_build(&keys, r, n, 0);
  if(!res) res = table_build(&ehks, r, n, 1);
  else
    memset(&ehks, 0, sizeof(ehks));
  if(!res) res = sl_buf_add(out, SL_KPL_MAGIC, 4);
  start = out->len;
  /* each table in index order: the records that brought a new entry */
  for(i = 0, next = 0; !res && i < n; i++)
    if(keys.index[i] == next) {
      res = put_bytes(out, 0x0A, r[i].key, r[i].key_len);
      next++;
    }
  for(i = 0, next = 0; !res && i < n; i++)
    if(r[i].ehk && ehks.index[i] == next) {
      res = put_bytes(out, 0x12, r[i].ehk, r[i].ehk_len);
      next++;
    }
  for(i = 0; !res && i < n; i++) {
    int has_ehk = r[i].ehk != NULL;
    res = sl_buf_addc(out, 0x1A);
    if(!res) res = put_varint(out, record_len(keys.index[i], has_ehk, ehks.index[i], r[i].len));
    if(!res) res = sl_buf_addc(out, 0x08);
    if(!res) res = put_varint(out, keys.index[i]);
    if(!res && has_ehk) res = sl_buf_addc(out, 0x10);
    if(!res && has_ehk) res = put_varint(out, ehks.index[i]);
    if(!res) res = put_bytes(out, 0x1A, r[i].data, r[i].len);
  }
  if(!res && !EVP_Digest(out->data + start, out->len - start, md, &mdlen, EVP_md5(), NULL))
    res = SL_E_INTERNAL;
  if(!res) res = sl_buf_add(out, md, MD5_LEN);
  table_free(&keys);
  table_free(&ehks);
  return res;
}

/* ---- decode -------------------------------------------------------------- */

struct span {
  const unsigned char *p;
  size_t n;
};

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
  int shift = 0;
  *v = 0;
  while(*p < end && shift < 64) {
    unsigned char b = *(*p)++;
    *v |= (uint64_t)(b & 0x7f) << shift;
    if(!(b & 0x80))
      return 1;
    shift += 7;
  }
  return 0;
}

/* One field: its number, wire type and, for length-delimited ones, the
 * bytes; other wire types are skipped. 0 when cut off or malformed. */
static int get_field(const unsigned char **p, const unsigned char *end, uint64_t *num,
                     unsigned *wt, uint64_t *val, struct span *s)
{
  uint64_t key, len;
  if(!get_varint(p, end, &key))
    return 0;
  *num = key >> 3;
  *wt = (unsigned)(key & 7);
  switch(*wt) {
  case 0:
    return get_varint(p, end, val);
  case 1:
  case 5:
    len = *wt == 1 ? 8 : 4;
    if((uint64_t)(end - *p) < len)
      return 0;
    *p += len;
    return 1;
  case 2:
    if(!get_varint(p, end, &len) || len > (uint64_t)(end - *p))
      return 0;
    s->p = *p;
    s->n = (size_t)len;
    *p += len;
    return 1;
  default:
    return 0;
  }
}

static enum sl_result push(struct span **a, size_t *n, size_t *cap, struct span s)
{
  if(*n == *cap) {
    size_t c = *cap ? *cap * 2 : 16;
    void *q = realloc(*a, c * sizeof(**a));
    if(!q)
      return SL_E_NOMEM;
    *a = q;
    *cap = c;
  }
  (*a)[(*n)++] = s;
  return SL_OK;
}

/* One Record message against the tables. */
static enum sl_result parse_record(const struct span *sp, const struct span *keys, size_t nk,
                                   const struct span *ehks, size_t ne, struct sl_kpl_record *rec)
{
  const unsigned char *rp = sp->p, *re = sp->p + sp->n;
  uint64_t ki = 0, ei = 0;
  int has_k = 0, has_e = 0, has_d = 0;
  struct span d = { NULL, 0 };
  while(rp < re) {
    uint64_t num, val = 0;
    unsigned wt;
    struct span s = { NULL, 0 };
    if(!get_field(&rp, re, &num, &wt, &val, &s) || ((num == 1 || num == 2) && wt != 0) ||
       (num == 3 && wt != 2))
      return SL_E_PARSE;
    if(num == 1) {
      ki = val;
      has_k = 1;
    }
    else if(num == 2) {
      ei = val;
      has_e = 1;
    }
    else if(num == 3) {
      d = s;
      has_d = 1;
    }
  }
  if(!has_k || !has_d || ki >= nk || (has_e && ei >= ne))
    return SL_E_PARSE;
  rec->key = (const char *)keys[ki].p;
  rec->key_len = keys[ki].n;
  rec->ehk = has_e ? (const char *)ehks[ei].p : NULL;
  rec->ehk_len = has_e ? ehks[ei].n : 0;
  rec->data = d.p ? (const void *)d.p : (const void *)"";
  rec->len = d.n;
  return SL_OK;
}

enum sl_result sl_kpl_decode(const void *data, size_t n,
                             enum sl_result (*on_record)(void *ud, size_t i,
                                                         const struct sl_kpl_record *r),
                             void *ud)
{
  const unsigned char *p = data, *end, *q;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned mdlen = 0;
  struct span *keys = NULL, *ehks = NULL, *recs = NULL;
  size_t nk = 0, ck = 0, ne = 0, ce = 0, nr = 0, cr = 0, i;
  enum sl_result r = SL_OK;
  if(n < SL_KPL_OVERHEAD || memcmp(p, SL_KPL_MAGIC, 4))
    return SL_E_UNSUPPORTED;
  if(!EVP_Digest(p + 4, n - SL_KPL_OVERHEAD, md, &mdlen, EVP_md5(), NULL))
    return SL_E_INTERNAL;
  if(memcmp(md, p + n - MD5_LEN, MD5_LEN))
    return SL_E_UNSUPPORTED; /* not ours to take apart: an ordinary record */
  q = p + 4;
  end = p + n - MD5_LEN;
  while(!r && q < end) {
    uint64_t num, val;
    unsigned wt;
    struct span s = { NULL, 0 };
    if(!get_field(&q, end, &num, &wt, &val, &s))
      r = SL_E_PARSE;
    else if(num >= 1 && num <= 3 && wt != 2)
      r = SL_E_PARSE;
    else if(num == 1)
      r = push(&keys, &nk, &ck, s);
    else if(num == 2)
      r = push(&ehks, &ne, &ce, s);
    else if(num == 3)
      r = push(&recs, &nr, &cr, s);
  }
  /* All checked before the first is told: a broken one makes the whole an
   * error, never half delivered. */
  for(i = 0; !r && i < nr; i++) {
    struct sl_kpl_record rec;
    r = parse_record(&recs[i], keys, nk, ehks, ne, &rec);
  }
  for(i = 0; !r && i < nr; i++) {
    struct sl_kpl_record rec;
    parse_record(&recs[i], keys, nk, ehks, ne, &rec);
    r = on_record(ud, i, &rec);
  }
  free(keys);
  free(ehks);
  free(recs);
  return r;
}
