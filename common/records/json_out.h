/* json_out.h — the one writer of every --json document (json-c): each
 * document starts with "format_version" and its "command", and carries the
 * same "error" object on failure. Documented per command in docs/json/. */
#ifndef SL_RECORDS_JSON_OUT_H
#define SL_RECORDS_JSON_OUT_H

#include <stddef.h>

#include "sluice/buf.h"

/* Raised when a field changes meaning or goes away; additions keep it. */
#define SL_JSON_FORMAT_VERSION 1

struct json_object;

/* {"format_version": 1, "command": command}, to add the rest to. */
struct json_object *sl_jout_document(const char *command);
/* A JSON string of any bytes (ill-formed UTF-8 becomes U+FFFD); NULL p is
 * JSON null. */
struct json_object *sl_jout_string(const char *p, size_t n);
/* s as a string, NULL or "" as null. */
struct json_object *sl_jout_opt(const char *s);
/* v printed with that many decimals (seconds as 1.250, not 1.2500000001). */
struct json_object *sl_jout_fixed(double v, int decimals);
/* {"resource", "code", "message", "http_status", "request_id"}. */
struct json_object *sl_jout_error(const char *resource, const struct sl_error *err);
/* o as indented JSON and a newline, appended to out; o is released. */
enum sl_result sl_jout_emit(struct json_object *o, struct sl_buf *out);

#endif
