/* crc32c.c — CRC-32C for the Snappy framing format: slicing-by-8 tables
 * built once per process, and the SSE4.2 crc32 instruction on x86-64 CPUs
 * that have it (chosen at run time; the result is the same). */
#include "crc32c.h"

#include <pthread.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_SSE42 1
#endif

#define POLY 0x82f63b78u /* Castagnoli, bit-reflected */

/* tables[k][b]: the CRC of byte b followed by k zero bytes, so eight input
 * bytes cost eight lookups and no per-bit work. */
static uint32_t tables[8][256];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void build_tables(void)
{
  unsigned b, k;
  for(b = 0; b < 256; b++) {
    uint32_t c = b;
    for(k = 0; k < 8; k++)
      c = (c >> 1) ^ (POLY & (0u - (c & 1)));
    tables[0][b] = c;
  }
  for(b = 0; b < 256; b++)
    for(k = 1; k < 8; k++)
      tables[k][b] = (tables[k - 1][b] >> 8) ^ tables[0][tables[k - 1][b] & 0xff];
}

uint32_t sl_crc32c_portable(uint32_t crc, const void *p, size_t n)
{
  const unsigned char *s = p;
  pthread_once(&tables_once, build_tables);
  crc = ~crc;
  for(; n >= 8; n -= 8, s += 8) {
    /* assembled byte by byte so the code does not depend on endianness */
    crc ^= (uint32_t)s[0] | (uint32_t)s[1] << 8 | (uint32_t)s[2] << 16 | (uint32_t)s[3] << 24;
    crc = tables[7][crc & 0xff] ^ tables[6][(crc >> 8) & 0xff] ^ tables[5][(crc >> 16) & 0xff] ^
          tables[4][crc >> 24] ^ tables[3][s[4]] ^ tables[2][s[5]] ^ tables[1][s[6]] ^
          tables[0][s[7]];
  }
  while(n--)
    crc = (crc >> 8) ^ tables[0][(crc ^ *s++) & 0xff];
  return ~crc;
}

#ifdef HAVE_SSE42
__attribute__((target("sse4.2")))
static uint32_t crc32c_sse42(uint32_t crc, const void *p, size_t n)
{
  const unsigned char *s = p;
  uint64_t c = ~crc;
  for(; n >= 8; n -= 8, s += 8) {
    uint64_t v;
    memcpy(&v, s, 8); /* unaligned load */
    c = __builtin_ia32_crc32di(c, v);
  }
  crc = (uint32_t)c;
  while(n--)
    crc = __builtin_ia32_crc32qi(crc, *s++);
  return ~crc;
}
#endif

int sl_crc32c_hw_active(void)
{
#ifdef HAVE_SSE42
  return __builtin_cpu_supports("sse4.2") ? 1 : 0;
#else
  return 0;
#endif
}

uint32_t sl_crc32c(uint32_t crc, const void *p, size_t n)
{
#ifdef HAVE_SSE42
  if(__builtin_cpu_supports("sse4.2"))
    return crc32c_sse42(crc, p, n);
#endif
  return sl_crc32c_portable(crc, p, n);
}

uint32_t sl_crc32c_mask(uint32_t crc)
{
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}
