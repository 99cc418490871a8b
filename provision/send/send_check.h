/* send_check.h — a sender's options checked, and the shard map for KPL
 * aggregation (send_check.c). Not installed. */
#ifndef SLUICE_SEND_CHECK_H
#define SLUICE_SEND_CHECK_H

#include "sluice/send.h"
#include "sluice/streams.h"

/* SL_E_INVALID naming the option that cannot be. */
enum sl_result sl_send_check_options(const struct sl_send_options *o, struct sl_error *err);
/* A client of its own from a copy of base (credentials resolved for it),
 * as each worker has. */
enum sl_result sl_send_client_init(struct sl_client *c, const struct sl_aws_config *base,
                                   const char *profile_path, struct sl_error *err);
/* Kinesis with aggregation: the stream's shard map (ListShards), with
 * client, else with a client made from cfg for the call; otherwise an
 * empty map. */
enum sl_result sl_send_load_map(const struct sl_send_options *o, const struct sl_aws_config *cfg,
                                const char *profile_path, struct sl_client *client,
                                struct sl_shard_map *map, struct sl_error *err);

#endif
