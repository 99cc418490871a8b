/* itest.c — client and emulator-control helpers for integration suites. */
#include "itest.h"
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "sluice/decode.h"

int sl_itest_client(struct sl_client *c, const char *region)
{
  struct sl_aws_config cfg;
  struct sl_error err;
  const char *ep = getenv("SLUICE_TEST_ENDPOINT");
  if(!ep) {
    fprintf(stderr, "SLUICE_TEST_ENDPOINT is not set: run through tests/integration/run\n");
    return -1;
  }
  if(getenv("SLUICE_TEST_LOG"))
    sl_log_set_level((enum sl_log_level)atoi(getenv("SLUICE_TEST_LOG")));
  sl_aws_config_init(&cfg);
  snprintf(cfg.region, sizeof(cfg.region), "%s",
           region ? region : getenv("SLUICE_TEST_REGION") ? getenv("SLUICE_TEST_REGION") :
                                                             "us-east-1");
  snprintf(cfg.endpoint_url, sizeof(cfg.endpoint_url), "%s", ep);
  /* The emulator's default pair; s3rver has its own (S3RVER/S3RVER). */
  snprintf(cfg.static_access_key_id, sizeof(cfg.static_access_key_id), "%s",
           getenv("SLUICE_TEST_ACCESS_KEY_ID") ? getenv("SLUICE_TEST_ACCESS_KEY_ID") : "test");
  snprintf(cfg.static_secret_access_key, sizeof(cfg.static_secret_access_key), "%s",
           getenv("SLUICE_TEST_SECRET_ACCESS_KEY") ? getenv("SLUICE_TEST_SECRET_ACCESS_KEY") :
                                                     "test");
  cfg.max_attempts = 3;
  sl_error_clear(&err);
  if(sl_client_init(c, &cfg, NULL, &err)) {
    fprintf(stderr, "client: %s\n", err.message);
    return -1;
  }
  return 0;
}

long sl_itest_control(const char *method, const char *path, const char *json, char **answer)
{
  struct sl_http_options opt = { 2000, 10000, NULL, 0, 0, 0, 0 };
  struct sl_http *h = sl_http_new(&opt);
  struct sl_http_request req;
  struct sl_http_response resp;
  struct sl_headers hd;
  struct sl_error err;
  char url[1024];
  long status = -1;
  const char *ep = getenv("SLUICE_TEST_ENDPOINT");
  if(answer)
    *answer = NULL;
  if(!h || !ep)
    return -1;
  snprintf(url, sizeof(url), "%s/_emu/%s", ep, path);
  sl_headers_init(&hd);
  sl_headers_add(&hd, "Content-Type", "application/json");
  memset(&req, 0, sizeof(req));
  req.method = method;
  req.url = url;
  req.headers = &hd;
  req.body = json;
  req.body_len = json ? strlen(json) : 0;
  req.max_response = 64u * 1024 * 1024;
  sl_http_response_init(&resp);
  if(!sl_http_perform(h, &req, &resp, &err)) {
    status = resp.status;
    if(answer)
      *answer = sl_buf_steal(&resp.body);
  }
  sl_http_response_cleanup(&resp);
  sl_headers_cleanup(&hd);
  sl_http_free(h);
  return status;
}

int sl_itest_is_emulator(void)
{
  return sl_itest_control("GET", "health", NULL, NULL) == 200;
}

static char *read_or_empty(const char *path)
{
  size_t n;
  char *text = sl_test_read_file(path, &n);
  return text ? text : sl_strdup("");
}

int sl_itest_run_tool(const char *tool, const char *args, const char *dir, char **out,
                      char **err)
{
  char cmd[4096];
  int st;
  free(*out);
  free(*err);
  snprintf(cmd, sizeof(cmd), "%s/%s/%s %s >%s/out 2>%s/err", getenv("SLUICE_BUILD"), tool, tool, args, dir,
           dir);
  st = system(cmd);
  snprintf(cmd, sizeof(cmd), "%s/out", dir);
  *out = read_or_empty(cmd);
  snprintf(cmd, sizeof(cmd), "%s/err", dir);
  *err = read_or_empty(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

const char *sl_itest_name(const char *prefix)
{
  static char name[128];
  static int n;
  snprintf(name, sizeof(name), "%s-%ld-%d", prefix, (long)getpid(), ++n);
  return name;
}

const char *sl_itest_flat(const char *json)
{
  static struct sl_buf b;
  if(!b.max && sl_buf_init(&b, 1u << 20))
    return "";
  sl_buf_reset(&b);
  if(!json || sl_json_compact(json, strlen(json), &b))
    return "";
  return b.len ? b.data : "";
}
