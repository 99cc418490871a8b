/* kinesis.c — the optional Kinesis source stream: created in the profile's
 * capacity mode, waited on until ACTIVE, shard count and retention
 * reconciled in place; deleted and waited on until gone. */
#include "kinesis.h"
#include "prov_run.h"
#include "tags.h"
#include "sluice/streams.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#define MAX_RESHARD_STEPS 16

static const char *member_str(struct json_object *o, const char *name)
{
  struct json_object *v;
  return json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string) ?
         json_object_get_string(v) : "";
}

static int member_int(struct json_object *o, const char *name)
{
  struct json_object *v;
  return json_object_object_get_ex(o, name, &v) ? json_object_get_int(v) : 0;
}

static struct json_object *named(const char *name)
{
  struct json_object *in = json_object_new_object();
  json_object_object_add(in, "StreamName", json_object_new_string(name));
  return in;
}

enum sl_result sl_prov_kinesis_read(struct sl_client *c, const struct sl_prov_desired *d,
                                    struct sl_prov_kinesis_state *s, struct sl_error *err)
{
  struct json_object *in, *out = NULL, *sum, *mode;
  enum sl_result r;
  sl_headers_cleanup(&s->tags);
  memset(s, 0, sizeof(*s));
  if(!d->p->kinesis.enabled)
    return SL_OK;
  in = named(d->p->kinesis.name);
  r = sl_kinesis_call(c, "DescribeStreamSummary", in, &out, err);
  json_object_put(in);
  if(r == SL_E_NOT_FOUND) {
    sl_error_clear(err);
    return SL_OK;
  }
  if(!r && !json_object_object_get_ex(out, "StreamDescriptionSummary", &sum))
    r = sl_prov_fail(err, SL_E_PARSE, NULL, "DescribeStreamSummary answer has no summary");
  if(!r) {
    s->exists = 1;
    snprintf(s->arn, sizeof(s->arn), "%s", member_str(sum, "StreamARN"));
    snprintf(s->status, sizeof(s->status), "%s", member_str(sum, "StreamStatus"));
    s->on_demand = json_object_object_get_ex(sum, "StreamModeDetails", &mode) &&
                   !strcmp(member_str(mode, "StreamMode"), "ON_DEMAND");
    s->shards = member_int(sum, "OpenShardCount");
    s->retention_hours = member_int(sum, "RetentionPeriodHours");
  }
  json_object_put(out);
  if(!r) r = sl_prov_stream_tags_read(c, 1, d->p->kinesis.name, &s->tags, err);
  if(r == SL_E_NOT_FOUND) { /* deleted since the describe */
    sl_error_clear(err);
    s->exists = 0;
    r = SL_OK;
  }
  return r;
}

void sl_prov_kinesis_diff(const struct sl_prov_desired *d, const struct sl_prov_kinesis_state *s,
                          struct sl_prov_item *it)
{
  const struct sl_profile *p = d->p;
  char from[32], to[32];
  if(!p->kinesis.enabled)
    return;
  if(!s->exists || !strcmp(s->status, "DELETING")) {
    it->action = SL_PROV_CREATE;
    if(s->exists)
      snprintf(it->note, sizeof(it->note), "the stream is being deleted");
    return;
  }
  if(s->on_demand != p->kinesis.on_demand)
    sl_prov_change(it, "mode", s->on_demand ? "on_demand" : "provisioned",
                   p->kinesis.on_demand ? "on_demand" : "provisioned");
  if(!p->kinesis.on_demand && s->shards != p->kinesis.shards) {
    snprintf(from, sizeof(from), "%d", s->shards);
    snprintf(to, sizeof(to), "%d", p->kinesis.shards);
    sl_prov_change(it, "shards", from, to);
  }
  if(s->retention_hours != p->kinesis.retention_hours) {
    snprintf(from, sizeof(from), "%d", s->retention_hours);
    snprintf(to, sizeof(to), "%d", p->kinesis.retention_hours);
    sl_prov_change(it, "retention_hours", from, to);
  }
  sl_prov_tags_diff(it, &d->stream_tags, &s->tags);
  it->action = it->nchanges ? SL_PROV_UPDATE : SL_PROV_OK;
  if(strcmp(s->status, "ACTIVE"))
    snprintf(it->note, sizeof(it->note), "status %s", s->status);
}

/* Polls until the stream is ACTIVE (want_gone = 0) or gone (1). */
static enum sl_result wait_for(struct sl_prov_run *run, int want_gone)
{
  struct sl_prov_kinesis_state *have = &run->s->have.kinesis;
  const char *name = run->s->want.p->kinesis.name;
  double deadline = sl_prov_clock() + sl_prov_wait_limit(run);
  int n;
  for(n = 0;; n++) {
    enum sl_result r = sl_prov_kinesis_read(run->c, &run->s->want, have, run->err);
    if(r)
      return r;
    if(want_gone ? !have->exists : !strcmp(have->status, "ACTIVE"))
      return SL_OK;
    if(!want_gone && !have->exists)
      return sl_prov_fail(run->err, SL_E_NOT_FOUND, "ResourceNotFoundException",
                          "stream %s disappeared while waiting for it to become ACTIVE", name);
    if(sl_prov_clock() >= deadline)
      return sl_prov_fail(run->err, SL_E_TIMEOUT, NULL, "stream %s still %s after %d s", name,
                          have->status, sl_prov_wait_limit(run));
    sl_prov_poll_sleep(n);
  }
}

/* Calls op with in (consumed); a success is reported as a step, then the
 * stream is waited on until ACTIVE again. */
static enum sl_result call_and_wait(struct sl_prov_run *run, const char *op,
                                    struct json_object *in, const char *step)
{
  enum sl_result r = sl_kinesis_call(run->c, op, in, NULL, run->err);
  json_object_put(in);
  if(!r) {
    sl_prov_step(run, SL_PROV_KINESIS, step);
    r = wait_for(run, 0);
  }
  return r;
}

static enum sl_result create(struct sl_prov_run *run)
{
  const struct sl_profile *p = run->s->want.p;
  struct json_object *in = named(p->kinesis.name);
  enum sl_result r = SL_OK;
  if(run->s->have.kinesis.exists)
    r = wait_for(run, 1);
  if(p->kinesis.on_demand) {
    struct json_object *mode = json_object_new_object();
    json_object_object_add(mode, "StreamMode", json_object_new_string("ON_DEMAND"));
    json_object_object_add(in, "StreamModeDetails", mode);
  }
  else
    json_object_object_add(in, "ShardCount", json_object_new_int(p->kinesis.shards));
  if(!r) r = sl_kinesis_call(run->c, "CreateStream", in, NULL, run->err);
  json_object_put(in);
  if(!r)
    sl_prov_step(run, SL_PROV_KINESIS, "CreateStream");
  else if(r == SL_E_AWS && !strcmp(run->err->code, "ResourceInUseException")) {
    /* Created meanwhile (a concurrent or interrupted apply): adopt it. */
    sl_error_clear(run->err);
    sl_prov_raced(run, SL_PROV_KINESIS);
    r = SL_OK;
  }
  if(!r) r = wait_for(run, 0);
  return r;
}

/* UNIFORM_SCALING may at most double or halve the open shards per call. */
static int next_shards(int current, int target)
{
  if(target > 2 * current)
    return 2 * current;
  if(2 * target < current)
    return (current + 1) / 2;
  return target;
}

static enum sl_result reconcile(struct sl_prov_run *run)
{
  const struct sl_profile *p = run->s->want.p;
  struct sl_prov_kinesis_state *have = &run->s->have.kinesis;
  enum sl_result r = SL_OK;
  int i;
  char step[96];
  if(have->on_demand != p->kinesis.on_demand) {
    struct json_object *in = json_object_new_object(), *mode = json_object_new_object();
    json_object_object_add(in, "StreamARN", json_object_new_string(have->arn));
    json_object_object_add(mode, "StreamMode",
                           json_object_new_string(p->kinesis.on_demand ? "ON_DEMAND" :
                                                  "PROVISIONED"));
    json_object_object_add(in, "StreamModeDetails", mode);
    r = call_and_wait(run, "UpdateStreamMode", in, "UpdateStreamMode");
  }
  for(i = 0; !r && !p->kinesis.on_demand && have->shards != p->kinesis.shards; i++) {
    struct json_object *in = named(p->kinesis.name);
    int n = next_shards(have->shards, p->kinesis.shards);
    if(i == MAX_RESHARD_STEPS || have->shards < 1)
      return sl_prov_fail(run->err, SL_E_INTERNAL, NULL, "resharding %s did not converge",
                          p->kinesis.name);
    json_object_object_add(in, "TargetShardCount", json_object_new_int(n));
    json_object_object_add(in, "ScalingType", json_object_new_string("UNIFORM_SCALING"));
    snprintf(step, sizeof(step), "UpdateShardCount %d -> %d", have->shards, n);
    r = call_and_wait(run, "UpdateShardCount", in, step);
  }
  if(!r && have->retention_hours != p->kinesis.retention_hours) {
    struct json_object *in = named(p->kinesis.name);
    const char *op = p->kinesis.retention_hours > have->retention_hours ?
                     "IncreaseStreamRetentionPeriod" : "DecreaseStreamRetentionPeriod";
    json_object_object_add(in, "RetentionPeriodHours",
                           json_object_new_int(p->kinesis.retention_hours));
    r = call_and_wait(run, op, in, op);
  }
  return r;
}

enum sl_result sl_prov_kinesis_apply(struct sl_prov_run *run)
{
  struct sl_prov_item *it = &run->s->plan.item[SL_PROV_KINESIS];
  enum sl_result r = SL_OK;
  if(!run->s->want.p->kinesis.enabled)
    return SL_OK;
  if(it->action == SL_PROV_CREATE)
    r = create(run);
  /* Updates need ACTIVE; Firehose needs it too before it reads from it. */
  else if(strcmp(run->s->have.kinesis.status, "ACTIVE"))
    r = wait_for(run, 0);
  if(!r) r = reconcile(run);
  if(!r)
    r = sl_prov_stream_tags_apply(run, 1, run->s->want.p->kinesis.name,
                                  &run->s->want.stream_tags, &run->s->have.kinesis.tags);
  return r;
}

enum sl_result sl_prov_kinesis_destroy(struct sl_prov_run *run)
{
  struct sl_prov_kinesis_state *have = &run->s->have.kinesis;
  struct json_object *in;
  enum sl_result r = SL_OK;
  if(!run->s->want.p->kinesis.enabled || !have->exists)
    return SL_OK;
  /* A stream in CREATING cannot be deleted yet. */
  if(!strcmp(have->status, "CREATING"))
    r = wait_for(run, 0);
  if(!r && have->exists && strcmp(have->status, "DELETING")) {
    in = named(run->s->want.p->kinesis.name);
    r = sl_kinesis_call(run->c, "DeleteStream", in, NULL, run->err);
    json_object_put(in);
    if(!r)
      sl_prov_step(run, SL_PROV_KINESIS, "DeleteStream");
    else if(r == SL_E_NOT_FOUND) {
      sl_error_clear(run->err);
      r = SL_OK;
    }
  }
  if(!r) r = wait_for(run, 1);
  return r;
}
