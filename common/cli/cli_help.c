/* cli_help.c — the help both command lines print, made from the option
 * tables, and the one exit-code table. */
#include <stdio.h>
#include <string.h>

#include "common/cli/cli_help.h"

#define COLUMN 28

static const struct sl_cli_option common_options[] = {
  { "verbose", 'v', NULL, "more logging; -vv also each request (secrets are never printed)",
    SL_CLI_VERBOSE },
  { "quiet", 'q', NULL, "print only errors and the output asked for (records, --json)",
    SL_CLI_QUIET },
  { "region", 0, "REGION", "the AWS region; beats the pipeline profile, AWS_REGION and the\n"
    "shared config", SL_CLI_REGION },
  { "profile", 0, "NAME", "the AWS shared-config profile for credentials and settings\n"
    "(the PROFILE argument stays the pipeline profile)", SL_CLI_AWS_PROFILE },
  { "endpoint-url", 0, "URL", "send every AWS request to URL (an emulator, a VPC endpoint);\n"
    "beats AWS_ENDPOINT_URL[_<SERVICE>] and the shared config", SL_CLI_ENDPOINT_URL },
  { "help", 'h', NULL, "this help", SL_CLI_HELP },
  { "version", 0, NULL, "print the version of the program and of libsluice", SL_CLI_VERSION },
  { NULL, 0, NULL, NULL, 0 }
};

const struct sl_cli_option *sl_cli_common_options(void)
{
  return common_options;
}

/* The one table; commands print the rows that apply to them. */
static const struct sl_cli_exit exit_table[] = {
  { SL_EXIT_OK, "done: nothing pending, every record accepted, every check passed" },
  { SL_EXIT_FAILED, "failed: AWS, network or credentials error; records not accepted; "
                    "canaries missing" },
  { SL_EXIT_PENDING, "plan: changes pending (as terraform plan -detailed-exitcode)" },
  { SL_EXIT_DATA, "completed, with bad data or dead-lettered records (see stderr)" },
  { SL_EXIT_USAGE, "usage or profile error" },
  { SL_EXIT_SIGINT, "interrupted (SIGINT)" },
  { SL_EXIT_SIGTERM, "terminated (SIGTERM)" },
  { 0, NULL }
};

/* Text whose lines after the first start at column indent. */
static void indented(FILE *f, const char *text, int indent)
{
  const char *p = text, *nl;
  int first = 1;
  for(; p && *p; p = nl ? nl + 1 : NULL, first = 0) {
    nl = strchr(p, '\n');
    fprintf(f, "%*s%.*s\n", first ? 0 : indent, "", nl ? (int)(nl - p) : (int)strlen(p), p);
  }
}

static void option_line(FILE *f, const struct sl_cli_option *o)
{
  char head[96];
  int n;
  if(o->short_name)
    n = snprintf(head, sizeof(head), "  -%c, --%s%s%s", o->short_name, o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "");
  else
    n = snprintf(head, sizeof(head), "      --%s%s%s", o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
  if(n < COLUMN - 1)
    fprintf(f, "%-*s", COLUMN, head);
  else
    fprintf(f, "%s\n%*s", head, COLUMN, "");
  indented(f, o->help, COLUMN);
}

static void exit_rows(FILE *f, const struct sl_cli_exit *rows)
{
  for(; rows->meaning; rows++) {
    fprintf(f, "  %-4d ", rows->code);
    indented(f, rows->meaning, 7);
  }
}

void sl_cli_help_program(const struct sl_cli_program *prog, void *file)
{
  FILE *f = file;
  const struct sl_cli_command *const *c;
  const struct sl_cli_option *o;
  fprintf(f, "Usage: %s %s\n\n%s\n\nCommands:\n", prog->name, prog->args, prog->summary);
  for(c = prog->commands; *c; c++)
    fprintf(f, "  %-9s %s\n", (*c)->name, (*c)->summary);
  fprintf(f, "  %-9s %s\n", "help", "help COMMAND: that command's options and examples");
  fputs("\nOptions of every command:\n", f);
  for(o = sl_cli_common_options(); o->name; o++)
    option_line(f, o);
  fputs("\nExit status:\n", f);
  exit_rows(f, exit_table);
  fprintf(f, "\nSee '%s help COMMAND' or man %s.\n", prog->name, prog->name);
}

void sl_cli_help_command(const struct sl_cli_program *prog, const struct sl_cli_command *cmd,
                         void *file)
{
  FILE *f = file;
  const struct sl_cli_option *o;
  const char *const *e;
  fprintf(f, "Usage: %s %s [options] %s\n\n", prog->name, cmd->name, cmd->args);
  indented(f, cmd->description, 0);
  fputs("\nOptions:\n", f);
  for(o = cmd->options; o && o->name; o++)
    option_line(f, o);
  for(o = sl_cli_common_options(); o->name; o++)
    option_line(f, o);
  fputs("\nExit status:\n", f);
  exit_rows(f, cmd->exits);
  fputs("\nExamples:\n", f);
  for(e = cmd->examples; e && *e; e++)
    fprintf(f, "  %s\n", *e);
}
