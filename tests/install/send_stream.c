/* send_stream.c — the KinesisWriter / FirehoseAPI case with libsluice: open
 * a sender on a stream someone else made, from its name or ARN and the AWS
 * environment (no sluice profile), send the arguments, report.
 *
 *   send_stream kinesis|firehose STREAM-OR-ARN RECORD...
 *
 * Built against an installed libsluice by tests/install/check and run
 * against the bundled emulator. */
#include <stdio.h>
#include <string.h>

#include <sluice.h>

int main(int argc, char **argv)
{
  struct sl_sender *s = NULL;
  struct sl_send_result res;
  struct sl_error err;
  enum sl_result r;
  int i;
  if(argc < 4 || (strcmp(argv[1], "kinesis") && strcmp(argv[1], "firehose"))) {
    fprintf(stderr, "usage: send_stream kinesis|firehose STREAM-OR-ARN RECORD...\n");
    return 64;
  }
  sl_error_clear(&err);
  sl_send_result_init(&res);
  /* The one call: config from the environment, the stream checked. */
  r = sl_sender_open(&s, strcmp(argv[1], "kinesis") ? SL_SEND_FIREHOSE : SL_SEND_KINESIS,
                     argv[2], NULL, &err);
  for(i = 3; !r && i < argc; i++)
    r = sl_sender_add(s, argv[i], strlen(argv[i]), NULL, &err);
  if(!r)
    r = sl_sender_finish(s, &res, &err);
  if(r)
    fprintf(stderr, "send_stream: %s%s%s\n", err.code, err.code[0] ? ": " : "", err.message);
  else
    printf("delivered %llu of %llu\n", (unsigned long long)res.delivered,
           (unsigned long long)res.total);
  sl_send_result_cleanup(&res);
  sl_sender_free(s);
  return r ? 1 : res.failed ? 1 : 0;
}
