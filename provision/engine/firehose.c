/* firehose.c — the Firehose delivery stream into S3: read its destination
 * back, diff it field by field, create it (retrying while a new IAM role
 * propagates), update it in place with UpdateDestination, or replace it
 * when the source cannot change in place; delete it and wait until gone. */
#include "firehose.h"
#include "prov_run.h"
#include "tags.h"
#include "sluice/log.h"
#include "sluice/streams.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

static struct json_object *get(struct json_object *o, const char *name)
{
  struct json_object *v = NULL;
  return o && json_object_object_get_ex(o, name, &v) ? v : NULL;
}

static void copy_str(struct json_object *o, const char *name, char *out, size_t outlen)
{
  struct json_object *v = get(o, name);
  snprintf(out, outlen, "%s", v && json_object_is_type(v, json_type_string) ?
                              json_object_get_string(v) : "");
}

static struct json_object *named(const char *name)
{
  struct json_object *in = json_object_new_object();
  json_object_object_add(in, "DeliveryStreamName", json_object_new_string(name));
  return in;
}

static void parse_destination(struct json_object *dest, struct sl_prov_firehose_state *s)
{
  struct json_object *ext = get(dest, "ExtendedS3DestinationDescription");
  struct json_object *hints, *logs, *kms;
  copy_str(dest, "DestinationId", s->destination_id, sizeof(s->destination_id));
  if(!ext)
    ext = get(dest, "S3DestinationDescription");
  copy_str(ext, "RoleARN", s->role_arn, sizeof(s->role_arn));
  copy_str(ext, "BucketARN", s->bucket_arn, sizeof(s->bucket_arn));
  copy_str(ext, "Prefix", s->prefix, sizeof(s->prefix));
  copy_str(ext, "ErrorOutputPrefix", s->error_prefix, sizeof(s->error_prefix));
  copy_str(ext, "CompressionFormat", s->compression, sizeof(s->compression));
  hints = get(ext, "BufferingHints");
  s->buffer_size_mb = json_object_get_int(get(hints, "SizeInMBs"));
  s->buffer_interval_s = json_object_get_int(get(hints, "IntervalInSeconds"));
  logs = get(ext, "CloudWatchLoggingOptions");
  s->logging = json_object_get_boolean(get(logs, "Enabled"));
  copy_str(logs, "LogGroupName", s->log_group, sizeof(s->log_group));
  copy_str(logs, "LogStreamName", s->log_stream, sizeof(s->log_stream));
  kms = get(get(ext, "EncryptionConfiguration"), "KMSEncryptionConfig");
  copy_str(kms, "AWSKMSKeyARN", s->kms_key_arn, sizeof(s->kms_key_arn));
}

enum sl_result sl_prov_firehose_read(struct sl_client *c, const struct sl_prov_desired *d,
                                     struct sl_prov_firehose_state *s, struct sl_error *err)
{
  struct json_object *in = named(d->p->firehose.name), *out = NULL, *desc, *fail, *dests;
  enum sl_result r = sl_firehose_call(c, "DescribeDeliveryStream", in, &out, err);
  json_object_put(in);
  sl_headers_cleanup(&s->tags);
  memset(s, 0, sizeof(*s));
  if(r == SL_E_NOT_FOUND) {
    sl_error_clear(err);
    return SL_OK;
  }
  desc = r ? NULL : get(out, "DeliveryStreamDescription");
  if(!r && !desc)
    r = sl_prov_fail(err, SL_E_PARSE, NULL, "DescribeDeliveryStream answer has no description");
  if(!r) {
    s->exists = 1;
    copy_str(desc, "DeliveryStreamARN", s->arn, sizeof(s->arn));
    copy_str(desc, "DeliveryStreamStatus", s->status, sizeof(s->status));
    copy_str(desc, "VersionId", s->version_id, sizeof(s->version_id));
    copy_str(desc, "DeliveryStreamType", s->type, sizeof(s->type));
    {
      struct json_object *ts = get(desc, "CreateTimestamp");
      s->created = ts ? (int64_t)json_object_get_double(ts) : INT64_MIN;
    }
    if((fail = get(desc, "FailureDescription"))) {
      char type[64], details[440];
      copy_str(fail, "Type", type, sizeof(type));
      copy_str(fail, "Details", details, sizeof(details));
      snprintf(s->failure, sizeof(s->failure), "%s: %s", type, details);
    }
    copy_str(get(get(desc, "Source"), "KinesisStreamSourceDescription"), "KinesisStreamARN",
             s->kinesis_arn, sizeof(s->kinesis_arn));
    dests = get(desc, "Destinations");
    if(dests && json_object_is_type(dests, json_type_array) && json_object_array_length(dests))
      parse_destination(json_object_array_get_idx(dests, 0), s);
  }
  json_object_put(out);
  if(!r) r = sl_prov_stream_tags_read(c, 0, d->p->firehose.name, &s->tags, err);
  if(r == SL_E_NOT_FOUND) { /* deleted since the describe */
    sl_error_clear(err);
    s->exists = 0;
    r = SL_OK;
  }
  return r;
}

/* ------------------------------------------------------------------ diff */

static const char *want_type(const struct sl_profile *p)
{
  return p->firehose.source == SL_SOURCE_KINESIS ? "KinesisStreamAsSource" : "DirectPut";
}

static void diff_str(struct sl_prov_item *it, const char *field, const char *have,
                     const char *want)
{
  if(strcmp(have, want))
    sl_prov_change(it, field, have[0] ? have : "none", want[0] ? want : "none");
}

static void diff_int(struct sl_prov_item *it, const char *field, int have, int want)
{
  char a[16], b[16];
  if(have == want)
    return;
  snprintf(a, sizeof(a), "%d", have);
  snprintf(b, sizeof(b), "%d", want);
  sl_prov_change(it, field, a, b);
}

void sl_prov_firehose_diff(const struct sl_prov_desired *d,
                           const struct sl_prov_firehose_state *s, struct sl_prov_item *it)
{
  const struct sl_profile *p = d->p;
  int replace;
  if(!s->exists || !strcmp(s->status, "DELETING")) {
    it->action = SL_PROV_CREATE;
    if(s->exists)
      snprintf(it->note, sizeof(it->note), "the stream is being deleted");
    return;
  }
  /* Neither the source type nor the source stream can change in place. */
  diff_str(it, "source", s->type, want_type(p));
  if(p->firehose.source == SL_SOURCE_KINESIS && !strcmp(s->type, want_type(p)))
    diff_str(it, "kinesis_stream", s->kinesis_arn, d->kinesis_arn);
  replace = it->nchanges > 0;
  if(replace)
    snprintf(it->note, sizeof(it->note), "the source cannot change in place");
  if(!strncmp(s->status, "CREATING_FAILED", 15)) {
    snprintf(it->note, sizeof(it->note), "%s%s%s", s->status, s->failure[0] ? ": " : "",
             s->failure);
    replace = 1;
  }
  diff_str(it, "role_arn", s->role_arn, d->role_arn);
  diff_str(it, "bucket_arn", s->bucket_arn, d->bucket_arn);
  diff_str(it, "prefix", s->prefix, p->firehose.prefix);
  diff_str(it, "error_prefix", s->error_prefix, p->firehose.error_prefix);
  diff_int(it, "buffer_size_mb", s->buffer_size_mb, p->firehose.buffer_size_mb);
  diff_int(it, "buffer_interval_s", s->buffer_interval_s, p->firehose.buffer_interval_s);
  diff_str(it, "compression", s->compression, p->firehose.compression);
  diff_str(it, "encryption", s->kms_key_arn, d->kms_key_arn);
  if(s->logging != p->firehose.cloudwatch_logging)
    sl_prov_change(it, "cloudwatch_logging", s->logging ? "true" : "false",
                   p->firehose.cloudwatch_logging ? "true" : "false");
  if(p->firehose.cloudwatch_logging) {
    diff_str(it, "log_group", s->log_group, p->firehose.log_group);
    diff_str(it, "log_stream", s->log_stream, p->firehose.log_stream);
  }
  sl_prov_tags_diff(it, &d->stream_tags, &s->tags);
  it->action = replace ? SL_PROV_REPLACE : it->nchanges ? SL_PROV_UPDATE : SL_PROV_OK;
  if(it->action == SL_PROV_OK && strcmp(s->status, "ACTIVE"))
    snprintf(it->note, sizeof(it->note), "status %s", s->status);
}

/* ------------------------------------------------------------------ requests */

static void add_str(struct json_object *o, const char *name, const char *v)
{
  json_object_object_add(o, name, json_object_new_string(v));
}

/* The S3 destination as the profile wants it; the same members serve
 * CreateDeliveryStream and UpdateDestination. */
static struct json_object *destination(const struct sl_prov *s)
{
  const struct sl_profile *p = s->want.p;
  struct json_object *d = json_object_new_object(), *hints = json_object_new_object();
  struct json_object *enc = json_object_new_object(), *logs = json_object_new_object();
  add_str(d, "RoleARN", s->have.role.exists ? s->have.role.arn : s->want.role_arn);
  add_str(d, "BucketARN", s->want.bucket_arn);
  add_str(d, "Prefix", p->firehose.prefix);
  add_str(d, "ErrorOutputPrefix", p->firehose.error_prefix);
  json_object_object_add(hints, "SizeInMBs", json_object_new_int(p->firehose.buffer_size_mb));
  json_object_object_add(hints, "IntervalInSeconds",
                         json_object_new_int(p->firehose.buffer_interval_s));
  json_object_object_add(d, "BufferingHints", hints);
  add_str(d, "CompressionFormat", p->firehose.compression);
  if(s->want.kms_key_arn[0]) {
    struct json_object *k = json_object_new_object();
    add_str(k, "AWSKMSKeyARN", s->want.kms_key_arn);
    json_object_object_add(enc, "KMSEncryptionConfig", k);
  }
  else
    add_str(enc, "NoEncryptionConfig", "NoEncryption");
  json_object_object_add(d, "EncryptionConfiguration", enc);
  json_object_object_add(logs, "Enabled", json_object_new_boolean(p->firehose.cloudwatch_logging));
  if(p->firehose.cloudwatch_logging) {
    add_str(logs, "LogGroupName", p->firehose.log_group);
    add_str(logs, "LogStreamName", p->firehose.log_stream);
  }
  json_object_object_add(d, "CloudWatchLoggingOptions", logs);
  return d;
}

static struct json_object *create_input(const struct sl_prov *s)
{
  const struct sl_profile *p = s->want.p;
  struct json_object *in = named(p->firehose.name);
  add_str(in, "DeliveryStreamType", want_type(p));
  if(p->firehose.source == SL_SOURCE_KINESIS) {
    struct json_object *src = json_object_new_object();
    add_str(src, "KinesisStreamARN", s->have.kinesis.exists ? s->have.kinesis.arn :
                                                               s->want.kinesis_arn);
    add_str(src, "RoleARN", s->have.role.exists ? s->have.role.arn : s->want.role_arn);
    json_object_object_add(in, "KinesisStreamSourceConfiguration", src);
  }
  json_object_object_add(in, "ExtendedS3DestinationConfiguration", destination(s));
  return in;
}

/* What Firehose answers while a new or changed role has not reached it yet. */
static int iam_not_ready(const struct sl_error *e)
{
  return !strcmp(e->code, "InvalidArgumentException") &&
         (strcasestr(e->message, "unable to assume role") ||
          strcasestr(e->message, "security token") ||
          strcasestr(e->message, "Verify that the IAM role has access"));
}

/* ------------------------------------------------------------------ waits */

/* Polls until ACTIVE (want_gone = 0) or gone (1); CREATING_FAILED fails
 * with the stream's own reason. */
static enum sl_result wait_for(struct sl_prov_run *run, int want_gone)
{
  struct sl_prov_firehose_state *have = &run->s->have.firehose;
  const char *name = run->s->want.p->firehose.name;
  double deadline = sl_prov_clock() + sl_prov_wait_limit(run);
  int n;
  for(n = 0;; n++) {
    enum sl_result r = sl_prov_firehose_read(run->c, &run->s->want, have, run->err);
    if(r)
      return r;
    if(want_gone ? !have->exists : !strcmp(have->status, "ACTIVE"))
      return SL_OK;
    if(!want_gone && !strncmp(have->status, "CREATING_FAILED", 15))
      return sl_prov_fail(run->err, SL_E_AWS, have->status, "delivery stream %s failed to "
                          "create: %s", name, have->failure[0] ? have->failure : "no reason given");
    if(!want_gone && !have->exists)
      return sl_prov_fail(run->err, SL_E_NOT_FOUND, "ResourceNotFoundException", "delivery "
                          "stream %s disappeared while waiting for it to become ACTIVE", name);
    if(sl_prov_clock() >= deadline)
      return sl_prov_fail(run->err, SL_E_TIMEOUT, NULL, "delivery stream %s still %s after %d s",
                          name, have->status, sl_prov_wait_limit(run));
    sl_prov_poll_sleep(n);
  }
}

/* ------------------------------------------------------------------ apply */

/* Runs op (CreateDeliveryStream / UpdateDestination) until it is accepted,
 * retrying only while the role is not yet assumable: create_attempts tries,
 * create_delay_s apart. Any other error fails at once. */
static enum sl_result call_retrying(struct sl_prov_run *run, const char *op,
                                    struct json_object *in)
{
  const struct sl_profile *p = run->s->want.p;
  enum sl_result r = SL_OK;
  int attempt;
  for(attempt = 1; attempt <= p->retry.create_attempts; attempt++) {
    r = sl_firehose_call(run->c, op, in, NULL, run->err);
    if(r != SL_E_AWS || !iam_not_ready(run->err) || attempt == p->retry.create_attempts)
      break;
    sl_log(SL_LOG_INFO, "%s %s: the role is not assumable yet (attempt %d of %d), retrying in "
           "%d s", op, p->firehose.name, attempt, p->retry.create_attempts,
           p->retry.create_delay_s);
    sl_sleep(p->retry.create_delay_s);
  }
  if(r == SL_E_AWS && iam_not_ready(run->err))
    run->err->attempts = p->retry.create_attempts;
  return r;
}

static enum sl_result create(struct sl_prov_run *run)
{
  struct json_object *in;
  enum sl_result r = SL_OK;
  if(run->s->have.firehose.exists)
    r = wait_for(run, 1);
  if(r)
    return r;
  in = create_input(run->s);
  r = call_retrying(run, "CreateDeliveryStream", in);
  json_object_put(in);
  if(!r)
    sl_prov_step(run, SL_PROV_FIREHOSE, "CreateDeliveryStream");
  else if(r == SL_E_AWS && !strcmp(run->err->code, "ResourceInUseException")) {
    /* Created meanwhile (an interrupted or concurrent apply): adopt it. */
    sl_error_clear(run->err);
    sl_prov_raced(run, SL_PROV_FIREHOSE);
    r = SL_OK;
  }
  if(!r) r = wait_for(run, 0);
  return r;
}

static enum sl_result delete_stream(struct sl_prov_run *run)
{
  struct sl_prov_firehose_state *have = &run->s->have.firehose;
  struct json_object *in;
  enum sl_result r = SL_OK;
  /* A stream in CREATING cannot be deleted yet. */
  if(!strcmp(have->status, "CREATING"))
    r = wait_for(run, 0);
  if(r == SL_E_AWS && !strncmp(have->status, "CREATING_FAILED", 15)) {
    sl_error_clear(run->err);
    r = SL_OK;
  }
  if(!r && have->exists && strcmp(have->status, "DELETING")) {
    in = named(run->s->want.p->firehose.name);
    r = sl_firehose_call(run->c, "DeleteDeliveryStream", in, NULL, run->err);
    json_object_put(in);
    if(!r)
      sl_prov_step(run, SL_PROV_FIREHOSE, "DeleteDeliveryStream");
    else if(r == SL_E_NOT_FOUND) {
      sl_error_clear(run->err);
      r = SL_OK;
    }
  }
  if(!r) r = wait_for(run, 1);
  return r;
}

#define UPDATE_ATTEMPTS 3

/* UpdateDestination names the stream version it was planned against. When
 * another writer changed the stream in between (ConcurrentModificationException),
 * the stream is read again and the profile's whole destination sent against
 * the new version: the update states every field, so the result is the same. */
static enum sl_result update(struct sl_prov_run *run)
{
  struct sl_prov_firehose_state *have = &run->s->have.firehose;
  struct json_object *in;
  enum sl_result r = SL_OK;
  int attempt;
  for(attempt = 1; !r && attempt <= UPDATE_ATTEMPTS; attempt++) {
    if(strcmp(have->status, "ACTIVE"))
      r = wait_for(run, 0);
    if(r)
      break;
    in = named(run->s->want.p->firehose.name);
    add_str(in, "CurrentDeliveryStreamVersionId", have->version_id);
    add_str(in, "DestinationId", have->destination_id);
    json_object_object_add(in, "ExtendedS3DestinationUpdate", destination(run->s));
    r = call_retrying(run, "UpdateDestination", in);
    json_object_put(in);
    if(r != SL_E_AWS || strcmp(run->err->code, "ConcurrentModificationException") ||
       attempt == UPDATE_ATTEMPTS)
      break;
    sl_log(SL_LOG_INFO, "UpdateDestination %s: the stream changed since it was read (version %s); "
           "reading it again (attempt %d of %d)", run->s->want.p->firehose.name, have->version_id,
           attempt, UPDATE_ATTEMPTS);
    sl_error_clear(run->err);
    r = sl_prov_firehose_read(run->c, &run->s->want, have, run->err);
  }
  if(r == SL_E_AWS && !strcmp(run->err->code, "ConcurrentModificationException"))
    run->err->attempts = UPDATE_ATTEMPTS;
  if(!r) {
    sl_prov_step(run, SL_PROV_FIREHOSE, "UpdateDestination");
    r = sl_prov_firehose_read(run->c, &run->s->want, have, run->err);
  }
  return r;
}

/* An update of the tags alone needs no UpdateDestination. */
static int destination_changes(const struct sl_prov_item *it)
{
  int i;
  for(i = 0; i < it->nchanges; i++)
    if(strcmp(it->changes[i].field, "tags"))
      return 1;
  return 0;
}

static enum sl_result converge(struct sl_prov_run *run)
{
  const struct sl_prov_item *it = &run->s->plan.item[SL_PROV_FIREHOSE];
  switch(it->action) {
  case SL_PROV_CREATE:
    return create(run);
  case SL_PROV_UPDATE:
    return destination_changes(it) ? update(run) : SL_OK;
  case SL_PROV_REPLACE: {
    enum sl_result r = delete_stream(run);
    return r ? r : create(run);
  }
  default:
    /* Nothing to change, but a stream still CREATING is waited for: after
     * apply the pipeline takes records. */
    return strcmp(run->s->have.firehose.status, "ACTIVE") ? wait_for(run, 0) : SL_OK;
  }
}

enum sl_result sl_prov_firehose_apply(struct sl_prov_run *run)
{
  enum sl_result r = converge(run);
  /* A stream created here is read back (with no tags yet) before this. */
  if(!r)
    r = sl_prov_stream_tags_apply(run, 0, run->s->want.p->firehose.name,
                                  &run->s->want.stream_tags, &run->s->have.firehose.tags);
  return r;
}

enum sl_result sl_prov_firehose_destroy(struct sl_prov_run *run)
{
  if(!run->s->have.firehose.exists)
    return SL_OK;
  return delete_stream(run);
}
