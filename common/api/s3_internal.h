/* s3_internal.h — the S3 answer parsers on their own, so the fuzz targets
 * reach the exact code the client runs. Not installed. */
#ifndef SLUICE_S3_INTERNAL_H
#define SLUICE_S3_INTERNAL_H

#include "sluice/s3.h"

/* One ListObjectsV2 answer body: calls l->on_object / l->on_prefix per entry
 * (keys url-decoded when the answer says EncodingType url); *next_token is
 * malloc'ed when the page is truncated; *stopped when a callback asked to
 * stop. SL_E_PARSE for a body that is not a ListBucketResult. */
enum sl_result sl_s3_parse_list_answer(const char *xml, size_t len, const struct sl_s3_list *l,
                                       char **next_token, int *stopped, struct sl_error *err);

#endif
