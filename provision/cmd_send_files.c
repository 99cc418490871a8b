/* cmd_send_files.c — the files `provision send` writes besides its report:
 * the --results lines (one per record, from the sender's on_result), the
 * --checkpoint file, the mode check of the --dead-letter file; and the
 * checks and codes around a run. */
#include "cmd_send_files.h"
#include "commands.h"
#include "sluice/provision.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int sl_send_cli_exit_code(int error, const struct sl_send_result *res, int dead_letter)
{
  if(error)
    return SL_EXIT_FAILED;
  if(!res->failed)
    return SL_EXIT_OK;
  return dead_letter || res->failed == res->rejected ? SL_EXIT_DATA : SL_EXIT_FAILED;
}
