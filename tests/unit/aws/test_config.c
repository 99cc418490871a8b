/* test_config.c — configuration from the environment and endpoint
 * resolution per service, partition, override and S3 addressing style. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice/config.h"
#include "sluice/log.h"

static const char *const env_vars[] = {
  "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL_IAM", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_FIREHOSE",
  "AWS_ENDPOINT_URL_KINESIS", "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_MAX_ATTEMPTS", "AWS_CA_BUNDLE", "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", NULL
};

static void clear_env(void)
{
  int i;
  for(i = 0; env_vars[i]; i++)
    unsetenv(env_vars[i]);
}

static const struct {
  const char *region;
  enum sl_service svc;
  const char *bucket;
  int force_path;
  const char *base_url;
  const char *host;
  const char *signing_region;
  const char *signing_name;
  int path_style;
} endpoint_cases[] = {
  { "eu-west-1", SL_SVC_FIREHOSE, NULL, 0, "https://firehose.eu-west-1.amazonaws.com",
    "firehose.eu-west-1.amazonaws.com", "eu-west-1", "firehose", 0 },
  { "eu-west-1", SL_SVC_KINESIS, NULL, 0, "https://kinesis.eu-west-1.amazonaws.com",
    "kinesis.eu-west-1.amazonaws.com", "eu-west-1", "kinesis", 0 },
  { "eu-west-1", SL_SVC_LOGS, NULL, 0, "https://logs.eu-west-1.amazonaws.com",
    "logs.eu-west-1.amazonaws.com", "eu-west-1", "logs", 0 },
  { "eu-west-1", SL_SVC_STS, NULL, 0, "https://sts.eu-west-1.amazonaws.com",
    "sts.eu-west-1.amazonaws.com", "eu-west-1", "sts", 0 },
  { "eu-west-1", SL_SVC_IAM, NULL, 0, "https://iam.amazonaws.com", "iam.amazonaws.com",
    "us-east-1", "iam", 0 },
  { "cn-north-1", SL_SVC_IAM, NULL, 0, "https://iam.cn-north-1.amazonaws.com.cn",
    "iam.cn-north-1.amazonaws.com.cn", "cn-north-1", "iam", 0 },
  { "cn-northwest-1", SL_SVC_FIREHOSE, NULL, 0, "https://firehose.cn-northwest-1.amazonaws.com.cn",
    "firehose.cn-northwest-1.amazonaws.com.cn", "cn-northwest-1", "firehose", 0 },
  { "us-gov-east-1", SL_SVC_IAM, NULL, 0, "https://iam.us-gov.amazonaws.com",
    "iam.us-gov.amazonaws.com", "us-gov-west-1", "iam", 0 },
  { "us-gov-west-1", SL_SVC_KINESIS, NULL, 0, "https://kinesis.us-gov-west-1.amazonaws.com",
    "kinesis.us-gov-west-1.amazonaws.com", "us-gov-west-1", "kinesis", 0 },
  { "eu-west-1", SL_SVC_S3, "acme-logs", 0, "https://acme-logs.s3.eu-west-1.amazonaws.com",
    "acme-logs.s3.eu-west-1.amazonaws.com", "eu-west-1", "s3", 0 },
  /* Dots in a bucket name break the TLS wildcard: path style. */
  { "eu-west-1", SL_SVC_S3, "acme.logs", 0, "https://s3.eu-west-1.amazonaws.com",
    "s3.eu-west-1.amazonaws.com", "eu-west-1", "s3", 1 },
  { "eu-west-1", SL_SVC_S3, "acme-logs", 1, "https://s3.eu-west-1.amazonaws.com",
    "s3.eu-west-1.amazonaws.com", "eu-west-1", "s3", 1 },
  { "us-east-1", SL_SVC_S3, "acme-logs", 0, "https://acme-logs.s3.us-east-1.amazonaws.com",
    "acme-logs.s3.us-east-1.amazonaws.com", "us-east-1", "s3", 0 },
  { "cn-north-1", SL_SVC_S3, "b-1", 0, "https://b-1.s3.cn-north-1.amazonaws.com.cn",
    "b-1.s3.cn-north-1.amazonaws.com.cn", "cn-north-1", "s3", 0 },
  /* No bucket (ListBuckets-like calls): the service host itself. */
  { "eu-west-1", SL_SVC_S3, NULL, 0, "https://s3.eu-west-1.amazonaws.com",
    "s3.eu-west-1.amazonaws.com", "eu-west-1", "s3", 1 },
};

static void test_endpoint_table(void)
{
  size_t i;
  for(i = 0; i < sizeof(endpoint_cases) / sizeof(endpoint_cases[0]); i++) {
    struct sl_aws_config c;
    struct sl_endpoint ep;
    struct sl_error err;
    sl_aws_config_init(&c);
    strcpy(c.region, endpoint_cases[i].region);
    c.s3_force_path_style = endpoint_cases[i].force_path;
    CU_ASSERT_EQUAL_FATAL(sl_endpoint_resolve(&c, endpoint_cases[i].svc, endpoint_cases[i].bucket,
                                              &ep, &err), SL_OK);
    CU_ASSERT_STRING_EQUAL(ep.base_url, endpoint_cases[i].base_url);
    CU_ASSERT_STRING_EQUAL(ep.host, endpoint_cases[i].host);
    CU_ASSERT_STRING_EQUAL(ep.signing_region, endpoint_cases[i].signing_region);
    CU_ASSERT_STRING_EQUAL(ep.signing_name, endpoint_cases[i].signing_name);
    CU_ASSERT_EQUAL(ep.path_style, endpoint_cases[i].path_style);
    CU_ASSERT_EQUAL(ep.is_https, 1);
    sl_aws_config_cleanup(&c);
  }
}

static const struct {
  const char *url;
  enum sl_service svc;
  int allow_plain;
  enum sl_result want;
  const char *base_url;
  const char *host;
} override_cases[] = {
  { "http://127.0.0.1:4566", SL_SVC_S3, 0, SL_OK, "http://127.0.0.1:4566", "127.0.0.1:4566" },
  { "http://localhost:4566/", SL_SVC_FIREHOSE, 0, SL_OK, "http://localhost:4566", "localhost:4566" },
  { "http://[::1]:9000/base/", SL_SVC_KINESIS, 0, SL_OK, "http://[::1]:9000/base", "[::1]:9000" },
  { "http://127.8.9.10", SL_SVC_IAM, 0, SL_OK, "http://127.8.9.10", "127.8.9.10" },
  { "https://vpce-1.s3.eu-west-1.vpce.amazonaws.com", SL_SVC_S3, 0, SL_OK,
    "https://vpce-1.s3.eu-west-1.vpce.amazonaws.com", "vpce-1.s3.eu-west-1.vpce.amazonaws.com" },
  /* Plain http off loopback is refused unless allowed. */
  { "http://10.0.0.5:4566", SL_SVC_S3, 0, SL_E_CONFIG, NULL, NULL },
  { "http://emulator.internal:4566", SL_SVC_STS, 0, SL_E_CONFIG, NULL, NULL },
  { "http://emulator.internal:4566", SL_SVC_STS, 1, SL_OK, "http://emulator.internal:4566",
    "emulator.internal:4566" },
  { "ftp://127.0.0.1", SL_SVC_S3, 0, SL_E_CONFIG, NULL, NULL },
  { "http://127.0.0.1:1/?x=1", SL_SVC_S3, 0, SL_E_CONFIG, NULL, NULL },
  { "http://user:pw@127.0.0.1:1", SL_SVC_S3, 0, SL_E_CONFIG, NULL, NULL },
  { "http://", SL_SVC_S3, 0, SL_E_CONFIG, NULL, NULL },
};

static void test_endpoint_override(void)
{
  size_t i;
  for(i = 0; i < sizeof(override_cases) / sizeof(override_cases[0]); i++) {
    struct sl_aws_config c;
    struct sl_endpoint ep;
    struct sl_error err;
    enum sl_result r;
    sl_aws_config_init(&c);
    sl_error_clear(&err);
    strcpy(c.region, "eu-west-1");
    strcpy(c.endpoint_url, override_cases[i].url);
    c.allow_plain_http = override_cases[i].allow_plain;
    r = sl_endpoint_resolve(&c, override_cases[i].svc, "acme-logs", &ep, &err);
    CU_ASSERT_EQUAL(r, override_cases[i].want);
    if(r != override_cases[i].want)
      fprintf(stderr, "\ncase %zu (%s): %d %s\n", i, override_cases[i].url, r, err.message);
    if(!r && override_cases[i].want == SL_OK) {
      CU_ASSERT_STRING_EQUAL(ep.base_url, override_cases[i].base_url);
      CU_ASSERT_STRING_EQUAL(ep.host, override_cases[i].host);
      CU_ASSERT_EQUAL(ep.path_style, override_cases[i].svc == SL_SVC_S3);
    }
    else
      CU_ASSERT_NOT_EQUAL(err.message[0], 0);
  }
}

static void test_per_service_override_wins(void)
{
  struct sl_aws_config c;
  struct sl_endpoint ep;
  struct sl_error err;
  sl_aws_config_init(&c);
  strcpy(c.region, "eu-west-1");
  strcpy(c.endpoint_url, "http://127.0.0.1:1000");
  strcpy(c.service_endpoint[SL_SVC_STS], "http://127.0.0.1:2000");
  CU_ASSERT_EQUAL(sl_endpoint_resolve(&c, SL_SVC_STS, NULL, &ep, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(ep.base_url, "http://127.0.0.1:2000");
  CU_ASSERT_STRING_EQUAL(ep.signing_region, "eu-west-1");
  CU_ASSERT_EQUAL(sl_endpoint_resolve(&c, SL_SVC_KINESIS, NULL, &ep, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(ep.base_url, "http://127.0.0.1:1000");
  /* IAM keeps its global signing region behind an override. */
  CU_ASSERT_EQUAL(sl_endpoint_resolve(&c, SL_SVC_IAM, NULL, &ep, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(ep.signing_region, "us-east-1");
}

static void test_no_region(void)
{
  struct sl_aws_config c;
  struct sl_endpoint ep;
  struct sl_error err;
  sl_aws_config_init(&c);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_endpoint_resolve(&c, SL_SVC_FIREHOSE, NULL, &ep, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "AWS_REGION"));
}

static void test_env(void)
{
  struct sl_aws_config c;
  struct sl_error err;
  clear_env();
  setenv("AWS_DEFAULT_REGION", "eu-central-1", 1);
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566", 1);
  setenv("AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:4567", 1);
  setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "http://127.0.0.1:4568", 1);
  setenv("AWS_MAX_ATTEMPTS", "7", 1);
  setenv("AWS_PROFILE", "ci", 1);
  setenv("AWS_CA_BUNDLE", "/etc/ssl/private-ca.pem", 1);
  sl_aws_config_init(&c);
  CU_ASSERT_EQUAL(sl_aws_config_max_attempts(&c), 3);
  CU_ASSERT_EQUAL(sl_aws_config_from_env(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.region, "eu-central-1");
  CU_ASSERT_STRING_EQUAL(c.endpoint_url, "http://127.0.0.1:4566");
  CU_ASSERT_STRING_EQUAL(c.service_endpoint[SL_SVC_KINESIS], "http://127.0.0.1:4567");
  /* named after the service id, "CloudWatch Logs", as in the AWS SDKs */
  CU_ASSERT_STRING_EQUAL(c.service_endpoint[SL_SVC_LOGS], "http://127.0.0.1:4568");
  CU_ASSERT_STRING_EQUAL(sl_service_env_suffix(SL_SVC_LOGS), "CLOUDWATCH_LOGS");
  CU_ASSERT_STRING_EQUAL(sl_service_name(SL_SVC_LOGS), "logs");
  CU_ASSERT_STRING_EQUAL(c.service_endpoint[SL_SVC_S3], "");
  CU_ASSERT_EQUAL(c.max_attempts, 7);
  CU_ASSERT_STRING_EQUAL(c.profile, "ci");
  CU_ASSERT_STRING_EQUAL(c.ca_bundle, "/etc/ssl/private-ca.pem");
  /* AWS_REGION beats AWS_DEFAULT_REGION; a value set by the profile beats both. */
  setenv("AWS_REGION", "eu-north-1", 1);
  sl_aws_config_init(&c);
  CU_ASSERT_EQUAL(sl_aws_config_from_env(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.region, "eu-north-1");
  sl_aws_config_init(&c);
  strcpy(c.region, "ap-south-1");
  c.max_attempts = 2;
  CU_ASSERT_EQUAL(sl_aws_config_from_env(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.region, "ap-south-1");
  CU_ASSERT_EQUAL(c.max_attempts, 2);
  clear_env();
}

static const struct {
  const char *var;
  const char *value;
  const char *mentions;
} bad_env[] = {
  { "AWS_MAX_ATTEMPTS", "0", "AWS_MAX_ATTEMPTS" },
  { "AWS_MAX_ATTEMPTS", "3x", "AWS_MAX_ATTEMPTS" },
  { "AWS_MAX_ATTEMPTS", "101", "AWS_MAX_ATTEMPTS" },
  { "AWS_REGION", "EU WEST", "AWS_REGION" },
  { "AWS_ENDPOINT_URL", "localhost:4566", "AWS_ENDPOINT_URL" },
  { "AWS_ENDPOINT_URL_FIREHOSE", "tcp://x", "AWS_ENDPOINT_URL_FIREHOSE" },
};

static void test_env_errors(void)
{
  size_t i;
  for(i = 0; i < sizeof(bad_env) / sizeof(bad_env[0]); i++) {
    struct sl_aws_config c;
    struct sl_error err;
    clear_env();
    setenv(bad_env[i].var, bad_env[i].value, 1);
    sl_aws_config_init(&c);
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_aws_config_from_env(&c, &err), SL_E_CONFIG);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, bad_env[i].mentions));
  }
  clear_env();
}

static void test_shared_config(void)
{
  struct sl_aws_config c;
  struct sl_error err;
  char path[512];
  FILE *f;
  clear_env();
  snprintf(path, sizeof(path), "%s/config", sl_test_tmpdir());
  f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("[default]\nregion = us-west-2\n\n[profile ci]\nregion = eu-west-3\nmax_attempts = 5\n"
        "endpoint_url = http://127.0.0.1:4566\n", f);
  fclose(f);
  setenv("AWS_CONFIG_FILE", path, 1);
  snprintf(path, sizeof(path), "%s/nonexistent-credentials", sl_test_tmpdir());
  setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
  sl_aws_config_init(&c);
  CU_ASSERT_EQUAL(sl_aws_config_from_shared(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.region, "us-west-2");
  sl_aws_config_init(&c);
  strcpy(c.profile, "ci");
  CU_ASSERT_EQUAL(sl_aws_config_from_shared(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.region, "eu-west-3");
  CU_ASSERT_EQUAL(c.max_attempts, 5);
  CU_ASSERT_STRING_EQUAL(c.endpoint_url, "http://127.0.0.1:4566");
  clear_env();
}

static void test_loopback(void)
{
  CU_ASSERT_TRUE(sl_host_is_loopback("127.0.0.1"));
  CU_ASSERT_TRUE(sl_host_is_loopback("127.255.0.9"));
  CU_ASSERT_TRUE(sl_host_is_loopback("localhost"));
  CU_ASSERT_TRUE(sl_host_is_loopback("::1"));
  CU_ASSERT_TRUE(sl_host_is_loopback("[::1]"));
  CU_ASSERT_FALSE(sl_host_is_loopback("128.0.0.1"));
  CU_ASSERT_FALSE(sl_host_is_loopback("169.254.169.254"));
  CU_ASSERT_FALSE(sl_host_is_loopback("localhost.example.com"));
  CU_ASSERT_FALSE(sl_host_is_loopback("127.0.0.1.nip.io"));
}

static char warned[512];
static int nwarned;

static void capture(void *ud, enum sl_log_level lvl, const char *line)
{
  (void)ud;
  if(lvl == SL_LOG_WARN) {
    snprintf(warned, sizeof(warned), "%s", line);
    nwarned++;
  }
}

static void test_resolve(void)
{
  struct sl_aws_config prof, c;
  struct sl_error err;
  char path[512];
  clear_env();
  snprintf(path, sizeof(path), "%s/none", sl_test_tmpdir());
  setenv("AWS_CONFIG_FILE", path, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", path, 1);
  setenv("AWS_MAX_ATTEMPTS", "4", 1);
  sl_log_set_sink(capture, NULL);
  sl_log_set_level(SL_LOG_WARN);
  sl_aws_config_init(&prof);
  strcpy(prof.region, "eu-west-1");
  prof.static_session_token = sl_strdup("tok-tok-tok");
  nwarned = 0;
  CU_ASSERT_EQUAL_FATAL(sl_aws_config_resolve(&c, &prof, &err), SL_OK);
  /* A deep copy: the token is its own string; the environment fills the rest. */
  CU_ASSERT_PTR_NOT_EQUAL(c.static_session_token, prof.static_session_token);
  CU_ASSERT_STRING_EQUAL(c.static_session_token, "tok-tok-tok");
  CU_ASSERT_STRING_EQUAL(c.region, "eu-west-1");
  CU_ASSERT_EQUAL(c.max_attempts, 4);
  CU_ASSERT_EQUAL(nwarned, 0);
  sl_aws_config_cleanup(&c);
  /* allow_plain_http warns on every resolve. */
  prof.allow_plain_http = 1;
  CU_ASSERT_EQUAL(sl_aws_config_resolve(&c, &prof, &err), SL_OK);
  CU_ASSERT_EQUAL(nwarned, 1);
  CU_ASSERT_STRING_EQUAL(warned, "allow_plain_http = true: requests to a non-loopback http:// "
                                 "endpoint travel unencrypted and unauthenticated");
  sl_aws_config_cleanup(&c);
  /* No region anywhere: an error naming where to set it, nothing to clean. */
  prof.region[0] = 0;
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_aws_config_resolve(&c, &prof, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "AWS_REGION"));
  sl_log_set_sink(NULL, NULL);
  sl_aws_config_cleanup(&prof);
  clear_env();
}

/* Which endpoint a call to svc goes to after a resolve. */
static const char *service_url(const struct sl_aws_config *prof, enum sl_service svc, char *out,
                               size_t n)
{
  struct sl_aws_config c;
  struct sl_endpoint ep;
  struct sl_error err;
  out[0] = 0;
  if(sl_aws_config_resolve(&c, prof, &err)) {
    snprintf(out, n, "error: %.1000s", err.message);
    return out;
  }
  if(!sl_endpoint_resolve(&c, svc, NULL, &ep, &err))
    snprintf(out, n, "%.640s", ep.base_url);
  sl_aws_config_cleanup(&c);
  return out;
}

static const char *kinesis_url(const struct sl_aws_config *prof, char *out, size_t n)
{
  return service_url(prof, SL_SVC_KINESIS, out, n);
}

static void write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
}

/* The AWS CLI's order: explicit (option, pipeline profile) >
 * AWS_ENDPOINT_URL_<SVC> > AWS_ENDPOINT_URL > the shared config's services
 * section > its endpoint_url; the ignore switches drop the configured ones. */
static void test_endpoint_precedence(void)
{
  struct sl_aws_config prof;
  char path[512], creds[512], url[1200];
  clear_env();
  snprintf(path, sizeof(path), "%s/config-endpoints", sl_test_tmpdir());
  snprintf(creds, sizeof(creds), "%s/none", sl_test_tmpdir());
  write_file(path, "[default]\nregion = eu-west-1\nservices = local\n"
                   "endpoint_url = http://127.0.0.1:1001\n\n"
                   "[services local]\nkinesis =\n  endpoint_url = http://127.0.0.1:1002\n"
                   "firehose =\n  endpoint_url = http://127.0.0.1:1003\n"
                   "cloudwatch_logs =\n  endpoint_url = http://127.0.0.1:1009\n\n"
                   "[profile plain]\nregion = eu-west-2\nendpoint_url = http://127.0.0.1:1004\n"
                   "\n[profile lost]\nregion = eu-west-2\nservices = missing\n"
                   "\n[profile ignoring]\nregion = eu-west-2\n"
                   "ignore_configured_endpoint_urls = true\nendpoint_url = http://127.0.0.1:1005\n");
  setenv("AWS_CONFIG_FILE", path, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", creds, 1);
  sl_aws_config_init(&prof);
  /* The services section beats the profile's endpoint_url, per service. */
  CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), "http://127.0.0.1:1002");
  CU_ASSERT_STRING_EQUAL(service_url(&prof, SL_SVC_LOGS, url, sizeof(url)), "http://127.0.0.1:1009");
  strcpy(prof.profile, "plain");
  CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), "http://127.0.0.1:1004");
  /* AWS_ENDPOINT_URL beats the whole shared config, the service one beats it. */
  prof.profile[0] = 0;
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1006", 1);
  CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), "http://127.0.0.1:1006");
  setenv("AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:1007", 1);
  CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), "http://127.0.0.1:1007");
  /* Service by service: Kinesis from its variable, the rest from below. */
  unsetenv("AWS_ENDPOINT_URL");
  strcpy(prof.profile, "plain");
  CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), "http://127.0.0.1:1007");
  {
    struct sl_aws_config c;
    struct sl_endpoint ep;
    struct sl_error err;
    CU_ASSERT_EQUAL_FATAL(sl_aws_config_resolve(&c, &prof, &err), SL_OK);
    CU_ASSERT_EQUAL(sl_endpoint_resolve(&c, SL_SVC_FIREHOSE, NULL, &ep, &err), SL_OK);
    CU_ASSERT_STRING_EQUAL(ep.base_url, "http://127.0.0.1:1004");
    sl_aws_config_cleanup(&c);
  }
  prof.profile[0] = 0;
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1006", 1);
  /* An explicit endpoint beats every configured one. */
  strcpy(prof.endpoint_url, "http://127.0.0.1:1008");
  CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), "http://127.0.0.1:1008");
  prof.endpoint_url[0] = 0;
  /* The ignore switch: the environment's and the shared config's are dropped. */
  setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
  CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), "https://kinesis.eu-west-1.amazonaws.com");
  strcpy(prof.endpoint_url, "http://127.0.0.1:1008");
  CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), "http://127.0.0.1:1008");
  prof.endpoint_url[0] = 0;
  unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_KINESIS");
  strcpy(prof.profile, "ignoring");
  CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), "https://kinesis.eu-west-2.amazonaws.com");
  /* services = NAME without its section is named. */
  strcpy(prof.profile, "lost");
  {
    char want[700];
    snprintf(want, sizeof(want), "error: services = missing, but there is no "
             "[services missing] section in %s", path);
    CU_ASSERT_STRING_EQUAL(kinesis_url(&prof, url, sizeof(url)), want);
  }
  sl_aws_config_cleanup(&prof);
  clear_env();
}

static char info[8][256];
static int ninfo;

static void capture_info(void *ud, enum sl_log_level lvl, const char *line)
{
  (void)ud;
  if(lvl == SL_LOG_INFO && ninfo < 8)
    snprintf(info[ninfo++], sizeof(info[0]), "%s", line);
}

/* An option sets a value, checked, and says where it came from at -v. */
static void test_set(void)
{
  struct sl_aws_config c;
  struct sl_error err;
  sl_aws_config_init(&c);
  strcpy(c.service_endpoint[SL_SVC_S3], "http://127.0.0.1:9");
  sl_log_set_sink(capture_info, NULL);
  sl_log_set_level(SL_LOG_INFO);
  ninfo = 0;
  CU_ASSERT_EQUAL(sl_aws_config_set(&c, "region", "ap-east-1", "--region", &err), SL_OK);
  CU_ASSERT_EQUAL(sl_aws_config_set(&c, "endpoint_url", "http://127.0.0.1:4566",
                                    "--endpoint-url", &err), SL_OK);
  CU_ASSERT_EQUAL(sl_aws_config_set(&c, "profile", "ci", "--profile", &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.region, "ap-east-1");
  CU_ASSERT_STRING_EQUAL(c.endpoint_url, "http://127.0.0.1:4566");
  CU_ASSERT_STRING_EQUAL(c.service_endpoint[SL_SVC_S3], "");
  CU_ASSERT_STRING_EQUAL(c.profile, "ci");
  CU_ASSERT_EQUAL(ninfo, 3);
  CU_ASSERT_STRING_EQUAL(info[0], "region ap-east-1 (from --region)");
  CU_ASSERT_STRING_EQUAL(info[1], "endpoint_url http://127.0.0.1:4566 (from --endpoint-url)");
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_aws_config_set(&c, "region", "Mars 1", "--region", &err), SL_E_CONFIG);
  CU_ASSERT_STRING_EQUAL(err.message, "--region: 'Mars 1' is not a region name (like eu-west-1)");
  CU_ASSERT_STRING_EQUAL(c.region, "ap-east-1");
  CU_ASSERT_EQUAL(sl_aws_config_set(&c, "endpoint_url", "localhost:1", "--endpoint-url", &err),
                  SL_E_CONFIG);
  CU_ASSERT_EQUAL(sl_aws_config_set(&c, "colour", "red", NULL, &err), SL_E_INVALID);
  CU_ASSERT_EQUAL(ninfo, 3);
  sl_log_set_sink(NULL, NULL);
  sl_log_set_level(SL_LOG_WARN);
}

static const struct sl_test tests[] = {
  { "endpoint precedence", test_endpoint_precedence },
  { "set from an option", test_set },
  { "resolve and copy", test_resolve },
  { "endpoint table", test_endpoint_table },
  { "endpoint override", test_endpoint_override },
  { "per-service override wins", test_per_service_override_wins },
  { "no region", test_no_region },
  { "environment", test_env },
  { "environment errors", test_env_errors },
  { "shared config", test_shared_config },
  { "loopback hosts", test_loopback },
  { NULL, NULL }
};

SL_TEST_MAIN("config", tests, NULL, NULL)
