/* cmd_send.h — provision send; main.c dispatches with argv starting at the
 * command's name. */
#ifndef SL_PROVISION_CMD_SEND_H
#define SL_PROVISION_CMD_SEND_H

/* provision send PROFILE [options] [RECORD ...]; argv[0] is "send".
 * Returns the exit code: 0 every record accepted, 1 not (or an error),
 * 2 bad usage. */
int sl_cmd_send(int argc, char **argv);

#endif
