/* cli_help.h — the help a program and each of its commands print, made
 * from their tables, with the one exit-code table. */
#ifndef SL_CLI_HELP_H
#define SL_CLI_HELP_H

#include "common/cli/cli_spec.h"

/* -v, -q, -h, --version: taken by every command. */
const struct sl_cli_option *sl_cli_common_options(void);
/* Help: the program's (commands, exit table) or one command's (usage,
 * options with defaults, exit codes, examples). */
void sl_cli_help_program(const struct sl_cli_program *prog, void *file);
void sl_cli_help_command(const struct sl_cli_program *prog, const struct sl_cli_command *cmd,
                         void *file);

#endif
