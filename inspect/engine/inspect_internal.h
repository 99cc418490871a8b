/* inspect_internal.h — plumbing the inspect commands share (commands.c,
 * stats.c, listing.c): one lister + run over a source, with the summary kept
 * in key order and --limit applied to the lines actually written. */
#ifndef SL_INSPECT_INTERNAL_H
#define SL_INSPECT_INTERNAL_H

#include "sluice/inspect.h"

/* GetObject tries per object: a cut download resumes with a Range request. */
#define SL_INSPECT_RESUME_ATTEMPTS 3

/* run.c: GetObject into on_body; a download cut after *fed bytes (what the
 * caller's decoder already has) goes on with a Range request from there.
 * stop(ud) non-zero after an error means the caller is done with the
 * object: SL_OK. */
enum sl_result sl_inspect_get_resuming(struct sl_client *c, const char *bucket, const char *key,
                                       const uint64_t *fed,
                                       int (*on_body)(void *ud, const char *p, size_t n),
                                       int (*stop)(void *ud), void *ud, struct sl_error *err);

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

/* listing.c: keys for which skip() answers non-zero are passed over, like
 * those before start_after. */
void sl_inspect_lister_set_skip(struct sl_inspect_lister *l,
                                int (*skip)(void *ud, const char *key), void *ud);

/* Lists src and runs every object through pass; adds to pass->sum. */
enum sl_result sl_inspect_pass_run(struct sl_client *c, struct sl_inspect_pass *pass,
                                   const struct sl_inspect_source *src, struct sl_error *err);

#endif
