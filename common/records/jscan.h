/* jscan.h — the JSON boundary scanner (jscan.c). Not installed. */
#ifndef SL_JSCAN_H
#define SL_JSCAN_H

#include "decoder.h"

void sl_jscan_reset(struct sl_decoder *d);
void sl_jscan(struct sl_decoder *d, const char *buf, size_t n);
void sl_jscan_finish(struct sl_decoder *d, int clean);
/* For tests: 0 makes the decoder scan strings with the portable code even on
 * a CPU with AVX2; non-zero restores the default. Returns whether the wide
 * scan is in use afterwards. */
int sl_jscan_set_wide(struct sl_decoder *d, int on);

#endif
