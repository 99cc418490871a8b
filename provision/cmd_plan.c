/* cmd_plan.c — `provision plan | apply | destroy | status`: one table each,
 * one run for the four (they differ only in the library call and the
 * report); the work is sl_prov_* (sluice/provision.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "sluice.h"
#include "sluice/provision.h"
#include "commands.h"

enum { O_JSON = SL_CLI_OWN, O_DRY_RUN, O_REPLACE, O_EMPTY_BUCKET };

#define OPT_JSON { "json", 0, NULL, "the report as one JSON document on stdout", O_JSON }
#define OPT_DRY_RUN(what) { "dry-run", 0, NULL, "only show what " what " would do; change nothing", \
                            O_DRY_RUN }
#define EXIT_FAILED(what) { SL_EXIT_FAILED, "failed: AWS, network or credentials error" what }
#define EXIT_USAGE { SL_EXIT_USAGE, "usage or profile error" }

static const struct sl_cli_option plan_options[] = { OPT_JSON, { NULL, 0, NULL, NULL, 0 } };
static const struct sl_cli_option apply_options[] = {
  OPT_JSON, OPT_DRY_RUN("apply"),
  { "replace", 0, NULL, "delete and re-create what cannot change in place (a stream's source\n"
                        "or destination); without it such a change is refused", O_REPLACE },
  { NULL, 0, NULL, NULL, 0 }
};
static const struct sl_cli_option destroy_options[] = {
  OPT_JSON, OPT_DRY_RUN("destroy"),
  { "empty-bucket", 0, NULL, "delete every object first, so a bucket that holds data can\n"
                             "go (old versions of a versioned bucket are not); without it\n"
                             "such a bucket is kept", O_EMPTY_BUCKET },
  { NULL, 0, NULL, NULL, 0 }
};

static const struct sl_cli_exit plan_exits[] = {
  { SL_EXIT_OK, "done: the pipeline matches the profile" }, EXIT_FAILED(""),
  { SL_EXIT_PENDING, "changes pending (as terraform plan -detailed-exitcode)" }, EXIT_USAGE,
  { 0, NULL }
};
#define EXIT_SIGNALS(what) { SL_EXIT_SIGINT, "interrupted (SIGINT): " what }, \
                           { SL_EXIT_SIGTERM, "terminated (SIGTERM): the same" }
static const struct sl_cli_exit apply_exits[] = {
  { SL_EXIT_OK, "done: the pipeline matches the profile" },
  EXIT_FAILED(";\nwhat was done before the failure is reported"),
  { SL_EXIT_PENDING, "--dry-run: changes pending" }, EXIT_USAGE,
  EXIT_SIGNALS("what was done is reported, then\nwhat is not converged yet"), { 0, NULL }
};
static const struct sl_cli_exit destroy_exits[] = {
  { SL_EXIT_OK, "done: nothing the profile names is left (or, --dry-run, the list)" },
  EXIT_FAILED(";\nwhat was removed before the failure is reported"), EXIT_USAGE,
  EXIT_SIGNALS("what was removed is reported, then\nwhat is left"), { 0, NULL }
};
static const struct sl_cli_exit status_exits[] = {
  { SL_EXIT_OK, "done: what exists is listed" }, EXIT_FAILED(""), EXIT_USAGE, { 0, NULL }
};

static const char *const plan_examples[] = {
  "provision plan profiles/local.ini",
  "provision plan --json prod.ini > plan.json   # exit 2: the pipeline drifted",
  NULL
};
static const char *const apply_examples[] = {
  "provision apply --dry-run prod.ini",
  "provision apply prod.ini",
  "provision apply --replace prod.ini   # a stream's source changed",
  NULL
};
static const char *const destroy_examples[] = {
  "provision destroy --dry-run prod.ini",
  "provision destroy --empty-bucket staging.ini",
  NULL
};
static const char *const status_examples[] = {
  "provision status prod.ini",
  "provision status --json prod.ini | jq .resources",
  NULL
};

struct opts {
  int json, dry_run, replace, empty_bucket;
};

static int on_option(void *ud, int id, const char *value)
{
  struct opts *o = ud;
  (void)value;
  if(id == O_JSON)
    o->json = 1;
  else if(id == O_DRY_RUN)
    o->dry_run = 1;
  else if(id == O_REPLACE)
    o->replace = 1;
  else if(id == O_EMPTY_BUCKET)
    o->empty_bucket = 1;
  return 0;
}

static void put_buf(struct sl_buf *b)
{
  fwrite(b->data, 1, b->len, stdout);
  fflush(stdout);
  sl_buf_reset(b);
}

/* "not converged yet: firehose x, ..." after an interrupted apply. */
static void not_converged(const struct sl_prov *s, struct sl_buf *out)
{
  const struct sl_prov_plan *plan = sl_prov_get_plan(s);
  int k, n = 0;
  sl_buf_printf(out, "apply: %s (%s); not converged yet:",
                sl_interrupted() == SIGTERM ? "terminated" : "interrupted",
                sl_interrupted() == SIGTERM ? "SIGTERM" : "SIGINT");
  for(k = 0; k < SL_PROV_NKINDS; k++) {
    const struct sl_prov_item *it = &plan->item[k];
    if(it->wanted && it->action != SL_PROV_OK && it->action != SL_PROV_ABSENT &&
       sl_prov_get_done(s, (enum sl_prov_kind)k) != it->action)
      sl_buf_printf(out, "%s %s %s", n++ ? "," : "", sl_prov_kind_name(it->kind), it->name);
  }
  sl_buf_adds(out, n ? "\n" : " none\n");
}

static int run_session(const struct sl_cli_args *a, const struct opts *o,
                       const struct sl_profile *p, struct sl_buf *out)
{
  const char *cmd = a->cmd->name, *path = a->argv[0];
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
    sl_cli_error("provision", s && sl_prov_get_where(s)[0] ? sl_prov_get_where(s) : path, &err);
    sl_prov_free(s);
    if(o->json && !sl_prov_error_json(cmd, path, NULL, &err, out))
      put_buf(out);
    return sl_cli_exit_for(r);
  }
  if(!strcmp(cmd, "apply") || !strcmp(cmd, "destroy"))
    sl_cli_catch_signals();
  if(!strcmp(cmd, "apply")) {
    r = sl_prov_apply(s, &opts, &err);
    kind = o->dry_run ? SL_PROV_REPORT_PLAN : SL_PROV_REPORT_APPLY;
  }
  else if(!strcmp(cmd, "destroy")) {
    r = sl_prov_destroy(s, &opts, &err);
    kind = SL_PROV_REPORT_DESTROY;
  }
  else {
    r = sl_prov_plan(s, &err);
    kind = !strcmp(cmd, "status") ? SL_PROV_REPORT_STATUS : SL_PROV_REPORT_PLAN;
  }
  /* Whatever was found or done is reported, also when a step failed. */
  if(o->json)
    sl_prov_report_json(s, kind, r ? &err : NULL, out);
  else if(!a->quiet && (!r || kind == SL_PROV_REPORT_APPLY || kind == SL_PROV_REPORT_DESTROY))
    sl_prov_report_text(s, kind, out);
  if(r == SL_E_INTERRUPTED && !o->json && kind == SL_PROV_REPORT_APPLY)
    not_converged(s, out);
  put_buf(out);
  if(r)
    sl_cli_error("provision", sl_prov_get_where(s)[0] ? sl_prov_get_where(s) : path, &err);
  code = r == SL_E_INTERRUPTED ? sl_cli_signal_exit() :
         r ? sl_cli_exit_for(r) :
         kind == SL_PROV_REPORT_PLAN && sl_prov_plan_pending(sl_prov_get_plan(s)) ?
         SL_EXIT_PENDING : SL_EXIT_OK;
  sl_prov_free(s);
  return code;
}

static int run(const struct sl_cli_program *prog, const struct sl_cli_command *cmd, int argc,
               char **argv)
{
  struct sl_cli_args a;
  struct opts o;
  struct sl_profile p;
  struct sl_buf out;
  struct sl_error err;
  int code;
  memset(&o, 0, sizeof(o));
  code = sl_cli_parse(prog, cmd, argc, argv, on_option, &o, &a);
  if(code >= 0) {
    sl_cli_args_cleanup(&a);
    return code;
  }
  sl_cli_apply_verbosity(&a);
  sl_error_clear(&err);
  sl_profile_init(&p);
  if(sl_buf_init(&out, SL_BUF_MEDIUM)) {
    sl_cli_args_cleanup(&a);
    return SL_EXIT_FAILED;
  }
  code = sl_cli_profile_load(&a, a.argv[0], SL_PROFILE_NEED_PIPELINE, &p, &err);
  if(code && o.json && !sl_prov_error_json(cmd->name, a.argv[0], NULL, &err, &out))
    put_buf(&out);
  if(!code)
    code = run_session(&a, &o, &p, &out);
  sl_profile_cleanup(&p);
  sl_buf_cleanup(&out);
  sl_cli_args_cleanup(&a);
  return code;
}

#define COMMAND(name, summary, description, options, exits, examples) \
  { name, "PROFILE", summary, description, options, exits, examples, 1, 1, run }

const struct sl_cli_command sl_cmd_plan = COMMAND("plan",
  "show what apply would change (exit 2 when something would)",
  "Read the bucket, role, policies and streams the profile describes and show what apply\n"
  "would create (+), change (~) or leave (=). Changes nothing.",
  plan_options, plan_exits, plan_examples);

const struct sl_cli_command sl_cmd_apply = COMMAND("apply",
  "create or fix the bucket, role, policies and streams",
  "Make the pipeline what the profile describes: create what is missing, fix what drifted,\n"
  "leave what matches. Running it again changes nothing. IAM's propagation delay is waited\n"
  "out; a change a resource cannot take in place needs --replace.",
  apply_options, apply_exits, apply_examples);

const struct sl_cli_command sl_cmd_destroy = COMMAND("destroy",
  "remove what the profile describes",
  "Delete the streams, the role and its policies, and the bucket, in that order. A bucket\n"
  "that still holds objects is kept unless --empty-bucket is given.",
  destroy_options, destroy_exits, destroy_examples);

const struct sl_cli_command sl_cmd_status = COMMAND("status",
  "show what exists and its state",
  "List each resource the profile names, whether it exists and its state (ACTIVE,\n"
  "CREATING, ...). Changes nothing.",
  plan_options, status_exits, status_examples);
