/* test_shared_config.c — parsing of the AWS shared config and credentials
 * files: profile naming, precedence, nested keys, comments, long values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice/creds.h"

static char conf_path[512], cred_path[512];

static void write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "wb");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
}

/* Loads name from the given texts (NULL = file absent). */
static enum sl_result load(const char *name, const char *config, const char *credentials,
                           struct sl_shared_profile *p, struct sl_error *err)
{
  snprintf(conf_path, sizeof(conf_path), "%s/config", sl_test_tmpdir());
  snprintf(cred_path, sizeof(cred_path), "%s/credentials", sl_test_tmpdir());
  remove(conf_path);
  remove(cred_path);
  if(config)
    write_file(conf_path, config);
  if(credentials)
    write_file(cred_path, credentials);
  sl_error_clear(err);
  return sl_shared_profile_load_files(name, conf_path, cred_path, p, err);
}

#define GET(p, k) sl_shared_profile_get(p, k)

struct kv_case {
  const char *what;
  const char *profile;
  const char *config;
  const char *credentials;
  const char *key;
  const char *want; /* NULL = key absent */
};

/* Cases that differ only in data; most mirror the SDKs' shared parser rules. */
static const struct kv_case cases[] = {
  { "profile prefix in config", "dev", "[profile dev]\nregion = eu-west-1\n", NULL,
    "region", "eu-west-1" },
  { "config without prefix is not a profile", "dev", "[dev]\nregion = eu-west-1\n", NULL,
    "region", NULL },
  { "plain default in config", "default", "[default]\nregion = us-west-2\n", NULL,
    "region", "us-west-2" },
  { "profile default beats default", "default",
    "[default]\nregion = a\n[profile default]\nregion = b\n", NULL, "region", "b" },
  { "profile default beats default, either order", "default",
    "[profile default]\nregion = b\n[default]\nregion = a\n", NULL, "region", "b" },
  { "credentials file sections have no prefix", "dev", NULL,
    "[dev]\naws_access_key_id = AKIDDEV\n", "aws_access_key_id", "AKIDDEV" },
  { "credentials file ignores profile prefix", "dev", NULL,
    "[profile dev]\naws_access_key_id = AKIDDEV\n", "aws_access_key_id", NULL },
  { "credentials beat config", "dev", "[profile dev]\naws_access_key_id = FROMCONF\n",
    "[dev]\naws_access_key_id = FROMCRED\n", "aws_access_key_id", "FROMCRED" },
  { "config keys merge with credentials", "dev", "[profile dev]\nregion = r1\n",
    "[dev]\naws_access_key_id = K\n", "region", "r1" },
  { "secret with + / = kept whole", "default", NULL,
    "[default]\naws_secret_access_key = ab+cd/ef==gh\n", "aws_secret_access_key",
    "ab+cd/ef==gh" },
  { "glued ; and # belong to the value", "default", NULL,
    "[default]\naws_secret_access_key = ab;cd#ef\n", "aws_secret_access_key", "ab;cd#ef" },
  { "comment after whitespace is dropped", "default", NULL,
    "[default]\naws_access_key_id = AKID # my key\n", "aws_access_key_id", "AKID" },
  { "semicolon comment after whitespace", "default", NULL,
    "[default]\naws_access_key_id = AKID\t; x\n", "aws_access_key_id", "AKID" },
  { "comment lines and section comments", "x",
    "# top\n; top\n[profile x] # c\n  # indented comment\nregion = r\n", NULL, "region", "r" },
  { "CRLF line endings", "x", "[profile x]\r\nregion = r2\r\n\r\n", NULL, "region", "r2" },
  { "keys are lowercased", "x", "[profile x]\nRegion = r3\n", NULL, "region", "r3" },
  { "last duplicate wins", "x", "[profile x]\nregion = a\nregion = b\n", NULL, "region", "b" },
  { "duplicate sections merge", "x", "[profile x]\na = 1\n[profile y]\na = 2\n[profile x]\nb = 3\n",
    NULL, "a", "1" },
  { "other profile not mixed in", "x", "[profile x]\na = 1\n[profile y]\na = 2\nb = 3\n",
    NULL, "b", NULL },
  { "nested key", "x", "[profile x]\ns3 =\n  max_concurrent_requests = 10\n  addressing_style = path\nregion = r\n",
    NULL, "s3.max_concurrent_requests", "10" },
  { "nested second key", "x", "[profile x]\ns3 =\n  max_concurrent_requests = 10\n\n  addressing_style = path\nregion = r\n",
    NULL, "s3.addressing_style", "path" },
  { "nested keys are not continuation", "x",
    "[profile x]\ns3 =\n  max_concurrent_requests = 10\nregion = r\n", NULL, "s3", "" },
  { "key after nested block", "x",
    "[profile x]\ns3 =\n  max_concurrent_requests = 10\nregion = r4\n", NULL, "region", "r4" },
  { "value continuation", "x", "[profile x]\nname = value\n  -continued\n  -more\n", NULL,
    "name", "value\n-continued\n-more" },
  { "uniformly indented keys", "x", "[profile x]\n  region = r5\n  output = json\n", NULL,
    "output", "json" },
  { "long profile name", "a-very-long-profile-name-for-an-organization-account-admin-role-prod",
    "[profile a-very-long-profile-name-for-an-organization-account-admin-role-prod]\nregion = r6\n",
    NULL, "region", "r6" },
  { "long name differing at the end", "a-very-long-profile-name-for-an-organization-account-admin-role-dev",
    "[profile a-very-long-profile-name-for-an-organization-account-admin-role-prod]\nregion = r6\n",
    NULL, "region", NULL },
  { "whitespace inside brackets", "x", "[  profile \t x  ]\nregion = r7\n", NULL, "region", "r7" },
  { "BOM at start", "x", "\xEF\xBB\xBF[profile x]\nregion = r8\n", NULL, "region", "r8" },
  { "colon in value", "x", "[profile x]\nrole_arn = arn:aws:iam::123456789012:role/r\n", NULL,
    "role_arn", "arn:aws:iam::123456789012:role/r" },
  { "sso-session is not a profile", "x", "[sso-session x]\nregion = r\n", NULL, "region", NULL },
  /* Nested lines split at the first '=' only, as botocore's _parse_nested
   * does: ':' in a sub-key or a sub-value is kept whole. */
  { "nested sub-key with ':' kept whole", "x", "[profile x]\ns3 =\n  Foo:Bar = baz:qux\n", NULL,
    "s3.foo:bar", "baz:qux" },
  { "nested sub-key not cut at ':'", "x", "[profile x]\ns3 =\n  foo:bar = baz\n", NULL,
    "s3.foo", NULL },
  { "nested value with a URL", "x",
    "[profile x]\ns3 =\n  endpoint_url = http://localhost:9000\n", NULL, "s3.endpoint_url",
    "http://localhost:9000" },
  { "nested value with ':' and '='", "x", "[profile x]\ns3 =\n  weird = a:b=c\n", NULL,
    "s3.weird", "a:b=c" },
  { "nested sub-key with ':' in credentials", "x", NULL, "[x]\nsso =\n  a:b:c = d\n",
    "sso.a:b:c", "d" },
};

static void test_table(void)
{
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    struct sl_shared_profile p;
    struct sl_error err;
    const char *got;
    enum sl_result r;
    sl_shared_profile_init(&p);
    r = load(cases[i].profile, cases[i].config, cases[i].credentials, &p, &err);
    got = GET(&p, cases[i].key);
    if(r != SL_OK || (cases[i].want ? !got || strcmp(got, cases[i].want) : got != NULL))
      fprintf(stderr, "case '%s': r=%d got '%s' want '%s' (%s)\n", cases[i].what, (int)r,
              got ? got : "(null)", cases[i].want ? cases[i].want : "(null)", err.message);
    CU_ASSERT_EQUAL(r, SL_OK);
    if(cases[i].want) {
      CU_ASSERT_PTR_NOT_NULL(got);
      if(got) {
        CU_ASSERT_STRING_EQUAL(got, cases[i].want);
      }
    }
    else {
      CU_ASSERT_PTR_NULL(got);
    }
    sl_shared_profile_cleanup(&p);
  }
}

static void test_found_flags(void)
{
  struct sl_shared_profile p;
  struct sl_error err;
  sl_shared_profile_init(&p);
  CU_ASSERT_EQUAL(load("x", "[profile x]\n", NULL, &p, &err), SL_OK);
  CU_ASSERT_TRUE(p.found);
  CU_ASSERT_TRUE(p.in_config);
  CU_ASSERT_FALSE(p.in_credentials);
  CU_ASSERT_EQUAL(p.kv.n, 0);
  CU_ASSERT_EQUAL(load("y", "[profile x]\n", "[x]\n", &p, &err), SL_OK);
  CU_ASSERT_FALSE(p.found);
  /* Both files missing: not an error, just no profile. */
  CU_ASSERT_EQUAL(load("x", NULL, NULL, &p, &err), SL_OK);
  CU_ASSERT_FALSE(p.found);
  CU_ASSERT_EQUAL(p.kv.n, 0);
  sl_shared_profile_cleanup(&p);
}

static void test_long_token(void)
{
  struct sl_shared_profile p;
  struct sl_error err;
  char token[2001], *text;
  size_t i;
  for(i = 0; i < 2000; i++)
    token[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="[i % 65];
  token[2000] = 0;
  text = malloc(4096);
  snprintf(text, 4096, "[default]\naws_access_key_id = AKID\naws_secret_access_key = S/+=\n"
           "aws_session_token = %s\nregion = after\n", token);
  sl_shared_profile_init(&p);
  CU_ASSERT_EQUAL(load("default", NULL, text, &p, &err), SL_OK);
  CU_ASSERT_PTR_NOT_NULL_FATAL(GET(&p, "aws_session_token"));
  CU_ASSERT_EQUAL(strlen(GET(&p, "aws_session_token")), 2000);
  CU_ASSERT_STRING_EQUAL(GET(&p, "aws_session_token"), token);
  CU_ASSERT_STRING_EQUAL(GET(&p, "region"), "after");
  sl_shared_profile_cleanup(&p);
  free(text);
}

static void test_errors(void)
{
  struct sl_shared_profile p;
  struct sl_error err;
  sl_shared_profile_init(&p);
  CU_ASSERT_EQUAL(load("x", "[profile x\nregion = r\n", NULL, &p, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "config:1:"));
  CU_ASSERT_EQUAL(load("x", "[profile x]\nregion r\n", NULL, &p, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "config:2:"));
  CU_ASSERT_EQUAL(load("x", "region = r\n[profile x]\n", NULL, &p, &err), SL_E_CONFIG);
  CU_ASSERT_EQUAL(load("x", NULL, "[x]\ns3 =\n  nokey\n", &p, &err), SL_E_CONFIG);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "credentials:3:"));
  CU_ASSERT_EQUAL(p.kv.n, 0);
  sl_shared_profile_cleanup(&p);
}

/* The environment chooses the files and the profile. */
static void test_env(void)
{
  struct sl_shared_profile p;
  struct sl_error err;
  char conf[600], cred[600];
  snprintf(conf, sizeof(conf), "%s/envconfig", sl_test_tmpdir());
  snprintf(cred, sizeof(cred), "%s/envcreds", sl_test_tmpdir());
  write_file(conf, "[profile envp]\nregion = from-env-config\n");
  write_file(cred, "[envp]\naws_access_key_id = ENVKEY\n[default]\naws_access_key_id = DEF\n");
  setenv("AWS_CONFIG_FILE", conf, 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
  setenv("AWS_PROFILE", "envp", 1);
  sl_shared_profile_init(&p);
  CU_ASSERT_EQUAL(sl_shared_profile_load(NULL, &p, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(p.name, "envp");
  CU_ASSERT_STRING_EQUAL(GET(&p, "region"), "from-env-config");
  CU_ASSERT_STRING_EQUAL(GET(&p, "aws_access_key_id"), "ENVKEY");
  CU_ASSERT_EQUAL(sl_shared_profile_load("default", &p, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(GET(&p, "aws_access_key_id"), "DEF");
  unsetenv("AWS_PROFILE");
  CU_ASSERT_EQUAL(sl_shared_profile_load(NULL, &p, &err), SL_OK);
  CU_ASSERT_STRING_EQUAL(p.name, "default");
  /* "~/" is the home directory. */
  setenv("AWS_CONFIG_FILE", "~/nonexistent-sluice-config", 1);
  CU_ASSERT_EQUAL(sl_shared_profile_load(NULL, &p, &err), SL_OK);
  CU_ASSERT_EQUAL(p.config_path[0], '/');
  CU_ASSERT_PTR_NOT_NULL(strstr(p.config_path, "/nonexistent-sluice-config"));
  unsetenv("AWS_CONFIG_FILE");
  unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  sl_shared_profile_cleanup(&p);
}

static const struct sl_test tests[] = {
  { "table of parser cases", test_table },
  { "found flags and missing files", test_found_flags },
  { "2000-char session token", test_long_token },
  { "syntax errors name file and line", test_errors },
  { "environment selects files and profile", test_env },
  { NULL, NULL }
};

SL_TEST_MAIN("shared_config", tests, NULL, NULL)
