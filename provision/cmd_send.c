/* cmd_send.c — `provision send`: options, input files, messages and the
 * report; the sending itself is the library's (sluice/send.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"
#include "sluice/send.h"
#include "cmd_send.h"
#include "cli_opts.h"

static const char usage[] =
  "Usage: provision send PROFILE [options] [RECORD ...]\n"
  "\n"
  "Send records to the profile's Firehose delivery stream or Kinesis stream. Records come\n"
  "from the arguments, else from --file, else from stdin.\n"
  "\n"
  "  --to firehose|kinesis     where to (default: firehose, or kinesis when the profile's\n"
  "                            Firehose reads from Kinesis)\n"
  "  --file FILE               read records from FILE ('-' = stdin); may be repeated\n"
  "  --format lines|json|raw   each line a record (default), each JSON value (compacted to\n"
  "                            one line with --delimiter newline), or the whole input\n"
  "  --delimiter newline|none  append '\\n' to records that lack one (default), or send as is\n"
  "  --partition-key KEY       Kinesis: the same key for every record\n"
  "  --partition-key-field A.B Kinesis: the key from each JSON record (dotted path)\n"
  "                            (default: a random UUID per record)\n"
  "  --explicit-hash-key N     Kinesis: explicit hash key for every record\n"
  "  --batch-size N            records per request, 1-500 (default 500)\n"
  "  --concurrency N           requests in flight, 1-64 (default 4)\n"
  "  --max-attempts N          requests per record before it fails for good (default 10)\n"
  "  --flush-interval SECONDS  send a batch that is not full once it has waited this long\n"
  "                            since its first record (default 1, decimals ok; 0 = only\n"
  "                            full batches and the end of the input)\n"
  "  --dead-letter FILE        append records that fail for good to FILE (JSON lines, 0600)\n"
  "  --strict                  send nothing when any record is over a limit\n"
  "  --json                    the report as JSON\n"
  "  -v, -vv                   more logging\n"
  "\n"
  "Exit status: 0 every record was accepted, 1 some were not (or an error), 2 bad usage.\n";

#define MAX_FILES 64

struct opts {
  const char *profile;
  int to;                     /* -1 unset, else enum sl_send_target */
  const char *files[MAX_FILES];
  int nfiles;
  char **records;
  int nrecords;
  enum sl_send_format format;
  struct sl_send_options so;
  int strict, json, verbose;
};

/* What every record callback needs. */
struct run {
  struct opts *o;
  struct sl_sender *s;
  int checking;               /* strict's first pass: check only */
  uint64_t bad;               /* refused so far */
  uint64_t seen;
  double t0, last;
  int progress_shown;
};

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char who[] = "provision send";

static int seconds(const char *opt, const char *v, double *out)
{
  char *end;
  double d;
  errno = 0;
  d = strtod(v, &end);
  /* Written so that NaN fails too. */
  if(errno || *end || end == v || !(d >= 0 && d <= SL_SEND_MAX_FLUSH_INTERVAL)) {
    fprintf(stderr, "provision send: %s takes seconds from 0 to %d (e.g. 0.2)\n", opt,
            SL_SEND_MAX_FLUSH_INTERVAL);
    return -1;
  }
  *out = d;
  return 0;
}

/* 0 to go on; else the exit code + 1. */
static int parse(int argc, char **argv, struct opts *o)
{
  int i, n, only_records = 0;
  memset(o, 0, sizeof(*o));
  o->to = -1;
  sl_send_options_init(&o->so);
  o->records = calloc((size_t)argc + 1, sizeof(char *));
  if(!o->records)
    return 2;
  for(i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if(only_records || a[0] != '-' || !a[1]) {
      if(!o->profile)
        o->profile = a;
      else
        o->records[o->nrecords++] = argv[i];
      continue;
    }
    if(!strcmp(a, "--")) {
      only_records = 1;
      continue;
    }
    if(sl_cli_is_help(a)) {
      fputs(usage, stdout);
      return 1;
    }
    if(sl_cli_verbose(a, &o->verbose))
      continue;
    if(!strcmp(a, "--json")) {
      o->json = 1;
      continue;
    }
    if(!strcmp(a, "--strict")) {
      o->strict = 1;
      continue;
    }
    /* Refused before its value is taken. */
    if(sl_cli_refused(who, a))
      return 3;
    /* The rest take a value. */
    if(!v) {
      sl_cli_needs_value(who, a);
      return 3;
    }
    i++;
    if(!strcmp(a, "--to") && (!strcmp(v, "firehose") || !strcmp(v, "kinesis")))
      o->to = !strcmp(v, "kinesis") ? SL_SEND_KINESIS : SL_SEND_FIREHOSE;
    else if(!strcmp(a, "--file")) {
      if(o->nfiles == MAX_FILES) {
        fprintf(stderr, "provision send: at most %d --file options\n", MAX_FILES);
        return 3;
      }
      o->files[o->nfiles++] = v;
    }
    else if(!strcmp(a, "--format") && !strcmp(v, "lines"))
      o->format = SL_SEND_LINES;
    else if(!strcmp(a, "--format") && !strcmp(v, "json"))
      o->format = SL_SEND_JSON;
    else if(!strcmp(a, "--format") && !strcmp(v, "raw"))
      o->format = SL_SEND_RAW;
    else if(!strcmp(a, "--delimiter") && (!strcmp(v, "newline") || !strcmp(v, "none")))
      o->so.newline = !strcmp(v, "newline");
    else if(!strcmp(a, "--partition-key"))
      o->so.partition_key = v;
    else if(!strcmp(a, "--partition-key-field"))
      o->so.partition_key_field = v;
    else if(!strcmp(a, "--explicit-hash-key"))
      o->so.explicit_hash_key = v;
    else if(!strcmp(a, "--dead-letter"))
      o->so.dead_letter = v;
    else if(!strcmp(a, "--batch-size")) {
      if(sl_cli_number(who, a, v, 1, 500, &n))
        return 3;
      o->so.batch_size = (size_t)n;
    }
    else if(!strcmp(a, "--concurrency")) {
      if(sl_cli_number(who, a, v, 1, SL_SEND_MAX_CONCURRENCY, &o->so.concurrency))
        return 3;
    }
    else if(!strcmp(a, "--flush-interval")) {
      if(seconds(a, v, &o->so.flush_interval_s))
        return 3;
    }
    else if(!strcmp(a, "--max-attempts")) {
      if(sl_cli_number(who, a, v, 1, SL_SEND_MAX_ATTEMPTS, &o->so.max_attempts))
        return 3;
    }
    else if(!strcmp(a, "--to") || !strcmp(a, "--format") || !strcmp(a, "--delimiter")) {
      fprintf(stderr, "provision send: %s does not take '%s' (see provision send --help)\n",
              a, v);
      return 3;
    }
    else {
      sl_cli_unknown(who, a);
      return 3;
    }
  }
  if(!o->profile) {
    fputs(usage, stderr);
    return 3;
  }
  return 0;
}

/* ------------------------------------------------------------------ records */

static void progress(struct run *rn, int last)
{
  struct sl_send_result p;
  double t = now_s();
  if(!isatty(2) || (!last && (t - rn->t0 < 1.0 || t - rn->last < 0.5)) ||
     (last && !rn->progress_shown))
    return;
  rn->last = t;
  rn->progress_shown = 1;
  sl_sender_progress(rn->s, &p);
  fprintf(stderr, "\r%llu read, %llu delivered, %llu failed, %.0f records/s%s",
          (unsigned long long)p.total, (unsigned long long)p.delivered,
          (unsigned long long)p.failed, p.elapsed_s > 0 ? (double)p.delivered / p.elapsed_s : 0,
          last ? "\n" : "");
}

static void refused(struct run *rn, const struct sl_error *err)
{
  if(rn->progress_shown)
    fputc('\n', stderr);
  rn->progress_shown = 0;
  fprintf(stderr, "provision send: %s\n", err->message);
  rn->bad++;
}

static enum sl_result on_record(void *ud, const char *p, size_t n, const struct sl_send_where *w)
{
  struct run *rn = ud;
  struct sl_error err;
  enum sl_result r;
  sl_error_clear(&err);
  if(rn->checking)
    r = sl_sender_check(rn->s, p, n, w, &err);
  else
    r = sl_sender_add(rn->s, p, n, w, &err);
  if(r == SL_E_TOO_LARGE || r == SL_E_INVALID || r == SL_E_NOT_FOUND) {
    refused(rn, &err);
    r = SL_OK;
  }
  else if(r) {
    fprintf(stderr, "provision send: %s\n", err.message);
    return r;
  }
  if(!rn->checking && !(++rn->seen & 1023))
    progress(rn, 0);
  return r;
}

static void on_oversize(void *ud, const struct sl_send_where *w, uint64_t size)
{
  struct run *rn = ud;
  struct sl_error err;
  sl_error_clear(&err);
  /* The delimiter's '\n' would be sent too, so it counts. */
  if(size)
    size += rn->o->so.newline ? 1 : 0;
  sl_send_too_large(sl_sender_limits(rn->s), w, size, &err);
  refused(rn, &err);
  if(!rn->checking)
    sl_sender_reject(rn->s, w, size, err.code, err.message, size ?
                     "over the record limit: measured while read, not kept" :
                     "over the record limit: skipped while read, not kept or measured");
}

static void on_bad(void *ud, const struct sl_send_where *w, const char *reason)
{
  struct run *rn = ud;
  struct sl_error err;
  char where[160];
  sl_error_clear(&err);
  sl_send_where_format(w, where, sizeof(where));
  sl_error_set(&err, SL_E_PARSE, "InvalidRecord", "%s: %s", where, reason);
  refused(rn, &err);
  if(!rn->checking)
    sl_sender_reject(rn->s, w, 0, err.code, err.message, "not a JSON value");
}

/* One pass over every input. spool: stdin's copy for the second pass. */
static enum sl_result read_all(struct run *rn, FILE **spool)
{
  struct opts *o = rn->o;
  struct sl_send_input in;
  struct sl_error err;
  enum sl_result r = SL_OK;
  int i;
  memset(&in, 0, sizeof(in));
  in.format = o->format;
  /* One record per line in S3 needs each JSON value on one line. */
  in.compact = o->format == SL_SEND_JSON && o->so.newline;
  in.record_max = sl_sender_limits(rn->s)->max_record_bytes;
  in.on_record = on_record;
  in.on_oversize = on_oversize;
  in.on_bad = on_bad;
  in.ud = rn;
  sl_error_clear(&err);
  for(i = 0; !r && i < o->nrecords; i++) {
    struct sl_send_where w = { NULL, (uint64_t)i + 1, SL_WHERE_ARG };
    r = on_record(rn, o->records[i], strlen(o->records[i]), &w);
  }
  for(i = 0; !r && i < (o->nfiles || o->nrecords ? o->nfiles : 1); i++) {
    const char *f = o->nfiles ? o->files[i] : "-";
    int is_stdin = !strcmp(f, "-"), fd, tee = -1;
    if(is_stdin && *spool && !rn->checking) {
      rewind(*spool);
      fd = fileno(*spool);
    }
    else
      fd = is_stdin ? 0 : open(f, O_RDONLY | O_CLOEXEC);
    if(fd < 0) {
      fprintf(stderr, "provision send: cannot open %s: %s\n", f, strerror(errno));
      return SL_E_IO;
    }
    if(is_stdin && rn->checking) {
      if(!*spool && !(*spool = tmpfile())) {
        fprintf(stderr, "provision send: cannot keep a copy of stdin: %s\n", strerror(errno));
        return SL_E_IO;
      }
      tee = fileno(*spool);
    }
    r = sl_send_read(&in, fd, is_stdin ? "stdin" : f, tee, &err);
    if(r && err.message[0])
      fprintf(stderr, "provision send: %s\n", err.message);
    if(!is_stdin)
      close(fd);
  }
  return r;
}

/* ------------------------------------------------------------------ run */

static int load(const char *path, struct sl_profile *p)
{
  struct sl_buf diag;
  struct sl_error err;
  enum sl_result r;
  sl_error_clear(&err);
  if(sl_buf_init(&diag, SL_BUF_SMALL))
    return 1;
  r = sl_profile_load(path, p, &diag, &err);
  if(r) {
    const char *line = diag.data, *nl;
    if(!diag.len)
      fprintf(stderr, "provision send: %s: %s\n", path, err.message);
    for(; line && *line; line = nl ? nl + 1 : NULL) {
      nl = strchr(line, '\n');
      fprintf(stderr, "provision: %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
    }
  }
  sl_buf_cleanup(&diag);
  return r ? 1 : 0;
}

/* The sender creates the dead-letter file 0600 but keeps the mode of one
 * that was there: say so when others may read the records it will hold. */
static void dead_letter_mode(const char *path)
{
  struct stat st;
  if(path && !stat(path, &st) && (st.st_mode & (S_IRGRP | S_IROTH)))
    fprintf(stderr, "provision send: warning: dead-letter file %s has mode %04o (readable by "
            "group or others) and will hold the records' data; run: chmod 600 %s\n", path,
            (unsigned)(st.st_mode & 07777), path);
}

/* The stream must exist and take records before any input is read. */
static enum sl_result stream_ready(const struct sl_aws_config *base, const char *path,
                                   const struct sl_send_options *so, struct sl_error *err)
{
  struct sl_aws_config cfg;
  struct sl_client *c = NULL;
  enum sl_result r = sl_aws_config_copy(&cfg, base, err);
  if(!r)
    r = sl_client_new(&c, &cfg, path, err);
  sl_aws_config_cleanup(&cfg);
  if(!r)
    r = sl_send_stream_ready(c, so->target, so->stream, err);
  sl_client_free(c);
  return r;
}

static int run(struct opts *o, const struct sl_profile *p)
{
  struct sl_aws_config cfg;
  struct sl_send_result res;
  struct sl_error err;
  struct run rn;
  struct sl_buf out;
  FILE *spool = NULL;
  enum sl_result r;
  int code = 1;
  memset(&rn, 0, sizeof(rn));
  rn.o = o;
  sl_error_clear(&err);
  sl_send_result_init(&res);
  sl_aws_config_init(&cfg);
  if(o->to < 0)
    o->to = p->firehose.source == SL_SOURCE_KINESIS ? SL_SEND_KINESIS : SL_SEND_FIREHOSE;
  o->so.target = (enum sl_send_target)o->to;
  o->so.stream = o->to == SL_SEND_KINESIS ? p->kinesis.name : p->firehose.name;
  o->so.kinesis_request_bytes = p->kinesis.enabled ? p->kinesis.max_request_bytes : 0;
  if(o->to == SL_SEND_KINESIS && !p->kinesis.enabled) {
    fprintf(stderr, "provision send: %s has no [kinesis] section to send to\n", o->profile);
    return 1;
  }
  if(sl_buf_init(&out, (size_t)512 * 1024 * 1024))
    return 1;
  r = sl_aws_config_resolve(&cfg, &p->aws, &err);
  if(!r) r = stream_ready(&cfg, p->path[0] ? p->path : NULL, &o->so, &err);
  if(!r) r = sl_sender_new(&rn.s, &o->so, &cfg, p->path[0] ? p->path : NULL, NULL, &err);
  if(r) {
    char line[2048];
    sl_error_format(&err, line, sizeof(line));
    fprintf(stderr, "provision send: %s\n", line);
    goto done;
  }
  dead_letter_mode(o->so.dead_letter);
  rn.t0 = now_s();
  if(o->strict) {
    rn.checking = 1;
    r = read_all(&rn, &spool);
    rn.checking = 0;
    if(!r && rn.bad) {
      fprintf(stderr, "provision send: --strict: %llu records refused, nothing sent\n",
              (unsigned long long)rn.bad);
      goto done;
    }
  }
  if(!r)
    r = read_all(&rn, &spool);
  {
    /* Whatever was read is sent and reported, also after an input error. */
    struct sl_error ferr;
    enum sl_result fr;
    sl_error_clear(&ferr);
    fr = sl_sender_finish(rn.s, &res, &ferr);
    progress(&rn, 1);
    if(fr)
      fprintf(stderr, "provision send: %s\n", ferr.message);
    if(o->json)
      sl_send_report_json(&res, o->so.stream, o->so.dead_letter, &out);
    else
      sl_send_report_text(&res, o->so.stream, o->so.dead_letter, &out);
    fwrite(out.data, 1, out.len, stdout);
    fflush(stdout);
    code = !r && !fr && !res.failed ? 0 : 1;
  }
done:
  if(spool)
    fclose(spool);
  sl_sender_free(rn.s);
  sl_send_result_cleanup(&res);
  sl_aws_config_cleanup(&cfg);
  sl_buf_cleanup(&out);
  return code;
}

int sl_cmd_send(int argc, char **argv)
{
  struct opts o;
  struct sl_profile p;
  int code = parse(argc, argv, &o);
  if(code) {
    free(o.records);
    return code - 1;
  }
  /* -v before "send" was applied by main.c; only raise it here. */
  if(o.verbose)
    sl_log_set_level((enum sl_log_level)(SL_LOG_WARN + (o.verbose > 3 ? 3 : o.verbose)));
  sl_profile_init(&p);
  code = load(o.profile, &p);
  if(!code)
    code = run(&o, &p);
  sl_profile_cleanup(&p);
  free(o.records);
  return code;
}
