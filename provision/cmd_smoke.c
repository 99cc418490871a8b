/* cmd_smoke.c — `provision smoke`: options and printing; the test itself is
 * the library's (sluice/smoke.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice.h"
#include "sluice/smoke.h"
#include "cmd_smoke.h"
#include "cli_opts.h"

static const char usage[] =
  "Usage: provision smoke PROFILE [options]\n"
  "\n"
  "Prove records reach S3 end to end: check the bucket, role and streams exist and are\n"
  "ACTIVE, send canary records (to the Kinesis source stream when Firehose reads from one),\n"
  "then poll S3 until each canary is found or the time is up.\n"
  "\n"
  "  --count N            canaries to send, 1-500 (default 10)\n"
  "  --timeout DURATION   how long to wait: 90s, 5m, 1h or seconds (default: the stream's\n"
  "                       buffer interval + 2 minutes)\n"
  "  --interval DURATION  time between S3 listings (default 2s)\n"
  "  --cleanup            delete the objects that hold only this run's canaries\n"
  "  --json               the report as JSON\n"
  "  -v, -vv              more logging\n"
  "\n"
  "Exit status: 0 every canary arrived exactly once and none reached the error prefix;\n"
  "1 not (or an error); 2 bad usage.\n";

static const char who[] = "provision smoke";

struct opts {
  const char *profile;
  struct sl_smoke_options so;
  int json, verbose;
};

/* "90", "90s", "500ms", "5m", "1h" in ms; -1 when not a duration. */
static long duration_ms(const char *v)
{
  char *end;
  double n;
  errno = 0;
  n = strtod(v, &end);
  if(errno || end == v || n < 0 || n > 86400.0 * 7)
    return -1;
  if(!*end || !strcmp(end, "s"))
    return (long)(n * 1000);
  if(!strcmp(end, "ms"))
    return (long)n;
  if(!strcmp(end, "m"))
    return (long)(n * 60000);
  if(!strcmp(end, "h"))
    return (long)(n * 3600000);
  return -1;
}

/* 0 to go on; else the exit code + 1. */
static int parse(int argc, char **argv, struct opts *o)
{
  int i;
  memset(o, 0, sizeof(*o));
  sl_smoke_options_init(&o->so);
  for(i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    long n;
    if(a[0] != '-' || !a[1]) {
      if(o->profile) {
        fprintf(stderr, "provision smoke: unexpected argument '%s'\n", a);
        return 3;
      }
      o->profile = a;
    }
    else if(sl_cli_is_help(a)) {
      fputs(usage, stdout);
      return 1;
    }
    else if(sl_cli_verbose(a, &o->verbose))
      continue;
    else if(!strcmp(a, "--json"))
      o->json = 1;
    else if(!strcmp(a, "--cleanup"))
      o->so.cleanup = 1;
    else if(!strcmp(a, "--count") || !strcmp(a, "--timeout") || !strcmp(a, "--interval")) {
      if(!v) {
        sl_cli_needs_value(who, a);
        return 3;
      }
      i++;
      if(!strcmp(a, "--count")) {
        if(sl_cli_number(who, a, v, 1, SL_SMOKE_MAX_COUNT, &o->so.count))
          return 3;
      }
      else if((n = duration_ms(v)) <= 0) {
        fprintf(stderr, "provision smoke: %s takes a duration such as 90s, 5m or 1h\n", a);
        return 3;
      }
      else if(!strcmp(a, "--timeout"))
        o->so.timeout_ms = n;
      else
        o->so.poll_ms = n;
    }
    else if(sl_cli_refused(who, a))
      return 3;
    else {
      sl_cli_unknown(who, a);
      return 3;
    }
  }
  if(!o->profile) {
    fputs(usage, stderr);
    return 3;
  }
  return 0;
}

static void on_progress(void *ud, const char *what)
{
  (void)ud;
  fprintf(stderr, "provision smoke: %s\n", what);
}

/* Loads the profile; every diagnostic is printed as FILE:LINE: ... */
static int load(const char *path, int json, struct sl_profile *p)
{
  struct sl_buf diag;
  struct sl_error err;
  enum sl_result r;
  sl_error_clear(&err);
  if(sl_buf_init(&diag, SL_BUF_SMALL))
    return 1;
  r = sl_profile_load(path, p, &diag, &err);
  if(r) {
    const char *line = diag.data, *nl;
    /* The message names the file already. */
    if(!diag.len)
      fprintf(stderr, "provision: %s\n", err.message);
    for(; line && *line; line = nl ? nl + 1 : NULL) {
      nl = strchr(line, '\n');
      fprintf(stderr, "provision: %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    sl_buf_reset(&diag);
    if(json && !sl_prov_error_json("smoke", path, NULL, &err, &diag))
      fwrite(diag.data, 1, diag.len, stdout);
  }
  sl_buf_cleanup(&diag);
  return r ? 1 : 0;
}

static int run(const struct opts *o, const struct sl_profile *p)
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
    return 1;
  r = sl_prov_new(&s, p, &err);
  if(!r)
    r = sl_smoke_run(s, &o->so, &res, &err);
  /* What was found is reported, also when a step failed. */
  if(o->json)
    sl_smoke_report_json(s, &res, r ? &err : NULL, &out);
  else if(res.sent || !r)
    sl_smoke_report_text(&res, &out);
  fwrite(out.data, 1, out.len, stdout);
  fflush(stdout);
  if(r) {
    const char *where = res.where[0] ? res.where : s ? sl_prov_get_where(s) : "";
    sl_cli_error(where[0] ? where : o->profile, &err);
  }
  code = !r && res.passed ? 0 : 1;
  sl_smoke_result_cleanup(&res);
  sl_prov_free(s);
  sl_buf_cleanup(&out);
  return code;
}

int sl_cmd_smoke(int argc, char **argv)
{
  struct opts o;
  struct sl_profile p;
  int code = parse(argc, argv, &o);
  if(code)
    return code - 1;
  /* -v before the command was applied by main.c already. */
  if(o.verbose)
    sl_log_set_level((enum sl_log_level)(SL_LOG_WARN + (o.verbose > 3 ? 3 : o.verbose)));
  if(!o.json)
    o.so.on_progress = on_progress;
  sl_profile_init(&p);
  code = load(o.profile, o.json, &p);
  if(!code)
    code = run(&o, &p);
  sl_profile_cleanup(&p);
  return code;
}
