/* provision — command-line front end: argument parsing and printing only;
 * the work lives in the library. */
#include <stdio.h>
#include <string.h>

#include "sluice.h"

static const char usage[] =
  "Usage: provision [-v|-vv] COMMAND PROFILE [options]\n"
  "\n"
  "Stand up and check an AWS log pipeline described by an INI profile.\n"
  "\n"
  "Commands:\n"
  "  plan PROFILE      show what apply would change (exit 0 none, 2 pending, 1 error)\n"
  "  apply PROFILE     create or fix the bucket, role, streams\n"
  "  destroy PROFILE   remove what the profile describes\n"
  "  status PROFILE    show what exists\n"
  "  send PROFILE      send records to Firehose or Kinesis\n"
  "  smoke PROFILE     prove records reach S3 end to end\n"
  "\n"
  "Options:\n"
  "  -v, -vv           more logging (requests at -vv); secrets are never printed\n"
  "  -h, --help        this help\n"
  "  --version         print the version\n";

static const char *const commands[] = { "plan", "apply", "destroy", "status", "send", "smoke", NULL };

int main(int argc, char **argv)
{
  int i, verbose = 0;
  const char *cmd = NULL;
  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(usage, stdout);
      return 0;
    }
    if(!strcmp(argv[i], "--version")) {
      printf("provision (sluice) %s\n", SLUICE_VERSION);
      return 0;
    }
    if(!strcmp(argv[i], "-v"))
      verbose += 1;
    else if(!strcmp(argv[i], "-vv"))
      verbose += 2;
    else if(argv[i][0] == '-') {
      fprintf(stderr, "provision: unknown option '%s' (see provision --help)\n", argv[i]);
      return 1;
    }
    else {
      cmd = argv[i];
      break;
    }
  }
  sl_log_set_level((enum sl_log_level)(SL_LOG_WARN + (verbose > 2 ? 2 : verbose)));
  if(!cmd) {
    fputs(usage, stderr);
    return 1;
  }
  for(i = 0; commands[i]; i++)
    if(!strcmp(cmd, commands[i])) {
      fprintf(stderr, "provision: '%s' is not implemented yet\n", cmd);
      return 1;
    }
  fprintf(stderr, "provision: unknown command '%s' (see provision --help)\n", cmd);
  return 1;
}
