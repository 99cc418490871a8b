/* crc32c.h — CRC-32C (Castagnoli), as the Snappy framing format checks
 * each chunk with (crc32c.c). Not installed. */
#ifndef SL_CRC32C_H
#define SL_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of p[0..n) continuing from crc (0 to start): the standard
 * reflected CRC-32C with init and final xor 0xffffffff, so
 * sl_crc32c(0, "123456789", 9) == 0xe3069283 and feeding a buffer in pieces
 * gives the same value as feeding it whole. Uses SSE4.2 when the CPU has it. */
uint32_t sl_crc32c(uint32_t crc, const void *p, size_t n);
/* The same with the table-driven code only, so tests can compare the two. */
uint32_t sl_crc32c_portable(uint32_t crc, const void *p, size_t n);
/* 1 when sl_crc32c uses the SSE4.2 instruction on this machine. */
int sl_crc32c_hw_active(void);
/* The framing format's masked CRC: rotated and offset, so the CRC of data
 * that itself holds CRCs is not trivially predictable. */
uint32_t sl_crc32c_mask(uint32_t crc);

#endif
