/* cmd_send_files.h — --results and --dead-letter files of provision send
 * (cmd_send_files.c). */
#ifndef SL_CMD_SEND_FILES_H
#define SL_CMD_SEND_FILES_H

#include <stdio.h>

#include "sluice.h"
#include "sluice/send.h"

/* --results: one line per record, written as outcomes arrive. */
struct results {
  FILE *f;
  enum sl_send_target target;
  struct sl_buf line;
  int failed;                 /* a write failed: said once, at the end */
};

/* on_result for --results (ud: struct results). */
void sl_send_cli_write_result(void *ud, const struct sl_send_record *rec);
/* Creates or empties path (mode 0600); -1 after saying why. */
int sl_send_cli_results_open(struct results *x, const char *path, enum sl_send_target t);
/* 0, or -1 after saying that the file is incomplete; a file never opened is fine. */
int sl_send_cli_results_close(struct results *x, const char *path);
/* Warns when the dead-letter file exists and group or others can read it. */
void sl_send_cli_dead_letter_mode(const char *path);

/* What the sender's on_result feeds: --results and --checkpoint. */
struct outcomes {
  struct results *results;    /* NULL: no --results */
  struct sl_send_checkpoint *ck; /* NULL: no --checkpoint */
};
/* on_result (ud: struct outcomes). */
void sl_send_cli_outcome(void *ud, const struct sl_send_record *rec);
/* Opens (or resumes) the checkpoint for these inputs and says what an
 * earlier run left; -1 after saying why not (stdin, other input). */
int sl_send_cli_checkpoint_open(struct outcomes *x, const char *path, enum sl_send_target t,
                                const char *stream, const char *format, int newline,
                                const char *const *files, int nfiles, char *const *args,
                                int nargs, int quiet);
/* Saves it a last time (save), frees it; -1 after saying the save failed. */
int sl_send_cli_checkpoint_close(struct outcomes *x, const char *path, int save);

/* provision send's options. */
#define MAX_FILES 64

struct opts {
  const char *profile;        /* NULL with --stream */
  const char *stream_arg;     /* --stream NAME|ARN */
  struct sl_stream_arn arn;   /* when stream_arg is an ARN */
  int is_arn;
  int to;                     /* -1 unset, else enum sl_send_target */
  const char *files[MAX_FILES];
  int nfiles;
  char **records;
  int nrecords;
  enum sl_send_format format;
  struct sl_send_options so;
  int strict, json, quiet;
  const char *results;        /* --results FILE */
  const char *checkpoint;     /* --checkpoint FILE */
  struct outcomes out;        /* what on_result feeds */
  int aggregate;              /* --aggregate 1, --no-aggregate 0, -1 unset */
};

/* --stream NAME|ARN: the target from the ARN or --to, the region from the
 * ARN, then the global AWS options over base. 0 or SL_EXIT_USAGE. */
struct sl_cli_args;
int sl_send_cli_stream_target(struct opts *o, const struct sl_cli_args *a,
                              struct sl_aws_config *base, struct sl_error *err);
/* The profile's stream: --to, else Kinesis when the Firehose reads from it
 * or there is no Firehose, else the Firehose. */
struct sl_profile;
void sl_send_cli_profile_target(struct opts *o, const struct sl_profile *p);

/* Whether to aggregate (o->so.aggregate): --aggregate / --no-aggregate,
 * else the profile's [send] aggregate (enum sl_aggregate). 0 or
 * SL_EXIT_USAGE after saying why (no newline delimiter). */
int sl_send_cli_aggregate(struct opts *o, int from_profile);

/* The stream exists and takes records (and is in arn_account, when given). */
enum sl_result sl_send_cli_stream_ready(const struct sl_aws_config *base, const char *path,
                                        const char *arn_account, enum sl_send_target t,
                                        const char *stream, struct sl_error *err);
/* With --json, a failure before the report is a document too. */
void sl_send_cli_json_error(int json, const char *profile, const struct sl_error *err);
/* After a signal stopped the send: what was read, what is left and how
 * to go on, on stderr; the exit code (130, 143). */
int sl_send_cli_interrupted(const struct sl_send_result *res, const char *checkpoint,
                            const char *dead_letter, const char *last_read);
/* 3 when every record that was not accepted is accounted for: refused as
 * bad input (reported) or written to the dead-letter file. */
int sl_send_cli_exit_code(int error, const struct sl_send_result *res, int dead_letter);

#endif
