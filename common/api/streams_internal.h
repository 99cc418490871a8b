/* streams_internal.h — the PutRecordBatch / PutRecords answer parser on its
 * own, so the fuzz target reaches the exact code the client runs. Not
 * installed. */
#ifndef SLUICE_STREAMS_INTERNAL_H
#define SLUICE_STREAMS_INTERNAL_H

#include "sluice/streams.h"

/* Fills results[0..n) and *failed from a 2xx answer body (kinesis: PutRecords,
 * else PutRecordBatch). SL_E_PARSE when the body does not hold exactly n
 * entries or its failed count disagrees with them. */
enum sl_result sl_streams_parse_put_answer(const char *text, size_t len, int kinesis, size_t n,
                                           struct sl_record_result *results, size_t *failed,
                                           struct sl_error *err);

/* The json-c reader behind it, which gives the error messages; the fast
 * path is streams_scan.h. */
enum sl_result sl_streams_parse_put_answer_json(const char *text, size_t len, int kinesis,
                                                size_t n, struct sl_record_result *results,
                                                size_t *failed, struct sl_error *err);

#endif
