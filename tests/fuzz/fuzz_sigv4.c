/* fuzz_sigv4.c — SigV4 canonicalization of any path and query, in header
 * and presign mode, S3 rules or not. Input: one flags byte, then
 * "<path>[?<query>][\n<header value>[\n<body>]]". When signing succeeds the
 * canonical request must have a well-encoded path (normalized when asked)
 * and a query whose pairs are encoded and sorted by key, then value. */
#include "fuzz.h"
#include "sluice/sigv4.h"

#define FUZZ_MAX_INPUT (64u * 1024u)

static int unreserved(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '.' || c == '~';
}

static int upper_hex(unsigned char c)
{
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

/* Every byte unreserved (or '/' when allowed) or a %XX escape. */
static int encoded(const char *p, size_t n, int slash_ok)
{
  size_t i;
  for(i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if(c == '%') {
      if(i + 2 >= n || !upper_hex((unsigned char)p[i + 1]) || !upper_hex((unsigned char)p[i + 2]))
        return 0;
      i += 2;
    }
    else if(!unreserved(c) && !(slash_ok && c == '/'))
      return 0;
  }
  return 1;
}

static int bytecmp(const char *a, size_t an, const char *b, size_t bn)
{
  int c = memcmp(a, b, an < bn ? an : bn);
  return c ? c : (an > bn) - (an < bn);
}

static void check_query(const char *q, size_t n)
{
  const char *end = q + n, *prev_k = NULL, *prev_v = NULL;
  size_t prev_kn = 0, prev_vn = 0;
  while(q < end) {
    const char *amp = memchr(q, '&', (size_t)(end - q)), *pe = amp ? amp : end;
    const char *eq = memchr(q, '=', (size_t)(pe - q));
    size_t kn, vn;
    FUZZ_CHECK(eq != NULL); /* every canonical pair is k=v, even with an empty value */
    kn = (size_t)(eq - q);
    vn = (size_t)(pe - eq - 1);
    FUZZ_CHECK(encoded(q, kn, 0) && encoded(eq + 1, vn, 0));
    if(prev_k) {
      int c = bytecmp(prev_k, prev_kn, q, kn);
      FUZZ_CHECK(c < 0 || (c == 0 && bytecmp(prev_v, prev_vn, eq + 1, vn) <= 0));
    }
    prev_k = q;
    prev_kn = kn;
    prev_v = eq + 1;
    prev_vn = vn;
    q = amp ? amp + 1 : end;
    FUZZ_CHECK(!amp || q < end); /* no empty pair at the end */
  }
}

static void check_path(const char *cp, size_t n, const char *path, int s3, int normalize)
{
  const char *want = path[0] ? path : "/";
  FUZZ_CHECK(n && cp[0] == '/');
  if(s3) {
    FUZZ_CHECK(n == strlen(want) && !memcmp(cp, want, n));
    return;
  }
  FUZZ_CHECK(encoded(cp, n, 1));
  if(normalize) {
    char *s = fuzz_cstr((const uint8_t *)cp, n);
    FUZZ_CHECK(!strstr(s, "//") && !strstr(s, "/./") && !strstr(s, "/../"));
    FUZZ_CHECK(!(n >= 2 && !strcmp(s + n - 2, "/.")) && !(n >= 3 && !strcmp(s + n - 3, "/..")));
    free(s);
  }
}

static void check_canonical(const struct sl_sigv4_debug *dbg, const char *path, int s3,
                            int normalize)
{
  const char *c = dbg->canonical_request.data, *end = c + dbg->canonical_request.len;
  const char *l1 = memchr(c, '\n', (size_t)(end - c)), *l2, *l3;
  FUZZ_CHECK(l1 && (size_t)(l1 - c) == 3 && !memcmp(c, "GET", 3));
  l2 = memchr(l1 + 1, '\n', (size_t)(end - l1 - 1));
  FUZZ_CHECK(l2);
  check_path(l1 + 1, (size_t)(l2 - l1 - 1), path, s3, normalize);
  l3 = memchr(l2 + 1, '\n', (size_t)(end - l2 - 1));
  FUZZ_CHECK(l3);
  check_query(l2 + 1, (size_t)(l3 - l2 - 1));
  FUZZ_CHECK(strlen(dbg->signature) == 64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct sl_creds creds = { "AKIDEXAMPLE", FUZZ_SECRET, NULL, 0, "fuzz" };
  struct sl_sigv4_request req;
  struct sl_sigv4_params p;
  struct sl_sigv4_debug dbg;
  struct sl_headers h;
  struct sl_buf out;
  char *text, *path, *query = NULL, *value = NULL, *body = NULL;
  unsigned flags;
  size_t nheaders;
  enum sl_result r;
  if(!size || size > FUZZ_MAX_INPUT)
    return 0;
  fuzz_init();
  flags = data[0];
  text = fuzz_cstr(data + 1, size - 1);
  path = text;
  if((value = strchr(text, '\n'))) {
    *value++ = 0;
    if((body = strchr(value, '\n')))
      *body++ = 0;
  }
  if((query = strchr(path, '?')))
    *query++ = 0;
  if(flags & 8)
    creds.session_token = "FwoGZXIvYXdzEFUaDFUZZTOKEN//////////";
  sl_headers_init(&h);
  sl_headers_add(&h, "Host", "examplebucket.s3.amazonaws.com");
  if(value)
    sl_headers_add(&h, "X-Fuzz", value);
  nheaders = h.n;
  memset(&req, 0, sizeof(req));
  req.method = "GET";
  req.path = path;
  req.query = query;
  req.headers = &h;
  req.body = body;
  req.body_len = body ? strlen(body) : 0;
  req.payload_hash = flags & 16 ? SL_UNSIGNED_PAYLOAD : NULL;
  memset(&p, 0, sizeof(p));
  p.creds = &creds;
  p.region = "us-east-1";
  p.service = flags & 1 ? "s3" : "execute-api";
  p.now = 1440938160; /* 2015-08-30T12:36:00Z */
  p.s3_rules = flags & 1;
  p.normalize_path = !!(flags & 2);
  p.add_content_sha256 = !!(flags & 32);
  p.omit_session_token = !!(flags & 64);
  p.expires = 86400;
  sl_sigv4_debug_init(&dbg);
  if(sl_buf_init(&out, 4u * 1024 * 1024))
    abort();
  if(flags & 4) {
    r = sl_sigv4_presign(&req, &p, NULL, &out, &dbg);
    if(r == SL_OK) {
      /* ours come last; the caller's value could hold the same words */
      const char *sig = NULL, *at = out.data;
      while((at = strstr(at, "X-Amz-Signature=")))
        sig = at++;
      FUZZ_CHECK(sig && !strcmp(sig + 16, dbg.signature));
      FUZZ_CHECK(!query || !*query || !strncmp(out.data, query, strlen(query)));
    }
  }
  else {
    r = sl_sigv4_sign(&req, &p, NULL, &dbg);
    if(r == SL_OK) {
      const char *auth = sl_headers_get(&h, "Authorization");
      FUZZ_CHECK(auth && strstr(auth, dbg.signature));
    }
    else
      FUZZ_CHECK(h.n == nheaders); /* a failure leaves the headers as they were */
  }
  if(r == SL_OK)
    check_canonical(&dbg, path, p.s3_rules, p.normalize_path);
  else
    FUZZ_CHECK(r == SL_E_INVALID || r == SL_E_TOO_LARGE);
  sl_buf_cleanup(&out);
  sl_sigv4_debug_cleanup(&dbg);
  sl_headers_cleanup(&h);
  free(text);
  return 0;
}
