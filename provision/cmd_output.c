/* cmd_output.c — `provision output PROFILE [NAME]`: the names and ARNs of
 * the pipeline as it exists, for scripts (as `terraform output`); the
 * values are sl_prov_outputs'. */
#include <stdio.h>
#include <string.h>

#include "sluice.h"
#include "sluice/provision.h"
#include "commands.h"

enum { O_JSON = SL_CLI_OWN };

static const struct sl_cli_option options[] = {
  { "json", 0, NULL, "the outputs as one JSON document on stdout", O_JSON },
  { NULL, 0, NULL, NULL, 0 }
};

static const struct sl_cli_exit exits[] = {
  { SL_EXIT_OK, "done: every resource the profile names exists" },
  { SL_EXIT_FAILED, "failed: a resource does not exist yet (the others are printed), or an\n"
                    "AWS, network or credentials error" },
  { SL_EXIT_USAGE, "usage or profile error, or an unknown output NAME" },
  { 0, NULL }
};

static const char *const examples[] = {
  "provision output prod.ini",
  "provision output prod.ini firehose_stream_arn   # the value alone",
  "provision output --json prod.ini | jq -r .outputs.role_arn",
  NULL
};

/* Every name an output can have, for the message about an unknown one. */
static const char names[] = "region, account, bucket, bucket_arn, role, role_arn, "
                            "kinesis_stream, kinesis_stream_arn, firehose_stream, "
                            "firehose_stream_arn, s3_prefix, s3_error_prefix, log_group, "
                            "log_group_arn, log_stream";

static int on_option(void *ud, int id, const char *value)
{
  (void)value;
  if(id == O_JSON)
    *(int *)ud = 1;
  return 0;
}

static int known(const char *name)
{
  const char *p = names;
  size_t n = strlen(name);
  while((p = strstr(p, name))) {
    if((p == names || p[-1] == ' ') && (p[n] == ',' || !p[n]))
      return 1;
    p += n;
  }
  return 0;
}

static int print(const struct sl_cli_args *a, int json, struct sl_prov *s,
                 const struct sl_headers *outs, const struct sl_headers *missing,
                 struct sl_buf *out)
{
  const char *want = a->argc > 1 ? a->argv[1] : NULL;
  size_t i;
  int code = missing->n ? SL_EXIT_FAILED : SL_EXIT_OK;
  if(json && sl_prov_outputs_json(s, outs, missing, out))
    return SL_EXIT_FAILED;
  for(i = 0; !json && i < outs->n; i++)
    if(!want)
      sl_buf_printf(out, "%s = %s\n", outs->v[i].name, outs->v[i].value);
    else if(!strcmp(want, outs->v[i].name))
      sl_buf_printf(out, "%s\n", outs->v[i].value);
  fwrite(out->data, 1, out->len, stdout);
  fflush(stdout);
  if(want && !sl_headers_get(outs, want))
    code = SL_EXIT_FAILED;
  for(i = 0; i < missing->n; i++)
    fprintf(stderr, "%s: %s %s: does not exist (provision apply creates it)\n", a->who,
            missing->v[i].name, missing->v[i].value);
  if(want && !missing->n && code)
    fprintf(stderr, "%s: %s: not an output of this pipeline\n", a->who, want);
  return code;
}

static int run(const struct sl_cli_program *prog, const struct sl_cli_command *cmd, int argc,
               char **argv)
{
  struct sl_cli_args a;
  struct sl_profile p;
  struct sl_prov *s = NULL;
  struct sl_headers outs, missing;
  struct sl_buf out;
  struct sl_error err;
  int json = 0, code;
  code = sl_cli_parse(prog, cmd, argc, argv, on_option, &json, &a);
  if(code >= 0) {
    sl_cli_args_cleanup(&a);
    return code;
  }
  if(a.argc > 1 && !known(a.argv[1])) {
    fprintf(stderr, "%s: %s: unknown output (known: %s)\n", a.who, a.argv[1], names);
    sl_cli_args_cleanup(&a);
    return SL_EXIT_USAGE;
  }
  sl_cli_apply_verbosity(&a);
  sl_error_clear(&err);
  sl_profile_init(&p);
  sl_headers_init(&outs);
  sl_headers_init(&missing);
  if(sl_buf_init(&out, SL_BUF_MEDIUM)) {
    sl_cli_args_cleanup(&a);
    return SL_EXIT_FAILED;
  }
  code = sl_cli_profile_load(&a, a.argv[0], SL_PROFILE_NEED_PIPELINE, &p, &err);
  if(!code) {
    enum sl_result r = sl_prov_new(&s, &p, &err);
    if(!r) r = sl_prov_read(s, &err);
    if(!r) r = sl_prov_outputs(s, &outs, &missing);
    if(r) {
      const char *where = s && sl_prov_get_where(s)[0] ? sl_prov_get_where(s) : NULL;
      sl_cli_error("provision", where ? where : a.argv[0], &err);
      code = sl_cli_exit_for(r);
      if(json && !sl_prov_error_json("output", a.argv[0], where, &err, &out))
        fwrite(out.data, 1, out.len, stdout);
    }
    else
      code = print(&a, json, s, &outs, &missing, &out);
  }
  else if(json && !sl_prov_error_json("output", a.argv[0], NULL, &err, &out))
    fwrite(out.data, 1, out.len, stdout);
  sl_prov_free(s);
  sl_headers_cleanup(&outs);
  sl_headers_cleanup(&missing);
  sl_profile_cleanup(&p);
  sl_buf_cleanup(&out);
  sl_cli_args_cleanup(&a);
  return code;
}

const struct sl_cli_command sl_cmd_output = {
  "output", "PROFILE [NAME]", "print the pipeline's names and ARNs, for scripts",
  "Read the pipeline the profile describes and print, as name = value lines, the names\n"
  "and ARNs of what exists: region, account, bucket, role, streams, where the stream\n"
  "delivers and its log group. With NAME, print that value alone. Changes nothing.",
  options, exits, examples, 1, 2, run
};
