/* streams_scan.h — the one-pass reader of the usual PutRecordBatch /
 * PutRecords answer, without building a DOM. Not installed. */
#ifndef SLUICE_STREAMS_SCAN_H
#define SLUICE_STREAMS_SCAN_H

#include "sluice/streams.h"

/* Returns 1 with results and *failed filled when the body is plain JSON of
 * the expected shape and the failed count agrees, and 0 on anything else
 * (escapes, non-ASCII text, nesting, a wrong count, malformed input),
 * leaving the answer to the json-c reader (streams_internal.h), which
 * gives the same results and the error messages. */
int sl_streams_scan_put_answer(const char *text, size_t len, int kinesis, size_t n,
                               struct sl_record_result *results, size_t *failed);

#endif
