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
/* Loads a pipeline profile, each diagnostic printed once as "WHO: FILE:LINE:
 * ...". 0, or SL_EXIT_USAGE (SL_EXIT_FAILED when out of memory) with *err. */
struct sl_profile;
int sl_cli_profile_load(const char *who, const char *path, struct sl_profile *p,
                        struct sl_error *err);

#endif
