/* sluice — results, errors, bounded buffers, string views and header lists.
 * The vocabulary every other module speaks. */
#ifndef SLUICE_BUF_H
#define SLUICE_BUF_H

#include "export.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One result type for the whole library; 0 is success. */
enum sl_result {
  SL_OK = 0,
  SL_E_NOMEM,       /* allocation failed */
  SL_E_TOO_LARGE,   /* a caller-chosen bound was hit (buffer max, body max) */
  SL_E_INVALID,     /* bad argument or input value */
  SL_E_PARSE,       /* bytes that do not parse (XML, JSON, INI, HTTP) */
  SL_E_IO,          /* file system error */
  SL_E_NETWORK,     /* connection failed, reset, truncated answer */
  SL_E_TIMEOUT,     /* connect or total timeout */
  SL_E_AWS,         /* the service answered with an error: see struct sl_error */
  SL_E_CREDENTIALS, /* no credentials, or a provider failed */
  SL_E_CONFIG,      /* bad configuration (profile, env, shared config) */
  SL_E_NOT_FOUND,   /* asked-for thing does not exist */
  SL_E_UNSUPPORTED, /* a feature or format we do not handle */
  SL_E_INTERNAL,    /* a bug */
  SL_E_INTERRUPTED  /* sl_interrupt was called (SIGINT, SIGTERM) */
};

SL_EXPORT const char *sl_strresult(enum sl_result r);

/* Interrupting a run, from a signal handler (async-signal-safe): every
 * transfer in progress ends and every later one fails at once with
 * SL_E_INTERRUPTED, retry waits are cut short, nothing is retried.
 * sl_interrupted gives the number passed (the signal), 0 when none;
 * sl_interrupt_reset clears it. */
SL_EXPORT void sl_interrupt(int signo);
SL_EXPORT int sl_interrupted(void);
SL_EXPORT void sl_interrupt_reset(void);

/* What went wrong, for the caller to print. Filled by whoever fails first;
 * code/message/request_id come from the AWS error shapes when there is one. */
struct sl_error {
  enum sl_result result;
  long http_status;        /* 0 when no HTTP answer */
  char code[128];          /* AWS error code, e.g. "NoSuchBucket" */
  char message[1024];      /* human text; truncated with "..." when longer */
  char request_id[128];    /* x-amzn-RequestId / x-amz-request-id / body */
  int attempts;            /* how many tries were made, when retried */
};

SL_EXPORT void sl_error_clear(struct sl_error *e);
/* Sets result and a printf-style message; code may be NULL. Safe with e == NULL.
 * Returns r so callers can write `return sl_error_set(err, SL_E_INVALID, ...)`. */
SL_EXPORT enum sl_result sl_error_set(struct sl_error *e, enum sl_result r,
                            const char *code, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 4, 5)))
#endif
  ;
/* One line for humans: "Code: message (HTTP 403, request id X)" */
SL_EXPORT void sl_error_format(const struct sl_error *e, char *out, size_t outlen);

/* For people: sizes with binary units ("512 B", "1.5 KiB", "12 MiB"), and
 * seconds ("0.25 s", "12 s", "3 min 20 s"). JSON keeps the raw numbers. */
SL_EXPORT void sl_format_bytes(uint64_t n, char *out, size_t outlen);
SL_EXPORT void sl_format_seconds(double s, char *out, size_t outlen);

/* A read-only string that is not NUL-terminated. */
struct sl_view {
  const char *p;
  size_t len;
};
#define SL_VIEW_LIT(s) ((struct sl_view){ (s), sizeof(s) - 1 })
SL_EXPORT struct sl_view sl_view_of(const char *s); /* s may be NULL: empty view */
SL_EXPORT int sl_view_eq(struct sl_view a, const char *s);

/* Growable byte buffer with a hard maximum set by the caller. data is always
 * NUL-terminated (after init), so text can be read as a C string. */
struct sl_buf {
  char *data;
  size_t len;
  size_t cap;
  size_t max; /* sl_buf_add fails with SL_E_TOO_LARGE past this */
};

#define SL_BUF_SMALL  (64u * 1024u)
#define SL_BUF_MEDIUM (16u * 1024u * 1024u)

SL_EXPORT enum sl_result sl_buf_init(struct sl_buf *b, size_t max);
SL_EXPORT void sl_buf_cleanup(struct sl_buf *b);
SL_EXPORT void sl_buf_reset(struct sl_buf *b); /* len = 0, keeps memory */
SL_EXPORT enum sl_result sl_buf_add(struct sl_buf *b, const void *p, size_t n);
SL_EXPORT enum sl_result sl_buf_adds(struct sl_buf *b, const char *s);
SL_EXPORT enum sl_result sl_buf_addc(struct sl_buf *b, char c);
SL_EXPORT enum sl_result sl_buf_addv(struct sl_buf *b, struct sl_view v);
SL_EXPORT enum sl_result sl_buf_printf(struct sl_buf *b, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 2, 3)))
#endif
  ;
SL_EXPORT enum sl_result sl_buf_vprintf(struct sl_buf *b, const char *fmt, va_list ap);
/* Hands the memory to the caller (free() it); b is left empty and usable. */
SL_EXPORT char *sl_buf_steal(struct sl_buf *b);
/* Overwrites the contents with zeros before freeing: for secrets. */
SL_EXPORT void sl_buf_cleanup_secret(struct sl_buf *b);

/* strdup that zeroes and frees: helpers for secret strings. */
SL_EXPORT char *sl_strdup(const char *s);      /* NULL-safe */
SL_EXPORT char *sl_strndup(const char *s, size_t n);
SL_EXPORT void sl_free_secret(char *s);        /* zero then free; NULL-safe */

/* An ordered list of HTTP headers (name, value), owning its strings.
 * Names keep their case as added; lookups ignore case. A header's name and
 * value are one allocation (value points into name's block): change a value
 * only with sl_header_set_value, drop one only with sl_header_release. */
struct sl_header {
  char *name;
  char *value;
};
struct sl_headers {
  struct sl_header *v;
  size_t n;
  size_t cap;
};

/* Zeroes the value and frees the header's memory. */
SL_EXPORT void sl_header_release(struct sl_header *h);
/* Replaces the value (copied); the name is kept. */
SL_EXPORT enum sl_result sl_header_set_value(struct sl_header *h, const char *value, size_t vlen);

SL_EXPORT void sl_headers_init(struct sl_headers *h);
SL_EXPORT void sl_headers_cleanup(struct sl_headers *h);
SL_EXPORT enum sl_result sl_headers_add(struct sl_headers *h, const char *name, const char *value);
SL_EXPORT enum sl_result sl_headers_addn(struct sl_headers *h, const char *name, size_t nlen,
                               const char *value, size_t vlen);
/* Replaces every header of that name with one (or adds it). */
SL_EXPORT enum sl_result sl_headers_set(struct sl_headers *h, const char *name, const char *value);
SL_EXPORT void sl_headers_remove(struct sl_headers *h, const char *name);
/* First value of that name, or NULL. */
SL_EXPORT const char *sl_headers_get(const struct sl_headers *h, const char *name);

/* Hex and base64. out must hold 2*n+1 (hex). */
SL_EXPORT void sl_hex(const unsigned char *in, size_t n, char *out);
SL_EXPORT enum sl_result sl_base64_encode(const void *in, size_t n, struct sl_buf *out);
SL_EXPORT enum sl_result sl_base64_decode(const char *in, size_t n, struct sl_buf *out);

/* URI-encode per SigV4 (unreserved A-Za-z0-9-_.~ kept; with keep_slash, '/'
 * kept too). Appends to out. */
SL_EXPORT enum sl_result sl_uri_encode(struct sl_buf *out, const char *s, size_t n, int keep_slash);
/* Decodes %XX (and '+' as space when plus_is_space). Appends to out. */
SL_EXPORT enum sl_result sl_uri_decode(struct sl_buf *out, const char *s, size_t n, int plus_is_space);

#ifdef __cplusplus
}
#endif
#endif
