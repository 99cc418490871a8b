/* prov_run.c — what every provisioner uses while it runs: the resource
 * kinds' names, errors of its own, field-level changes, progress lines and
 * the calls list, and the clock and poll intervals of bounded waits. */
#include "prov_run.h"
#include "sluice/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *sl_prov_kind_name(enum sl_prov_kind k)
{
  static const char *const names[] = { "bucket", "role", "kinesis", "log_group", "firehose",
                                       "glue_database", "glue_table" };
  return (unsigned)k < SL_PROV_NKINDS ? names[k] : "?";
}

const char *sl_prov_action_name(enum sl_prov_action a)
{
  static const char *const names[] = { "ok", "create", "update", "replace", "delete", "absent" };
  return (unsigned)a <= SL_PROV_ABSENT ? names[a] : "?";
}

enum sl_result sl_prov_fail(struct sl_error *e, enum sl_result r, const char *code,
                            const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  sl_error_clear(e);
  return sl_error_set(e, r, code, "%s", msg);
}

void sl_prov_change(struct sl_prov_item *it, const char *field, const char *from,
                    const char *to)
{
  struct sl_prov_change *c;
  if(it->nchanges >= SL_PROV_MAX_CHANGES)
    return;
  c = &it->changes[it->nchanges++];
  snprintf(c->field, sizeof(c->field), "%s", field);
  snprintf(c->from, sizeof(c->from), "%s", from);
  snprintf(c->to, sizeof(c->to), "%s", to);
}

void sl_prov_raced(struct sl_prov_run *run, enum sl_prov_kind k)
{
  run->s->raced[k] = 1;
  sl_log(SL_LOG_INFO, "%s %s: created by another run meanwhile; adopting it", sl_prov_kind_name(k),
         sl_prov_item_name(&run->s->want, k));
}

const char *sl_prov_item_name(const struct sl_prov_desired *d, enum sl_prov_kind k)
{
  switch(k) {
  case SL_PROV_BUCKET: return d->p->bucket.name;
  case SL_PROV_ROLE: return d->role_name;
  case SL_PROV_KINESIS: return d->p->kinesis.name;
  case SL_PROV_LOGS: return d->p->firehose.log_group;
  case SL_PROV_GLUE_DATABASE: return d->p->athena.database;
  case SL_PROV_GLUE_TABLE: return d->glue_table;
  default: return d->p->firehose.name;
  }
}

void sl_prov_where(struct sl_prov *s, enum sl_prov_kind k)
{
  snprintf(s->where, sizeof(s->where), "%s %s", sl_prov_kind_name(k),
           sl_prov_item_name(&s->want, k));
}

void sl_prov_step(struct sl_prov_run *run, enum sl_prov_kind k, const char *what)
{
  char *calls = run->s->calls[k];
  size_t n = strlen(calls);
  snprintf(calls + n, sizeof(run->s->calls[k]) - n, "%s%s", n ? ", " : "", what);
  sl_log(SL_LOG_INFO, "%s %s: %s", sl_prov_kind_name(k), sl_prov_item_name(&run->s->want, k), what);
  if(run->o && run->o->on_step)
    run->o->on_step(run->o->ud, k, sl_prov_item_name(&run->s->want, k), what);
}

int sl_prov_wait_limit(const struct sl_prov_run *run)
{
  return run->o && run->o->wait_timeout_s > 0 ? run->o->wait_timeout_s : 600;
}

double sl_prov_clock(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void sl_prov_poll_sleep(int n)
{
  sl_sleep(n < 4 ? 0.25 * (1 << n) : 5.0);
}
