/* inspect — command-line front end: argument parsing and printing only;
 * the work lives in the library (include/sluice/inspect.h).
 *
 * Exit codes: 0 everything read and decoded; 1 failure (usage, profile,
 * AWS, network, an object that could not be read); 3 completed, but some
 * data was bad (corrupt or truncated objects, unparsable records), each
 * reported on stderr with its key and byte offset. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sluice/inspect.h"
#include "sluice/log.h"
#include "sluice/profile.h"
#include "sluice/version.h"

#define EXIT_DATA 3

static const char usage[] =
  "Usage: inspect [-v|-vv] COMMAND (PROFILE | s3://BUCKET/PREFIX | --local PATH) [options]\n"
  "\n"
  "Page through S3 prefixes and decode the log objects Firehose delivered.\n"
  "A PROFILE gives the bucket and the Firehose prefix (errors: error_prefix).\n"
  "\n"
  "Commands:\n"
  "  ls       list objects (time, size, key)\n"
  "  cat      print records as NDJSON, in key order\n"
  "  stats    count objects, bytes, records, parse errors, records per hour\n"
  "  errors   decode Firehose error-output objects\n"
  "  tail     follow the prefix and print records of new objects\n"
  "\n"
  "Options:\n"
  "  --local PATH          read downloaded objects from a file or folder\n"
  "  --start-after KEY     only keys after KEY (also --resume-after)\n"
  "  --since T, --until T  arrival window: ISO time (UTC) or 30m, 2h, 1d ago;\n"
  "                        lists only the hour prefixes in the window\n"
  "  --flat                do not assume the YYYY/MM/dd/HH/ layout\n"
  "  --where PATH=VALUE    records whose JSON PATH (a.b.0) is VALUE (all but ls;\n"
  "                        stats counts only those)\n"
  "  --grep TEXT           records containing TEXT (all but ls)\n"
  "  --with-key            cat/tail: print {key, offset, record}\n"
  "  --limit N             print at most N records (ls: keys)\n"
  "  --format F            auto (default), json or lines\n"
  "  --json                ls, stats: JSON output\n"
  "  --concurrency N       objects fetched at once (default 8)\n"
  "  --page-size N         keys per ListObjectsV2 page (default 1000)\n"
  "  --object-buffer N     bytes of output held per object waiting its turn (1 MiB)\n"
  "  --interval S          tail: seconds between polls (default 10)\n"
  "  --count N             tail: stop after N records\n"
  "  --timeout S           tail: stop after S seconds\n"
  "  -v, -vv               more logging; secrets are never printed\n"
  "  -h, --help            this help\n"
  "  --version             print the version\n"
  "\n"
  "Exit status: 0 ok, 1 error, 3 completed but some data was bad (see stderr).\n";

struct opts {
  const char *cmd;
  const char *target;
  struct sl_inspect_command c;
  struct sl_inspect_filter filter;
  int verbose;
};

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

static int bad(const char *opt, const char *val)
{
  fprintf(stderr, "inspect: bad value for %s: '%s' (see inspect --help)\n", opt, val);
  return 1;
}

static int number(const char *opt, const char *val, unsigned long long max,
                  unsigned long long *out_n)
{
  char *end;
  unsigned long long n;
  errno = 0;
  n = strtoull(val, &end, 10);
  if(errno || end == val || *end || val[0] == '-' || n > max)
    return bad(opt, val);
  *out_n = n;
  return 0;
}

/* 1..max; 0, or 1 after a message. */
static int positive(const char *opt, const char *val, unsigned long long max,
                    unsigned long long *out_n)
{
  if(number(opt, val, max, out_n))
    return 1;
  return *out_n ? 0 : bad(opt, val);
}

static int seconds(const char *opt, const char *val, long *ms)
{
  char *end;
  double s = strtod(val, &end);
  if(end == val || *end || !(s >= 0) || s > 86400.0 * 366)
    return bad(opt, val);
  *ms = (long)(s * 1000.0 + 0.5);
  return 0;
}

/* Parses everything after the command. Returns 0, or 1 after a message. */
static int parse(int argc, char **argv, int i, struct opts *o)
{
  int64_t now = (int64_t)time(NULL);
  unsigned long long n;
  for(; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int takes = 1;
    if(!strcmp(a, "-v"))
      o->verbose += 1, takes = 0;
    else if(!strcmp(a, "-vv"))
      o->verbose += 2, takes = 0;
    else if(!strcmp(a, "--flat"))
      o->c.src.flat = 1, takes = 0;
    else if(!strcmp(a, "--with-key"))
      o->c.with_key = 1, takes = 0;
    else if(!strcmp(a, "--json"))
      o->c.json = 1, takes = 0;
    else if(sl_config_is_credential_option(a)) {
      /* Refused before its value is taken, and named without it. */
      fprintf(stderr, "inspect: refusing '%.*s': %s\n", (int)strcspn(a, "="), a,
              SL_CREDENTIAL_OPTION_HINT);
      return 1;
    }
    else if(a[0] != '-' || !a[1]) {
      if(o->target) {
        fprintf(stderr, "inspect: one target only: '%s' (see inspect --help)\n", a);
        return 1;
      }
      o->target = a;
      continue;
    }
    if(!takes)
      continue;
    if(!v) {
      fprintf(stderr, "inspect: %.*s needs a value (see inspect --help)\n", (int)strcspn(a, "="),
              a);
      return 1;
    }
    i++;
    if(!strcmp(a, "--local"))
      o->c.src.local = v;
    else if(!strcmp(a, "--start-after") || !strcmp(a, "--resume-after"))
      o->c.src.start_after = v;
    else if(!strcmp(a, "--since") || !strcmp(a, "--until")) {
      int64_t *t = a[2] == 's' ? &o->c.src.since : &o->c.src.until;
      if(sl_inspect_parse_time(v, now, t))
        return bad(a, v);
    }
    else if(!strcmp(a, "--where")) {
      if(sl_inspect_filter_add_where(&o->filter, v))
        return bad(a, v);
      o->c.filter = &o->filter;
    }
    else if(!strcmp(a, "--grep")) {
      if(sl_inspect_filter_set_grep(&o->filter, v))
        return bad(a, v);
      o->c.filter = &o->filter;
    }
    else if(!strcmp(a, "--limit") || !strcmp(a, "--count")) {
      if(positive(a, v, (unsigned long long)-1, &n))
        return 1;
      o->c.limit = n;
    }
    else if(!strcmp(a, "--format")) {
      if(!strcmp(v, "auto"))
        o->c.format = SL_DECODE_AUTO;
      else if(!strcmp(v, "json"))
        o->c.format = SL_DECODE_JSON;
      else if(!strcmp(v, "lines"))
        o->c.format = SL_DECODE_LINES;
      else
        return bad(a, v);
    }
    else if(!strcmp(a, "--concurrency")) {
      if(positive(a, v, SL_INSPECT_MAX_CONCURRENCY, &n))
        return 1;
      o->c.concurrency = o->c.src.concurrency = (int)n;
    }
    else if(!strcmp(a, "--page-size")) {
      if(positive(a, v, 1000, &n))
        return 1;
      o->c.src.max_keys = (int)n;
    }
    else if(!strcmp(a, "--object-buffer")) {
      if(positive(a, v, 1ull << 30, &n))
        return 1;
      o->c.object_buffer = (size_t)n;
    }
    else if(!strcmp(a, "--interval")) {
      if(seconds(a, v, &o->c.interval_ms))
        return 1;
      if(!o->c.interval_ms)
        return bad(a, v);
    }
    else if(!strcmp(a, "--timeout")) {
      if(seconds(a, v, &o->c.timeout_ms))
        return 1;
    }
    else {
      fprintf(stderr, "inspect: unknown option '%.*s' (see inspect --help)\n",
              (int)strcspn(a, "="), a);
      return 1;
    }
  }
  if(!o->target == !o->c.src.local) {
    fprintf(stderr, "inspect: give one of PROFILE, s3://BUCKET/PREFIX or --local PATH\n");
    return 1;
  }
  return 0;
}

static void print_error(const char *what, const struct sl_error *err)
{
  char msg[1400];
  sl_error_format(err, msg, sizeof(msg));
  fprintf(stderr, "inspect: %s: %s\n", what, msg[0] ? msg : sl_strresult(err->result));
}

/* Bucket and prefix from s3://BUCKET/PREFIX or the profile; the client's
 * configuration from the profile's [aws], the environment and the shared
 * AWS config. Fills bucket/prefix in o->c.src (pointing into p or the
 * target). Returns 0, or 1 after a message. */
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
      fprintf(stderr, "inspect: not an S3 URL: '%s'\n", o->target);
      return 1;
    }
    memcpy(bucket, b, n);
    bucket[n] = 0;
    o->c.src.prefix = slash ? slash + 1 : "";
  }
  else {
    struct sl_buf diag;
    if(sl_buf_init(&diag, SL_BUF_SMALL))
      return 1;
    r = sl_profile_load(o->target, p, &diag, &err);
    if(r) {
      /* Each diagnostic, or the loader's error, already names the file. */
      const char *line = diag.data, *nl;
      char msg[1400];
      if(!diag.len) {
        sl_error_format(&err, msg, sizeof(msg));
        fprintf(stderr, "inspect: %s\n", msg);
      }
      for(; line && *line; line = nl ? nl + 1 : NULL) {
        nl = strchr(line, '\n');
        fprintf(stderr, "inspect: %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
      }
    }
    sl_buf_cleanup(&diag);
    if(r)
      return 1;
    snprintf(bucket, blen, "%s", p->bucket.name);
    o->c.src.prefix = !strcmp(o->cmd, "errors") ? p->firehose.error_prefix : p->firehose.prefix;
    if(!strcmp(o->cmd, "errors") && !p->firehose.error_prefix[0]) {
      fprintf(stderr, "inspect: %s has no error_prefix; name it as s3://%s/PREFIX\n",
              o->target, bucket);
      return 1;
    }
    base = &p->aws;
    profile_path = o->target;
  }
  o->c.src.bucket = bucket;
  r = sl_aws_config_resolve(&cfg, base, &err);
  if(!r) {
    r = sl_client_new(c, &cfg, profile_path, &err);
    sl_aws_config_cleanup(&cfg);
  }
  if(r) {
    print_error("configuration", &err);
    return 1;
  }
  return 0;
}

static int finish(const char *cmd, enum sl_result r, const struct sl_error *err,
                  const struct sl_inspect_summary *s)
{
  if(fflush(stdout) || ferror(stdout)) {
    fprintf(stderr, "inspect: writing the output failed\n");
    return 1;
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
    return 1;
  }
  if(s->failed_objects)
    return 1;
  return s->data_errors ? EXIT_DATA : 0;
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
  return finish(o->cmd, r, &err, &sum);
}

int main(int argc, char **argv)
{
  static const char *const commands[] = { "ls", "cat", "stats", "errors", "tail", NULL };
  struct opts o;
  struct sl_profile profile;
  struct sl_client *client = NULL;
  char bucket[256];
  int i, code, known = 0;
  memset(&o, 0, sizeof(o));
  o.c.src.since = o.c.src.until = SL_INSPECT_NO_TIME;
  sl_inspect_filter_init(&o.filter);
  for(i = 1; i < argc && !o.cmd; i++) {
    if(!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      fputs(usage, stdout);
      return 0;
    }
    if(!strcmp(argv[i], "--version")) {
      printf("inspect (sluice) %s\n", SLUICE_VERSION);
      return 0;
    }
    if(!strcmp(argv[i], "-v"))
      o.verbose += 1;
    else if(!strcmp(argv[i], "-vv"))
      o.verbose += 2;
    else if(sl_config_is_credential_option(argv[i])) {
      fprintf(stderr, "inspect: refusing '%.*s': %s\n", (int)strcspn(argv[i], "="), argv[i],
              SL_CREDENTIAL_OPTION_HINT);
      return 1;
    }
    else if(argv[i][0] == '-') {
      fprintf(stderr, "inspect: unknown option '%.*s' (see inspect --help)\n",
              (int)strcspn(argv[i], "="), argv[i]);
      return 1;
    }
    else
      o.cmd = argv[i];
  }
  if(!o.cmd) {
    fputs(usage, stderr);
    return 1;
  }
  for(known = 0; commands[known] && strcmp(o.cmd, commands[known]); known++)
    ;
  if(!commands[known]) {
    fprintf(stderr, "inspect: unknown command '%s' (see inspect --help)\n", o.cmd);
    return 1;
  }
  sl_profile_init(&profile);
  code = parse(argc, argv, i, &o);
  sl_log_set_level((enum sl_log_level)(SL_LOG_WARN + (o.verbose > 2 ? 2 : o.verbose)));
  if(!code)
    code = open_target(&o, &profile, bucket, sizeof(bucket), &client);
  if(!code)
    code = run(&o, client);
  sl_client_free(client);
  sl_profile_cleanup(&profile);
  sl_inspect_filter_cleanup(&o.filter);
  return code;
}
