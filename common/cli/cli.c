/* cli.c — argument parsing for both programs: the command word, then
 * getopt_long over the command's option table and the shared ones. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice/config.h"
#include "sluice/log.h"
#include "sluice/version.h"
#include "common/suggest_internal.h"
#include "common/cli/cli.h"

#define MAX_OPTIONS 64

static const char *command_name(const void *list, size_t i)
{
  const struct sl_cli_command *const *c = list;
  size_t k;
  for(k = 0; k < i && c[k]; k++)
    ;
  return c[k] ? c[k]->name : NULL;
}

static const struct sl_cli_command *find_command(const struct sl_cli_program *prog,
                                                 const char *name)
{
  const struct sl_cli_command *const *c;
  for(c = prog->commands; *c; c++)
    if(!strcmp((*c)->name, name))
      return *c;
  return NULL;
}

static int unknown_command(const struct sl_cli_program *prog, const char *name)
{
  const char *near = sl_suggest(name, command_name, prog->commands);
  if(near)
    return sl_cli_usage_error(prog->name, "unknown command '%s'; did you mean '%s'? (see %s "
                              "--help)", name, near, prog->name);
  return sl_cli_usage_error(prog->name, "unknown command '%s' (see %s --help)", name,
                            prog->name);
}

static void version(const struct sl_cli_program *prog)
{
  /* What runs may be a newer shared library than the one compiled against. */
  printf("%s (sluice) %s, libsluice %s\n", prog->name, SLUICE_VERSION, sl_version());
}

/* The option tables of the command and the shared ones, as one list. */
struct table {
  const struct sl_cli_option *opt[MAX_OPTIONS];
  struct option longs[MAX_OPTIONS + 1];
  char shorts[2 * MAX_OPTIONS + 2];
  size_t n;
};

static void table_build(struct table *t, const struct sl_cli_command *cmd)
{
  const struct sl_cli_option *lists[2], *o;
  size_t s = 0, k;
  memset(t, 0, sizeof(*t));
  lists[0] = cmd ? cmd->options : NULL;
  lists[1] = sl_cli_common_options();
  /* ':' first: a missing value is told apart from an unknown option. */
  t->shorts[s++] = ':';
  for(k = 0; k < 2; k++)
    for(o = lists[k]; o && o->name && t->n < MAX_OPTIONS; o++) {
      t->opt[t->n] = o;
      t->longs[t->n].name = o->name;
      t->longs[t->n].has_arg = o->arg ? required_argument : no_argument;
      t->longs[t->n].val = 256 + (int)t->n;
      if(o->short_name) {
        t->shorts[s++] = (char)o->short_name;
        if(o->arg)
          t->shorts[s++] = ':';
      }
      t->n++;
    }
}

static const char *option_name(const void *list, size_t i)
{
  const struct table *t = list;
  return i < t->n ? t->opt[i]->name : NULL;
}

static const struct sl_cli_option *by_short(const struct table *t, int c)
{
  size_t i;
  for(i = 0; i < t->n; i++)
    if(t->opt[i]->short_name == c)
      return t->opt[i];
  return NULL;
}

/* The option getopt stopped at, as the user wrote it (without "=value"). */
static int bad_option(const char *who, const struct table *t, const char *arg, int missing,
                      int optopt_c)
{
  char name[80];
  const char *near;
  if(optopt_c > 0 && optopt_c < 256)
    snprintf(name, sizeof(name), "-%c", optopt_c);
  else
    snprintf(name, sizeof(name), "%.*s", (int)strcspn(arg, "="), arg);
  if(missing)
    return sl_cli_usage_error(who, "%s needs a value (see %s --help)", name, who);
  if(optopt_c >= 256)
    return sl_cli_usage_error(who, "%s takes no value (see %s --help)", name, who);
  near = !strncmp(name, "--", 2) ? sl_suggest(name + 2, option_name, t) : NULL;
  if(near)
    return sl_cli_usage_error(who, "unknown option '%s'; did you mean '--%s'? (see %s --help)",
                              name, near, who);
  return sl_cli_usage_error(who, "unknown option '%s' (see %s --help)", name, who);
}

/* A credential on the command line would land in shell history and `ps`:
 * refused before anything else, named without its value. */
static int refuse_credentials(const char *who, int argc, char **argv)
{
  int i;
  for(i = 1; i < argc && strcmp(argv[i], "--"); i++) {
    size_t n = strcspn(argv[i], "=");
    if(sl_config_is_credential_option(argv[i]))
      return sl_cli_usage_error(who, "refusing '%.*s': %s", (int)n, argv[i],
                                SL_CREDENTIAL_OPTION_HINT);
    /* The AWS CLI's and curl's spellings: named, so nobody looks for another. */
    if((n == 10 && !strncmp(argv[i], "--insecure", n)) || !strcmp(argv[i], "-k") ||
       (n == 15 && !strncmp(argv[i], "--no-verify-ssl", n)))
      return sl_cli_usage_error(who, "refusing '%.*s': TLS verification is never turned off; "
                                "for a private CA set AWS_CA_BUNDLE or the profile's [aws] "
                                "ca_bundle", (int)n, argv[i]);
  }
  return 0;
}

static int positionals(const struct sl_cli_program *prog, struct sl_cli_args *out)
{
  const struct sl_cli_command *cmd = out->cmd;
  if(out->argc < cmd->min_args)
    return sl_cli_usage_error(out->who, "needs %s (see %s %s --help)", cmd->args, prog->name,
                              cmd->name);
  if(cmd->max_args >= 0 && out->argc > cmd->max_args)
    return sl_cli_usage_error(out->who, "unexpected argument '%s' (usage: %s %s %s)",
                              out->argv[cmd->max_args], prog->name, cmd->name, cmd->args);
  return -1;
}

/* The first word that is not an option, or -1. */
static int command_at(int argc, char **argv)
{
  int i;
  for(i = 1; i < argc && strcmp(argv[i], "--"); i++)
    if(argv[i][0] != '-' || !argv[i][1])
      return i;
  return -1;
}

int sl_cli_main(const struct sl_cli_program *prog, int argc, char **argv)
{
  const struct sl_cli_command *cmd;
  struct sl_cli_args args;
  int at = command_at(argc, argv), code;
  char who[64];
  cmd = at >= 0 ? find_command(prog, argv[at]) : NULL;
  snprintf(who, sizeof(who), "%s%s%s", prog->name, cmd ? " " : "", cmd ? cmd->name : "");
  if((code = refuse_credentials(who, argc, argv)))
    return code;
  if(at >= 0 && !strcmp(argv[at], "help")) {
    if(at + 1 >= argc) {
      sl_cli_help_program(prog, stdout);
      return 0;
    }
    if(!(cmd = find_command(prog, argv[at + 1])))
      return unknown_command(prog, argv[at + 1]);
    sl_cli_help_command(prog, cmd, stdout);
    return 0;
  }
  if(cmd)
    return cmd->run(prog, cmd, argc, argv);
  /* No command: the program's own options (--help, --version, a typo). */
  code = sl_cli_parse(prog, NULL, at >= 0 ? at : argc, argv, NULL, NULL, &args);
  sl_cli_args_cleanup(&args);
  if(code >= 0)
    return code;
  if(at >= 0)
    return unknown_command(prog, argv[at]);
  sl_cli_help_program(prog, stderr);
  return SL_EXIT_USAGE;
}

int sl_cli_parse(const struct sl_cli_program *prog, const struct sl_cli_command *cmd,
                 int argc, char **argv, sl_cli_on_option on_option, void *ud,
                 struct sl_cli_args *out)
{
  struct table t;
  int i, at = cmd ? command_at(argc, argv) : -1, n = 0, c, help = 0, code;
  memset(out, 0, sizeof(*out));
  out->cmd = cmd;
  if(cmd)
    snprintf(out->who, sizeof(out->who), "%s %s", prog->name, cmd->name);
  else
    snprintf(out->who, sizeof(out->who), "%s", prog->name);
  /* argv without the command word; getopt permutes this copy. */
  out->storage = calloc((size_t)argc + 1, sizeof(char *));
  if(!out->storage)
    return sl_cli_usage_error(prog->name, "out of memory");
  for(i = 0; i < argc; i++)
    if(i != at)
      out->storage[n++] = argv[i];
  table_build(&t, cmd);
  opterr = 0;
  optind = 0;   /* glibc: start afresh */
  for(;;) {
    const struct sl_cli_option *o;
    int li = -1;
    c = getopt_long(n, out->storage, t.shorts, t.longs, &li);
    if(c == -1)
      break;
    if(c == '?' || c == ':')
      return bad_option(out->who, &t, out->storage[optind - 1], c == ':', optopt);
    o = c >= 256 ? t.opt[c - 256] : by_short(&t, c);
    if(!o)
      return bad_option(out->who, &t, out->storage[optind - 1], 0, 0);
    switch(o->id) {
    case SL_CLI_VERBOSE:
      out->verbose++;
      break;
    case SL_CLI_QUIET:
      out->quiet = 1;
      break;
    case SL_CLI_HELP:
      help = 1;
      break;
    case SL_CLI_VERSION:
      version(prog);
      return 0;
    case SL_CLI_REGION:
      out->region = optarg;
      break;
    case SL_CLI_AWS_PROFILE:
      out->aws_profile = optarg;
      break;
    case SL_CLI_ENDPOINT_URL:
      out->endpoint_url = optarg;
      break;
    default:
      /* After --help the values are not checked: the help is printed. */
      if(!help && on_option && (code = on_option(ud, o->id, o->arg ? optarg : NULL)))
        return code;
    }
  }
  if(help) {
    if(cmd)
      sl_cli_help_command(prog, cmd, stdout);
    else
      sl_cli_help_program(prog, stdout);
    return 0;
  }
  out->argc = n - optind;
  out->argv = out->storage + optind;
  if(out->verbose && out->quiet)
    return sl_cli_usage_error(out->who, "-q and -v cannot be used together");
  return cmd ? positionals(prog, out) : -1;
}

void sl_cli_args_cleanup(struct sl_cli_args *a)
{
  free(a->storage);
  a->storage = NULL;
}

void sl_cli_apply_verbosity(const struct sl_cli_args *a)
{
  int v = a->verbose > 3 ? 3 : a->verbose;
  sl_log_set_level(a->quiet ? SL_LOG_ERROR : (enum sl_log_level)(SL_LOG_WARN + v));
}
