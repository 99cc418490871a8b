/* stats.c — `inspect stats`: objects, bytes, records, parse errors, records
 * per arrival hour and the first/last arrival, from one pass over the
 * objects (the arrival time is the one in the key, else LastModified).
 * With --where/--grep the record counts and the arrival range are those of
 * the matching records; objects, bytes and parse errors cover all data. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sluice/buf.h"
#include "common/records/json_out.h"
#include "commands_internal.h"

void sl_inspect_stats_cleanup(struct sl_inspect_stats *st)
{
  free(st->hours);
  st->hours = NULL;
  st->nhours = 0;
}

static int64_t hour_of(int64_t t)
{
  return t == SL_INSPECT_NO_TIME ? t : t - ((t % 3600) + 3600) % 3600;
}

struct stats_run {
  struct sl_inspect_stats *st;
  const struct sl_inspect_filter *filter; /* NULL: every record counts */
};

/* Called in key order, one at a time. Every object read gets its hour row,
 * even with no matching record, so the rows add up to the objects. */
static int stats_object(void *ud, const struct sl_inspect_result *res)
{
  struct stats_run *sr = ud;
  struct sl_inspect_stats *st = sr->st;
  int64_t t = res->obj->time, h = hour_of(t);
  size_t lo = 0, hi = st->nhours;
  uint64_t n = sr->filter ? res->selected : res->records;
  st->records += n;
  /* Without a filter an empty object still counts as an arrival. */
  if(t != SL_INSPECT_NO_TIME && (!sr->filter || n)) {
    if(st->first == SL_INSPECT_NO_TIME || t < st->first)
      st->first = t;
    if(st->last == SL_INSPECT_NO_TIME || t > st->last)
      st->last = t;
  }
  while(lo < hi) {
    size_t mid = (lo + hi) / 2;
    if(st->hours[mid].hour < h)
      lo = mid + 1;
    else
      hi = mid;
  }
  if(lo == st->nhours || st->hours[lo].hour != h) {
    struct sl_inspect_hour *v = realloc(st->hours, (st->nhours + 1) * sizeof(*v));
    if(!v)
      return 1;
    st->hours = v;
    memmove(&v[lo + 1], &v[lo], (st->nhours - lo) * sizeof(*v));
    v[lo].hour = h;
    v[lo].records = 0;
    v[lo].objects = 0;
    st->nhours++;
  }
  st->hours[lo].records += n;
  st->hours[lo].objects++;
  return 0;
}

/* Worker threads: only marks the record; the object's count reaches
 * stats_object through its result. */
static int stats_record(void *ud, const struct sl_inspect_record *rec, struct sl_buf *out)
{
  struct stats_run *sr = ud;
  (void)out;
  if(sr->filter && sl_inspect_filter_match(sr->filter, rec->data, rec->len, rec->kind))
    sl_inspect_record_select(rec);
  return 0;
}

enum sl_result sl_inspect_stats(struct sl_client *c, const struct sl_inspect_command *cmd,
                                struct sl_inspect_stats *st, struct sl_error *err)
{
  struct sl_inspect_pass pass;
  struct sl_inspect_command sc = *cmd;
  struct stats_run sr;
  enum sl_result r;
  size_t i;
  uint64_t counted = 0;
  memset(st, 0, sizeof(*st));
  st->first = st->last = SL_INSPECT_NO_TIME;
  sc.out = NULL;
  memset(&pass, 0, sizeof(pass));
  pass.cmd = &sc;
  pass.sum = &st->sum;
  pass.on_record = stats_record;
  pass.on_object = stats_object;
  sr.st = st;
  sr.filter = cmd->filter;
  pass.ud = &sr;
  r = sl_inspect_pass_run(c, &pass, &sc.src, err);
  /* stats_object stops the run only when it could not grow its table. */
  for(i = 0; i < st->nhours; i++)
    counted += st->hours[i].objects;
  if(!r && counted != st->sum.objects)
    r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  return r;
}

static enum sl_result add_time(struct sl_buf *out, int64_t t)
{
  char s[40];
  if(t == SL_INSPECT_NO_TIME)
    return sl_buf_adds(out, "-");
  sl_inspect_format_time(t, s, sizeof(s));
  return sl_buf_adds(out, s);
}

static struct json_object *json_time(int64_t t)
{
  char s[40];
  if(t == SL_INSPECT_NO_TIME)
    return NULL;
  sl_inspect_format_time(t, s, sizeof(s));
  return json_object_new_string(s);
}

/* "2024-05-01T10" for the hour starting at h. */
static void hour_label(int64_t h, char *out, size_t outlen)
{
  char s[40];
  if(h == SL_INSPECT_NO_TIME) {
    snprintf(out, outlen, "unknown");
    return;
  }
  sl_inspect_format_time(h, s, sizeof(s));
  snprintf(out, outlen, "%.13s", s);
}

static enum sl_result render_json(const struct sl_inspect_stats *st, struct sl_buf *out)
{
  const struct sl_inspect_summary *s = &st->sum;
  struct json_object *o = sl_jout_document("stats"), *hours = json_object_new_object();
  size_t i;
  char label[32];
  json_object_object_add(o, "objects", json_object_new_int64((int64_t)s->objects));
  json_object_object_add(o, "bytes", json_object_new_int64((int64_t)s->bytes));
  json_object_object_add(o, "records", json_object_new_int64((int64_t)st->records));
  json_object_object_add(o, "parse_errors", json_object_new_int64((int64_t)s->data_errors));
  json_object_object_add(o, "unreadable_objects", json_object_new_int64((int64_t)s->failed_objects));
  json_object_object_add(o, "first_arrival", json_time(st->first));
  json_object_object_add(o, "last_arrival", json_time(st->last));
  for(i = 0; i < st->nhours; i++) {
    hour_label(st->hours[i].hour, label, sizeof(label));
    json_object_object_add(hours, label, json_object_new_int64((int64_t)st->hours[i].records));
  }
  json_object_object_add(o, "records_per_hour", hours);
  return sl_jout_emit(o, out);
}

enum sl_result sl_inspect_stats_render(const struct sl_inspect_stats *st, int json,
                                       struct sl_buf *out)
{
  const struct sl_inspect_summary *s = &st->sum;
  enum sl_result r;
  size_t i;
  char label[32], size[32];
  if(json)
    return render_json(st, out);
  sl_format_bytes(s->bytes, size, sizeof(size));
  r = sl_buf_printf(out, "objects: %" PRIu64 "\nbytes: %" PRIu64 " (%s)\nrecords: %" PRIu64
                    "\nparse errors: %" PRIu64 "\nunreadable objects: %" PRIu64
                    "\nfirst arrival: ", s->objects, s->bytes, size, st->records,
                    s->data_errors, s->failed_objects);
  if(!r) r = add_time(out, st->first);
  if(!r) r = sl_buf_adds(out, "\nlast arrival: ");
  if(!r) r = add_time(out, st->last);
  if(!r) r = sl_buf_adds(out, "\nrecords per hour:\n");
  for(i = 0; !r && i < st->nhours; i++) {
    hour_label(st->hours[i].hour, label, sizeof(label));
    r = sl_buf_printf(out, "  %-13s  %" PRIu64 "\n", label, st->hours[i].records);
  }
  return r;
}

enum sl_result sl_inspect_error_json(const char *command, const char *target,
                                     const struct sl_error *err, struct sl_buf *out)
{
  struct json_object *o = sl_jout_document(command);
  json_object_object_add(o, "profile", sl_jout_opt(target));
  json_object_object_add(o, "error", sl_jout_error(NULL, err));
  return sl_jout_emit(o, out);
}
