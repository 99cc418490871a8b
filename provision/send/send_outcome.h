/* send_outcome.h — the send engine's results as they build up
 * (send_outcome.c). Not installed. */
#ifndef SLUICE_SEND_OUTCOME_H
#define SLUICE_SEND_OUTCOME_H

#include "sluice/send.h"

#include <pthread.h>

struct send_outcome {
  pthread_mutex_t *mu;         /* the sender's lock, held for every change */
  const char *stream;          /* named in dead-letter lines */
  const char *dead_letter;     /* its path, for messages */
  int dl_fd;                   /* -1: no dead-letter file */
  struct sl_send_result res;
  enum sl_result fatal;
  struct sl_error fatal_err;
  void (*on_result)(void *ud, const struct sl_send_record *r); /* options' */
  void *on_result_ud;
};

/* With mu held: the first fatal error wins. */
void sl_send_outcome_set_fatal(struct send_outcome *s, const struct sl_error *err);
/* With mu held: on_result, when there is one. */
void sl_send_outcome_tell(struct send_outcome *s, const struct sl_send_record *r);
/* Counts a failed record, lists it while the list has room and writes its
 * dead-letter line; d without stream and where: filled here (from w).
 * maybe_stored: a request carrying it got no usable answer. */
void sl_send_outcome_failure(struct send_outcome *s, struct sl_buf *line, struct sl_send_dead *d,
                             int maybe_stored, const struct sl_send_where *w);
/* Adds delivered, retried, duplicates_possible, requests, request_retries,
 * bytes and request_bytes of d. */
void sl_send_outcome_add(struct send_outcome *s, const struct sl_send_result *d);
/* The first fatal error, into err if given; SL_OK if none. */
enum sl_result sl_send_outcome_fatal(struct send_outcome *s, struct sl_error *err);

#endif
