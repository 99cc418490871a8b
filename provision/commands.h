/* commands.h — provision subcommands that live in their own file; main.c
 * dispatches to them with argv starting at the command's name. */
#ifndef SL_PROVISION_COMMANDS_H
#define SL_PROVISION_COMMANDS_H

/* provision send PROFILE [options] [RECORD ...]; argv[0] is "send".
 * Returns the exit code: 0 every record accepted, 1 not (or an error),
 * 2 bad usage. */
int sl_cmd_send(int argc, char **argv);

/* provision smoke PROFILE [options]; argv[0] is "smoke". Returns 0 when
 * every canary arrived exactly once and none failed, 1 not (or an error),
 * 2 bad usage. */
int sl_cmd_smoke(int argc, char **argv);

#endif
