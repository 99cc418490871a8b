/* cmd_smoke.h — provision smoke; main.c dispatches with argv starting at
 * the command's name. */
#ifndef SL_PROVISION_CMD_SMOKE_H
#define SL_PROVISION_CMD_SMOKE_H

/* provision smoke PROFILE [options]; argv[0] is "smoke". Returns 0 when
 * every canary arrived exactly once and none failed, 1 not (or an error),
 * 2 bad usage. */
int sl_cmd_smoke(int argc, char **argv);

#endif
