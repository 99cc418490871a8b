/* cmd_athena.h — inspect's Athena commands, ddl and query (cmd_athena.c). */
#ifndef SL_INSPECT_CMD_ATHENA_H
#define SL_INSPECT_CMD_ATHENA_H

#include "common/cli/cli.h"

extern const struct sl_cli_command sl_inspect_cmd_ddl;
extern const struct sl_cli_command sl_inspect_cmd_query;

#endif
