/* sluice — the inspect engine: lists the log objects under an S3 prefix (or
 * a local folder), narrowed to the hour prefixes of a time window, fetches
 * and decodes them concurrently and hands their records on in key order.
 *
 * Pipeline, one direction: lister (pages of keys) → objects in flight
 * (worker threads, each with its own client and decoder) → ordering window →
 * the caller's sink. Nothing here ever writes to S3: only ListObjectsV2 and
 * GetObject are sent. */
#ifndef SLUICE_INSPECT_H
#define SLUICE_INSPECT_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>

#include "aws.h"
#include "buf.h"
#include "decode.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SL_INSPECT_NO_TIME INT64_MIN
#define SL_INSPECT_DEFAULT_CONCURRENCY 8
#define SL_INSPECT_MAX_CONCURRENCY 64
#define SL_INSPECT_DEFAULT_OBJECT_BUFFER (1024u * 1024u)
#define SL_INSPECT_MAX_WINDOW_HOURS 10000 /* wider windows list the whole prefix */

/* ---- time and prefixes (window.c) ---------------------------------- */

/* ISO 8601 in UTC ("2024-05-01", "2024-05-01T10", "...T10:30", "...T10:30:00",
 * optional fraction and "Z"; a space may stand for the "T"), "now", or a
 * time relative to now: "<N>s", "<N>m", "<N>h", "<N>d" (that long ago).
 * Seconds since the epoch in *out. */
SL_EXPORT enum sl_result sl_inspect_parse_time(const char *s, int64_t now, int64_t *out);
/* Writes t as "YYYY-MM-DDTHH:MM:SSZ" (out holds at least 21 bytes). */
SL_EXPORT void sl_inspect_format_time(int64_t t, char *out, size_t outlen);
/* The arrival time Firehose puts in an object's name
 * ("...-YYYY-MM-DD-HH-MM-SS-<uuid>[.gz]"); 1 when found. */
SL_EXPORT int sl_inspect_key_time(const char *key, int64_t *t);

/* 1 when the prefix holds any !{...} expression. */
SL_EXPORT int sl_inspect_prefix_has_expressions(const char *pattern);
/* Evaluates a Firehose prefix for time t and appends it to out: literal
 * text is copied, !{timestamp:PATTERN} is formatted (letters y/u, M, d, H, D
 * and 'quoted' text). Evaluation stops at the first thing that does not
 * depend only on the hour: a minute/second letter, !{firehose:...} or any
 * other expression; *complete says whether the whole pattern was used.
 * SL_E_INVALID for a malformed expression. */
SL_EXPORT enum sl_result sl_inspect_eval_prefix(const char *pattern, int64_t t, struct sl_buf *out,
                                      int *complete);

/* The list prefixes covering the hours from since to until (both included),
 * in key order, each once. A pattern without expressions gets Firehose's
 * default layout: pattern + "YYYY/MM/dd/HH/". Patterns whose evaluation
 * stops before any time letter give SL_E_UNSUPPORTED (nothing to narrow),
 * windows longer than max_hours SL_E_TOO_LARGE. */
struct sl_inspect_prefixes {
  char **v;
  size_t n;
};
SL_EXPORT enum sl_result sl_inspect_window_prefixes(const char *pattern, int64_t since, int64_t until,
                                          size_t max_hours, struct sl_inspect_prefixes *out);
SL_EXPORT void sl_inspect_prefixes_cleanup(struct sl_inspect_prefixes *p);

/* ---- record filters (filter.c) ------------------------------------- */

/* --where path=value (AND-ed, dotted JSON path; a numeric step indexes an
 * array) and --grep text (plain substring of the record). A string member
 * matches its text; other values match their JSON text ("200", "true",
 * "null"). Text-line records never match a --where. */
struct sl_inspect_where {
  char *path;  /* "a.b.0.c" */
  char *value;
};
struct sl_inspect_filter {
  struct sl_inspect_where *where;
  size_t nwhere;
  char *grep;  /* NULL = none */
};
SL_EXPORT void sl_inspect_filter_init(struct sl_inspect_filter *f);
SL_EXPORT void sl_inspect_filter_cleanup(struct sl_inspect_filter *f);
/* "path=value"; SL_E_INVALID without '=' or with an empty path. */
SL_EXPORT enum sl_result sl_inspect_filter_add_where(struct sl_inspect_filter *f, const char *spec);
SL_EXPORT enum sl_result sl_inspect_filter_set_grep(struct sl_inspect_filter *f, const char *text);
/* 1 when the record passes every condition. Thread-safe (read-only). */
SL_EXPORT int sl_inspect_filter_match(const struct sl_inspect_filter *f, const char *p, size_t n, int kind);

/* One record as an NDJSON line (with its "\n"): a JSON record as is, or
 * compacted when it spans lines; a text line as a JSON string. With key,
 * wrapped as {"key":K,"offset":N,"record":R}. */
SL_EXPORT enum sl_result sl_inspect_format_record(struct sl_buf *out, const char *key, uint64_t offset,
                                        const char *p, size_t n, int kind);

/* ---- listing (listing.c) ------------------------------------------- */

struct sl_inspect_object {
  const char *key;           /* S3 key, or the file's path for local sources */
  long long size;
  const char *last_modified; /* ISO 8601 */
  int64_t time;              /* arrival time from the key, else LastModified; or SL_INSPECT_NO_TIME */
};

struct sl_inspect_source {
  const char *bucket;        /* S3 source... */
  const char *prefix;        /* ...literal or with !{timestamp:...} */
  const char *local;         /* or a file or folder (bucket NULL) */
  const char *start_after;   /* only keys after this one */
  int64_t since, until;      /* arrival window; SL_INSPECT_NO_TIME = open */
  int flat;                  /* do not assume the hour layout: list the whole prefix */
  int concurrency;           /* hour prefixes listed at once; 0 = default */
  int max_keys;              /* ListObjectsV2 page size; 0 = 1000 */
};

struct sl_inspect_lister;

/* The client is used on the calling thread; concurrent hour listings get
 * their own clients made from a copy of its configuration. c may be NULL
 * for a local source. */
SL_EXPORT enum sl_result sl_inspect_lister_new(struct sl_client *c, const struct sl_inspect_source *src,
                                     struct sl_inspect_lister **out, struct sl_error *err);
/* The next object in key order; *obj NULL at the end. *obj stays valid until
 * the next call. */
SL_EXPORT enum sl_result sl_inspect_lister_next(struct sl_inspect_lister *l,
                                      const struct sl_inspect_object **obj, struct sl_error *err);
/* How many ListObjectsV2 pages were asked for, and whether the hour layout
 * narrowed the listing. */
SL_EXPORT unsigned long sl_inspect_lister_pages(struct sl_inspect_lister *l);
SL_EXPORT int sl_inspect_lister_windowed(const struct sl_inspect_lister *l);
/* The bucket listed, or NULL for a local source. */
SL_EXPORT const char *sl_inspect_lister_bucket(const struct sl_inspect_lister *l);
SL_EXPORT void sl_inspect_lister_free(struct sl_inspect_lister *l);

/* ---- ordering window (order.c) ------------------------------------- */

/* Objects are numbered 0, 1, 2 ... in key order. Workers take them in that
 * order and emit output for them concurrently; output reaches write() in
 * object order. The object at the head streams straight to write(); one
 * behind it buffers up to buffer_max bytes and then waits until it is the
 * head. At most `window` objects are taken but not yet finished-and-written,
 * so memory is bounded by window * buffer_max. Because objects are taken in
 * order, the head is always being worked on and a waiting worker always
 * gets to go on. */
struct sl_inspect_order;

struct sl_inspect_order_options {
  size_t window;      /* >= 1 */
  size_t buffer_max;  /* bytes held per object that is not the head */
  /* Output in order; non-zero stops everything. Called with no other write
   * in progress. */
  int (*write)(void *ud, const char *p, size_t n);
  /* An object is finished and its output written, in order; non-zero stops. */
  int (*done)(void *ud, uint64_t seq, void *job);
  /* Once per job put, after done or when the queue is freed; may be NULL. */
  void (*release)(void *ud, void *job);
  void *ud;
};
/* Defaults: a window of 1, 1 MiB held per object, no callbacks. */
SL_EXPORT void sl_inspect_order_options_init(struct sl_inspect_order_options *o);

SL_EXPORT struct sl_inspect_order *sl_inspect_order_new(const struct sl_inspect_order_options *o);
SL_EXPORT void sl_inspect_order_free(struct sl_inspect_order *q);
/* Producer: adds the next object's job (numbered in call order); waits while
 * the window is full. 0, or -1 once stopped (the job stays the caller's). */
SL_EXPORT int sl_inspect_order_put(struct sl_inspect_order *q, void *job);
/* Producer: no more objects. */
SL_EXPORT void sl_inspect_order_close(struct sl_inspect_order *q);
/* Worker: takes the next object; 0 with seq and job, or -1 when there are no
 * more or it stopped. */
SL_EXPORT int sl_inspect_order_take(struct sl_inspect_order *q, uint64_t *seq, void **job);
/* Worker: output of object seq; 0, or -1 once stopped (the worker should
 * give up on the object). May wait (see above). */
SL_EXPORT int sl_inspect_order_emit(struct sl_inspect_order *q, uint64_t seq, const char *p, size_t n);
/* Worker: object seq is complete. */
SL_EXPORT void sl_inspect_order_end(struct sl_inspect_order *q, uint64_t seq);
SL_EXPORT void sl_inspect_order_stop(struct sl_inspect_order *q);
SL_EXPORT int sl_inspect_order_stopped(struct sl_inspect_order *q);
/* Largest number of bytes held in object buffers at once (for tests). */
SL_EXPORT size_t sl_inspect_order_peak(struct sl_inspect_order *q);

/* ---- fetch, decode, ordered delivery (run.c) ----------------------- */

struct sl_inspect_record {
  const struct sl_inspect_object *obj;
  uint64_t offset;   /* in the decompressed object */
  const char *data;  /* not NUL-terminated */
  size_t len;
  int kind;          /* SL_RECORD_JSON or SL_RECORD_TEXT */
  void *priv;        /* the engine's */
};

/* From on_record: this record is bad data (counted with the object's data
 * errors and passed to on_data_error). */
SL_EXPORT void sl_inspect_record_error(const struct sl_inspect_record *rec, const char *reason);
/* From on_record: this record was selected (counted in the object's
 * result as `selected`), for handlers that count rather than print. */
SL_EXPORT void sl_inspect_record_select(const struct sl_inspect_record *rec);

/* One object's outcome, given in key order. */
struct sl_inspect_result {
  const struct sl_inspect_object *obj;
  uint64_t records;
  uint64_t selected;      /* records on_record passed to sl_inspect_record_select */
  uint64_t data_errors;   /* bad records, corrupt or truncated streams */
  uint64_t bytes_in;
  int fetch_failed;       /* the object could not be read (network, AWS, file) */
  int unsupported;        /* ZIP / Snappy */
};

struct sl_inspect_run_options {
  int concurrency;            /* worker threads; 0 = 8 */
  size_t object_buffer;       /* output held per object waiting its turn; 0 = 1 MiB */
  enum sl_decode_format format;
  size_t record_max;          /* 0 = the decoder's default */
  /* Worker threads, concurrently: append one record's output to out (or
   * nothing to drop it). Non-zero stops the run. */
  int (*on_record)(void *ud, const struct sl_inspect_record *rec, struct sl_buf *out);
  /* Worker threads, one at a time: bad data or a failed read. */
  void (*on_data_error)(void *ud, const struct sl_inspect_object *obj, uint64_t offset,
                        const char *reason);
  /* In key order, after the object's output: non-zero stops the run. */
  int (*on_object)(void *ud, const struct sl_inspect_result *res);
  /* In key order: the output. Non-zero stops the run (e.g. a record limit). */
  int (*write)(void *ud, const char *p, size_t n);
  void *ud;
};
/* All zero: 8 workers, 1 MiB per object, the decoder's defaults, no
 * callbacks. */
SL_EXPORT void sl_inspect_run_options_init(struct sl_inspect_run_options *o);

/* Runs the lister to the end (or until stopped). c may be NULL for local
 * sources; workers make their own clients from a copy of c's configuration.
 * Data errors do not fail the run: they are counted per object. */
SL_EXPORT enum sl_result sl_inspect_run(struct sl_client *c, struct sl_inspect_lister *l,
                              const struct sl_inspect_run_options *o, struct sl_error *err);

/* A client of its own for another thread, configured like c. */
SL_EXPORT enum sl_result sl_inspect_client_clone(struct sl_client *c, struct sl_client *out,
                                       struct sl_error *err);

/* ---- iterator (iter.c) --------------------------------------------- */

/* The old library's shape: one object per call, on the caller's thread and
 * client, records collected in memory (bounded by max_bytes per object).
 * Resumable: pass the last key returned as start_after. */
struct sl_inspect_iter;

struct sl_inspect_records {
  size_t n;
  const struct sl_inspect_record *v; /* valid until the next call */
  uint64_t data_errors;
  int truncated;                     /* more than max_bytes: the rest dropped, counted as an error */
};

SL_EXPORT struct sl_inspect_iter *sl_inspect_iter_new(struct sl_client *c, const char *bucket,
                                            const char *prefix, const char *start_after,
                                            size_t max_bytes);
/* SL_OK with *key and *recs for the next object, or *key NULL at the end. */
SL_EXPORT enum sl_result sl_inspect_iter_next(struct sl_inspect_iter *it, const char **key,
                                    struct sl_inspect_records *recs, struct sl_error *err);
SL_EXPORT void sl_inspect_iter_free(struct sl_inspect_iter *it);

/* ---- commands (commands.c, stats.c) -------------------------------- */

/* What `inspect ls|cat|stats|errors|tail` were asked, parsed once by the
 * command line. Output goes to out() (stdout), bad data to report()
 * (stderr); the library prints nothing itself. */
struct sl_inspect_command {
  struct sl_inspect_source src;
  const struct sl_inspect_filter *filter; /* cat, errors, tail, stats; NULL = every record */
  int with_key;                           /* cat, tail: {key, offset, record} */
  uint64_t limit;                         /* records printed (cat --limit, tail --count); 0 = all */
  int concurrency;                        /* 0 = 8 */
  size_t object_buffer;                   /* 0 = 1 MiB */
  enum sl_decode_format format;
  int json;                               /* ls, stats: JSON output */
  long interval_ms;                       /* tail: poll interval; 0 = 10 s */
  long timeout_ms;                        /* tail: stop after; 0 = never */
  int (*out)(void *ud, const char *p, size_t n);
  void (*report)(void *ud, const char *key, uint64_t offset, const char *reason);
  void *ud;
  int raw;                                /* errors: filter on the error record as stored
                                             (rawData in base64), not the decoded record */
};

struct sl_inspect_summary {
  uint64_t objects;        /* read to the end */
  uint64_t bytes;
  uint64_t records;        /* decoded */
  uint64_t printed;        /* output lines */
  uint64_t data_errors;
  uint64_t failed_objects; /* could not be read */
  unsigned long list_pages;
  int windowed;
  int stopped;             /* limit reached */
  char last_key[1100];     /* last object whose output was complete */
};

/* Per-hour record counts and arrival range, as `inspect stats` reports. */
struct sl_inspect_hour {
  int64_t hour;            /* start of the hour, or SL_INSPECT_NO_TIME */
  uint64_t records;
  uint64_t objects;
};
/* With a filter, records, the hours' records and first/last count only the
 * records that pass it (first/last: objects holding at least one); objects,
 * bytes and parse errors stay totals of everything read. */
struct sl_inspect_stats {
  struct sl_inspect_summary sum; /* sum.records: every record decoded */
  uint64_t records;        /* records that pass the filter (all without one) */
  int64_t first, last;     /* arrival times; SL_INSPECT_NO_TIME when none */
  struct sl_inspect_hour *hours; /* sorted */
  size_t nhours;
};
SL_EXPORT void sl_inspect_stats_cleanup(struct sl_inspect_stats *st);
/* Text ("objects: N" ...) or JSON (one object and "\n"). */
SL_EXPORT enum sl_result sl_inspect_stats_render(const struct sl_inspect_stats *st, int json,
                                       struct sl_buf *out);
/* The --json document for a command that failed before it could report:
 * {"format_version", "command", "profile": target, "error": {...}}. */
SL_EXPORT enum sl_result sl_inspect_error_json(const char *command, const char *target,
                                               const struct sl_error *err, struct sl_buf *out);

SL_EXPORT enum sl_result sl_inspect_ls(struct sl_client *c, const struct sl_inspect_command *cmd,
                             struct sl_inspect_summary *sum, struct sl_error *err);
SL_EXPORT enum sl_result sl_inspect_cat(struct sl_client *c, const struct sl_inspect_command *cmd,
                              struct sl_inspect_summary *sum, struct sl_error *err);
SL_EXPORT enum sl_result sl_inspect_errors(struct sl_client *c, const struct sl_inspect_command *cmd,
                                 struct sl_inspect_summary *sum, struct sl_error *err);
SL_EXPORT enum sl_result sl_inspect_tail(struct sl_client *c, const struct sl_inspect_command *cmd,
                               struct sl_inspect_summary *sum, struct sl_error *err);
/* st is zeroed first; sl_inspect_stats_cleanup it. */
SL_EXPORT enum sl_result sl_inspect_stats(struct sl_client *c, const struct sl_inspect_command *cmd,
                                struct sl_inspect_stats *st, struct sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
