/* commands.h — provision's commands, one cmd_*.c each (plan, apply,
 * destroy and status share cmd_plan.c: they differ only in the call). */
#ifndef SL_PROVISION_COMMANDS_H
#define SL_PROVISION_COMMANDS_H

#include "common/cli/cli.h"

extern const struct sl_cli_command sl_cmd_plan;
extern const struct sl_cli_command sl_cmd_apply;
extern const struct sl_cli_command sl_cmd_destroy;
extern const struct sl_cli_command sl_cmd_status;
extern const struct sl_cli_command sl_cmd_send;
extern const struct sl_cli_command sl_cmd_smoke;
extern const struct sl_cli_command sl_cmd_output;

#endif
