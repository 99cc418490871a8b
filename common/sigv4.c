/* sigv4.c — AWS Signature Version 4 on OpenSSL 3: input checks, string to
 * sign, derived-key cache, Authorization header and presigned queries.
 * Canonicalization lives in sigv4_canon.c. */
#include "sluice/sigv4.h"
#include "sigv4_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define MAX_SECRET 256
#define MAX_ACCESS_KEY 128
#define MAX_METHOD 32
#define MAX_EXPIRES 604800L  /* seven days, the service maximum */
#define CACHE_SLOTS 8

struct cache_slot {
  char date[9];
  char region[SL_SIGV4_MAX_SCOPE_PART + 1];
  char service[SL_SIGV4_MAX_SCOPE_PART + 1];
  unsigned char secret_tag[32]; /* HMAC(salt, secret): identifies, never reveals */
  unsigned char key[32];
  unsigned long used;           /* LRU tick; 0 = empty */
};

struct sl_sigv4_cache {
  pthread_mutex_t lock;
  unsigned char salt[32];
  unsigned long tick;
  unsigned long hits, misses;
  struct cache_slot slot[CACHE_SLOTS];
};

void sl_creds_cleanup(struct sl_creds *c)
{
  if(!c)
    return;
  sl_free_secret(c->access_key_id);
  sl_free_secret(c->secret_access_key);
  sl_free_secret(c->session_token);
  memset(c, 0, sizeof(*c));
}

enum sl_result sl_creds_copy(struct sl_creds *dst, const struct sl_creds *src)
{
  memset(dst, 0, sizeof(*dst));
  if(!src)
    return SL_E_INVALID;
  dst->access_key_id = sl_strdup(src->access_key_id);
  dst->secret_access_key = sl_strdup(src->secret_access_key);
  dst->session_token = sl_strdup(src->session_token);
  if((src->access_key_id && !dst->access_key_id) ||
     (src->secret_access_key && !dst->secret_access_key) ||
     (src->session_token && !dst->session_token)) {
    sl_creds_cleanup(dst);
    return SL_E_NOMEM;
  }
  dst->expiration = src->expiration;
  memcpy(dst->source, src->source, sizeof(dst->source));
  dst->source[sizeof(dst->source) - 1] = 0;
  return SL_OK;
}

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

/* SHA-256 and an HMAC-SHA256 context template, fetched once per process:
 * OpenSSL 3 otherwise fetches the algorithm on every digest and every HMAC
 * key, which costs more than the hashing itself for SigV4's short strings.
 * Never freed (process lifetime); the template is only ever duplicated. */
static pthread_once_t algs_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;
static EVP_MAC_CTX *hmac_template;

static void algs_init(void)
{
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  OSSL_PARAM params[2];
  sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
  params[1] = OSSL_PARAM_construct_end();
  hmac_template = mac ? EVP_MAC_CTX_new(mac) : NULL;
  if(hmac_template && !EVP_MAC_CTX_set_params(hmac_template, params)) {
    EVP_MAC_CTX_free(hmac_template);
    hmac_template = NULL;
  }
  EVP_MAC_free(mac); /* the context holds its own reference */
}

static enum sl_result sha256(const void *data, size_t n, unsigned char out[32])
{
  unsigned int len = 0;
  pthread_once(&algs_once, algs_init);
  if(!sha256_md || !EVP_Digest(data, n, out, &len, sha256_md, NULL) || len != 32)
    return SL_E_INTERNAL;
  return SL_OK;
}

void sl_sha256_hex(const void *data, size_t n, char out[65])
{
  unsigned char md[32];
  if(sha256(data ? data : "", n, md))
    out[0] = 0;
  else
    sl_hex(md, sizeof(md), out);
}

/* One HMAC-SHA256 context per signature, re-keyed for each step. */
static EVP_MAC_CTX *hmac_ctx_new(void)
{
  pthread_once(&algs_once, algs_init);
  return hmac_template ? EVP_MAC_CTX_dup(hmac_template) : NULL;
}

static enum sl_result hmac256(EVP_MAC_CTX *ctx, const void *key, size_t klen,
                              const void *data, size_t n, unsigned char out[32])
{
  size_t olen = 0;
  int ok = EVP_MAC_init(ctx, key, klen, NULL) && EVP_MAC_update(ctx, data, n) &&
           EVP_MAC_final(ctx, out, &olen, 32) && olen == 32;
  return ok ? SL_OK : SL_E_INTERNAL;
}

struct sl_sigv4_cache *sl_sigv4_cache_new(void)
{
  struct sl_sigv4_cache *c = calloc(1, sizeof(*c));
  if(!c)
    return NULL;
  if(RAND_bytes(c->salt, sizeof(c->salt)) != 1 || pthread_mutex_init(&c->lock, NULL)) {
    OPENSSL_cleanse(c, sizeof(*c));
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
  OPENSSL_cleanse(c, sizeof(*c));
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
static enum sl_result derive_key(EVP_MAC_CTX *mac, const struct sl_sigv4_signing *s,
                                 unsigned char key[32])
{
  const struct sl_sigv4_params *p = s->p;
  char ksecret[4 + MAX_SECRET];
  size_t slen = strlen(p->creds->secret_access_key);
  unsigned char k1[32], k2[32];
  enum sl_result r;
  memcpy(ksecret, "AWS4", 4);
  memcpy(ksecret + 4, p->creds->secret_access_key, slen);
  r = hmac256(mac, ksecret, 4 + slen, s->date, strlen(s->date), k1);
  if(!r) r = hmac256(mac, k1, 32, p->region, strlen(p->region), k2);
  if(!r) r = hmac256(mac, k2, 32, p->service, strlen(p->service), k1);
  if(!r) r = hmac256(mac, k1, 32, "aws4_request", 12, key);
  OPENSSL_cleanse(ksecret, sizeof(ksecret));
  OPENSSL_cleanse(k1, sizeof(k1));
  OPENSSL_cleanse(k2, sizeof(k2));
  return r;
}

static enum sl_result signing_key(EVP_MAC_CTX *mac, const struct sl_sigv4_signing *s,
                                  struct sl_sigv4_cache *c, unsigned char key[32])
{
  const struct sl_sigv4_params *p = s->p;
  const char *secret = p->creds->secret_access_key;
  unsigned char tag[32];
  struct cache_slot *victim;
  enum sl_result r;
  size_t i;
  if(!c)
    return derive_key(mac, s, key);
  r = hmac256(mac, c->salt, sizeof(c->salt), secret, strlen(secret), tag);
  if(r)
    return r;
  pthread_mutex_lock(&c->lock);
  for(i = 0; i < CACHE_SLOTS; i++) {
    struct cache_slot *e = &c->slot[i];
    if(e->used && !strcmp(e->date, s->date) && !strcmp(e->region, p->region) &&
       !strcmp(e->service, p->service) && !CRYPTO_memcmp(e->secret_tag, tag, 32)) {
      memcpy(key, e->key, 32);
      e->used = ++c->tick;
      c->hits++;
      pthread_mutex_unlock(&c->lock);
      return SL_OK;
    }
  }
  c->misses++;
  pthread_mutex_unlock(&c->lock);
  /* Derive outside the lock; a racing thread may insert the same key twice,
   * which only costs a slot. */
  r = derive_key(mac, s, key);
  if(r)
    return r;
  pthread_mutex_lock(&c->lock);
  victim = &c->slot[0];
  for(i = 1; i < CACHE_SLOTS; i++)
    if(c->slot[i].used < victim->used)
      victim = &c->slot[i];
  OPENSSL_cleanse(victim, sizeof(*victim));
  strcpy(victim->date, s->date);
  strcpy(victim->region, p->region);
  strcpy(victim->service, p->service);
  memcpy(victim->secret_tag, tag, 32);
  memcpy(victim->key, key, 32);
  victim->used = ++c->tick;
  pthread_mutex_unlock(&c->lock);
  return SL_OK;
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
  if(!n || n > MAX_ACCESS_KEY)
    return 0;
  for(i = 0; i < n; i++)
    if((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f || strchr("/,=;", s[i]))
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
     (c->session_token && strlen(c->session_token) > SL_SIGV4_MAX_TOKEN))
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

static enum sl_result string_to_sign(struct sl_sigv4_signing *s)
{
  unsigned char md[32];
  char hex[65];
  enum sl_result r = sha256(s->canon.data, s->canon.len, md);
  if(r)
    return r;
  sl_hex(md, sizeof(md), hex);
  return sl_buf_printf(&s->sts, SL_SIGV4_ALGORITHM "\n%s\n%s\n%s", s->amzdate, s->scope, hex);
}

static enum sl_result compute_signature(struct sl_sigv4_signing *s, struct sl_sigv4_cache *cache)
{
  EVP_MAC_CTX *mac = hmac_ctx_new();
  unsigned char key[32], sig[32];
  enum sl_result r = mac ? SL_OK : SL_E_INTERNAL;
  if(!r) r = signing_key(mac, s, cache, key);
  if(!r) r = hmac256(mac, key, sizeof(key), s->sts.data, s->sts.len, sig);
  if(!r)
    sl_hex(sig, sizeof(sig), s->signature);
  OPENSSL_cleanse(key, sizeof(key));
  EVP_MAC_CTX_free(mac); /* clears the keyed state */
  return r;
}

static enum sl_result fill_debug(const struct sl_sigv4_signing *s, struct sl_sigv4_debug *dbg)
{
  enum sl_result r;
  if(!dbg)
    return SL_OK;
  sl_buf_reset(&dbg->canonical_request);
  sl_buf_reset(&dbg->string_to_sign);
  r = sl_buf_add(&dbg->canonical_request, s->canon.data, s->canon.len);
  if(!r) r = sl_buf_add(&dbg->string_to_sign, s->sts.data, s->sts.len);
  memcpy(dbg->signature, s->signature, sizeof(dbg->signature));
  return r;
}

static enum sl_result setup(struct sl_sigv4_signing *s, const struct sl_sigv4_request *req,
                            const struct sl_sigv4_params *p, int presign)
{
  struct tm tm;
  enum sl_result r;
  memset(s, 0, sizeof(*s));
  s->req = req;
  s->p = p;
  s->presign = presign;
  r = check_inputs(req, p, presign);
  if(r)
    return r;
  s->add_sha = !presign && (p->s3_rules || p->add_content_sha256);
  if(!gmtime_r(&p->now, &tm) || tm.tm_year < 70 || tm.tm_year > 8099)
    return SL_E_INVALID;
  strftime(s->amzdate, sizeof(s->amzdate), "%Y%m%dT%H%M%SZ", &tm);
  memcpy(s->date, s->amzdate, 8);
  snprintf(s->scope, sizeof(s->scope), "%s/%s/%s/aws4_request", s->date, p->region, p->service);
  if(req->payload_hash)
    strcpy(s->payload, req->payload_hash);
  else if(presign && p->s3_rules)
    strcpy(s->payload, SL_UNSIGNED_PAYLOAD); /* a URL cannot vouch for a body */
  else {
    sl_sha256_hex(req->body, req->body_len, s->payload);
    if(!s->payload[0])
      return SL_E_INTERNAL;
  }
  r = sl_sigv4_items_init(&s->hdrs, SL_SIGV4_MAX_HEADERS + 3);
  if(!r) r = sl_sigv4_items_init(&s->params, SL_SIGV4_MAX_PARAMS);
  if(!r) r = sl_buf_init(&s->names, SL_SIGV4_MAX_CANONICAL);
  if(!r) r = sl_buf_init(&s->tmp, SL_SIGV4_MAX_CANONICAL);
  if(!r) r = sl_buf_init(&s->canon, SL_SIGV4_MAX_CANONICAL);
  if(!r) r = sl_buf_init(&s->sts, SL_BUF_SMALL);
  return r;
}

static void teardown(struct sl_sigv4_signing *s)
{
  sl_sigv4_items_cleanup(&s->hdrs);
  sl_sigv4_items_cleanup(&s->params);
  sl_buf_cleanup(&s->names);
  sl_buf_cleanup_secret(&s->tmp);
  sl_buf_cleanup_secret(&s->canon);
  sl_buf_cleanup(&s->sts);
}

/* Header mode writes only after everything is computed, so a failure
 * before that leaves the caller's headers as they were. */
static enum sl_result apply_headers(struct sl_sigv4_signing *s)
{
  struct sl_headers *h = s->req->headers;
  const struct sl_creds *c = s->p->creds;
  enum sl_result r = SL_OK;
  if(c->session_token)
    r = sl_headers_set(h, "X-Amz-Security-Token", c->session_token);
  else
    sl_headers_remove(h, "X-Amz-Security-Token");
  if(!r) r = sl_headers_set(h, "X-Amz-Date", s->amzdate);
  if(!r && s->add_sha)
    r = sl_headers_set(h, "x-amz-content-sha256", s->payload);
  if(!r) {
    sl_buf_reset(&s->tmp);
    r = sl_buf_printf(&s->tmp, SL_SIGV4_ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
                      c->access_key_id, s->scope, s->names.data, s->signature);
  }
  if(!r) r = sl_headers_set(h, "Authorization", s->tmp.data);
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
  if(!r) r = string_to_sign(&s);
  if(!r) r = compute_signature(&s, cache);
  if(!r) r = fill_debug(&s, dbg);
  if(!r) r = apply_headers(&s);
  teardown(&s);
  return r;
}

static enum sl_result add_out_param(struct sl_buf *out, const char *k, const char *v)
{
  enum sl_result r = SL_OK;
  if(out->len)
    r = sl_buf_addc(out, '&');
  if(!r) r = sl_buf_adds(out, k);
  if(!r) r = sl_buf_addc(out, '=');
  if(!r) r = sl_uri_encode(out, v, strlen(v), 0);
  return r;
}

/* The request's own query stays as the caller wrote it; ours follow. */
static enum sl_result presigned_query(struct sl_sigv4_signing *s, struct sl_buf *out)
{
  const struct sl_creds *c = s->p->creds;
  char expires[24];
  enum sl_result r = SL_OK;
  sl_buf_reset(out);
  snprintf(expires, sizeof(expires), "%ld", s->p->expires);
  sl_buf_reset(&s->tmp);
  if(s->req->query && s->req->query[0])
    r = sl_buf_adds(out, s->req->query);
  if(!r) r = sl_buf_printf(&s->tmp, "%s/%s", c->access_key_id, s->scope);
  if(!r) r = add_out_param(out, "X-Amz-Algorithm", SL_SIGV4_ALGORITHM);
  if(!r) r = add_out_param(out, "X-Amz-Credential", s->tmp.data);
  if(!r) r = add_out_param(out, "X-Amz-Date", s->amzdate);
  if(!r) r = add_out_param(out, "X-Amz-SignedHeaders", s->names.data);
  if(!r) r = add_out_param(out, "X-Amz-Expires", expires);
  if(!r && c->session_token)
    r = add_out_param(out, "X-Amz-Security-Token", c->session_token);
  if(!r) r = add_out_param(out, "X-Amz-Signature", s->signature);
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
  if(!r) r = string_to_sign(&s);
  if(!r) r = compute_signature(&s, cache);
  if(!r) r = fill_debug(&s, dbg);
  if(!r) r = presigned_query(&s, out);
  teardown(&s);
  return r;
}
