/* sigv4_canon.c — the SigV4 canonical request: header and query
 * canonicalization, path normalization and encoding, sorting. Written for
 * speed as well as exactness: one scratch arena on the stack, header values
 * normalized straight into the canonical request, no printf. */
#include "sigv4_canon.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>


#define MAX_HEADER_NAME 256
#define INSERTION_SORT_MAX 16

static const char hexdigits[] = "0123456789ABCDEF";

/* Character classes, as a table: every header name byte and every query
 * byte is looked up. T: RFC 9110 tchar (header names, methods); U: SigV4's
 * unreserved set, independent of the locale. */
#define T 1
#define U 2
static const unsigned char cclass[256] = {
  ['!'] = T, ['#'] = T, ['$'] = T, ['%'] = T, ['&'] = T, ['\''] = T, ['*'] = T, ['+'] = T,
  ['^'] = T, ['`'] = T, ['|'] = T, ['-'] = T | U, ['.'] = T | U, ['_'] = T | U, ['~'] = T | U,
  ['0'] = T | U, ['1'] = T | U, ['2'] = T | U, ['3'] = T | U, ['4'] = T | U, ['5'] = T | U,
  ['6'] = T | U, ['7'] = T | U, ['8'] = T | U, ['9'] = T | U,
  ['A'] = T | U, ['B'] = T | U, ['C'] = T | U, ['D'] = T | U, ['E'] = T | U, ['F'] = T | U,
  ['G'] = T | U, ['H'] = T | U, ['I'] = T | U, ['J'] = T | U, ['K'] = T | U, ['L'] = T | U,
  ['M'] = T | U, ['N'] = T | U, ['O'] = T | U, ['P'] = T | U, ['Q'] = T | U, ['R'] = T | U,
  ['S'] = T | U, ['T'] = T | U, ['U'] = T | U, ['V'] = T | U, ['W'] = T | U, ['X'] = T | U,
  ['Y'] = T | U, ['Z'] = T | U,
  ['a'] = T | U, ['b'] = T | U, ['c'] = T | U, ['d'] = T | U, ['e'] = T | U, ['f'] = T | U,
  ['g'] = T | U, ['h'] = T | U, ['i'] = T | U, ['j'] = T | U, ['k'] = T | U, ['l'] = T | U,
  ['m'] = T | U, ['n'] = T | U, ['o'] = T | U, ['p'] = T | U, ['q'] = T | U, ['r'] = T | U,
  ['s'] = T | U, ['t'] = T | U, ['u'] = T | U, ['v'] = T | U, ['w'] = T | U, ['x'] = T | U,
  ['y'] = T | U, ['z'] = T | U,
};
#undef T
#undef U

int sl_sigv4_is_tchar(unsigned char c)
{
  return cclass[c] & 1;
}

static int unreserved(unsigned char c)
{
  return cclass[c] & 2;
}

static int hexval(unsigned char c)
{
  if(c >= '0' && c <= '9') return c - '0';
  if(c >= 'a' && c <= 'f') return c - 'a' + 10;
  if(c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void sl_sigv4_mem_init(struct sl_sigv4_mem *m, size_t max)
{
  m->p = m->local;
  m->len = 0;
  m->cap = sizeof(m->local);
  m->max = max;
  m->on_heap = 0;
}

void sl_sigv4_mem_cleanup(struct sl_sigv4_mem *m)
{
  explicit_bzero(m->p, m->len); /* memset speed, never optimized away */
  if(m->on_heap)
    free(m->p);
  m->p = m->local;
  m->len = 0;
  m->cap = sizeof(m->local);
  m->on_heap = 0;
}

enum sl_result sl_sigv4_mem_grow(struct sl_sigv4_mem *m, size_t n)
{
  size_t need, ncap = m->cap;
  char *np;
  if(n > m->max || m->len > m->max - n)
    return SL_E_TOO_LARGE;
  need = m->len + n;
  if(need <= m->cap)
    return SL_OK;
  while(ncap < need)
    ncap *= 2;
  if(ncap > m->max)
    ncap = m->max;
  np = malloc(ncap);
  if(!np)
    return SL_E_NOMEM;
  memcpy(np, m->p, m->len);
  explicit_bzero(m->p, m->len);
  if(m->on_heap)
    free(m->p);
  m->p = np;
  m->cap = ncap;
  m->on_heap = 1;
  return SL_OK;
}

void sl_sigv4_items_init(struct sl_sigv4_items *l, size_t max)
{
  l->v = l->local;
  l->n = 0;
  l->cap = SL_SIGV4_LOCAL_ITEMS;
  l->max = max;
}

void sl_sigv4_items_cleanup(struct sl_sigv4_items *l)
{
  if(l->v != l->local)
    free(l->v);
  sl_sigv4_items_init(l, l->max);
}

/* Reserves the next item; the caller fills it, then counts it with l->n++. */
static enum sl_result items_next(struct sl_sigv4_items *l, struct sl_sigv4_item **it)
{
  if(l->n == l->max)
    return SL_E_TOO_LARGE;
  if(l->n == l->cap) {
    size_t ncap = l->cap * 2;
    struct sl_sigv4_item *nv = malloc(ncap * sizeof(*nv));
    if(!nv)
      return SL_E_NOMEM;
    memcpy(nv, l->v, l->n * sizeof(*nv));
    if(l->v != l->local)
      free(l->v);
    l->v = nv;
    l->cap = ncap;
  }
  *it = &l->v[l->n];
  memset(*it, 0, sizeof(**it));
  (*it)->idx = l->n;
  return SL_OK;
}

/* The arena stopped moving: offsets become pointers. Header values already
 * point at the caller's strings. */
static void items_fixup(struct sl_sigv4_items *l, const struct sl_sigv4_mem *arena, int values)
{
  size_t i;
  for(i = 0; i < l->n; i++) {
    l->v[i].k = arena->p + l->v[i].koff;
    if(values)
      l->v[i].v = arena->p + l->v[i].voff;
  }
}

static int bytecmp(const char *a, size_t alen, const char *b, size_t blen)
{
  int c = memcmp(a, b, alen < blen ? alen : blen);
  if(c)
    return c;
  return alen < blen ? -1 : alen > blen;
}

/* Headers: by name, then as sent, so duplicates join in their original order. */
static int cmp_header(const void *a, const void *b)
{
  const struct sl_sigv4_item *x = a, *y = b;
  int c = bytecmp(x->k, x->klen, y->k, y->klen);
  if(c)
    return c;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Query parameters: by encoded key, then encoded value, byte order. */
static int cmp_param(const void *a, const void *b)
{
  const struct sl_sigv4_item *x = a, *y = b;
  int c = bytecmp(x->k, x->klen, y->k, y->klen);
  if(!c)
    c = bytecmp(x->v, x->vlen, y->v, y->vlen);
  if(c)
    return c;
  return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Requests carry a handful of headers and parameters: insertion sort beats
 * qsort's calls there; qsort keeps a hostile count from going quadratic. */
static void sort_items(struct sl_sigv4_items *l, int (*cmp)(const void *, const void *))
{
  size_t i, j;
  if(l->n > INSERTION_SORT_MAX) {
    qsort(l->v, l->n, sizeof(l->v[0]), cmp);
    return;
  }
  for(i = 1; i < l->n; i++) {
    struct sl_sigv4_item t = l->v[i];
    for(j = i; j && cmp(&l->v[j - 1], &t) > 0; j--)
      l->v[j] = l->v[j - 1];
    l->v[j] = t;
  }
}

static int name_is(const char *lname, size_t n, const char *want, size_t wlen)
{
  return n == wlen && !memcmp(lname, want, n);
}
#define NAME_IS(l, n, lit) name_is((l), (n), (lit), sizeof(lit) - 1)

/* Never signed: hop-by-hop or rewritten by proxies and clients on the way. */
static int unsigned_header(const char *l, size_t n)
{
  return NAME_IS(l, n, "authorization") || NAME_IS(l, n, "user-agent") ||
         NAME_IS(l, n, "expect") || NAME_IS(l, n, "transfer-encoding") ||
         NAME_IS(l, n, "x-amzn-trace-id");
}

static int name_is_nocase(const char *name, size_t n, const char *want, size_t wlen)
{
  return n == wlen && !strncasecmp(name, want, n);
}
#define NAME_IS_NOCASE(l, n, lit) name_is_nocase((l), (n), (lit), sizeof(lit) - 1)

int sl_sigv4_signer_header(const char *name, size_t n, int add_sha)
{
  return NAME_IS_NOCASE(name, n, "x-amz-date") || NAME_IS_NOCASE(name, n, "x-amz-security-token") ||
         (add_sha && NAME_IS_NOCASE(name, n, "x-amz-content-sha256"));
}

/* The ones the signer sets itself replace whatever the caller had. */
static int replaced_header(const struct sl_sigv4_signing *s, const char *l, size_t n)
{
  return !s->presign && sl_sigv4_signer_header(l, n, s->add_sha);
}

/* Adds one header: the name lowercased into the arena, the value by
 * reference (checked and normalized when the canonical request is written). */
static enum sl_result add_header(struct sl_sigv4_signing *s, const char *name, size_t n,
                                 const char *value, size_t vlen, int ours)
{
  char lname[MAX_HEADER_NAME];
  struct sl_sigv4_item *it;
  enum sl_result r;
  size_t i;
  if(!n || n > MAX_HEADER_NAME)
    return SL_E_INVALID;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if(!(cclass[c] & 1))
      return SL_E_INVALID;
    lname[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
  }
  if(!ours && (unsigned_header(lname, n) || replaced_header(s, lname, n)))
    return SL_OK;
  r = items_next(&s->hdrs, &it);
  if(!r) {
    it->koff = s->arena.len;
    r = sl_sigv4_mem_add(&s->arena, lname, n);
  }
  if(r)
    return r;
  it->klen = n;
  it->v = value;
  it->vlen = vlen;
  s->hdrs.n++;
  return SL_OK;
}

enum sl_result sl_sigv4_collect_headers(struct sl_sigv4_signing *s)
{
  const struct sl_headers *h = s->req->headers;
  const char *token = s->p->creds->session_token;
  enum sl_result r = SL_OK;
  size_t i;
  for(i = 0; i < h->n && !r; i++)
    r = add_header(s, h->v[i].name, strlen(h->v[i].name), h->v[i].value ? h->v[i].value : "",
                   h->v[i].value ? strlen(h->v[i].value) : 0, 0);
  if(!r && !s->presign) {
    r = add_header(s, "x-amz-date", 10, s->amzdate, 16, 1);
    if(!r && token && !s->p->omit_session_token)
      r = add_header(s, "x-amz-security-token", 20, token, s->token_len, 1);
    if(!r && s->add_sha)
      r = add_header(s, "x-amz-content-sha256", 20, s->payload, strlen(s->payload), 1);
  }
  if(r)
    return r;
  items_fixup(&s->hdrs, &s->arena, 0);
  sort_items(&s->hdrs, cmp_header);
  /* Names go in the arena after the items' keys; offsets stay valid. */
  s->names_off = s->arena.len;
  for(i = 0; i < s->hdrs.n && !r; i++) {
    const struct sl_sigv4_item *it = &s->hdrs.v[i];
    if(i && !bytecmp(it->k, it->klen, s->hdrs.v[i - 1].k, s->hdrs.v[i - 1].klen))
      continue;
    if(i)
      r = sl_sigv4_mem_addc(&s->arena, ';');
    /* it->k may move when the arena grows: copy by offset. */
    if(!r) r = sl_sigv4_mem_grow(&s->arena, it->klen);
    if(!r) {
      memcpy(s->arena.p + s->arena.len, s->arena.p + it->koff, it->klen);
      s->arena.len += it->klen;
    }
    items_fixup(&s->hdrs, &s->arena, 0);
  }
  s->names_len = s->arena.len - s->names_off;
  return r;
}

/* One byte as SigV4 encodes it; returns the end of what was written. */
static char *put_encoded(char *o, unsigned char c, int keep_slash)
{
  if(unreserved(c) || (keep_slash && c == '/'))
    *o++ = (char)c;
  else {
    *o++ = '%';
    *o++ = hexdigits[c >> 4];
    *o++ = hexdigits[c & 15];
  }
  return o;
}

/* Appends bytes URI-encoded per SigV4 (with keep_slash, '/' stays). */
static enum sl_result encode_into(struct sl_sigv4_mem *m, const char *s, size_t n, int keep_slash)
{
  enum sl_result r = sl_sigv4_mem_grow(m, 3 * n); /* the worst case, so no check per byte */
  char *o;
  size_t i;
  if(r)
    return r;
  o = m->p + m->len;
  for(i = 0; i < n; i++)
    o = put_encoded(o, (unsigned char)s[i], keep_slash);
  m->len = (size_t)(o - m->p);
  return SL_OK;
}

/* Decodes %XX (a '%' without two hex digits stays literal; '+' stays a
 * plus) and re-encodes in one pass, so "%7e", "~" and "%7E" sign alike. */
static enum sl_result reencode_into(struct sl_sigv4_mem *m, const char *s, size_t n)
{
  enum sl_result r = sl_sigv4_mem_grow(m, 3 * n);
  char *o;
  size_t i;
  if(r)
    return r;
  o = m->p + m->len;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if(c == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
       hexval((unsigned char)s[i + 2]) >= 0) {
      c = (unsigned char)(hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]));
      i += 2;
    }
    o = put_encoded(o, c, 0);
  }
  m->len = (size_t)(o - m->p);
  return SL_OK;
}

/* Our own X-Amz- parameters: all unreserved characters, so the encoded key
 * matches exactly when the decoded one does. */
static int reserved_param(const char *k, size_t n)
{
  return NAME_IS(k, n, "X-Amz-Algorithm") || NAME_IS(k, n, "X-Amz-Credential") ||
         NAME_IS(k, n, "X-Amz-Date") || NAME_IS(k, n, "X-Amz-Expires") ||
         NAME_IS(k, n, "X-Amz-SignedHeaders") || NAME_IS(k, n, "X-Amz-Security-Token") ||
         NAME_IS(k, n, "X-Amz-Signature");
}

/* One parameter from raw (wire) key and value. */
static enum sl_result add_param(struct sl_sigv4_signing *s, const char *k, size_t klen,
                                const char *v, size_t vlen, int raw)
{
  struct sl_sigv4_item *it;
  enum sl_result r = items_next(&s->params, &it);
  if(r)
    return r;
  it->koff = s->arena.len;
  r = raw ? reencode_into(&s->arena, k, klen) : encode_into(&s->arena, k, klen, 0);
  if(r)
    return r;
  it->klen = s->arena.len - it->koff;
  if(raw && s->presign && reserved_param(s->arena.p + it->koff, it->klen))
    return SL_E_INVALID;
  it->voff = s->arena.len;
  r = raw ? reencode_into(&s->arena, v, vlen) : encode_into(&s->arena, v, vlen, 0);
  if(r)
    return r;
  it->vlen = s->arena.len - it->voff;
  s->params.n++;
  return SL_OK;
}

enum sl_result sl_sigv4_parse_query(struct sl_sigv4_signing *s)
{
  const char *q = s->req->query;
  size_t left = q ? strlen(q) : 0;
  enum sl_result r = SL_OK;
  while(left && !r) {
    const char *end = memchr(q, '&', left);
    size_t n = end ? (size_t)(end - q) : left;
    const char *eq = memchr(q, '=', n);
    size_t klen = eq ? (size_t)(eq - q) : n;
    if(n)
      r = add_param(s, q, klen, eq ? eq + 1 : "", eq ? n - klen - 1 : 0, 1);
    left -= end ? n + 1 : n;
    q = end ? end + 1 : q + n;
  }
  return r;
}

/* Presign: our parameters join the request's own before sorting. */
enum sl_result sl_sigv4_add_presign_params(struct sl_sigv4_signing *s)
{
  const struct sl_creds *c = s->p->creds;
  enum sl_result r;
  char *names;
  s->params.max += 7; /* room for ours beyond the caller's limit */
  /* The names are copied out first: adding parameters may move the arena. */
  names = malloc(s->names_len + 1);
  if(!names)
    return SL_E_NOMEM;
  memcpy(names, s->arena.p + s->names_off, s->names_len);
  r = add_param(s, "X-Amz-Algorithm", 15, SL_SIGV4_ALGORITHM, 16, 0);
  if(!r) r = add_param(s, "X-Amz-Credential", 16, s->credential, s->credential_len, 0);
  if(!r) r = add_param(s, "X-Amz-Date", 10, s->amzdate, 16, 0);
  if(!r) r = add_param(s, "X-Amz-SignedHeaders", 19, names, s->names_len, 0);
  if(!r) r = add_param(s, "X-Amz-Expires", 13, s->expires, strlen(s->expires), 0);
  if(!r && c->session_token && !s->p->omit_session_token)
    r = add_param(s, "X-Amz-Security-Token", 20, c->session_token, s->token_len, 0);
  free(names);
  return r;
}

/* Removes "." and ".." segments and empty segments ("//"), keeping a
 * trailing slash when the path ended in one (or in a dot segment). Writes
 * at the arena's end; *off is where it starts. */
static enum sl_result normalize_path(const char *path, struct sl_sigv4_mem *out, size_t *off)
{
  const char *p = path;
  size_t base = out->len;
  int trailing = 0;
  enum sl_result r = SL_OK;
  *off = base;
  while(*p && !r) {
    const char *seg, *end;
    size_t n;
    while(*p == '/')
      p++;
    if(!*p) {
      trailing = 1;
      break;
    }
    seg = p;
    end = strchr(seg, '/');
    n = end ? (size_t)(end - seg) : strlen(seg);
    p = seg + n;
    trailing = !*p;
    if(n == 1 && seg[0] == '.')
      continue;
    if(n == 2 && seg[0] == '.' && seg[1] == '.') {
      while(out->len > base && out->p[out->len - 1] != '/')
        out->len--;
      if(out->len > base)
        out->len--;
      continue;
    }
    trailing = 0;
    r = sl_sigv4_mem_addc(out, '/');
    if(!r)
      r = sl_sigv4_mem_add(out, seg, n);
  }
  if(!r && (out->len == base || trailing))
    r = sl_sigv4_mem_addc(out, '/');
  return r;
}

static enum sl_result canonical_path(struct sl_sigv4_signing *s)
{
  const char *path = s->req->path && s->req->path[0] ? s->req->path : "/";
  size_t off = 0;
  enum sl_result r;
  /* S3 signs the key exactly as it goes on the wire. */
  if(s->p->s3_rules)
    return sl_sigv4_mem_add(&s->canon, path, strlen(path));
  if(!s->p->normalize_path)
    return encode_into(&s->canon, path, strlen(path), 1);
  r = normalize_path(path, &s->arena, &off);
  if(!r)
    r = encode_into(&s->canon, s->arena.p + off, s->arena.len - off, 1);
  s->arena.len = off; /* scratch only */
  return r;
}

static enum sl_result canonical_query(struct sl_sigv4_signing *s)
{
  enum sl_result r = SL_OK;
  size_t i;
  items_fixup(&s->params, &s->arena, 1);
  sort_items(&s->params, cmp_param);
  for(i = 0; i < s->params.n && !r; i++) {
    const struct sl_sigv4_item *it = &s->params.v[i];
    r = sl_sigv4_mem_grow(&s->canon, it->klen + it->vlen + 2);
    if(!r) {
      char *o = s->canon.p + s->canon.len;
      if(i)
        *o++ = '&';
      memcpy(o, it->k, it->klen);
      o += it->klen;
      *o++ = '=';
      memcpy(o, it->v, it->vlen);
      s->canon.len = (size_t)(o + it->vlen - s->canon.p);
    }
  }
  return r;
}

/* A value trimmed, inner runs of blanks made one space; control characters
 * other than tab would let a value smuggle in another header. */
static enum sl_result header_value(struct sl_sigv4_mem *m, const char *v, size_t n)
{
  enum sl_result r = sl_sigv4_mem_grow(m, n);
  char *o, *start;
  int pending = 0;
  size_t i;
  if(r)
    return r;
  o = start = m->p + m->len;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)v[i];
    if(c > ' ' && c < 0x7f) { /* the common case: a run of visible bytes */
      size_t j = i + 1;
      while(j < n && (unsigned char)v[j] > ' ' && (unsigned char)v[j] < 0x7f)
        j++;
      if(pending) {
        *o++ = ' ';
        pending = 0;
      }
      memcpy(o, v + i, j - i);
      o += j - i;
      i = j - 1;
      continue;
    }
    if(c == ' ' || c == '\t') {
      pending = o > start;
      continue;
    }
    if(c < 0x20 || c == 0x7f)
      return SL_E_INVALID;
    if(pending) {
      *o++ = ' ';
      pending = 0;
    }
    *o++ = (char)c;
  }
  m->len = (size_t)(o - m->p);
  return SL_OK;
}

static enum sl_result canonical_headers(struct sl_sigv4_signing *s)
{
  enum sl_result r = SL_OK;
  size_t i;
  for(i = 0; i < s->hdrs.n && !r; i++) {
    const struct sl_sigv4_item *it = &s->hdrs.v[i];
    int dup = i && !bytecmp(it->k, it->klen, s->hdrs.v[i - 1].k, s->hdrs.v[i - 1].klen);
    r = sl_sigv4_mem_grow(&s->canon, it->klen + 2);
    if(!r) {
      char *o = s->canon.p + s->canon.len;
      if(dup)
        *o++ = ',';
      else {
        if(i)
          *o++ = '\n';
        memcpy(o, it->k, it->klen);
        o += it->klen;
        *o++ = ':';
      }
      s->canon.len = (size_t)(o - s->canon.p);
      r = header_value(&s->canon, it->v, it->vlen);
    }
  }
  if(!r && s->hdrs.n)
    r = sl_sigv4_mem_addc(&s->canon, '\n');
  return r;
}

enum sl_result sl_sigv4_canonical_request(struct sl_sigv4_signing *s)
{
  enum sl_result r = sl_sigv4_mem_add(&s->canon, s->req->method, strlen(s->req->method));
  if(!r) r = sl_sigv4_mem_addc(&s->canon, '\n');
  if(!r) r = canonical_path(s);
  if(!r) r = sl_sigv4_mem_addc(&s->canon, '\n');
  if(!r) r = canonical_query(s);
  if(!r) r = sl_sigv4_mem_addc(&s->canon, '\n');
  if(!r) r = canonical_headers(s);
  if(!r) r = sl_sigv4_mem_addc(&s->canon, '\n');
  if(!r) r = sl_sigv4_mem_add(&s->canon, s->arena.p + s->names_off, s->names_len);
  if(!r) r = sl_sigv4_mem_addc(&s->canon, '\n');
  if(!r) r = sl_sigv4_mem_add(&s->canon, s->payload, strlen(s->payload));
  return r;
}
