/* test_creds.c — the credential chain: order of sources, shared files,
 * credential_process, AssumeRole / web identity against a loopback STS,
 * the container endpoint, IMDSv2, refresh, the permission warning and the
 * "nothing found" message. Every server is the loopback mini server; IMDS is
 * disabled or pointed at it, so no test reaches 169.254.x. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>

#include "harness.h"
#include "mini_server.h"
#include "sluice/creds.h"
#include "sluice/http.h"
#include "sluice/log.h"
#include "sluice/sts.h"
#include "common/aws/creds_value.h"
#include "common/aws/creds_process.h"
#include "common/aws/creds_remote.h"
#include "common/aws/sts_internal.h"

/* Every variable the chain reads; saved at start, restored at the end. */
static const char *const vars[] = {
  "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
  "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL_SSO", "HOME", "http_proxy", "HTTP_PROXY", "https_proxy",
  "HTTPS_PROXY", "all_proxy", "ALL_PROXY", NULL
};
static char *saved[sizeof(vars) / sizeof(vars[0])];

static struct sl_aws_config cfg;
static char conf_path[512], cred_path[512];
static struct sl_buf logged;

/* A server that answers by (method, target); unknown requests get 404. */
struct route {
  const char *method;
  const char *target;
  int status;
  const char *body;
};
static struct route routes[8];
static struct sl_mini_server *srv;

static void routed(void *ud, const struct sl_mini_request *req, struct sl_mini_response *resp)
{
  size_t i;
  (void)ud;
  for(i = 0; i < sizeof(routes) / sizeof(routes[0]) && routes[i].method; i++)
    if(!strcmp(req->method, routes[i].method) && !strcmp(req->target, routes[i].target)) {
      resp->status = routes[i].status;
      resp->body = routes[i].body;
      return;
    }
  resp->status = 404;
  resp->body = "no route";
}

static void capture(void *ud, enum sl_log_level lvl, const char *line)
{
  (void)ud;
  if(lvl <= SL_LOG_WARN) {
    sl_buf_adds(&logged, line);
    sl_buf_addc(&logged, '\n');
  }
}

static void write_file(const char *path, const char *text, int mode)
{
  FILE *f = fopen(path, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
  chmod(path, (mode_t)mode);
}

static const char *tmp(const char *name)
{
  static char paths[8][512];
  static int next;
  char *p = paths[next++ % 8];
  snprintf(p, 512, "%s/%s", sl_test_tmpdir(), name);
  return p;
}

/* A clean slate: no credentials anywhere, IMDS off, shared files absent,
 * a fresh config, a fresh server script. */
static void fresh(void)
{
  size_t i;
  for(i = 0; vars[i]; i++)
    unsetenv(vars[i]);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  snprintf(conf_path, sizeof(conf_path), "%s/aws-config", sl_test_tmpdir());
  snprintf(cred_path, sizeof(cred_path), "%s/aws-credentials", sl_test_tmpdir());
  remove(conf_path);
  remove(cred_path);
  setenv("AWS_CONFIG_FILE", conf_path, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
  sl_aws_config_cleanup(&cfg);
  sl_aws_config_init(&cfg);
  snprintf(cfg.region, sizeof(cfg.region), "us-east-1");
  cfg.max_attempts = 1;
  memset(routes, 0, sizeof(routes));
  sl_mini_reset(srv);
  sl_buf_reset(&logged);
}

static int suite_init(void)
{
  size_t i;
  for(i = 0; vars[i]; i++)
    saved[i] = getenv(vars[i]) ? strdup(getenv(vars[i])) : NULL;
  sl_aws_config_init(&cfg);
  sl_buf_init(&logged, 1 << 16);
  sl_log_set_sink(capture, NULL);
  srv = sl_mini_start(routed, NULL);
  return !srv;
}

static int suite_cleanup(void)
{
  size_t i;
  for(i = 0; vars[i]; i++) {
    if(saved[i])
      setenv(vars[i], saved[i], 1);
    else
      unsetenv(vars[i]);
    free(saved[i]);
  }
  sl_mini_stop(srv);
  sl_log_set_sink(NULL, NULL);
  sl_buf_cleanup(&logged);
  sl_aws_config_cleanup(&cfg);
  return 0;
}

static enum sl_result resolve(struct sl_creds *c, struct sl_error *err)
{
  memset(c, 0, sizeof(*c));
  sl_error_clear(err);
  return sl_creds_resolve(&cfg, NULL, c, err);
}

static void test_parse_time(void)
{
  static const struct {
    const char *in;
    long long want; /* -1 = must fail */
  } cases[] = {
    { "2030-01-02T03:04:05Z", 1893553445LL },
    { "2030-01-02T03:04:05.123Z", 1893553445LL },
    { "2030-01-02T08:34:05+05:30", 1893553445LL },
    { "2030-01-01T22:04:05-05:00", 1893553445LL },
    { "2030-01-02T03:04:05", -1 },
    { "2030-13-02T03:04:05Z", -1 },
    { "2030-01-02T03:04:05Zjunk", -1 },
    { "", -1 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    time_t t = 0;
    int rc = sl_creds_parse_time(cases[i].in, &t);
    if(cases[i].want < 0) {
      CU_ASSERT_NOT_EQUAL(rc, 0);
    }
    else {
      CU_ASSERT_EQUAL(rc, 0);
      CU_ASSERT_EQUAL((long long)t, cases[i].want);
    }
  }
}

static void test_sluice_profile_beats_env(void)
{
  struct sl_creds c;
  struct sl_error err;
  fresh();
  snprintf(cfg.static_access_key_id, sizeof(cfg.static_access_key_id), "AKIDSLUICE");
  snprintf(cfg.static_secret_access_key, sizeof(cfg.static_secret_access_key), "sluice/secret+key");
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "sluice-profile");
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "AKIDSLUICE");
  CU_ASSERT_STRING_EQUAL(c.secret_access_key, "sluice/secret+key");
  CU_ASSERT_PTR_NULL(c.session_token);
  CU_ASSERT_EQUAL(c.expiration, 0);
  sl_creds_cleanup(&c);
  /* Half a key pair in the profile is a configuration error. */
  cfg.static_secret_access_key[0] = 0;
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CONFIG);
}

static void test_env_beats_shared(void)
{
  struct sl_creds c;
  struct sl_error err;
  fresh();
  write_file(cred_path, "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = f\n",
             0600);
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  setenv("AWS_SESSION_TOKEN", "envtoken-123456", 1);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "env");
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "AKIDENV");
  CU_ASSERT_STRING_EQUAL(c.session_token, "envtoken-123456");
  sl_creds_cleanup(&c);
  /* Without the environment the file answers. */
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_SESSION_TOKEN");
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "profile");
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "AKIDFILE");
  sl_creds_cleanup(&c);
}

static void test_env_half_pair(void)
{
  struct sl_creds c;
  struct sl_error err;
  fresh();
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "AWS_SECRET_ACCESS_KEY is not"));
  unsetenv("AWS_ACCESS_KEY_ID");
  setenv("AWS_SECRET_ACCESS_KEY", "s", 1);
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "AWS_ACCESS_KEY_ID is not"));
}

static void test_credentials_file_beats_config(void)
{
  struct sl_creds c;
  struct sl_error err;
  fresh();
  write_file(conf_path, "[profile dev]\naws_access_key_id = AKIDCONF\n"
             "aws_secret_access_key = conf\n[default]\naws_access_key_id = AKIDDEFCONF\n"
             "aws_secret_access_key = d\n", 0600);
  write_file(cred_path, "[dev]\naws_access_key_id = AKIDCRED\naws_secret_access_key = cr+d/=\n",
             0600);
  snprintf(cfg.profile, sizeof(cfg.profile), "dev");
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "AKIDCRED");
  CU_ASSERT_STRING_EQUAL(c.secret_access_key, "cr+d/=");
  sl_creds_cleanup(&c);
  /* [default] in the config file, chosen by default. */
  cfg.profile[0] = 0;
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "AKIDDEFCONF");
  sl_creds_cleanup(&c);
  /* AWS_PROFILE chooses when the config names none. */
  setenv("AWS_PROFILE", "dev", 1);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "AKIDCRED");
  sl_creds_cleanup(&c);
  /* A profile asked for by name that does not exist is an error, not a
   * reason to fall through to other credentials. */
  setenv("AWS_PROFILE", "nope", 1);
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "'nope' not found"));
  /* Naming "default" explicitly still lets the chain go on without files. */
  remove(conf_path);
  remove(cred_path);
  setenv("AWS_PROFILE", "default", 1);
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no profile 'default'"));
}

static void test_long_session_token(void)
{
  struct sl_creds c;
  struct sl_error err;
  char token[2001], text[2300];
  int i;
  fresh();
  for(i = 0; i < 2000; i++)
    token[i] = (char)('A' + i % 26);
  token[2000] = 0;
  snprintf(text, sizeof(text), "[default]\naws_access_key_id = AKID\naws_secret_access_key = s\n"
           "aws_session_token = %s\n", token);
  write_file(cred_path, text, 0600);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.session_token, token);
  sl_creds_cleanup(&c);
}

/* Writes an executable script and returns its path. */
static const char *script(const char *name, const char *body)
{
  const char *p = tmp(name);
  char text[2048];
  snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", body);
  write_file(p, text, 0700);
  return p;
}

static void use_process(const char *command)
{
  char text[1024];
  snprintf(text, sizeof(text), "[profile proc]\ncredential_process = %s\n", command);
  write_file(conf_path, text, 0600);
  snprintf(cfg.profile, sizeof(cfg.profile), "proc");
}

static void test_process_success(void)
{
  struct sl_creds c;
  struct sl_error err;
  const char *s = script("ok.sh", "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
                         "\"SecretAccessKey\": \"proc/secret+=\", \"SessionToken\": \"ptoken\", "
                         "\"Expiration\": \"2030-01-02T03:04:05Z\"}'");
  char cmd[600];
  fresh();
  /* Arguments reach the command through the shell. */
  snprintf(cmd, sizeof(cmd), "%s --profile x", s);
  use_process(cmd);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "process");
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "AKIDPROC");
  CU_ASSERT_STRING_EQUAL(c.secret_access_key, "proc/secret+=");
  CU_ASSERT_STRING_EQUAL(c.session_token, "ptoken");
  CU_ASSERT_EQUAL((long long)c.expiration, 1893553445LL);
  sl_creds_cleanup(&c);
  /* Without Expiration the credentials do not expire. */
  use_process("echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"B\"}'");
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_EQUAL(c.expiration, 0);
  CU_ASSERT_PTR_NULL(c.session_token);
  sl_creds_cleanup(&c);
}

static void test_process_failures(void)
{
  static const struct {
    const char *command;
    const char *want; /* in the message */
  } cases[] = {
    { "echo 'token expired: run login' >&2; echo more >&2; exit 3",
      "exited with status 3: token expired: run login" },
    { "echo '{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"B\"}'",
      "\"Version\": 1" },
    { "echo 'not json'", "not a JSON object" },
    { "echo '{\"Version\": 1, \"AccessKeyId\": \"A\"}'", "lacks AccessKeyId or SecretAccessKey" },
    { "echo '{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"B\", "
      "\"Expiration\": \"tomorrow\"}'", "bad Expiration" },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_creds c;
    struct sl_error err;
    fresh();
    use_process(cases[i].command);
    CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
    if(!strstr(err.message, cases[i].want))
      fprintf(stderr, "case %zu: message '%s'\n", i, err.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, cases[i].want));
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "profile proc: credential_process"));
  }
}

static void test_process_timeout_and_bound(void)
{
  struct sl_creds c;
  struct sl_error err;
  time_t t0 = time(NULL);
  memset(&c, 0, sizeof(c));
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_creds_from_process("sleep 20", 300, &c, &err), SL_E_TIMEOUT);
  CU_ASSERT_TRUE(time(NULL) - t0 < 5);
  CU_ASSERT_EQUAL(sl_creds_from_process("yes", 5000, &c, &err), SL_E_TOO_LARGE);
}

/* The script counts its runs in a file and answers an expiration `ahead`
 * seconds from now. */
static const char *counting_script(int ahead)
{
  char body[1024];
  snprintf(body, sizeof(body),
           "n=$(cat %s/runs 2>/dev/null || echo 0); echo $((n + 1)) > %s/runs\n"
           "exp=$(date -u -d @$(( $(date +%%s) + %d )) +%%Y-%%m-%%dT%%H:%%M:%%SZ)\n"
           "echo \"{\\\"Version\\\": 1, \\\"AccessKeyId\\\": \\\"AKID$n\\\", "
           "\\\"SecretAccessKey\\\": \\\"s\\\", \\\"Expiration\\\": \\\"$exp\\\"}\"",
           sl_test_tmpdir(), sl_test_tmpdir(), ahead);
  remove(tmp("runs"));
  return script("count.sh", body);
}

static int runs(void)
{
  char *t = sl_test_read_file(tmp("runs"), NULL);
  int n = t ? atoi(t) : 0;
  free(t);
  return n;
}

static void test_refresh_expiring(void)
{
  struct sl_creds_provider *p;
  const struct sl_creds *c = NULL;
  struct sl_error err;
  fresh();
  /* Two minutes left: inside the 5-minute window, so every get refreshes. */
  use_process(counting_script(120));
  p = sl_creds_provider_new(&cfg, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c->access_key_id, "AKID0");
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c->access_key_id, "AKID1");
  CU_ASSERT_EQUAL(runs(), 2);
  sl_creds_provider_free(p);
  /* An hour left: cached. */
  use_process(counting_script(3600));
  p = sl_creds_provider_new(&cfg, NULL, NULL);
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_EQUAL(runs(), 1);
  sl_creds_provider_free(p);
}

static void test_refresh_failure_keeps_valid(void)
{
  struct sl_creds_provider *p;
  const struct sl_creds *c = NULL;
  struct sl_error err;
  fresh();
  use_process(counting_script(120));
  p = sl_creds_provider_new(&cfg, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_creds_get(p, &c, &err), SL_OK);
  /* The process breaks; the two minutes left are still usable. */
  use_process("exit 1");
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c->access_key_id, "AKID0");
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, "could not refresh"));
  sl_creds_provider_free(p);
}

static const char *sts_answer =
  "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n"
  "  <AssumeRoleResult>\n"
  "    <Credentials>\n"
  "      <AccessKeyId>ASIAROLE</AccessKeyId>\n"
  "      <SecretAccessKey>role/secret+key</SecretAccessKey>\n"
  "      <SessionToken>role-session-token-value</SessionToken>\n"
  "      <Expiration>2030-01-02T03:04:05Z</Expiration>\n"
  "    </Credentials>\n"
  "    <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/demo/s</Arn>"
  "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser>\n"
  "  </AssumeRoleResult>\n"
  "  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>\n"
  "</AssumeRoleResponse>\n";

static void use_sts(void)
{
  snprintf(cfg.service_endpoint[SL_SVC_STS], sizeof(cfg.service_endpoint[0]), "%s",
           sl_mini_url(srv));
  routes[0] = (struct route){ "POST", "/", 200, sts_answer };
}

static const char *body_of(size_t i)
{
  const struct sl_mini_request *q = sl_mini_request_at(srv, i);
  return q && q->body.data ? q->body.data : "";
}

static void test_assume_role_source_profile(void)
{
  struct sl_creds c;
  struct sl_error err;
  const struct sl_mini_request *q;
  const char *auth, *body;
  fresh();
  use_sts();
  write_file(conf_path, "[profile target]\nrole_arn = arn:aws:iam::123456789012:role/demo\n"
             "source_profile = base\nexternal_id = ext-42\nrole_session_name = sess-1\n"
             "duration_seconds = 1800\n", 0600);
  write_file(cred_path, "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n",
             0600);
  snprintf(cfg.profile, sizeof(cfg.profile), "target");
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "sts");
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "ASIAROLE");
  CU_ASSERT_STRING_EQUAL(c.secret_access_key, "role/secret+key");
  CU_ASSERT_STRING_EQUAL(c.session_token, "role-session-token-value");
  CU_ASSERT_EQUAL((long long)c.expiration, 1893553445LL);
  sl_creds_cleanup(&c);
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 1);
  q = sl_mini_request_at(srv, 0);
  body = body_of(0);
  CU_ASSERT_STRING_EQUAL(q->method, "POST");
  CU_ASSERT_STRING_EQUAL(q->target, "/");
  CU_ASSERT_PTR_NOT_NULL(strstr(body, "Action=AssumeRole&"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body, "Version=2011-06-15"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body, "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdemo"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body, "RoleSessionName=sess-1"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body, "ExternalId=ext-42"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body, "DurationSeconds=1800"));
  auth = sl_headers_get(&q->headers, "Authorization");
  CU_ASSERT_PTR_NOT_NULL_FATAL(auth);
  CU_ASSERT_PTR_NOT_NULL(strstr(auth, "AWS4-HMAC-SHA256 Credential=AKIDBASE/"));
  CU_ASSERT_PTR_NOT_NULL(strstr(auth, "/us-east-1/sts/aws4_request"));
  /* The default session name is sluice-<epoch>. */
  write_file(conf_path, "[profile target]\nrole_arn = arn:aws:iam::123456789012:role/demo\n"
             "source_profile = base\n", 0600);
  sl_mini_reset(srv);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  sl_creds_cleanup(&c);
  CU_ASSERT_PTR_NOT_NULL(strstr(body_of(0), "RoleSessionName=sluice-"));
  CU_ASSERT_PTR_NULL(strstr(body_of(0), "ExternalId"));
}

/* A role whose source is another role: two AssumeRole calls in order. */
static void test_assume_role_chained(void)
{
  struct sl_creds c;
  struct sl_error err;
  fresh();
  use_sts();
  write_file(conf_path,
             "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = mid\n"
             "[profile mid]\nrole_arn = arn:aws:iam::1:role/mid\nsource_profile = base\n"
             "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n", 0600);
  snprintf(cfg.profile, sizeof(cfg.profile), "top");
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  sl_creds_cleanup(&c);
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 2);
  CU_ASSERT_PTR_NOT_NULL(strstr(body_of(0), "role%2Fmid"));
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_headers_get(&sl_mini_request_at(srv, 0)->headers,
                                               "Authorization"), "Credential=AKIDBASE/"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body_of(1), "role%2Ftop"));
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_headers_get(&sl_mini_request_at(srv, 1)->headers,
                                               "Authorization"), "Credential=ASIAROLE/"));
}

static void test_assume_role_errors(void)
{
  static const struct {
    const char *config;
    enum sl_result want;
    const char *msg;
  } cases[] = {
    { "[profile a]\nrole_arn = r\nsource_profile = b\n[profile b]\nrole_arn = r\n"
      "source_profile = a\n", SL_E_CONFIG, "cycle" },
    { "[profile a]\nrole_arn = r\n", SL_E_CONFIG, "no source_profile" },
    { "[profile a]\nrole_arn = r\nsource_profile = missing\n", SL_E_CONFIG, "'missing' not found" },
    { "[profile a]\nrole_arn = r\ncredential_source = Somewhere\n", SL_E_CONFIG,
      "unknown credential_source" },
    { "[profile a]\nrole_arn = r\ncredential_source = Environment\n", SL_E_CREDENTIALS,
      "AWS_ACCESS_KEY_ID is not set" },
    { "[profile a]\nrole_arn = r\nsource_profile = a\n", SL_E_CONFIG, "own source_profile" },
    { "[profile a]\nrole_arn = r\nsource_profile = b\nduration_seconds = 10\n[profile b]\n"
      "aws_access_key_id = K\naws_secret_access_key = S\n", SL_E_CONFIG, "duration_seconds" },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_creds c;
    struct sl_error err;
    fresh();
    use_sts();
    write_file(conf_path, cases[i].config, 0600);
    snprintf(cfg.profile, sizeof(cfg.profile), "a");
    CU_ASSERT_EQUAL(resolve(&c, &err), cases[i].want);
    if(!strstr(err.message, cases[i].msg))
      fprintf(stderr, "case %zu: message '%s'\n", i, err.message);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, cases[i].msg));
    CU_ASSERT_EQUAL(sl_mini_request_count(srv), 0);
  }
}

static void test_assume_role_denied(void)
{
  struct sl_creds c;
  struct sl_error err;
  fresh();
  use_sts();
  routes[0] = (struct route){ "POST", "/", 403,
    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
    "<Message>not allowed to assume</Message></Error><RequestId>r-9</RequestId></ErrorResponse>" };
  write_file(conf_path, "[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = a\n"
             "aws_access_key_id = AKIDSELF\naws_secret_access_key = s\n", 0600);
  snprintf(cfg.profile, sizeof(cfg.profile), "a");
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_STRING_EQUAL(err.code, "AccessDenied");
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "profile a: AssumeRole"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "not allowed to assume"));
  /* The profile named itself as source: its own keys signed. */
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_headers_get(&sl_mini_request_at(srv, 0)->headers,
                                               "Authorization"), "Credential=AKIDSELF/"));
}

static const char *web_answer =
  "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
  "<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId>"
  "<SecretAccessKey>web/secret</SecretAccessKey><SessionToken>web-token-value</SessionToken>"
  "<Expiration>2030-01-02T03:04:05Z</Expiration></Credentials>"
  "<SubjectFromWebIdentityToken>sub</SubjectFromWebIdentityToken>"
  "</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";

static void test_web_identity_env(void)
{
  struct sl_creds c;
  struct sl_error err;
  const struct sl_mini_request *q;
  fresh();
  use_sts();
  routes[0].body = web_answer;
  write_file(tmp("oidc-token"), "eyJhbGciOi.payload.sig\n", 0600);
  setenv("AWS_WEB_IDENTITY_TOKEN_FILE", tmp("oidc-token"), 1);
  setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web", 1);
  setenv("AWS_ROLE_SESSION_NAME", "pod-7", 1);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "web-identity");
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "ASIAWEB");
  CU_ASSERT_STRING_EQUAL(c.session_token, "web-token-value");
  sl_creds_cleanup(&c);
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 1);
  q = sl_mini_request_at(srv, 0);
  CU_ASSERT_PTR_NULL(sl_headers_get(&q->headers, "Authorization"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body_of(0), "Action=AssumeRoleWithWebIdentity&"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body_of(0), "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fweb"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body_of(0), "RoleSessionName=pod-7"));
  CU_ASSERT_PTR_NOT_NULL(strstr(body_of(0), "WebIdentityToken=eyJhbGciOi.payload.sig"));
  CU_ASSERT_PTR_NULL(strstr(body_of(0), "%0A"));
  /* A token file without a role is a broken setup, not "not configured". */
  unsetenv("AWS_ROLE_ARN");
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "AWS_ROLE_ARN"));
}

static void test_web_identity_profile(void)
{
  struct sl_creds c;
  struct sl_error err;
  char text[1024];
  fresh();
  use_sts();
  routes[0].body = web_answer;
  write_file(tmp("oidc-token2"), "tok-from-profile", 0600);
  snprintf(text, sizeof(text), "[profile w]\nrole_arn = arn:aws:iam::1:role/w\n"
           "web_identity_token_file = %s\n", tmp("oidc-token2"));
  write_file(conf_path, text, 0600);
  snprintf(cfg.profile, sizeof(cfg.profile), "w");
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "web-identity");
  sl_creds_cleanup(&c);
  CU_ASSERT_PTR_NOT_NULL(strstr(body_of(0), "WebIdentityToken=tok-from-profile"));
  CU_ASSERT_PTR_NULL(sl_headers_get(&sl_mini_request_at(srv, 0)->headers, "Authorization"));
}

static char remote_json[1024];

static void set_remote_json(const char *token_member, long ahead)
{
  char exp[32];
  time_t t = time(NULL) + ahead;
  strftime(exp, sizeof(exp), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
  snprintf(remote_json, sizeof(remote_json),
           "{\"Code\": \"Success\", \"Type\": \"AWS-HMAC\", \"AccessKeyId\": \"ASIAREMOTE\", "
           "\"SecretAccessKey\": \"remote/secret\", \"%s\": \"remote-token-value\", "
           "\"Expiration\": \"%s\"}", token_member, exp);
}

static void test_ecs_full_uri(void)
{
  struct sl_creds c;
  struct sl_error err;
  char url[300];
  const struct sl_mini_request *q;
  fresh();
  set_remote_json("Token", 3600);
  routes[0] = (struct route){ "GET", "/v2/creds?id=1", 200, remote_json };
  snprintf(url, sizeof(url), "%s/v2/creds?id=1", sl_mini_url(srv));
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic ecs-auth-token", 1);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "ecs");
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "ASIAREMOTE");
  CU_ASSERT_STRING_EQUAL(c.session_token, "remote-token-value");
  CU_ASSERT_TRUE(c.expiration > time(NULL) + 3500);
  sl_creds_cleanup(&c);
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 1);
  q = sl_mini_request_at(srv, 0);
  CU_ASSERT_STRING_EQUAL(q->method, "GET");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&q->headers, "Authorization"), "Basic ecs-auth-token");
  /* The token file wins over the variable. */
  write_file(tmp("ecs-token"), "from-file-token\n", 0600);
  setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tmp("ecs-token"), 1);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  sl_creds_cleanup(&c);
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&sl_mini_request_at(srv, 1)->headers, "Authorization"),
                         "from-file-token");
  /* Plain http elsewhere than loopback is refused before any request. */
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.10/creds", 1);
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 2);
  /* An error status is a failure of a configured source. */
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
  routes[0].status = 403;
  routes[0].body = "denied";
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "HTTP 403"));
}

static void imds_routes(void)
{
  routes[0] = (struct route){ "PUT", "/latest/api/token", 200, "IMDS-SESSION-TOKEN" };
  routes[1] = (struct route){ "GET", "/latest/meta-data/iam/security-credentials/", 200,
                              "my-role\n" };
  routes[2] = (struct route){ "GET", "/latest/meta-data/iam/security-credentials/my-role", 200,
                              remote_json };
  unsetenv("AWS_EC2_METADATA_DISABLED");
  setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", sl_mini_url(srv), 1);
}

static void test_imds(void)
{
  struct sl_creds c;
  struct sl_error err;
  const struct sl_mini_request *q;
  size_t i;
  fresh();
  set_remote_json("Token", 3600);
  imds_routes();
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "imds");
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "ASIAREMOTE");
  CU_ASSERT_STRING_EQUAL(c.secret_access_key, "remote/secret");
  CU_ASSERT_STRING_EQUAL(c.session_token, "remote-token-value");
  sl_creds_cleanup(&c);
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 3);
  q = sl_mini_request_at(srv, 0);
  CU_ASSERT_STRING_EQUAL(q->method, "PUT");
  CU_ASSERT_STRING_EQUAL(q->target, "/latest/api/token");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&q->headers, "X-aws-ec2-metadata-token-ttl-seconds"),
                         "21600");
  CU_ASSERT_PTR_NULL(sl_headers_get(&q->headers, "X-aws-ec2-metadata-token"));
  for(i = 1; i < 3; i++) {
    q = sl_mini_request_at(srv, i);
    CU_ASSERT_STRING_EQUAL(q->method, "GET");
    CU_ASSERT_STRING_EQUAL(sl_headers_get(&q->headers, "X-aws-ec2-metadata-token"),
                           "IMDS-SESSION-TOKEN");
  }
  CU_ASSERT_STRING_EQUAL(sl_mini_request_at(srv, 2)->target,
                         "/latest/meta-data/iam/security-credentials/my-role");
  /* No role attached: nothing found, and the message says why. */
  sl_mini_reset(srv);
  routes[1].status = 404;
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no IAM role attached"));
  /* Disabled: not one request. */
  sl_mini_reset(srv);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "disabled by AWS_EC2_METADATA_DISABLED"));
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 0);
}

static void test_imds_refresh(void)
{
  struct sl_creds_provider *p;
  const struct sl_creds *c = NULL;
  struct sl_error err;
  fresh();
  set_remote_json("Token", 120);
  imds_routes();
  p = sl_creds_provider_new(&cfg, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c->source, "imds");
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 3);
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 6);
  sl_creds_provider_free(p);
  /* Far from expiry: one fetch serves every get. */
  sl_mini_reset(srv);
  set_remote_json("Token", 7200);
  p = sl_creds_provider_new(&cfg, NULL, NULL);
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 3);
  sl_creds_provider_free(p);
}

static void test_profile_permission_warning(void)
{
  struct sl_creds_provider *p;
  const struct sl_creds *c = NULL;
  struct sl_error err;
  const char *path = tmp("sluice.ini");
  fresh();
  snprintf(cfg.static_access_key_id, sizeof(cfg.static_access_key_id), "AKIDSLUICE");
  snprintf(cfg.static_secret_access_key, sizeof(cfg.static_secret_access_key), "s");
  write_file(path, "[sluice]\n", 0644);
  p = sl_creds_provider_new(&cfg, NULL, path);
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, path));
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, "readable by group and others"));
  sl_creds_provider_free(p);
  sl_buf_reset(&logged);
  chmod(path, 0640);
  p = sl_creds_provider_new(&cfg, NULL, path);
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, "readable by its group"));
  sl_creds_provider_free(p);
  sl_buf_reset(&logged);
  chmod(path, 0600);
  p = sl_creds_provider_new(&cfg, NULL, path);
  CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
  CU_ASSERT_EQUAL(logged.len, 0);
  sl_creds_provider_free(p);
}

/* Keys in the shared files get the same warning, naming the file the
 * secret came from: the credentials file, or the config file when the
 * keys are there; a config file without keys is not named. */
static void test_shared_file_permission_warning(void)
{
  static const struct {
    const char *config, *credentials;
    int config_mode, credentials_mode;
    int names_config, names_credentials;
    const char *reader;
  } cases[] = {
    { NULL, "[default]\naws_access_key_id = AKIDC\naws_secret_access_key = s\n", 0, 0644,
      0, 1, "readable by group and others" },
    { NULL, "[default]\naws_access_key_id = AKIDC\naws_secret_access_key = s\n", 0, 0604,
      0, 1, "readable by others (mode 604)" },
    { NULL, "[default]\naws_access_key_id = AKIDC\naws_secret_access_key = s\n", 0, 0600,
      0, 0, NULL },
    { "[default]\naws_access_key_id = AKIDF\naws_secret_access_key = s\n", NULL, 0640, 0,
      1, 0, "readable by its group (mode 640)" },
    { "[default]\nregion = eu-west-1\n",
      "[default]\naws_access_key_id = AKIDC\naws_secret_access_key = s\n", 0644, 0600,
      0, 0, NULL },
    /* The secret from the credentials file, the id from the config file. */
    { "[default]\naws_access_key_id = AKIDF\n", "[default]\naws_secret_access_key = s\n",
      0600, 0664, 0, 1, "readable by group and others (mode 664)" },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_creds_provider *p;
    const struct sl_creds *c = NULL;
    struct sl_error err;
    char want[700];
    fresh();
    if(cases[i].config)
      write_file(conf_path, cases[i].config, cases[i].config_mode);
    if(cases[i].credentials)
      write_file(cred_path, cases[i].credentials, cases[i].credentials_mode);
    p = sl_creds_provider_new(&cfg, NULL, NULL);
    CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
    CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
    CU_ASSERT_STRING_EQUAL(c->source, "profile");
    if(!cases[i].reader) {
      CU_ASSERT_EQUAL(logged.len, 0);
    }
    else {
      const char *path = cases[i].names_config ? conf_path : cred_path;
      const char *line = strstr(logged.data, cases[i].reader);
      snprintf(want, sizeof(want), "%s holds AWS keys but is readable by ", path);
      CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, want));
      CU_ASSERT_PTR_NOT_NULL(line);
      snprintf(want, sizeof(want), "; run: chmod 600 %s\n", path);
      CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, want));
      /* once per provider, whatever the number of calls */
      CU_ASSERT_PTR_NULL(line ? strstr(line + 1, "holds AWS keys") : NULL);
      CU_ASSERT_PTR_NULL(strstr(logged.data, cases[i].names_config ? cred_path : conf_path));
    }
    if(CU_get_number_of_failures())
      fprintf(stderr, "case %zu: logged [%s]\n", i, logged.data ? logged.data : "");
    sl_creds_provider_free(p);
  }
  /* Several clients (send's and inspect's workers) on one file: one warning. */
  fresh();
  write_file(cred_path, "[default]\naws_access_key_id = AKIDC\naws_secret_access_key = s\n",
             0660);
  for(i = 0; i < 3; i++) {
    struct sl_creds_provider *p = sl_creds_provider_new(&cfg, NULL, NULL);
    const struct sl_creds *c = NULL;
    struct sl_error err;
    CU_ASSERT_EQUAL(sl_creds_get(p, &c, &err), SL_OK);
    sl_creds_provider_free(p);
  }
  {
    const char *first = strstr(logged.data, "readable by its group (mode 660)");
    CU_ASSERT_PTR_NOT_NULL(first);
    CU_ASSERT_PTR_NULL(first ? strstr(first + 1, "holds AWS keys") : NULL);
  }
}

static void test_nothing_found(void)
{
  struct sl_creds c;
  struct sl_error err;
  fresh();
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "no AWS credentials found; tried: "));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "sluice profile (no keys)"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "environment (AWS_ACCESS_KEY_ID not set)"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "shared files (no profile 'default' in "));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE"));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "container endpoint ("));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "EC2 instance metadata (disabled"));
  CU_ASSERT_PTR_NULL(c.access_key_id);
  /* A profile with only settings is no source either. */
  write_file(conf_path, "[default]\nregion = eu-west-1\n", 0600);
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "profile 'default' has no credentials"));
}

static const char *identity_answer =
  "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
  "<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/alice</Arn>"
  "<UserId>AIDAEXAMPLE</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
  "<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>";

static void test_caller_identity(void)
{
  struct sl_creds c;
  struct sl_sts_identity id;
  struct sl_error err;
  struct sl_http_options o = { 2000, 5000, NULL, 0, 0, 0, 0 };
  struct sl_http *h;
  fresh();
  use_sts();
  routes[0].body = identity_answer;
  memset(&c, 0, sizeof(c));
  CU_ASSERT_EQUAL_FATAL(sl_creds_fill(&c, "AKIDME", "me-secret", NULL, 0, "env"), SL_OK);
  h = sl_http_new(&o);
  CU_ASSERT_EQUAL(sl_sts_get_caller_identity(h, &cfg, &c, &id, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(id.account, "123456789012");
  CU_ASSERT_STRING_EQUAL(id.arn, "arn:aws:iam::123456789012:user/alice");
  CU_ASSERT_STRING_EQUAL(id.user_id, "AIDAEXAMPLE");
  CU_ASSERT_STRING_EQUAL(body_of(0), "Action=GetCallerIdentity&Version=2011-06-15");
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_headers_get(&sl_mini_request_at(srv, 0)->headers,
                                               "Authorization"), "Credential=AKIDME/"));
  sl_http_free(h);
  sl_creds_cleanup(&c);
}

/* Secrets obtained by the chain never reach a log line. */
static void test_secrets_registered(void)
{
  struct sl_creds c;
  struct sl_error err;
  fresh();
  setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "env-secret-never-logged", 1);
  setenv("AWS_SESSION_TOKEN", "env-token-never-logged", 1);
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  sl_log(SL_LOG_WARN, "oops %s %s", c.secret_access_key, c.session_token);
  CU_ASSERT_PTR_NULL(strstr(logged.data, "never-logged"));
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, "oops ****"));
  sl_creds_cleanup(&c);
}

/* ---- AWS SSO ---------------------------------------------------------- */

/* The token `aws sso login` caches, under a HOME of the test's own:
 * ~/.aws/sso/cache/<sha1(what)>.json. */
static void sso_token(const char *sha1_of, const char *json)
{
  char dir[600], path[700];
  unsigned char sum[20];
  unsigned int n = 0, i;
  char hex[41];
  snprintf(dir, sizeof(dir), "%s/home", sl_test_tmpdir());
  setenv("HOME", dir, 1);
  mkdir(dir, 0700);
  snprintf(path, sizeof(path), "%s/.aws", dir);
  mkdir(path, 0700);
  snprintf(path, sizeof(path), "%s/.aws/sso", dir);
  mkdir(path, 0700);
  snprintf(path, sizeof(path), "%s/.aws/sso/cache", dir);
  mkdir(path, 0700);
  EVP_Digest(sha1_of, strlen(sha1_of), sum, &n, EVP_sha1(), NULL);
  for(i = 0; i < 20; i++)
    snprintf(hex + 2 * i, 3, "%02x", sum[i]);
  snprintf(path, sizeof(path), "%s/.aws/sso/cache/%s.json", dir, hex);
  if(json)
    write_file(path, json, 0600);
  else
    remove(path);
}

static const char sso_answer[] =
  "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO\",\"secretAccessKey\":\"sso/secret+key\","
  "\"sessionToken\":\"sso-session-token-value\",\"expiration\":1893553445000}}";
static const char sso_target[] =
  "/federation/credentials?account_id=123456789012&role_name=Read%20Only";

static void test_sso_session(void)
{
  struct sl_creds c;
  struct sl_error err;
  const struct sl_mini_request *q;
  fresh();
  setenv("AWS_ENDPOINT_URL_SSO", sl_mini_url(srv), 1);
  routes[0] = (struct route){ "GET", sso_target, 200, sso_answer };
  write_file(conf_path, "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
             "sso_role_name = Read Only\nregion = eu-west-1\n\n"
             "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
             "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n", 0600);
  sso_token("corp", "{\"accessToken\":\"sso-bearer-token-1234\",\"expiresAt\":\"2099-01-01T00:00:00Z\","
            "\"region\":\"eu-west-1\",\"startUrl\":\"https://corp.awsapps.com/start\"}");
  snprintf(cfg.profile, sizeof(cfg.profile), "dev");
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.source, "sso");
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "ASIASSO");
  CU_ASSERT_STRING_EQUAL(c.secret_access_key, "sso/secret+key");
  CU_ASSERT_STRING_EQUAL(c.session_token, "sso-session-token-value");
  CU_ASSERT_EQUAL((long long)c.expiration, 1893553445LL); /* milliseconds on the wire */
  sl_creds_cleanup(&c);
  /* One unsigned GET with the bearer token. */
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 1);
  q = sl_mini_request_at(srv, 0);
  CU_ASSERT_STRING_EQUAL(q->method, "GET");
  CU_ASSERT_STRING_EQUAL(q->target, sso_target);
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&q->headers, "x-amz-sso_bearer_token"),
                         "sso-bearer-token-1234");
  CU_ASSERT_PTR_NULL(sl_headers_get(&q->headers, "Authorization"));
  /* The bearer token is a secret too. */
  sl_log(SL_LOG_WARN, "token sso-bearer-token-1234 seen");
  CU_ASSERT_PTR_NULL(strstr(logged.data, "sso-bearer-token-1234"));
}

static void test_sso_legacy_and_errors(void)
{
  struct sl_creds c;
  struct sl_error err;
  fresh();
  setenv("AWS_ENDPOINT_URL_SSO", sl_mini_url(srv), 1);
  routes[0] = (struct route){ "GET", sso_target, 200, sso_answer };
  /* Legacy: the start URL names the token file. */
  write_file(conf_path, "[profile old]\nsso_start_url = https://old.awsapps.com/start\n"
             "sso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Read Only\n",
             0600);
  sso_token("https://old.awsapps.com/start",
            "{\"accessToken\":\"legacy-token-abcdef\",\"expiresAt\":\"2099-01-01T00:00:00UTC\"}");
  snprintf(cfg.profile, sizeof(cfg.profile), "old");
  CU_ASSERT_EQUAL_FATAL(resolve(&c, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(c.access_key_id, "ASIASSO");
  sl_creds_cleanup(&c);
  /* Expired: say how to log in again; nothing is sent. */
  sl_mini_reset(srv);
  sso_token("https://old.awsapps.com/start",
            "{\"accessToken\":\"legacy-token-abcdef\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}");
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_STRING_EQUAL(err.message, "profile old: the AWS SSO token expired at "
                         "2020-01-01T00:00:00Z: run aws sso login --profile old");
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 0);
  /* Never logged in. */
  sso_token("https://old.awsapps.com/start", NULL);
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "profile old: no AWS SSO token cached ("));
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "): run aws sso login --profile old"));
  /* The portal no longer takes the token. */
  sso_token("https://old.awsapps.com/start",
            "{\"accessToken\":\"legacy-token-abcdef\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}");
  routes[0] = (struct route){ "GET", sso_target, 401,
                              "{\"message\":\"Session token not found or invalid\"}" };
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_STRING_EQUAL(err.message, "profile old: the AWS SSO session is no longer valid "
                         "(GetRoleCredentials): run aws sso login "
                         "--profile old");
  routes[0] = (struct route){ "GET", sso_target, 403, "{\"message\":\"No access\"}" };
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CREDENTIALS);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "profile old: the AWS SSO user may not use role "
                                             "Read Only in account 123456789012"));
  /* Settings that cannot work are named. */
  write_file(conf_path, "[profile half]\nsso_session = nowhere\nsso_account_id = 1\n", 0600);
  snprintf(cfg.profile, sizeof(cfg.profile), "half");
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "profile half: sso_session 'nowhere' has no "
                                             "[sso-session nowhere] section in "));
  write_file(conf_path, "[profile half]\nsso_start_url = https://x/start\nsso_region = us-east-1\n",
             0600);
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CONFIG);
  CU_ASSERT_STRING_EQUAL(err.message, "profile half is an AWS SSO profile but lacks "
                         "sso_account_id, sso_role_name");
  write_file(conf_path, "[profile both]\nsso_session = s\nsso_region = us-east-1\n"
             "sso_account_id = 1\nsso_role_name = r\n[sso-session s]\n"
             "sso_start_url = https://s/start\nsso_region = eu-west-1\n", 0600);
  snprintf(cfg.profile, sizeof(cfg.profile), "both");
  CU_ASSERT_EQUAL(resolve(&c, &err), SL_E_CONFIG);
  CU_ASSERT_STRING_EQUAL(err.message, "profile both: sso_region is 'us-east-1' but its "
                         "sso-session s says 'eu-west-1'");
}

/* Providers with one configuration share what the first fetched: one
 * AssumeRole for all of them; a changed configuration fetches again. */
static void test_shared_between_providers(void)
{
  struct sl_creds_provider *a, *b;
  const struct sl_creds *ca, *cb;
  struct sl_error err;
  fresh();
  use_sts();
  write_file(conf_path, "[profile shared]\nrole_arn = arn:aws:iam::123456789012:role/demo\n"
             "source_profile = base\n", 0600);
  write_file(cred_path, "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n",
             0600);
  snprintf(cfg.profile, sizeof(cfg.profile), "shared");
  a = sl_creds_provider_new(&cfg, NULL, NULL);
  b = sl_creds_provider_new(&cfg, NULL, NULL);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_EQUAL_FATAL(sl_creds_get(a, &ca, &err), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_creds_get(b, &cb, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(ca->access_key_id, "ASIAROLE");
  CU_ASSERT_STRING_EQUAL(cb->access_key_id, "ASIAROLE");
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  sl_creds_provider_free(b);
  /* Another session name is another configuration. */
  write_file(conf_path, "[profile shared]\nrole_arn = arn:aws:iam::123456789012:role/demo\n"
             "source_profile = base\nrole_session_name = other-session\n", 0600);
  b = sl_creds_provider_new(&cfg, NULL, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_creds_get(b, &cb, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 2);
  sl_creds_provider_free(a);
  sl_creds_provider_free(b);
}

static const struct sl_test tests[] = {
  { "ISO 8601 expiration parsing", test_parse_time },
  { "sluice profile keys beat the environment", test_sluice_profile_beats_env },
  { "environment beats shared files", test_env_beats_shared },
  { "half an env key pair names the missing variable", test_env_half_pair },
  { "credentials file beats config file; profile naming", test_credentials_file_beats_config },
  { "2000-char session token from a file", test_long_session_token },
  { "credential_process success", test_process_success },
  { "credential_process failures", test_process_failures },
  { "credential_process timeout and output bound", test_process_timeout_and_bound },
  { "refresh of expiring credentials", test_refresh_expiring },
  { "failed refresh keeps still-valid credentials", test_refresh_failure_keeps_valid },
  { "AssumeRole with source_profile on the wire", test_assume_role_source_profile },
  { "chained roles", test_assume_role_chained },
  { "role configuration errors", test_assume_role_errors },
  { "AssumeRole denied", test_assume_role_denied },
  { "web identity from the environment", test_web_identity_env },
  { "web identity from a profile", test_web_identity_profile },
  { "ECS full URI with authorization token", test_ecs_full_uri },
  { "IMDSv2 token, role, credentials; disabled", test_imds },
  { "IMDS refresh counts requests", test_imds_refresh },
  { "sluice profile permission warning", test_profile_permission_warning },
  { "shared credentials/config file permission warning", test_shared_file_permission_warning },
  { "nothing found lists what was tried", test_nothing_found },
  { "GetCallerIdentity", test_caller_identity },
  { "obtained secrets are masked in logs", test_secrets_registered },
  { "AWS SSO: sso_session profile", test_sso_session },
  { "AWS SSO: legacy profile, expired and missing tokens, portal errors", test_sso_legacy_and_errors },
  { "credentials shared between providers of one configuration", test_shared_between_providers },
  { NULL, NULL }
};

SL_TEST_MAIN("creds", tests, suite_init, suite_cleanup)
