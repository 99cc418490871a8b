/* sluice — Firehose and Kinesis clients (JSON 1.1): stream lifecycle calls
 * and batched puts with per-entry results; and CloudWatch Logs (JSON 1.1
 * too), where a Firehose stream reports its delivery errors. */
#ifndef SLUICE_STREAMS_H
#define SLUICE_STREAMS_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>
#include "aws.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/* Service limits (bytes are before base64). */
#define SL_FIREHOSE_MAX_BATCH_RECORDS 500
#define SL_FIREHOSE_MAX_BATCH_BYTES (4L * 1024 * 1024)
#define SL_FIREHOSE_MAX_RECORD_BYTES (1000L * 1024)
/* Metering: Firehose ingestion rounds each record up to 5 KB, Kinesis
 * counts PUT payload units of 25 KB. */
#define SL_FIREHOSE_BILL_UNIT 5120
#define SL_KINESIS_PUT_UNIT 25600
#define SL_KINESIS_MAX_BATCH_RECORDS 500
#define SL_KINESIS_DEFAULT_BATCH_BYTES (5L * 1024 * 1024)
#define SL_KINESIS_MAX_BATCH_BYTES (10L * 1024 * 1024)
#define SL_KINESIS_MAX_RECORD_BYTES (1024L * 1024) /* data + partition key */
#define SL_KINESIS_MAX_KEY_BYTES 256

/* One record to put. partition_key/explicit_hash_key are Kinesis only. */
struct sl_record {
  const void *data;
  size_t len;
  const char *partition_key;
  const char *explicit_hash_key;
};

/* Per-entry outcome of a batch put, in request order. */
struct sl_record_result {
  int ok;
  char id[128];            /* Firehose RecordId or Kinesis SequenceNumber */
  char shard_id[64];       /* Kinesis */
  char error_code[64];
  char error_message[256];
};

/* Calls a JSON 1.1 operation by name ("DescribeDeliveryStream"), mapping
 * ResourceNotFoundException to SL_E_NOT_FOUND (err still filled). out may be
 * NULL when the answer is not needed. */
SL_EXPORT enum sl_result sl_firehose_call(struct sl_client *c, const char *op, struct json_object *in,
                                struct json_object **out, struct sl_error *err);
SL_EXPORT enum sl_result sl_kinesis_call(struct sl_client *c, const char *op, struct json_object *in,
                               struct json_object **out, struct sl_error *err);
/* CloudWatch Logs ("DescribeLogGroups"), the same way. */
SL_EXPORT enum sl_result sl_logs_call(struct sl_client *c, const char *op, struct json_object *in,
                                      struct json_object **out, struct sl_error *err);

/* PutRecordBatch: n <= 500; results (n entries) filled; *failed from
 * FailedPutCount. Whole-request failures are retried by the client's policy;
 * failed entries are the caller's to retry. */
SL_EXPORT enum sl_result sl_firehose_put_batch(struct sl_client *c, const char *stream,
                                     const struct sl_record *recs, size_t n,
                                     struct sl_record_result *results, size_t *failed,
                                     struct sl_error *err);
/* PutRecords, the same for Kinesis (FailedRecordCount). */
SL_EXPORT enum sl_result sl_kinesis_put_batch(struct sl_client *c, const char *stream,
                                    const struct sl_record *recs, size_t n,
                                    struct sl_record_result *results, size_t *failed,
                                    struct sl_error *err);

/* Status word of a stream ("CREATING", "ACTIVE", ...); SL_E_NOT_FOUND when
 * it does not exist. */
SL_EXPORT enum sl_result sl_firehose_status(struct sl_client *c, const char *stream, char status[32],
                                  struct sl_error *err);
SL_EXPORT enum sl_result sl_kinesis_status(struct sl_client *c, const char *stream, char status[32],
                                 struct sl_error *err);

/* A stream as DescribeStreamSummary / DescribeDeliveryStream tell it. */
struct sl_stream_summary {
  char status[32];         /* "ACTIVE", "CREATING", "UPDATING", "DELETING", ... */
  char arn[2048];
  char type[32];           /* Firehose: "DirectPut" or "KinesisStreamAsSource"; "" for Kinesis */
  char source_arn[2048];   /* Firehose reading a Kinesis stream: that stream's ARN */
  int64_t created;         /* creation time, seconds since the epoch; INT64_MIN: not told */
};
/* SL_E_NOT_FOUND (err: the service's message) when the stream does not exist. */
SL_EXPORT enum sl_result sl_firehose_summary(struct sl_client *c, const char *stream,
                                             struct sl_stream_summary *out,
                                             struct sl_error *err);
SL_EXPORT enum sl_result sl_kinesis_summary(struct sl_client *c, const char *stream,
                                            struct sl_stream_summary *out,
                                            struct sl_error *err);

/* The open shards of a Kinesis stream and their hash key ranges (from
 * ListShards, every page; closed shards left out), sorted by range, so a
 * record's shard is found as Kinesis finds it: the MD5 of its partition
 * key, or its explicit hash key, as a 128-bit number. */
struct sl_shard_range {
  uint64_t start_hi, start_lo, end_hi, end_lo; /* inclusive */
  char id[64];
};
struct sl_shard_map {
  struct sl_shard_range *shard;
  size_t n;
};
SL_EXPORT enum sl_result sl_kinesis_shard_map(struct sl_client *c, const char *stream,
                                              struct sl_shard_map *out, struct sl_error *err);
SL_EXPORT void sl_shard_map_cleanup(struct sl_shard_map *m);
/* The 128-bit hash of a partition key (MD5, big-endian), or of an explicit
 * hash key (a decimal 0..2^128-1; 0 returned when it is not one). */
SL_EXPORT void sl_kinesis_key_hash(const char *key, size_t len, uint64_t *hi, uint64_t *lo);
SL_EXPORT int sl_kinesis_parse_hash(const char *dec, uint64_t *hi, uint64_t *lo);
/* The index of the shard holding hash (hi, lo); (size_t)-1 when none does
 * (a map with a gap: a stream being resharded). */
SL_EXPORT size_t sl_shard_map_find(const struct sl_shard_map *m, uint64_t hi, uint64_t lo);

#ifdef __cplusplus
}
#endif
#endif
