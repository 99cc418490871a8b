/* athena.c — the Glue Data Catalog and Athena over JSON 1.1. */
#include "sluice/athena.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#define GLUE_PREFIX "AWSGlue."
#define ATHENA_PREFIX "AmazonAthena."

static enum sl_result call(struct sl_client *c, enum sl_service svc, const char *prefix,
                           const char *op, struct json_object *in, struct json_object **out,
                           struct sl_error *err)
{
  char target[128];
  struct json_object *ignored = NULL;
  enum sl_result r;
  snprintf(target, sizeof(target), "%s%s", prefix, op);
  r = sl_aws_json(c, svc, target, in, out ? out : &ignored, err);
  if(ignored)
    json_object_put(ignored);
  if(r == SL_E_AWS && (!strcmp(err->code, "EntityNotFoundException") ||
                       !strcmp(err->code, "ResourceNotFoundException")))
    r = SL_E_NOT_FOUND;
  return r;
}

enum sl_result sl_glue_call(struct sl_client *c, const char *op, struct json_object *in,
                            struct json_object **out, struct sl_error *err)
{
  return call(c, SL_SVC_GLUE, GLUE_PREFIX, op, in, out, err);
}

enum sl_result sl_athena_call(struct sl_client *c, const char *op, struct json_object *in,
                              struct json_object **out, struct sl_error *err)
{
  return call(c, SL_SVC_ATHENA, ATHENA_PREFIX, op, in, out, err);
}
