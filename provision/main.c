/* provision — command-line front end: the command table; each command's
 * options, parsing and printing are in its cmd_*.c, the work in the
 * library (sluice/provision.h, send.h, smoke.h). */
#include "common/cli/cli.h"
#include "commands.h"

static const struct sl_cli_command *const commands[] = {
  &sl_cmd_plan, &sl_cmd_apply, &sl_cmd_destroy, &sl_cmd_status, &sl_cmd_output, &sl_cmd_send,
  &sl_cmd_smoke,
  NULL
};

static const struct sl_cli_program program = {
  "provision", "[options] COMMAND PROFILE [options]",
  "Stand up, check and use an AWS log pipeline (S3 bucket, IAM role, Firehose delivery\n"
  "stream, optionally a Kinesis stream as its source) described by an INI profile.",
  commands
};

int main(int argc, char **argv)
{
  return sl_cli_main(&program, argc, argv);
}
