/* sigv4_canon.c — the SigV4 canonical request: header and query
 * canonicalization, path normalization and encoding, sorting. */
#include "sigv4_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_HEADER_NAME 256

int sl_sigv4_is_tchar(unsigned char c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c && strchr("!#$%&'*+-.^_`|~", c));
}

enum sl_result sl_sigv4_items_init(struct sl_sigv4_items *l, size_t max)
{
  l->v = NULL;
  l->n = l->cap = 0;
  l->max = max;
  return sl_buf_init(&l->arena, SL_SIGV4_MAX_CANONICAL);
}

void sl_sigv4_items_cleanup(struct sl_sigv4_items *l)
{
  free(l->v);
  l->v = NULL;
  l->n = l->cap = 0;
  /* Header values may hold a session token. */
  sl_buf_cleanup_secret(&l->arena);
}

/* Reserves the next item at the arena's end; the caller appends key and
 * value there, sets the lengths, then counts it with l->n++. */
static enum sl_result items_begin(struct sl_sigv4_items *l, struct sl_sigv4_item **it)
{
  if(l->n == l->max)
    return SL_E_TOO_LARGE;
  if(l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 16;
    struct sl_sigv4_item *nv = realloc(l->v, ncap * sizeof(*nv));
    if(!nv)
      return SL_E_NOMEM;
    l->v = nv;
    l->cap = ncap;
  }
  *it = &l->v[l->n];
  memset(*it, 0, sizeof(**it));
  (*it)->idx = l->n;
  (*it)->koff = l->arena.len;
  return SL_OK;
}

static void items_fixup(struct sl_sigv4_items *l)
{
  size_t i;
  for(i = 0; i < l->n; i++) {
    l->v[i].k = l->arena.data + l->v[i].koff;
    l->v[i].v = l->arena.data + l->v[i].voff;
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

/* Never signed: hop-by-hop or rewritten by proxies and clients on the way. */
static int unsigned_header(const char *lname)
{
  static const char *const skip[] = {
    "authorization", "user-agent", "expect", "transfer-encoding", "x-amzn-trace-id", NULL
  };
  size_t i;
  for(i = 0; skip[i]; i++)
    if(!strcmp(lname, skip[i]))
      return 1;
  return 0;
}

/* Adds one header: name lowercased, value trimmed with inner runs of
 * whitespace collapsed to one space. */
static enum sl_result add_header(struct sl_sigv4_items *l, const char *name, const char *value)
{
  char lname[MAX_HEADER_NAME + 1];
  size_t i, n = strlen(name);
  struct sl_sigv4_item *it;
  enum sl_result r;
  int pending_space = 0;
  if(!n || n > MAX_HEADER_NAME)
    return SL_E_INVALID;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)name[i];
    if(!sl_sigv4_is_tchar(c))
      return SL_E_INVALID;
    lname[i] = (char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
  }
  lname[n] = 0;
  if(unsigned_header(lname))
    return SL_OK;
  r = items_begin(l, &it);
  if(!r) r = sl_buf_add(&l->arena, lname, n);
  if(r)
    return r;
  it->klen = n;
  it->voff = l->arena.len;
  /* Whole runs of non-blank bytes at a time: values can be long (tokens). */
  for(i = 0; value[i] && !r;) {
    size_t run = i;
    if(value[i] == ' ' || value[i] == '\t') {
      pending_space = l->arena.len > it->voff;
      i++;
      continue;
    }
    for(; value[run] && value[run] != ' ' && value[run] != '\t'; run++) {
      unsigned char c = (unsigned char)value[run];
      /* CR/LF or other controls would let a value smuggle in another header. */
      if(c < 0x20 || c == 0x7f)
        return SL_E_INVALID;
    }
    if(pending_space)
      r = sl_buf_addc(&l->arena, ' ');
    if(!r)
      r = sl_buf_add(&l->arena, value + i, run - i);
    pending_space = 0;
    i = run;
  }
  if(r)
    return r;
  it->vlen = l->arena.len - it->voff;
  l->n++;
  return SL_OK;
}

/* Adds one query parameter from decoded bytes, encoded per SigV4. */
static enum sl_result add_param(struct sl_sigv4_items *l, const char *k, size_t klen,
                                const char *v, size_t vlen)
{
  struct sl_sigv4_item *it;
  enum sl_result r = items_begin(l, &it);
  if(!r) r = sl_uri_encode(&l->arena, k, klen, 0);
  if(r)
    return r;
  it->klen = l->arena.len - it->koff;
  it->voff = l->arena.len;
  r = sl_uri_encode(&l->arena, v, vlen, 0);
  if(r)
    return r;
  it->vlen = l->arena.len - it->voff;
  l->n++;
  return SL_OK;
}

static int reserved_param(const char *k, size_t n)
{
  static const char *const ours[] = {
    "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
    "X-Amz-SignedHeaders", "X-Amz-Security-Token", "X-Amz-Signature", NULL
  };
  size_t i;
  for(i = 0; ours[i]; i++)
    if(strlen(ours[i]) == n && !memcmp(ours[i], k, n))
      return 1;
  return 0;
}

/* Splits the raw query on '&' and '=', decodes each side and re-encodes it,
 * so "%7e", "~" and "%7E" all sign alike. '+' stays a literal plus. */
enum sl_result sl_sigv4_parse_query(struct sl_sigv4_signing *s)
{
  const char *q = s->req->query;
  enum sl_result r = SL_OK;
  while(q && *q && !r) {
    const char *end = strchr(q, '&');
    const char *eq;
    size_t n = end ? (size_t)(end - q) : strlen(q);
    size_t klen;
    eq = memchr(q, '=', n);
    klen = eq ? (size_t)(eq - q) : n;
    if(n) {
      size_t kdec;
      sl_buf_reset(&s->tmp);
      r = sl_uri_decode(&s->tmp, q, klen, 0);
      kdec = s->tmp.len;
      if(!r && eq)
        r = sl_uri_decode(&s->tmp, eq + 1, n - klen - 1, 0);
      if(!r && s->presign && reserved_param(s->tmp.data, kdec))
        r = SL_E_INVALID;
      if(!r)
        r = add_param(&s->params, s->tmp.data, kdec, s->tmp.data + kdec, s->tmp.len - kdec);
    }
    q = end ? end + 1 : NULL;
  }
  return r;
}

static int is_header(const char *name, const char *want)
{
  return !strcasecmp(name, want);
}

enum sl_result sl_sigv4_collect_headers(struct sl_sigv4_signing *s)
{
  const struct sl_headers *h = s->req->headers;
  const char *token = s->p->creds->session_token;
  enum sl_result r = SL_OK;
  size_t i;
  for(i = 0; i < h->n && !r; i++) {
    const char *name = h->v[i].name;
    /* The ones we are about to set replace whatever the caller had. */
    if(!s->presign && (is_header(name, "x-amz-date") || is_header(name, "x-amz-security-token") ||
                       (s->add_sha && is_header(name, "x-amz-content-sha256"))))
      continue;
    r = add_header(&s->hdrs, name, h->v[i].value ? h->v[i].value : "");
  }
  if(!r && !s->presign) {
    r = add_header(&s->hdrs, "x-amz-date", s->amzdate);
    if(!r && token && !s->p->omit_session_token)
      r = add_header(&s->hdrs, "x-amz-security-token", token);
    if(!r && s->add_sha)
      r = add_header(&s->hdrs, "x-amz-content-sha256", s->payload);
  }
  if(r)
    return r;
  items_fixup(&s->hdrs);
  if(s->hdrs.n > 1)
    qsort(s->hdrs.v, s->hdrs.n, sizeof(struct sl_sigv4_item), cmp_header);
  for(i = 0; i < s->hdrs.n && !r; i++)
    if(!i || bytecmp(s->hdrs.v[i].k, s->hdrs.v[i].klen, s->hdrs.v[i - 1].k, s->hdrs.v[i - 1].klen)) {
      if(i)
        r = sl_buf_addc(&s->names, ';');
      if(!r)
        r = sl_buf_add(&s->names, s->hdrs.v[i].k, s->hdrs.v[i].klen);
    }
  return r;
}

/* Presign: our parameters join the request's own before sorting. */
enum sl_result sl_sigv4_add_presign_params(struct sl_sigv4_signing *s)
{
  const struct sl_creds *c = s->p->creds;
  char expires[24];
  enum sl_result r;
  s->params.max += 7; /* room for ours beyond the caller's limit */
  sl_buf_reset(&s->tmp);
  r = sl_buf_printf(&s->tmp, "%s/%s", c->access_key_id, s->scope);
  if(!r) r = add_param(&s->params, "X-Amz-Algorithm", 15, SL_SIGV4_ALGORITHM, strlen(SL_SIGV4_ALGORITHM));
  if(!r) r = add_param(&s->params, "X-Amz-Credential", 16, s->tmp.data, s->tmp.len);
  if(!r) r = add_param(&s->params, "X-Amz-Date", 10, s->amzdate, strlen(s->amzdate));
  if(!r) r = add_param(&s->params, "X-Amz-SignedHeaders", 19, s->names.data, s->names.len);
  if(!r) {
    snprintf(expires, sizeof(expires), "%ld", s->p->expires);
    r = add_param(&s->params, "X-Amz-Expires", 13, expires, strlen(expires));
  }
  if(!r && c->session_token && !s->p->omit_session_token)
    r = add_param(&s->params, "X-Amz-Security-Token", 20, c->session_token,
                  strlen(c->session_token));
  return r;
}

/* Removes "." and ".." segments and empty segments ("//"), keeping a
 * trailing slash when the path ended in one (or in a dot segment). */
static enum sl_result normalize_path(const char *path, struct sl_buf *out)
{
  const char *p = path;
  int trailing = 0;
  enum sl_result r = SL_OK;
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
      while(out->len && out->data[out->len - 1] != '/')
        out->len--;
      if(out->len)
        out->len--;
      out->data[out->len] = 0;
      continue;
    }
    trailing = 0;
    r = sl_buf_addc(out, '/');
    if(!r)
      r = sl_buf_add(out, seg, n);
  }
  if(!r && (!out->len || trailing))
    r = sl_buf_addc(out, '/');
  return r;
}

static enum sl_result canonical_path(struct sl_sigv4_signing *s)
{
  const char *path = s->req->path && s->req->path[0] ? s->req->path : "/";
  enum sl_result r;
  /* S3 signs the key exactly as it goes on the wire. */
  if(s->p->s3_rules)
    return sl_buf_adds(&s->canon, path);
  if(!s->p->normalize_path)
    return sl_uri_encode(&s->canon, path, strlen(path), 1);
  sl_buf_reset(&s->tmp);
  r = normalize_path(path, &s->tmp);
  if(!r)
    r = sl_uri_encode(&s->canon, s->tmp.data, s->tmp.len, 1);
  return r;
}

static enum sl_result canonical_query(struct sl_sigv4_signing *s)
{
  enum sl_result r = SL_OK;
  size_t i;
  items_fixup(&s->params);
  if(s->params.n > 1) /* qsort wants a non-NULL base even for nothing */
    qsort(s->params.v, s->params.n, sizeof(struct sl_sigv4_item), cmp_param);
  for(i = 0; i < s->params.n && !r; i++) {
    const struct sl_sigv4_item *it = &s->params.v[i];
    if(i)
      r = sl_buf_addc(&s->canon, '&');
    if(!r) r = sl_buf_add(&s->canon, it->k, it->klen);
    if(!r) r = sl_buf_addc(&s->canon, '=');
    if(!r) r = sl_buf_add(&s->canon, it->v, it->vlen);
  }
  return r;
}

static enum sl_result canonical_headers(struct sl_sigv4_signing *s)
{
  enum sl_result r = SL_OK;
  size_t i;
  for(i = 0; i < s->hdrs.n && !r; i++) {
    const struct sl_sigv4_item *it = &s->hdrs.v[i];
    int dup = i && !bytecmp(it->k, it->klen, s->hdrs.v[i - 1].k, s->hdrs.v[i - 1].klen);
    if(dup)
      r = sl_buf_addc(&s->canon, ',');
    else {
      if(i)
        r = sl_buf_addc(&s->canon, '\n');
      if(!r) r = sl_buf_add(&s->canon, it->k, it->klen);
      if(!r) r = sl_buf_addc(&s->canon, ':');
    }
    if(!r) r = sl_buf_add(&s->canon, it->v, it->vlen);
  }
  if(!r && s->hdrs.n)
    r = sl_buf_addc(&s->canon, '\n');
  return r;
}

enum sl_result sl_sigv4_canonical_request(struct sl_sigv4_signing *s)
{
  enum sl_result r = sl_buf_adds(&s->canon, s->req->method);
  if(!r) r = sl_buf_addc(&s->canon, '\n');
  if(!r) r = canonical_path(s);
  if(!r) r = sl_buf_addc(&s->canon, '\n');
  if(!r) r = canonical_query(s);
  if(!r) r = sl_buf_addc(&s->canon, '\n');
  if(!r) r = canonical_headers(s);
  if(!r) r = sl_buf_addc(&s->canon, '\n');
  if(!r) r = sl_buf_addv(&s->canon, (struct sl_view){ s->names.data, s->names.len });
  if(!r) r = sl_buf_addc(&s->canon, '\n');
  if(!r) r = sl_buf_adds(&s->canon, s->payload);
  return r;
}
