/* inspect — command-line front end: argument parsing and printing only;
 * the work lives in the library. */
#include <stdio.h>
#include <string.h>

#include "sluice.h"

static const char usage[] =
  "Usage: inspect [-v|-vv] COMMAND (PROFILE | s3://BUCKET/PREFIX | --local PATH) [options]\n"
  "\n"
  "Page through S3 prefixes and decode the log objects Firehose delivered.\n"
  "\n"
  "Commands:\n"
  "  ls       list objects (keys, sizes, times)\n"
  "  cat      print records as NDJSON\n"
  "  stats    count objects, bytes, records, parse errors\n"
  "  errors   decode Firehose error-output objects\n"
  "  tail     follow the prefix and print new records\n"
  "\n"
  "Options:\n"
  "  -v, -vv           more logging; secrets are never printed\n"
  "  -h, --help        this help\n"
  "  --version         print the version\n";

static const char *const commands[] = { "ls", "cat", "stats", "errors", "tail", NULL };

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
      printf("inspect (sluice) %s\n", SLUICE_VERSION);
      return 0;
    }
    if(!strcmp(argv[i], "-v"))
      verbose += 1;
    else if(!strcmp(argv[i], "-vv"))
      verbose += 2;
    else if(argv[i][0] == '-') {
      fprintf(stderr, "inspect: unknown option '%s' (see inspect --help)\n", argv[i]);
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
      fprintf(stderr, "inspect: '%s' is not implemented yet\n", cmd);
      return 1;
    }
  fprintf(stderr, "inspect: unknown command '%s' (see inspect --help)\n", cmd);
  return 1;
}
