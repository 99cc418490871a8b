/* sluice — the Kinesis Producer Library's aggregation format: many user
 * records in one Kinesis record. The bytes are the magic F3 89 9A C2, a
 * protobuf AggregatedRecord (field 1: the partition key table, 2: the
 * explicit hash key table, 3: the records, each with field 1 its partition
 * key's index, 2 its explicit hash key's index, 3 its data), then the MD5
 * of the protobuf bytes. The KCL and Firehose (reading a Kinesis stream)
 * take such a record apart; one whose MD5 does not match is an ordinary
 * record to them. */
#ifndef SLUICE_KPL_H
#define SLUICE_KPL_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SL_KPL_MAGIC "\xF3\x89\x9A\xC2"
#define SL_KPL_OVERHEAD 20 /* the magic and the MD5 */

struct sl_kpl_record {
  const char *key;             /* partition key (key_len bytes, 1..256) */
  size_t key_len;
  const char *ehk;             /* explicit hash key (decimal text), NULL when none */
  size_t ehk_len;
  const void *data;
  size_t len;
};

/* The aggregated record for n user records, appended to out. Keys (and
 * explicit hash keys) are stored once each, in the order first seen. */
SL_EXPORT enum sl_result sl_kpl_encode(const struct sl_kpl_record *r, size_t n,
                                       struct sl_buf *out);
/* What one more user record adds to an aggregated record's size: its
 * entry, plus its key's table entry when new_key (and the explicit hash
 * key's when new_ehk). An empty aggregate is SL_KPL_OVERHEAD bytes. */
SL_EXPORT size_t sl_kpl_added_size(size_t key_len, int new_key, size_t ehk_len, int new_ehk,
                                   size_t data_len);

/* Takes one Kinesis record apart: on_record once per user record, in
 * order (i from 0; key and data point into p). SL_E_UNSUPPORTED when p is
 * not an aggregated record at all (no magic, or an MD5 that does not
 * match: an ordinary record, delivered as it is); SL_E_PARSE when the
 * protobuf inside a matching MD5 is broken (an index past its table, a
 * field cut off); on_record's non-zero result stops it and is returned. */
SL_EXPORT enum sl_result sl_kpl_decode(const void *p, size_t n,
                                       enum sl_result (*on_record)(void *ud, size_t i,
                                                                   const struct sl_kpl_record *r),
                                       void *ud);

#ifdef __cplusplus
}
#endif

#endif
