/* test_retry.c — retry classification, full-jitter backoff and the quota. */
#include <string.h>
#include <time.h>

#include "harness.h"
#include "sluice/retry.h"

static void test_classify_codes(void)
{
  static const struct {
    const char *code;
    enum sl_retry_class want;
  } cases[] = {
    { "Throttling", SL_RETRY_THROTTLE },
    { "ThrottlingException", SL_RETRY_THROTTLE },
    { "ThrottledException", SL_RETRY_THROTTLE },
    { "RequestThrottledException", SL_RETRY_THROTTLE },
    { "TooManyRequestsException", SL_RETRY_THROTTLE },
    { "ProvisionedThroughputExceededException", SL_RETRY_THROTTLE },
    { "RequestLimitExceeded", SL_RETRY_THROTTLE },
    { "BandwidthLimitExceeded", SL_RETRY_THROTTLE },
    { "LimitExceededException", SL_RETRY_THROTTLE },
    { "SlowDown", SL_RETRY_THROTTLE },
    { "PriorRequestNotComplete", SL_RETRY_THROTTLE },
    { "RequestThrottled", SL_RETRY_THROTTLE },
    { "RequestTimeout", SL_RETRY_TRANSIENT },
    { "RequestTimeoutException", SL_RETRY_TRANSIENT },
    { "InternalError", SL_RETRY_TRANSIENT },
    { "InternalFailure", SL_RETRY_TRANSIENT },
    { "ServiceUnavailable", SL_RETRY_TRANSIENT },
    { "ServiceUnavailableException", SL_RETRY_TRANSIENT },
    /* Not retried. */
    { "ValidationException", SL_RETRY_NO },
    { "AccessDenied", SL_RETRY_NO },
    { "NoSuchBucket", SL_RETRY_NO },
    { "ResourceNotFoundException", SL_RETRY_NO },
    { "throttling", SL_RETRY_NO },       /* codes are case-sensitive */
    { "ThrottlingExceptionX", SL_RETRY_NO },
    { "", SL_RETRY_NO },
    { NULL, SL_RETRY_NO },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    /* A 400 status: the code alone decides. */
    CU_ASSERT_EQUAL(sl_retry_classify(SL_OK, 400, cases[i].code), cases[i].want);
    CU_ASSERT_EQUAL(sl_retry_is_throttle_code(cases[i].code),
                    cases[i].want == SL_RETRY_THROTTLE);
    CU_ASSERT_EQUAL(sl_retry_is_transient_code(cases[i].code),
                    cases[i].want == SL_RETRY_TRANSIENT);
  }
}

static void test_classify_status_and_transport(void)
{
  static const struct {
    enum sl_result transport;
    long status;
    const char *code;
    enum sl_retry_class want;
  } cases[] = {
    { SL_OK, 200, NULL, SL_RETRY_NO },
    { SL_OK, 301, NULL, SL_RETRY_NO },
    { SL_OK, 400, NULL, SL_RETRY_NO },
    { SL_OK, 403, NULL, SL_RETRY_NO },
    { SL_OK, 404, NULL, SL_RETRY_NO },
    { SL_OK, 429, NULL, SL_RETRY_THROTTLE },
    { SL_OK, 429, "SomethingElse", SL_RETRY_THROTTLE },
    { SL_OK, 500, NULL, SL_RETRY_TRANSIENT },
    { SL_OK, 501, NULL, SL_RETRY_NO },
    { SL_OK, 502, NULL, SL_RETRY_TRANSIENT },
    { SL_OK, 503, NULL, SL_RETRY_TRANSIENT },
    { SL_OK, 504, NULL, SL_RETRY_TRANSIENT },
    { SL_OK, 505, NULL, SL_RETRY_NO },
    { SL_OK, 503, "SlowDown", SL_RETRY_THROTTLE }, /* S3's throttle comes as 503 */
    { SL_OK, 500, "InternalError", SL_RETRY_TRANSIENT },
    { SL_E_AWS, 503, "ServiceUnavailable", SL_RETRY_TRANSIENT },
    { SL_E_NETWORK, 0, NULL, SL_RETRY_TRANSIENT },
    { SL_E_NETWORK, 0, "", SL_RETRY_TRANSIENT },
    /* lasting transport failures: a retry would fail the same way */
    { SL_E_NETWORK, 0, SL_CODE_CERT_VERIFY, SL_RETRY_NO },
    { SL_E_NETWORK, 0, SL_CODE_CA_BUNDLE, SL_RETRY_NO },
    { SL_E_NETWORK, 0, SL_CODE_UNKNOWN_HOST, SL_RETRY_NO },
    /* the codes say "lasting" only with a transport failure */
    { SL_OK, 503, SL_CODE_UNKNOWN_HOST, SL_RETRY_TRANSIENT },
    { SL_E_TIMEOUT, 0, NULL, SL_RETRY_TIMEOUT },
    { SL_E_TOO_LARGE, 200, NULL, SL_RETRY_NO },
    { SL_E_INVALID, 0, NULL, SL_RETRY_NO },
    { SL_E_NOMEM, 0, NULL, SL_RETRY_NO },
    { SL_E_CREDENTIALS, 0, NULL, SL_RETRY_NO },
    { SL_E_PARSE, 200, NULL, SL_RETRY_NO },
    { SL_E_PARSE, 200, SL_CODE_INVALID_ANSWER, SL_RETRY_TRANSIENT },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    CU_ASSERT_EQUAL(sl_retry_classify(cases[i].transport, cases[i].status, cases[i].code),
                    cases[i].want);
}

static double fixed_random(void *ud)
{
  return *(const double *)ud;
}

static void test_backoff_bounds(void)
{
  static const struct {
    double r;
    double want[10]; /* attempts 1..10 */
  } cases[] = {
    { 0.0, { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 } },
    { 0.5, { 0.5, 1, 2, 4, 8, 16, 20, 20, 20, 20 } },
    { 0.999, { 0.999, 1.998, 3.996, 7.992, 15.984, 20, 20, 20, 20, 20 } },
  };
  size_t i;
  int a;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_retry_policy p;
    double r = cases[i].r;
    sl_retry_policy_init(&p, 3);
    p.random = fixed_random;
    p.random_ud = &r;
    for(a = 1; a <= 10; a++)
      CU_ASSERT_DOUBLE_EQUAL(sl_retry_delay(&p, a), cases[i].want[a - 1], 1e-12);
    /* Far past the cap stays finite and capped. */
    CU_ASSERT_DOUBLE_EQUAL(sl_retry_delay(&p, 5000), r > 0 ? 20.0 : 0.0, 1e-12);
  }
}

static void test_policy_init(void)
{
  struct sl_retry_policy p;
  sl_retry_policy_init(&p, 5);
  CU_ASSERT_EQUAL(p.max_attempts, 5);
  CU_ASSERT_DOUBLE_EQUAL(p.base_s, 1.0, 0);
  CU_ASSERT_DOUBLE_EQUAL(p.max_backoff_s, 20.0, 0);
  CU_ASSERT_PTR_NULL(p.random);
  CU_ASSERT_PTR_NULL(p.quota);
  sl_retry_policy_init(&p, 0);
  CU_ASSERT_EQUAL(p.max_attempts, 1);
}

static void test_default_random(void)
{
  struct sl_retry_policy p;
  double lo = 1e9, hi = -1;
  int i;
  sl_retry_policy_init(&p, 3);
  for(i = 0; i < 2000; i++) {
    double d = sl_retry_delay(&p, 6); /* base 32 s before the cap */
    CU_ASSERT_FATAL(d >= 0.0 && d <= 20.0);
    if(d < lo) lo = d;
    if(d > hi) hi = d;
  }
  /* Full jitter spreads over the whole range. */
  CU_ASSERT(lo < 2.0);
  CU_ASSERT(hi == 20.0);
  for(i = 0; i < 2000; i++) {
    double d = sl_retry_delay(&p, 1);
    CU_ASSERT_FATAL(d >= 0.0 && d < 1.0);
  }
}

static void test_quota_exhaustion(void)
{
  struct sl_retry_quota q;
  int i, cost = -1;
  sl_retry_quota_init(&q);
  CU_ASSERT_EQUAL(q.tokens, 500);
  CU_ASSERT_EQUAL(q.max_tokens, 500);
  for(i = 0; i < 100; i++) {
    CU_ASSERT_EQUAL_FATAL(sl_retry_quota_acquire(&q, i % 2 ? SL_RETRY_THROTTLE :
                                                 SL_RETRY_TRANSIENT, &cost), 1);
    CU_ASSERT_EQUAL(cost, 5);
  }
  CU_ASSERT_EQUAL(q.tokens, 0);
  CU_ASSERT_EQUAL(sl_retry_quota_acquire(&q, SL_RETRY_TRANSIENT, &cost), 0);
  CU_ASSERT_EQUAL(cost, 0);
  CU_ASSERT_EQUAL(q.tokens, 0);
  /* Timeouts cost 10: 50 of them. */
  sl_retry_quota_init(&q);
  for(i = 0; i < 50; i++)
    CU_ASSERT_EQUAL_FATAL(sl_retry_quota_acquire(&q, SL_RETRY_TIMEOUT, &cost), 1);
  CU_ASSERT_EQUAL(cost, 10);
  CU_ASSERT_EQUAL(sl_retry_quota_acquire(&q, SL_RETRY_TIMEOUT, &cost), 0);
  /* 7 left: a timeout retry no, a 5-cost retry yes. */
  q.tokens = 7;
  CU_ASSERT_EQUAL(sl_retry_quota_acquire(&q, SL_RETRY_TIMEOUT, &cost), 0);
  CU_ASSERT_EQUAL(sl_retry_quota_acquire(&q, SL_RETRY_TRANSIENT, &cost), 1);
  CU_ASSERT_EQUAL(q.tokens, 2);
  /* Nothing to retry costs nothing. */
  CU_ASSERT_EQUAL(sl_retry_quota_acquire(&q, SL_RETRY_NO, &cost), 0);
  CU_ASSERT_EQUAL(q.tokens, 2);
}

static void test_quota_refunds(void)
{
  static const struct {
    int start;
    int refund;
    int want;
  } cases[] = {
    { 495, 5, 500 },  /* success after a retry gives its cost back */
    { 490, 10, 500 }, /* after a timeout retry */
    { 500, 5, 500 },  /* never above the maximum */
    { 500, 0, 500 },
    { 0, 0, 1 },      /* first-try success adds 1 */
    { 250, 0, 251 },
    { 499, 10, 500 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_retry_quota q;
    sl_retry_quota_init(&q);
    q.tokens = cases[i].start;
    sl_retry_quota_release(&q, cases[i].refund);
    CU_ASSERT_EQUAL(q.tokens, cases[i].want);
  }
}

static void test_sleep(void)
{
  struct timespec a, b;
  double ms;
  clock_gettime(CLOCK_MONOTONIC, &a);
  sl_sleep(0.05);
  sl_sleep(0);
  sl_sleep(-1);
  clock_gettime(CLOCK_MONOTONIC, &b);
  ms = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
  CU_ASSERT(ms >= 50.0 && ms < 1000.0);
}

static const struct sl_test tests[] = {
  { "classification of every listed code", test_classify_codes },
  { "classification by status and transport", test_classify_status_and_transport },
  { "backoff with random 0, 0.5, 0.999 at attempts 1..10", test_backoff_bounds },
  { "policy defaults", test_policy_init },
  { "default PRNG spread", test_default_random },
  { "quota exhaustion", test_quota_exhaustion },
  { "quota refunds", test_quota_refunds },
  { "sleep", test_sleep },
  { NULL, NULL }
};

SL_TEST_MAIN("retry", tests, NULL, NULL)
