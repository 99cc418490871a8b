/* sluice — streaming decoder for the log objects Firehose delivers to S3:
 * gzip, ZIP, Snappy, Hadoop-Snappy or plain, concatenated JSON values / NDJSON / text lines, fed chunk by
 * chunk as the object downloads, in bounded memory. Plus the small JSON text
 * helpers the printers need and the parser for Firehose error-output records. */
#ifndef SLUICE_DECODE_H
#define SLUICE_DECODE_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

enum sl_decode_format {
  SL_DECODE_AUTO = 0, /* per object: JSON values unless the first line is not JSON */
  SL_DECODE_JSON,     /* concatenated JSON values, any whitespace between (NDJSON too) */
  SL_DECODE_LINES     /* one record per text line */
};

enum sl_record_kind {
  SL_RECORD_JSON = 1, /* one complete JSON value (object, array, string, number, literal) */
  SL_RECORD_TEXT = 2  /* one text line, without its "\n" or "\r\n"; any bytes, but one
                       * with a NUL byte or invalid UTF-8 also goes to on_error */
};

enum sl_compression {
  SL_COMPRESSION_UNKNOWN = 0, /* not enough bytes seen yet */
  SL_COMPRESSION_NONE,
  SL_COMPRESSION_GZIP,        /* one or more gzip members */
  SL_COMPRESSION_UNSUPPORTED, /* refused: zstd, xz, bzip2, encrypted or unknown ZIP methods */
  SL_COMPRESSION_ZIP,         /* a ZIP archive's entries, stored or deflate */
  SL_COMPRESSION_SNAPPY,      /* the Snappy framing format (Firehose's Snappy) */
  SL_COMPRESSION_HADOOP_SNAPPY /* Hadoop's Snappy blocks (Firehose's HADOOP_SNAPPY) */
};

#define SL_DECODER_DEFAULT_RECORD_MAX (16u * 1024u * 1024u)
#define SL_DECODER_DEFAULT_MAX_DEPTH 512u
#define SL_DECODER_MAX_DEPTH_LIMIT 4096u

struct sl_decoder_options {
  enum sl_decode_format format;
  size_t record_max;  /* largest record delivered; 0: SL_DECODER_DEFAULT_RECORD_MAX */
  unsigned max_depth; /* deepest JSON nesting accepted; 0: default, at most the limit */
  /* One record. p is NOT NUL-terminated and is valid only during the call.
   * offset is where the record starts in the decompressed stream (for a plain
   * object, the byte offset in the object). Return non-zero to stop. */
  int (*on_record)(void *userdata, const char *p, size_t n, uint64_t offset, int kind);
  /* Bad data: offset in the decompressed stream, reason for humans. Decoding
   * goes on after record-level errors; NULL to ignore. */
  void (*on_error)(void *userdata, uint64_t offset, const char *reason);
  void *userdata;
  /* Non-zero: a compressed object is decompressed on a second thread while
   * this one scans records. on_record and on_error still run on the caller's
   * thread, in order, with the same offsets and messages; only when they come
   * moves (a failure may be returned by a later feed, or by finish). */
  int pipeline;
};
/* All zero: the format detected per object, default limits, no callbacks.
 * Call it first so fields added later start at their defaults. */
SL_EXPORT void sl_decoder_options_init(struct sl_decoder_options *o);

struct sl_decoder_stats {
  uint64_t records;        /* records delivered */
  uint64_t errors;         /* on_error calls */
  uint64_t bytes_in;       /* bytes given to sl_decoder_feed */
  uint64_t bytes_decoded;  /* bytes after decompression (== bytes_in when plain) */
  uint64_t scan_steps;     /* bytes examined by the record scanners; stays linear */
  uint64_t gzip_members;   /* complete gzip members seen */
  size_t peak_buffer;      /* most buffer bytes held at once (record, first-line and
                            * inflate buffers; zlib's own ~44 KiB state not counted) */
  enum sl_compression compression;
  enum sl_decode_format format; /* the one in use once decided (AUTO before) */
};

struct sl_decoder;

/* NULL when out of memory, on_record is NULL or max_depth is above
 * SL_DECODER_MAX_DEPTH_LIMIT. */
SL_EXPORT struct sl_decoder *sl_decoder_new(const struct sl_decoder_options *o);
SL_EXPORT void sl_decoder_free(struct sl_decoder *d);

/* Pushes the next n bytes of the object. Returns SL_OK while decoding can go
 * on (record-level errors only go to on_error); SL_E_UNSUPPORTED for a
 * compression that cannot be read (zstd, xz, bzip2, an encrypted ZIP entry),
 * SL_E_PARSE for a corrupt compressed stream, SL_E_NOMEM. Once it has
 * failed, or on_record asked to stop, later input is ignored. */
SL_EXPORT enum sl_result sl_decoder_feed(struct sl_decoder *d, const void *p, size_t n);
/* End of object: delivers a trailing number or unterminated text line, and
 * reports a truncated record or compressed stream through on_error (returning
 * SL_E_PARSE for a truncated compressed stream). */
SL_EXPORT enum sl_result sl_decoder_finish(struct sl_decoder *d);
/* Non-zero once further input would be ignored (stopped or failed). */
SL_EXPORT int sl_decoder_done(const struct sl_decoder *d);
SL_EXPORT const struct sl_decoder_stats *sl_decoder_stats(const struct sl_decoder *d);

/* Appends the JSON text p..n with whitespace outside strings removed, so a
 * pretty-printed record prints on one line. Does not validate: feed it a
 * record the decoder accepted. */
SL_EXPORT enum sl_result sl_json_compact(const char *p, size_t n, struct sl_buf *out);
/* Appends p..n as a JSON string literal, quotes included. Well-formed UTF-8
 * is copied; every byte that is not part of a well-formed UTF-8 sequence
 * (stray continuation, overlong, surrogate, > U+10FFFF, cut short) becomes
 * \ufffd, so the output is always valid JSON and valid UTF-8. Control
 * characters are escaped (\n, \t, ... or \u00XX). */
SL_EXPORT enum sl_result sl_json_append_string(struct sl_buf *out, const char *p, size_t n);

/* One record of a Firehose error-output object (processing-failed,
 * elasticsearch-failed, ...). Owns its strings; init/cleanup. */
struct sl_failed_record {
  int64_t attempts_made;
  int64_t arrival_timestamp;        /* ms since the epoch; 0 when absent */
  int64_t attempt_ending_timestamp; /* ms since the epoch; 0 when absent */
  char *error_code;                 /* "" when absent, never NULL after a parse */
  char *error_message;
  struct sl_buf raw_data;           /* decoded rawData bytes */
};

/* raw_max bounds the decoded rawData. */
SL_EXPORT enum sl_result sl_failed_record_init(struct sl_failed_record *f, size_t raw_max);
SL_EXPORT void sl_failed_record_cleanup(struct sl_failed_record *f);
/* Parses one JSON record (p..n, e.g. from on_record). rawData is required and
 * must be base64; the other fields are optional. Fills err on failure. */
SL_EXPORT enum sl_result sl_failed_record_parse(struct sl_failed_record *f, const char *p, size_t n,
                                      struct sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
