/* sluice — the Glue Data Catalog and Athena, both JSON 1.1: the table
 * over the delivered prefix, and queries run on it. */
#ifndef SLUICE_ATHENA_H
#define SLUICE_ATHENA_H

#include "export.h"

#include "aws.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/* Calls an operation by name ("GetTable", "StartQueryExecution"), mapping
 * EntityNotFoundException (Glue) and ResourceNotFoundException to
 * SL_E_NOT_FOUND (err still filled). out may be NULL. */
SL_EXPORT enum sl_result sl_glue_call(struct sl_client *c, const char *op, struct json_object *in,
                                      struct json_object **out, struct sl_error *err);
SL_EXPORT enum sl_result sl_athena_call(struct sl_client *c, const char *op,
                                        struct json_object *in, struct json_object **out,
                                        struct sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
