/* cmd_send_files.c — the files `provision send` writes besides its report:
 * the --results lines (one per record, from the sender's on_result) and
 * the mode check of the --dead-letter file. */
#include "cmd_send_files.h"

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

