/* inspect — command-line front end: argument parsing and printing only;
 * the work lives in the library (include/sluice/inspect.h).
 *
 * Exit codes (common/cli/cli.h): 0 everything read and decoded; 1 failure
 * (AWS, network, an object that could not be read); 3 completed, but some
 * data was bad (corrupt or truncated objects, unparsable records), each
 * reported on stderr with its key and byte offset; 64 usage or profile. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sluice/inspect.h"
#include "sluice/log.h"
#include "sluice/profile.h"
#include "sluice/version.h"
#include "common/cli/cli.h"
#include "inspect/cmd_athena.h"

enum {
  O_LOCAL = SL_CLI_OWN, O_START_AFTER, O_SINCE, O_UNTIL, O_FLAT, O_WHERE, O_GREP, O_WITH_KEY, O_RAW,
  O_LIMIT, O_FORMAT, O_JSON, O_CONCURRENCY, O_PAGE_SIZE, O_OBJECT_BUFFER, O_INTERVAL, O_COUNT,
  O_TIMEOUT
};

#define END { NULL, 0, NULL, NULL, 0 }
#define OPT_LOCAL { "local", 0, "PATH", "read downloaded objects from a file or a folder (no AWS)", \
                    O_LOCAL }
#define OPT_START { "start-after", 0, "KEY", "only keys after KEY (as ListObjectsV2 StartAfter)", \
                    O_START_AFTER }, \
                  { "resume-after", 0, "KEY", "the same as --start-after: go on after the last\n" \
                    "complete object a --limit run named", O_START_AFTER }
#define OPT_WINDOW { "since", 0, "TIME", "arrival window start: ISO time (UTC) or 30m, 2h, 1d ago;\n" \
                     "only the hour prefixes in the window are listed", O_SINCE }, \
                   { "until", 0, "TIME", "arrival window end, the same forms (default: now)", \
                     O_UNTIL }, \
                   { "flat", 0, NULL, "do not assume Firehose's YYYY/MM/dd/HH/ key layout", O_FLAT }
#define OPT_FILTER { "where", 0, "PATH=VALUE", "records whose JSON PATH (a.b.0) is VALUE; may be\n" \
                     "repeated (all must match)", O_WHERE }, \
                   { "grep", 0, "TEXT", "records containing TEXT", O_GREP }
#define OPT_FORMAT { "format", 0, "auto|json|lines", "how objects hold records (default auto: JSON\n" \
                     "when the first byte opens a JSON value, else lines)", O_FORMAT }
#define OPT_FETCH { "concurrency", 0, "N", "objects fetched at once, 1-64 (default 8)", \
                    O_CONCURRENCY }, \
                  { "page-size", 0, "N", "keys per ListObjectsV2 page, 1-1000 (default 1000)", \
                    O_PAGE_SIZE }
#define OPT_BUFFER { "object-buffer", 0, "BYTES", "output held per object waiting its turn\n" \
                     "(default 1048576)", O_OBJECT_BUFFER }
#define OPT_JSON(what) { "json", 0, NULL, what, O_JSON }

static const struct sl_cli_option ls_options[] = {
  OPT_LOCAL, OPT_START, OPT_WINDOW, OPT_FETCH,
  { "limit", 0, "N", "list at most N keys", O_LIMIT },
  OPT_JSON("one JSON object per key (key, size, last_modified)"), END
};
static const struct sl_cli_option cat_options[] = {
  OPT_LOCAL, OPT_START, OPT_WINDOW, OPT_FILTER, OPT_FORMAT, OPT_FETCH, OPT_BUFFER,
  { "with-key", 0, NULL, "print {\"key\", \"offset\", \"record\"} for each record", O_WITH_KEY },
  { "limit", 0, "N", "print at most N records, then name the last complete object", O_LIMIT },
  END
};
static const struct sl_cli_option stats_options[] = {
  OPT_LOCAL, OPT_START, OPT_WINDOW, OPT_FILTER, OPT_FORMAT, OPT_FETCH,
  OPT_JSON("the counts as one JSON document"), END
};
static const struct sl_cli_option errors_options[] = {
  OPT_LOCAL, OPT_START, OPT_WINDOW, OPT_FILTER, OPT_FETCH, OPT_BUFFER,
  { "raw", 0, NULL, "--grep/--where on the error record as stored (errorCode,\n"
                    "rawData in base64), not on the decoded record", O_RAW },
  { "limit", 0, "N", "print at most N error records", O_LIMIT }, END
};
static const struct sl_cli_option tail_options[] = {
  OPT_WINDOW, OPT_FILTER, OPT_FORMAT, OPT_FETCH, OPT_BUFFER,
  { "with-key", 0, NULL, "print {\"key\", \"offset\", \"record\"} for each record", O_WITH_KEY },
  { "interval", 0, "SECONDS", "time between listings (default 10)", O_INTERVAL },
  { "count", 0, "N", "stop after N records", O_COUNT },
  { "timeout", 0, "SECONDS", "stop after this long (default: never)", O_TIMEOUT },
  END
};

#define EXIT_OK(what) { SL_EXIT_OK, "done: " what }
#define EXIT_FAILED { SL_EXIT_FAILED, "failed: AWS, network or credentials error, or an object\n" \
                      "that could not be read" }
#define EXIT_DATA { SL_EXIT_DATA, "completed, but some data was bad (corrupt or cut-off objects,\n" \
                    "records that do not parse, text with NUL bytes or invalid\n" \
                    "UTF-8): each on stderr with key and offset" }
#define EXIT_USAGE { SL_EXIT_USAGE, "usage or profile error" }
#define EXIT_SIGNALS { SL_EXIT_SIGINT, "interrupted (SIGINT)" }, \
                     { SL_EXIT_SIGTERM, "terminated (SIGTERM)" }

static const struct sl_cli_exit ls_exits[] = {
  EXIT_OK("every key listed"), EXIT_FAILED, EXIT_USAGE, { 0, NULL }
};
static const struct sl_cli_exit read_exits[] = {
  EXIT_OK("every object read and decoded"), EXIT_FAILED, EXIT_DATA, EXIT_USAGE, EXIT_SIGNALS,
  { 0, NULL }
};
static const struct sl_cli_exit tail_exits[] = {
  EXIT_OK("--count or --timeout reached"), EXIT_FAILED, EXIT_DATA, EXIT_USAGE, EXIT_SIGNALS,
  { 0, NULL }
};

static const char *const ls_examples[] = {
  "inspect ls profiles/local.ini --since 2h",
  "inspect ls s3://my-logs/app/2026/12/06/ --json | jq -r .key",
  NULL
};
static const char *const cat_examples[] = {
  "inspect cat profiles/local.ini --since 30m",
  "inspect cat s3://my-logs/app/ --where level=error --limit 20",
  "inspect cat --local ./downloaded/ --with-key | jq .offset",
  NULL
};
static const char *const stats_examples[] = {
  "inspect stats profiles/local.ini --since 1d",
  "inspect stats s3://my-logs/app/ --grep timeout --json",
  NULL
};
static const char *const errors_examples[] = {
  "inspect errors profiles/local.ini --since 1d",
  "inspect errors s3://my-logs/errors/ --grep Lambda.FunctionError",
  NULL
};
static const char *const tail_examples[] = {
  "inspect tail profiles/local.ini",
  "inspect tail s3://my-logs/app/ --interval 5 --where level=error | jq .",
  "inspect tail profiles/local.ini --count 1 --timeout 300   # wait for the next record",
  NULL
};

struct opts {
  const char *cmd;
  const char *target;
  struct sl_inspect_command c;
  struct sl_inspect_filter filter;
  int64_t now;
  char who[64];               /* "inspect ls" */
  const struct sl_cli_args *args; /* the global AWS options */
};

static int on_option(void *ud, int id, const char *v)
{
  struct opts *o = ud;
  const char *who = o->who;
  long long n;
  long ms;
  int code = 0;
  switch(id) {
  case O_LOCAL:
    o->c.src.local = v;
    break;
  case O_START_AFTER:
    o->c.src.start_after = v;
    break;
  case O_SINCE:
  case O_UNTIL:
    if(sl_inspect_parse_time(v, o->now, id == O_SINCE ? &o->c.src.since : &o->c.src.until))
      return sl_cli_bad_value(who, id == O_SINCE ? "since" : "until", v,
                              "a time (2026-12-06T10:00:00Z, 2026-12-06, or 30m, 2h, 1d ago)");
    break;
  case O_FLAT:
    o->c.src.flat = 1;
    break;
  case O_WHERE:
    if(sl_inspect_filter_add_where(&o->filter, v))
      return sl_cli_bad_value(who, "where", v, "PATH=VALUE (e.g. level=error, user.id=7)");
    o->c.filter = &o->filter;
    break;
  case O_GREP:
    if(sl_inspect_filter_set_grep(&o->filter, v))
      return sl_cli_bad_value(who, "grep", v, "a text to look for");
    o->c.filter = &o->filter;
    break;
  case O_WITH_KEY:
    o->c.with_key = 1;
    break;
  case O_RAW:
    o->c.raw = 1;
    break;
  case O_LIMIT:
  case O_COUNT:
    if(!(code = sl_cli_number(who, id == O_LIMIT ? "limit" : "count", v, 1, INT64_MAX, &n)))
      o->c.limit = (uint64_t)n;
    break;
  case O_FORMAT:
    n = sl_cli_choice(who, "format", v, "auto|json|lines");
    if(n < 0)
      return SL_EXIT_USAGE;
    o->c.format = n == 0 ? SL_DECODE_AUTO : n == 1 ? SL_DECODE_JSON : SL_DECODE_LINES;
    break;
  case O_JSON:
    o->c.json = 1;
    break;
  case O_CONCURRENCY:
    if(!(code = sl_cli_number(who, "concurrency", v, 1, SL_INSPECT_MAX_CONCURRENCY, &n)))
      o->c.concurrency = o->c.src.concurrency = (int)n;
    break;
  case O_PAGE_SIZE:
    if(!(code = sl_cli_number(who, "page-size", v, 1, 1000, &n)))
      o->c.src.max_keys = (int)n;
    break;
  case O_OBJECT_BUFFER:
    if(!(code = sl_cli_number(who, "object-buffer", v, 1, 1ll << 30, &n)))
      o->c.object_buffer = (size_t)n;
    break;
  case O_INTERVAL:
    if(!(code = sl_cli_duration(who, "interval", v, 86400.0 * 366, &o->c.interval_ms)) &&
       !o->c.interval_ms)
      return sl_cli_usage_error(who, "--interval must be more than 0");
    break;
  case O_TIMEOUT:
    code = sl_cli_duration(who, "timeout", v, 86400.0 * 366, &ms);
    o->c.timeout_ms = ms;
    break;
  }
  return code;
}

static void report(void *ud, const char *key, uint64_t offset, const char *reason)
{
  (void)ud;
  fprintf(stderr, "inspect: %s: offset %llu: %s\n", key, (unsigned long long)offset, reason);
}

static int out(void *ud, const char *p, size_t n)
{
  (void)ud;
  return fwrite(p, 1, n, stdout) != n;
}

static void print_error(const char *what, const struct sl_error *err)
{
  char msg[1400];
  sl_error_format(err, msg, sizeof(msg));
  fprintf(stderr, "inspect %s: %s\n", what, msg[0] ? msg : sl_strresult(err->result));
}

/* stats --json: a failure is a document too (ls --json prints one line
 * per key, where an error document would read as a key). */
static void json_error(const struct opts *o, const struct sl_error *err)
{
  struct sl_buf b;
  if(!o->c.json || strcmp(o->cmd, "stats") || sl_buf_init(&b, SL_BUF_SMALL))
    return;
  if(!sl_inspect_error_json(o->cmd, o->target, err, &b))
    fwrite(b.data, 1, b.len, stdout);
  sl_buf_cleanup(&b);
}

/* Bucket and prefix from s3://BUCKET/PREFIX or the profile; the client's
 * configuration from the profile's [aws], the environment and the shared
 * AWS config. Fills bucket/prefix in o->c.src (pointing into p or the
 * target). Returns 0, or an exit code after a message. */
static int open_target(struct opts *o, struct sl_profile *p, char *bucket, size_t blen,
                       struct sl_client **c)
{
  struct sl_aws_config cfg, none;
  const struct sl_aws_config *base = &none;
  struct sl_error err;
  enum sl_result r = SL_OK;
  const char *profile_path = NULL;
  sl_error_clear(&err);
  if(o->c.src.local)
    return 0;
  sl_aws_config_init(&none);
  if(!strncmp(o->target, "s3://", 5)) {
    const char *b = o->target + 5, *slash = strchr(b, '/');
    size_t n = slash ? (size_t)(slash - b) : strlen(b);
    if(!n || n >= blen) {
      return sl_cli_usage_error("inspect", "not an S3 URL: '%s' (s3://BUCKET/PREFIX)",
                                o->target);
    }
    memcpy(bucket, b, n);
    bucket[n] = 0;
    o->c.src.prefix = slash ? slash + 1 : "";
  }
  else {
    int code = sl_cli_profile_load(o->args, o->target, SL_PROFILE_NEED_BUCKET, p, &err);
    if(code) {
      json_error(o, &err);
      return code;
    }
    snprintf(bucket, blen, "%s", p->bucket.name);
    o->c.src.prefix = !strcmp(o->cmd, "errors") ? p->firehose.error_prefix : p->firehose.prefix;
    if(!strcmp(o->cmd, "errors") && !p->firehose.error_prefix[0]) {
      return sl_cli_usage_error("inspect", "%s has no error_prefix; name it as s3://%s/PREFIX",
                                o->target, bucket);
    }
    base = &p->aws;
    profile_path = o->target;
  }
  o->c.src.bucket = bucket;
  if(base == &none) {
    int code = sl_cli_aws_options(o->args, &none, &err);
    if(code) {
      json_error(o, &err);
      return code;
    }
  }
  r = sl_aws_config_resolve(&cfg, base, &err);
  if(!r) {
    r = sl_client_new(c, &cfg, profile_path, &err);
    sl_aws_config_cleanup(&cfg);
  }
  if(r) {
    print_error(o->cmd, &err);
    json_error(o, &err);
    return sl_cli_exit_for(r);
  }
  return 0;
}

static int finish(const struct opts *o, enum sl_result r, const struct sl_error *err,
                  const struct sl_inspect_summary *s)
{
  const char *cmd = o->cmd;
  if(fflush(stdout) || ferror(stdout)) {
    fprintf(stderr, "inspect: writing the output failed\n");
    return SL_EXIT_FAILED;
  }
  sl_log(SL_LOG_INFO, "%s: %llu objects, %llu bytes, %llu records, %llu printed, "
         "%llu data errors, %llu unreadable objects, %lu list pages%s", cmd,
         (unsigned long long)s->objects, (unsigned long long)s->bytes,
         (unsigned long long)s->records, (unsigned long long)s->printed,
         (unsigned long long)s->data_errors, (unsigned long long)s->failed_objects,
         s->list_pages, s->windowed ? " (hour prefixes)" : "");
  if(s->stopped && s->last_key[0])
    sl_log(SL_LOG_INFO, "stopped at the limit; the last complete object was %s "
           "(--resume-after it to go on)", s->last_key);
  if(r) {
    print_error(cmd, err);
    json_error(o, err);
    fflush(stdout);
    return sl_cli_exit_for(r);
  }
  if(s->failed_objects)
    return SL_EXIT_FAILED;
  return s->data_errors ? SL_EXIT_DATA : SL_EXIT_OK;
}

static int run(struct opts *o, struct sl_client *c)
{
  struct sl_inspect_summary sum;
  struct sl_error err;
  enum sl_result r;
  memset(&sum, 0, sizeof(sum));
  sl_error_clear(&err);
  o->c.out = out;
  o->c.report = report;
  if(!strcmp(o->cmd, "ls"))
    r = sl_inspect_ls(c, &o->c, &sum, &err);
  else if(!strcmp(o->cmd, "cat"))
    r = sl_inspect_cat(c, &o->c, &sum, &err);
  else if(!strcmp(o->cmd, "errors"))
    r = sl_inspect_errors(c, &o->c, &sum, &err);
  else if(!strcmp(o->cmd, "tail")) {
    /* Followed live, often through a pipe (`| jq`): each line as it comes. */
    setvbuf(stdout, NULL, _IOLBF, 0);
    r = sl_inspect_tail(c, &o->c, &sum, &err);
  }
  else {
    struct sl_inspect_stats st;
    struct sl_buf text;
    r = sl_inspect_stats(c, &o->c, &st, &err);
    if(!r && !(r = sl_buf_init(&text, SL_BUF_MEDIUM))) {
      r = sl_inspect_stats_render(&st, o->c.json, &text);
      if(!r)
        fwrite(text.data, 1, text.len, stdout);
      sl_buf_cleanup(&text);
    }
    sum = st.sum;
    sl_inspect_stats_cleanup(&st);
  }
  return finish(o, r, &err, &sum);
}

static int main_command(const struct sl_cli_program *prog, const struct sl_cli_command *cmd,
                        int argc, char **argv)
{
  struct sl_cli_args a;
  struct opts o;
  struct sl_profile profile;
  struct sl_client *client = NULL;
  char bucket[256];
  int code;
  memset(&o, 0, sizeof(o));
  o.cmd = cmd->name;
  snprintf(o.who, sizeof(o.who), "%s %s", prog->name, cmd->name);
  o.now = (int64_t)time(NULL);
  o.c.src.since = o.c.src.until = SL_INSPECT_NO_TIME;
  sl_inspect_filter_init(&o.filter);
  sl_profile_init(&profile);
  code = sl_cli_parse(prog, cmd, argc, argv, on_option, &o, &a);
  if(code < 0) {
    sl_cli_apply_verbosity(&a);
    o.target = a.argc ? a.argv[0] : NULL;
    o.args = &a;
    if(!o.target == !o.c.src.local)
      code = sl_cli_usage_error(a.who, "give one of PROFILE, s3://BUCKET/PREFIX or --local PATH");
    else
      code = open_target(&o, &profile, bucket, sizeof(bucket), &client);
    if(!code)
      code = run(&o, client);
  }
  sl_client_free(client);
  sl_profile_cleanup(&profile);
  sl_inspect_filter_cleanup(&o.filter);
  sl_cli_args_cleanup(&a);
  return code;
}

#define TARGET "(PROFILE | s3://BUCKET/PREFIX | --local PATH)"
#define COMMAND(name, summary, description, options, exits, examples) \
  { name, TARGET, summary, description, options, exits, examples, 0, 1, main_command }

static const struct sl_cli_command cmd_ls = COMMAND("ls", "list objects (time, size, key)",
  "List the objects under the prefix, oldest key first: arrival time, size and key. A\n"
  "PROFILE means its bucket and Firehose prefix; --local lists downloaded files.",
  ls_options, ls_exits, ls_examples);
static const struct sl_cli_command cmd_cat = COMMAND("cat", "print records as NDJSON, in key order",
  "Fetch the objects (several at once, printed in key order), decompress them and print\n"
  "each record on one line. Corrupt or cut-off data is reported with key and offset, and\n"
  "the rest is still printed.",
  cat_options, read_exits, cat_examples);
static const struct sl_cli_command cmd_stats = COMMAND("stats",
  "count objects, bytes, records, parse errors, records per hour",
  "Read every object and count objects, bytes, records, parse errors and records per\n"
  "hour of arrival. With --where or --grep, records count only those that match.",
  stats_options, read_exits, stats_examples);
static const struct sl_cli_command cmd_errors = COMMAND("errors", "decode Firehose error-output objects",
  "Decode the objects Firehose wrote to its error prefix (records it could not deliver or\n"
  "process): each record's error code and message, and its data decoded from base64.",
  errors_options, read_exits, errors_examples);
static const struct sl_cli_command cmd_tail = {
  "tail", "(PROFILE | s3://BUCKET/PREFIX)", "follow the prefix, print new records",
  "List the prefix every --interval and print the records of objects that were not there\n"
  "before, until --count records or --timeout (or Ctrl-C).",
  tail_options, tail_exits, tail_examples, 0, 1, main_command
};

static const struct sl_cli_command *const commands[] = {
  &cmd_ls, &cmd_cat, &cmd_stats, &cmd_errors, &cmd_tail, &sl_inspect_cmd_ddl,
  &sl_inspect_cmd_query, NULL
};

static const struct sl_cli_program program = {
  "inspect", "[options] COMMAND (PROFILE | s3://BUCKET/PREFIX | --local PATH) [options]",
  "Page through S3 prefixes and decode the log objects Firehose delivered. A PROFILE gives\n"
  "the bucket and the Firehose prefix (errors: its error_prefix).",
  commands
};

int main(int argc, char **argv)
{
  return sl_cli_main(&program, argc, argv);
}
