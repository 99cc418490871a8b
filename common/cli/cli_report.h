/* cli_report.h — how a failure is printed and which exit code it gives. */
#ifndef SL_CLI_REPORT_H
#define SL_CLI_REPORT_H

/* The exit code for a failed call: SL_EXIT_USAGE for a configuration
 * error (the profile, the environment, the shared config), else
 * SL_EXIT_FAILED. */
int sl_cli_exit_for(int result);

/* "WHO: WHERE: Code: message (HTTP n, request id X)" on stderr; WHERE is
 * left out when NULL or when the message starts with it ("FILE:LINE:"). */
struct sl_error;
void sl_cli_error(const char *who, const char *where, const struct sl_error *err);
/* Loads a pipeline profile for a command (needs: SL_PROFILE_NEED_*), each
 * diagnostic printed once as "PROGRAM: FILE:LINE: ...", then lays the
 * global options (--region, --profile, --endpoint-url) over its [aws]
 * section. 0, or SL_EXIT_USAGE (SL_EXIT_FAILED when out of memory) with
 * *err. */
struct sl_profile;
struct sl_cli_args;
struct sl_aws_config;
int sl_cli_profile_load(const struct sl_cli_args *a, const char *path, unsigned needs,
                        struct sl_profile *p, struct sl_error *err);
/* The global options over cfg (a profile's [aws], or a fresh config when
 * there is no profile); a bad value is printed. 0 or SL_EXIT_USAGE. */
int sl_cli_aws_options(const struct sl_cli_args *a, struct sl_aws_config *cfg,
                       struct sl_error *err);

/* SIGINT and SIGTERM call sl_interrupt (no SA_RESTART: a blocked read
 * returns EINTR), so a command stops at the next step and says where it
 * is; sl_cli_signal_exit is then its exit code: 130 or 143. */
void sl_cli_catch_signals(void);
int sl_cli_signal_exit(void);

#endif
