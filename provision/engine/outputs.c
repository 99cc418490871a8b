/* outputs.c — the names and ARNs of what a profile's pipeline is, read
 * live, as Terraform's outputs are: for scripts that need the bucket, the
 * role ARN or the stream ARN without parsing a report. */
#include "session.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "common/records/json_out.h"

static enum sl_result add(struct sl_headers *out, const char *name, const char *value)
{
  return sl_headers_add(out, name, value) ? SL_E_NOMEM : SL_OK;
}

enum sl_result sl_prov_outputs(const struct sl_prov *s, struct sl_headers *out,
                               struct sl_headers *missing)
{
  const struct sl_prov_state *h = &s->have;
  const struct sl_profile *p = s->profile;
  enum sl_result r;
  r = add(out, "region", s->want.region);
  if(!r) r = add(out, "account", s->want.account);
  if(!r && h->bucket.exists) {
    r = add(out, "bucket", p->bucket.name);
    if(!r) r = add(out, "bucket_arn", s->want.bucket_arn);
  }
  else if(!r) r = add(missing, "bucket", p->bucket.name);
  if(!r && h->role.exists) {
    r = add(out, "role", s->want.role_name);
    if(!r) r = add(out, "role_arn", h->role.arn);
  }
  else if(!r) r = add(missing, "role", s->want.role_name);
  if(!r && p->kinesis.enabled && h->kinesis.exists) {
    r = add(out, "kinesis_stream", p->kinesis.name);
    if(!r) r = add(out, "kinesis_stream_arn", h->kinesis.arn);
  }
  else if(!r && p->kinesis.enabled) r = add(missing, "kinesis", p->kinesis.name);
  if(!r && h->firehose.exists) {
    r = add(out, "firehose_stream", p->firehose.name);
    if(!r) r = add(out, "firehose_stream_arn", h->firehose.arn);
    /* Where it really delivers, which may differ from the profile. */
    if(!r) r = add(out, "s3_prefix", h->firehose.prefix);
    if(!r) r = add(out, "s3_error_prefix", h->firehose.error_prefix);
    if(!r && h->firehose.logging) {
      r = add(out, "log_group", h->firehose.log_group);
      if(!r && h->logs.exists && !strcmp(h->firehose.log_group, p->firehose.log_group))
        r = add(out, "log_group_arn", h->logs.arn);
      if(!r) r = add(out, "log_stream", h->firehose.log_stream);
    }
  }
  else if(!r) r = add(missing, "firehose", p->firehose.name);
  if(!r && p->firehose.cloudwatch_logging && !h->logs.exists)
    r = add(missing, "log_group", p->firehose.log_group);
  if(!r && p->athena.enabled && h->glue_database.exists)
    r = add(out, "glue_database", p->athena.database);
  else if(!r && p->athena.enabled)
    r = add(missing, "glue_database", p->athena.database);
  if(!r && p->athena.enabled && h->glue_table.exists)
    r = add(out, "glue_table", s->want.glue_table);
  else if(!r && p->athena.enabled)
    r = add(missing, "glue_table", s->want.glue_table);
  if(!r && p->athena.enabled)
    r = add(out, "athena_results", p->athena.results);
  return r;
}

enum sl_result sl_prov_outputs_json(const struct sl_prov *s, const struct sl_headers *outputs,
                                    const struct sl_headers *missing, struct sl_buf *out)
{
  struct json_object *o = sl_jout_document("output"), *v = json_object_new_object();
  struct json_object *m = json_object_new_array();
  size_t i;
  json_object_object_add(o, "profile", json_object_new_string(s->profile->path));
  for(i = 0; i < outputs->n; i++)
    json_object_object_add(v, outputs->v[i].name, json_object_new_string(outputs->v[i].value));
  json_object_object_add(o, "outputs", v);
  for(i = 0; i < missing->n; i++) {
    struct json_object *x = json_object_new_object();
    json_object_object_add(x, "type", json_object_new_string(missing->v[i].name));
    json_object_object_add(x, "name", json_object_new_string(missing->v[i].value));
    json_object_array_add(m, x);
  }
  json_object_object_add(o, "missing", m);
  return sl_jout_emit(o, out);
}
