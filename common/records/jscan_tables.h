/* jscan_tables.h — the JSON scanner's byte classes and number transitions,
 * built once per process (jscan_tables.c), and what the CPU can do. Not
 * installed. */
#ifndef SL_JSCAN_TABLES_H
#define SL_JSCAN_TABLES_H

#include "decoder.h"

/* Byte classes; the first eight also end a number or a top-level literal. */
enum { K_WS, K_LBRACE, K_RBRACE, K_LBRACK, K_RBRACK, K_QUOTE, K_COLON, K_COMMA,
       K_NUM, K_LIT, K_OTHER, K_COUNT };
#define K_IS_DELIM(k) ((k) <= K_COMMA)

/* Number byte classes and transitions; N_END means the number is complete
 * and the byte (a delimiter) belongs to what follows. */
enum { C_ZERO, C_DIGIT, C_DOT, C_EXP, C_PLUS, C_MINUS, C_DELIM, C_OTHER, C_COUNT };
#define N_ERR 0
#define N_END 1
extern unsigned char sl_jscan_cls[256];
extern unsigned char sl_jscan_numcls[256];
extern unsigned char sl_jscan_strstop[256]; /* ends a run of plain string bytes */
extern unsigned char sl_jscan_escape[256];  /* may follow a backslash */
extern unsigned char sl_jscan_hexdig[256];
extern unsigned char sl_jscan_resync[256];  /* where scanning may resume after an error */
extern int sl_jscan_cpu_wide;               /* the CPU has AVX2 */
extern int sl_jscan_cpu_fast;               /* AVX-512 BW, VBMI2: the record fast path */

/* What each structural state wanted, for error messages. */
extern const char *const sl_jscan_expected[J_AFTER + 1];
extern const unsigned char sl_jscan_numnext[J_EXP + 1][C_COUNT];

/* Builds the tables on first use (thread-safe); cheap afterwards. */
void sl_jscan_tables_init(void);

#endif
