/* prov_run.h — what every provisioner uses while it runs: errors of its
 * own, field-level changes, progress, and bounded waits (prov_run.c). */
#ifndef SL_PROV_RUN_H
#define SL_PROV_RUN_H

#include "session.h"

/* sl_error_set on a cleared error: a failure of our own carries no HTTP
 * status or request id left over from an earlier call. */
enum sl_result sl_prov_fail(struct sl_error *e, enum sl_result r, const char *code,
                            const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 4, 5)))
#endif
  ;
/* Reports one changing call through opts->on_step. */
void sl_prov_step(struct sl_prov_run *run, enum sl_prov_kind k, const char *what);
/* The create lost a race: another run made the resource meanwhile, and this
 * one adopts it (reported as such, not as created). */
void sl_prov_raced(struct sl_prov_run *run, enum sl_prov_kind k);
/* The profile's name for a resource. */
const char *sl_prov_item_name(const struct sl_prov_desired *d, enum sl_prov_kind k);
/* Records the resource an error is about ("bucket x") in s->where. */
void sl_prov_where(struct sl_prov *s, enum sl_prov_kind k);
/* Appends a field-level change to an item (silently stops at the limit,
 * which is far above what any resource has). */
void sl_prov_change(struct sl_prov_item *it, const char *field, const char *from,
                    const char *to);
/* Seconds for waits: opts->wait_timeout_s or 600. */
int sl_prov_wait_limit(const struct sl_prov_run *run);
/* Monotonic seconds, for deadlines. */
double sl_prov_clock(void);
/* Sleeps the n-th poll interval (0.25 s doubling up to 5 s). */
void sl_prov_poll_sleep(int n);

#endif
