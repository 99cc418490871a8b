/* cmd_send.c — `provision send`: options, input files, messages and the
 * report; the sending itself is the library's (sluice/send.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sluice.h"
#include "sluice/send.h"
#include "commands.h"
#include "cmd_send_files.h"

enum {
  O_TO = SL_CLI_OWN, O_FILE, O_FORMAT, O_DELIMITER, O_PARTITION_KEY, O_PARTITION_KEY_FIELD,
  O_EXPLICIT_HASH_KEY, O_BATCH_SIZE, O_CONCURRENCY, O_MAX_ATTEMPTS, O_FLUSH_INTERVAL,
  O_DEAD_LETTER, O_STRICT, O_JSON, O_STREAM, O_RESULTS, O_CHECKPOINT, O_AGGREGATE, O_NO_AGGREGATE
};

static const struct sl_cli_option options[] = {
  { "stream", 0, "NAME|ARN", "send to this stream without a profile: region, credentials and\n"
    "endpoint come from the AWS environment and shared config;\n"
    "a NAME needs --to, an ARN names its service, region and account", O_STREAM },
  { "to", 0, "firehose|kinesis", "which stream (default: the profile's Kinesis stream when its\n"
    "Firehose reads from it or it has only [kinesis], else its Firehose)", O_TO },
  { "file", 0, "FILE", "read records from FILE ('-' = stdin); may be repeated\n"
    "(default: the RECORD arguments, else stdin)", O_FILE },
  { "format", 0, "lines|json|raw", "each line is a record (default); each JSON value (one line\n"
    "each with --delimiter newline); or the whole input is one", O_FORMAT },
  { "delimiter", 0, "newline|none", "append '\\n' to records that lack one (default), or send\n"
    "them as they are", O_DELIMITER },
  { "partition-key", 0, "KEY", "Kinesis: the same partition key for every record\n"
    "(default: a random UUID per record)", O_PARTITION_KEY },
  { "partition-key-field", 0, "A.B", "Kinesis: the key from each JSON record's field\n"
    "(a dotted path)", O_PARTITION_KEY_FIELD },
  { "explicit-hash-key", 0, "N", "Kinesis: the explicit hash key for every record",
    O_EXPLICIT_HASH_KEY },
  { "batch-size", 0, "N", "records per request, 1-500 (default 500)", O_BATCH_SIZE },
  { "concurrency", 0, "N", "requests in flight, 1-64 (default 4)", O_CONCURRENCY },
  { "max-attempts", 0, "N", "tries per record before it fails for good, 1-100 (default 10)",
    O_MAX_ATTEMPTS },
  { "flush-interval", 0, "DURATION", "send a batch that is not full once its first record has\n"
    "waited this long (default 1s; 0 = only full batches and the end)", O_FLUSH_INTERVAL },
  { "dead-letter", 0, "FILE", "append records that fail for good to FILE (JSON lines, mode\n"
    "0600), to send again later", O_DEAD_LETTER },
  { "results", 0, "FILE", "write one JSON line per record to FILE (mode 0600): index,\n"
    "source, status (accepted, failed, dead-lettered, withheld,\n"
    "interrupted), the SequenceNumber and ShardId or RecordId,\n"
    "or the error", O_RESULTS },
  { "checkpoint", 0, "FILE", "keep in FILE which records are settled; run the same command\n"
    "again after a kill and only the rest is sent (needs --file)", O_CHECKPOINT },
  { "aggregate", 0, NULL, "Firehose: pack whole newline-ended records into service records\n"
    "of up to 1,000 KiB: S3 gets the same bytes, the bill (5 KB per\n"
    "record, rounded up) and the record count shrink; Kinesis: KPL\n"
    "aggregated records per shard, past the shard's 1,000 records/s\n"
    "(default: the profile's [send] aggregate, else off)", O_AGGREGATE },
  { "no-aggregate", 0, NULL, "one service record per input record", O_NO_AGGREGATE },
  { "strict", 0, NULL, "read everything first; send nothing when any record is refused", O_STRICT },
  { "json", 0, NULL, "the report as one JSON document on stdout", O_JSON },
  { NULL, 0, NULL, NULL, 0 }
};

static const struct sl_cli_exit exits[] = {
  { SL_EXIT_OK, "done: every record was accepted" },
  { SL_EXIT_FAILED, "failed: records were not accepted and are not in a --dead-letter file,\n"
                    "or an AWS, network or credentials error stopped the run" },
  { SL_EXIT_DATA, "completed, but records were refused (over a limit, not JSON) or\n"
                  "dead-lettered: each is on stderr and in the --dead-letter file" },
  { SL_EXIT_USAGE, "usage or profile error" },
  { SL_EXIT_SIGINT, "interrupted (SIGINT): reading stops, requests in flight are\n"
                    "abandoned, the summary says what was sent; with --checkpoint\n"
                    "the rerun sends the rest, else the rest read is dead-lettered" },
  { SL_EXIT_SIGTERM, "terminated (SIGTERM): the same" },
  { 0, NULL }
};

static const char *const examples[] = {
  "provision send profiles/local.ini '{\"msg\":\"hello\"}'",
  "# no profile: a stream made by someone else, settings from the AWS environment",
  "provision send --stream events --to kinesis '{\"msg\":\"hello\"}'",
  "provision send --stream arn:aws:firehose:eu-west-1:123456789012:deliverystream/logs "
  "--file app.log",
  "tail -F app.log | provision send prod.ini --to kinesis --partition-key-field user.id",
  NULL
};

/* What every record callback needs. */
struct run {
  struct opts *o;
  struct sl_sender *s;
  int checking;               /* strict's first pass: check only */
  int refusing;               /* strict, after refusals: only the refused go to the sender */
  uint64_t withheld;          /* good records strict did not send */
  uint64_t bad;               /* refused so far */
  uint64_t seen;
  double t0, last;
  int progress_shown;
  struct sl_send_where last_read; /* for an interrupted run's message */
};

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char who[] = "provision send";

static int on_option(void *ud, int id, const char *v)
{
  struct opts *o = ud;
  long long n;
  long ms;
  int k, code = 0;
  switch(id) {
  case O_STREAM:
    o->stream_arg = v;
    break;
  case O_TO:
    if((k = sl_cli_choice(who, "to", v, "firehose|kinesis")) < 0)
      return SL_EXIT_USAGE;
    o->to = k ? SL_SEND_KINESIS : SL_SEND_FIREHOSE;
    break;
  case O_FILE:
    if(o->nfiles == MAX_FILES)
      return sl_cli_usage_error(who, "at most %d --file options", MAX_FILES);
    o->files[o->nfiles++] = v;
    break;
  case O_FORMAT:
    if((k = sl_cli_choice(who, "format", v, "lines|json|raw")) < 0)
      return SL_EXIT_USAGE;
    o->format = k == 0 ? SL_SEND_LINES : k == 1 ? SL_SEND_JSON : SL_SEND_RAW;
    break;
  case O_DELIMITER:
    if((k = sl_cli_choice(who, "delimiter", v, "newline|none")) < 0)
      return SL_EXIT_USAGE;
    o->so.newline = k == 0;
    break;
  case O_PARTITION_KEY:
    o->so.partition_key = v;
    break;
  case O_PARTITION_KEY_FIELD:
    o->so.partition_key_field = v;
    break;
  case O_EXPLICIT_HASH_KEY:
    o->so.explicit_hash_key = v;
    break;
  case O_DEAD_LETTER:
    o->so.dead_letter = v;
    break;
  case O_RESULTS:
    o->results = v;
    break;
  case O_CHECKPOINT:
    o->checkpoint = v;
    break;
  case O_BATCH_SIZE:
    if(!(code = sl_cli_number(who, "batch-size", v, 1, 500, &n)))
      o->so.batch_size = (size_t)n;
    break;
  case O_CONCURRENCY:
    if(!(code = sl_cli_number(who, "concurrency", v, 1, SL_SEND_MAX_CONCURRENCY, &n)))
      o->so.concurrency = (int)n;
    break;
  case O_MAX_ATTEMPTS:
    if(!(code = sl_cli_number(who, "max-attempts", v, 1, SL_SEND_MAX_ATTEMPTS, &n)))
      o->so.max_attempts = (int)n;
    break;
  case O_FLUSH_INTERVAL:
    if(!(code = sl_cli_duration(who, "flush-interval", v, SL_SEND_MAX_FLUSH_INTERVAL, &ms)))
      o->so.flush_interval_s = (double)ms / 1000.0;
    break;
  case O_STRICT:
    o->strict = 1;
    break;
  case O_AGGREGATE:
  case O_NO_AGGREGATE:
    o->aggregate = id == O_AGGREGATE;
    break;
  case O_JSON:
    o->json = 1;
    break;
  }
  return code;
}

/* ------------------------------------------------------------------ records */

/* A line on a terminal, rewritten in place; the last one (final: the
 * finished result, as the sender's counters are reset by finish) ends it. */
static void progress(struct run *rn, const struct sl_send_result *final)
{
  struct sl_send_result p;
  double t = now_s();
  int last = final != NULL;
  if(rn->o->quiet || !isatty(2) || (!last && (t - rn->t0 < 1.0 || t - rn->last < 0.5)) ||
     (last && !rn->progress_shown))
    return;
  rn->last = t;
  rn->progress_shown = 1;
  if(final)
    p = *final;
  else
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

/* What sl_sender_add / sl_sender_check say of a record they refuse (the
 * run goes on); anything else is fatal. */
static int is_refusal(enum sl_result r)
{
  return r == SL_E_TOO_LARGE || r == SL_E_INVALID || r == SL_E_NOT_FOUND;
}

/* --checkpoint: a record an earlier run settled keeps its index, unsent. */
static int settled(struct run *rn, const struct sl_send_where *w)
{
  struct sl_send_checkpoint *ck = rn->o->out.ck;
  if(!ck || !sl_send_checkpoint_settled(ck, sl_sender_next_index(rn->s)))
    return 0;
  sl_sender_skip(rn->s, w);
  return 1;
}

static enum sl_result reserve(struct run *rn)
{
  struct sl_error err = { 0 };
  enum sl_result r;
  if(!rn->o->out.ck)
    return SL_OK;
  r = sl_send_checkpoint_reserve(rn->o->out.ck, sl_sender_next_index(rn->s), &err);
  if(r)
    fprintf(stderr, "provision send: --checkpoint: %s\n", err.message);
  return r;
}

static enum sl_result on_record(void *ud, const char *p, size_t n, const struct sl_send_where *w)
{
  struct run *rn = ud;
  struct sl_error err;
  enum sl_result r;
  sl_error_clear(&err);
  if(sl_interrupted())
    return SL_E_INTERRUPTED; /* reading stops; what was read is still sent */
  if(w)
    rn->last_read = *w;
  if(rn->refusing) {
    /* Said on stderr in the first pass; now counted, listed and
     * dead-lettered as without --strict. A good record is not sent. */
    r = sl_sender_check(rn->s, p, n, w, &err);
    if(!r) {
      rn->withheld++;
      sl_sender_skip(rn->s, w);
    }
    else if(is_refusal(r)) {
      sl_error_clear(&err);
      r = sl_sender_add(rn->s, p, n, w, &err);
      if(is_refusal(r))
        r = SL_OK;
    }
    if(r)
      fprintf(stderr, "provision send: %s\n", err.message);
    return r;
  }
  if(rn->checking)
    r = sl_sender_check(rn->s, p, n, w, &err);
  else if(settled(rn, w))
    return SL_OK;
  else if(!(r = reserve(rn)))
    r = sl_sender_add(rn->s, p, n, w, &err);
  if(is_refusal(r)) {
    refused(rn, &err);
    r = SL_OK;
  }
  else if(r) {
    fprintf(stderr, "provision send: %s\n", err.message);
    return r;
  }
  if(!rn->checking && !(++rn->seen & 1023))
    progress(rn, NULL);
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
  if(!rn->refusing)
    refused(rn, &err);
  if(!rn->checking && !settled(rn, w))
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
  if(!rn->refusing)
    refused(rn, &err);
  if(!rn->checking && !settled(rn, w))
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
    if(r && r != SL_E_INTERRUPTED && err.message[0])
      fprintf(stderr, "provision send: %s\n", err.message);
    if(!is_stdin)
      close(fd);
  }
  return r;
}

/* ------------------------------------------------------------------ run */

/* base: the profile's [aws] (or a fresh config with --stream) with the
 * options over it; path: the profile, or NULL. */
static int run(struct opts *o, const struct sl_aws_config *base, const char *path)
{
  struct sl_aws_config cfg;
  struct sl_send_result res;
  struct sl_error err;
  struct run rn;
  struct sl_buf out;
  struct results rs;
  FILE *spool = NULL;
  enum sl_result r;
  int code = SL_EXIT_FAILED;
  memset(&rs, 0, sizeof(rs));
  memset(&rn, 0, sizeof(rn));
  rn.o = o;
  sl_error_clear(&err);
  sl_send_result_init(&res);
  sl_aws_config_init(&cfg);
  if(sl_buf_init(&out, (size_t)512 * 1024 * 1024))
    return SL_EXIT_FAILED;
  r = sl_aws_config_resolve(&cfg, base, &err);
  if(!r)
    sl_log(SL_LOG_INFO, "sending to %s stream %s in %s", sl_send_target_name(o->so.target),
           o->so.stream, cfg.region);
  if(!r) r = sl_send_cli_stream_ready(&cfg, path, o->is_arn ? o->arn.account : NULL, o->so.target,
                                         o->so.stream, &err);
  if(!r && o->results) {
    if(sl_send_cli_results_open(&rs, o->results, o->so.target)) {
      code = SL_EXIT_FAILED;
      goto done;
    }
    o->out.results = &rs;
  }
  if(!r && o->checkpoint &&
     sl_send_cli_checkpoint_open(&o->out, o->checkpoint, o->so.target, o->so.stream,
                                 o->format == SL_SEND_JSON ? "json" : o->format == SL_SEND_RAW ?
                                 "raw" : "lines", o->so.newline, o->files, o->nfiles,
                                 o->records, o->nrecords, o->quiet || o->json)) {
    code = SL_EXIT_USAGE;
    goto done;
  }
  o->so.leave_interrupted = o->out.ck != NULL; /* the rerun sends them */
  if(o->out.results || o->out.ck) {
    o->so.on_result = sl_send_cli_outcome;
    o->so.on_result_ud = &o->out;
  }
  if(!r) r = sl_sender_new(&rn.s, &o->so, &cfg, path, NULL, &err);
  if(r) {
    sl_cli_error(who, NULL, &err);
    if(r == SL_E_NOT_FOUND && o->profile && !o->json)
      fprintf(stderr, "provision send: to create it: provision apply %s\n", o->profile);
    sl_send_cli_json_error(o->json, o->profile, &err);
    code = sl_cli_exit_for(r);
    goto done;
  }
  sl_send_cli_dead_letter_mode(o->so.dead_letter);
  sl_cli_catch_signals();
  rn.t0 = now_s();
  if(o->strict) {
    rn.checking = 1;
    r = read_all(&rn, &spool);
    rn.checking = 0;
    if(!r && rn.bad) {
      fprintf(stderr, "provision send: --strict: %llu records refused, nothing sent\n",
              (unsigned long long)rn.bad);
      /* The refused ones still get their report and dead-letter lines. */
      rn.refusing = 1;
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
    res.total += rn.withheld; /* read, neither delivered nor failed */
    progress(&rn, &res);
    if(fr)
      fprintf(stderr, "provision send: %s\n", ferr.message);
    if(o->json)
      sl_send_report_json(&res, o->so.stream, o->so.dead_letter, &out);
    else if(!o->quiet)
      sl_send_report_text(&res, o->so.stream, o->so.dead_letter, &out);
    fwrite(out.data, 1, out.len, stdout);
    fflush(stdout);
    code = sl_send_cli_exit_code(r || fr, &res, o->so.dead_letter != NULL);
    if(sl_interrupted()) {
      char last[160] = "";
      if(rn.last_read.pos)
        sl_send_where_format(&rn.last_read, last, sizeof(last));
      code = sl_send_cli_interrupted(&res, o->checkpoint, o->so.dead_letter, last);
    }
  }
done:
  if(spool)
    fclose(spool);
  sl_sender_free(rn.s); /* no outcome comes after this; the last save holds them all */
  if(sl_send_cli_results_close(&rs, o->results) |
     sl_send_cli_checkpoint_close(&o->out, o->checkpoint, 1))
    code = SL_EXIT_FAILED;
  sl_send_result_cleanup(&res);
  sl_aws_config_cleanup(&cfg);
  sl_buf_cleanup(&out);
  return code;
}

static int main_send(const struct sl_cli_program *prog, const struct sl_cli_command *cmd,
                     int argc, char **argv)
{
  struct sl_cli_args a;
  struct opts o;
  struct sl_profile p;
  struct sl_aws_config base;
  struct sl_error err;
  int code;
  memset(&o, 0, sizeof(o));
  o.to = -1;
  o.aggregate = -1;
  sl_send_options_init(&o.so);
  code = sl_cli_parse(prog, cmd, argc, argv, on_option, &o, &a);
  if(code >= 0) {
    sl_cli_args_cleanup(&a);
    return code;
  }
  sl_cli_apply_verbosity(&a);
  o.quiet = a.quiet;
  sl_error_clear(&err);
  sl_profile_init(&p);
  sl_aws_config_init(&base);
  if(o.stream_arg) {
    o.records = a.argv;
    o.nrecords = a.argc;
    code = sl_send_cli_stream_target(&o, &a, &base, &err);
    if(!code)
      code = sl_send_cli_aggregate(&o, SL_AGGREGATE_OFF);
    if(!code)
      code = run(&o, &base, NULL);
  }
  else if(!a.argc)
    code = sl_cli_usage_error(who, "needs a PROFILE or --stream NAME|ARN (see provision send "
                              "--help)");
  else {
    unsigned needs = o.to == SL_SEND_KINESIS ? SL_PROFILE_NEED_KINESIS :
                     o.to == SL_SEND_FIREHOSE ? SL_PROFILE_NEED_FIREHOSE : SL_PROFILE_NEED_STREAM;
    o.profile = a.argv[0];
    o.records = a.argv + 1;
    o.nrecords = a.argc - 1;
    struct sl_cli_args named = a;
    /* "is required by provision send --to kinesis": what asked for it. */
    if(o.to >= 0)
      snprintf(named.who, sizeof(named.who), "%.40s --to %s", a.who,
               sl_send_target_name((enum sl_send_target)o.to));
    code = sl_cli_profile_load(&named, o.profile, needs, &p, &err);
    if(code)
      sl_send_cli_json_error(o.json, o.profile, &err);
    else {
      sl_send_cli_profile_target(&o, &p);
      code = sl_send_cli_aggregate(&o, p.send.aggregate);
      if(!code)
        code = run(&o, &p.aws, p.path[0] ? p.path : NULL);
    }
  }
  sl_aws_config_cleanup(&base);
  sl_profile_cleanup(&p);
  sl_cli_args_cleanup(&a);
  return code;
}

const struct sl_cli_command sl_cmd_send = {
  "send", "[PROFILE] [RECORD ...]", "send records to a Firehose or Kinesis stream",
  "Send records to the profile's Firehose delivery stream or Kinesis stream, or with\n"
  "--stream to any stream, without a profile: each RECORD argument, else each --file,\n"
  "else stdin. The profile needs only the stream it sends to. Batches respect the\n"
  "service's limits; records the service refuses are retried with backoff, and what\n"
  "fails for good is reported (and kept with --dead-letter). The stream is checked once\n"
  "before the first batch: a missing one is named with its region and account, one still\n"
  "being created is waited for.",
  options, exits, examples, 0, -1, main_send
};
