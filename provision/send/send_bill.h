/* send_bill.h — the services' metering and the aggregation estimate
 * (send_bill.c). Not installed. */
#ifndef SLUICE_SEND_BILL_H
#define SLUICE_SEND_BILL_H

#include "sluice/send.h"

/* The metering of one accepted service record of len bytes
 * into cnt (service_records, billed_bytes, put_units). */
void sl_send_bill(enum sl_send_target t, size_t len, struct sl_send_result *cnt);
/* Without aggregation: the carriers --aggregate would make of the records
 * given, in order (len: as sent, '\n' included; key_len: Kinesis). */
struct send_estimate {
  size_t n, bytes, parts;      /* the request being filled: carriers, bytes, records */
  size_t cur, key_len;         /* the carrier being filled, and its key's length */
  int kinesis;
  uint64_t records, billed;    /* carriers closed, and their billed bytes */
};
void sl_send_estimate_add(struct send_estimate *e, const struct sl_send_limits *l,
                          enum sl_send_target t, size_t len, size_t key_len);
/* Closes the last carrier; res->aggregated_records and _billed_bytes. */
void sl_send_estimate_end(struct send_estimate *e, struct sl_send_result *res);

#endif
