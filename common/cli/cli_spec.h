/* cli_spec.h — the tables a command line is made of: the exit codes, an
 * option, a command, a program, and what parsing found. Types only; the
 * functions are in cli.h and the headers it includes. */
#ifndef SL_CLI_SPEC_H
#define SL_CLI_SPEC_H

#include <stddef.h>

/* One table for both programs (README, man pages, every --help). */
enum sl_exit {
  SL_EXIT_OK = 0,        /* done */
  SL_EXIT_FAILED = 1,    /* AWS, network, credentials; records not accepted */
  SL_EXIT_PENDING = 2,   /* plan: changes pending */
  SL_EXIT_DATA = 3,      /* completed, with bad data or dead-lettered records */
  SL_EXIT_USAGE = 64,    /* usage or profile error (sysexits.h EX_USAGE) */
  SL_EXIT_SIGINT = 130,  /* interrupted */
  SL_EXIT_SIGTERM = 143  /* terminated */
};

struct sl_cli_option {
  const char *name;      /* long name, without "--" */
  int short_name;        /* 'v', or 0 */
  const char *arg;       /* its value as shown ("N", "FILE"), NULL for a flag */
  const char *help;      /* lines separated by '\n'; defaults and choices in it */
  int id;                /* handed to the command's on_option */
};

struct sl_cli_exit {
  int code;
  const char *meaning;   /* what the code says for this command */
};

struct sl_cli_program;
struct sl_cli_command {
  const char *name;
  const char *args;                      /* "PROFILE [RECORD ...]" */
  const char *summary;                   /* one line in the program's help */
  const char *description;               /* the paragraph of the command's help */
  const struct sl_cli_option *options;   /* ends with a NULL name */
  const struct sl_cli_exit *exits;       /* ends with a NULL meaning */
  const char *const *examples;           /* ends with NULL; "# why" lines allowed */
  int min_args, max_args;                /* positionals; max -1 = any number */
  /* The command's main: parses with sl_cli_parse, returns the exit code. */
  int (*run)(const struct sl_cli_program *prog, const struct sl_cli_command *cmd, int argc,
             char **argv);
};

struct sl_cli_program {
  const char *name;                      /* "provision" */
  const char *args;                      /* "COMMAND PROFILE [options]" */
  const char *summary;
  const struct sl_cli_command *const *commands; /* ends with NULL */
};

/* The options every command takes, with these ids (commands use ids from
 * SL_CLI_OWN up). */
enum { SL_CLI_VERBOSE = 1, SL_CLI_QUIET, SL_CLI_HELP, SL_CLI_VERSION, SL_CLI_REGION,
       SL_CLI_AWS_PROFILE, SL_CLI_ENDPOINT_URL, SL_CLI_OWN = 16 };

/* What was parsed. who is "provision send" for messages. */
struct sl_cli_args {
  const struct sl_cli_command *cmd;
  char who[64];
  int verbose, quiet;
  /* The AWS CLI's global options, NULL when not given: they beat the
   * pipeline profile, the environment and the shared config. */
  const char *region, *aws_profile, *endpoint_url;
  int argc;                  /* positionals, in the order given */
  char **argv;
  char **storage;            /* owned: the permuted copy of argv */
};

/* Called for each of the command's own options, in the order given; value
 * is NULL for a flag. Returns 0, or an exit code after printing why (use
 * sl_cli_bad_value). */
typedef int (*sl_cli_on_option)(void *ud, int id, const char *value);

#endif
