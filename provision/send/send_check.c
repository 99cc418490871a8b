/* send_check.c — a sender's options checked before anything starts, and
 * the shard map KPL aggregation groups records by. */
#include "send_check.h"
#include "common/aws/aws_internal.h"

#include <string.h>

enum sl_result sl_send_check_options(const struct sl_send_options *o, struct sl_error *err)
{
  if(!o->stream || !o->stream[0])
    return sl_error_set(err, SL_E_INVALID, NULL, "no stream name");
  if(o->concurrency < 0 || o->concurrency > SL_SEND_MAX_CONCURRENCY)
    return sl_error_set(err, SL_E_INVALID, NULL, "concurrency must be 1 to %d",
                        SL_SEND_MAX_CONCURRENCY);
  /* Written so that NaN fails too. */
  if(!(o->flush_interval_s >= 0 && o->flush_interval_s <= SL_SEND_MAX_FLUSH_INTERVAL))
    return sl_error_set(err, SL_E_INVALID, NULL, "flush interval must be 0 to %d seconds",
                        SL_SEND_MAX_FLUSH_INTERVAL);
  if(o->max_attempts < 0 || o->max_attempts > SL_SEND_MAX_ATTEMPTS)
    return sl_error_set(err, SL_E_INVALID, NULL, "max attempts must be 1 to %d",
                        SL_SEND_MAX_ATTEMPTS);
  if(o->target == SL_SEND_FIREHOSE &&
     (o->partition_key || o->partition_key_field || o->explicit_hash_key))
    return sl_error_set(err, SL_E_INVALID, NULL, "partition and hash keys are for Kinesis only");
  if(o->partition_key && o->partition_key_field)
    return sl_error_set(err, SL_E_INVALID, NULL, "give a partition key or a field, not both");
  if(o->partition_key && (!o->partition_key[0] ||
                          strlen(o->partition_key) > SL_KINESIS_MAX_KEY_BYTES))
    return sl_error_set(err, SL_E_INVALID, NULL, "partition key of %zu bytes: Kinesis takes 1 "
                        "to 256 bytes", strlen(o->partition_key));
  if(o->explicit_hash_key && !sl_send_valid_hash_key(o->explicit_hash_key))
    return sl_error_set(err, SL_E_INVALID, NULL, "explicit hash key must be a decimal in "
                        "0..2^128-1");
  /* Firehose packs records back to back; the KPL format keeps them apart. */
  if(o->aggregate && !o->newline && o->target == SL_SEND_FIREHOSE)
    return sl_error_set(err, SL_E_INVALID, NULL, "Firehose aggregation needs the newline "
                        "delimiter: without it the records could not be told apart again");
  return SL_OK;
}

enum sl_result sl_send_client_init(struct sl_client *c, const struct sl_aws_config *base,
                                   const char *profile_path, struct sl_error *err)
{
  struct sl_aws_config cfg;
  enum sl_result r = sl_aws_config_copy(&cfg, base, err);
  if(!r)
    r = sl_client_init(c, &cfg, profile_path, err);
  sl_aws_config_cleanup(&cfg);
  return r;
}

enum sl_result sl_send_load_map(const struct sl_send_options *o, const struct sl_aws_config *cfg,
                                const char *profile_path, struct sl_client *client,
                                struct sl_shard_map *map, struct sl_error *err)
{
  struct sl_client own;
  enum sl_result r;
  memset(map, 0, sizeof(*map));
  if(!o->aggregate || o->target != SL_SEND_KINESIS)
    return SL_OK;
  if(client)
    return sl_kinesis_shard_map(client, o->stream, map, err);
  /* workers have their own clients, not made yet: one for this call */
  r = sl_send_client_init(&own, cfg, profile_path, err);
  if(!r) {
    r = sl_kinesis_shard_map(&own, o->stream, map, err);
    sl_client_cleanup(&own);
  }
  return r;
}
