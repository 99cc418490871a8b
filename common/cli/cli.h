/* cli.h — what the two command lines (provision, inspect) share: the
 * exit-code table, option tables parsed with getopt_long, the help each
 * command prints from its table, and "did you mean". Linked into the two
 * programs only; not part of libsluice. A command's file includes this one. */
#ifndef SL_CLI_H
#define SL_CLI_H

#include "common/cli/cli_spec.h"
#include "common/cli/cli_values.h"
#include "common/cli/cli_help.h"
#include "common/cli/cli_report.h"

/* A program's main: finds the command (the first word that is not an
 * option), answers `help [COMMAND]`, --help and --version before it, names
 * an unknown command with the nearest one, and runs the command. */
int sl_cli_main(const struct sl_cli_program *prog, int argc, char **argv);

/* A command's parse, with getopt_long over its table and the shared one:
 * --opt value, --opt=value, options before or after positionals, -- ends
 * them; -h/--help prints the command's help. Returns -1 to go on with a
 * filled *out, else the exit code to return (0 after help or version,
 * SL_EXIT_USAGE after a message on stderr). */
int sl_cli_parse(const struct sl_cli_program *prog, const struct sl_cli_command *cmd,
                 int argc, char **argv, sl_cli_on_option on_option, void *ud,
                 struct sl_cli_args *out);
void sl_cli_args_cleanup(struct sl_cli_args *a);

/* The log level -v and -q ask for. */
void sl_cli_apply_verbosity(const struct sl_cli_args *a);

#endif
