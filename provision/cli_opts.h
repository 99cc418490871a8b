/* cli_opts.h — the option handling provision's commands share. who names
 * the command in messages ("provision send"); messages go to stderr and the
 * caller picks the exit code. */
#ifndef SL_PROVISION_CLI_OPTS_H
#define SL_PROVISION_CLI_OPTS_H

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

/* "provision: WHERE: Code: message (HTTP n, request id X)" on stderr; WHERE is
 * left out when the message starts with it (a profile's "FILE:LINE:"). */
struct sl_error;
void sl_cli_error(const char *where, const struct sl_error *err);

#endif
