/* dec_record.h — assembling records out of scanned chunks, and reporting
 * bad data (dec_record.c). Not installed. */
#ifndef SL_DEC_RECORD_H
#define SL_DEC_RECORD_H

#include "decoder.h"

/* For the scanners and the line splitter. A record's bytes in this chunk
 * start at start (the chunk itself when the record is spanning). */
void sl_dec_record_begin(struct sl_decoder *d, uint64_t off);
void sl_dec_record_end(struct sl_decoder *d, const char *start, const char *end, int kind);
void sl_dec_record_hold(struct sl_decoder *d, const char *start, const char *end, int kind);
void sl_dec_record_drop(struct sl_decoder *d);
void sl_dec_record_abort(struct sl_decoder *d);
void sl_dec_error(struct sl_decoder *d, uint64_t off, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Keeps the stats' peak of bytes held (record, sniff window, gzip output). */
void sl_dec_note_peak(struct sl_decoder *d);

#endif
