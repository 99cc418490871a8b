/* json_text.h — JSON text helpers the writers above share (the public ones
 * are in sluice/decode.h). */
#ifndef SL_RECORDS_JSON_TEXT_H
#define SL_RECORDS_JSON_TEXT_H

#include <stddef.h>

#include "sluice/buf.h"

/* Appends p..n with every byte that is not part of well-formed UTF-8
 * replaced by U+FFFD (as sl_json_append_string does), so any bytes can go
 * into a json-c string and come out as valid JSON. */
enum sl_result sl_json_utf8_clean(const char *p, size_t n, struct sl_buf *out);

/* No such byte, for sl_json_text_check. */
#define SL_JSON_NO_POS ((size_t)-1)

/* Where in p..n the first NUL byte (*nul) and the first byte that is not
 * part of well-formed UTF-8 (*bad) are, or SL_JSON_NO_POS. The bytes judged
 * bad are exactly those the writers above turn into U+FFFD. */
void sl_json_text_check(const char *p, size_t n, size_t *nul, size_t *bad);

#endif
