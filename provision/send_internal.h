/* send_internal.h — what the send engine's files share: a worker's scratch
 * space, sending one batch to completion, and recording outcomes. Not
 * installed. */
#ifndef SLUICE_SEND_INTERNAL_H
#define SLUICE_SEND_INTERNAL_H

#include "sluice/send.h"

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
 * then adds the counts and failures to s. */
void sl_send_batch(struct sl_sender *s, struct send_scratch *x, struct sl_client *c,
                   struct sl_batch *b);

/* The sender's side (send.c), thread-safe. */
const struct sl_send_options *sl_sender_options(const struct sl_sender *s);
/* d without stream and where: filled here (from w). */
void sl_send_note_failure(struct sl_sender *s, struct sl_buf *line, struct sl_send_dead *d,
                          const struct sl_send_where *w);
/* Adds delivered, retried, duplicates_possible, requests, request_retries,
 * bytes and request_bytes of d. */
void sl_send_add_counts(struct sl_sender *s, const struct sl_send_result *d);

#endif
