/* commands_internal.h — the plumbing the inspect commands share (commands.c,
 * stats.c): one lister + run over a source, with the summary kept in key
 * order and --limit applied to the lines actually written. */
#ifndef SL_INSPECT_COMMANDS_INTERNAL_H
#define SL_INSPECT_COMMANDS_INTERNAL_H

#include "sluice/inspect.h"

struct sl_inspect_pass {
  const struct sl_inspect_command *cmd;
  struct sl_inspect_summary *sum;
  int (*on_record)(void *ud, const struct sl_inspect_record *rec, struct sl_buf *out);
  int (*on_object)(void *ud, const struct sl_inspect_result *res); /* may be NULL */
  /* Listed keys not to read (tail: already printed); may be NULL. Called
   * on the lister's thread while the run goes on. */
  int (*skip)(void *ud, const char *key);
  void *ud;
};

/* Lists src and runs every object through pass; adds to pass->sum. */
enum sl_result sl_inspect_pass_run(struct sl_client *c, struct sl_inspect_pass *pass,
                                   const struct sl_inspect_source *src, struct sl_error *err);

#endif
