/* athena.c — the Glue Data Catalog and Athena over JSON 1.1, and an
 * Athena query's life: start (idempotent by its token), poll until final,
 * stop, read the results page by page, and what it cost. Printing the
 * results is athena_out.c. */
#include "sluice/athena.h"
#include "sluice/retry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/rand.h>

#define GLUE_PREFIX "AWSGlue."
#define ATHENA_PREFIX "AmazonAthena."

/* Polling: soon enough that a small query feels instant, slowing so a long
 * one does not spend the account's GetQueryExecution rate for nothing. */
#define POLL_FIRST_S 0.1
#define POLL_GROWTH 1.5
#define POLL_MAX_S 2.0

#define TOKEN_BYTES 16 /* 32 hex digits, Athena's minimum */

static enum sl_result call(struct sl_client *c, enum sl_service svc, const char *prefix,
                           const char *op, struct json_object *in, struct json_object **out,
                           struct sl_error *err)
{
  char target[128];
  struct json_object *ignored = NULL;
  enum sl_result r;
  snprintf(target, sizeof(target), "%s%s", prefix, op);
  r = sl_aws_json(c, svc, target, in, out ? out : &ignored, err);
  if(ignored)
    json_object_put(ignored);
  if(r == SL_E_AWS && (!strcmp(err->code, "EntityNotFoundException") ||
                       !strcmp(err->code, "ResourceNotFoundException")))
    r = SL_E_NOT_FOUND;
  return r;
}

enum sl_result sl_glue_call(struct sl_client *c, const char *op, struct json_object *in,
                            struct json_object **out, struct sl_error *err)
{
  return call(c, SL_SVC_GLUE, GLUE_PREFIX, op, in, out, err);
}

enum sl_result sl_athena_call(struct sl_client *c, const char *op, struct json_object *in,
                              struct json_object **out, struct sl_error *err)
{
  return call(c, SL_SVC_ATHENA, ATHENA_PREFIX, op, in, out, err);
}

/* ---- JSON helpers ---- */

static struct json_object *get(struct json_object *o, const char *name)
{
  struct json_object *v = NULL;
  return o && json_object_object_get_ex(o, name, &v) ? v : NULL;
}

static const char *str(struct json_object *o, const char *name)
{
  struct json_object *v = get(o, name);
  return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

static long long num(struct json_object *o, const char *name)
{
  struct json_object *v = get(o, name);
  return v && json_object_is_type(v, json_type_int) ? (long long)json_object_get_int64(v) : 0;
}

/* Adds v under k, taking it; 0 on success. On failure v is released. */
static int add(struct json_object *o, const char *k, struct json_object *v)
{
  if(v && !json_object_object_add(o, k, v))
    return 0;
  json_object_put(v);
  return -1;
}

static int add_str(struct json_object *o, const char *k, const char *v)
{
  return add(o, k, json_object_new_string(v));
}

/* s into dst, cut to end in "..." when it does not fit. */
static void copy_cut(char *dst, size_t cap, const char *s)
{
  if((size_t)snprintf(dst, cap, "%s", s ? s : "") >= cap && cap > 3)
    memcpy(dst + cap - 4, "...", 4);
}

/* {"QueryExecutionId": id}, the input of every call on one query. */
static enum sl_result id_input(const char *id, struct json_object **in, struct sl_error *err)
{
  *in = json_object_new_object();
  if(*in && !add_str(*in, "QueryExecutionId", id))
    return SL_OK;
  json_object_put(*in);
  *in = NULL;
  return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory building an Athena request");
}

/* ---- Starting, watching, stopping ---- */

void sl_athena_query_init(struct sl_athena_query *q)
{
  memset(q, 0, sizeof(*q));
}

static struct json_object *start_input(const struct sl_athena_query *q, const char *token)
{
  struct json_object *in = json_object_new_object(), *ctx = json_object_new_object(),
                     *rc = q->output_location ? json_object_new_object() : NULL;
  int bad = !in || !ctx || (q->output_location && !rc);
  bad = bad || add_str(in, "QueryString", q->sql);
  if(!bad && q->database)
    bad = add_str(ctx, "Database", q->database);
  bad = bad || add_str(ctx, "Catalog", q->catalog ? q->catalog : SL_ATHENA_CATALOG);
  if(!bad) {
    bad = add(in, "QueryExecutionContext", ctx);
    ctx = NULL;
  }
  if(!bad && rc) {
    bad = add_str(rc, "OutputLocation", q->output_location) ||
          add(in, "ResultConfiguration", rc);
    rc = NULL;
  }
  bad = bad || add_str(in, "WorkGroup", q->workgroup ? q->workgroup : SL_ATHENA_WORKGROUP);
  bad = bad || add_str(in, "ClientRequestToken", token);
  json_object_put(ctx);
  json_object_put(rc);
  if(bad) {
    json_object_put(in);
    in = NULL;
  }
  return in;
}

enum sl_result sl_athena_start(struct sl_client *c, const struct sl_athena_query *q,
                               char id[SL_ATHENA_ID_MAX], struct sl_error *err)
{
  char made[2 * TOKEN_BYTES + 1];
  unsigned char raw[TOKEN_BYTES];
  const char *token = q->client_request_token, *got;
  struct json_object *in = NULL, *out = NULL;
  enum sl_result r = SL_OK;
  id[0] = 0;
  if(!q->sql || !q->sql[0])
    return sl_error_set(err, SL_E_INVALID, NULL, "StartQueryExecution: no SQL to run");
  if(token && (strlen(token) < SL_ATHENA_TOKEN_MIN || strlen(token) > SL_ATHENA_TOKEN_MAX))
    return sl_error_set(err, SL_E_INVALID, NULL,
                        "StartQueryExecution: the client request token has %zu characters, "
                        "Athena takes %d to %d", strlen(token), SL_ATHENA_TOKEN_MIN,
                        SL_ATHENA_TOKEN_MAX);
  if(!token) {
    if(RAND_bytes(raw, sizeof(raw)) != 1)
      return sl_error_set(err, SL_E_INTERNAL, NULL, "no random bytes for a request token");
    sl_hex(raw, sizeof(raw), made);
    token = made;
  }
  in = start_input(q, token);
  if(!in)
    r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory building StartQueryExecution");
  if(!r) r = sl_athena_call(c, "StartQueryExecution", in, &out, err);
  got = r ? NULL : str(out, "QueryExecutionId");
  if(!r && (!got || !got[0] || strlen(got) >= SL_ATHENA_ID_MAX))
    r = sl_error_set(err, SL_E_PARSE, NULL, "StartQueryExecution answer has no usable "
                     "QueryExecutionId");
  if(!r)
    memcpy(id, got, strlen(got) + 1);
  json_object_put(in);
  json_object_put(out);
  return r;
}

static enum sl_result take_status(struct json_object *out, const char *id,
                                  struct sl_athena_status *st, struct sl_error *err)
{
  struct json_object *qe = get(out, "QueryExecution"), *status = get(qe, "Status"),
                     *ae = get(status, "AthenaError"), *stats = get(qe, "Statistics");
  const char *state = str(status, "State"), *reason = str(status, "StateChangeReason");
  memset(st, 0, sizeof(*st));
  if(!state || !state[0] || strlen(state) >= sizeof(st->state))
    return sl_error_set(err, SL_E_PARSE, NULL, "GetQueryExecution answer for %s has no "
                        "query state", id);
  memcpy(st->state, state, strlen(state) + 1);
  copy_cut(st->id, sizeof(st->id), str(qe, "QueryExecutionId") ? str(qe, "QueryExecutionId") : id);
  copy_cut(st->statement_type, sizeof(st->statement_type), str(qe, "StatementType"));
  copy_cut(st->reason, sizeof(st->reason),
           reason && reason[0] ? reason : str(ae, "ErrorMessage"));
  st->error_category = (int)num(ae, "ErrorCategory");
  st->error_type = (int)num(ae, "ErrorType");
  st->bytes_scanned = num(stats, "DataScannedInBytes");
  st->engine_ms = num(stats, "EngineExecutionTimeInMillis");
  st->total_ms = num(stats, "TotalExecutionTimeInMillis");
  st->queue_ms = num(stats, "QueryQueueTimeInMillis");
  copy_cut(st->output, sizeof(st->output), str(get(qe, "ResultConfiguration"), "OutputLocation"));
  return SL_OK;
}

enum sl_result sl_athena_status_get(struct sl_client *c, const char *id,
                                    struct sl_athena_status *st, struct sl_error *err)
{
  struct json_object *in = NULL, *out = NULL;
  enum sl_result r = id_input(id, &in, err);
  memset(st, 0, sizeof(*st));
  if(!r) r = sl_athena_call(c, "GetQueryExecution", in, &out, err);
  if(!r) r = take_status(out, id, st, err);
  json_object_put(in);
  json_object_put(out);
  return r;
}

int sl_athena_final(const struct sl_athena_status *st)
{
  return !strcmp(st->state, "SUCCEEDED") || !strcmp(st->state, "FAILED") ||
         !strcmp(st->state, "CANCELLED");
}

enum sl_result sl_athena_wait(struct sl_client *c, const char *id,
                              void (*on_progress)(void *ud, const struct sl_athena_status *st),
                              void *ud, struct sl_athena_status *st, struct sl_error *err)
{
  double delay = POLL_FIRST_S;
  enum sl_result r = SL_OK;
  memset(st, 0, sizeof(*st));
  while(!r) {
    sl_sleep(delay);
    if(sl_interrupted())
      return sl_error_set(err, SL_E_INTERRUPTED, NULL, "interrupted waiting for query %s", id);
    r = sl_athena_status_get(c, id, st, err);
    if(!r && on_progress)
      on_progress(ud, st);
    if(!r && sl_athena_final(st))
      break;
    delay = delay * POLL_GROWTH < POLL_MAX_S ? delay * POLL_GROWTH : POLL_MAX_S;
  }
  return r;
}

enum sl_result sl_athena_stop(struct sl_client *c, const char *id, struct sl_error *err)
{
  struct json_object *in = NULL;
  enum sl_result r = id_input(id, &in, err);
  if(!r) r = sl_athena_call(c, "StopQueryExecution", in, NULL, err);
  json_object_put(in);
  return r;
}

/* ---- Results ---- */

struct reader {
  int (*on_columns)(void *ud, const struct sl_athena_column *cols, size_t n);
  int (*on_row)(void *ud, const char *const *values, size_t n);
  void *ud;
  size_t ncols;        /* from the first page */
  const char **values; /* ncols slots, pointing into the page being read */
  int stopped;         /* a callback said stop */
};

/* ColumnInfo of the first page to the caller; sizes the row slots. */
static enum sl_result take_columns(struct reader *rd, struct json_object *info,
                                   struct sl_error *err)
{
  struct sl_athena_column *cols = NULL;
  enum sl_result r = SL_OK;
  size_t i;
  rd->ncols = info && json_object_is_type(info, json_type_array) ?
              json_object_array_length(info) : 0;
  if(rd->ncols) {
    cols = calloc(rd->ncols, sizeof(*cols));
    rd->values = calloc(rd->ncols, sizeof(*rd->values));
    if(!cols || !rd->values)
      r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory for %zu result columns", rd->ncols);
  }
  for(i = 0; !r && i < rd->ncols; i++) {
    struct json_object *ci = json_object_array_get_idx(info, i);
    cols[i].name = str(ci, "Name") ? str(ci, "Name") : "";
    cols[i].type = str(ci, "Type") ? str(ci, "Type") : "";
  }
  if(!r && rd->on_columns && rd->on_columns(rd->ud, cols, rd->ncols))
    rd->stopped = 1;
  free(cols);
  return r;
}

/* Non-zero when every value of the row is column i's label (or name):
 * the header Athena puts first in a SELECT's results. */
static int is_header(const struct reader *rd, struct json_object *info)
{
  size_t i;
  if(!rd->ncols)
    return 0;
  for(i = 0; i < rd->ncols; i++) {
    struct json_object *ci = json_object_array_get_idx(info, i);
    const char *label = str(ci, "Label") ? str(ci, "Label") : str(ci, "Name");
    if(!rd->values[i] || !label || strcmp(rd->values[i], label))
      return 0;
  }
  return 1;
}

static enum sl_result take_rows(struct reader *rd, struct json_object *rows,
                                struct json_object *info, int first_page, struct sl_error *err)
{
  size_t nrows = rows && json_object_is_type(rows, json_type_array) ?
                 json_object_array_length(rows) : 0, i, j;
  for(i = 0; i < nrows && !rd->stopped; i++) {
    struct json_object *data = get(json_object_array_get_idx(rows, i), "Data");
    size_t n = data && json_object_is_type(data, json_type_array) ?
               json_object_array_length(data) : 0;
    if(n > rd->ncols)
      return sl_error_set(err, SL_E_PARSE, NULL, "GetQueryResults: a row of %zu values for "
                          "%zu columns", n, rd->ncols);
    for(j = 0; j < rd->ncols; j++)
      rd->values[j] = j < n ? str(json_object_array_get_idx(data, j), "VarCharValue") : NULL;
    if(first_page && !i && is_header(rd, info))
      continue;
    if(rd->on_row && rd->on_row(rd->ud, rd->values, rd->ncols))
      rd->stopped = 1;
  }
  return SL_OK;
}

static enum sl_result results_input(const char *id, const char *token, struct json_object **in,
                                    struct sl_error *err)
{
  enum sl_result r = id_input(id, in, err);
  if(!r && (add(*in, "MaxResults", json_object_new_int(SL_ATHENA_PAGE_ROWS)) ||
            (token && add_str(*in, "NextToken", token)))) {
    json_object_put(*in);
    *in = NULL;
    r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory building GetQueryResults");
  }
  return r;
}

enum sl_result sl_athena_results(struct sl_client *c, const char *id,
                                 int (*on_columns)(void *ud, const struct sl_athena_column *cols,
                                                   size_t n),
                                 int (*on_row)(void *ud, const char *const *values, size_t n),
                                 void *ud, struct sl_error *err)
{
  struct reader rd;
  char *token = NULL;
  enum sl_result r = SL_OK;
  int page = 0;
  memset(&rd, 0, sizeof(rd));
  rd.on_columns = on_columns;
  rd.on_row = on_row;
  rd.ud = ud;
  do {
    struct json_object *in = NULL, *out = NULL, *set, *info;
    const char *next;
    r = results_input(id, token, &in, err);
    if(!r) r = sl_athena_call(c, "GetQueryResults", in, &out, err);
    set = get(out, "ResultSet");
    info = get(get(set, "ResultSetMetadata"), "ColumnInfo");
    if(!r && !page) r = take_columns(&rd, info, err);
    if(!r && !rd.stopped) r = take_rows(&rd, get(set, "Rows"), info, !page, err);
    next = r || rd.stopped ? NULL : str(out, "NextToken");
    /* A server handing back the token it was given would page forever. */
    if(next && token && !strcmp(next, token))
      r = sl_error_set(err, SL_E_PARSE, NULL, "GetQueryResults answered page %d with the "
                       "same NextToken", page + 1);
    free(token);
    token = !r && next && next[0] ? strdup(next) : NULL;
    if(!r && next && next[0] && !token)
      r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
    json_object_put(in);
    json_object_put(out);
    page++;
  } while(!r && token);
  free(token);
  free(rd.values);
  return r;
}

/* ---- Cost ---- */

double sl_athena_cost_usd(long long bytes_scanned)
{
  const long long mb = 1024 * 1024;
  long long mbs;
  if(bytes_scanned <= 0)
    return 0.0;
  mbs = bytes_scanned / mb + (bytes_scanned % mb != 0);
  if(mbs < SL_ATHENA_MIN_MB)
    mbs = SL_ATHENA_MIN_MB;
  return (double)mbs * SL_ATHENA_USD_PER_TB / (double)mb; /* 2^20 MB in a TB */
}

double sl_athena_query_cost_usd(const struct sl_athena_status *st)
{
  if(!strcmp(st->state, "FAILED") || !strcmp(st->statement_type, "DDL"))
    return 0.0;
  return sl_athena_cost_usd(st->bytes_scanned);
}
