/* cli_report.c — how both command lines print a failure: a profile's
 * diagnostics, each once with its FILE:LINE, and an AWS or local error with
 * where it happened. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sluice/buf.h"
#include "sluice/config.h"
#include "sluice/log.h"
#include "sluice/profile.h"
#include "common/cli/cli_spec.h"
#include "common/cli/cli_report.h"

static void on_signal(int signo)
{
  sl_interrupt(signo);
}

void sl_cli_catch_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
}

int sl_cli_signal_exit(void)
{
  return sl_interrupted() == SIGTERM ? SL_EXIT_SIGTERM : SL_EXIT_SIGINT;
}

int sl_cli_exit_for(int result)
{
  return result == SL_E_CONFIG ? SL_EXIT_USAGE : SL_EXIT_FAILED;
}

void sl_cli_error(const char *who, const char *where, const struct sl_error *err)
{
  char line[2048];
  size_t n = where ? strlen(where) : 0;
  sl_error_format(err, line, sizeof(line));
  if(!line[0])
    snprintf(line, sizeof(line), "%s", sl_strresult(err->result));
  /* A profile error already starts with "FILE:LINE:" or "FILE:". */
  if(!n || (!strncmp(line, where, n) && line[n] == ':'))
    fprintf(stderr, "%s: %s\n", who, line);
  else
    fprintf(stderr, "%s: %s: %s\n", who, where, line);
}

int sl_cli_aws_options(const struct sl_cli_args *a, struct sl_aws_config *cfg,
                       struct sl_error *err)
{
  enum sl_result r = SL_OK;
  if(a->region)
    r = sl_aws_config_set(cfg, "region", a->region, "--region", err);
  if(!r && a->aws_profile)
    r = sl_aws_config_set(cfg, "profile", a->aws_profile, "--profile", err);
  if(!r && a->endpoint_url)
    r = sl_aws_config_set(cfg, "endpoint_url", a->endpoint_url, "--endpoint-url", err);
  if(r) {
    sl_cli_error(a->who, NULL, err);
    return SL_EXIT_USAGE;
  }
  return 0;
}

/* At -v: what the pipeline profile set and no option replaced. */
static void profile_origins(const struct sl_cli_args *a, const struct sl_profile *p)
{
  const struct sl_aws_config *c = &p->aws;
  if(c->region[0] && !a->region)
    sl_log(SL_LOG_INFO, "region %s (from %s [aws])", c->region, p->path);
  if(c->profile[0] && !a->aws_profile)
    sl_log(SL_LOG_INFO, "profile %s (from %s [aws])", c->profile, p->path);
  if(c->endpoint_url[0] && !a->endpoint_url)
    sl_log(SL_LOG_INFO, "endpoint_url %s (from %s [aws])", c->endpoint_url, p->path);
}

int sl_cli_profile_load(const struct sl_cli_args *a, const char *path, unsigned needs,
                        struct sl_profile *p, struct sl_error *err)
{
  struct sl_buf diag;
  enum sl_result r;
  const char *line, *nl;
  const char *prog = a->cmd ? a->who : "sluice";
  char program[64];
  /* Diagnostics start with the program's name only: "provision: FILE:LINE: ...". */
  snprintf(program, sizeof(program), "%.*s", (int)strcspn(prog, " "), prog);
  if(sl_buf_init(&diag, SL_BUF_SMALL))
    return SL_EXIT_FAILED;
  r = sl_profile_load_for(path, needs, a->who, p, &diag, err);
  if(r && !diag.len)
    sl_cli_error(program, path, err);
  for(line = diag.data; r && line && *line; line = nl ? nl + 1 : NULL) {
    nl = strchr(line, '\n');
    fprintf(stderr, "%s: %.*s\n", program, nl ? (int)(nl - line) : (int)strlen(line), line);
  }
  sl_buf_cleanup(&diag);
  if(r)
    /* Out of memory is not the user's mistake. */
    return r == SL_E_NOMEM ? SL_EXIT_FAILED : SL_EXIT_USAGE;
  profile_origins(a, p);
  return sl_cli_aws_options(a, &p->aws, err);
}
