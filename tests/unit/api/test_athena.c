/* test_athena.c — the Athena query client against a loopback server: the
 * StartQueryExecution body byte for byte and its generated token, waiting
 * through QUEUED/RUNNING/SUCCEEDED, FAILED and an interrupt, results over
 * three pages (header row, NULLs, NextToken), the three output formats'
 * exact bytes, and the cost. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "harness.h"
#include "mini_server.h"
#include "common/aws/aws_internal.h"
#include "sluice/athena.h"

/* ---- A scripted server: answers in order, the last one repeated ---- */

struct script {
  pthread_mutex_t mu;
  const char *const *answers;
  size_t n, next;
  int status; /* 0 = 200 */
};

static void script_handler(void *ud, const struct sl_mini_request *req,
                           struct sl_mini_response *resp)
{
  struct script *s = ud;
  (void)req;
  pthread_mutex_lock(&s->mu);
  resp->status = s->status;
  resp->headers = "Content-Type: application/x-amz-json-1.1\r\n";
  resp->body = s->answers[s->next < s->n ? s->next : s->n - 1];
  s->next++;
  pthread_mutex_unlock(&s->mu);
}

static struct sl_mini_server *mini_client(sl_mini_handler handler, void *ud, struct sl_client *c)
{
  struct sl_mini_server *srv;
  struct sl_aws_config cfg;
  unsetenv("http_proxy");
  unsetenv("HTTP_PROXY");
  srv = sl_mini_start(handler, ud);
  CU_ASSERT_FATAL(srv != NULL);
  sl_aws_config_init(&cfg);
  snprintf(cfg.region, sizeof(cfg.region), "us-east-1");
  snprintf(cfg.endpoint_url, sizeof(cfg.endpoint_url), "%s", sl_mini_url(srv));
  snprintf(cfg.static_access_key_id, sizeof(cfg.static_access_key_id), "AKIDEXAMPLE");
  snprintf(cfg.static_secret_access_key, sizeof(cfg.static_secret_access_key), "secret");
  CU_ASSERT_EQUAL_FATAL(sl_client_init(c, &cfg, NULL, NULL), SL_OK);
  return srv;
}

static void script_init(struct script *s, const char *const *answers, size_t n)
{
  memset(s, 0, sizeof(*s));
  pthread_mutex_init(&s->mu, NULL);
  s->answers = answers;
  s->n = n;
}

/* Request i's target and body, checked as one JSON 1.1 Athena call. */
static const char *athena_body(struct sl_mini_server *srv, size_t i, const char *op)
{
  const struct sl_mini_request *req = sl_mini_request_at(srv, i);
  char target[128];
  CU_ASSERT_FATAL(req != NULL);
  snprintf(target, sizeof(target), "AmazonAthena.%s", op);
  SL_ASSERT_STR(req->method, "POST");
  SL_ASSERT_STR(req->target, "/");
  SL_ASSERT_STR(sl_headers_get(&req->headers, "X-Amz-Target"), target);
  SL_ASSERT_STR(sl_headers_get(&req->headers, "Content-Type"), "application/x-amz-json-1.1");
  return req->body.data;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- StartQueryExecution ---- */

static void test_start_body(void)
{
  static const char *const answers[] = { "{\"QueryExecutionId\":\"8f2c1e2a-0000-4d1b-9f3e-1a2b3c4d5e6f\"}" };
  struct script sc;
  struct sl_mini_server *srv;
  struct sl_client c;
  struct sl_athena_query q;
  struct sl_error err;
  char id[SL_ATHENA_ID_MAX];
  script_init(&sc, answers, COUNT(answers));
  srv = mini_client(script_handler, &sc, &c);
  sl_athena_query_init(&q);
  q.sql = "SELECT \"status\", count(*) FROM events\nWHERE city = 'K\xc3\xb6ln' GROUP BY 1";
  q.database = "logs";
  q.catalog = "lake";
  q.workgroup = "sluice";
  q.output_location = "s3://results/athena/";
  q.client_request_token = "0123456789abcdef0123456789abcdef-retry";
  sl_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(sl_athena_start(&c, &q, id, &err), SL_OK);
  SL_ASSERT_STR(id, "8f2c1e2a-0000-4d1b-9f3e-1a2b3c4d5e6f");
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 1);
  /* json-c writes '/' as "\/": still the same JSON string to Athena */
  SL_ASSERT_STR(athena_body(srv, 0, "StartQueryExecution"),
                "{\"QueryString\":\"SELECT \\\"status\\\", count(*) FROM events\\nWHERE city = "
                "'K\xc3\xb6ln' GROUP BY 1\",\"QueryExecutionContext\":{\"Database\":\"logs\","
                "\"Catalog\":\"lake\"},\"ResultConfiguration\":{\"OutputLocation\":"
                "\"s3:\\/\\/results\\/athena\\/\"},\"WorkGroup\":\"sluice\","
                "\"ClientRequestToken\":\"0123456789abcdef0123456789abcdef-retry\"}");
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
  pthread_mutex_destroy(&sc.mu);
}

static const char *member(struct json_object *o, const char *a, const char *b)
{
  struct json_object *v = NULL;
  if(!json_object_object_get_ex(o, a, &v) || (b && !json_object_object_get_ex(v, b, &v)))
    return NULL;
  return json_object_get_string(v);
}

static void test_start_defaults(void)
{
  static const char *const answers[] = { "{\"QueryExecutionId\":\"q-1\"}" };
  struct script sc;
  struct sl_mini_server *srv;
  struct sl_client c;
  struct sl_athena_query q;
  struct sl_error err;
  char id[SL_ATHENA_ID_MAX], first[200] = "";
  int round;
  script_init(&sc, answers, COUNT(answers));
  srv = mini_client(script_handler, &sc, &c);
  sl_athena_query_init(&q);
  q.sql = "SELECT 1";
  for(round = 0; round < 2; round++) {
    struct json_object *root;
    const char *token;
    size_t i;
    CU_ASSERT_EQUAL_FATAL(sl_athena_start(&c, &q, id, &err), SL_OK);
    SL_ASSERT_STR(id, "q-1");
    root = json_tokener_parse(athena_body(srv, (size_t)round, "StartQueryExecution"));
    CU_ASSERT_FATAL(root != NULL);
    CU_ASSERT_EQUAL(json_object_object_length(root), 4);
    SL_ASSERT_STR(member(root, "QueryString", NULL), "SELECT 1");
    SL_ASSERT_STR(member(root, "QueryExecutionContext", "Catalog"), "AwsDataCatalog");
    CU_ASSERT_PTR_NULL(member(root, "QueryExecutionContext", "Database"));
    CU_ASSERT_PTR_NULL(member(root, "ResultConfiguration", NULL));
    SL_ASSERT_STR(member(root, "WorkGroup", NULL), "primary");
    token = member(root, "ClientRequestToken", NULL);
    CU_ASSERT_FATAL(token != NULL);
    CU_ASSERT_EQUAL(strlen(token), 32);
    for(i = 0; token[i]; i++)
      CU_ASSERT_PTR_NOT_NULL(strchr("0123456789abcdef", token[i]));
    if(!round)
      snprintf(first, sizeof(first), "%s", token);
    else
      CU_ASSERT(strcmp(first, token) != 0); /* a new query, a new token */
    json_object_put(root);
  }
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
  pthread_mutex_destroy(&sc.mu);
}

static void test_start_invalid(void)
{
  static const char *const answers[] = { "{\"QueryExecutionId\":\"q-1\"}", "{}",
                                         "{\"QueryExecutionId\":\"\"}" };
  char t31[32], t32[33], t128[129], t129[130];
  struct script sc;
  struct sl_mini_server *srv;
  struct sl_client c;
  struct sl_athena_query q;
  struct sl_error err;
  char id[SL_ATHENA_ID_MAX] = "stale";
  memset(t31, 'a', 31);
  t31[31] = 0;
  memset(t32, 'b', 32);
  t32[32] = 0;
  memset(t128, 'c', 128);
  t128[128] = 0;
  memset(t129, 'd', 129);
  t129[129] = 0;
  script_init(&sc, answers, COUNT(answers));
  srv = mini_client(script_handler, &sc, &c);
  sl_athena_query_init(&q);
  CU_ASSERT_EQUAL(sl_athena_start(&c, &q, id, &err), SL_E_INVALID); /* no SQL */
  SL_ASSERT_STR(id, "");
  q.sql = "";
  CU_ASSERT_EQUAL(sl_athena_start(&c, &q, id, &err), SL_E_INVALID);
  q.sql = "SELECT 1";
  q.client_request_token = t31;
  CU_ASSERT_EQUAL(sl_athena_start(&c, &q, id, &err), SL_E_INVALID);
  q.client_request_token = t129;
  CU_ASSERT_EQUAL(sl_athena_start(&c, &q, id, &err), SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 0); /* refused before sending */
  q.client_request_token = t128;
  CU_ASSERT_EQUAL(sl_athena_start(&c, &q, id, &err), SL_OK);
  CU_ASSERT_PTR_NOT_NULL(strstr(sl_mini_request_at(srv, 0)->body.data, t128));
  q.client_request_token = t32;
  CU_ASSERT_EQUAL(sl_athena_start(&c, &q, id, &err), SL_E_PARSE); /* answer "{}" */
  CU_ASSERT_EQUAL(sl_athena_start(&c, &q, id, &err), SL_E_PARSE); /* empty id */
  SL_ASSERT_STR(id, "");
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 3);
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
  pthread_mutex_destroy(&sc.mu);
}

/* ---- Waiting ---- */

struct progress {
  char states[256];
  int calls;
  int interrupt_at; /* call number that raises SIGINT; 0 = never */
};

static void on_progress(void *ud, const struct sl_athena_status *st)
{
  struct progress *p = ud;
  size_t len = strlen(p->states);
  snprintf(p->states + len, sizeof(p->states) - len, "%s%s", len ? "," : "", st->state);
  if(++p->calls == p->interrupt_at)
    sl_interrupt(SIGINT);
}

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_wait_succeeded(void)
{
  static const char *const answers[] = {
    "{\"QueryExecution\":{\"QueryExecutionId\":\"q-1\",\"StatementType\":\"DML\","
    "\"Status\":{\"State\":\"QUEUED\"}}}",
    "{\"QueryExecution\":{\"QueryExecutionId\":\"q-1\",\"StatementType\":\"DML\","
    "\"Status\":{\"State\":\"RUNNING\"},\"Statistics\":{\"DataScannedInBytes\":1024,"
    "\"QueryQueueTimeInMillis\":180}}}",
    "{\"QueryExecution\":{\"QueryExecutionId\":\"q-1\",\"StatementType\":\"DML\","
    "\"ResultConfiguration\":{\"OutputLocation\":\"s3://results/athena/q-1.csv\"},"
    "\"Status\":{\"State\":\"SUCCEEDED\",\"SubmissionDateTime\":1.7e9},"
    "\"Statistics\":{\"EngineExecutionTimeInMillis\":1234,\"DataScannedInBytes\":1073741825,"
    "\"TotalExecutionTimeInMillis\":1500,\"QueryQueueTimeInMillis\":200,"
    "\"ServicePreProcessingTimeInMillis\":20}}}",
  };
  struct script sc;
  struct sl_mini_server *srv;
  struct sl_client c;
  struct sl_athena_status st;
  struct sl_error err;
  struct progress p;
  double t0;
  size_t i;
  memset(&p, 0, sizeof(p));
  script_init(&sc, answers, COUNT(answers));
  srv = mini_client(script_handler, &sc, &c);
  t0 = now_s();
  CU_ASSERT_EQUAL_FATAL(sl_athena_wait(&c, "q-1", on_progress, &p, &st, &err), SL_OK);
  /* waits of 0.1, 0.15 and 0.225 s came before the three polls */
  CU_ASSERT(now_s() - t0 >= 0.47);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 3);
  for(i = 0; i < 3; i++)
    SL_ASSERT_STR(athena_body(srv, i, "GetQueryExecution"), "{\"QueryExecutionId\":\"q-1\"}");
  SL_ASSERT_STR(p.states, "QUEUED,RUNNING,SUCCEEDED");
  CU_ASSERT_TRUE(sl_athena_final(&st));
  SL_ASSERT_STR(st.id, "q-1");
  SL_ASSERT_STR(st.state, "SUCCEEDED");
  SL_ASSERT_STR(st.statement_type, "DML");
  SL_ASSERT_STR(st.reason, "");
  CU_ASSERT_EQUAL(st.error_category, 0);
  CU_ASSERT_EQUAL(st.error_type, 0);
  CU_ASSERT_EQUAL(st.bytes_scanned, 1073741825LL);
  CU_ASSERT_EQUAL(st.engine_ms, 1234);
  CU_ASSERT_EQUAL(st.total_ms, 1500);
  CU_ASSERT_EQUAL(st.queue_ms, 200);
  SL_ASSERT_STR(st.output, "s3://results/athena/q-1.csv");
  /* 1 GiB and a byte: 1025 MB */
  CU_ASSERT_DOUBLE_EQUAL(sl_athena_query_cost_usd(&st), 1025.0 * 5.0 / 1048576.0, 1e-15);
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
  pthread_mutex_destroy(&sc.mu);
}

static void test_wait_failed(void)
{
  static const char *const answers[] = {
    "{\"QueryExecution\":{\"QueryExecutionId\":\"q-2\",\"StatementType\":\"DML\",\"Status\":"
    "{\"State\":\"FAILED\",\"StateChangeReason\":\"COLUMN_NOT_FOUND: line 1:8: Column 'x' "
    "cannot be resolved\",\"AthenaError\":{\"ErrorCategory\":2,\"ErrorType\":1006,"
    "\"Retryable\":false,\"ErrorMessage\":\"COLUMN_NOT_FOUND: line 1:8\"}},"
    "\"Statistics\":{\"DataScannedInBytes\":5242880}}}",
    "{\"QueryExecution\":{\"QueryExecutionId\":\"q-3\",\"Status\":{\"State\":\"FAILED\","
    "\"AthenaError\":{\"ErrorCategory\":1,\"ErrorType\":401,\"ErrorMessage\":\"internal "
    "error\"}}}}",
    "{\"QueryExecution\":{\"Status\":{}}}",
  };
  struct script sc;
  struct sl_mini_server *srv;
  struct sl_client c;
  struct sl_athena_status st;
  struct sl_error err;
  struct progress p;
  memset(&p, 0, sizeof(p));
  script_init(&sc, answers, COUNT(answers));
  srv = mini_client(script_handler, &sc, &c);
  CU_ASSERT_EQUAL_FATAL(sl_athena_wait(&c, "q-2", on_progress, &p, &st, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  SL_ASSERT_STR(st.state, "FAILED");
  SL_ASSERT_STR(st.reason, "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved");
  CU_ASSERT_EQUAL(st.error_category, 2);
  CU_ASSERT_EQUAL(st.error_type, 1006);
  CU_ASSERT_EQUAL(st.bytes_scanned, 5242880);
  CU_ASSERT_EQUAL(sl_athena_query_cost_usd(&st), 0.0); /* failed queries are free */
  /* No StateChangeReason: the error's message */
  CU_ASSERT_EQUAL_FATAL(sl_athena_status_get(&c, "q-3", &st, &err), SL_OK);
  SL_ASSERT_STR(st.id, "q-3");
  SL_ASSERT_STR(st.reason, "internal error");
  CU_ASSERT_EQUAL(st.error_category, 1);
  CU_ASSERT_EQUAL(st.error_type, 401);
  /* No state at all */
  CU_ASSERT_EQUAL(sl_athena_status_get(&c, "q-4", &st, &err), SL_E_PARSE);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 3);
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
  pthread_mutex_destroy(&sc.mu);
}

static void test_status_long_reason_and_error(void)
{
  static char long_answer[4096];
  static const char *answers[] = { long_answer,
    "{\"__type\":\"InvalidRequestException\",\"Message\":\"QueryExecution q-9 was not found\"}" };
  struct script sc;
  struct sl_mini_server *srv;
  struct sl_client c;
  struct sl_athena_status st;
  struct sl_error err;
  char reason[2001];
  size_t i;
  memset(reason, 'r', 2000);
  reason[2000] = 0;
  snprintf(long_answer, sizeof(long_answer), "{\"QueryExecution\":{\"Status\":{\"State\":"
           "\"CANCELLED\",\"StateChangeReason\":\"%s\"},\"Statistics\":"
           "{\"DataScannedInBytes\":1099511627776}}}", reason);
  script_init(&sc, answers, 1);
  srv = mini_client(script_handler, &sc, &c);
  CU_ASSERT_EQUAL_FATAL(sl_athena_status_get(&c, "q-8", &st, &err), SL_OK);
  SL_ASSERT_STR(st.id, "q-8"); /* not in the answer: the one asked for */
  CU_ASSERT_EQUAL(strlen(st.reason), sizeof(st.reason) - 1);
  CU_ASSERT_STRING_EQUAL(st.reason + sizeof(st.reason) - 4, "...");
  for(i = 0; i < sizeof(st.reason) - 4; i++)
    CU_ASSERT_EQUAL_FATAL(st.reason[i], 'r');
  CU_ASSERT_TRUE(sl_athena_final(&st));
  /* cancelled queries pay for what they scanned: 1 TiB */
  CU_ASSERT_EQUAL(sl_athena_query_cost_usd(&st), 5.0);
  sc.status = 400;
  sc.n = 2;
  sc.next = 1;
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_athena_status_get(&c, "q-9", &st, &err), SL_E_AWS);
  SL_ASSERT_STR(err.code, "InvalidRequestException");
  CU_ASSERT_EQUAL(err.http_status, 400);
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
  pthread_mutex_destroy(&sc.mu);
}

static void test_wait_interrupted_then_stop(void)
{
  static const char *const answers[] = {
    "{\"QueryExecution\":{\"QueryExecutionId\":\"q-5\",\"Status\":{\"State\":\"RUNNING\"}}}",
    "{\"QueryExecution\":{\"QueryExecutionId\":\"q-5\",\"Status\":{\"State\":\"RUNNING\"}}}",
    "{}",
  };
  struct script sc;
  struct sl_mini_server *srv;
  struct sl_client c;
  struct sl_athena_status st;
  struct sl_error err;
  struct progress p;
  memset(&p, 0, sizeof(p));
  p.interrupt_at = 2;
  script_init(&sc, answers, COUNT(answers));
  srv = mini_client(script_handler, &sc, &c);
  sl_interrupt_reset();
  CU_ASSERT_EQUAL(sl_athena_wait(&c, "q-5", on_progress, &p, &st, &err), SL_E_INTERRUPTED);
  CU_ASSERT_EQUAL(p.calls, 2);
  SL_ASSERT_STR(st.state, "RUNNING");
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 2);
  /* still interrupted: nothing goes out */
  CU_ASSERT_EQUAL(sl_athena_stop(&c, "q-5", &err), SL_E_INTERRUPTED);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 2);
  sl_interrupt_reset();
  sc.next = 2;
  CU_ASSERT_EQUAL(sl_athena_stop(&c, "q-5", &err), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 3);
  SL_ASSERT_STR(athena_body(srv, 2, "StopQueryExecution"), "{\"QueryExecutionId\":\"q-5\"}");
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
  pthread_mutex_destroy(&sc.mu);
}

/* ---- Results ---- */

#define COLS "\"ResultSetMetadata\":{\"ColumnInfo\":[{\"CatalogName\":\"hive\",\"Name\":\"id\"," \
  "\"Label\":\"id\",\"Type\":\"integer\",\"Nullable\":\"UNKNOWN\"},{\"Name\":\"name\"," \
  "\"Label\":\"name\",\"Type\":\"varchar\"}]}"

/* Page by the token asked for: the labels first on page 1 (dropped) and
 * again on page 2 (a real row that happens to equal them: kept). */
static void pages_handler(void *ud, const struct sl_mini_request *req,
                          struct sl_mini_response *resp)
{
  const char *b = req->body.data;
  (void)ud;
  resp->headers = "Content-Type: application/x-amz-json-1.1\r\n";
  if(strstr(b, "\"q-loop\""))
    resp->body = "{\"ResultSet\":{\"Rows\":[]," COLS "},\"NextToken\":\"same\"}";
  else if(strstr(b, "\"NextToken\":\"p3\""))
    resp->body = "{\"ResultSet\":{\"Rows\":[{\"Data\":[{},{\"VarCharValue\":\"d\"}]},"
                 "{\"Data\":[{\"VarCharValue\":\"5\"}]}]," COLS "}}";
  else if(strstr(b, "\"NextToken\":"))
    resp->body = "{\"ResultSet\":{\"Rows\":[{\"Data\":[{\"VarCharValue\":\"id\"},"
                 "{\"VarCharValue\":\"name\"}]},{\"Data\":[{\"VarCharValue\":\"3\"},"
                 "{\"VarCharValue\":\"c\"}]}]," COLS "},\"NextToken\":\"p3\"}";
  else if(strstr(b, "\"q-wide\""))
    resp->body = "{\"ResultSet\":{\"Rows\":[{\"Data\":[{},{},{}]}]," COLS "}}";
  else if(strstr(b, "\"q-show\""))
    resp->body = "{\"ResultSet\":{\"Rows\":[{\"Data\":[{\"VarCharValue\":\"events\"}]},"
                 "{\"Data\":[{\"VarCharValue\":\"tab_name\"}]}],\"ResultSetMetadata\":"
                 "{\"ColumnInfo\":[{\"Name\":\"tab_name\",\"Label\":\"tab_name\","
                 "\"Type\":\"string\"}]}}}";
  else
    resp->body = "{\"ResultSet\":{\"Rows\":[{\"Data\":[{\"VarCharValue\":\"id\"},"
                 "{\"VarCharValue\":\"name\"}]},{\"Data\":[{\"VarCharValue\":\"1\"},"
                 "{\"VarCharValue\":\"a\"}]},{\"Data\":[{\"VarCharValue\":\"2\"},{}]}]," COLS
                 "},\"NextToken\":\"p2/+==\"}";
}

struct collect {
  char log[1024];
  int columns_calls;
  int rows;
  int stop_columns;
  int stop_after; /* rows before on_row says stop; 0 = never */
};

static void logf_(struct collect *k, const char *s)
{
  size_t len = strlen(k->log);
  snprintf(k->log + len, sizeof(k->log) - len, "%s", s);
}

static int on_columns(void *ud, const struct sl_athena_column *cols, size_t n)
{
  struct collect *k = ud;
  size_t i;
  k->columns_calls++;
  for(i = 0; i < n; i++) {
    logf_(k, cols[i].name);
    logf_(k, ":");
    logf_(k, cols[i].type);
    logf_(k, i + 1 < n ? "," : ";");
  }
  return k->stop_columns;
}

static int on_row(void *ud, const char *const *values, size_t n)
{
  struct collect *k = ud;
  size_t i;
  for(i = 0; i < n; i++) {
    logf_(k, values[i] ? values[i] : "NULL");
    logf_(k, i + 1 < n ? "|" : ";");
  }
  k->rows++;
  return k->stop_after && k->rows >= k->stop_after;
}

static void test_results_pages(void)
{
  struct sl_mini_server *srv;
  struct sl_client c;
  struct sl_error err;
  struct collect k;
  memset(&k, 0, sizeof(k));
  srv = mini_client(pages_handler, NULL, &c);
  CU_ASSERT_EQUAL_FATAL(sl_athena_results(&c, "q-1", on_columns, on_row, &k, &err), SL_OK);
  CU_ASSERT_EQUAL(k.columns_calls, 1);
  SL_ASSERT_STR(k.log, "id:integer,name:varchar;1|a;2|NULL;id|name;3|c;NULL|d;5|NULL;");
  CU_ASSERT_EQUAL(k.rows, 6);
  CU_ASSERT_EQUAL_FATAL(sl_mini_request_count(srv), 3);
  SL_ASSERT_STR(athena_body(srv, 0, "GetQueryResults"),
                "{\"QueryExecutionId\":\"q-1\",\"MaxResults\":1000}");
  SL_ASSERT_STR(athena_body(srv, 1, "GetQueryResults"),
                "{\"QueryExecutionId\":\"q-1\",\"MaxResults\":1000,\"NextToken\":\"p2\\/+==\"}");
  SL_ASSERT_STR(athena_body(srv, 2, "GetQueryResults"),
                "{\"QueryExecutionId\":\"q-1\",\"MaxResults\":1000,\"NextToken\":\"p3\"}");
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
}

static void test_results_edges(void)
{
  struct sl_mini_server *srv;
  struct sl_client c;
  struct sl_error err;
  struct collect k;
  srv = mini_client(pages_handler, NULL, &c);
  /* SHOW TABLES: no header row, so the first row stays (the second equals the label) */
  memset(&k, 0, sizeof(k));
  CU_ASSERT_EQUAL(sl_athena_results(&c, "q-show", on_columns, on_row, &k, &err), SL_OK);
  SL_ASSERT_STR(k.log, "tab_name:string;events;tab_name;");
  /* A stop from on_row: one row, one page, SL_OK */
  memset(&k, 0, sizeof(k));
  k.stop_after = 1;
  sl_mini_reset(srv);
  CU_ASSERT_EQUAL(sl_athena_results(&c, "q-1", on_columns, on_row, &k, &err), SL_OK);
  SL_ASSERT_STR(k.log, "id:integer,name:varchar;1|a;");
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  /* A stop from on_columns: no rows */
  memset(&k, 0, sizeof(k));
  k.stop_columns = 1;
  sl_mini_reset(srv);
  CU_ASSERT_EQUAL(sl_athena_results(&c, "q-1", on_columns, on_row, &k, &err), SL_OK);
  CU_ASSERT_EQUAL(k.rows, 0);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 1);
  /* A server handing back the same token */
  memset(&k, 0, sizeof(k));
  sl_mini_reset(srv);
  CU_ASSERT_EQUAL(sl_athena_results(&c, "q-loop", on_columns, on_row, &k, &err), SL_E_PARSE);
  CU_ASSERT_EQUAL(sl_mini_request_count(srv), 2);
  /* More values than columns */
  memset(&k, 0, sizeof(k));
  CU_ASSERT_EQUAL(sl_athena_results(&c, "q-wide", on_columns, on_row, &k, &err), SL_E_PARSE);
  CU_ASSERT_EQUAL(k.rows, 0);
  /* NULL callbacks are fine */
  CU_ASSERT_EQUAL(sl_athena_results(&c, "q-1", NULL, NULL, NULL, &err), SL_OK);
  sl_client_cleanup(&c);
  sl_mini_stop(srv);
}

/* ---- Output formats ---- */

static const struct sl_athena_column fmt_cols[] = {
  { "id", "integer" }, { "name", "varchar" }, { "ok", "boolean" }, { "score", "double" },
  { "nested", "row(a integer, b varchar)" },
};
static const char *const fmt_rows[3][5] = {
  { "1", "caf\xc3\xa9, \"bar\"\nline2", "true", "1.5", "{a=1, b=x}" },
  { "-20", NULL, "false", "NaN", NULL },
  { NULL, "", NULL, "1.0E10", "{a=2, b=y}" },
};

/* Every row of a table through one writer; the bytes it wrote. */
static char *format(enum sl_athena_format fmt, const struct sl_athena_column *cols, size_t ncols,
                    const char *const *rows, size_t nrows)
{
  struct sl_athena_out o;
  struct sl_buf out;
  char *got;
  size_t i;
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&out, SL_BUF_SMALL), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_athena_out_init(&o, fmt, &out), SL_OK);
  CU_ASSERT_EQUAL(sl_athena_out_columns(&o, cols, ncols), SL_OK);
  for(i = 0; i < nrows; i++)
    CU_ASSERT_EQUAL(sl_athena_out_row(&o, rows + i * ncols, ncols), SL_OK);
  CU_ASSERT_EQUAL(sl_athena_out_finish(&o), SL_OK);
  CU_ASSERT_EQUAL(sl_athena_out_finish(&o), SL_OK); /* a second finish adds nothing */
  CU_ASSERT_EQUAL(sl_athena_out_rows(&o), nrows);
  sl_athena_out_cleanup(&o);
  got = sl_buf_steal(&out);
  sl_buf_cleanup(&out); /* steal leaves it empty but allocated */
  return got;
}

static void check_format(enum sl_athena_format fmt, const char *want)
{
  char *got = format(fmt, fmt_cols, 5, &fmt_rows[0][0], 3);
  SL_ASSERT_STR(got, want);
  free(got);
}

static void test_format_ndjson(void)
{
  check_format(SL_ATHENA_NDJSON,
               "{\"id\":1,\"name\":\"caf\xc3\xa9, \\\"bar\\\"\\nline2\",\"ok\":true,\"score\":1.5,"
               "\"nested\":\"{a=1, b=x}\"}\n"
               "{\"id\":-20,\"name\":null,\"ok\":false,\"score\":\"NaN\",\"nested\":null}\n"
               "{\"id\":null,\"name\":\"\",\"ok\":null,\"score\":1.0E10,"
               "\"nested\":\"{a=2, b=y}\"}\n");
}

static void test_format_csv(void)
{
  check_format(SL_ATHENA_CSV,
               "id,name,ok,score,nested\n"
               "1,\"caf\xc3\xa9, \"\"bar\"\"\nline2\",true,1.5,\"{a=1, b=x}\"\n"
               "-20,,false,NaN,\n"
               ",\"\",,1.0E10,\"{a=2, b=y}\"\n");
}

static void test_format_table(void)
{
  /* id (numbers, right) 4 wide; name 18 (the \n shows as two); ok 5; score 6; nested last */
  check_format(SL_ATHENA_TABLE,
               "  id  name                ok      score  nested\n"
               "----  ------------------  -----  ------  ----------\n"
               "   1  caf\xc3\xa9, \"bar\"\\nline2  true      1.5  {a=1, b=x}\n"
               " -20  NULL                false     NaN  NULL\n"
               "NULL                      NULL   1.0E10  {a=2, b=y}\n"
               "(3 rows)\n");
}

/* Values by type: what is a JSON number, what is a boolean, and bytes
 * that are not text. */
static void test_format_ndjson_values(void)
{
  static const struct sl_athena_column cols[] = {
    { "big", "bigint" }, { "dec", "decimal(10,2)" }, { "f", "real" }, { "b", "BOOLEAN" },
    { "s", "varchar" }, { "d", "date" }, { "k\"ey", "tinyint" },
  };
  static const char *const rows[] = {
    "9223372036854775807", "12.50", "-0.0e-7", "TRUE", "a\xff" "b\x01\t", "2024-05-01", "007",
    "-", "1.", "Infinity", "1", "\xe2\x82\xac\xed\xa0\x80", "x", "1e",
  };
  char *got = format(SL_ATHENA_NDJSON, cols, 7, rows, 2);
  SL_ASSERT_STR(got,
                "{\"big\":9223372036854775807,\"dec\":12.50,\"f\":-0.0e-7,\"b\":\"TRUE\","
                "\"s\":\"a\\ufffdb\\u0001\\t\",\"d\":\"2024-05-01\",\"k\\\"ey\":\"007\"}\n"
                "{\"big\":\"-\",\"dec\":\"1.\",\"f\":\"Infinity\",\"b\":\"1\","
                "\"s\":\"\xe2\x82\xac\\ufffd\\ufffd\\ufffd\",\"d\":\"x\",\"k\\\"ey\":\"1e\"}\n");
  free(got);
}

static void test_format_table_cells(void)
{
  static const struct sl_athena_column cols[] = { { "v", "varchar" } };
  char x70[71], x60[61], x59nl[62], x58nl[61], want[1024];
  const char *rows[7];
  char *got;
  memset(x70, 'x', 70);
  x70[70] = 0;
  memset(x60, 'x', 60);
  x60[60] = 0;
  memset(x59nl, 'x', 59);
  memcpy(x59nl + 59, "\n", 2);
  memset(x58nl, 'x', 58);
  memcpy(x58nl + 58, "\n", 2);
  rows[0] = x70;   /* cut: 59 and the ellipsis */
  rows[1] = x60;   /* exactly the most: kept */
  rows[2] = x59nl; /* 61 shown (\n is two): cut */
  rows[3] = x58nl; /* 60 shown: kept */
  rows[4] = "\x1b[31mred\x7f\xc2\x9b" "1m\xc2\xa0";
  rows[5] = "a\xff" "b";
  rows[6] = "\xc3\xa9t\xc3\xa9";
  got = format(SL_ATHENA_TABLE, cols, 1, rows, 7);
  snprintf(want, sizeof(want),
           "v\n"
           "------------------------------------------------------------\n"
           "%.59s\xe2\x80\xa6\n%s\n%.59s\xe2\x80\xa6\n%.58s\\n\n"
           "\\x1b[31mred\\x7f\\u009b1m\xc2\xa0\n"
           "a\xef\xbf\xbd" "b\n"
           "\xc3\xa9t\xc3\xa9\n"
           "(7 rows)\n", x70, x60, x70, x70);
  SL_ASSERT_STR(got, want);
  free(got);
  /* No rows; one row */
  got = format(SL_ATHENA_TABLE, cols, 1, rows, 0);
  SL_ASSERT_STR(got, "v\n-\n(0 rows)\n");
  free(got);
  rows[0] = "abc";
  got = format(SL_ATHENA_TABLE, cols, 1, rows, 1);
  SL_ASSERT_STR(got, "v\n---\nabc\n(1 row)\n");
  free(got);
  got = format(SL_ATHENA_CSV, cols, 1, rows, 0);
  SL_ASSERT_STR(got, "v\n");
  free(got);
}

/* Misuse is refused, and a row that does not fit leaves out as it was. */
static void test_format_misuse_and_bounds(void)
{
  static const struct sl_athena_column cols[] = { { "name", "varchar" } };
  static const char *const small[] = { "abc" }, *const big[] = {
    "0123456789012345678901234567890123456789012345678901234567890123456789" };
  enum sl_athena_format fmt;
  for(fmt = SL_ATHENA_NDJSON; fmt <= SL_ATHENA_TABLE; fmt++) {
    struct sl_athena_out o;
    struct sl_buf out;
    char before[64];
    CU_ASSERT_EQUAL_FATAL(sl_buf_init(&out, 48), SL_OK);
    CU_ASSERT_EQUAL_FATAL(sl_athena_out_init(&o, fmt, &out), SL_OK);
    CU_ASSERT_EQUAL(sl_athena_out_row(&o, small, 1), SL_E_INVALID); /* before columns */
    CU_ASSERT_EQUAL(sl_athena_out_columns(&o, cols, 1), SL_OK);
    CU_ASSERT_EQUAL(sl_athena_out_columns(&o, cols, 1), SL_E_INVALID); /* twice */
    CU_ASSERT_EQUAL(sl_athena_out_row(&o, small, 2), SL_E_INVALID);  /* wrong count */
    CU_ASSERT_EQUAL(sl_athena_out_row(&o, small, 1), SL_OK);
    snprintf(before, sizeof(before), "%s", out.data);
    CU_ASSERT_EQUAL(sl_athena_out_row(&o, big, 1), SL_E_TOO_LARGE);
    SL_ASSERT_STR(out.data, before);
    CU_ASSERT_EQUAL(sl_athena_out_rows(&o), 1);
    CU_ASSERT_EQUAL(sl_athena_out_finish(&o), SL_OK);
    if(fmt == SL_ATHENA_TABLE)
      SL_ASSERT_STR(out.data, "name\n----\nabc\n(1 row)\n");
    CU_ASSERT_EQUAL(sl_athena_out_row(&o, small, 1), SL_E_INVALID); /* after finish */
    sl_athena_out_cleanup(&o);
    sl_athena_out_cleanup(&o);
    sl_buf_cleanup(&out);
  }
  {
    struct sl_athena_out o;
    struct sl_buf out;
    CU_ASSERT_EQUAL_FATAL(sl_buf_init(&out, 48), SL_OK);
    CU_ASSERT_EQUAL(sl_athena_out_init(&o, (enum sl_athena_format)7, &out), SL_E_INVALID);
    CU_ASSERT_PTR_NULL(o.s);
    sl_athena_out_cleanup(&o);
    sl_buf_cleanup(&out);
  }
}

/* ---- Cost ---- */

static void test_cost(void)
{
  const double mb = 1048576.0;
  CU_ASSERT_EQUAL(sl_athena_cost_usd(0), 0.0);
  CU_ASSERT_EQUAL(sl_athena_cost_usd(-1), 0.0);
  CU_ASSERT_EQUAL(sl_athena_cost_usd(1), 10 * 5.0 / mb); /* the 10 MB minimum */
  CU_ASSERT_EQUAL(sl_athena_cost_usd(10LL << 20), 10 * 5.0 / mb);
  CU_ASSERT_EQUAL(sl_athena_cost_usd((10LL << 20) + 1), 11 * 5.0 / mb);
  CU_ASSERT_EQUAL(sl_athena_cost_usd(1LL << 40), 5.0); /* exactly 1 TB */
  CU_ASSERT_EQUAL(sl_athena_cost_usd((1LL << 30) + 1), 1025 * 5.0 / mb); /* rounded up */
  CU_ASSERT_EQUAL(sl_athena_cost_usd(3LL << 40), 15.0);
  {
    struct sl_athena_status st;
    memset(&st, 0, sizeof(st));
    st.bytes_scanned = 1LL << 40;
    snprintf(st.state, sizeof(st.state), "SUCCEEDED");
    CU_ASSERT_EQUAL(sl_athena_query_cost_usd(&st), 5.0);
    snprintf(st.statement_type, sizeof(st.statement_type), "DDL");
    CU_ASSERT_EQUAL(sl_athena_query_cost_usd(&st), 0.0);
  }
}

static const struct sl_test tests[] = {
  { "start: the request body byte for byte", test_start_body },
  { "start: defaults and a generated token", test_start_defaults },
  { "start: refused input and bad answers", test_start_invalid },
  { "wait: QUEUED, RUNNING, SUCCEEDED", test_wait_succeeded },
  { "wait: FAILED with its reason and AthenaError", test_wait_failed },
  { "status: a long reason cut, an error answer", test_status_long_reason_and_error },
  { "wait: interrupted, then stop", test_wait_interrupted_then_stop },
  { "results: three pages, header row, NULLs", test_results_pages },
  { "results: no header, stops, token loop, wide row", test_results_edges },
  { "format: NDJSON", test_format_ndjson },
  { "format: CSV", test_format_csv },
  { "format: table", test_format_table },
  { "format: NDJSON values by type", test_format_ndjson_values },
  { "format: table cells cut and escaped", test_format_table_cells },
  { "format: misuse and a full buffer", test_format_misuse_and_bounds },
  { "cost", test_cost },
  { NULL, NULL }
};

SL_TEST_MAIN("athena", tests, NULL, NULL)
