/* smoke.c — `provision smoke` as a library call: check the pipeline is up,
 * send canary records, then poll S3 with the inspect engine's lister (only
 * the hour prefixes since the run began) and decode each new object once,
 * counting this run's canaries under the delivery prefix and, inside the
 * error records' rawData, under the error prefix. Optionally deletes the
 * objects that hold nothing but this run's canaries. */
#include "sluice/decode.h"
#include "sluice/inspect.h"
#include "sluice/log.h"
#include "sluice/provision.h"
#include "sluice/s3.h"
#include "sluice/send.h"
#include "sluice/smoke.h"
#include "smoke_seen.h"
#include "sluice/streams.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>


#define SEND_ROUNDS 10           /* put rounds for entries that failed (send: 10 attempts) */
#define RAW_MAX (1024u * 1024u)  /* an error record's rawData: a canary is ~120 bytes */

/* One object being decoded. */
struct scan {
  struct sl_smoke_result *res;
  size_t obj;                    /* index in res->objects once it holds a canary */
  int error_output;
  long canaries, other;
  char error_code[64];
  const struct sl_inspect_object *o;
  int64_t landed_ms;
  struct sl_failed_record f;
  struct sl_decoder *d;
};

/* ------------------------------------------------------------------ results */

void sl_smoke_result_init(struct sl_smoke_result *r)
{
  memset(r, 0, sizeof(*r));
}

void sl_smoke_result_cleanup(struct sl_smoke_result *r)
{
  size_t i;
  for(i = 0; i < r->nobjects; i++)
    free(r->objects[i].key);
  free(r->objects);
  free(r->canary);
  sl_smoke_result_init(r);
}

/* An error of smoke's own: cleared first, so it carries no HTTP status or
 * request id left over from an earlier call. */
static enum sl_result smoke_fail(struct sl_error *e, enum sl_result r, const char *code,
                                 const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 4, 5)))
#endif
  ;
static enum sl_result smoke_fail(struct sl_error *e, enum sl_result r, const char *code,
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

static double mono_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ ready? */

static enum sl_result not_ready(const struct sl_prov *s, struct sl_smoke_result *res,
                                enum sl_prov_kind k, struct sl_error *err,
                                const char *what)
{
  snprintf(res->where, sizeof(res->where), "%s %.200s", sl_prov_kind_name(k),
           sl_prov_get_plan(s)->item[k].name);
  return smoke_fail(err, SL_E_INVALID, "NotReady", "%s", what);
}

/* Where the canaries will land is where the stream delivers, which a hand
 * edit or a half-applied change may have moved away from the profile: that
 * is watched, and the difference said (plan shows it as drift). */
static void delivery_from_stream(const struct sl_profile *p, const struct sl_prov_firehose_state *h,
                                 struct sl_smoke_result *res)
{
  const char *b = strstr(h->bucket_arn, ":::");
  size_t n = 0;
  snprintf(res->bucket, sizeof(res->bucket), "%s", b ? b + 3 : p->bucket.name);
  snprintf(res->prefix, sizeof(res->prefix), "%s", h->prefix);
  snprintf(res->error_prefix, sizeof(res->error_prefix), "%s", h->error_prefix);
  res->delivery_note[0] = '\0';
#define NOTE(...) n += (size_t)snprintf(res->delivery_note + n, n < sizeof(res->delivery_note) ? \
                                        sizeof(res->delivery_note) - n : 0, __VA_ARGS__)
  if(strcmp(res->bucket, p->bucket.name))
    NOTE("%sbucket %s (profile: %s)", n ? ", " : "", res->bucket, p->bucket.name);
  if(strcmp(res->prefix, p->firehose.prefix))
    NOTE("%sprefix '%s' (profile: '%s')", n ? ", " : "", res->prefix, p->firehose.prefix);
  if(strcmp(res->error_prefix, p->firehose.error_prefix))
    NOTE("%serror prefix '%s' (profile: '%s')", n ? ", " : "", res->error_prefix,
         p->firehose.error_prefix);
  if(strcasecmp(h->compression, p->firehose.compression))
    NOTE("%scompression %s (profile: %s)", n ? ", " : "", h->compression, p->firehose.compression);
#undef NOTE
}

/* Every resource exists and takes data; where the canaries go and where
 * they land come from what Firehose has, not from the profile. */
static enum sl_result check_ready(struct sl_prov *s, struct sl_smoke_result *res,
                                  struct sl_error *err)
{
  const struct sl_prov_state *h = sl_prov_get_state(s);
  char msg[700];
  enum sl_result r = sl_prov_plan(s, err);
  if(r)
    return r;
  if(!h->bucket.exists || h->bucket.head_status != 200)
    return not_ready(s, res, SL_PROV_BUCKET, err, "does not exist (run provision apply)");
  if(!h->role.exists)
    return not_ready(s, res, SL_PROV_ROLE, err, "does not exist (run provision apply)");
  if(!h->firehose.exists)
    return not_ready(s, res, SL_PROV_FIREHOSE, err, "does not exist (run provision apply)");
  if(strcmp(h->firehose.status, "ACTIVE")) {
    snprintf(msg, sizeof(msg), "is %s, not ACTIVE%s%s", h->firehose.status,
             h->firehose.failure[0] ? ": " : "", h->firehose.failure);
    return not_ready(s, res, SL_PROV_FIREHOSE, err, msg);
  }
  res->kinesis = !strcmp(h->firehose.type, "KinesisStreamAsSource");
  if(res->kinesis) {
    const char *slash = strrchr(h->firehose.kinesis_arn, '/');
    snprintf(res->stream, sizeof(res->stream), "%.128s",
             slash ? slash + 1 : h->firehose.kinesis_arn);
    if(sl_prov_get_profile(s)->kinesis.enabled && !h->kinesis.exists)
      return not_ready(s, res, SL_PROV_KINESIS, err, "does not exist (run provision apply)");
    if(sl_prov_get_profile(s)->kinesis.enabled && strcmp(h->kinesis.status, "ACTIVE") &&
       strcmp(h->kinesis.status, "UPDATING")) {
      snprintf(msg, sizeof(msg), "is %s, not ACTIVE", h->kinesis.status);
      return not_ready(s, res, SL_PROV_KINESIS, err, msg);
    }
  }
  else
    snprintf(res->stream, sizeof(res->stream), "%s", sl_prov_get_profile(s)->firehose.name);
  delivery_from_stream(sl_prov_get_profile(s), &h->firehose, res);
  return SL_OK;
}

/* ------------------------------------------------------------------ send */

static enum sl_result send_canaries(struct sl_prov *s, struct sl_smoke_result *res,
                                    struct sl_error *err)
{
  struct sl_record *recs = calloc((size_t)res->count, sizeof(*recs));
  struct sl_record_result *out = calloc((size_t)res->count, sizeof(*out));
  struct sl_buf *data = calloc((size_t)res->count, sizeof(*data));
  int *idx = calloc((size_t)res->count, sizeof(int));
  enum sl_result r = recs && out && data && idx ? SL_OK : SL_E_NOMEM;
  int i, round, n;
  size_t failed;
  for(i = 0; !r && i < res->count; i++)
    r = sl_buf_init(&data[i], 512);
  /* Only the entries that failed go again; each is rebuilt with the time
   * of the request that carries it. */
  for(round = 0; !r && round < SEND_ROUNDS && res->sent < res->count; round++) {
    int64_t now;
    if(round)
      sl_sleep(round < 5 ? 0.1 * (1 << round) : 2.0);
    now = wall_ms();
    for(i = 0, n = 0; !r && i < res->count; i++) {
      if(res->canary[i].accepted)
        continue;
      sl_buf_reset(&data[i]);
      r = sl_smoke_canary_record(res->run_id, i + 1, now, &data[i]);
      res->canary[i].sent_ms = now;
      recs[n].data = data[i].data;
      recs[n].len = data[i].len;
      recs[n].partition_key = res->run_id;
      recs[n].explicit_hash_key = NULL;
      idx[n++] = i;
    }
    if(r)
      break;
    r = res->kinesis ? sl_kinesis_put_batch(sl_prov_get_client(s), res->stream, recs, (size_t)n, out,
                                            &failed, err)
                     : sl_firehose_put_batch(sl_prov_get_client(s), res->stream, recs, (size_t)n, out,
                                             &failed, err);
    for(i = 0; !r && i < n; i++)
      if(out[i].ok) {
        res->canary[idx[i]].accepted = 1;
        res->sent++;
      }
      else
        sl_log(SL_LOG_WARN, "canary %d refused: %s: %s", idx[i] + 1, out[i].error_code,
               out[i].error_message);
  }
  if(r == SL_E_NOMEM)
    smoke_fail(err, r, NULL, "out of memory");
  else if(r)
    snprintf(res->where, sizeof(res->where), "%s %s", res->kinesis ? "kinesis" : "firehose",
             res->stream);
  for(i = 0; data && i < res->count; i++)
    sl_buf_cleanup(&data[i]);
  free(data);
  free(recs);
  free(out);
  free(idx);
  return r;
}

/* ------------------------------------------------------------------ one object */

/* When the object landed, in ms: LastModified (with its fraction when S3
 * gives one), else the time in its name. The name's time is when Firehose
 * received the oldest record, so it says little about delivery. */
static int64_t landed_ms(const struct sl_inspect_object *o)
{
  int64_t t;
  const char *dot;
  if(o->last_modified && o->last_modified[0] &&
     !sl_inspect_parse_time(o->last_modified, 0, &t)) {
    int ms = 0, k;
    dot = strchr(o->last_modified, '.');
    for(k = 0; dot && k < 3 && dot[k + 1] >= '0' && dot[k + 1] <= '9'; k++)
      ms = ms * 10 + (dot[k + 1] - '0');
    for(; dot && k < 3; k++)
      ms *= 10;
    return t * 1000 + ms;
  }
  return o->time != SL_INSPECT_NO_TIME ? o->time * 1000 : SL_INSPECT_NO_TIME;
}

/* The object's entry in the result, made when its first canary is seen. */
static int object_entry(struct scan *sc)
{
  struct sl_smoke_result *res = sc->res;
  struct sl_smoke_object *v, *e;
  if(sc->obj != (size_t)-1)
    return 0;
  v = realloc(res->objects, (res->nobjects + 1) * sizeof(*v));
  if(!v)
    return -1;
  res->objects = v;
  e = &v[res->nobjects];
  memset(e, 0, sizeof(*e));
  if(!(e->key = sl_strdup(sc->o->key)))
    return -1;
  e->error_output = sc->error_output;
  e->time = sc->landed_ms != SL_INSPECT_NO_TIME ? sc->landed_ms / 1000 : SL_INSPECT_NO_TIME;
  sc->obj = res->nobjects++;
  return 0;
}

static void count_canary(struct scan *sc, int seq, const char *code)
{
  struct sl_smoke_canary *c = &sc->res->canary[seq - 1];
  sc->canaries++;
  if(sc->error_output) {
    if(!c->errors++)
      snprintf(c->error_code, sizeof(c->error_code), "%s", code);
    if(!sc->error_code[0])
      snprintf(sc->error_code, sizeof(sc->error_code), "%s", code);
    return;
  }
  if(c->found++)
    return;
  c->object = sc->obj;
  if(sc->landed_ms != SL_INSPECT_NO_TIME) {
    /* The object times have a resolution of a second at best. */
    double l = (double)(sc->landed_ms - c->sent_ms) / 1000.0;
    c->latency_s = l > 0 ? l : 0;
  }
}

static int on_record(void *ud, const char *p, size_t n, uint64_t offset, int kind)
{
  struct scan *sc = ud;
  struct sl_smoke_result *res = sc->res;
  int seq = 0;
  (void)offset;
  if(kind != SL_RECORD_JSON) {
    sc->other++;
    return 0;
  }
  if(!sc->error_output)
    seq = sl_smoke_canary_seq(p, n, res->run_id, res->count);
  else if(!sl_failed_record_parse(&sc->f, p, n, NULL))
    seq = sl_smoke_canary_seq(sc->f.raw_data.data, sc->f.raw_data.len, res->run_id, res->count);
  if(!seq) {
    sc->other++;
    return 0;
  }
  if(object_entry(sc))
    return 1;
  count_canary(sc, seq, sc->error_output ? sc->f.error_code : "");
  return 0;
}

static void on_bad(void *ud, uint64_t offset, const char *reason)
{
  struct scan *sc = ud;
  (void)offset;
  (void)reason;
  sc->other++; /* bad data is not ours to delete */
}

static int on_body(void *ud, const char *p, size_t n)
{
  struct scan *sc = ud;
  sl_decoder_feed(sc->d, p, n);
  return 0;
}

static enum sl_result read_object(struct sl_prov *s, struct sl_smoke_result *res,
                                  const struct sl_inspect_object *o, int error_output,
                                  struct sl_error *err)
{
  struct sl_decoder_options dopt;
  struct sl_s3_get g;
  struct scan sc;
  enum sl_result r;
  memset(&sc, 0, sizeof(sc));
  sc.res = res;
  sc.obj = (size_t)-1;
  sc.error_output = error_output;
  sc.o = o;
  sc.landed_ms = landed_ms(o);
  sl_decoder_options_init(&dopt);
  dopt.format = error_output ? SL_DECODE_JSON : SL_DECODE_AUTO;
  dopt.on_record = on_record;
  dopt.on_error = on_bad;
  dopt.userdata = &sc;
  memset(&g, 0, sizeof(g));
  g.on_body = on_body;
  g.ud = &sc;
  r = sl_failed_record_init(&sc.f, RAW_MAX);
  if(!r && !(sc.d = sl_decoder_new(&dopt)))
    r = SL_E_NOMEM;
  if(!r)
    r = sl_s3_get_object(sl_prov_get_client(s), res->bucket, o->key, &g, err);
  if(!r && sl_decoder_finish(sc.d) == SL_E_NOMEM)
    r = SL_E_NOMEM;
  if(!r && sl_decoder_stats(sc.d)->compression == SL_COMPRESSION_UNSUPPORTED)
    sc.other++;
  if(r == SL_E_NOMEM)
    smoke_fail(err, r, NULL, "out of memory");
  if(!r && sc.obj != (size_t)-1) {
    struct sl_smoke_object *e = &res->objects[sc.obj];
    e->canaries = sc.canaries;
    e->other = sc.other;
    snprintf(e->error_code, sizeof(e->error_code), "%s", sc.error_code);
  }
  if(!r)
    res->objects_read++;
  sl_decoder_free(sc.d);
  sl_failed_record_cleanup(&sc.f);
  return r;
}

/* ------------------------------------------------------------------ polling */

/* Lists one prefix over the window and reads every object not read yet. */
static enum sl_result poll_prefix(struct sl_prov *s, struct sl_smoke_result *res,
                                  struct smoke_seen *seen, const char *prefix, int error_output,
                                  int64_t since, struct sl_error *err)
{
  struct sl_inspect_source src;
  struct sl_inspect_lister *l = NULL;
  const struct sl_inspect_object *o;
  enum sl_result r;
  memset(&src, 0, sizeof(src));
  src.bucket = res->bucket;
  src.prefix = prefix;
  src.since = since;
  src.until = (int64_t)time(NULL) + SL_SMOKE_SKEW_S;
  r = sl_inspect_lister_new(sl_prov_get_client(s), &src, &l, err);
  while(!r && !(r = sl_inspect_lister_next(l, &o, err)) && o) {
    int found;
    size_t pos = sl_smoke_seen_pos(seen, o->key, &found);
    if(found)
      continue;
    r = read_object(s, res, o, error_output, err);
    if(r == SL_E_NOT_FOUND || (r == SL_E_AWS && !strcmp(err->code, "NoSuchKey")))
      r = SL_OK; /* deleted since it was listed: nothing to count */
    if(!r)
      r = sl_smoke_seen_add(seen, pos, o->key, err);
  }
  if(l)
    res->list_pages += sl_inspect_lister_pages(l);
  sl_inspect_lister_free(l);
  return r;
}

static int all_accounted(const struct sl_smoke_result *res)
{
  int i;
  for(i = 0; i < res->count; i++)
    if(res->canary[i].accepted && !res->canary[i].found && !res->canary[i].errors)
      return 0;
  return 1;
}

static int cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void tally(struct sl_smoke_result *res)
{
  double *lat = calloc((size_t)res->count, sizeof(double));
  int i, n = 0;
  res->found = res->missing = res->duplicated = res->in_error = 0;
  for(i = 0; i < res->count; i++) {
    const struct sl_smoke_canary *c = &res->canary[i];
    res->found += c->found > 0;
    res->duplicated += c->found > 1;
    res->in_error += c->errors > 0;
    res->missing += c->accepted && !c->found && !c->errors;
    if(lat && c->found && c->latency_s >= 0)
      lat[n++] = c->latency_s;
  }
  res->have_latency = n > 0;
  if(n) {
    qsort(lat, (size_t)n, sizeof(double), cmp_double);
    res->latency_min = lat[0];
    res->latency_max = lat[n - 1];
    res->latency_median = n % 2 ? lat[n / 2] : (lat[n / 2 - 1] + lat[n / 2]) / 2;
  }
  free(lat);
  res->passed = res->sent == res->count && res->found == res->count && !res->duplicated &&
                !res->in_error && !res->missing;
}

static void progress(const struct sl_smoke_options *o, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 2, 3)))
#endif
  ;
static void progress(const struct sl_smoke_options *o, const char *fmt, ...)
{
  char line[1400];
  va_list ap;
  if(!o->on_progress)
    return;
  va_start(ap, fmt);
  vsnprintf(line, sizeof(line), fmt, ap);
  va_end(ap);
  o->on_progress(o->ud, line);
}

/* Polls the prefixes until every accepted canary is seen or the time is
 * up; one last poll is made at the deadline. Each role keeps its own set
 * of keys read, so prefixes that overlap still read each object as both. */
static enum sl_result wait_for_canaries(struct sl_prov *s, const struct sl_smoke_options *o,
                                        struct sl_smoke_result *res, int64_t since,
                                        struct sl_error *err)
{
  struct smoke_seen seen[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
  double start = mono_s(), deadline = start + (double)res->timeout_ms / 1000.0;
  double poll = (o->poll_ms > 0 ? o->poll_ms : SL_SMOKE_DEFAULT_POLL_MS) / 1000.0;
  enum sl_result r = SL_OK;
  /* Without an error prefix Firehose writes under "<error-output-type>/"
   * and the hour layout; these are the types an S3 destination can have
   * (s3-failed: the bundled emulator's delivery failures). */
  const char *eprefix[3] = { res->error_prefix, NULL, NULL };
  int i;
  if(!res->error_prefix[0]) {
    eprefix[0] = "processing-failed/";
    eprefix[1] = "s3-failed/";
  }
  while(!r && res->sent) {
    double left;
    r = poll_prefix(s, res, &seen[0], res->prefix, 0, since, err);
    for(i = 0; !r && eprefix[i]; i++)
      r = poll_prefix(s, res, &seen[1], eprefix[i], 1, since, err);
    if(r || all_accounted(res))
      break;
    left = deadline - mono_s();
    if(left <= 0) {
      res->timed_out = 1;
      break;
    }
    sl_sleep(left < poll ? left : poll);
  }
  sl_smoke_seen_cleanup(&seen[0]);
  sl_smoke_seen_cleanup(&seen[1]);
  return r;
}

/* Deletes the objects whose every record is a canary of this run. */
static enum sl_result cleanup(struct sl_prov *s, struct sl_smoke_result *res,
                              struct sl_error *err)
{
  size_t i;
  for(i = 0; i < res->nobjects; i++) {
    struct sl_smoke_object *e = &res->objects[i];
    struct sl_error derr;
    if(e->other || !e->canaries) {
      res->kept++;
      continue;
    }
    sl_error_clear(&derr);
    if(sl_s3_delete_object(sl_prov_get_client(s), res->bucket, e->key, &derr)) {
      char line[1400];
      sl_error_format(&derr, line, sizeof(line));
      sl_log(SL_LOG_WARN, "cannot delete %s: %s", e->key, line);
      res->remove_failed++;
      continue;
    }
    e->removed = 1;
    res->removed++;
  }
  (void)err;
  return SL_OK;
}

enum sl_result sl_smoke_run(struct sl_prov *s, const struct sl_smoke_options *o,
                            struct sl_smoke_result *res, struct sl_error *err)
{
  double t0;
  int64_t since;
  int i;
  enum sl_result r = SL_OK;
  sl_smoke_result_init(res);
  res->count = o->count > 0 ? o->count : SL_SMOKE_DEFAULT_COUNT;
  if(res->count > SL_SMOKE_MAX_COUNT)
    return smoke_fail(err, SL_E_INVALID, NULL, "at most %d canaries", SL_SMOKE_MAX_COUNT);
  if(!(res->canary = calloc((size_t)res->count, sizeof(*res->canary))))
    return smoke_fail(err, SL_E_NOMEM, NULL, "out of memory");
  for(i = 0; i < res->count; i++) {
    res->canary[i].object = (size_t)-1;
    res->canary[i].latency_s = -1;
  }
  if(sl_uuid4(res->run_id))
    return smoke_fail(err, SL_E_INTERNAL, NULL, "getrandom failed");
  r = check_ready(s, res, err);
  if(r)
    return r;
  res->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms :
                    (sl_prov_get_state(s)->firehose.buffer_interval_s + SL_SMOKE_EXTRA_TIMEOUT_S) * 1000L;
  /* A server clock a little behind ours must not hide the first hour. */
  since = wall_ms() / 1000 - SL_SMOKE_SKEW_S;
  t0 = mono_s();
  r = send_canaries(s, res, err);
  if(!r) {
    progress(o, "sent %ld of %d canaries to %s %s (run id %s); waiting up to %.0f s for "
             "s3://%s/%s", res->sent, res->count, res->kinesis ? "kinesis" : "firehose",
             res->stream, res->run_id, (double)res->timeout_ms / 1000.0, res->bucket,
             res->prefix);
    r = wait_for_canaries(s, o, res, since, err);
    /* A refused listing or read of the bucket says why, when its policy can. */
    if(r == SL_E_AWS)
      sl_s3_explain_denied(sl_prov_get_client(s), res->bucket, err);
  }
  res->elapsed_s = mono_s() - t0;
  tally(res);
  if(!r && o->cleanup)
    r = cleanup(s, res, err);
  return r;
}

void sl_smoke_options_init(struct sl_smoke_options *o)
{
  memset(o, 0, sizeof(*o));
}
