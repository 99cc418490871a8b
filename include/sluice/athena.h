/* sluice — the Glue Data Catalog and Athena, both JSON 1.1: the table
 * over the delivered prefix, and queries run on it (start, wait, stop,
 * results page by page, the three printed formats, and the cost). */
#ifndef SLUICE_ATHENA_H
#define SLUICE_ATHENA_H

#include "export.h"

#include "aws.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

/* Calls an operation by name ("GetTable", "StartQueryExecution"), mapping
 * EntityNotFoundException (Glue) and ResourceNotFoundException to
 * SL_E_NOT_FOUND (err still filled). out may be NULL. */
SL_EXPORT enum sl_result sl_glue_call(struct sl_client *c, const char *op, struct json_object *in,
                                      struct json_object **out, struct sl_error *err);
SL_EXPORT enum sl_result sl_athena_call(struct sl_client *c, const char *op,
                                        struct json_object *in, struct json_object **out,
                                        struct sl_error *err);

/* ---- Athena queries ---- */

/* What Athena uses when a query names no catalog or workgroup. */
#define SL_ATHENA_CATALOG "AwsDataCatalog"
#define SL_ATHENA_WORKGROUP "primary"
/* Room for a query execution id (Athena's are 36-character UUIDs). */
#define SL_ATHENA_ID_MAX 64
/* ClientRequestToken length Athena accepts. */
#define SL_ATHENA_TOKEN_MIN 32
#define SL_ATHENA_TOKEN_MAX 128

/* A query to start. Set up with sl_athena_query_init, then fill; strings
 * are only read, during the call. */
struct sl_athena_query {
  const char *sql;             /* required */
  const char *database;        /* NULL: none sent (the SQL names its tables) */
  const char *catalog;         /* NULL = SL_ATHENA_CATALOG */
  const char *workgroup;       /* NULL = SL_ATHENA_WORKGROUP */
  const char *output_location; /* "s3://bucket/prefix/"; NULL: the workgroup's */
  /* SL_ATHENA_TOKEN_MIN..MAX characters; NULL = 32 random hex digits. The
   * same token names the same query, so the client's whole-request retries
   * cannot start it twice. */
  const char *client_request_token;
};
SL_EXPORT void sl_athena_query_init(struct sl_athena_query *q);

/* StartQueryExecution: QueryString, QueryExecutionContext {Database,
 * Catalog}, ResultConfiguration {OutputLocation}, WorkGroup and
 * ClientRequestToken. id gets the QueryExecutionId ("" on failure).
 * SL_E_INVALID, before anything is sent, for no SQL or a token of the
 * wrong length. */
SL_EXPORT enum sl_result sl_athena_start(struct sl_client *c, const struct sl_athena_query *q,
                                         char id[SL_ATHENA_ID_MAX], struct sl_error *err);

/* A query as GetQueryExecution reports it. Texts are cut with "..." when
 * longer than their room; numbers are 0 when Athena gave none. */
struct sl_athena_status {
  char id[SL_ATHENA_ID_MAX];
  char state[16];          /* QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED */
  char statement_type[16]; /* DML, DDL, UTILITY; "" when not given */
  char reason[1024];       /* Status.StateChangeReason, else AthenaError.ErrorMessage */
  int error_category;      /* AthenaError.ErrorCategory: 1 system, 2 user, 3 other; 0 none */
  int error_type;          /* AthenaError.ErrorType (Athena's error catalog); 0 none */
  long long bytes_scanned; /* Statistics.DataScannedInBytes */
  long long engine_ms;     /* Statistics.EngineExecutionTimeInMillis */
  long long total_ms;      /* Statistics.TotalExecutionTimeInMillis */
  long long queue_ms;      /* Statistics.QueryQueueTimeInMillis */
  char output[2048];       /* ResultConfiguration.OutputLocation (the result CSV) */
};

/* GetQueryExecution into *st. SL_E_PARSE for an answer without a state. */
SL_EXPORT enum sl_result sl_athena_status_get(struct sl_client *c, const char *id,
                                              struct sl_athena_status *st, struct sl_error *err);
/* Non-zero for SUCCEEDED, FAILED and CANCELLED: the state will not change. */
SL_EXPORT int sl_athena_final(const struct sl_athena_status *st);

/* Polls GetQueryExecution until the state is final: the first poll after
 * 100 ms, each wait 1.5 times the last up to 2 s. on_progress (may be NULL)
 * sees *st after every poll. SL_OK for any final state (the caller reads
 * st->state), SL_E_INTERRUPTED once sl_interrupted() is set; the query
 * then still runs on Athena: sl_interrupt_reset(), then sl_athena_stop
 * (while the flag is set every transfer fails at once). */
SL_EXPORT enum sl_result sl_athena_wait(struct sl_client *c, const char *id,
                                        void (*on_progress)(void *ud,
                                                            const struct sl_athena_status *st),
                                        void *ud, struct sl_athena_status *st,
                                        struct sl_error *err);
/* StopQueryExecution (Athena accepts it for a query already final). */
SL_EXPORT enum sl_result sl_athena_stop(struct sl_client *c, const char *id,
                                        struct sl_error *err);

/* A result column (ResultSetMetadata.ColumnInfo). type is Athena's name:
 * "varchar", "bigint", "decimal", "row(a integer, b varchar)", ... */
struct sl_athena_column {
  const char *name;
  const char *type;
};

/* Rows asked for per GetQueryResults page (Athena's maximum). */
#define SL_ATHENA_PAGE_ROWS 1000

/* GetQueryResults of a SUCCEEDED query, every NextToken page. on_columns
 * (may be NULL) is called once, before any row; on_row once per data row,
 * with n = the column count and values[i] NULL for SQL NULL. Pointers are
 * valid during the call only. Athena repeats the column labels as the first
 * row of a SELECT's first page: that row is dropped, only there and only
 * when it equals the labels. A callback's non-zero return stops the paging
 * and the call returns SL_OK (keep the reason in ud), as the other
 * listings of the library do. */
SL_EXPORT enum sl_result sl_athena_results(struct sl_client *c, const char *id,
                                           int (*on_columns)(void *ud,
                                                             const struct sl_athena_column *cols,
                                                             size_t n),
                                           int (*on_row)(void *ud, const char *const *values,
                                                         size_t n),
                                           void *ud, struct sl_error *err);

/* ---- Printing results: inspect query --format ---- */

enum sl_athena_format {
  /* One JSON object per row and line, keys the column names in order.
   * tinyint, smallint, integer, bigint, real, double, float and decimal
   * values are JSON numbers as Athena wrote them (a string when the text is
   * not a JSON number: NaN, Infinity); boolean true/false; NULL null; every
   * other type a string. Strings are valid UTF-8: ill-formed bytes become
   * U+FFFD, control characters are escaped. */
  SL_ATHENA_NDJSON = 0,
  /* RFC 4180 with LF line ends: a header of column names, then the rows.
   * A field is quoted (quotes doubled) when it holds a comma, quote, CR or
   * LF, and when it is the empty string, so that it differs from NULL,
   * which is an empty field. Bytes are copied as they are. */
  SL_ATHENA_CSV,
  /* Aligned for a terminal, written by sl_athena_out_finish (rows are kept
   * until then): the header, a rule of '-', the rows, then "(N rows)".
   * Columns are two spaces apart, as wide as their widest cell in code
   * points, numbers to the right. NULL shows as NULL; a cell longer than
   * SL_ATHENA_CELL_MAX code points is cut to end in "…"; control characters
   * show as \n, \t, \r, \xHH (C0, DEL) or \u00HH (C1), so a value cannot
   * move the cursor or recolor the terminal; ill-formed UTF-8 shows as
   * U+FFFD. */
  SL_ATHENA_TABLE
};

#define SL_ATHENA_CELL_MAX 60

/* A writer of one result in one format, appending to a buffer the caller
 * owns. Embed it; its state is private. NDJSON and CSV write each row as it
 * comes (the caller may write out and reset it between calls); TABLE keeps
 * the rows, within out's maximum, until finish. A call that fails leaves
 * out as it was before the call. */
struct sl_athena_out_state;
struct sl_athena_out {
  struct sl_athena_out_state *s;
};

SL_EXPORT enum sl_result sl_athena_out_init(struct sl_athena_out *o, enum sl_athena_format fmt,
                                            struct sl_buf *out);
/* Once, before the rows (names and types are copied). */
SL_EXPORT enum sl_result sl_athena_out_columns(struct sl_athena_out *o,
                                               const struct sl_athena_column *cols, size_t n);
/* n must be the column count: SL_E_INVALID otherwise, or before columns. */
SL_EXPORT enum sl_result sl_athena_out_row(struct sl_athena_out *o, const char *const *values,
                                           size_t n);
/* Ends the output (TABLE: all of it). Later calls do nothing. */
SL_EXPORT enum sl_result sl_athena_out_finish(struct sl_athena_out *o);
/* Rows taken so far. */
SL_EXPORT size_t sl_athena_out_rows(const struct sl_athena_out *o);
/* Frees the state; safe on a writer whose init failed or that was cleaned. */
SL_EXPORT void sl_athena_out_cleanup(struct sl_athena_out *o);

/* ---- Cost ---- */

/* Athena SQL pricing (aws.amazon.com/athena/pricing): USD 5.00 per TB
 * scanned, each query rounded up to a whole MB with a 10 MB minimum. DDL
 * statements and failed queries are free; cancelled ones pay for what they
 * scanned. MB and TB are binary (2^20, 2^40 bytes), as AWS bills. */
#define SL_ATHENA_USD_PER_TB 5.0
#define SL_ATHENA_MIN_MB 10

/* The charge for that many bytes scanned; 0 for 0 (or fewer) bytes. */
SL_EXPORT double sl_athena_cost_usd(long long bytes_scanned);
/* The charge for a query as reported: 0 when FAILED or DDL, else
 * sl_athena_cost_usd(st->bytes_scanned). */
SL_EXPORT double sl_athena_query_cost_usd(const struct sl_athena_status *st);

#ifdef __cplusplus
}
#endif
#endif
