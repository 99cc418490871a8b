/* send_calls.c — the engine's default options, and the old libraries'
 * calls (put one record, put a list, send to Kinesis) on top of the engine,
 * sending from the caller's thread with the caller's client. Every record
 * is checked before anything is sent. */
#include "sluice/send.h"

#include <string.h>

void sl_send_options_init(struct sl_send_options *o)
{
  memset(o, 0, sizeof(*o));
  o->concurrency = SL_SEND_DEFAULT_CONCURRENCY;
  o->max_attempts = SL_SEND_DEFAULT_ATTEMPTS;
  o->newline = 1;
  o->flush_interval_s = SL_SEND_DEFAULT_FLUSH_INTERVAL;
}

static enum sl_result run_list(struct sl_client *c, enum sl_send_target t, const char *stream,
                               const struct sl_view *recs, size_t n, const char *key,
                               const struct sl_send_options *o, struct sl_send_result *res,
                               struct sl_error *err)
{
  struct sl_send_options opt;
  struct sl_sender *s = NULL;
  struct sl_error ferr;
  enum sl_result r, fr;
  size_t i;
  if(o)
    opt = *o;
  else {
    sl_send_options_init(&opt);
    opt.newline = 0; /* the old libraries sent the bytes as given */
  }
  opt.target = t;
  opt.stream = stream;
  opt.concurrency = 0;
  opt.flush_interval_s = 0; /* the whole list is in hand: only full batches */
  if(key)
    opt.partition_key = key;
  sl_error_clear(&ferr);
  r = sl_sender_new(&s, &opt, NULL, NULL, c, err);
  for(i = 0; !r && i < n; i++) {
    struct sl_send_where w = { NULL, i + 1, SL_WHERE_INDEX };
    r = sl_sender_check(s, recs[i].p, recs[i].len, &w, err);
  }
  for(i = 0; !r && i < n; i++) {
    struct sl_send_where w = { NULL, i + 1, SL_WHERE_INDEX };
    r = sl_sender_add(s, recs[i].p, recs[i].len, &w, err);
  }
  if(s) {
    fr = sl_sender_finish(s, res, &ferr);
    if(!r && fr) {
      r = fr;
      if(err)
        *err = ferr;
    }
  }
  if(!r && res->failed && res->nfailures) {
    const struct sl_send_failure *f = &res->failures[0];
    r = sl_error_set(err, SL_E_AWS, f->error_code, "%s: %s (%d attempts); %llu of %llu records "
                     "failed", f->where, f->error_message, f->attempts,
                     (unsigned long long)res->failed, (unsigned long long)res->total);
  }
  else if(!r && res->failed)
    r = sl_error_set(err, SL_E_AWS, NULL, "%llu of %llu records failed",
                     (unsigned long long)res->failed, (unsigned long long)res->total);
  sl_sender_free(s);
  return r;
}

enum sl_result sl_send_firehose_record(struct sl_client *c, const char *stream, const void *data,
                                       size_t len, struct sl_send_result *res,
                                       struct sl_error *err)
{
  struct sl_view v = { data, len };
  return run_list(c, SL_SEND_FIREHOSE, stream, &v, 1, NULL, NULL, res, err);
}

enum sl_result sl_send_firehose_batch(struct sl_client *c, const char *stream,
                                      const struct sl_view *recs, size_t n,
                                      const struct sl_send_options *o,
                                      struct sl_send_result *res, struct sl_error *err)
{
  return run_list(c, SL_SEND_FIREHOSE, stream, recs, n, NULL, o, res, err);
}

enum sl_result sl_send_kinesis(struct sl_client *c, const char *stream,
                               const struct sl_view *recs, size_t n, const char *partition_key,
                               const struct sl_send_options *o, struct sl_send_result *res,
                               struct sl_error *err)
{
  return run_list(c, SL_SEND_KINESIS, stream, recs, n, partition_key, o, res, err);
}
