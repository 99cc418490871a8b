/* send_bill.c — what the services meter: Firehose rounds each record up
 * to 5 KB, Kinesis counts PUT payload units of 25 KB. And, for a Firehose
 * send without aggregation, what --aggregate would have sent: the same
 * greedy packing sl_batch_add does, run over the records as they are
 * given, batch limits included (a carrier never spans two requests). */
#include "send_bill.h"
#include "sluice/kpl.h"

static uint64_t firehose_billed(size_t len)
{
  return (len ? (len + SL_FIREHOSE_BILL_UNIT - 1) / SL_FIREHOSE_BILL_UNIT : 1) *
         (uint64_t)SL_FIREHOSE_BILL_UNIT;
}

void sl_send_bill(enum sl_send_target t, size_t len, struct sl_send_result *cnt)
{
  cnt->service_records++;
  if(t == SL_SEND_KINESIS) {
    uint64_t units = len ? (len + SL_KINESIS_PUT_UNIT - 1) / SL_KINESIS_PUT_UNIT : 1;
    cnt->put_units += units;
    cnt->billed_bytes += units * SL_KINESIS_PUT_UNIT;
  }
  else
    cnt->billed_bytes += firehose_billed(len);
}

static void carrier_done(struct send_estimate *e)
{
  e->records++;
  if(e->kinesis) {
    /* PUT payload units of the carrier's data (its key aside) */
    size_t data = e->cur - e->key_len;
    e->billed += (data ? (data + SL_KINESIS_PUT_UNIT - 1) / SL_KINESIS_PUT_UNIT : 1) *
                 (uint64_t)SL_KINESIS_PUT_UNIT;
  }
  else
    e->billed += firehose_billed(e->cur);
}

void sl_send_estimate_add(struct send_estimate *e, const struct sl_send_limits *l,
                          enum sl_send_target t, size_t len, size_t key_len)
{
  /* Kinesis: KPL framing, each key counted as new (random keys), shards
   * not told apart: a lower bound on the carriers, so "about". */
  size_t join = t == SL_SEND_KINESIS ? sl_kpl_added_size(key_len, 1, 0, 0, len) : len;
  size_t first = t == SL_SEND_KINESIS ? SL_KPL_OVERHEAD + join + key_len : len;
  int room = e->parts < SL_SEND_MAX_PARTS && join <= l->max_request_bytes - e->bytes;
  e->kinesis = t == SL_SEND_KINESIS;
  if(room && e->n && e->cur + join <= l->max_record_bytes) {
    e->cur += join;
    e->bytes += join;
    e->parts++;
    return;
  }
  if(e->n)
    carrier_done(e);
  if(!room || e->n >= l->max_records || first > l->max_request_bytes - e->bytes)
    e->n = e->bytes = e->parts = 0; /* the next request */
  e->n++;
  e->cur = first;
  e->key_len = t == SL_SEND_KINESIS ? key_len : 0;
  e->bytes += first;
  e->parts++;
}

void sl_send_estimate_end(struct send_estimate *e, struct sl_send_result *res)
{
  if(e->n)
    carrier_done(e);
  res->aggregated_records = e->records;
  res->aggregated_billed_bytes = e->billed;
  e->n = e->bytes = e->parts = 0;
  e->records = e->billed = 0;
}
