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

/* The two readers behind it. The scanner (streams_scan.c) reads the usual
 * answer in one pass without building a DOM: it returns 1 with results and
 * *failed filled when the body is plain JSON of the expected shape and the
 * failed count agrees, and 0 on anything else (escapes, non-ASCII text,
 * nesting, a wrong count, malformed input), leaving the answer to the json-c
 * reader, which gives the same results and the error messages. */
int sl_streams_scan_put_answer(const char *text, size_t len, int kinesis, size_t n,
                               struct sl_record_result *results, size_t *failed);
enum sl_result sl_streams_parse_put_answer_json(const char *text, size_t len, int kinesis,
                                                size_t n, struct sl_record_result *results,
                                                size_t *failed, struct sl_error *err);

#endif
