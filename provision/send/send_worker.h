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
};
enum sl_result sl_send_scratch_init(struct send_scratch *x, const struct sl_send_limits *l);
void sl_send_scratch_cleanup(struct send_scratch *x);

/* Sends every entry of b until it is accepted or out of attempts, with c,
 * then adds the counts and failures to out. */
void sl_send_batch(const struct sl_send_options *o, struct send_outcome *out,
                   struct send_scratch *x, struct sl_client *c, struct sl_batch *b);

/* send_bill.c: the metering of one accepted service record of len bytes
 * into cnt (service_records, billed_bytes, put_units). */
void sl_send_bill(enum sl_send_target t, size_t len, struct sl_send_result *cnt);
/* Firehose without aggregation: the carriers --aggregate would make of the
 * records given, in order (len: as sent, '\n' included). */
struct send_estimate {
  size_t n, bytes, parts;      /* the request being filled: carriers, bytes, records */
  size_t cur;                  /* the carrier being filled */
  uint64_t records, billed;    /* carriers closed, and their billed bytes */
};
void sl_send_estimate_add(struct send_estimate *e, const struct sl_send_limits *l, size_t len);
/* Closes the last carrier; res->aggregated_records and _billed_bytes. */
void sl_send_estimate_end(struct send_estimate *e, struct sl_send_result *res);

#endif
