/* sigv4_canon.h — what sigv4.c (keys, signatures, API) and
 * sigv4_canon.c (canonical request) share. Not installed. */
#ifndef SLUICE_SIGV4_CANON_H
#define SLUICE_SIGV4_CANON_H

#include <string.h>

#include "sluice/sigv4.h"

#define SL_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SL_SIGV4_MAX_SCOPE_PART 63 /* region, service */
#define SL_SIGV4_MAX_ACCESS_KEY 128
#define SL_SIGV4_MAX_PAYLOAD_HASH 128
#define SL_SIGV4_LOCAL_BYTES 2048  /* a typical request's scratch fits here */
#define SL_SIGV4_LOCAL_ITEMS 16

/* Append-only bytes for one signing: on the stack until they outgrow it,
 * then on the heap, never past max. Signing costs about a microsecond, so a
 * malloc per step would be a good part of it. Not movable once initialised. */
struct sl_sigv4_mem {
  char *p;
  size_t len, cap, max;
  int on_heap;
  char local[SL_SIGV4_LOCAL_BYTES];
};

void sl_sigv4_mem_init(struct sl_sigv4_mem *m, size_t max);
/* Zeroes what was written (it may hold a session token), frees the heap part. */
void sl_sigv4_mem_cleanup(struct sl_sigv4_mem *m);
enum sl_result sl_sigv4_mem_grow(struct sl_sigv4_mem *m, size_t n);

static inline enum sl_result sl_sigv4_mem_add(struct sl_sigv4_mem *m, const void *p, size_t n)
{
  if(m->cap - m->len < n) {
    enum sl_result r = sl_sigv4_mem_grow(m, n);
    if(r)
      return r;
  }
  if(n)
    memcpy(m->p + m->len, p, n);
  m->len += n;
  return SL_OK;
}

static inline enum sl_result sl_sigv4_mem_addc(struct sl_sigv4_mem *m, char c)
{
  if(m->cap == m->len) {
    enum sl_result r = sl_sigv4_mem_grow(m, 1);
    if(r)
      return r;
  }
  m->p[m->len++] = c;
  return SL_OK;
}

/* One header or query parameter during canonicalization. The key (and a
 * parameter's value) live in the signing's arena, by offset while it may
 * still move; k and v are set once it stops. A header's value is the
 * caller's string (v, vlen), normalized only when written out. */
struct sl_sigv4_item {
  size_t koff, klen, voff, vlen, idx;
  const char *k, *v;
};

struct sl_sigv4_items {
  struct sl_sigv4_item *v;
  size_t n, cap, max;
  struct sl_sigv4_item local[SL_SIGV4_LOCAL_ITEMS];
};

/* Everything one signing computes, so both modes share the steps. */
struct sl_sigv4_signing {
  const struct sl_sigv4_request *req;
  const struct sl_sigv4_params *p;
  int presign;
  int add_sha;          /* header mode: we add x-amz-content-sha256 */
  char amzdate[17];     /* 20150830T123600Z */
  char date[9];         /* 20150830 */
  char payload[SL_SIGV4_MAX_PAYLOAD_HASH + 1];
  /* "AKID/20150830/us-east-1/iam/aws4_request": the Credential value, built
   * once; scope points at the part after the access key. */
  char credential[SL_SIGV4_MAX_ACCESS_KEY + 1 + 9 + 2 * (SL_SIGV4_MAX_SCOPE_PART + 1) + 13];
  size_t credential_len;
  const char *scope;
  size_t scope_len;
  char expires[24];     /* presign: X-Amz-Expires as text */
  size_t token_len;     /* of p->creds->session_token */
  struct sl_sigv4_items hdrs;
  struct sl_sigv4_items params;
  size_t names_off, names_len; /* "host;x-amz-date" in arena */
  struct sl_sigv4_mem arena;   /* header names, parameters, names, scratch */
  struct sl_sigv4_mem canon;   /* the canonical request */
  char sts[512];               /* the string to sign (bounded by its parts) */
  size_t sts_len;
  char signature[65];
};

/* A header the signer sets in header mode (X-Amz-Date, X-Amz-Security-Token,
 * x-amz-content-sha256 when add_sha), any case: the caller's are replaced. */
int sl_sigv4_signer_header(const char *name, size_t n, int add_sha);

/* HTTP token character (RFC 9110 tchar): header names and methods. */
int sl_sigv4_is_tchar(unsigned char c);

void sl_sigv4_items_init(struct sl_sigv4_items *l, size_t max);
void sl_sigv4_items_cleanup(struct sl_sigv4_items *l);

/* Canonical headers of the request (plus, in header mode, the ones the
 * signer adds), sorted, and the signed-header names (names_off/len). */
enum sl_result sl_sigv4_collect_headers(struct sl_sigv4_signing *s);
/* The request's query, decoded and re-encoded, into s->params. */
enum sl_result sl_sigv4_parse_query(struct sl_sigv4_signing *s);
/* Presign: X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires
 * and (unless omitted) -Security-Token join s->params. */
enum sl_result sl_sigv4_add_presign_params(struct sl_sigv4_signing *s);
/* Method, path, query, headers, names and payload hash into s->canon. */
enum sl_result sl_sigv4_canonical_request(struct sl_sigv4_signing *s);

#endif
