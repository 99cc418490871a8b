/* sluice — the end-to-end smoke test of a provisioned pipeline: checks the
 * resources are there and ACTIVE, sends a few canary records, polls S3 (the
 * delivery prefix and the error prefix, only the hours since the run began)
 * until every canary is accounted for or the time is up, and reports what
 * arrived, what did not, what arrived twice and what failed.
 *
 *   struct sl_prov *s;
 *   r = sl_prov_new(&s, &profile, err);
 *   if(!r) r = sl_smoke_run(s, &opts, &res, err);   res.passed
 *   sl_smoke_report_text(&res, &out);
 *   sl_smoke_result_cleanup(&res);
 *   sl_prov_free(s);
 *
 * Canaries are newline-delimited JSON objects:
 *   {"sluice_canary":true,"run_id":"<uuid4>","seq":3,"sent_at":"2026-05-01T10:00:00.123Z"}
 * It never deletes data it did not write: --cleanup removes only objects
 * whose every record is a canary of this run. */
#ifndef SLUICE_SMOKE_H
#define SLUICE_SMOKE_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>

#include "aws.h"
#include "provision.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SL_SMOKE_DEFAULT_COUNT 10
#define SL_SMOKE_MAX_COUNT 500        /* one PutRecordBatch / PutRecords */
#define SL_SMOKE_DEFAULT_POLL_MS 2000
#define SL_SMOKE_EXTRA_TIMEOUT_S 120  /* default timeout: buffer interval + this */
#define SL_SMOKE_SKEW_S 300           /* listing window starts this long before the run */
#define SL_SMOKE_MAX_OBJECTS 100000   /* objects read per run, canaries or not */

struct sl_smoke_options {
  int count;                    /* canaries; 0 = 10; at most SL_SMOKE_MAX_COUNT */
  long timeout_ms;              /* 0 = the stream's buffer interval + 2 minutes */
  long poll_ms;                 /* between listings; 0 = 2 s */
  int cleanup;                  /* delete the objects that hold only this run's canaries */
  /* Progress for humans ("sent 10 canaries to firehose x"); may be NULL. */
  void (*on_progress)(void *ud, const char *what);
  void *ud;
};
/* All zero: 10 canaries, the stream's buffer interval + 2 minutes, 2 s
 * polls, no cleanup, no progress callback. */
SL_EXPORT void sl_smoke_options_init(struct sl_smoke_options *o);

/* One canary, seq = index + 1. */
struct sl_smoke_canary {
  int64_t sent_ms;              /* wall clock, ms since the epoch */
  int accepted;                 /* the stream took it */
  int found;                    /* copies under the delivery prefix */
  int errors;                   /* copies under the error prefix */
  size_t object;                /* objects[] index of its first copy; (size_t)-1 none */
  double latency_s;             /* send → object; < 0 unknown */
  char error_code[64];          /* of its first error record */
};

/* An object that held at least one canary of this run. */
struct sl_smoke_object {
  char *key;
  int error_output;             /* under the error prefix */
  int64_t time;                 /* when it landed: LastModified, else the key's time (s) */
  long canaries;                /* records that are canaries of this run */
  long other;                   /* every other record, bad data included */
  int removed;                  /* --cleanup deleted it */
  char error_code[64];          /* error output: the first errorCode */
};

struct sl_smoke_result {
  char run_id[37];
  int kinesis;                  /* canaries went to the Kinesis source stream */
  char stream[130];
  char bucket[64];              /* bucket and prefixes as Firehose has them */
  char prefix[1025];            /* (DescribeDeliveryStream), not as the profile says */
  char error_prefix[1025];
  int count;
  struct sl_smoke_canary *canary; /* count entries */
  long sent;                    /* accepted by the stream */
  long found;                   /* canaries seen at least once under the prefix */
  long missing;                 /* sent, seen nowhere */
  long duplicated;              /* canaries seen more than once under the prefix */
  long in_error;                /* canaries seen under the error prefix */
  int have_latency;
  double latency_min, latency_median, latency_max;
  struct sl_smoke_object *objects;
  size_t nobjects;
  long removed, kept;           /* --cleanup: objects deleted / kept (other records) */
  long remove_failed;
  unsigned long objects_read;   /* objects fetched and decoded, canaries or not */
  unsigned long list_pages;
  long timeout_ms;              /* in effect */
  int timed_out;
  double elapsed_s;             /* from the send to the end of polling */
  int passed;                   /* every canary exactly once, none in the error prefix */
  char where[256];              /* the resource a failure is about; "": see sl_prov_get_where */
  char delivery_note[1400];     /* how where the stream delivers (bucket, prefixes,
                                   compression) differs from the profile; "" = as profile */
};

SL_EXPORT void sl_smoke_result_init(struct sl_smoke_result *r);
SL_EXPORT void sl_smoke_result_cleanup(struct sl_smoke_result *r);

/* Runs the smoke test on an open session (sl_prov_new). SL_OK when the
 * test could be carried out: res->passed says whether the pipeline works.
 * An error when it could not (a resource missing or not ACTIVE:
 * SL_E_INVALID with s->where naming it; AWS, network errors). res is
 * initialized here and holds whatever was done before a failure. */
SL_EXPORT enum sl_result sl_smoke_run(struct sl_prov *s, const struct sl_smoke_options *o,
                            struct sl_smoke_result *res, struct sl_error *err);

/* The report, appended to out. Text: one line per finding and a last line
 * "smoke: passed ..." or "smoke: FAILED ...". JSON: one document, as
 * docs/json/smoke.schema.json; err (may be NULL) is added as "error". */
SL_EXPORT enum sl_result sl_smoke_report_text(const struct sl_smoke_result *res, struct sl_buf *out);
SL_EXPORT enum sl_result sl_smoke_report_json(const struct sl_prov *s, const struct sl_smoke_result *res,
                                    const struct sl_error *err, struct sl_buf *out);

/* One canary record (with its '\n'), appended to out. */
SL_EXPORT enum sl_result sl_smoke_canary_record(const char *run_id, int seq, int64_t sent_ms,
                                      struct sl_buf *out);
/* The seq of a record that is a canary of run_id (1..max), else 0. */
SL_EXPORT int sl_smoke_canary_seq(const char *p, size_t n, const char *run_id, int max);

#ifdef __cplusplus
}
#endif
#endif
