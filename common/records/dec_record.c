/* dec_record.c — records assembled out of the chunks the scanners see: a
 * record that spans chunks is held (bounded by record_max), one that ends
 * is delivered, one that is bad is reported and dropped, a text line that
 * is not text (NUL, invalid UTF-8) is reported and still delivered; the
 * peak of what was held is kept for the stats. */
#include "dec_record.h"
#include "json_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void sl_dec_note_peak(struct sl_decoder *d)
{
  size_t held = d->rec.cap + d->sniff.cap + d->codec_held;
  if(held > d->st.peak_buffer)
    d->st.peak_buffer = held;
}

void sl_dec_error(struct sl_decoder *d, uint64_t off, const char *fmt, ...)
{
  char reason[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof(reason), fmt, ap);
  va_end(ap);
  d->st.errors++;
  if(d->o.on_error)
    d->o.on_error(d->o.userdata, off, reason);
}

void sl_dec_record_begin(struct sl_decoder *d, uint64_t off)
{
  d->rec_off = off;
  d->spanning = 0;
  d->drop = 0;
}

void sl_dec_record_drop(struct sl_decoder *d)
{
  d->drop = 1;
  sl_buf_reset(&d->rec);
}

void sl_dec_record_abort(struct sl_decoder *d)
{
  d->in_rec = 0;
  d->spanning = 0;
  d->drop = 0;
  sl_buf_reset(&d->rec);
}

static void too_large(struct sl_decoder *d, int kind)
{
  sl_dec_error(d, d->rec_off, "%s larger than %zu bytes (%s at %llu dropped)",
               kind == SL_RECORD_TEXT ? "line" : "record", d->o.record_max,
               kind == SL_RECORD_TEXT ? "line" : "record", (unsigned long long)d->rec_off);
  sl_dec_record_drop(d);
}

/* The chunk ends inside a record: keep its bytes for the next one. The
 * buffer allows record_max + 1 so a text line may carry its '\r'. */
void sl_dec_record_hold(struct sl_decoder *d, const char *start, const char *end, int kind)
{
  size_t n = (size_t)(end - start);
  d->spanning = 1;
  if(d->drop)
    return;
  if(d->rec.len + n > d->o.record_max + 1 || sl_buf_add(&d->rec, start, n)) {
    too_large(d, kind);
    return;
  }
  sl_dec_note_peak(d);
}

/* Any bytes split into "lines", random or binary data too: a line holding
 * a NUL byte or bytes that are not UTF-8 is bad data, reported at its first
 * such byte. It is delivered all the same (printers show those bytes as
 * U+FFFD or \u0000), so no record is lost to the check. */
static void check_text(struct sl_decoder *d, const char *p, size_t n)
{
  size_t nul, bad;
  sl_json_text_check(p, n, &nul, &bad);
  if(nul == SL_JSON_NO_POS && bad == SL_JSON_NO_POS)
    return;
  sl_dec_error(d, d->rec_off + (nul < bad ? nul : bad), "text record with %s (line at %llu kept)",
               nul == SL_JSON_NO_POS ? "invalid UTF-8" :
               bad == SL_JSON_NO_POS ? "a NUL byte" : "a NUL byte and invalid UTF-8",
               (unsigned long long)d->rec_off);
}

void sl_dec_record_end(struct sl_decoder *d, const char *start, const char *end, int kind)
{
  const char *p = start;
  size_t n = (size_t)(end - start);
  if(d->drop) {
    sl_dec_record_abort(d);
    return;
  }
  if(d->spanning) {
    if(d->rec.len + n > d->o.record_max + 1 || sl_buf_add(&d->rec, start, n)) {
      too_large(d, kind);
      sl_dec_record_abort(d);
      return;
    }
    sl_dec_note_peak(d);
    p = d->rec.data;
    n = d->rec.len;
  }
  if(kind == SL_RECORD_TEXT && n && p[n - 1] == '\r')
    n--;
  if(n > d->o.record_max)
    too_large(d, kind);
  else {
    if(kind == SL_RECORD_TEXT)
      check_text(d, p, n);
    d->st.records++;
    if(d->o.on_record(d->o.userdata, p, n, d->rec_off, kind))
      d->stopped = 1;
  }
  sl_dec_record_abort(d);
}
