/* sluice — retry policy like the AWS SDKs' "standard" mode: classification,
 * exponential backoff with full jitter capped at 20 s, and a retry quota. */
#ifndef SLUICE_RETRY_H
#define SLUICE_RETRY_H

#include "export.h"

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

enum sl_retry_class {
  SL_RETRY_NO = 0,
  SL_RETRY_THROTTLE,  /* throttling codes, HTTP 429 */
  SL_RETRY_TRANSIENT, /* transient codes, 500/502/503/504, connection errors */
  SL_RETRY_TIMEOUT    /* transport timeouts (cost more quota) */
};

/* Classify an attempt's outcome: transport result (SL_OK when an HTTP answer
 * came), HTTP status and the error's code (NULL/"" when none): an AWS code
 * with an answer, a lasting one (below) with SL_E_NETWORK,
 * SL_CODE_INVALID_ANSWER with SL_E_PARSE. */
SL_EXPORT enum sl_retry_class sl_retry_classify(enum sl_result transport, long http_status, const char *code);
SL_EXPORT int sl_retry_is_throttle_code(const char *code);
SL_EXPORT int sl_retry_is_transient_code(const char *code);
/* Codes the HTTP layer gives a transport failure that will not heal on its
 * own, so is never retried: SL_CODE_CERT_VERIFY (the server's certificate
 * is not trusted or not for that name), SL_CODE_CA_BUNDLE (the CA bundle
 * cannot be read), SL_CODE_UNKNOWN_HOST (the name does not resolve). */
#define SL_CODE_CERT_VERIFY "CertificateVerifyFailed"
#define SL_CODE_CA_BUNDLE "CABundleUnreadable"
#define SL_CODE_UNKNOWN_HOST "UnknownHost"
SL_EXPORT int sl_retry_is_lasting_code(const char *code);
/* A 2xx answer that does not parse (cut off, an HTML page from a proxy)
 * comes back as SL_E_PARSE with this code: retried like a 5xx, since the
 * next answer may well be whole. */
#define SL_CODE_INVALID_ANSWER "InvalidAnswer"

/* Token bucket shared by all calls of a client (standard mode: 500 tokens,
 * retry costs 5, timeout retry costs 10, success refunds the cost or adds 1). */
struct sl_retry_quota {
  int tokens;
  int max_tokens;
};
SL_EXPORT void sl_retry_quota_init(struct sl_retry_quota *q);
/* Takes the cost of one retry; 0 when the quota is exhausted (do not retry). */
SL_EXPORT int sl_retry_quota_acquire(struct sl_retry_quota *q, enum sl_retry_class c, int *cost_taken);
SL_EXPORT void sl_retry_quota_release(struct sl_retry_quota *q, int cost_taken); /* after a success */

typedef double (*sl_random_fn)(void *ud); /* uniform in [0, 1) */

struct sl_retry_policy {
  int max_attempts;      /* total attempts including the first, >= 1 */
  double base_s;         /* 1.0 in standard mode */
  double max_backoff_s;  /* 20.0 */
  sl_random_fn random;   /* NULL = an internal PRNG seeded from the OS */
  void *random_ud;
  struct sl_retry_quota *quota; /* NULL = no quota */
};
SL_EXPORT void sl_retry_policy_init(struct sl_retry_policy *p, int max_attempts);

/* Delay in seconds before the next attempt, after `attempt` attempts failed
 * (attempt >= 1): random * base * 2^(attempt-1), capped at max_backoff_s. */
SL_EXPORT double sl_retry_delay(const struct sl_retry_policy *p, int attempt);

/* Sleeps for seconds (nanosleep, restarting on EINTR). */
SL_EXPORT void sl_sleep(double seconds);

#ifdef __cplusplus
}
#endif
#endif
