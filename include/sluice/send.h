/* sluice — sending records to Firehose and Kinesis: the service limits,
 * batches split by count and bytes, entry-level retries of partial failures,
 * a dead-letter file, and a streaming engine (N workers, one client each,
 * bounded memory whatever the input size).
 *
 *   struct sl_sender *s;
 *   r = sl_sender_new(&s, &opts, &cfg, profile_path, NULL, err);
 *   while(more input)  sl_sender_add(s, data, len, &where, err);   copies
 *   (a batch not full goes out flush_interval_s after its first record;
 *    sl_sender_flush sends the open batches at once)
 *   r = sl_sender_finish(s, &result, err);   waits for every record
 *   sl_sender_free(s);
 *
 * Guarantees (see docs/reliability.md): every record ends delivered or
 * listed as failed (result list and/or dead-letter file); a record is sent
 * again only after a failure, so duplicates are possible only when an
 * answer was lost (counted as duplicates_possible). */
#ifndef SLUICE_SEND_H
#define SLUICE_SEND_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>

#include "aws.h"
#include "streams.h"

#ifdef __cplusplus
extern "C" {
#endif

enum sl_send_target { SL_SEND_FIREHOSE = 0, SL_SEND_KINESIS };
SL_EXPORT const char *sl_send_target_name(enum sl_send_target t); /* "firehose", "kinesis" */

#define SL_SEND_DEFAULT_CONCURRENCY 4
#define SL_SEND_MAX_CONCURRENCY 64
#define SL_SEND_DEFAULT_ATTEMPTS 10
#define SL_SEND_MAX_ATTEMPTS 100
#define SL_SEND_DEFAULT_FLUSH_INTERVAL 1.0 /* seconds */
#define SL_SEND_MAX_FLUSH_INTERVAL 3600
/* Failures kept in a result (with their bytes) before only being counted;
 * the dead-letter file has all of them. */
#define SL_SEND_MAX_LISTED 10000
#define SL_SEND_MAX_LISTED_BYTES (64u * 1024 * 1024)

/* ------------------------------------------------------------------ limits */

/* What one request and one record may hold. Sizes count what is sent: the
 * data (with the '\n' the delimiter adds) plus, for Kinesis, the partition
 * key's bytes. */
struct sl_send_limits {
  enum sl_send_target target;
  size_t max_records;       /* per request: the batch size asked for, <= 500 */
  size_t max_request_bytes; /* Firehose 4 MiB; Kinesis 5 MiB, up to 10 MiB */
  size_t max_record_bytes;  /* Firehose 1,024,000; Kinesis 1 MiB (data + key) */
};

/* batch_records 0 = 500; kinesis_request_bytes 0 = 5 MiB (5..10 MiB). */
SL_EXPORT enum sl_result sl_send_limits_init(struct sl_send_limits *l, enum sl_send_target t,
                                   size_t batch_records, long kinesis_request_bytes,
                                   struct sl_error *err);
/* Bytes a record counts for: len, plus key_len for Kinesis. */
SL_EXPORT size_t sl_send_record_size(const struct sl_send_limits *l, size_t len, size_t key_len);

/* Where a record came from, for messages: "stdin:42" (a line), "in.json:
 * value 7" (a JSON value), "blob.bin" (raw), "argument 3", "record 5"
 * (library lists, 1-based). src must live until the sender is finished. */
enum sl_where_kind { SL_WHERE_LINE = 0, SL_WHERE_VALUE, SL_WHERE_WHOLE, SL_WHERE_ARG,
                     SL_WHERE_INDEX, SL_WHERE_OFFSET /* "in.json: byte 120" */ };
struct sl_send_where {
  const char *src;
  uint64_t pos;
  enum sl_where_kind kind;
};
SL_EXPORT void sl_send_where_format(const struct sl_send_where *w, char *out, size_t outlen);

/* SL_OK when a record of len bytes (as sent) with this key may go;
 * SL_E_TOO_LARGE or SL_E_INVALID with err->message naming it, e.g.
 * "stdin:42: record of 1048577 bytes is over Kinesis's 1 MiB limit (data +
 * partition key)". key/ehk are Kinesis only (NULL for Firehose). */
SL_EXPORT enum sl_result sl_send_check_record(const struct sl_send_limits *l, const struct sl_send_where *w,
                                    size_t len, const char *key, const char *ehk,
                                    struct sl_error *err);

/* The refusal of a record of size bytes (as sent) that is over the record
 * limit: SL_E_TOO_LARGE, code "RecordTooLarge", message naming it. size 0:
 * not measured, only known to be over the limit ("more than"). */
SL_EXPORT enum sl_result sl_send_too_large(const struct sl_send_limits *l, const struct sl_send_where *w,
                                 uint64_t size, struct sl_error *err);

/* ------------------------------------------------------------------ input */

enum sl_send_format {
  SL_SEND_LINES = 0, /* each line a record, without its "\n" or "\r\n"; empty lines skipped */
  SL_SEND_JSON,      /* each JSON value a record (concatenated or NDJSON; gzip ok), as
                      * given or compacted to one line (sl_send_input.compact) */
  SL_SEND_RAW        /* the whole input one record, any bytes; empty input: none */
};

/* A reader delivers records of at most record_max bytes; a longer one is
 * only measured (its bytes are skipped, memory stays bounded) and reported
 * through on_oversize. on_record's p is valid during the call only; a
 * non-zero result stops the reader, which returns it. */
struct sl_send_input {
  enum sl_send_format format;
  size_t record_max;        /* json: bounds the value as it is in the input */
  /* json: whitespace outside strings removed, so a pretty-printed value
   * becomes one line; string contents and number text stay byte-exact. */
  int compact;
  enum sl_result (*on_record)(void *ud, const char *p, size_t n, const struct sl_send_where *w);
  /* size: the record's bytes (a line without its "\n" / "\r\n"); 0 for a
   * JSON value, which the decoder stops measuring past record_max. */
  void (*on_oversize)(void *ud, const struct sl_send_where *w, uint64_t size);
  /* Input that holds no record (bad JSON); NULL to ignore. */
  void (*on_bad)(void *ud, const struct sl_send_where *w, const char *reason);
  void *ud;
};

/* Reads fd to its end; src names it in messages ("stdin", a path). With
 * tee_fd >= 0 every byte read is also written there (to read stdin twice). */
SL_EXPORT enum sl_result sl_send_read(const struct sl_send_input *in, int fd, const char *src, int tee_fd,
                            struct sl_error *err);

/* ------------------------------------------------------------------ batches */

/* An input record inside an aggregated service record (its carrier): its
 * bytes are arena[off .. off+len) of the batch. */
struct sl_send_part {
  uint64_t index;          /* 0-based position in the input */
  struct sl_send_where where;
  size_t off, len;
  size_t key_off, key_len; /* KPL: its partition key (NUL-ended in the arena) */
  size_t ehk_off;          /* KPL: its explicit hash key, (size_t)-1 when none */
  size_t next;             /* the carrier's next part, (size_t)-1 after the last */
};
#define SL_SEND_MAX_PARTS 65536 /* input records per aggregated batch */

/* One service record in a batch: data and key live in the batch's arena.
 * Aggregated (sl_batch.aggregate), it carries whole input records, parts
 * [part0, part0 + nparts) of the batch; else it is one, index and where. */
struct sl_send_entry {
  size_t off, len;         /* data */
  size_t key_off, key_len; /* Kinesis partition key (NUL-terminated in the arena) */
  size_t ehk_off;          /* explicit hash key, (size_t)-1 when none */
  struct sl_send_where where;
  uint64_t index;          /* 0-based position in the input */
  int attempts;            /* requests that carried it */
  int unknown;             /* a request carrying it got no usable answer */
  int dup;                 /* resent after an unknown outcome */
  int done;                /* 1 delivered, -1 failed for good, -2 left by a signal
                            * (sl_send_options.leave_interrupted) */
  char error_code[64];
  char error_message[256];
  size_t part0, nparts;    /* aggregated: its input records */
  size_t part_last;
  int kpl;                 /* its data is the KPL encoding of its parts (sent as
                            * sl_batch_kpl_encode makes it); len is a bound */
};

/* A batch that closes when the next record would pass the count or the
 * request byte limit. Memory: the records it holds, nothing more. */
struct sl_batch {
  const struct sl_send_limits *lim;
  struct sl_buf arena;
  struct sl_send_entry *e;
  size_t n;
  size_t bytes;            /* sum of sl_send_record_size() */
  /* Firehose aggregation: a record joins the last entry while that stays
   * within the record limit, so an entry holds newline-ended input records
   * back to back, byte for byte what they would be one by one in S3. */
  int aggregate;
  struct sl_send_part *parts;
  size_t nparts, parts_cap;
  /* KPL aggregation (Kinesis, sl_batch_kpl): records are grouped by the
   * shard their key hashes to, one open carrier per shard (open[shard]:
   * entry + 1, 0 none). */
  const struct sl_shard_map *map;
  size_t *open;
};
/* Turns on KPL aggregation for a Kinesis batch (before the first add). */
SL_EXPORT enum sl_result sl_batch_kpl(struct sl_batch *b, const struct sl_shard_map *map);
/* KPL: 1 when the record (len as sent, its key and explicit hash key) can
 * join its shard's carrier or open a new entry. */
SL_EXPORT int sl_batch_kpl_fits(const struct sl_batch *b, size_t len, const char *key,
                                const char *ehk);
/* KPL: the carrier entry i as it goes on the wire, appended to out; rec
 * gets its key and explicit hash key (data set by the caller once every
 * carrier of the request is in out, which may move as it grows). */
SL_EXPORT enum sl_result sl_batch_kpl_encode(const struct sl_batch *b, size_t i,
                                             struct sl_buf *out, struct sl_record *rec);

SL_EXPORT enum sl_result sl_batch_init(struct sl_batch *b, const struct sl_send_limits *l);
SL_EXPORT void sl_batch_cleanup(struct sl_batch *b);
SL_EXPORT void sl_batch_reset(struct sl_batch *b);
/* 1 when a record of this size (sl_send_record_size) may join the batch
 * (aggregated: the last entry, or as a new one). */
SL_EXPORT int sl_batch_fits(const struct sl_batch *b, size_t size);
/* Copies the record in; with newline, a '\n' is appended when data does not
 * end with one. The caller checked the limits and sl_batch_fits (with the
 * '\n' counted). */
SL_EXPORT enum sl_result sl_batch_add(struct sl_batch *b, const void *data, size_t len, int newline,
                            const char *key, const char *ehk, uint64_t index,
                            const struct sl_send_where *w);
/* The entry's data and key as pointers into the arena. */
SL_EXPORT void sl_batch_record(const struct sl_batch *b, size_t i, struct sl_record *out);

/* ------------------------------------------------------------------ keys */

/* A random (v4) UUID, 36 characters + NUL, from getrandom. */
SL_EXPORT enum sl_result sl_uuid4(char out[37]);
/* The value at a dotted path ("a.b.c") of a JSON object record, as a key:
 * a string as is, a number or boolean as its JSON text. SL_E_NOT_FOUND when
 * absent (or null, object, array), SL_E_PARSE when the record is not JSON. */
SL_EXPORT enum sl_result sl_send_key_from_field(const char *json, size_t len, const char *path,
                                      char *key, size_t keymax, size_t *key_len);
/* 1 when s is a decimal in 0..2^128-1 (ExplicitHashKey). */
SL_EXPORT int sl_send_valid_hash_key(const char *s);

/* ------------------------------------------------------------------ results */

#define SL_SEND_HEAD_BYTES 80 /* what is kept of a record over the size limit */

struct sl_send_failure {
  uint64_t index;
  char where[160];
  unsigned char *data;     /* the record as it would be sent; NULL when not kept */
  size_t len;
  uint64_t bytes;          /* the record's size; over len when only its first
                              SL_SEND_HEAD_BYTES are kept (RecordTooLarge) */
  int attempts;
  char error_code[64];
  char error_message[256];
};

struct sl_send_result {
  enum sl_send_target target;
  uint64_t total;               /* records given to the sender */
  uint64_t delivered;
  uint64_t failed;              /* final failures, rejected ones included */
  uint64_t rejected;            /* refused before sending (limits, bad input) */
  uint64_t retried;             /* records sent more than once */
  uint64_t duplicates_possible; /* resent after a request whose outcome was unknown */
  uint64_t requests_unanswered; /* requests with no usable answer (none came, or it did
                                 * not parse): their records may have been stored */
  uint64_t requests;            /* HTTP requests made (libcurl's own resends included) */
  uint64_t request_retries;     /* whole-request retries (throttling, 5xx, network, and
                                 * libcurl resending on a fresh connection) */
  uint64_t bytes;               /* bytes of delivered records, as sent */
  uint64_t request_bytes;       /* HTTP request body bytes written, every try counted */
  double elapsed_s;
  struct sl_send_failure *failures; /* final failures, in the order they ended */
  size_t nfailures, cap;
  size_t listed_bytes;
  uint64_t not_listed;          /* past SL_SEND_MAX_LISTED(_BYTES) */
  /* The bill: service records accepted (aggregated: the carriers) and
   * their metered volume, Firehose 5 KB (5,120 bytes) per record rounded
   * up, Kinesis PUT payload units of 25 KB (25,600 bytes) of data. */
  uint64_t service_records;
  uint64_t billed_bytes;
  uint64_t put_units;           /* Kinesis */
  /* Without aggregation: what --aggregate would have sent for the records
   * given (records, billed bytes); Kinesis: a lower bound, shards not told
   * apart. 0 when aggregating. */
  uint64_t aggregated_records;
  uint64_t aggregated_billed_bytes;
  uint64_t interrupted;         /* given but not sent, or sent with no answer, because a
                                 * signal (sl_interrupt) stopped the send; without
                                 * leave_interrupted also counted in failed */
};
SL_EXPORT void sl_send_result_init(struct sl_send_result *r);
SL_EXPORT void sl_send_result_cleanup(struct sl_send_result *r);

/* What a dead-letter line says about one record. */
struct sl_send_dead {
  const void *data;         /* the record as it would be sent; NULL when not kept */
  size_t len;
  uint64_t bytes;           /* data NULL: the size measured, 0 when not measured */
  const char *reason;       /* data NULL: why there are no bytes */
  const char *stream, *code, *msg, *where;
  int attempts;
  uint64_t index;           /* 0-based position among the records given */
};
/* One dead-letter line, exact format (keys in this order, '\n' ended):
 * {"record":"<base64>","stream":"<name>","error_code":"<code>",
 *  "error_message":"<text>","attempts":N,"source":"<where>","index":N,
 *  "bytes":N}
 * and for a record whose bytes were not kept "record":null, "bytes":N or
 * null (not measured), then ,"reason":"<why>". */
SL_EXPORT enum sl_result sl_send_dead_letter_line(struct sl_buf *out, const struct sl_send_dead *d);
/* The report: one summary line (text) or the old library's structure (JSON):
 * {"total_records":N,"successful_records":N,"failed_records":[{"record":
 * "<text>","record_base64":"...","error":"Code: message","attempt":N,
 * "source":"..."}],...counters}. Without a dead-letter file, the text lists
 * every failed record (base64) before the summary. */
SL_EXPORT enum sl_result sl_send_report_text(const struct sl_send_result *r, const char *stream,
                                   const char *dead_letter, struct sl_buf *out);
SL_EXPORT enum sl_result sl_send_report_json(const struct sl_send_result *r, const char *stream,
                                   const char *dead_letter, struct sl_buf *out);

/* ------------------------------------------------------------------ the engine */

/* What became of one record, handed to sl_send_options.on_result. */
enum sl_send_status {
  SL_SEND_ACCEPTED,        /* the stream took it: id (and shard_id) say where */
  SL_SEND_FAILED,          /* refused or out of attempts, not kept */
  SL_SEND_DEAD_LETTERED,   /* failed, and its line is in the dead-letter file */
  SL_SEND_WITHHELD,        /* read but not sent (sl_sender_skip: --strict after a refusal) */
  SL_SEND_INTERRUPTED      /* a signal stopped the send first (leave_interrupted): not
                            * settled, for a rerun; error_code Interrupted */
};
struct sl_send_record {
  uint64_t index;                 /* 0-based position among the records given */
  const struct sl_send_where *where; /* where it came from, may be NULL */
  enum sl_send_status status;
  const char *id;                 /* accepted: Kinesis SequenceNumber or Firehose RecordId */
  const char *shard_id;           /* accepted, Kinesis: its shard; else "" */
  const char *error_code;         /* failed, dead-lettered: the last error; else "" */
  const char *error_message;
  int attempts;                   /* requests that carried it */
  int maybe_stored;               /* not accepted, but a request carrying it got no usable
                                   * answer: the stream may hold it (a rerun may duplicate) */
  int in_kpl;                     /* accepted inside a KPL carrier: id is the carrier's */
  size_t sub_sequence;            /* then its place in it (the KCL's subSequenceNumber) */
};
SL_EXPORT const char *sl_send_status_name(enum sl_send_status s); /* "accepted", ... */
/* One JSON line for a record's outcome ('\n' ended), keys in this order:
 * {"index":N,"source":"<where>"|null,"status":"accepted|failed|dead-lettered|
 *  withheld|interrupted","attempts":N} with, when accepted, "sequence_number"
 * (then "sub_sequence_number" when in_kpl) and "shard_id" (Kinesis) or
 * "record_id" (Firehose) before "attempts", and
 * when failed, dead-lettered or interrupted "error_code" and "error_message". */
SL_EXPORT enum sl_result sl_send_record_line(const struct sl_send_record *r, enum sl_send_target t,
                                             struct sl_buf *out);

struct sl_send_options {
  enum sl_send_target target;
  const char *stream;
  size_t batch_size;            /* records per request, 1..500; 0 = 500 */
  int concurrency;              /* worker threads, each with its own client; 0 = send
                                 * from the caller's thread with the caller's client */
  int max_attempts;             /* rounds per record (entry level); 0 = 10 */
  long kinesis_request_bytes;   /* 0 = 5 MiB */
  int newline;                  /* delimiter: append '\n' when missing */
  const char *partition_key;    /* Kinesis: same key for all */
  const char *partition_key_field; /* Kinesis: dotted path in each JSON record */
  const char *explicit_hash_key;
  double retry_base_s;          /* entry-level backoff base; 0 = 0.1 s */
  double retry_max_s;           /* entry-level backoff cap; 0 = 5 s */
  const char *dead_letter;      /* file for final failures (appended, created 0600) */
  /* A batch that is not full goes out once it has waited this long since
   * its first record (0..3600 s; 0 = only full batches and the end). With
   * workers a thread watches the clock, so it happens while the caller is
   * blocked reading input; inline (concurrency 0) a waiting batch goes with
   * the next sl_sender_add or sl_sender_flush. sl_send_options_init: 1 s. */
  double flush_interval_s;
  /* Called once for every record given, when its outcome is known (from the
   * worker threads, one call at a time, in no particular order: index says
   * which). NULL: not called. */
  void (*on_result)(void *ud, const struct sl_send_record *r);
  void *on_result_ud;
  /* After sl_interrupt no request goes out and those in flight are
   * abandoned (within about a second). Their records fail with the code
   * Interrupted (listed, dead-lettered: nothing lost unsaid); with
   * leave_interrupted they are SL_SEND_INTERRUPTED instead, neither failed
   * nor dead-lettered, for a caller that keeps a checkpoint to rerun. */
  int leave_interrupted;
  /* Firehose: pack whole input records, each ending in '\n', into service
   * records of up to 1,000 KiB (needs newline; SL_E_INVALID without). */
  int aggregate;
};
SL_EXPORT void sl_send_options_init(struct sl_send_options *o);

struct sl_sender;

/* Workers get their own client from a copy of cfg (credentials resolved per
 * client); with concurrency 0, client is used instead (not copied, not
 * freed). */
SL_EXPORT enum sl_result sl_sender_new(struct sl_sender **out, const struct sl_send_options *o,
                             const struct sl_aws_config *cfg, const char *profile_path,
                             struct sl_client *client, struct sl_error *err);
/* A record read but not sent (--strict after a refusal): it keeps its place
 * in the numbering (index) and on_result hears of it as withheld. */
SL_EXPORT void sl_sender_skip(struct sl_sender *s, const struct sl_send_where *w);
/* Checks a record the way sl_sender_add would (limits, key) without taking
 * it: for --strict's first pass. */
SL_EXPORT enum sl_result sl_sender_check(struct sl_sender *s, const void *data, size_t len,
                               const struct sl_send_where *w, struct sl_error *err);
/* Takes a copy of one record; blocks while the queues are full. w (where
 * the record came from, for messages) may be NULL: "record N". A record
 * over a limit or without its key is refused: counted as failed (listed /
 * dead-lettered) and SL_E_TOO_LARGE / SL_E_INVALID / SL_E_NOT_FOUND returned
 * with err naming it; the sender goes on. Other errors are fatal. */
SL_EXPORT enum sl_result sl_sender_add(struct sl_sender *s, const void *data, size_t len,
                             const struct sl_send_where *w, struct sl_error *err);
/* Sends the batches being filled now, full or not (with workers: queues
 * them, blocking while the queues are full). Order per queue is kept, as
 * for full batches. Returns the fatal error, if the sender has one. */
SL_EXPORT enum sl_result sl_sender_flush(struct sl_sender *s, struct sl_error *err);
SL_EXPORT const struct sl_send_limits *sl_sender_limits(const struct sl_sender *s);
/* The index the next record given (added, skipped or rejected) gets. */
SL_EXPORT uint64_t sl_sender_next_index(struct sl_sender *s);
/* Input that is not a record at all (unparsable JSON, over a limit and not
 * kept): counted as failed, listed and dead-lettered without its bytes but
 * with its place, its size (bytes; 0 when not measured) and why (reason). */
SL_EXPORT void sl_sender_reject(struct sl_sender *s, const struct sl_send_where *w, uint64_t bytes,
                      const char *code, const char *message, const char *reason);
/* Counters so far (no failure list), for a progress line. */
SL_EXPORT void sl_sender_progress(struct sl_sender *s, struct sl_send_result *snap);
/* Sends what is left and waits. Fills res (initialized; its old contents
 * are freed) with counters and failures. SL_OK when
 * the run could be carried out (check res->failed); an error when it could
 * not (dead-letter file unwritable, out of memory). */
SL_EXPORT enum sl_result sl_sender_finish(struct sl_sender *s, struct sl_send_result *res,
                                struct sl_error *err);
SL_EXPORT void sl_sender_free(struct sl_sender *s);

/* ------------------------------------------------------------------ checkpoint */

/* What a send has settled (accepted or dead-lettered), kept in a file so a
 * rerun after a kill sends only the rest:
 *
 *   sl_send_input_identity(...)               the input, as one JSON text
 *   sl_send_checkpoint_open(&c, path, id)     loads it, or starts one
 *   per record i: settled -> sl_sender_skip; else
 *                 sl_send_checkpoint_reserve(c, i) then sl_sender_add
 *   on_result:    sl_send_checkpoint_note(c, rec)
 *   at the end:   sl_sender_finish, then sl_send_checkpoint_save
 *
 * The file (JSON, mode 0600) is replaced atomically (write, fsync, rename)
 * about once a second. It names the input (a checkpoint of other input is
 * refused: SL_E_INVALID, code CheckpointMismatch), the settled indexes, and
 * how far the sender may have read: a record at or past it was never sent,
 * so after a kill the records sent again that may already be stored are
 * the unsettled ones below it (sl_send_checkpoint_earlier). */
struct sl_send_checkpoint;
/* The identity of a send's input as JSON: target, stream, format, the
 * newline delimiter, each file (absolute path, size, mtime, SHA-256 of its
 * first MiB) and a SHA-256 of the argument records. A file that cannot be
 * read is SL_E_IO naming it. */
SL_EXPORT enum sl_result sl_send_input_identity(enum sl_send_target t, const char *stream,
                                                const char *format, int newline,
                                                const char *const *files, int nfiles,
                                                char *const *args, int nargs, struct sl_buf *out,
                                                struct sl_error *err);
SL_EXPORT enum sl_result sl_send_checkpoint_open(struct sl_send_checkpoint **out, const char *path,
                                                 const char *input, struct sl_error *err);
/* 1 when an earlier run settled the record at index. */
SL_EXPORT int sl_send_checkpoint_settled(struct sl_send_checkpoint *c, uint64_t index);
/* Before the record at index goes to the sender: saves when it is past
 * what the file allows, or a second has gone by. */
SL_EXPORT enum sl_result sl_send_checkpoint_reserve(struct sl_send_checkpoint *c, uint64_t index,
                                                    struct sl_error *err);
/* From on_result (any thread): accepted and dead-lettered settle it; any
 * other outcome is sent again by a rerun, counted as a possible duplicate
 * only when rec->maybe_stored. */
SL_EXPORT void sl_send_checkpoint_note(struct sl_send_checkpoint *c,
                                       const struct sl_send_record *rec);
/* The last save, once the sender has finished (every outcome noted). */
SL_EXPORT enum sl_result sl_send_checkpoint_save(struct sl_send_checkpoint *c,
                                                 struct sl_error *err);
/* What the file held when opened: records settled, and records the earlier
 * run may have sent with no outcome known (sent again now: possible
 * duplicates). */
SL_EXPORT void sl_send_checkpoint_earlier(const struct sl_send_checkpoint *c, uint64_t *settled,
                                          uint64_t *unknown);
SL_EXPORT void sl_send_checkpoint_free(struct sl_send_checkpoint *c);

/* Before reading any input: SL_OK when the stream exists and takes records
 * (ACTIVE; a Kinesis stream also while UPDATING, as AWS accepts writes
 * then). A stream still CREATING is waited on, up to SL_SEND_READY_WAIT_S,
 * with a warning. Otherwise an error naming the stream: SL_E_NOT_FOUND
 * ("... does not exist in region R, account A", code
 * ResourceNotFoundException), or SL_E_INVALID for DELETING, a failed
 * creation, or a Firehose stream that reads from a Kinesis stream (named
 * in the message, to send there instead). */
#define SL_SEND_READY_WAIT_S 300
SL_EXPORT enum sl_result sl_send_stream_ready(struct sl_client *c, enum sl_send_target t,
                                              const char *stream, struct sl_error *err);

/* A stream ARN taken apart: arn:PARTITION:kinesis:REGION:ACCOUNT:stream/NAME
 * or arn:PARTITION:firehose:REGION:ACCOUNT:deliverystream/NAME. */
struct sl_stream_arn {
  enum sl_send_target target;
  char partition[16];
  char region[64];
  char account[16];
  char name[129];
};
SL_EXPORT enum sl_result sl_send_parse_arn(const char *arn, struct sl_stream_arn *out,
                                           struct sl_error *err);
/* SL_OK when the client's credentials are of account (STS
 * GetCallerIdentity); else SL_E_INVALID (code AccountMismatch) naming both,
 * so a same-named stream in another account is never written to. */
SL_EXPORT enum sl_result sl_send_check_account(struct sl_client *c, const char *account,
                                               struct sl_error *err);

/* The one call for a program without a sluice profile, as
 * KinesisWriter(stream_name=...) and FirehoseAPI(delivery_stream_name=...)
 * were: stream is a name or an ARN (whose region and account are used and
 * checked); region, credentials and endpoints come from the environment
 * and the AWS shared config (sl_aws_config_load); the stream is checked
 * (sl_send_stream_ready); o may be NULL for the defaults (sl_send_options_init:
 * a newline added to records that lack one, 4 workers; concurrency 0 is
 * one worker here, as there is no caller's client). Then use it as any
 * other: sl_sender_add, sl_sender_finish, sl_sender_free. On failure *out
 * is NULL. */
SL_EXPORT enum sl_result sl_sender_open(struct sl_sender **out, enum sl_send_target t,
                                        const char *stream, const struct sl_send_options *o,
                                        struct sl_error *err);

/* ------------------------------------------------------------------ the old calls */

/* The old libraries' calls, on the caller's client, in the caller's thread.
 * Every record is checked first: one over a limit gives SL_E_TOO_LARGE
 * naming it ("record 3: ...") and nothing is sent. Then SL_OK when all were
 * accepted, SL_E_AWS (err: the first final failure) when some were not;
 * res (initialized) lists them. o may be NULL: the defaults, except that
 * no '\n' is added (the old libraries sent the bytes as given). */
SL_EXPORT enum sl_result sl_send_firehose_record(struct sl_client *c, const char *stream, const void *data,
                                       size_t len, struct sl_send_result *res,
                                       struct sl_error *err);
SL_EXPORT enum sl_result sl_send_firehose_batch(struct sl_client *c, const char *stream,
                                      const struct sl_view *recs, size_t n,
                                      const struct sl_send_options *o,
                                      struct sl_send_result *res, struct sl_error *err);
/* partition_key NULL: a random UUID per record. */
SL_EXPORT enum sl_result sl_send_kinesis(struct sl_client *c, const char *stream,
                               const struct sl_view *recs, size_t n, const char *partition_key,
                               const struct sl_send_options *o, struct sl_send_result *res,
                               struct sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
