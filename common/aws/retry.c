/* retry.c — when to retry an AWS call and how long to wait: the SDKs'
 * "standard" mode (error classes, full-jitter backoff capped at 20 s, and a
 * token bucket so a failing service is not hammered by every caller). */
#include "sluice/retry.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#define QUOTA_MAX 500
#define RETRY_COST 5
#define TIMEOUT_RETRY_COST 10
#define NO_RETRY_INCREMENT 1

static const char *const throttle_codes[] = {
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottledException",
  "TooManyRequestsException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "LimitExceededException",
  "SlowDown",
  "PriorRequestNotComplete",
  "RequestThrottled",
  NULL
};

static const char *const transient_codes[] = {
  "RequestTimeout",
  "RequestTimeoutException",
  "InternalError",
  "InternalFailure",
  "ServiceUnavailable",
  "ServiceUnavailableException",
  NULL
};

/* Codes compare exactly: AWS codes are case-sensitive identifiers. */
static int in_list(const char *const *list, const char *code)
{
  if(!code || !code[0])
    return 0;
  for(; *list; list++)
    if(!strcmp(*list, code))
      return 1;
  return 0;
}

static const char *const lasting_codes[] = {
  SL_CODE_CERT_VERIFY,
  SL_CODE_CA_BUNDLE,
  SL_CODE_UNKNOWN_HOST,
  NULL
};

int sl_retry_is_lasting_code(const char *code)
{
  return in_list(lasting_codes, code);
}

int sl_retry_is_throttle_code(const char *code)
{
  return in_list(throttle_codes, code);
}

int sl_retry_is_transient_code(const char *code)
{
  return in_list(transient_codes, code);
}

enum sl_retry_class sl_retry_classify(enum sl_result transport, long http_status,
                                      const char *code)
{
  if(transport == SL_E_TIMEOUT)
    return SL_RETRY_TIMEOUT;
  if(transport == SL_E_NETWORK)
    return sl_retry_is_lasting_code(code) ? SL_RETRY_NO : SL_RETRY_TRANSIENT;
  if(transport == SL_E_PARSE)
    return code && !strcmp(code, SL_CODE_INVALID_ANSWER) ? SL_RETRY_TRANSIENT : SL_RETRY_NO;
  /* Anything else without an answer (bounds, bad input) will fail again. */
  if(transport != SL_OK && transport != SL_E_AWS)
    return SL_RETRY_NO;
  if(sl_retry_is_throttle_code(code) || http_status == 429)
    return SL_RETRY_THROTTLE;
  if(sl_retry_is_transient_code(code))
    return SL_RETRY_TRANSIENT;
  if(http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504)
    return SL_RETRY_TRANSIENT;
  return SL_RETRY_NO;
}

void sl_retry_quota_init(struct sl_retry_quota *q)
{
  q->tokens = QUOTA_MAX;
  q->max_tokens = QUOTA_MAX;
}

int sl_retry_quota_acquire(struct sl_retry_quota *q, enum sl_retry_class c, int *cost_taken)
{
  int cost = c == SL_RETRY_TIMEOUT ? TIMEOUT_RETRY_COST : RETRY_COST;
  if(cost_taken)
    *cost_taken = 0;
  if(c == SL_RETRY_NO || q->tokens < cost)
    return 0;
  q->tokens -= cost;
  if(cost_taken)
    *cost_taken = cost;
  return 1;
}

void sl_retry_quota_release(struct sl_retry_quota *q, int cost_taken)
{
  /* A success after retries gives back what they took; a first-try success
   * slowly refills a bucket drained earlier. */
  q->tokens += cost_taken > 0 ? cost_taken : NO_RETRY_INCREMENT;
  if(q->tokens > q->max_tokens)
    q->tokens = q->max_tokens;
}

void sl_retry_policy_init(struct sl_retry_policy *p, int max_attempts)
{
  memset(p, 0, sizeof(*p));
  p->max_attempts = max_attempts >= 1 ? max_attempts : 1;
  p->base_s = 1.0;
  p->max_backoff_s = 20.0;
}

/* xorshift64*: jitter needs spread, not secrecy; seeded once per thread. */
static _Thread_local uint64_t prng_state;

static double default_random(void)
{
  uint64_t x;
  if(!prng_state) {
    if(getrandom(&prng_state, sizeof(prng_state), GRND_NONBLOCK) != sizeof(prng_state))
      prng_state = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if(!prng_state)
      prng_state = 0x9e3779b97f4a7c15ull;
  }
  x = prng_state;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  prng_state = x;
  return (double)((x * 0x2545f4914f6cdd1dull) >> 11) * 0x1.0p-53;
}

double sl_retry_delay(const struct sl_retry_policy *p, int attempt)
{
  double r = p->random ? p->random(p->random_ud) : default_random();
  double d;
  int exp = attempt < 1 ? 0 : attempt - 1;
  if(!(r >= 0.0)) /* also catches NaN from a broken injected source */
    r = 0.0;
  if(r >= 1.0)
    r = nextafter(1.0, 0.0);
  if(exp > 1000) /* keeps 2^exp finite; the cap applies long before */
    exp = 1000;
  d = r * ldexp(p->base_s, exp);
  if(d > p->max_backoff_s)
    d = p->max_backoff_s;
  return d;
}

void sl_sleep(double seconds)
{
  struct timespec ts, left;
  if(!(seconds > 0.0))
    return;
  ts.tv_sec = (time_t)seconds;
  ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
  if(ts.tv_nsec >= 1000000000L)
    ts.tv_nsec = 999999999L;
  /* A signal cuts the wait short once it interrupts the run, in every
   * thread (only one gets the signal): waits are slices of 100 ms. */
  while(!sl_interrupted() && (ts.tv_sec || ts.tv_nsec)) {
    struct timespec slice = { 0, 100000000L };
    if(!ts.tv_sec && ts.tv_nsec < slice.tv_nsec)
      slice.tv_nsec = ts.tv_nsec;
    if(nanosleep(&slice, &left) && errno == EINTR)
      slice.tv_nsec -= left.tv_nsec;
    ts.tv_nsec -= slice.tv_nsec;
    if(ts.tv_nsec < 0) {
      ts.tv_sec--;
      ts.tv_nsec += 1000000000L;
    }
  }
}
