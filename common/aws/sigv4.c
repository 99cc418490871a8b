/* sigv4.c — AWS Signature Version 4 on OpenSSL 3: input checks, string to
 * sign, derived-key cache, Authorization header and presigned queries.
 * Canonicalization lives in sigv4_canon.c. */
#include "sluice/sigv4.h"
#include "sigv4_canon.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_*: see sha256() below */
#include <openssl/crypto.h>
#include <openssl/sha.h>

#define MAX_SECRET 256
#define MAX_METHOD 32
#define MAX_EXPIRES 604800L  /* seven days, the service maximum */
#define CACHE_SLOTS 8

/* An HMAC key as the two hash states after its inner and outer pads: a
 * cached signing key then costs two short hashes per signature. */
struct hmac_key {
  SHA256_CTX inner, outer;
};

struct cache_slot {
  char date[9];
  char region[SL_SIGV4_MAX_SCOPE_PART + 1];
  char service[SL_SIGV4_MAX_SCOPE_PART + 1];
  /* The secret itself tells entries apart (refreshed credentials never
   * reuse an old key). A salted HMAC of it did that too but cost a fifth of
   * a cached signature; the slot is zeroed on eviction and free, like the
   * derived key beside it, which signs as well as the secret for a day. */
  char secret[MAX_SECRET + 1];
  size_t secret_len;
  struct hmac_key key;
  unsigned long used;           /* LRU tick; 0 = empty */
};

struct sl_sigv4_cache {
  pthread_mutex_t lock;
  unsigned long tick;
  unsigned long hits, misses;
  struct cache_slot slot[CACHE_SLOTS];
};

void sl_sigv4_debug_init(struct sl_sigv4_debug *d)
{
  memset(d, 0, sizeof(*d));
  /* A failed init leaves an empty buffer that still grows on first use. */
  sl_buf_init(&d->canonical_request, SL_SIGV4_MAX_CANONICAL);
  sl_buf_init(&d->string_to_sign, SL_SIGV4_MAX_CANONICAL);
}

void sl_sigv4_debug_cleanup(struct sl_sigv4_debug *d)
{
  sl_buf_cleanup(&d->canonical_request);
  sl_buf_cleanup(&d->string_to_sign);
  memset(d->signature, 0, sizeof(d->signature));
}

/* SHA-256 and HMAC-SHA256 on OpenSSL's one-shot SHA256_* functions over a
 * stack context. They are deprecated in OpenSSL 3 in favour of EVP, but EVP
 * allocates and frees a provider context for every digest, which costs more
 * than hashing SigV4's few hundred bytes; these use the same assembly
 * (SHA-NI where the CPU has it) with no allocation. */
static void sha256(const void *data, size_t n, unsigned char out[32])
{
  SHA256_CTX c; /* not SHA256(): in OpenSSL 3 that one goes through EVP */
  SHA256_Init(&c);
  SHA256_Update(&c, data, n);
  SHA256_Final(out, &c);
}

void sl_sha256_hex(const void *data, size_t n, char out[65])
{
  unsigned char md[32];
  sha256(data ? data : "", n, md);
  sl_hex(md, sizeof(md), out);
}

static void hmac_key_init(struct hmac_key *k, const void *key, size_t klen)
{
  unsigned char block[64], kh[32];
  const unsigned char *kp = key;
  size_t i;
  if(klen > sizeof(block)) {
    sha256(key, klen, kh);
    kp = kh;
    klen = sizeof(kh);
  }
  memset(block, 0x36, sizeof(block));
  for(i = 0; i < klen; i++)
    block[i] ^= kp[i];
  SHA256_Init(&k->inner);
  SHA256_Update(&k->inner, block, sizeof(block));
  for(i = 0; i < sizeof(block); i++)
    block[i] ^= 0x36 ^ 0x5c;
  SHA256_Init(&k->outer);
  SHA256_Update(&k->outer, block, sizeof(block));
  explicit_bzero(block, sizeof(block));
  explicit_bzero(kh, sizeof(kh));
}

static void hmac_final(const struct hmac_key *k, const void *data, size_t n,
                       unsigned char out[32])
{
  SHA256_CTX c = k->inner;
  unsigned char ih[32];
  SHA256_Update(&c, data, n);
  SHA256_Final(ih, &c);
  c = k->outer;
  SHA256_Update(&c, ih, sizeof(ih));
  SHA256_Final(out, &c);
  explicit_bzero(&c, sizeof(c));
  explicit_bzero(ih, sizeof(ih));
}

static void hmac256(const void *key, size_t klen, const void *data, size_t n,
                    unsigned char out[32])
{
  struct hmac_key k;
  hmac_key_init(&k, key, klen);
  hmac_final(&k, data, n, out);
  explicit_bzero(&k, sizeof(k));
}

struct sl_sigv4_cache *sl_sigv4_cache_new(void)
{
  struct sl_sigv4_cache *c = calloc(1, sizeof(*c));
  if(!c)
    return NULL;
  if(pthread_mutex_init(&c->lock, NULL)) {
    free(c);
    return NULL;
  }
  return c;
}

void sl_sigv4_cache_free(struct sl_sigv4_cache *c)
{
  if(!c)
    return;
  pthread_mutex_destroy(&c->lock);
  explicit_bzero(c, sizeof(*c));
  free(c);
}

void sl_sigv4_cache_stats(struct sl_sigv4_cache *c, unsigned long *hits,
                          unsigned long *misses)
{
  if(hits)
    *hits = 0;
  if(misses)
    *misses = 0;
  if(!c)
    return;
  pthread_mutex_lock(&c->lock);
  if(hits)
    *hits = c->hits;
  if(misses)
    *misses = c->misses;
  pthread_mutex_unlock(&c->lock);
}

/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request") */
static void derive_key(const struct sl_sigv4_signing *s, struct hmac_key *key)
{
  const struct sl_sigv4_params *p = s->p;
  char ksecret[4 + MAX_SECRET];
  size_t slen = strlen(p->creds->secret_access_key);
  unsigned char k1[32], k2[32];
  memcpy(ksecret, "AWS4", 4);
  memcpy(ksecret + 4, p->creds->secret_access_key, slen);
  hmac256(ksecret, 4 + slen, s->date, 8, k1);
  hmac256(k1, 32, p->region, strlen(p->region), k2);
  hmac256(k2, 32, p->service, strlen(p->service), k1);
  hmac256(k1, 32, "aws4_request", 12, k2);
  hmac_key_init(key, k2, sizeof(k2));
  explicit_bzero(ksecret, sizeof(ksecret));
  explicit_bzero(k1, sizeof(k1));
  explicit_bzero(k2, sizeof(k2));
}

static void signing_key(const struct sl_sigv4_signing *s, struct sl_sigv4_cache *c,
                        struct hmac_key *key)
{
  const struct sl_sigv4_params *p = s->p;
  const char *secret = p->creds->secret_access_key;
  size_t slen = strlen(secret);
  struct cache_slot *victim;
  size_t i;
  if(!c) {
    derive_key(s, key);
    return;
  }
  pthread_mutex_lock(&c->lock);
  for(i = 0; i < CACHE_SLOTS; i++) {
    struct cache_slot *e = &c->slot[i];
    if(e->used && !memcmp(e->date, s->date, 8) && !strcmp(e->region, p->region) &&
       !strcmp(e->service, p->service) && e->secret_len == slen &&
       !CRYPTO_memcmp(e->secret, secret, slen)) {
      *key = e->key;
      e->used = ++c->tick;
      c->hits++;
      pthread_mutex_unlock(&c->lock);
      return;
    }
  }
  c->misses++;
  pthread_mutex_unlock(&c->lock);
  /* Derive outside the lock; a racing thread may insert the same key twice,
   * which only costs a slot. */
  derive_key(s, key);
  pthread_mutex_lock(&c->lock);
  victim = &c->slot[0];
  for(i = 1; i < CACHE_SLOTS; i++)
    if(c->slot[i].used < victim->used)
      victim = &c->slot[i];
  OPENSSL_cleanse(victim, sizeof(*victim));
  memcpy(victim->date, s->date, 9);
  strcpy(victim->region, p->region);
  strcpy(victim->service, p->service);
  memcpy(victim->secret, secret, slen); /* check_inputs bounds it by MAX_SECRET */
  victim->secret_len = slen;
  victim->key = *key;
  victim->used = ++c->tick;
  pthread_mutex_unlock(&c->lock);
}

static int scope_part_ok(const char *s)
{
  size_t i, n = s ? strlen(s) : 0;
  if(!n || n > SL_SIGV4_MAX_SCOPE_PART)
    return 0;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if(!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '.'))
      return 0;
  }
  return 1;
}

/* Printable ASCII without the characters that delimit the Credential field. */
static int access_key_ok(const char *s)
{
  size_t i, n = s ? strlen(s) : 0;
  if(!n || n > SL_SIGV4_MAX_ACCESS_KEY)
    return 0;
  for(i = 0; i < n; i++)
    if((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f || s[i] == '/' || s[i] == ',' ||
       s[i] == '=' || s[i] == ';')
      return 0;
  return 1;
}

static enum sl_result check_inputs(const struct sl_sigv4_request *req,
                                   const struct sl_sigv4_params *p, int presign)
{
  const struct sl_creds *c = p ? p->creds : NULL;
  size_t i;
  if(!req || !p || !c || !req->method || !req->headers || !access_key_ok(c->access_key_id) ||
     !c->secret_access_key || !c->secret_access_key[0] || !scope_part_ok(p->region) ||
     !scope_part_ok(p->service) || (req->body_len && !req->body))
    return SL_E_INVALID;
  if(strlen(c->secret_access_key) > MAX_SECRET ||
     (c->session_token && strnlen(c->session_token, SL_SIGV4_MAX_TOKEN + 1) > SL_SIGV4_MAX_TOKEN))
    return SL_E_TOO_LARGE;
  if(!req->method[0] || strlen(req->method) > MAX_METHOD)
    return SL_E_INVALID;
  for(i = 0; req->method[i]; i++)
    if(!sl_sigv4_is_tchar((unsigned char)req->method[i]))
      return SL_E_INVALID;
  if(presign && (p->expires < 1 || p->expires > MAX_EXPIRES))
    return SL_E_INVALID;
  if(req->headers->n > SL_SIGV4_MAX_HEADERS)
    return SL_E_TOO_LARGE;
  if(!sl_headers_get(req->headers, "host"))
    return SL_E_INVALID;
  if((req->path && strlen(req->path) > SL_SIGV4_MAX_CANONICAL) ||
     (req->query && strlen(req->query) > SL_SIGV4_MAX_CANONICAL))
    return SL_E_TOO_LARGE;
  if(req->path) {
    /* Origin form only; '?' or '#' here would mean the query leaked into the path. */
    if(req->path[0] && req->path[0] != '/')
      return SL_E_INVALID;
    for(i = 0; req->path[i]; i++)
      if((unsigned char)req->path[i] < 0x20 || req->path[i] == 0x7f || req->path[i] == '?' ||
         req->path[i] == '#')
        return SL_E_INVALID;
  }
  if(req->payload_hash) {
    size_t n = strlen(req->payload_hash);
    if(!n || n > SL_SIGV4_MAX_PAYLOAD_HASH)
      return SL_E_INVALID;
    for(i = 0; i < n; i++) {
      unsigned char ch = (unsigned char)req->payload_hash[i];
      if(!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-'))
        return SL_E_INVALID;
    }
  }
  return SL_OK;
}

static char *put(char *o, const char *s, size_t n)
{
  memcpy(o, s, n);
  return o + n;
}

/* "AWS4-HMAC-SHA256\n<amzdate>\n<scope>\n<hex sha256(canonical request)>";
 * every part is bounded, so it fits s->sts. */
static void string_to_sign(struct sl_sigv4_signing *s)
{
  unsigned char md[32];
  char *o = s->sts;
  sha256(s->canon.p, s->canon.len, md);
  o = put(o, SL_SIGV4_ALGORITHM "\n", sizeof(SL_SIGV4_ALGORITHM));
  o = put(o, s->amzdate, 16);
  *o++ = '\n';
  o = put(o, s->scope, s->scope_len);
  *o++ = '\n';
  sl_hex(md, sizeof(md), o);
  s->sts_len = (size_t)(o + 64 - s->sts);
}

static void compute_signature(struct sl_sigv4_signing *s, struct sl_sigv4_cache *cache)
{
  struct hmac_key key;
  unsigned char sig[32];
  signing_key(s, cache, &key);
  hmac_final(&key, s->sts, s->sts_len, sig);
  sl_hex(sig, sizeof(sig), s->signature);
  explicit_bzero(&key, sizeof(key));
}

static enum sl_result fill_debug(const struct sl_sigv4_signing *s, struct sl_sigv4_debug *dbg)
{
  enum sl_result r;
  if(!dbg)
    return SL_OK;
  sl_buf_reset(&dbg->canonical_request);
  sl_buf_reset(&dbg->string_to_sign);
  r = sl_buf_add(&dbg->canonical_request, s->canon.p, s->canon.len);
  if(!r) r = sl_buf_add(&dbg->string_to_sign, s->sts, s->sts_len);
  memcpy(dbg->signature, s->signature, sizeof(dbg->signature));
  return r;
}

static void put2(char *o, unsigned v)
{
  o[0] = (char)('0' + v / 10);
  o[1] = (char)('0' + v % 10);
}

/* 20150830T123600Z from UTC seconds, without gmtime_r's locking: days to
 * civil date by the proleptic Gregorian era arithmetic. */
static enum sl_result amz_date(time_t now, char out[17])
{
  long long t = (long long)now, days, secs, era, doe, yoe, doy, mp, y;
  unsigned d, m;
  /* 1970-01-01 to 9999-12-31T23:59:59Z: four-digit years only. */
  if(t < 0 || t > 253402300799LL)
    return SL_E_INVALID;
  days = t / 86400;
  secs = t % 86400;
  days += 719468; /* from 0000-03-01 */
  era = days / 146097;
  doe = days - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
  m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
  y = yoe + era * 400 + (m <= 2);
  put2(out, (unsigned)(y / 100));
  put2(out + 2, (unsigned)(y % 100));
  put2(out + 4, m);
  put2(out + 6, d);
  out[8] = 'T';
  put2(out + 9, (unsigned)(secs / 3600));
  put2(out + 11, (unsigned)(secs / 60 % 60));
  put2(out + 13, (unsigned)(secs % 60));
  out[15] = 'Z';
  out[16] = 0;
  return SL_OK;
}

static enum sl_result setup(struct sl_sigv4_signing *s, const struct sl_sigv4_request *req,
                            const struct sl_sigv4_params *p, int presign)
{
  enum sl_result r;
  size_t rl, sl, al;
  char *o;
  s->req = req;
  s->p = p;
  s->presign = presign;
  sl_sigv4_items_init(&s->hdrs, SL_SIGV4_MAX_HEADERS + 3);
  sl_sigv4_items_init(&s->params, SL_SIGV4_MAX_PARAMS);
  sl_sigv4_mem_init(&s->arena, SL_SIGV4_MAX_CANONICAL);
  sl_sigv4_mem_init(&s->canon, SL_SIGV4_MAX_CANONICAL);
  s->names_off = s->names_len = s->sts_len = 0;
  s->signature[0] = 0;
  r = check_inputs(req, p, presign);
  if(!r) r = amz_date(p->now, s->amzdate);
  if(r)
    return r;
  s->token_len = p->creds->session_token ? strlen(p->creds->session_token) : 0;
  s->add_sha = !presign && (p->s3_rules || p->add_content_sha256);
  memcpy(s->date, s->amzdate, 8);
  s->date[8] = 0;
  rl = strlen(p->region);
  sl = strlen(p->service);
  al = strlen(p->creds->access_key_id);
  o = put(s->credential, p->creds->access_key_id, al);
  *o++ = '/';
  s->scope = o;
  o = put(o, s->date, 8);
  *o++ = '/';
  o = put(o, p->region, rl);
  *o++ = '/';
  o = put(o, p->service, sl);
  o = put(o, "/aws4_request", 14);
  s->scope_len = (size_t)(o - 1 - s->scope);
  s->credential_len = al + 1 + s->scope_len;
  if(presign)
    snprintf(s->expires, sizeof(s->expires), "%ld", p->expires);
  if(req->payload_hash)
    strcpy(s->payload, req->payload_hash);
  else if(presign && p->s3_rules)
    strcpy(s->payload, SL_UNSIGNED_PAYLOAD); /* a URL cannot vouch for a body */
  else if(!req->body_len)
    memcpy(s->payload, SL_EMPTY_SHA256, 65);
  else
    sl_sha256_hex(req->body, req->body_len, s->payload);
  return SL_OK;
}

static void teardown(struct sl_sigv4_signing *s)
{
  sl_sigv4_items_cleanup(&s->hdrs);
  sl_sigv4_items_cleanup(&s->params);
  sl_sigv4_mem_cleanup(&s->arena);
  sl_sigv4_mem_cleanup(&s->canon);
  explicit_bzero(s->sts, s->sts_len);
}

static int is_ours(const char *name, int add_sha)
{
  return sl_sigv4_signer_header(name, strlen(name), add_sha) || !strcasecmp(name, "Authorization");
}

/* Header mode writes only after everything is computed, so a failure
 * before that leaves the caller's headers as they were. Ours replace any
 * the caller had (a retry re-signs the same list): one pass drops them. */
static enum sl_result apply_headers(struct sl_sigv4_signing *s)
{
  struct sl_headers *h = s->req->headers;
  const struct sl_creds *c = s->p->creds;
  size_t at = s->arena.len, i, j;
  enum sl_result r;
  char *o;
  /* Room first, so nothing is removed when it cannot be added back. */
  r = sl_sigv4_mem_grow(&s->arena, 64 + s->credential_len + s->names_len + 64);
  if(r)
    return r;
  for(i = j = 0; i < h->n; i++) {
    if(is_ours(h->v[i].name, s->add_sha))
      sl_header_release(&h->v[i]);
    else
      h->v[j++] = h->v[i];
  }
  h->n = j;
  if(c->session_token)
    r = sl_headers_addn(h, "X-Amz-Security-Token", 20, c->session_token, s->token_len);
  if(!r) r = sl_headers_addn(h, "X-Amz-Date", 10, s->amzdate, 16);
  if(!r && s->add_sha)
    r = sl_headers_addn(h, "x-amz-content-sha256", 20, s->payload, strlen(s->payload));
  /* "AWS4-HMAC-SHA256 Credential=AKID/scope, SignedHeaders=a;b, Signature=hex" */
  if(!r) {
    o = s->arena.p + at;
    o = put(o, SL_SIGV4_ALGORITHM " Credential=", sizeof(SL_SIGV4_ALGORITHM) + 11);
    o = put(o, s->credential, s->credential_len);
    o = put(o, ", SignedHeaders=", 16);
    o = put(o, s->arena.p + s->names_off, s->names_len);
    o = put(o, ", Signature=", 12);
    o = put(o, s->signature, 64);
    s->arena.len = (size_t)(o - s->arena.p);
    r = sl_headers_addn(h, "Authorization", 13, s->arena.p + at, s->arena.len - at);
  }
  return r;
}

enum sl_result sl_sigv4_sign(const struct sl_sigv4_request *req,
                             const struct sl_sigv4_params *p,
                             struct sl_sigv4_cache *cache,
                             struct sl_sigv4_debug *dbg)
{
  struct sl_sigv4_signing s;
  enum sl_result r = setup(&s, req, p, 0);
  if(!r) r = sl_sigv4_collect_headers(&s);
  if(!r) r = sl_sigv4_parse_query(&s);
  if(!r) r = sl_sigv4_canonical_request(&s);
  if(!r) {
    string_to_sign(&s);
    compute_signature(&s, cache);
    r = fill_debug(&s, dbg);
  }
  if(!r) r = apply_headers(&s);
  teardown(&s);
  return r;
}

static enum sl_result add_out_param(struct sl_buf *out, const char *k, const char *v, size_t n)
{
  enum sl_result r = SL_OK;
  if(out->len)
    r = sl_buf_addc(out, '&');
  if(!r) r = sl_buf_adds(out, k);
  if(!r) r = sl_buf_addc(out, '=');
  if(!r) r = sl_uri_encode(out, v, n, 0);
  return r;
}

/* The request's own query stays as the caller wrote it; ours follow. */
static enum sl_result presigned_query(struct sl_sigv4_signing *s, struct sl_buf *out)
{
  const struct sl_creds *c = s->p->creds;
  enum sl_result r = SL_OK;
  sl_buf_reset(out);
  if(s->req->query && s->req->query[0])
    r = sl_buf_adds(out, s->req->query);
  if(!r) r = add_out_param(out, "X-Amz-Algorithm", SL_SIGV4_ALGORITHM, 16);
  if(!r) r = add_out_param(out, "X-Amz-Credential", s->credential, s->credential_len);
  if(!r) r = add_out_param(out, "X-Amz-Date", s->amzdate, 16);
  if(!r) r = add_out_param(out, "X-Amz-SignedHeaders", s->arena.p + s->names_off, s->names_len);
  if(!r) r = add_out_param(out, "X-Amz-Expires", s->expires, strlen(s->expires));
  if(!r && c->session_token)
    r = add_out_param(out, "X-Amz-Security-Token", c->session_token, s->token_len);
  if(!r) r = add_out_param(out, "X-Amz-Signature", s->signature, 64);
  return r;
}

enum sl_result sl_sigv4_presign(const struct sl_sigv4_request *req,
                                const struct sl_sigv4_params *p,
                                struct sl_sigv4_cache *cache,
                                struct sl_buf *out,
                                struct sl_sigv4_debug *dbg)
{
  struct sl_sigv4_signing s;
  enum sl_result r;
  if(!out)
    return SL_E_INVALID;
  r = setup(&s, req, p, 1);
  if(!r) r = sl_sigv4_collect_headers(&s);
  if(!r) r = sl_sigv4_parse_query(&s);
  if(!r) r = sl_sigv4_add_presign_params(&s);
  if(!r) r = sl_sigv4_canonical_request(&s);
  if(!r) {
    string_to_sign(&s);
    compute_signature(&s, cache);
    r = fill_debug(&s, dbg);
  }
  if(!r) r = presigned_query(&s, out);
  teardown(&s);
  return r;
}
