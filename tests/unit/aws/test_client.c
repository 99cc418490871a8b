/* test_client.c — the opaque client and the one-call config as an outside
 * program sees them (include/sluice only), and the option init functions:
 * what a caller gets without knowing any struct layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice.h"

static const char *const env_vars[] = {
  "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
  "AWS_ENDPOINT_URL_KINESIS", "AWS_MAX_ATTEMPTS", "AWS_CA_BUNDLE", "AWS_CONFIG_FILE",
  "AWS_SHARED_CREDENTIALS_FILE", NULL
};

static int setup(void)
{
  int i;
  for(i = 0; env_vars[i]; i++)
    unsetenv(env_vars[i]);
  setenv("AWS_CONFIG_FILE", "/dev/null", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
  return 0;
}

static const char *write_config(const char *text)
{
  static char path[512];
  FILE *f;
  snprintf(path, sizeof(path), "%s/config", sl_test_tmpdir());
  f = fopen(path, "w");
  if(f) {
    fputs(text, f);
    fclose(f);
  }
  return path;
}

/* Environment first, then the shared config's profile section. */
static void test_config_load(void)
{
  struct sl_aws_config c;
  struct sl_error err;
  sl_error_clear(&err);
  setenv("AWS_CONFIG_FILE",
         write_config("[profile dev]\nregion = ap-south-1\nmax_attempts = 6\n"
                      "endpoint_url = http://127.0.0.1:4566\n"), 1);
  setenv("AWS_PROFILE", "dev", 1);
  setenv("AWS_ENDPOINT_URL_KINESIS", "http://127.0.0.1:4567", 1);
  CU_ASSERT_EQUAL_FATAL(sl_aws_config_load(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.region, "ap-south-1");
  CU_ASSERT_STRING_EQUAL(c.profile, "dev");
  CU_ASSERT_EQUAL(c.max_attempts, 6);
  CU_ASSERT_STRING_EQUAL(c.endpoint_url, "http://127.0.0.1:4566");
  CU_ASSERT_STRING_EQUAL(c.service_endpoint[SL_SVC_KINESIS], "http://127.0.0.1:4567");
  CU_ASSERT_EQUAL(c.connect_timeout_ms, 3000);
  sl_aws_config_cleanup(&c);

  setenv("AWS_REGION", "eu-north-1", 1);     /* the environment wins */
  setenv("AWS_MAX_ATTEMPTS", "2", 1);
  CU_ASSERT_EQUAL_FATAL(sl_aws_config_load(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.region, "eu-north-1");
  CU_ASSERT_EQUAL(c.max_attempts, 2);
  sl_aws_config_cleanup(&c);
  setup();
}

static void test_config_load_needs_region(void)
{
  struct sl_aws_config c;
  struct sl_error err;
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_aws_config_load(&c, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no AWS region"));
  setenv("AWS_MAX_ATTEMPTS", "zero", 1);
  setenv("AWS_REGION", "eu-west-1", 1);
  CU_ASSERT_EQUAL(sl_aws_config_load(&c, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "AWS_MAX_ATTEMPTS"));
  setup();
}

static void test_client_new_dup(void)
{
  struct sl_aws_config cfg;
  struct sl_client *c = NULL, *d = NULL;
  struct sl_error err;
  sl_error_clear(&err);
  sl_aws_config_init(&cfg);
  snprintf(cfg.region, sizeof(cfg.region), "us-west-2");
  snprintf(cfg.endpoint_url, sizeof(cfg.endpoint_url), "http://127.0.0.1:9");
  cfg.max_attempts = 4;
  cfg.static_session_token = strdup("token-for-the-client");
  CU_ASSERT_EQUAL_FATAL(sl_client_new(&c, &cfg, NULL, &err), SL_OK);
  CU_ASSERT_PTR_NULL(cfg.static_session_token); /* taken over */
  CU_ASSERT_STRING_EQUAL(sl_client_config(c)->region, "us-west-2");
  CU_ASSERT_STRING_EQUAL(sl_client_config(c)->static_session_token, "token-for-the-client");
  CU_ASSERT_EQUAL(sl_client_retry(c)->max_attempts, 4);
  CU_ASSERT_PTR_NOT_NULL(sl_client_http(c));
  CU_ASSERT_PTR_NOT_NULL(sl_client_creds(c));

  CU_ASSERT_EQUAL_FATAL(sl_client_dup(&d, c, &err), SL_OK);
  CU_ASSERT_PTR_NOT_EQUAL(d, c);
  CU_ASSERT_PTR_NOT_EQUAL(sl_client_http(d), sl_client_http(c));
  CU_ASSERT_PTR_NOT_EQUAL(sl_client_config(d)->static_session_token,
                          sl_client_config(c)->static_session_token);
  CU_ASSERT_STRING_EQUAL(sl_client_config(d)->endpoint_url, "http://127.0.0.1:9");
  CU_ASSERT_STRING_EQUAL(sl_client_config(d)->static_session_token, "token-for-the-client");
  CU_ASSERT_EQUAL(sl_client_retry(d)->max_attempts, 4);
  sl_client_free(c);
  sl_client_free(d);
  sl_client_free(NULL);
}

static void test_options_init(void)
{
  struct sl_http_options h;
  struct sl_inspect_order_options o;
  struct sl_inspect_run_options r;
  struct sl_decoder_options d;
  struct sl_prov_options p;
  struct sl_smoke_options s;
  memset(&h, 0x5a, sizeof(h));
  memset(&o, 0x5a, sizeof(o));
  memset(&r, 0x5a, sizeof(r));
  memset(&d, 0x5a, sizeof(d));
  memset(&p, 0x5a, sizeof(p));
  memset(&s, 0x5a, sizeof(s));
  sl_http_options_init(&h);
  sl_inspect_order_options_init(&o);
  sl_inspect_run_options_init(&r);
  sl_decoder_options_init(&d);
  sl_prov_options_init(&p);
  sl_smoke_options_init(&s);
  CU_ASSERT_EQUAL(h.connect_timeout_ms, 3000);
  CU_ASSERT_EQUAL(h.timeout_ms, 60000);
  CU_ASSERT_PTR_NULL(h.ca_bundle);
  CU_ASSERT_EQUAL(h.allow_plain_http, 0);
  CU_ASSERT_EQUAL(o.window, 1);
  CU_ASSERT_EQUAL(o.buffer_max, 1024 * 1024);
  CU_ASSERT_PTR_NULL(o.write);
  CU_ASSERT_EQUAL(r.concurrency, 0);
  CU_ASSERT_PTR_NULL(r.on_record);
  CU_ASSERT_EQUAL(d.format, SL_DECODE_AUTO);
  CU_ASSERT_PTR_NULL(d.on_record);
  CU_ASSERT_EQUAL(p.replace, 0);
  CU_ASSERT_PTR_NULL(p.on_step);
  CU_ASSERT_EQUAL(s.count, 0);
  CU_ASSERT_PTR_NULL(s.on_progress);
}

static const struct sl_test tests[] = {
  { "config load: env, then shared config", test_config_load },
  { "config load: region required, bad values named", test_config_load_needs_region },
  { "client new, dup, accessors", test_client_new_dup },
  { "option init functions", test_options_init },
  { NULL, NULL }
};

SL_TEST_MAIN("client", tests, setup, NULL)
