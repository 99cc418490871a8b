/* sluice — leveled logging with secret redaction. Every line passes through
 * the redactor, so a secret cannot reach a log by accident. */
#ifndef SLUICE_LOG_H
#define SLUICE_LOG_H

#include "export.h"

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum sl_log_level {
  SL_LOG_ERROR = 0,
  SL_LOG_WARN,
  SL_LOG_INFO,  /* default for the CLIs is WARN; -v gives INFO */
  SL_LOG_DEBUG, /* -vv: one line per request / response */
  SL_LOG_TRACE  /* -vvv: headers (redacted) */
};

typedef void (*sl_log_sink_fn)(void *ud, enum sl_log_level lvl, const char *line);

SL_EXPORT void sl_log_set_level(enum sl_log_level lvl);
SL_EXPORT enum sl_log_level sl_log_get_level(void);
/* Default sink writes "sluice: <level>: <line>\n" to stderr. NULL restores it. */
SL_EXPORT void sl_log_set_sink(sl_log_sink_fn fn, void *ud);
SL_EXPORT int sl_log_enabled(enum sl_log_level lvl);
SL_EXPORT void sl_log(enum sl_log_level lvl, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 2, 3)))
#endif
  ;
SL_EXPORT void sl_logv(enum sl_log_level lvl, const char *fmt, va_list ap);

/* Any string registered here (secret keys, session tokens) is replaced by
 * "****" in every log line from then on. Strings shorter than 8 bytes are
 * ignored so that short common words are not masked. */
SL_EXPORT void sl_log_register_secret(const char *secret);
SL_EXPORT void sl_log_forget_secrets(void);

/* Redacts a text in place, within its length: registered secrets,
 * "Authorization: ..." header values, X-Amz-Security-Token and
 * X-Amz-Signature values (header or query), "SecretAccessKey"/"SessionToken"
 * JSON or XML members. Returns the new length. */
SL_EXPORT size_t sl_redact(char *s, size_t len);

/* A header line fit for logging: sensitive header values replaced. */
SL_EXPORT int sl_header_is_sensitive(const char *name);

#ifdef __cplusplus
}
#endif
#endif
