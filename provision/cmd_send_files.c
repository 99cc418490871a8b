/* cmd_send_files.c — the files `provision send` writes besides its report:
 * the --results lines (one per record, from the sender's on_result), the
 * --checkpoint file, the mode check of the --dead-letter file; and the
 * checks and codes around a run. */
#include "cmd_send_files.h"
#include "commands.h"
#include "sluice/provision.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char who[] = "provision send";

/* on_result for --results; the sender calls it one at a time. */
void sl_send_cli_write_result(void *ud, const struct sl_send_record *rec)
{
  struct results *x = ud;
  sl_buf_reset(&x->line);
  if(sl_send_record_line(rec, x->target, &x->line) ||
     fwrite(x->line.data, 1, x->line.len, x->f) != x->line.len)
    x->failed = 1;
}

int sl_send_cli_results_open(struct results *x, const char *path, enum sl_send_target t)
{
  int fd;
  memset(x, 0, sizeof(*x));
  x->target = t;
  if(sl_buf_init(&x->line, 8192))
    return -1;
  fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if(fd < 0 || !(x->f = fdopen(fd, "w"))) {
    fprintf(stderr, "provision send: --results %s: %s\n", path, strerror(errno));
    if(fd >= 0)
      close(fd);
    sl_buf_cleanup(&x->line);
    return -1;
  }
  return 0;
}

/* 0, or -1 after saying that the file is incomplete. */
int sl_send_cli_results_close(struct results *x, const char *path)
{
  int bad = x->failed;
  if(!x->f)
    return 0;
  if(fclose(x->f))
    bad = 1;
  x->f = NULL;
  sl_buf_cleanup(&x->line);
  if(bad)
    fprintf(stderr, "provision send: --results %s: could not be written in full: %s\n", path,
            strerror(errno));
  return bad ? -1 : 0;
}

void sl_send_cli_dead_letter_mode(const char *path)
{
  struct stat st;
  if(path && !stat(path, &st) && (st.st_mode & (S_IRGRP | S_IROTH)))
    fprintf(stderr, "provision send: warning: dead-letter file %s has mode %04o (readable by "
            "group or others) and will hold the records' data; run: chmod 600 %s\n", path,
            (unsigned)(st.st_mode & 07777), path);
}


/* ---- --checkpoint -------------------------------------------------------- */

int sl_send_cli_checkpoint_open(struct outcomes *x, const char *path, enum sl_send_target t,
                                const char *stream, const char *format, int newline,
                                const char *const *files, int nfiles, char *const *args,
                                int nargs, int quiet)
{
  struct sl_buf id;
  struct sl_error err;
  enum sl_result r;
  uint64_t settled, unknown;
  sl_error_clear(&err);
  if(!nfiles && !nargs) {
    fprintf(stderr, "provision send: --checkpoint needs the input as --file (stdin cannot be "
            "read again by a rerun)\n");
    return -1;
  }
  r = sl_buf_init(&id, SL_BUF_MEDIUM);
  if(!r) r = sl_send_input_identity(t, stream, format, newline, files, nfiles, args, nargs, &id,
                                    &err);
  if(!r) r = sl_send_checkpoint_open(&x->ck, path, id.data, &err);
  sl_buf_cleanup(&id);
  if(r) {
    fprintf(stderr, "provision send: --checkpoint: %s\n", err.message[0] ? err.message :
            sl_strresult(r));
    return -1;
  }
  sl_send_checkpoint_earlier(x->ck, &settled, &unknown);
  if((settled || unknown) && !quiet)
    fprintf(stderr, "provision send: resuming from %s: %llu records settled earlier are "
            "skipped; %llu sent earlier with no outcome known are sent again (possible "
            "duplicates)\n", path, (unsigned long long)settled, (unsigned long long)unknown);
  return 0;
}

void sl_send_cli_outcome(void *ud, const struct sl_send_record *rec)
{
  struct outcomes *x = ud;
  if(x->ck)
    sl_send_checkpoint_note(x->ck, rec);
  if(x->results)
    sl_send_cli_write_result(x->results, rec);
}

int sl_send_cli_checkpoint_close(struct outcomes *x, const char *path, int save)
{
  struct sl_error err;
  int bad = 0;
  sl_error_clear(&err);
  if(x->ck && save && sl_send_checkpoint_save(x->ck, &err)) {
    fprintf(stderr, "provision send: --checkpoint %s: %s\n", path, err.message);
    bad = -1;
  }
  sl_send_checkpoint_free(x->ck);
  x->ck = NULL;
  return bad;
}

/* ---- around a run -------------------------------------------------------- */

enum sl_result sl_send_cli_stream_ready(const struct sl_aws_config *base, const char *path,
                                        const char *arn_account, enum sl_send_target t,
                                        const char *stream, struct sl_error *err)
{
  struct sl_aws_config cfg;
  struct sl_client *c = NULL;
  enum sl_result r = sl_aws_config_copy(&cfg, base, err);
  if(!r)
    r = sl_client_new(&c, &cfg, path, err);
  sl_aws_config_cleanup(&cfg);
  /* An ARN names an account: a same-named stream elsewhere is not it. */
  if(!r && arn_account)
    r = sl_send_check_account(c, arn_account, err);
  if(!r)
    r = sl_send_stream_ready(c, t, stream, err);
  sl_client_free(c);
  return r;
}

void sl_send_cli_json_error(int json, const char *profile, const struct sl_error *err)
{
  struct sl_buf b;
  if(json && !sl_buf_init(&b, SL_BUF_SMALL)) {
    if(!sl_prov_error_json("send", profile, NULL, err, &b))
      fwrite(b.data, 1, b.len, stdout);
    sl_buf_cleanup(&b);
  }
}

int sl_send_cli_interrupted(const struct sl_send_result *res, const char *checkpoint,
                            const char *dead_letter, const char *last_read)
{
  char left[160] = "";
  if(res->interrupted)
    snprintf(left, sizeof(left), "%llu records were not sent or got no answer (%s); ",
             (unsigned long long)res->interrupted, checkpoint ? "not settled in the checkpoint" :
             dead_letter ? "dead-lettered as Interrupted" : "listed above as Interrupted");
  fprintf(stderr, "provision send: %s (%s) after reading %s; %s", sl_interrupted() == SIGTERM ?
          "terminated" : "interrupted", sl_interrupted() == SIGTERM ? "SIGTERM" : "SIGINT",
          last_read[0] ? last_read : "nothing", left);
  if(checkpoint)
    fprintf(stderr, "run the same command again to send the rest (--checkpoint %s)\n",
            checkpoint);
  else
    fprintf(stderr, "the input after that was not read\n");
  return sl_cli_signal_exit();
}

int sl_send_cli_exit_code(int error, const struct sl_send_result *res, int dead_letter)
{
  if(error)
    return SL_EXIT_FAILED;
  if(!res->failed)
    return SL_EXIT_OK;
  return dead_letter || res->failed == res->rejected ? SL_EXIT_DATA : SL_EXIT_FAILED;
}

/* ---- which stream -------------------------------------------------------- */

/* --stream NAME|ARN: the target from the ARN or --to, the region from the
 * ARN; every positional is a record. */
int sl_send_cli_stream_target(struct opts *o, const struct sl_cli_args *a,
                              struct sl_aws_config *base, struct sl_error *err)
{
  if(!strncmp(o->stream_arg, "arn:", 4)) {
    if(sl_send_parse_arn(o->stream_arg, &o->arn, err))
      return sl_cli_usage_error(who, "--stream: %s", err->message);
    o->is_arn = 1;
    if(o->to >= 0 && o->to != (int)o->arn.target)
      return sl_cli_usage_error(who, "--to %s, but --stream names a %s stream",
                                sl_send_target_name((enum sl_send_target)o->to),
                                sl_send_target_name(o->arn.target));
    if(a->region && strcmp(a->region, o->arn.region))
      return sl_cli_usage_error(who, "--region %s, but the stream ARN is in %s", a->region,
                                o->arn.region);
    o->to = (int)o->arn.target;
    o->so.stream = o->arn.name;
    if(sl_aws_config_set(base, "region", o->arn.region, "the stream ARN", err))
      return sl_cli_usage_error(who, "--stream: %s", err->message);
  }
  else {
    if(o->to < 0)
      return sl_cli_usage_error(who, "--stream %s needs --to kinesis or --to firehose (or give "
                                "the stream's ARN)", o->stream_arg);
    if(!(o->to == SL_SEND_KINESIS ? sl_valid_kinesis_name(o->stream_arg) :
                                    sl_valid_firehose_name(o->stream_arg)))
      return sl_cli_usage_error(who, "--stream: '%s' is not a valid %s stream name (1-%d "
                                "characters: letters, digits, '_', '.', '-')", o->stream_arg,
                                sl_send_target_name((enum sl_send_target)o->to),
                                o->to == SL_SEND_KINESIS ? 128 : 64);
    o->so.stream = o->stream_arg;
  }
  o->so.target = (enum sl_send_target)o->to;
  return sl_cli_aws_options(a, base, err);
}

/* The profile's stream: --to, else Kinesis when the Firehose reads from it
 * or there is no Firehose, else the Firehose. */
void sl_send_cli_profile_target(struct opts *o, const struct sl_profile *p)
{
  if(o->to < 0)
    o->to = p->firehose.source == SL_SOURCE_KINESIS || !p->firehose.name[0] ? SL_SEND_KINESIS :
            SL_SEND_FIREHOSE;
  o->so.target = (enum sl_send_target)o->to;
  o->so.stream = o->to == SL_SEND_KINESIS ? p->kinesis.name : p->firehose.name;
  o->so.kinesis_request_bytes = p->kinesis.enabled ? p->kinesis.max_request_bytes : 0;
}

/* ---- aggregation --------------------------------------------------------- */

int sl_send_cli_aggregate(struct opts *o, int from_profile)
{
  /* Firehose packs records back to back; the KPL format keeps them apart. */
  int firehose = o->so.target == SL_SEND_FIREHOSE;
  if(o->aggregate >= 0) {
    if(o->aggregate && !o->so.newline && firehose)
      return sl_cli_usage_error(who, "--aggregate to Firehose needs newline-ended records: with "
                                "--delimiter none the records could not be told apart again");
    o->so.aggregate = o->aggregate;
    return 0;
  }
  if(from_profile == SL_AGGREGATE_ON && !o->so.newline && firehose)
    return sl_cli_usage_error(who, "the profile's [send] aggregate = on needs newline-ended "
                              "records for Firehose, not --delimiter none (or give "
                              "--no-aggregate)");
  o->so.aggregate = from_profile == SL_AGGREGATE_ON ||
                    (from_profile == SL_AGGREGATE_AUTO && o->so.newline);
  return 0;
}
