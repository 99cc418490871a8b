/* sigv4_internal.h — what sigv4.c (keys, signatures, API) and
 * sigv4_canon.c (canonical request) share. Not installed. */
#ifndef SLUICE_SIGV4_INTERNAL_H
#define SLUICE_SIGV4_INTERNAL_H

#include "sluice/sigv4.h"

#define SL_SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SL_SIGV4_MAX_SCOPE_PART 63 /* region, service */
#define SL_SIGV4_MAX_PAYLOAD_HASH 128

/* One header or query parameter during canonicalization. Offsets into an
 * arena while it grows; pointers fixed up once it stops moving. */
struct sl_sigv4_item {
  size_t koff, klen, voff, vlen, idx;
  const char *k, *v;
};

struct sl_sigv4_items {
  struct sl_sigv4_item *v;
  size_t n, cap, max;
  struct sl_buf arena;
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
  char scope[9 + 2 * (SL_SIGV4_MAX_SCOPE_PART + 1) + 13];
  struct sl_sigv4_items hdrs;
  struct sl_sigv4_items params;
  struct sl_buf names;  /* "host;x-amz-date" */
  struct sl_buf tmp;
  struct sl_buf canon;
  struct sl_buf sts;
  char signature[65];
};

/* HTTP token character (RFC 9110 tchar): header names and methods. */
int sl_sigv4_is_tchar(unsigned char c);

enum sl_result sl_sigv4_items_init(struct sl_sigv4_items *l, size_t max);
void sl_sigv4_items_cleanup(struct sl_sigv4_items *l);

/* Canonical headers of the request (plus, in header mode, the ones the
 * signer adds), sorted, and the signed-header names into s->names. */
enum sl_result sl_sigv4_collect_headers(struct sl_sigv4_signing *s);
/* The request's query, decoded and re-encoded, into s->params. */
enum sl_result sl_sigv4_parse_query(struct sl_sigv4_signing *s);
/* Presign: X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires
 * and (unless omitted) -Security-Token join s->params. */
enum sl_result sl_sigv4_add_presign_params(struct sl_sigv4_signing *s);
/* Method, path, query, headers, names and payload hash into s->canon. */
enum sl_result sl_sigv4_canonical_request(struct sl_sigv4_signing *s);

#endif
