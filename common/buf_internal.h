/* buf_internal.h — the base64 encoder's pieces on their own, so the request
 * builder can write straight into memory it sized and the tests can check
 * every implementation against the others. Not installed. */
#ifndef SLUICE_BUF_INTERNAL_H
#define SLUICE_BUF_INTERNAL_H

#include <stddef.h>

/* Exact base64 length of n bytes (with padding); n must be at most
 * SIZE_MAX / 2. */
#define SL_BASE64_LEN(n) (4 * (((n) + 2) / 3))

/* Writes the base64 of in[0..n) to out (SL_BASE64_LEN(n) bytes, no NUL) with
 * the fastest encoder this CPU runs. Returns the bytes written. */
size_t sl_base64_encode_raw(const void *in, size_t n, char *out);

/* The portable encoder (12-bit tables), for any CPU. */
size_t sl_base64_encode_portable(const void *in, size_t n, char *out);

/* The AVX2 encoder; only when sl_base64_have_avx2() says the CPU has it
 * (it finishes the tail with the portable one). */
int sl_base64_have_avx2(void);
size_t sl_base64_encode_avx2(const void *in, size_t n, char *out);

#endif
