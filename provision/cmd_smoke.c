/* cmd_smoke.c — `provision smoke`: options and printing; the test itself is
 * the library's (sluice/smoke.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"
#include "sluice/smoke.h"
#include "commands.h"

enum { O_COUNT = SL_CLI_OWN, O_TIMEOUT, O_INTERVAL, O_CLEANUP, O_JSON };

static const struct sl_cli_option options[] = {
  { "count", 0, "N", "canaries to send, 1-500 (default 10)", O_COUNT },
  { "timeout", 0, "DURATION", "how long to wait for them: 90s, 5m, 1h (default: the stream's\n"
    "buffer interval + 2 minutes)", O_TIMEOUT },
  { "interval", 0, "DURATION", "time between S3 listings (default 2s)", O_INTERVAL },
  { "cleanup", 0, NULL, "delete the objects that hold only this run's canaries", O_CLEANUP },
  { "json", 0, NULL, "the report as one JSON document on stdout", O_JSON },
  { NULL, 0, NULL, NULL, 0 }
};

static const struct sl_cli_exit exits[] = {
  { SL_EXIT_OK, "done: every canary arrived exactly once, none in the error prefix" },
  { SL_EXIT_FAILED, "failed: a canary is missing, duplicated or in the error prefix, or an\n"
                    "AWS, network or credentials error stopped the run" },
  { SL_EXIT_USAGE, "usage or profile error" },
  { 0, NULL }
};

static const char *const examples[] = {
  "provision smoke profiles/local.ini",
  "provision smoke prod.ini --count 50 --timeout 10m --cleanup",
  "provision apply prod.ini && provision smoke prod.ini --json > smoke.json",
  NULL
};

static const char who[] = "provision smoke";

struct opts {
  struct sl_smoke_options so;
  int json, quiet;
};

static int on_option(void *ud, int id, const char *v)
{
  struct opts *o = ud;
  long long n;
  long ms;
  int code = 0;
  if(id == O_COUNT && !(code = sl_cli_number(who, "count", v, 1, SL_SMOKE_MAX_COUNT, &n)))
    o->so.count = (int)n;
  else if((id == O_TIMEOUT || id == O_INTERVAL) &&
          !(code = sl_cli_duration(who, id == O_TIMEOUT ? "timeout" : "interval", v,
                                   86400.0 * 7, &ms))) {
    if(!ms)
      return sl_cli_usage_error(who, "--%s must be more than 0",
                                id == O_TIMEOUT ? "timeout" : "interval");
    if(id == O_TIMEOUT)
      o->so.timeout_ms = ms;
    else
      o->so.poll_ms = ms;
  }
  else if(id == O_CLEANUP)
    o->so.cleanup = 1;
  else if(id == O_JSON)
    o->json = 1;
  return code;
}

static void on_progress(void *ud, const char *what)
{
  (void)ud;
  fprintf(stderr, "provision smoke: %s\n", what);
}

static int run(const struct opts *o, const char *path, const struct sl_profile *p)
{
  struct sl_prov *s = NULL;
  struct sl_smoke_result res;
  struct sl_error err;
  struct sl_buf out;
  enum sl_result r;
  int code;
  sl_error_clear(&err);
  sl_smoke_result_init(&res);
  if(sl_buf_init(&out, SL_BUF_MEDIUM))
    return SL_EXIT_FAILED;
  r = sl_prov_new(&s, p, &err);
  if(!r)
    r = sl_smoke_run(s, &o->so, &res, &err);
  /* What was found is reported, also when a step failed. */
  if(o->json)
    sl_smoke_report_json(s, &res, r ? &err : NULL, &out);
  else if(!o->quiet && (res.sent || !r))
    sl_smoke_report_text(&res, &out);
  fwrite(out.data, 1, out.len, stdout);
  fflush(stdout);
  if(r) {
    const char *where = res.where[0] ? res.where : s ? sl_prov_get_where(s) : "";
    sl_cli_error("provision", where[0] ? where : path, &err);
  }
  code = !r && res.passed ? SL_EXIT_OK : r ? sl_cli_exit_for(r) : SL_EXIT_FAILED;
  sl_smoke_result_cleanup(&res);
  sl_prov_free(s);
  sl_buf_cleanup(&out);
  return code;
}

static int main_smoke(const struct sl_cli_program *prog, const struct sl_cli_command *cmd,
                      int argc, char **argv)
{
  struct sl_cli_args a;
  struct opts o;
  struct sl_profile p;
  struct sl_error err;
  int code;
  memset(&o, 0, sizeof(o));
  sl_smoke_options_init(&o.so);
  code = sl_cli_parse(prog, cmd, argc, argv, on_option, &o, &a);
  if(code >= 0) {
    sl_cli_args_cleanup(&a);
    return code;
  }
  sl_cli_apply_verbosity(&a);
  o.quiet = a.quiet;
  if(!o.json && !o.quiet)
    o.so.on_progress = on_progress;
  sl_error_clear(&err);
  sl_profile_init(&p);
  code = sl_cli_profile_load(&a, a.argv[0], SL_PROFILE_NEED_PIPELINE, &p, &err);
  if(code && o.json) {
    struct sl_buf out;
    if(!sl_buf_init(&out, SL_BUF_SMALL) && !sl_prov_error_json("smoke", a.argv[0], NULL, &err,
                                                                &out))
      fwrite(out.data, 1, out.len, stdout);
    sl_buf_cleanup(&out);
  }
  if(!code)
    code = run(&o, a.argv[0], &p);
  sl_profile_cleanup(&p);
  sl_cli_args_cleanup(&a);
  return code;
}

const struct sl_cli_command sl_cmd_smoke = {
  "smoke", "PROFILE", "prove records reach S3 end to end",
  "Prove records reach S3 end to end: check the bucket, role and streams exist and are\n"
  "ACTIVE, send canary records (to the Kinesis source stream when Firehose reads from one),\n"
  "then poll S3 until each canary is found or the time is up.",
  options, exits, examples, 1, 1, main_smoke
};
