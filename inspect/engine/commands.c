/* commands.c — what `inspect ls`, `cat`, `errors` and `tail` do, over the
 * lister and the run engine: which records pass, how each becomes a line,
 * when to stop. Output and reports go to the caller's callbacks. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "commands_internal.h"
#include "sluice/s3.h"
#include "listing_internal.h"
#include "sluice/log.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---- the shared pass ---------------------------------------------------- */

/* '\n' bytes in p..n, 16 at a time where SSE2 is there (every x86-64). */
static uint64_t count_lines(const char *p, size_t n)
{
  uint64_t c = 0;
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n');
  for(; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
    c += (uint64_t)__builtin_popcount((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)));
  }
#endif
  for(; i < n; i++)
    c += p[i] == '\n';
  return c;
}

/* Lines are records: each ends in the only '\n' it has, so --limit can be
 * applied to the bytes in order, cutting after the limit-th line. */
static int pass_write(void *ud, const char *p, size_t n)
{
  struct sl_inspect_pass *ps = ud;
  const struct sl_inspect_command *cmd = ps->cmd;
  size_t cut = n;
  const char *q = p, *end = p + n;
  int stop = 0;
  uint64_t lines = count_lines(p, n);
  /* Counted in one pass; only the batch that reaches the limit is walked. */
  if(!cmd->limit || ps->sum->printed + lines < cmd->limit) {
    ps->sum->printed += lines;
    q = end;
  }
  while(q < end && (q = memchr(q, '\n', (size_t)(end - q)))) {
    q++;
    ps->sum->printed++;
    if(cmd->limit && ps->sum->printed >= cmd->limit) {
      cut = (size_t)(q - p);
      stop = 1;
      break;
    }
  }
  if(cut && cmd->out(cmd->ud, p, cut))
    return 1;
  if(stop)
    ps->sum->stopped = 1;
  return stop;
}

static int pass_object(void *ud, const struct sl_inspect_result *res)
{
  struct sl_inspect_pass *ps = ud;
  struct sl_inspect_summary *s = ps->sum;
  s->objects++;
  s->bytes += res->obj->size > 0 ? (uint64_t)res->obj->size : 0;
  s->records += res->records;
  s->data_errors += res->data_errors;
  s->failed_objects += res->fetch_failed ? 1 : 0;
  snprintf(s->last_key, sizeof(s->last_key), "%s", res->obj->key);
  return ps->on_object ? ps->on_object(ps->ud, res) : 0;
}

static int pass_record(void *ud, const struct sl_inspect_record *rec, struct sl_buf *out)
{
  struct sl_inspect_pass *ps = ud;
  return ps->on_record(ps->ud, rec, out);
}

static void pass_error(void *ud, const struct sl_inspect_object *obj, uint64_t offset,
                       const char *reason)
{
  struct sl_inspect_pass *ps = ud;
  if(ps->cmd->report)
    ps->cmd->report(ps->cmd->ud, obj->key, offset, reason);
}

enum sl_result sl_inspect_pass_run(struct sl_client *c, struct sl_inspect_pass *pass,
                                   const struct sl_inspect_source *src, struct sl_error *err)
{
  const struct sl_inspect_command *cmd = pass->cmd;
  struct sl_inspect_lister *l = NULL;
  struct sl_inspect_run_options o;
  enum sl_result r;
  sl_inspect_run_options_init(&o);
  o.concurrency = cmd->concurrency;
  o.object_buffer = cmd->object_buffer;
  o.format = cmd->format;
  o.on_record = pass_record;
  o.on_data_error = pass_error;
  o.on_object = pass_object;
  o.write = cmd->out ? pass_write : NULL;
  o.ud = pass;
  r = sl_inspect_lister_new(c, src, &l, err);
  if(!r && pass->skip)
    sl_inspect_lister_set_skip(l, pass->skip, pass->ud);
  if(!r)
    r = sl_inspect_run(c, l, &o, err);
  if(r == SL_E_AWS && src->bucket) {
    /* The listing is what failed: name it and where, keep code and id. */
    char msg[sizeof(err->message)];
    snprintf(msg, sizeof(msg), "ListObjectsV2 s3://%.63s/%.200s: %.700s", src->bucket,
             src->prefix ? src->prefix : "", err->message);
    memcpy(err->message, msg, sizeof(err->message));
    sl_s3_explain_denied(c, src->bucket, err);
  }
  if(l) {
    pass->sum->list_pages += sl_inspect_lister_pages(l);
    pass->sum->windowed = sl_inspect_lister_windowed(l);
  }
  sl_inspect_lister_free(l);
  return r;
}

/* ---- ls ----------------------------------------------------------------- */

/* Keys may hold any byte: control characters are shown as \xNN so one key
 * stays one line. */
static enum sl_result add_shown(struct sl_buf *b, const char *s)
{
  enum sl_result r = SL_OK;
  for(; !r && *s; s++) {
    unsigned char ch = (unsigned char)*s;
    r = ch < 0x20 || ch == 0x7f || ch == '\\' ? sl_buf_printf(b, "\\x%02x", ch)
                                               : sl_buf_addc(b, (char)ch);
  }
  return r;
}

enum sl_result sl_inspect_ls(struct sl_client *c, const struct sl_inspect_command *cmd,
                             struct sl_inspect_summary *sum, struct sl_error *err)
{
  struct sl_inspect_lister *l = NULL;
  struct sl_buf line;
  enum sl_result r = sl_buf_init(&line, SL_BUF_SMALL);
  if(!r)
    r = sl_inspect_lister_new(c, &cmd->src, &l, err);
  while(!r) {
    const struct sl_inspect_object *o;
    r = sl_inspect_lister_next(l, &o, err);
    if(r || !o)
      break;
    sl_buf_reset(&line);
    if(cmd->json) {
      r = sl_buf_adds(&line, "{\"key\":");
      if(!r) r = sl_json_append_string(&line, o->key, strlen(o->key));
      if(!r) r = sl_buf_printf(&line, ",\"size\":%lld,\"last_modified\":", o->size);
      if(!r) r = sl_json_append_string(&line, o->last_modified, strlen(o->last_modified));
      if(!r) r = sl_buf_adds(&line, "}\n");
    }
    else {
      r = sl_buf_printf(&line, "%-24s %12lld  ", o->last_modified, o->size);
      if(!r) r = add_shown(&line, o->key);
      if(!r) r = sl_buf_addc(&line, '\n');
    }
    sum->objects++;
    sum->bytes += o->size > 0 ? (uint64_t)o->size : 0;
    snprintf(sum->last_key, sizeof(sum->last_key), "%s", o->key);
    if(!r && cmd->out(cmd->ud, line.data, line.len))
      break;
    sum->printed++;
    if(cmd->limit && sum->printed >= cmd->limit) {
      sum->stopped = 1;
      break;
    }
  }
  if(l) {
    sum->list_pages += sl_inspect_lister_pages(l);
    sum->windowed = sl_inspect_lister_windowed(l);
  }
  sl_inspect_lister_free(l);
  sl_buf_cleanup(&line);
  return r;
}

/* ---- cat ---------------------------------------------------------------- */

static int cat_record(void *ud, const struct sl_inspect_record *rec, struct sl_buf *out)
{
  const struct sl_inspect_command *cmd = ud;
  if(cmd->filter && !sl_inspect_filter_match(cmd->filter, rec->data, rec->len, rec->kind))
    return 0;
  /* The line buffer is sized for the worst case, so this cannot run out. */
  return sl_inspect_format_record(out, cmd->with_key ? rec->obj->key : NULL, rec->offset,
                                  rec->data, rec->len, rec->kind) != SL_OK;
}

enum sl_result sl_inspect_cat(struct sl_client *c, const struct sl_inspect_command *cmd,
                              struct sl_inspect_summary *sum, struct sl_error *err)
{
  struct sl_inspect_pass pass;
  memset(&pass, 0, sizeof(pass));
  pass.cmd = cmd;
  pass.sum = sum;
  pass.on_record = cat_record;
  pass.ud = (void *)cmd;
  return sl_inspect_pass_run(c, &pass, &cmd->src, err);
}

/* ---- errors ------------------------------------------------------------- */

/* rawData as JSON when it is one JSON value, else as a string. */
static enum sl_result add_raw(struct sl_buf *out, const struct sl_buf *raw)
{
  struct json_tokener *tok = json_tokener_new_ex(SL_DECODER_DEFAULT_MAX_DEPTH);
  struct json_object *o = NULL;
  size_t n = raw->len;
  enum sl_result r;
  while(n && (raw->data[n - 1] == '\n' || raw->data[n - 1] == '\r' || raw->data[n - 1] == ' '))
    n--;
  if(tok && n && n <= (size_t)INT32_MAX && raw->data[0] != ' ')
    o = json_tokener_parse_ex(tok, raw->data, (int)n);
  if(o && json_tokener_get_error(tok) == json_tokener_success &&
     json_tokener_get_parse_end(tok) == n && memchr("{[\"", raw->data[0], 3))
    r = sl_json_compact(raw->data, n, out);
  else
    r = sl_json_append_string(out, raw->data, raw->len);
  json_object_put(o);
  if(tok)
    json_tokener_free(tok);
  return r;
}

static int errors_record(void *ud, const struct sl_inspect_record *rec, struct sl_buf *out)
{
  const struct sl_inspect_command *cmd = ud;
  struct sl_failed_record f;
  struct sl_error e;
  enum sl_result r;
  char why[1200];
  if(cmd->filter && cmd->raw && !sl_inspect_filter_match(cmd->filter, rec->data, rec->len,
                                                         rec->kind))
    return 0;
  sl_error_clear(&e);
  r = sl_failed_record_init(&f, SL_DECODER_DEFAULT_RECORD_MAX);
  if(!r)
    r = sl_failed_record_parse(&f, rec->data, rec->len, &e);
  if(r == SL_E_NOMEM) {
    sl_failed_record_cleanup(&f);
    return 1;
  }
  if(r) {
    snprintf(why, sizeof(why), "not a Firehose error record: %s", e.message);
    sl_inspect_record_error(rec, why);
    sl_failed_record_cleanup(&f);
    return 0;
  }
  /* --grep and --where look at the record that failed, as it was sent. */
  if(cmd->filter && !cmd->raw &&
     !sl_inspect_filter_match(cmd->filter, f.raw_data.data, f.raw_data.len, SL_RECORD_JSON)) {
    sl_failed_record_cleanup(&f);
    return 0;
  }
  r = sl_buf_adds(out, "{\"key\":");
  if(!r) r = sl_json_append_string(out, rec->obj->key, strlen(rec->obj->key));
  if(!r) r = sl_buf_printf(out, ",\"offset\":%" PRIu64 ",\"errorCode\":", rec->offset);
  if(!r) r = sl_json_append_string(out, f.error_code, strlen(f.error_code));
  if(!r) r = sl_buf_adds(out, ",\"errorMessage\":");
  if(!r) r = sl_json_append_string(out, f.error_message, strlen(f.error_message));
  if(!r) r = sl_buf_printf(out, ",\"attemptsMade\":%" PRId64 ",\"arrivalTimestamp\":%" PRId64
                           ",\"record\":", f.attempts_made, f.arrival_timestamp);
  if(!r) r = add_raw(out, &f.raw_data);
  if(!r) r = sl_buf_adds(out, "}\n");
  sl_failed_record_cleanup(&f);
  return r != SL_OK;
}

enum sl_result sl_inspect_errors(struct sl_client *c, const struct sl_inspect_command *cmd,
                                 struct sl_inspect_summary *sum, struct sl_error *err)
{
  struct sl_inspect_pass pass;
  struct sl_inspect_command ec = *cmd;
  memset(&pass, 0, sizeof(pass));
  /* Error output is always JSON lines. */
  ec.format = SL_DECODE_JSON;
  pass.cmd = &ec;
  pass.sum = sum;
  pass.on_record = errors_record;
  pass.ud = &ec;
  return sl_inspect_pass_run(c, &pass, &ec.src, err);
}

/* ---- tail --------------------------------------------------------------- */

static int64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
  struct timespec ts;
  if(ms <= 0)
    return;
  ts.tv_sec = (time_t)(ms / 1000);
  ts.tv_nsec = (long)(ms % 1000) * 1000000L;
  nanosleep(&ts, NULL);
}

/* Firehose keys in one hour prefix end in a random UUID, so an object
 * written later can sort before one already printed: each poll lists its
 * hour prefixes from the start and passes over the keys already read.
 * Those are remembered while their arrival time is inside the polled
 * window (the last TAIL_LATE_S seconds, how late Firehose may deliver). */
#define TAIL_LATE_S 3600
#define TAIL_MAX_SEEN 200000

struct seen_key {
  char *key;
  int64_t time;
};

struct tail {
  const struct sl_inspect_command *cmd;
  struct seen_key *seen;   /* sorted by key; only read while a poll runs */
  size_t nseen;
  struct seen_key *fresh;  /* read in the poll under way, merged after it */
  size_t nfresh, capfresh;
  int nomem;
};

static int seen_cmp(const void *a, const void *b)
{
  return strcmp(((const struct seen_key *)a)->key, ((const struct seen_key *)b)->key);
}

static int tail_skip(void *ud, const char *key)
{
  struct tail *t = ud;
  struct seen_key k;
  k.key = (char *)key;
  return t->nseen && bsearch(&k, t->seen, t->nseen, sizeof(k), seen_cmp) != NULL;
}

static int tail_record(void *ud, const struct sl_inspect_record *rec, struct sl_buf *out)
{
  struct tail *t = ud;
  return cat_record((void *)t->cmd, rec, out);
}

static enum sl_result tail_note(struct tail *t, const struct sl_inspect_object *o)
{
  struct seen_key *k;
  if(t->nfresh == t->capfresh) {
    size_t ncap = t->capfresh ? t->capfresh * 2 : 64;
    struct seen_key *v = realloc(t->fresh, ncap * sizeof(*v));
    if(!v)
      return SL_E_NOMEM;
    t->fresh = v;
    t->capfresh = ncap;
  }
  k = &t->fresh[t->nfresh];
  k->key = sl_strdup(o->key);
  k->time = o->time;
  if(!k->key)
    return SL_E_NOMEM;
  t->nfresh++;
  return SL_OK;
}

/* In key order, one at a time, while the lister reads t->seen: only
 * t->fresh is written here. */
static int tail_object(void *ud, const struct sl_inspect_result *res)
{
  struct tail *t = ud;
  if(tail_note(t, res->obj)) {
    t->nomem = 1;
    return 1;
  }
  return 0;
}

/* Between polls: adds the last poll's keys and forgets those that arrived
 * before since (the window's lister passes over them anyway). */
static enum sl_result seen_update(struct tail *t, int64_t since, struct sl_error *err)
{
  size_t i, n = 0, added = t->nfresh;
  if(added) {
    struct seen_key *v = realloc(t->seen, (t->nseen + added) * sizeof(*v));
    if(!v)
      return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
    memcpy(&v[t->nseen], t->fresh, added * sizeof(*v));
    t->seen = v;
    t->nseen += added;
    t->nfresh = 0;
  }
  for(i = 0; i < t->nseen; i++) {
    if(t->seen[i].time != SL_INSPECT_NO_TIME && t->seen[i].time < since)
      free(t->seen[i].key);
    else
      t->seen[n++] = t->seen[i];
  }
  t->nseen = n;
  /* Forgetting a key in the window would print its object again. */
  if(n > TAIL_MAX_SEEN)
    return sl_error_set(err, SL_E_TOO_LARGE, NULL, "more than %d objects in the last hour: "
                        "too many to follow", TAIL_MAX_SEEN);
  if(added && n)
    qsort(t->seen, n, sizeof(*t->seen), seen_cmp);
  return SL_OK;
}

static void tail_cleanup(struct tail *t)
{
  size_t i;
  for(i = 0; i < t->nseen; i++)
    free(t->seen[i].key);
  for(i = 0; i < t->nfresh; i++)
    free(t->fresh[i].key);
  free(t->seen);
  free(t->fresh);
}

/* What is present now is noted as read, not printed. *newest is the last
 * key, where a listing without hour prefixes goes on from. */
static enum sl_result tail_baseline(struct sl_client *c, const struct sl_inspect_source *src,
                                    struct tail *t, char *newest, size_t newlen, int *windowed,
                                    unsigned long *pages, struct sl_error *err)
{
  struct sl_inspect_lister *l = NULL;
  const struct sl_inspect_object *o;
  enum sl_result r = sl_inspect_lister_new(c, src, &l, err);
  while(!r && !(r = sl_inspect_lister_next(l, &o, err)) && o) {
    snprintf(newest, newlen, "%s", o->key);
    if(tail_note(t, o))
      r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  }
  if(l) {
    *pages += sl_inspect_lister_pages(l);
    *windowed = sl_inspect_lister_windowed(l);
  }
  sl_inspect_lister_free(l);
  return r;
}

enum sl_result sl_inspect_tail(struct sl_client *c, const struct sl_inspect_command *cmd,
                               struct sl_inspect_summary *sum, struct sl_error *err)
{
  struct sl_inspect_pass pass;
  struct sl_inspect_source src = cmd->src;
  struct tail t;
  char last[1100];
  int64_t start = now_ms(), interval = cmd->interval_ms > 0 ? cmd->interval_ms : 10000;
  int windowed = 0, polled = 0;
  enum sl_result r = SL_OK;
  memset(&t, 0, sizeof(t));
  t.cmd = cmd;
  memset(&pass, 0, sizeof(pass));
  pass.cmd = cmd;
  pass.sum = sum;
  pass.on_record = tail_record;
  pass.on_object = tail_object;
  pass.skip = tail_skip;
  pass.ud = &t;
  snprintf(last, sizeof(last), "%s", src.start_after ? src.start_after : "");
  /* Without --since, what is there already is skipped; the last hour is
   * searched (and then followed) for objects Firehose delivers late. */
  if(src.since == SL_INSPECT_NO_TIME) {
    src.since = (int64_t)time(NULL) - TAIL_LATE_S;
    r = tail_baseline(c, &src, &t, last, sizeof(last), &windowed, &sum->list_pages, err);
  }
  src.until = SL_INSPECT_NO_TIME;
  /* One last poll after the deadline's sleep, so nothing that arrived
   * before the deadline is missed. */
  while(!r) {
    int64_t left = interval, late = (int64_t)time(NULL) - TAIL_LATE_S;
    /* After the first poll only the late-delivery window is listed again. */
    if(polled && src.since < late)
      src.since = late;
    polled = 1;
    r = seen_update(&t, src.since, err);
    if(r)
      break;
    /* Without hour prefixes the whole prefix would be listed each time:
     * there, go on after the last key read (a key sorting before it is not
     * seen). */
    src.start_after = windowed ? cmd->src.start_after : last[0] ? last : NULL;
    r = sl_inspect_pass_run(c, &pass, &src, err);
    windowed = sum->windowed;
    if(!r && t.nomem)
      r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
    if(sum->last_key[0] && strcmp(sum->last_key, last) > 0)
      snprintf(last, sizeof(last), "%s", sum->last_key);
    if(r || sum->stopped)
      break;
    if(cmd->timeout_ms > 0) {
      left = start + cmd->timeout_ms - now_ms();
      if(left <= 0)
        break;
    }
    sleep_ms(left < interval ? left : interval);
  }
  tail_cleanup(&t);
  return r;
}
