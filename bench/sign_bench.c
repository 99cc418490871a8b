/* sign_bench.c — SigV4 signatures per second for two typical requests, the
 * way the client signs them: a Firehose PutRecordBatch (POST, JSON 1.1
 * headers, the body read from a file) and an S3 ListObjectsV2 page (GET with
 * a query). The client hashes a request body while it writes it and hands
 * the signer that hash (sl_sigv4_request.payload_hash), so the PutRecordBatch
 * row signs with the body's hash given; a third row has the signer hash the
 * body on every signature, which SHA-256's speed dominates. Each signature
 * starts from a fresh header list, as every attempt does. Run through
 * scripts/bench (bench_sign), which compares botocore on the same inputs.
 *
 *   sign_bench --body FILE [--seconds S] [--only NAME]
 *
 * Prints per request: name, signatures/s with the client's derived-key
 * cache, signatures/s without it, the signature at the fixed signing time
 * (2024-05-01T12:00:00Z) so the two implementations can be compared, and
 * the hashing floor: how many signatures per second OpenSSL's SHA-256 alone
 * allows for this request (the canonical request's digest and the HMAC of
 * the string to sign with a cached key, plus the body where the signer
 * hashes it), whatever a signer does around it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPENSSL_SUPPRESS_DEPRECATED /* SHA256_*, as common/aws/sigv4.c uses them */
#include <openssl/sha.h>

#include "bench_util.h"
#include "sluice/sigv4.h"

#define SIGN_TIME 1714564800 /* 2024-05-01T12:00:00Z */

struct bench_req {
  const char *name;
  const char *method;
  const char *host;
  const char *path;
  const char *query;
  const char *target;       /* X-Amz-Target, or NULL */
  const char *content_type; /* or NULL */
  const char *service;
  int s3;
  const char *body;
  size_t body_len;
  const char *payload_hash; /* NULL: the signer hashes the body */
};

/* One signature from scratch: headers as the client builds them, then
 * sl_sigv4_sign (which hashes the body). 0 on success. */
static int sign_once(const struct bench_req *b, const struct sl_creds *creds, time_t when,
                     struct sl_sigv4_cache *cache, char sig[65], struct sl_sigv4_debug *keep)
{
  struct sl_headers h;
  struct sl_sigv4_request req;
  struct sl_sigv4_params p;
  struct sl_sigv4_debug dbg;
  enum sl_result r;
  sl_headers_init(&h);
  r = sl_headers_add(&h, "Host", b->host);
  if(!r && b->target)
    r = sl_headers_add(&h, "X-Amz-Target", b->target);
  if(!r && b->content_type)
    r = sl_headers_add(&h, "Content-Type", b->content_type);
  memset(&req, 0, sizeof(req));
  req.method = b->method;
  req.path = b->path;
  req.query = b->query;
  req.headers = &h;
  req.body = b->body;
  req.body_len = b->body_len;
  req.payload_hash = b->payload_hash;
  memset(&p, 0, sizeof(p));
  p.creds = creds;
  p.region = "us-east-1";
  p.service = b->service;
  p.now = when;
  p.s3_rules = b->s3;
  p.add_content_sha256 = b->s3;
  p.normalize_path = !b->s3;
  if(sig) {
    sl_sigv4_debug_init(&dbg);
    if(!r) r = sl_sigv4_sign(&req, &p, cache, &dbg);
    if(!r)
      memcpy(sig, dbg.signature, 65);
    if(!r && keep) {
      *keep = dbg; /* the caller cleans it up */
      sl_sigv4_debug_init(&dbg);
    }
    sl_sigv4_debug_cleanup(&dbg);
  }
  else if(!r)
    r = sl_sigv4_sign(&req, &p, cache, NULL);
  sl_headers_cleanup(&h);
  return r != SL_OK;
}

/* Signatures per second over about `seconds`. */
static double rate(const struct bench_req *b, const struct sl_creds *creds, double seconds,
                   int cached)
{
  struct sl_sigv4_cache *cache = cached ? sl_sigv4_cache_new() : NULL;
  double t0 = bench_now(), t = t0;
  long n = 0, batch = 64, i;
  while(t - t0 < seconds) {
    for(i = 0; i < batch; i++)
      if(sign_once(b, creds, SIGN_TIME, cache, NULL, NULL)) {
        fprintf(stderr, "sign_bench: signing %s failed\n", b->name);
        exit(1);
      }
    n += batch;
    t = bench_now();
  }
  sl_sigv4_cache_free(cache);
  return (double)n / (t - t0);
}

/* Signatures per second that SHA-256 alone would allow: the digest of the
 * canonical request, HMAC of the string to sign from a key's precomputed
 * pads (what a cached signing key costs), and the body's digest when the
 * signer hashes it. The lower bound of any signer on this machine. */
static double hash_floor(const struct sl_sigv4_debug *d, const struct bench_req *b,
                         double seconds)
{
  unsigned char md[32], key[64];
  SHA256_CTX inner, outer, c;
  double t0 = bench_now(), t = t0;
  long n = 0, i;
  memset(key, 0x36, sizeof(key));
  SHA256_Init(&inner);
  SHA256_Update(&inner, key, sizeof(key));
  memset(key, 0x5c, sizeof(key));
  SHA256_Init(&outer);
  SHA256_Update(&outer, key, sizeof(key));
  while(t - t0 < seconds) {
    for(i = 0; i < 64; i++) {
      if(!b->payload_hash && b->body_len) {
        SHA256_Init(&c);
        SHA256_Update(&c, b->body, b->body_len);
        SHA256_Final(md, &c);
      }
      SHA256_Init(&c);
      SHA256_Update(&c, d->canonical_request.data, d->canonical_request.len);
      SHA256_Final(md, &c);
      c = inner;
      SHA256_Update(&c, d->string_to_sign.data, d->string_to_sign.len);
      SHA256_Final(md, &c);
      c = outer;
      SHA256_Update(&c, md, sizeof(md));
      SHA256_Final(md, &c);
    }
    n += 64;
    t = bench_now();
  }
  return (double)n / (t - t0);
}

int main(int argc, char **argv)
{
  struct sl_creds creds = { "ASIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                            "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD"
                            "benchmarkSessionTokenOfTypicalLengthAAAAAAAAAAAAAAAAAAAAAAAA"
                            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
                            0, "bench" };
  struct bench_req reqs[3] = {
    { "firehose-put-batch", "POST", "firehose.us-east-1.amazonaws.com", "/", NULL,
      "Firehose_20150804.PutRecordBatch", "application/x-amz-json-1.1", "firehose", 0, NULL, 0,
      NULL },
    { "s3-list-objects-v2", "GET", "sluice-bench-logs.s3.us-east-1.amazonaws.com", "/",
      "list-type=2&prefix=logs%2F2024%2F05%2F01%2F&continuation-token="
      "1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D&encoding-type=url&max-keys=1000",
      NULL, NULL, "s3", 1, NULL, 0, NULL },
    { "firehose-hash-body", "POST", "firehose.us-east-1.amazonaws.com", "/", NULL,
      "Firehose_20150804.PutRecordBatch", "application/x-amz-json-1.1", "firehose", 0, NULL, 0,
      NULL },
  };
  char body_hash[65];
  const char *only = NULL;
  const char *body_path = NULL;
  double seconds = 2.0;
  char *body;
  size_t body_len = 0;
  int i;
  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--body") && i + 1 < argc)
      body_path = argv[++i];
    else if(!strcmp(argv[i], "--seconds") && i + 1 < argc)
      seconds = atof(argv[++i]);
    else if(!strcmp(argv[i], "--only") && i + 1 < argc)
      only = argv[++i];
    else {
      fprintf(stderr, "usage: sign_bench --body FILE [--seconds S] [--only NAME]\n");
      return 2;
    }
  }
  if(!body_path || !(body = bench_read_file(body_path, &body_len))) {
    fprintf(stderr, "sign_bench: --body FILE is required and must be readable\n");
    return 2;
  }
  sl_sha256_hex(body, body_len, body_hash);
  reqs[0].body = reqs[2].body = body;
  reqs[0].body_len = reqs[2].body_len = body_len;
  reqs[0].payload_hash = body_hash;
  printf("%-20s %12s %12s %-64s %12s %s\n", "request", "cached/s", "uncached/s", "signature",
         "sha-floor/s", "canonical+sts bytes");
  for(i = 0; i < 3; i++) {
    struct sl_sigv4_debug dbg;
    char sig[65];
    double with_cache, without, floor_rate;
    if(only && strcmp(only, reqs[i].name))
      continue;
    sl_sigv4_debug_init(&dbg);
    if(sign_once(&reqs[i], &creds, SIGN_TIME, NULL, sig, &dbg)) {
      fprintf(stderr, "sign_bench: signing %s failed\n", reqs[i].name);
      return 1;
    }
    with_cache = rate(&reqs[i], &creds, seconds, 1);
    without = rate(&reqs[i], &creds, seconds, 0);
    floor_rate = hash_floor(&dbg, &reqs[i], seconds / 2);
    printf("%-20s %12.0f %12.0f %s %12.0f %zu+%zu\n", reqs[i].name, with_cache, without, sig,
           floor_rate, dbg.canonical_request.len, dbg.string_to_sign.len);
    sl_sigv4_debug_cleanup(&dbg);
  }
  free(body);
  return 0;
}
