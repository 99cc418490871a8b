/* logs.c — the CloudWatch log group a Firehose stream with
 * cloudwatch_logging reports its delivery errors to, and its one log
 * stream: created with the profile's retention and tags, both reconciled in
 * place, the stream re-created when missing; deleted (with its streams) by
 * destroy. Firehose does not create either itself: without them its error
 * logs go nowhere. */
#include "logs.h"
#include "prov_run.h"
#include "tags.h"
#include "sluice/streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#define MAX_PAGES 100

static const char *member_str(struct json_object *o, const char *name)
{
  struct json_object *v;
  return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string) ?
         json_object_get_string(v) : "";
}

static struct json_object *group_request(const char *group)
{
  struct json_object *in = json_object_new_object();
  json_object_object_add(in, "logGroupName", json_object_new_string(group));
  return in;
}

/* The Describe calls match by prefix: page through them for the exact name.
 * base (the other members) is reused for every page. */
static enum sl_result find(struct sl_client *c, const char *op, struct json_object *base,
                           const char *prefix_member, const char *list, const char *name_member,
                           const char *name, struct json_object **found, struct sl_error *err)
{
  char token[2048] = "";
  enum sl_result r = SL_OK;
  int pages = 0;
  *found = NULL;
  do {
    struct json_object *in = json_object_get(base), *out = NULL, *items;
    size_t i;
    json_object_object_add(in, prefix_member, json_object_new_string(name));
    if(token[0])
      json_object_object_add(in, "nextToken", json_object_new_string(token));
    else
      json_object_object_del(in, "nextToken");
    r = sl_logs_call(c, op, in, &out, err);
    json_object_put(in);
    token[0] = 0;
    if(!r && json_object_object_get_ex(out, list, &items) &&
       json_object_is_type(items, json_type_array))
      for(i = 0; i < json_object_array_length(items) && !*found; i++) {
        struct json_object *g = json_object_array_get_idx(items, i);
        if(!strcmp(member_str(g, name_member), name))
          *found = json_object_get(g);
      }
    if(!r && !*found)
      snprintf(token, sizeof(token), "%s", member_str(out, "nextToken"));
    json_object_put(out);
  } while(!r && !*found && token[0] && ++pages < MAX_PAGES);
  return r;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The tags come as a JSON map, in no order: kept sorted by key, so what
 * plan and status show does not change from one read to the next. */
static enum sl_result read_tags(struct sl_client *c, const char *arn, struct sl_headers *out,
                                struct sl_error *err)
{
  struct json_object *in = json_object_new_object(), *ans = NULL, *tags;
  enum sl_result r;
  json_object_object_add(in, "resourceArn", json_object_new_string(arn));
  r = sl_logs_call(c, "ListTagsForResource", in, &ans, err);
  json_object_put(in);
  if(!r && json_object_object_get_ex(ans, "tags", &tags) &&
     json_object_is_type(tags, json_type_object)) {
    const char *keys[64];
    size_t n = 0, i;
    json_object_object_foreach(tags, k, v) {
      (void)v;
      if(n < sizeof(keys) / sizeof(keys[0]))
        keys[n++] = k;
    }
    qsort(keys, n, sizeof(keys[0]), by_name);
    for(i = 0; !r && i < n; i++) {
      struct json_object *v;
      json_object_object_get_ex(tags, keys[i], &v);
      if(sl_headers_add(out, keys[i], json_object_get_string(v)))
        r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
    }
  }
  json_object_put(ans);
  return r;
}

enum sl_result sl_prov_logs_read(struct sl_client *c, const struct sl_prov_desired *d,
                                 struct sl_prov_logs_state *s, struct sl_error *err)
{
  const struct sl_profile *p = d->p;
  struct json_object *base, *g = NULL, *st = NULL, *v;
  enum sl_result r;
  sl_headers_cleanup(&s->tags);
  memset(s, 0, sizeof(*s));
  if(!p->firehose.cloudwatch_logging)
    return SL_OK;
  base = json_object_new_object();
  r = find(c, "DescribeLogGroups", base, "logGroupNamePrefix", "logGroups", "logGroupName",
           p->firehose.log_group, &g, err);
  json_object_put(base);
  if(r || !g)
    return r;
  s->exists = 1;
  snprintf(s->arn, sizeof(s->arn), "%s", member_str(g, "logGroupArn"));
  if(!s->arn[0]) { /* older answers: only "arn", which ends in ":*" */
    size_t n;
    snprintf(s->arn, sizeof(s->arn), "%s", member_str(g, "arn"));
    n = strlen(s->arn);
    if(n > 2 && !strcmp(s->arn + n - 2, ":*"))
      s->arn[n - 2] = 0;
  }
  if(!s->arn[0])
    snprintf(s->arn, sizeof(s->arn), "%s", d->log_group_arn);
  s->retention_days = json_object_object_get_ex(g, "retentionInDays", &v) ?
                      json_object_get_int(v) : 0;
  json_object_put(g);
  base = group_request(p->firehose.log_group);
  r = find(c, "DescribeLogStreams", base, "logStreamNamePrefix", "logStreams", "logStreamName",
           p->firehose.log_stream, &st, err);
  json_object_put(base);
  s->stream_exists = st != NULL;
  json_object_put(st);
  if(!r) r = read_tags(c, s->arn, &s->tags, err);
  if(r == SL_E_NOT_FOUND) { /* deleted since the describe */
    sl_error_clear(err);
    sl_headers_cleanup(&s->tags);
    memset(s, 0, sizeof(*s));
    r = SL_OK;
  }
  return r;
}

static void days_word(int days, char *out, size_t n)
{
  if(days)
    snprintf(out, n, "%d", days);
  else
    snprintf(out, n, "never expire");
}

void sl_prov_logs_diff(const struct sl_prov_desired *d, const struct sl_prov_logs_state *s,
                       struct sl_prov_item *it)
{
  const struct sl_profile *p = d->p;
  char from[32], to[32];
  if(!p->firehose.cloudwatch_logging)
    return;
  if(!s->exists) {
    it->action = SL_PROV_CREATE;
    return;
  }
  if(s->retention_days != p->firehose.log_retention_days) {
    days_word(s->retention_days, from, sizeof(from));
    days_word(p->firehose.log_retention_days, to, sizeof(to));
    sl_prov_change(it, "retention_days", from, to);
  }
  if(!s->stream_exists)
    sl_prov_change(it, "log_stream", "missing", p->firehose.log_stream);
  sl_prov_tags_diff(it, &d->stream_tags, &s->tags);
  it->action = it->nchanges ? SL_PROV_UPDATE : SL_PROV_OK;
}

/* One call on the log group; a success is a step. in is consumed. */
static enum sl_result call(struct sl_prov_run *run, const char *op, struct json_object *in)
{
  enum sl_result r = sl_logs_call(run->c, op, in, NULL, run->err);
  json_object_put(in);
  if(!r)
    sl_prov_step(run, SL_PROV_LOGS, op);
  return r;
}

static struct json_object *tag_map(const struct sl_headers *h)
{
  struct json_object *m = json_object_new_object();
  size_t i;
  for(i = 0; i < h->n; i++)
    json_object_object_add(m, h->v[i].name, json_object_new_string(h->v[i].value));
  return m;
}

/* TagResource and UntagResource take up to 50 tags or keys, as many as a
 * log group may have: one call each. */
static enum sl_result tag_calls(struct sl_prov_run *run, const void *ud,
                                const struct sl_headers *set, const struct sl_headers *remove)
{
  const char *arn = ud;
  enum sl_result r = SL_OK;
  size_t i;
  if(set->n) {
    struct json_object *in = json_object_new_object();
    json_object_object_add(in, "resourceArn", json_object_new_string(arn));
    json_object_object_add(in, "tags", tag_map(set));
    r = call(run, "TagResource", in);
  }
  if(!r && remove->n) {
    struct json_object *in = json_object_new_object(), *keys = json_object_new_array();
    json_object_object_add(in, "resourceArn", json_object_new_string(arn));
    for(i = 0; i < remove->n; i++)
      json_object_array_add(keys, json_object_new_string(remove->v[i].name));
    json_object_object_add(in, "tagKeys", keys);
    r = call(run, "UntagResource", in);
  }
  return r;
}

static enum sl_result create(struct sl_prov_run *run)
{
  const struct sl_prov_desired *d = &run->s->want;
  struct json_object *in = group_request(d->p->firehose.log_group);
  enum sl_result r;
  if(d->stream_tags.n)
    json_object_object_add(in, "tags", tag_map(&d->stream_tags));
  r = call(run, "CreateLogGroup", in);
  if(r == SL_E_AWS && !strcmp(run->err->code, "ResourceAlreadyExistsException")) {
    /* Created meanwhile (a concurrent or interrupted apply): adopt it. */
    sl_error_clear(run->err);
    sl_prov_raced(run, SL_PROV_LOGS);
    r = SL_OK;
  }
  /* What it is now decides what is left to do (the race's winner may have
   * set it up already). */
  if(!r) r = sl_prov_logs_read(run->c, d, &run->s->have.logs, run->err);
  if(!r && !run->s->have.logs.exists)
    r = sl_prov_fail(run->err, SL_E_NOT_FOUND, "ResourceNotFoundException",
                     "log group %s disappeared right after it was created",
                     d->p->firehose.log_group);
  return r;
}

enum sl_result sl_prov_logs_apply(struct sl_prov_run *run)
{
  const struct sl_profile *p = run->s->want.p;
  struct sl_prov_logs_state *have = &run->s->have.logs;
  enum sl_result r = SL_OK;
  if(!p->firehose.cloudwatch_logging)
    return SL_OK;
  if(run->s->plan.item[SL_PROV_LOGS].action == SL_PROV_CREATE)
    r = create(run);
  if(!r && have->retention_days != p->firehose.log_retention_days) {
    struct json_object *in = group_request(p->firehose.log_group);
    if(p->firehose.log_retention_days) {
      json_object_object_add(in, "retentionInDays",
                             json_object_new_int(p->firehose.log_retention_days));
      r = call(run, "PutRetentionPolicy", in);
    }
    else
      r = call(run, "DeleteRetentionPolicy", in);
    if(!r)
      have->retention_days = p->firehose.log_retention_days;
  }
  if(!r && !have->stream_exists) {
    struct json_object *in = group_request(p->firehose.log_group);
    json_object_object_add(in, "logStreamName", json_object_new_string(p->firehose.log_stream));
    r = call(run, "CreateLogStream", in);
    if(r == SL_E_AWS && !strcmp(run->err->code, "ResourceAlreadyExistsException")) {
      sl_error_clear(run->err);
      r = SL_OK;
    }
    if(!r)
      have->stream_exists = 1;
  }
  if(!r) r = sl_prov_tags_converge(run, &run->s->want.stream_tags, &have->tags, tag_calls,
                                    have->arn);
  return r;
}

enum sl_result sl_prov_logs_destroy(struct sl_prov_run *run)
{
  enum sl_result r;
  if(!run->s->want.p->firehose.cloudwatch_logging || !run->s->have.logs.exists)
    return SL_OK;
  /* The group's streams and events go with it. */
  r = call(run, "DeleteLogGroup", group_request(run->s->want.p->firehose.log_group));
  if(r == SL_E_NOT_FOUND) {
    sl_error_clear(run->err);
    r = SL_OK;
  }
  if(!r)
    run->s->have.logs.exists = 0;
  return r;
}
