/* send_worker.h — one batch to completion (send_worker.c). Not installed. */
#ifndef SLUICE_SEND_WORKER_H
#define SLUICE_SEND_WORKER_H

#include "sluice/send.h"
#include "send_outcome.h"

/* Per worker, sized for one full batch, reused for every batch. */
struct send_scratch {
  struct sl_record *recs;
  struct sl_record_result *results;
  size_t *map;              /* recs[k] is batch entry map[k] */
  struct sl_buf line;       /* a dead-letter line */
  struct sl_buf kpl;        /* the request's KPL carriers, encoded */
  size_t *kpl_at;           /* recs[k]'s carrier at kpl.data + kpl_at[k] */
};
enum sl_result sl_send_scratch_init(struct send_scratch *x, const struct sl_send_limits *l);
void sl_send_scratch_cleanup(struct send_scratch *x);

/* Sends every entry of b until it is accepted or out of attempts, with c,
 * then adds the counts and failures to out. */
void sl_send_batch(const struct sl_send_options *o, struct send_outcome *out,
                   struct send_scratch *x, struct sl_client *c, struct sl_batch *b);

#endif
