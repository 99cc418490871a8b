/* cmd_athena.c — inspect ddl and inspect query: the profile's Athena table
 * as a CREATE EXTERNAL TABLE statement, and SQL run on it (start, poll,
 * every result page), printed as NDJSON, CSV or a table. The work is the
 * library's (sluice/table.h, sluice/athena.h). */
#include "cmd_athena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sluice/athena.h"
#include "sluice/inspect.h"
#include "sluice/log.h"
#include "sluice/streams.h"
#include "sluice/table.h"
#include "common/cli/cli.h"

enum { O_START = SL_CLI_OWN, O_FILE, O_FORMAT, O_SINCE, O_UNTIL };

struct qopts {
  const char *who;
  int64_t now;
  int64_t start, since, until;
  const char *file;
  enum sl_athena_format format;
};

static int on_option(void *ud, int id, const char *v)
{
  struct qopts *o = ud;
  int64_t *t = id == O_START ? &o->start : id == O_SINCE ? &o->since : &o->until;
  long n;
  switch(id) {
  case O_START:
  case O_SINCE:
  case O_UNTIL:
    if(sl_inspect_parse_time(v, o->now, t))
      return sl_cli_bad_value(o->who, id == O_START ? "start" : id == O_SINCE ? "since" : "until",
                              v, "a time (2026-12-06T10:00:00Z, 2026-12-06, or 30m, 2h, 1d ago)");
    break;
  case O_FILE:
    o->file = v;
    break;
  case O_FORMAT:
    n = sl_cli_choice(o->who, "format", v, "ndjson|csv|table");
    if(n < 0)
      return SL_EXIT_USAGE;
    o->format = n == 0 ? SL_ATHENA_NDJSON : n == 1 ? SL_ATHENA_CSV : SL_ATHENA_TABLE;
    break;
  }
  return 0;
}

/* The profile (it must have [athena]) and a client from it. */
static int open_profile(const struct sl_cli_args *a, struct sl_profile *p, struct sl_client **c,
                        struct sl_error *err)
{
  struct sl_aws_config cfg;
  enum sl_result r;
  int code = sl_cli_profile_load(a, a->argv[0], SL_PROFILE_NEED_PIPELINE, p, err);
  if(code)
    return code;
  if(!p->athena.enabled)
    return sl_cli_usage_error(a->who, "%s has no [athena] section (database, columns): see "
                              "sluice-profile(5)", a->argv[0]);
  r = sl_aws_config_resolve(&cfg, &p->aws, err);
  if(!r) {
    r = sl_client_new(c, &cfg, a->argv[0], err);
    sl_aws_config_cleanup(&cfg);
  }
  if(r) {
    sl_cli_error(a->who, NULL, err);
    return sl_cli_exit_for(r);
  }
  return 0;
}

/* ------------------------------------------------------------------ ddl */

static const struct sl_cli_option ddl_options[] = {
  { "start", 0, "TIME", "first day of the partition projection (default: the day the\n"
    "stream was created, from DescribeDeliveryStream; today when it does not exist)", O_START },
  { NULL, 0, NULL, NULL, 0 }
};

static int run_ddl(const struct sl_cli_program *prog, const struct sl_cli_command *cmd, int argc,
                   char **argv)
{
  struct qopts o;
  struct sl_cli_args a;
  struct sl_profile p;
  struct sl_client *c = NULL;
  struct sl_table t;
  struct sl_error err;
  struct sl_buf out = { NULL, 0, 0, 0 };
  char who[64];
  int code;
  memset(&o, 0, sizeof(o));
  snprintf(who, sizeof(who), "%s %s", prog->name, cmd->name);
  o.who = who;
  o.now = (int64_t)time(NULL);
  o.start = INT64_MIN;
  sl_error_clear(&err);
  sl_profile_init(&p);
  sl_table_init(&t);
  code = sl_cli_parse(prog, cmd, argc, argv, on_option, &o, &a);
  if(code < 0) {
    sl_cli_apply_verbosity(&a);
    code = o.start == INT64_MIN ? open_profile(&a, &p, &c, &err) :
           sl_cli_profile_load(&a, a.argv[0], SL_PROFILE_NEED_PIPELINE, &p, &err);
    if(!code && !p.athena.enabled)
      code = sl_cli_usage_error(a.who, "%s has no [athena] section", a.argv[0]);
    if(!code && o.start == INT64_MIN) {
      struct sl_stream_summary s;
      enum sl_result r = sl_firehose_summary(c, p.firehose.name, &s, &err);
      if(!r)
        o.start = s.created != INT64_MIN ? s.created : o.now;
      if(r == SL_E_NOT_FOUND) {
        sl_log(SL_LOG_INFO, "stream %s does not exist: the projection starts today",
               p.firehose.name);
        o.start = o.now;
      }
      else if(r) {
        sl_cli_error(a.who, NULL, &err);
        code = sl_cli_exit_for(r);
      }
    }
    if(!code && sl_table_from_profile(&p, o.start, &t, &err)) {
      sl_cli_error(a.who, NULL, &err);
      code = SL_EXIT_USAGE;
    }
    if(!code && (sl_buf_init(&out, SL_BUF_MEDIUM) || sl_table_ddl(&t, &out)))
      code = SL_EXIT_FAILED;
    if(!code && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout)))
      code = SL_EXIT_FAILED;
    if(!code)
      code = SL_EXIT_OK;
  }
  sl_buf_cleanup(&out);
  sl_table_cleanup(&t);
  sl_client_free(c);
  sl_profile_cleanup(&p);
  sl_cli_args_cleanup(&a);
  return code;
}

/* ------------------------------------------------------------------ query */

static const struct sl_cli_option query_options[] = {
  { "file", 0, "FILE", "read the SQL from FILE (- for stdin) instead of the argument", O_FILE },
  { "format", 0, "ndjson|csv|table", "how rows are printed (default ndjson)", O_FORMAT },
  { "since", 0, "TIME", "window start: ISO time (UTC) or 30m, 2h, 1d ago; becomes the\n"
    "partition predicate put where the SQL says {window}", O_SINCE },
  { "until", 0, "TIME", "window end, the same forms", O_UNTIL },
  { NULL, 0, NULL, NULL, 0 }
};

static int read_sql(const char *who, const char *file, struct sl_buf *sql)
{
  FILE *f = strcmp(file, "-") ? fopen(file, "rb") : stdin;
  char chunk[65536];
  size_t n;
  if(!f)
    return sl_cli_usage_error(who, "cannot read %s", file);
  while((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    if(sl_buf_add(sql, chunk, n)) {
      if(f != stdin)
        fclose(f);
      return sl_cli_usage_error(who, "%s: the query is larger than Athena takes", file);
    }
  if(f != stdin)
    fclose(f);
  return 0;
}

struct printer {
  struct sl_athena_out out;
  struct sl_buf buf;
  int failed;
};

static int flush_out(struct printer *pr)
{
  if(pr->buf.len && fwrite(pr->buf.data, 1, pr->buf.len, stdout) != pr->buf.len)
    pr->failed = 1;
  sl_buf_reset(&pr->buf);
  return pr->failed;
}

static int on_columns(void *ud, const struct sl_athena_column *cols, size_t n)
{
  struct printer *pr = ud;
  return sl_athena_out_columns(&pr->out, cols, n) ? (pr->failed = 1) : 0;
}

static int on_row(void *ud, const char *const *values, size_t n)
{
  struct printer *pr = ud;
  if(sl_athena_out_row(&pr->out, values, n))
    return pr->failed = 1;
  return pr->buf.len > 65536 ? flush_out(pr) : 0;
}

/* State, data scanned and its price, rewritten in place on a terminal. */
static void progress(void *ud, const struct sl_athena_status *st)
{
  int *shown = ud;
  if(!isatty(2))
    return;
  fprintf(stderr, "\r%-9s %.1f MB scanned, $%.4f   ", st->state,
          (double)st->bytes_scanned / (1024.0 * 1024.0), sl_athena_query_cost_usd(st));
  *shown = 1;
}

static int run_query(const struct sl_cli_program *prog, const struct sl_cli_command *cmd,
                     int argc, char **argv)
{
  struct qopts o;
  struct sl_cli_args a;
  struct sl_profile p;
  struct sl_client *c = NULL;
  struct sl_table t;
  struct sl_error err;
  struct sl_buf sql = { NULL, 0, 0, 0 }, text = { NULL, 0, 0, 0 }, window = { NULL, 0, 0, 0 };
  struct printer pr;
  struct sl_athena_query q;
  struct sl_athena_status st;
  char who[64], id[SL_ATHENA_ID_MAX] = "";
  int code, shown = 0;
  enum sl_result r = SL_OK;
  memset(&o, 0, sizeof(o));
  memset(&pr, 0, sizeof(pr));
  memset(&st, 0, sizeof(st));
  snprintf(who, sizeof(who), "%s %s", prog->name, cmd->name);
  o.who = who;
  o.now = (int64_t)time(NULL);
  o.since = o.until = INT64_MIN;
  sl_error_clear(&err);
  sl_profile_init(&p);
  sl_table_init(&t);
  code = sl_cli_parse(prog, cmd, argc, argv, on_option, &o, &a);
  if(code >= 0)
    goto out;
  sl_cli_apply_verbosity(&a);
  code = 0;
  if((a.argc == 2) == (o.file != NULL)) {
    code = sl_cli_usage_error(a.who, "give the SQL as the argument after PROFILE or with --file");
    goto out;
  }
  if(sl_buf_init(&sql, 262144) || sl_buf_init(&text, 262144) || sl_buf_init(&window, 4096) ||
     sl_buf_init(&pr.buf, SL_BUF_MEDIUM)) {
    code = SL_EXIT_FAILED;
    goto out;
  }
  code = o.file ? read_sql(a.who, o.file, &sql) : (sl_buf_adds(&sql, a.argv[1]) ?
         sl_cli_usage_error(a.who, "the query is larger than Athena takes") : 0);
  if(!code) code = open_profile(&a, &p, &c, &err);
  if(code)
    goto out;
  /* The window, as a predicate on the table's partition column. */
  r = sl_table_from_profile(&p, INT64_MIN, &t, &err);
  if(!r && (o.since != INT64_MIN || o.until != INT64_MIN))
    r = sl_table_window(&t, o.since, o.until, &window, &err);
  if(!r) r = sl_table_expand_window(sql.data ? sql.data : "", window.len ? window.data : NULL,
                                    &text, &err);
  if(r) {
    sl_cli_error(a.who, NULL, &err);
    code = SL_EXIT_USAGE;
    goto out;
  }
  sl_log(SL_LOG_DEBUG, "query: %s", text.data);
  sl_athena_query_init(&q);
  q.sql = text.data;
  q.database = p.athena.database;
  q.workgroup = p.athena.workgroup;
  q.output_location = p.athena.results;
  sl_cli_catch_signals();
  r = sl_athena_start(c, &q, id, &err);
  if(!r) r = sl_athena_wait(c, id, progress, &shown, &st, &err);
  if(shown)
    fputc('\n', stderr);
  if(r == SL_E_INTERRUPTED && id[0]) {
    /* Ctrl-C: the query would run on (and be billed) without this. */
    struct sl_error stop_err;
    int sig = sl_cli_signal_exit();
    sl_error_clear(&stop_err);
    sl_interrupt_reset();
    if(sl_athena_stop(c, id, &stop_err))
      sl_cli_error(a.who, "StopQueryExecution", &stop_err);
    else
      fprintf(stderr, "%s: interrupted: query %s stopped\n", a.who, id);
    code = sig;
    goto out;
  }
  if(r) {
    sl_cli_error(a.who, id[0] ? id : NULL, &err);
    code = r == SL_E_INTERRUPTED ? sl_cli_signal_exit() : sl_cli_exit_for(r);
    goto out;
  }
  if(strcmp(st.state, "SUCCEEDED")) {
    fprintf(stderr, "%s: query %s %s: %s\n", a.who, id, st.state,
            st.reason[0] ? st.reason : "no reason given");
    code = SL_EXIT_FAILED;
    goto out;
  }
  r = sl_athena_out_init(&pr.out, o.format, &pr.buf);
  if(!r) r = sl_athena_results(c, id, on_columns, on_row, &pr, &err);
  if(!r && !pr.failed) r = sl_athena_out_finish(&pr.out);
  if(!r) flush_out(&pr);
  if(r) {
    sl_cli_error(a.who, id, &err);
    code = sl_cli_exit_for(r);
    goto out;
  }
  if(pr.failed || fflush(stdout) || ferror(stdout)) {
    fprintf(stderr, "%s: writing the output failed\n", a.who);
    code = SL_EXIT_FAILED;
    goto out;
  }
  sl_log(SL_LOG_INFO, "query %s: %zu rows, %lld bytes scanned, $%.6f, %lld ms", id,
         sl_athena_out_rows(&pr.out), st.bytes_scanned, sl_athena_query_cost_usd(&st),
         st.total_ms);
  code = SL_EXIT_OK;
out:
  sl_athena_out_cleanup(&pr.out);
  sl_buf_cleanup(&pr.buf);
  sl_buf_cleanup(&sql);
  sl_buf_cleanup(&text);
  sl_buf_cleanup(&window);
  sl_table_cleanup(&t);
  sl_client_free(c);
  sl_profile_cleanup(&p);
  sl_cli_args_cleanup(&a);
  return code;
}

/* ------------------------------------------------------------------ commands */

static const struct sl_cli_exit ddl_exits[] = {
  { SL_EXIT_OK, "done: the statement printed" },
  { SL_EXIT_FAILED, "failed: AWS, network or credentials error" },
  { SL_EXIT_USAGE, "usage or profile error (no [athena], a layout that cannot be projected)" },
  { 0, NULL }
};
static const struct sl_cli_exit query_exits[] = {
  { SL_EXIT_OK, "done: every result row printed" },
  { SL_EXIT_FAILED, "failed: the query FAILED or was CANCELLED (Athena's reason on\n"
    "stderr), or an AWS, network or credentials error" },
  { SL_EXIT_USAGE, "usage or profile error" },
  { SL_EXIT_SIGINT, "interrupted (SIGINT): the query was stopped" },
  { SL_EXIT_SIGTERM, "terminated (SIGTERM): the query was stopped" },
  { 0, NULL }
};
static const char *const ddl_examples[] = {
  "inspect ddl profiles/local.ini",
  "inspect ddl profiles/aws-example.ini --start 2026-01-01 > table.sql",
  NULL
};
static const char *const query_examples[] = {
  "inspect query profiles/local.ini 'SELECT service, count(*) FROM logs GROUP BY 1'",
  "inspect query profiles/local.ini --since 2h --format table \\\n"
  "    'SELECT status, count(*) n FROM logs WHERE {window} GROUP BY 1 ORDER BY n DESC'",
  "inspect query profiles/local.ini --file audit.sql --format csv > audit.csv",
  NULL
};

const struct sl_cli_command sl_inspect_cmd_ddl = {
  "ddl", "PROFILE", "print the CREATE EXTERNAL TABLE of the profile's Athena table",
  "Print the Athena (Hive DDL) statement that creates the table [athena] describes, with\n"
  "the partition projection made from the stream's key layout: for Athena's console,\n"
  "Trino or Spark. provision apply creates the same table in Glue.",
  ddl_options, ddl_exits, ddl_examples, 1, 1, run_ddl
};

const struct sl_cli_command sl_inspect_cmd_query = {
  "query", "PROFILE [SQL]", "run SQL on the profile's Athena table",
  "Run the SQL on Athena in the profile's database, workgroup and results location, wait\n"
  "for it (on a terminal: state, data scanned and its cost), and print every result row.\n"
  "{window} in the SQL becomes the partition predicate of --since/--until (TRUE without\n"
  "them). A FAILED or CANCELLED query prints Athena's reason and exits 1; Ctrl-C stops it.",
  query_options, query_exits, query_examples, 1, 2, run_query
};
