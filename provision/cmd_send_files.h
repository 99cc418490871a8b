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

#endif
