/* send_input.c — records out of a byte stream: text lines, JSON values
 * (inspect's streaming scanner, optionally compacted to one line) or the
 * whole input, in bounded memory. A record over the bound is measured, not
 * held, and reported with its place (line, value offset) so the caller can
 * name it. */
#include "sluice/send.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "sluice/decode.h"

#define CHUNK (256u * 1024u)

struct reader {
  const struct sl_send_input *in;
  const char *src;
  struct sl_buf cur;        /* a line or the raw input crossing chunks; json: the
                             * compacted value */
  int over;                 /* the current record passed record_max */
  uint64_t over_len;
  char over_last;           /* last byte of an over-long line so far */
  uint64_t line;            /* lines: number of the current line (1-based) */
  uint64_t values;          /* json: values seen so far */
  enum sl_result stop;      /* a callback asked to stop */
};

static enum sl_result read_some(int fd, char *buf, size_t n, size_t *got, int tee_fd,
                                const char *src, struct sl_error *err)
{
  ssize_t k;
  do
    k = read(fd, buf, n);
  while(k < 0 && errno == EINTR && !sl_interrupted());
  if(k < 0 && errno == EINTR)
    return sl_error_set(err, SL_E_INTERRUPTED, NULL, "%s: interrupted", src);
  if(k < 0)
    return sl_error_set(err, SL_E_IO, NULL, "%s: %s", src, strerror(errno));
  *got = (size_t)k;
  while(tee_fd >= 0 && k > 0) {
    ssize_t w = write(tee_fd, buf, (size_t)k);
    if(w < 0 && errno == EINTR)
      continue;
    if(w <= 0)
      return sl_error_set(err, SL_E_IO, NULL, "cannot keep a copy of %s: %s", src,
                          strerror(errno));
    buf += w;
    k -= w;
  }
  return SL_OK;
}

/* ------------------------------------------------------------------ lines */

static enum sl_result line_done(struct reader *rd, const char *p, size_t n)
{
  struct sl_send_where w = { rd->src, rd->line, SL_WHERE_LINE };
  uint64_t size = rd->over ? rd->over_len - (rd->over_last == '\r') : n;
  if(!rd->over && n && p[n - 1] == '\r')
    size = --n;
  if(rd->over || n > rd->in->record_max) {
    rd->over = 0;
    if(rd->in->on_oversize)
      rd->in->on_oversize(rd->in->ud, &w, size);
    return SL_OK;
  }
  if(!n)
    return SL_OK; /* empty lines are not records */
  return rd->in->on_record(rd->in->ud, p, n, &w);
}

/* A piece of the current line; the line may hold record_max bytes plus its '\r'. */
static void line_part(struct reader *rd, const char *p, size_t n)
{
  if(n)
    rd->over_last = p[n - 1];
  if(rd->over) {
    rd->over_len += n;
    return;
  }
  if(rd->cur.len + n > rd->in->record_max + 1 || sl_buf_add(&rd->cur, p, n)) {
    rd->over = 1;
    rd->over_len = rd->cur.len + n;
    sl_buf_reset(&rd->cur);
  }
}

static enum sl_result scan_lines(struct reader *rd, const char *p, size_t n)
{
  const char *end = p + n;
  enum sl_result r = SL_OK;
  while(!r && p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if(!nl) {
      line_part(rd, p, (size_t)(end - p));
      break;
    }
    rd->line++;
    /* Most lines lie inside one chunk: hand them over without a copy. */
    if(!rd->cur.len && !rd->over)
      r = line_done(rd, p, (size_t)(nl - p));
    else {
      line_part(rd, p, (size_t)(nl - p));
      r = line_done(rd, rd->cur.data, rd->cur.len);
      sl_buf_reset(&rd->cur);
    }
    p = nl + 1;
  }
  return r;
}

/* An over-long line ending in "\r" counts without it, like any other. */
static enum sl_result lines_end(struct reader *rd)
{
  enum sl_result r = SL_OK;
  if(rd->cur.len || rd->over) {
    rd->line++;
    r = line_done(rd, rd->cur.data, rd->cur.len);
  }
  return r;
}

/* ------------------------------------------------------------------ json */

/* The decoder hands over values it accepted, so compacting cannot meet
 * anything but JSON: only whitespace between tokens goes; strings and
 * numbers keep their bytes. The result is never longer than the value. */
static int json_record(void *ud, const char *p, size_t n, uint64_t offset, int kind)
{
  struct reader *rd = ud;
  struct sl_send_where w = { rd->src, ++rd->values, SL_WHERE_VALUE };
  (void)offset;
  (void)kind;
  if(rd->in->compact) {
    sl_buf_reset(&rd->cur);
    rd->stop = sl_json_compact(p, n, &rd->cur);
    if(!rd->stop)
      rd->stop = rd->in->on_record(rd->in->ud, rd->cur.data, rd->cur.len, &w);
  }
  else
    rd->stop = rd->in->on_record(rd->in->ud, p, n, &w);
  return rd->stop != SL_OK;
}

/* The decoder drops a value past record_max as soon as it passes the bound
 * and says so in this form (test_send_input checks it still does); it does
 * not measure the rest, so the size is reported as 0: "more than". */
#define TOO_LARGE_PREFIX "record larger than "

static void json_error(void *ud, uint64_t offset, const char *reason)
{
  struct reader *rd = ud;
  struct sl_send_where w = { rd->src, offset, SL_WHERE_OFFSET };
  rd->values++;
  if(!strncmp(reason, TOO_LARGE_PREFIX, sizeof(TOO_LARGE_PREFIX) - 1) && rd->in->on_oversize)
    rd->in->on_oversize(rd->in->ud, &w, 0);
  else if(rd->in->on_bad)
    rd->in->on_bad(rd->in->ud, &w, reason);
}

static enum sl_result read_json(struct reader *rd, int fd, int tee_fd, char *buf,
                                struct sl_error *err)
{
  struct sl_decoder_options o;
  struct sl_decoder *d;
  enum sl_result r = SL_OK;
  size_t got = 1;
  memset(&o, 0, sizeof(o));
  o.format = SL_DECODE_JSON;
  o.record_max = rd->in->record_max;
  o.on_record = json_record;
  o.on_error = json_error;
  o.userdata = rd;
  d = sl_decoder_new(&o);
  if(!d || (rd->in->compact && sl_buf_init(&rd->cur, rd->in->record_max + 1))) {
    sl_decoder_free(d);
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  }
  while(!r && !rd->stop && got) {
    r = read_some(fd, buf, CHUNK, &got, tee_fd, rd->src, err);
    if(!r && got)
      r = sl_decoder_feed(d, buf, got);
  }
  if(!r && !rd->stop)
    r = sl_decoder_finish(d);
  if(r == SL_E_PARSE || r == SL_E_UNSUPPORTED)
    sl_error_set(err, r, NULL, "%s: %s", rd->src, r == SL_E_PARSE ? "corrupt gzip stream" :
                 "compression not supported (only gzip)");
  sl_decoder_free(d);
  return r ? r : rd->stop;
}

/* ------------------------------------------------------------------ entry */

enum sl_result sl_send_read(const struct sl_send_input *in, int fd, const char *src, int tee_fd,
                            struct sl_error *err)
{
  struct reader rd;
  static _Thread_local char buf[CHUNK];
  enum sl_result r;
  size_t got = 1;
  memset(&rd, 0, sizeof(rd));
  rd.in = in;
  rd.src = src;
  if(!in->on_record || !in->record_max)
    return sl_error_set(err, SL_E_INVALID, NULL, "input without a record handler or bound");
  if(in->format == SL_SEND_JSON) {
    r = read_json(&rd, fd, tee_fd, buf, err);
    sl_buf_cleanup(&rd.cur);
    return r;
  }
  r = sl_buf_init(&rd.cur, in->record_max + 2);
  while(!r && got) {
    r = read_some(fd, buf, CHUNK, &got, tee_fd, src, err);
    if(r || !got)
      break;
    if(in->format == SL_SEND_LINES)
      r = scan_lines(&rd, buf, got);
    else if(rd.over || rd.cur.len + got > in->record_max) {
      rd.over_len = rd.over ? rd.over_len + got : rd.cur.len + got;
      rd.over = 1;
      sl_buf_reset(&rd.cur);
    }
    else
      r = sl_buf_add(&rd.cur, buf, got);
  }
  if(!r && in->format == SL_SEND_LINES)
    r = lines_end(&rd);
  else if(!r) {
    struct sl_send_where w = { src, 1, SL_WHERE_WHOLE };
    if(rd.over && in->on_oversize)
      in->on_oversize(in->ud, &w, rd.over_len);
    else if(!rd.over && rd.cur.len)
      r = in->on_record(in->ud, rd.cur.data, rd.cur.len, &w);
  }
  sl_buf_cleanup(&rd.cur);
  return r;
}
