/* commands.h — provision subcommands that live in their own file; main.c
 * dispatches to them with argv starting at the command's name. Also the
 * option handling they share (cli_opts.c). */
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

/* Shared option handling. who names the command in messages ("provision
 * send"); messages go to stderr and the caller picks the exit code. */
int sl_cli_is_help(const char *a);                /* -h, --help */
/* -v, -vv, -vvv: 1 with *verbose raised, else 0. */
int sl_cli_verbose(const char *a, int *verbose);
/* A credential option is refused before its value is taken: 1 after the
 * message, else 0. */
int sl_cli_refused(const char *who, const char *a);
void sl_cli_unknown(const char *who, const char *a);
void sl_cli_needs_value(const char *who, const char *a);
/* v as a number from lo to hi into *out: 0, or -1 after the message. */
int sl_cli_number(const char *who, const char *opt, const char *v, int lo, int hi, int *out);

#endif
