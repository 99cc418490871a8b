/* provision — command-line front end: argument parsing and printing only;
 * the work lives in the library (sluice/provision.h). */
#include <stdio.h>
#include <string.h>

#include "sluice.h"
#include "sluice/provision.h"
#include "cmd_send.h"
#include "cmd_smoke.h"
#include "cli_opts.h"

static const char usage[] =
  "Usage: provision [-v|-vv] COMMAND PROFILE [options]\n"
  "\n"
  "Stand up and check an AWS log pipeline described by an INI profile.\n"
  "\n"
  "Commands:\n"
  "  plan PROFILE      show what apply would change (exit 0 none, 2 pending, 1 error)\n"
  "  apply PROFILE     create or fix the bucket, role, streams\n"
  "  destroy PROFILE   remove what the profile describes\n"
  "  status PROFILE    show what exists\n"
  "  send PROFILE      send records to Firehose or Kinesis\n"
  "  smoke PROFILE     prove records reach S3 end to end\n"
  "\n"
  "Options:\n"
  "  --json            machine-readable output (every command)\n"
  "  --dry-run         apply, destroy: only show what would be done\n"
  "  --replace         apply: delete and re-create what cannot change in place\n"
  "  --empty-bucket    destroy: delete every object so the bucket can go\n"
  "  -v, -vv           more logging (requests at -vv); secrets are never printed\n"
  "  -h, --help        this help\n"
  "  --version         print the version\n";

enum cmd { C_PLAN, C_APPLY, C_DESTROY, C_STATUS, C_SEND, C_SMOKE, C_NONE };
static const char *const commands[] = { "plan", "apply", "destroy", "status", "send", "smoke",
                                        NULL };

struct cli {
  enum cmd cmd;
  const char *profile;
  int verbose, json, dry_run, replace, empty_bucket;
  int send_argc;
  char **send_argv;
};

/* 0 to go on, else the exit code + 1 (help and version exit 0). */
static int parse(int argc, char **argv, struct cli *o)
{
  int i, k;
  memset(o, 0, sizeof(*o));
  o->cmd = C_NONE;
  for(i = 1; i < argc; i++) {
    const char *a = argv[i];
    if(sl_cli_is_help(a)) {
      fputs(usage, stdout);
      return 1;
    }
    if(!strcmp(a, "--version")) {
      printf("provision (sluice) %s\n", SLUICE_VERSION);
      return 1;
    }
    if(sl_cli_verbose(a, &o->verbose))
      continue;
    if(!strcmp(a, "--json"))
      o->json = 1;
    else if(!strcmp(a, "--dry-run"))
      o->dry_run = 1;
    else if(!strcmp(a, "--replace"))
      o->replace = 1;
    else if(!strcmp(a, "--empty-bucket"))
      o->empty_bucket = 1;
    else if(sl_cli_refused("provision", a))
      return 2;
    else if(a[0] == '-' && a[1]) {
      sl_cli_unknown("provision", a);
      return 2;
    }
    else if(o->cmd == C_NONE) {
      for(k = 0; commands[k] && strcmp(a, commands[k]); k++)
        ;
      if(!commands[k]) {
        fprintf(stderr, "provision: unknown command '%s' (see provision --help)\n", a);
        return 2;
      }
      o->cmd = (enum cmd)k;
      /* send and smoke parse the rest themselves (cmd_send.c, cmd_smoke.c). */
      if(o->cmd == C_SEND || o->cmd == C_SMOKE) {
        o->send_argc = argc - i;
        o->send_argv = argv + i;
        return 0;
      }
    }
    else if(!o->profile)
      o->profile = a;
    else {
      fprintf(stderr, "provision: unexpected argument '%s'\n", a);
      return 2;
    }
  }
  if(o->cmd == C_NONE) {
    fputs(usage, stderr);
    return 2;
  }
  if(!o->profile) {
    fprintf(stderr, "provision: %s needs a PROFILE (see provision --help)\n", commands[o->cmd]);
    return 2;
  }
  if((o->replace && o->cmd != C_APPLY) || (o->empty_bucket && o->cmd != C_DESTROY) ||
     (o->dry_run && o->cmd != C_APPLY && o->cmd != C_DESTROY)) {
    fprintf(stderr, "provision: %s is not an option of %s\n", o->replace && o->cmd != C_APPLY ?
            "--replace" : o->empty_bucket && o->cmd != C_DESTROY ? "--empty-bucket" :
            "--dry-run", commands[o->cmd]);
    return 2;
  }
  return 0;
}

static void put_buf(struct sl_buf *b, FILE *f)
{
  fwrite(b->data, 1, b->len, f);
  fflush(f);
  sl_buf_reset(b);
}

/* Loads the profile; every diagnostic is printed as FILE:LINE: ... */
static int load(const struct cli *o, struct sl_profile *p, struct sl_buf *out)
{
  struct sl_buf diag;
  struct sl_error err;
  enum sl_result r;
  sl_error_clear(&err);
  if(sl_buf_init(&diag, SL_BUF_SMALL))
    return 1;
  r = sl_profile_load(o->profile, p, &diag, &err);
  if(r) {
    const char *line = diag.data, *nl;
    if(!diag.len) {
      /* The loader's message already starts with the file's name. */
      char msg[1400];
      sl_error_format(&err, msg, sizeof(msg));
      fprintf(stderr, "provision: %s\n", msg);
    }
    for(; line && *line; line = nl ? nl + 1 : NULL) {
      nl = strchr(line, '\n');
      fprintf(stderr, "provision: %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
    }
    if(o->json && !sl_prov_error_json(commands[o->cmd], o->profile, NULL, &err, out))
      put_buf(out, stdout);
  }
  sl_buf_cleanup(&diag);
  return r ? 1 : 0;
}

static int run(const struct cli *o, const struct sl_profile *p, struct sl_buf *out)
{
  struct sl_prov *s = NULL;
  struct sl_prov_options opts;
  struct sl_error err;
  enum sl_prov_report_kind kind = SL_PROV_REPORT_PLAN;
  enum sl_result r;
  int code;
  sl_error_clear(&err);
  sl_prov_options_init(&opts);
  opts.replace = o->replace;
  opts.empty_bucket = o->empty_bucket;
  opts.dry_run = o->dry_run;
  r = sl_prov_new(&s, p, &err);
  if(r) {
    sl_cli_error(s && sl_prov_get_where(s)[0] ? sl_prov_get_where(s) : o->profile, &err);
    sl_prov_free(s);
    if(o->json && !sl_prov_error_json(commands[o->cmd], o->profile, NULL, &err, out))
      put_buf(out, stdout);
    return 1;
  }
  switch(o->cmd) {
  case C_APPLY:
    r = sl_prov_apply(s, &opts, &err);
    kind = o->dry_run ? SL_PROV_REPORT_PLAN : SL_PROV_REPORT_APPLY;
    break;
  case C_DESTROY:
    r = sl_prov_destroy(s, &opts, &err);
    kind = SL_PROV_REPORT_DESTROY;
    break;
  case C_STATUS:
    r = sl_prov_plan(s, &err);
    kind = SL_PROV_REPORT_STATUS;
    break;
  default:
    r = sl_prov_plan(s, &err);
    break;
  }
  /* Whatever was found or done is reported, also when a step failed. */
  if(o->json)
    sl_prov_report_json(s, kind, r ? &err : NULL, out);
  else if(!r || o->cmd == C_APPLY || o->cmd == C_DESTROY)
    sl_prov_report_text(s, kind, out);
  put_buf(out, stdout);
  if(r)
    sl_cli_error(sl_prov_get_where(s)[0] ? sl_prov_get_where(s) : o->profile, &err);
  code = r ? 1 : kind == SL_PROV_REPORT_PLAN && sl_prov_plan_pending(sl_prov_get_plan(s)) ? 2 : 0;
  sl_prov_free(s);
  return code;
}

int main(int argc, char **argv)
{
  struct cli o;
  struct sl_profile p;
  struct sl_buf out;
  int code = parse(argc, argv, &o);
  if(code)
    return code - 1;
  sl_log_set_level((enum sl_log_level)(SL_LOG_WARN + (o.verbose > 3 ? 3 : o.verbose)));
  if(o.cmd == C_SEND)
    return sl_cmd_send(o.send_argc, o.send_argv);
  if(o.cmd == C_SMOKE)
    return sl_cmd_smoke(o.send_argc, o.send_argv);
  if(sl_buf_init(&out, SL_BUF_MEDIUM))
    return 1;
  sl_profile_init(&p);
  code = load(&o, &p, &out);
  if(!code)
    code = run(&o, &p, &out);
  sl_profile_cleanup(&p);
  sl_buf_cleanup(&out);
  return code;
}
