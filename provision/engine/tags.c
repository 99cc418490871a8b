/* tags.c — tag sets compared and converged the same way for the bucket,
 * the role and the streams: the profile's set ([aws] default_tags, and for
 * the bucket its own [bucket] tags over them) is the whole set. */
#include "tags.h"
#include "prov_run.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "sluice/streams.h"

/* Not sl_headers_get: it ignores case, tag keys do not. */
static const char *value_of(const struct sl_headers *t, const char *key)
{
  size_t i;
  for(i = 0; i < t->n; i++)
    if(!strcmp(t->v[i].name, key))
      return t->v[i].value;
  return NULL;
}

int sl_prov_tags_equal(const struct sl_headers *want, const struct sl_headers *have)
{
  size_t i;
  if(want->n != have->n)
    return 0;
  for(i = 0; i < want->n; i++) {
    const char *v = value_of(have, want->v[i].name);
    if(!v || strcmp(v, want->v[i].value))
      return 0;
  }
  return 1;
}

void sl_prov_tag_words(const struct sl_headers *t, char *out, size_t n)
{
  size_t i, len = 0;
  out[0] = 0;
  if(!t->n)
    snprintf(out, n, "none");
  for(i = 0; i < t->n && len < n; i++)
    len += (size_t)snprintf(out + len, n - len, "%s%s=%s", i ? ", " : "", t->v[i].name,
                            t->v[i].value);
}

void sl_prov_tags_diff(struct sl_prov_item *it, const struct sl_headers *want,
                       const struct sl_headers *have)
{
  char from[200], to[200];
  if(sl_prov_tags_equal(want, have))
    return;
  sl_prov_tag_words(have, from, sizeof(from));
  sl_prov_tag_words(want, to, sizeof(to));
  sl_prov_change(it, "tags", from, to);
}

enum sl_result sl_prov_tags_delta(const struct sl_headers *want, const struct sl_headers *have,
                                  struct sl_headers *set, struct sl_headers *remove)
{
  size_t i;
  for(i = 0; i < want->n; i++) {
    const char *v = value_of(have, want->v[i].name);
    if((!v || strcmp(v, want->v[i].value)) &&
       sl_headers_add(set, want->v[i].name, want->v[i].value))
      return SL_E_NOMEM;
  }
  for(i = 0; i < have->n; i++)
    if(!value_of(want, have->v[i].name) && sl_headers_add(remove, have->v[i].name, ""))
      return SL_E_NOMEM;
  return SL_OK;
}

enum sl_result sl_prov_tags_merge(struct sl_headers *want, const struct sl_headers *defaults,
                                  const struct sl_headers *own)
{
  size_t i;
  for(i = 0; i < defaults->n; i++)
    if((!own || !value_of(own, defaults->v[i].name)) &&
       sl_headers_add(want, defaults->v[i].name, defaults->v[i].value))
      return SL_E_NOMEM;
  for(i = 0; own && i < own->n; i++)
    if(sl_headers_add(want, own->v[i].name, own->v[i].value))
      return SL_E_NOMEM;
  return SL_OK;
}

/* ------------------------------------------------------------------ streams */

/* The stream's name member of a request: Firehose's or Kinesis's. */
static struct json_object *request(int kinesis, const char *stream)
{
  struct json_object *in = json_object_new_object();
  json_object_object_add(in, kinesis ? "StreamName" : "DeliveryStreamName",
                         json_object_new_string(stream));
  return in;
}

static enum sl_result call(struct sl_client *c, int kinesis, const char *op,
                           struct json_object *in, struct json_object **out,
                           struct sl_error *err)
{
  return kinesis ? sl_kinesis_call(c, op, in, out, err) : sl_firehose_call(c, op, in, out, err);
}

enum sl_result sl_prov_stream_tags_read(struct sl_client *c, int kinesis, const char *stream,
                                        struct sl_headers *out, struct sl_error *err)
{
  char start[129] = "";
  enum sl_result r = SL_OK;
  int more = 1, pages = 0;
  while(!r && more && pages++ < 100) {
    struct json_object *in = request(kinesis, stream), *ans = NULL, *tags, *x;
    size_t i;
    if(start[0])
      json_object_object_add(in, "ExclusiveStartTagKey", json_object_new_string(start));
    r = call(c, kinesis, kinesis ? "ListTagsForStream" : "ListTagsForDeliveryStream", in, &ans,
             err);
    json_object_put(in);
    more = 0;
    if(!r && json_object_object_get_ex(ans, "Tags", &tags) &&
       json_object_is_type(tags, json_type_array))
      for(i = 0; !r && i < json_object_array_length(tags); i++) {
        struct json_object *t = json_object_array_get_idx(tags, i), *k, *v;
        if(!json_object_object_get_ex(t, "Key", &k))
          continue;
        snprintf(start, sizeof(start), "%s", json_object_get_string(k));
        if(sl_headers_add(out, start, json_object_object_get_ex(t, "Value", &v) ?
                                      json_object_get_string(v) : ""))
          r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
      }
    if(!r && json_object_object_get_ex(ans, "HasMoreTags", &x))
      more = json_object_get_boolean(x) && start[0];
    json_object_put(ans);
  }
  return r;
}

/* Kinesis takes at most 10 tags or keys per call, Firehose 50. */
static enum sl_result tag_calls(struct sl_prov_run *run, int kinesis, const char *stream,
                                const struct sl_headers *h, int removing)
{
  size_t i = 0, per = kinesis ? 10 : 50;
  enum sl_result r = SL_OK;
  const char *op = removing ? (kinesis ? "RemoveTagsFromStream" : "UntagDeliveryStream") :
                              (kinesis ? "AddTagsToStream" : "TagDeliveryStream");
  while(!r && i < h->n) {
    struct json_object *in = request(kinesis, stream), *list;
    size_t j;
    list = removing || !kinesis ? json_object_new_array() : json_object_new_object();
    for(j = 0; j < per && i < h->n; j++, i++)
      if(removing)
        json_object_array_add(list, json_object_new_string(h->v[i].name));
      else if(kinesis)
        json_object_object_add(list, h->v[i].name, json_object_new_string(h->v[i].value));
      else {
        struct json_object *t = json_object_new_object();
        json_object_object_add(t, "Key", json_object_new_string(h->v[i].name));
        json_object_object_add(t, "Value", json_object_new_string(h->v[i].value));
        json_object_array_add(list, t);
      }
    json_object_object_add(in, removing ? "TagKeys" : "Tags", list);
    r = call(run->c, kinesis, op, in, NULL, run->err);
    json_object_put(in);
    if(!r)
      sl_prov_step(run, kinesis ? SL_PROV_KINESIS : SL_PROV_FIREHOSE, op);
  }
  return r;
}

enum sl_result sl_prov_tags_converge(struct sl_prov_run *run, const struct sl_headers *want,
                                     struct sl_headers *have, sl_prov_tag_calls calls,
                                     const void *ud)
{
  struct sl_headers set, remove;
  enum sl_result r = SL_OK;
  if(sl_prov_tags_equal(want, have))
    return SL_OK;
  sl_headers_init(&set);
  sl_headers_init(&remove);
  if(sl_prov_tags_delta(want, have, &set, &remove))
    r = sl_prov_fail(run->err, SL_E_NOMEM, NULL, "out of memory");
  if(!r) r = calls(run, ud, &set, &remove);
  if(!r) {
    sl_headers_cleanup(have);
    if(sl_prov_tags_merge(have, want, NULL))
      r = sl_prov_fail(run->err, SL_E_NOMEM, NULL, "out of memory");
  }
  sl_headers_cleanup(&set);
  sl_headers_cleanup(&remove);
  return r;
}

struct stream_ref {
  int kinesis;
  const char *stream;
};

static enum sl_result stream_calls(struct sl_prov_run *run, const void *ud,
                                   const struct sl_headers *set, const struct sl_headers *remove)
{
  const struct stream_ref *s = ud;
  enum sl_result r = tag_calls(run, s->kinesis, s->stream, set, 0);
  if(!r) r = tag_calls(run, s->kinesis, s->stream, remove, 1);
  return r;
}

enum sl_result sl_prov_stream_tags_apply(struct sl_prov_run *run, int kinesis, const char *stream,
                                         const struct sl_headers *want, struct sl_headers *have)
{
  struct stream_ref s = { kinesis, stream };
  return sl_prov_tags_converge(run, want, have, stream_calls, &s);
}
