/* run.c — fetch and decode: the calling thread pages through the lister and
 * queues objects in key order; worker threads, each with its own client and
 * one decoder per object, stream GetObject (or a local file) into the
 * decoder and hand each record's output to the ordering window (order.c).
 * Only GetObject is sent. A download cut short after some bytes resumes
 * with a Range request, since the decoder has already seen those bytes. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sluice/inspect.h"
#include "sluice/log.h"
#include "sluice/s3.h"
#include "run_internal.h"
#include "common/aws/aws_internal.h"

#define LOCAL_CHUNK (64u * 1024u)
/* Records' output goes to the ordering window in batches of about this
 * much: one lock and one write per batch, not per record. */
#define EMIT_BATCH (64u * 1024u)
/* Objects at least this big (compressed) decode with the pipeline option. */
#define PIPELINE_MIN (1024 * 1024)

struct job {
  struct sl_inspect_object obj;
  struct sl_inspect_result res;
};

struct engine {
  const struct sl_inspect_run_options *o;
  const char *bucket; /* NULL: local files */
  struct sl_inspect_order *q;
  pthread_mutex_t errmu;  /* on_data_error calls, and the first failure below */
  enum sl_result failed;  /* on_record asked to stop with an error */
};

struct worker {
  struct engine *e;
  pthread_t th;
  struct sl_client client;
  int has_client;
  struct sl_buf line;       /* the current batch of records' output */
  /* the object being read */
  struct job *job;
  uint64_t seq;
  struct sl_decoder *d;
  uint64_t fed;
  uint64_t handler_errors; /* reported by on_record */
  uint64_t selected;       /* marked by on_record */
  int aborted;
};

enum sl_result sl_inspect_client_clone(struct sl_client *c, struct sl_client *out,
                                       struct sl_error *err)
{
  struct sl_aws_config cfg = c->cfg;
  if(c->cfg.static_session_token) {
    cfg.static_session_token = sl_strdup(c->cfg.static_session_token);
    if(!cfg.static_session_token)
      return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  }
  /* Permission warnings about the profile were given for c already. */
  return sl_client_init(out, &cfg, NULL, err);
}

/* Hands the batch to the ordering window; non-zero when the run stopped. */
static int emit(struct worker *w)
{
  int stop = w->line.len && sl_inspect_order_emit(w->e->q, w->seq, w->line.data, w->line.len);
  sl_buf_reset(&w->line);
  if(stop)
    w->aborted = 1;
  return stop;
}

static void data_error(struct worker *w, uint64_t off, const char *reason)
{
  struct engine *e = w->e;
  if(!e->o->on_data_error)
    return;
  /* The records before it first, so stdout and stderr interleave in order. */
  if(!w->aborted)
    emit(w);
  pthread_mutex_lock(&e->errmu);
  e->o->on_data_error(e->o->ud, &w->job->obj, off, reason);
  pthread_mutex_unlock(&e->errmu);
}

static void on_dec_error(void *ud, uint64_t off, const char *reason)
{
  data_error(ud, off, reason);
}

void sl_inspect_record_error(const struct sl_inspect_record *rec, const char *reason)
{
  struct worker *w = rec->priv;
  w->handler_errors++;
  data_error(w, rec->offset, reason);
}

void sl_inspect_record_select(const struct sl_inspect_record *rec)
{
  struct worker *w = rec->priv;
  w->selected++;
}

static int on_dec_record(void *ud, const char *p, size_t n, uint64_t off, int kind)
{
  struct worker *w = ud;
  struct engine *e = w->e;
  struct sl_inspect_record rec;
  size_t before;
  rec.obj = &w->job->obj;
  rec.offset = off;
  rec.data = p;
  rec.len = n;
  rec.kind = kind;
  rec.priv = w;
  before = w->line.len;
  if(e->o->on_record(e->o->ud, &rec, &w->line)) {
    w->line.len = before; /* the records before this one still go out */
    emit(w);
    pthread_mutex_lock(&e->errmu);
    if(!e->failed)
      e->failed = SL_E_INVALID;
    pthread_mutex_unlock(&e->errmu);
    sl_inspect_order_stop(e->q);
    w->aborted = 1;
    return 1;
  }
  return w->line.len >= EMIT_BATCH && emit(w);
}

/* Body bytes: a non-zero answer stops the download once the decoder has
 * failed or the run is over. */
static int on_body(void *ud, const char *p, size_t n)
{
  struct worker *w = ud;
  w->fed += n;
  return sl_decoder_feed(w->d, p, n) != SL_OK || sl_decoder_done(w->d) || w->aborted;
}

enum sl_result sl_inspect_get_resuming(struct sl_client *c, const char *bucket, const char *key,
                                       const uint64_t *fed,
                                       int (*on_body)(void *ud, const char *p, size_t n),
                                       int (*stop)(void *ud), void *ud, struct sl_error *err)
{
  enum sl_result r;
  int attempt;
  for(attempt = 0;; attempt++) {
    struct sl_s3_get g;
    char range[48];
    memset(&g, 0, sizeof(g));
    if(*fed) {
      snprintf(range, sizeof(range), "bytes=%llu-", (unsigned long long)*fed);
      g.range = range;
    }
    g.on_body = on_body;
    g.ud = ud;
    sl_error_clear(err);
    r = sl_s3_get_object(c, bucket, key, &g, err);
    if(!r || stop(ud))
      return SL_OK;
    if((r != SL_E_NETWORK && r != SL_E_TIMEOUT) || !*fed || attempt + 1 >= SL_INSPECT_RESUME_ATTEMPTS)
      return r;
    sl_log(SL_LOG_INFO, "%s: download cut at byte %llu, resuming", key, (unsigned long long)*fed);
  }
}

static int worker_stopped(void *ud)
{
  struct worker *w = ud;
  return sl_decoder_done(w->d) || w->aborted;
}

static enum sl_result fetch_s3(struct worker *w, struct sl_error *err)
{
  return sl_inspect_get_resuming(&w->client, w->e->bucket, w->job->obj.key, &w->fed, on_body,
                                 worker_stopped, w, err);
}

static enum sl_result fetch_local(struct worker *w, struct sl_error *err)
{
  FILE *f = fopen(w->job->obj.key, "rb");
  char *buf;
  enum sl_result r = SL_OK;
  if(!f)
    return sl_error_set(err, SL_E_IO, NULL, "cannot open: %s", strerror(errno));
  buf = malloc(LOCAL_CHUNK);
  if(!buf)
    r = SL_E_NOMEM;
  while(!r) {
    size_t n = fread(buf, 1, LOCAL_CHUNK, f);
    if(n && on_body(w, buf, n))
      break;
    if(n < LOCAL_CHUNK) {
      if(ferror(f))
        r = sl_error_set(err, SL_E_IO, NULL, "read error: %s", strerror(errno));
      break;
    }
  }
  free(buf);
  fclose(f);
  return r;
}

static void process(struct worker *w)
{
  struct engine *e = w->e;
  struct sl_decoder_options dopt;
  struct sl_error err;
  const struct sl_decoder_stats *st;
  enum sl_result r;
  sl_decoder_options_init(&dopt);
  dopt.format = e->o->format;
  dopt.record_max = e->o->record_max;
  dopt.on_record = on_dec_record;
  dopt.on_error = on_dec_error;
  dopt.userdata = w;
  /* A big object inflates on a second thread while this one scans, so it is
   * read at the inflater's speed rather than inflater plus scanner. Small
   * ones are already decoded side by side by the workers, where a thread
   * each costs more than it brings (400 objects of 4 KiB: 9% slower). */
  dopt.pipeline = w->job->obj.size >= PIPELINE_MIN;
  w->fed = 0;
  w->handler_errors = 0;
  w->selected = 0;
  w->aborted = 0;
  w->d = sl_decoder_new(&dopt);
  if(!w->d) {
    data_error(w, 0, "out of memory for a decoder");
    w->job->res.fetch_failed = 1;
    return;
  }
  sl_error_clear(&err);
  r = e->bucket ? fetch_s3(w, &err) : fetch_local(w, &err);
  if(r && !w->aborted) {
    char msg[1300];
    if(r == SL_E_AWS && e->bucket)
      sl_s3_explain_denied(&w->client, e->bucket, &err);
    /* Named as the call that failed: the key is the line's already. */
    if(e->bucket)
      memcpy(msg, "GetObject: ", 12);
    else
      msg[0] = 0;
    sl_error_format(&err, msg + strlen(msg), sizeof(msg) - strlen(msg));
    data_error(w, w->fed, msg[0] ? msg : sl_strresult(r));
    w->job->res.fetch_failed = 1;
  }
  /* A cut download is not finished: its last partial record is not data. */
  else if(!w->aborted)
    sl_decoder_finish(w->d);
  if(!w->aborted)
    emit(w);
  sl_buf_reset(&w->line);
  st = sl_decoder_stats(w->d);
  w->job->res.records = st->records;
  w->job->res.selected = w->selected;
  w->job->res.data_errors = st->errors + w->handler_errors;
  w->job->res.bytes_in = st->bytes_in;
  w->job->res.unsupported = st->compression == SL_COMPRESSION_UNSUPPORTED;
  sl_decoder_free(w->d);
  w->d = NULL;
}

static void *worker_main(void *arg)
{
  struct worker *w = arg;
  void *job;
  while(!sl_inspect_order_take(w->e->q, &w->seq, &job)) {
    w->job = job;
    process(w);
    sl_inspect_order_end(w->e->q, w->seq);
  }
  return NULL;
}

static int order_done(void *ud, uint64_t seq, void *job)
{
  struct engine *e = ud;
  struct job *j = job;
  (void)seq;
  return e->o->on_object ? e->o->on_object(e->o->ud, &j->res) : 0;
}

static void job_free(void *ud, void *job)
{
  struct job *j = job;
  (void)ud;
  if(!j)
    return;
  free((char *)j->obj.key);
  free((char *)j->obj.last_modified);
  free(j);
}

static struct job *job_new(const struct sl_inspect_object *o)
{
  struct job *j = calloc(1, sizeof(*j));
  if(!j)
    return NULL;
  j->obj = *o;
  j->obj.key = sl_strdup(o->key);
  j->obj.last_modified = sl_strdup(o->last_modified ? o->last_modified : "");
  j->res.obj = &j->obj;
  if(!j->obj.key || !j->obj.last_modified) {
    job_free(NULL, j);
    return NULL;
  }
  return j;
}

static int no_write(void *ud, const char *p, size_t n)
{
  (void)ud;
  (void)p;
  (void)n;
  return 0;
}

static int write_out(void *ud, const char *p, size_t n)
{
  struct engine *e = ud;
  return e->o->write(e->o->ud, p, n);
}

enum sl_result sl_inspect_run(struct sl_client *c, struct sl_inspect_lister *l,
                              const struct sl_inspect_run_options *o, struct sl_error *err)
{
  struct engine e;
  struct sl_inspect_order_options qo;
  struct worker *w = NULL;
  int n = o->concurrency > 0 ? o->concurrency : SL_INSPECT_DEFAULT_CONCURRENCY, i, started = 0;
  enum sl_result r = SL_OK;
  if(!o->on_record)
    return sl_error_set(err, SL_E_INVALID, NULL, "sl_inspect_run needs on_record");
  if(n > SL_INSPECT_MAX_CONCURRENCY)
    n = SL_INSPECT_MAX_CONCURRENCY;
  memset(&e, 0, sizeof(e));
  e.o = o;
  e.bucket = sl_inspect_lister_bucket(l);
  if(e.bucket && !c)
    return sl_error_set(err, SL_E_INVALID, NULL, "an S3 source needs a client");
  memset(&qo, 0, sizeof(qo));
  qo.window = (size_t)n * 2;
  qo.buffer_max = o->object_buffer ? o->object_buffer : SL_INSPECT_DEFAULT_OBJECT_BUFFER;
  qo.write = o->write ? write_out : no_write;
  qo.done = order_done;
  qo.release = job_free;
  qo.ud = &e;
  e.q = sl_inspect_order_new(&qo);
  w = calloc((size_t)n, sizeof(*w));
  if(!e.q || !w || pthread_mutex_init(&e.errmu, NULL)) {
    sl_inspect_order_free(e.q);
    free(w);
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  }
  for(i = 0; !r && i < n; i++) {
    w[i].e = &e;
    /* Escaping can make a text record six times longer, never more; one
     * such record on top of a batch. */
    r = sl_buf_init(&w[i].line, 6 * (o->record_max ? o->record_max : SL_DECODER_DEFAULT_RECORD_MAX) +
                                    SL_BUF_SMALL + EMIT_BATCH);
    if(!r && e.bucket) {
      r = sl_inspect_client_clone(c, &w[i].client, err);
      w[i].has_client = !r;
    }
  }
  /* The decoder builds its scanner tables lazily on first use, without a
   * lock; building them here, before any worker exists, keeps the workers
   * from racing on them. */
  if(!r) {
    struct sl_decoder_options dopt;
    memset(&dopt, 0, sizeof(dopt));
    dopt.on_record = on_dec_record;
    sl_decoder_free(sl_decoder_new(&dopt));
  }
  for(i = 0; !r && i < n; i++, started++)
    if(pthread_create(&w[i].th, NULL, worker_main, &w[i]))
      r = sl_error_set(err, SL_E_INTERNAL, NULL, "cannot start a worker thread");
  while(!r) {
    const struct sl_inspect_object *obj;
    struct job *j;
    r = sl_inspect_lister_next(l, &obj, err);
    if(r || !obj)
      break;
    if(!(j = job_new(obj)))
      r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
    else if(sl_inspect_order_put(e.q, j)) {
      job_free(NULL, j);
      break;
    }
  }
  /* A listing failure still lets the objects already queued finish. */
  sl_inspect_order_close(e.q);
  for(i = 0; i < started; i++)
    pthread_join(w[i].th, NULL);
  if(!r && e.failed)
    r = sl_error_set(err, e.failed, NULL, "stopped by the record handler");
  for(i = 0; i < n; i++) {
    if(w[i].has_client)
      sl_client_cleanup(&w[i].client);
    sl_buf_cleanup(&w[i].line);
  }
  sl_inspect_order_free(e.q);
  pthread_mutex_destroy(&e.errmu);
  free(w);
  return r;
}

void sl_inspect_run_options_init(struct sl_inspect_run_options *o)
{
  memset(o, 0, sizeof(*o));
}
