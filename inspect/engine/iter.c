/* iter.c — the iterator the old reader library offered: one object per
 * call, its records collected in memory, on the caller's thread and client.
 * Simple to use where a loop is wanted; sl_inspect_run is the concurrent,
 * streaming path. */
#include <stdlib.h>
#include <string.h>

#include "sluice/inspect.h"
#include "run_internal.h"
#include "sluice/log.h"
#include "sluice/s3.h"

#define ITER_DEFAULT_MAX (64u * 1024u * 1024u)

struct sl_inspect_iter {
  struct sl_client *c;
  struct sl_inspect_lister *l;
  char *bucket;
  size_t max_bytes;
  struct sl_buf data;               /* the records' bytes, back to back */
  struct sl_inspect_record *recs;   /* data pointers are offsets until the object is done */
  size_t n, cap;
  const struct sl_inspect_object *obj;
  struct sl_decoder *d;
  uint64_t errors;
  uint64_t fed;                     /* body bytes of this object decoded so far */
  int truncated;
};

struct sl_inspect_iter *sl_inspect_iter_new(struct sl_client *c, const char *bucket,
                                            const char *prefix, const char *start_after,
                                            size_t max_bytes)
{
  struct sl_inspect_iter *it = calloc(1, sizeof(*it));
  struct sl_inspect_source src;
  struct sl_error err;
  if(!it)
    return NULL;
  memset(&src, 0, sizeof(src));
  src.bucket = bucket;
  src.prefix = prefix;
  src.start_after = start_after;
  src.since = src.until = SL_INSPECT_NO_TIME;
  src.flat = 1;
  it->c = c;
  it->max_bytes = max_bytes ? max_bytes : ITER_DEFAULT_MAX;
  it->bucket = sl_strdup(bucket);
  if(!it->bucket || sl_buf_init(&it->data, it->max_bytes) ||
     sl_inspect_lister_new(c, &src, &it->l, &err)) {
    sl_inspect_iter_free(it);
    return NULL;
  }
  return it;
}

void sl_inspect_iter_free(struct sl_inspect_iter *it)
{
  if(!it)
    return;
  sl_inspect_lister_free(it->l);
  sl_decoder_free(it->d);
  sl_buf_cleanup(&it->data);
  free(it->recs);
  free(it->bucket);
  free(it);
}

static int on_record(void *ud, const char *p, size_t n, uint64_t off, int kind)
{
  struct sl_inspect_iter *it = ud;
  struct sl_inspect_record *r;
  if(it->truncated)
    return 0;
  if(it->n == it->cap) {
    size_t ncap = it->cap ? it->cap * 2 : 256;
    struct sl_inspect_record *v = realloc(it->recs, ncap * sizeof(*v));
    if(!v) {
      it->truncated = 1;
      return 1;
    }
    it->recs = v;
    it->cap = ncap;
  }
  if(sl_buf_add(&it->data, p, n)) {
    /* Over the bound: the rest of the object is not collected. */
    it->truncated = 1;
    it->errors++;
    sl_log(SL_LOG_WARN, "%s: records beyond %zu bytes dropped", it->obj->key, it->max_bytes);
    return 1;
  }
  r = &it->recs[it->n++];
  memset(r, 0, sizeof(*r));
  r->obj = it->obj;
  r->offset = off;
  r->data = (const char *)(uintptr_t)(it->data.len - n);
  r->len = n;
  r->kind = kind;
  return 0;
}

static void on_error(void *ud, uint64_t off, const char *reason)
{
  struct sl_inspect_iter *it = ud;
  sl_log(SL_LOG_INFO, "%s: offset %llu: %s", it->obj->key, (unsigned long long)off, reason);
}

static int on_body(void *ud, const char *p, size_t n)
{
  struct sl_inspect_iter *it = ud;
  it->fed += n;
  return sl_decoder_feed(it->d, p, n) != SL_OK || sl_decoder_done(it->d);
}

static int iter_stopped(void *ud)
{
  struct sl_inspect_iter *it = ud;
  return sl_decoder_done(it->d);
}

enum sl_result sl_inspect_iter_next(struct sl_inspect_iter *it, const char **key,
                                    struct sl_inspect_records *recs, struct sl_error *err)
{
  struct sl_decoder_options o;
  enum sl_result r;
  size_t i;
  *key = NULL;
  memset(recs, 0, sizeof(*recs));
  sl_buf_reset(&it->data);
  it->n = 0;
  it->errors = 0;
  it->fed = 0;
  it->truncated = 0;
  r = sl_inspect_lister_next(it->l, &it->obj, err);
  if(r || !it->obj)
    return r;
  sl_decoder_options_init(&o);
  o.on_record = on_record;
  o.on_error = on_error;
  o.userdata = it;
  sl_decoder_free(it->d);
  it->d = sl_decoder_new(&o);
  if(!it->d)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory for a decoder");
  r = sl_inspect_get_resuming(it->c, it->bucket, it->obj->key, &it->fed, on_body, iter_stopped, it,
                              err);
  if(r && !sl_decoder_done(it->d))
    return r;
  if(!r)
    sl_decoder_finish(it->d);
  for(i = 0; i < it->n; i++)
    it->recs[i].data = it->data.data + (uintptr_t)it->recs[i].data;
  *key = it->obj->key;
  recs->n = it->n;
  recs->v = it->recs;
  recs->data_errors = sl_decoder_stats(it->d)->errors + it->errors;
  recs->truncated = it->truncated;
  return SL_OK;
}
