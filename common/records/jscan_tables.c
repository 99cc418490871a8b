/* jscan_tables.c — the JSON scanner's tables: byte classes, string stops,
 * escapes, hex digits, resync points and number transitions, and the CPU
 * features that pick the wide paths. */
#include "jscan_tables.h"

#include <pthread.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_WIDE 1
#endif

unsigned char sl_jscan_cls[256];
unsigned char sl_jscan_numcls[256];
unsigned char sl_jscan_strstop[256]; /* ends a run of plain string bytes */
unsigned char sl_jscan_escape[256];  /* may follow a backslash */
unsigned char sl_jscan_hexdig[256];
unsigned char sl_jscan_resync[256];  /* where scanning may resume after an error */
int sl_jscan_cpu_wide;               /* the CPU has AVX2 */
int sl_jscan_cpu_fast;               /* AVX-512 BW, VBMI2: the record fast path */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

/* What each structural state wanted, for error messages. */
const char *const sl_jscan_expected[J_AFTER + 1] = {
  "a JSON value", "a key or '}'", "a key", "':'", "a value", "a value or ']'",
  "',' or a closing bracket"
};

const unsigned char sl_jscan_numnext[J_EXP + 1][C_COUNT] = {
  /*               0          1-9        .       e/E         +           -           delim  other */
  [J_MINUS]    = { J_ZERO,    J_INT,     N_ERR,  N_ERR,      N_ERR,      N_ERR,      N_ERR, N_ERR },
  [J_ZERO]     = { N_ERR,     N_ERR,     J_DOT,  J_EXP_MARK, N_ERR,      N_ERR,      N_END, N_ERR },
  [J_INT]      = { J_INT,     J_INT,     J_DOT,  J_EXP_MARK, N_ERR,      N_ERR,      N_END, N_ERR },
  [J_DOT]      = { J_FRAC,    J_FRAC,    N_ERR,  N_ERR,      N_ERR,      N_ERR,      N_ERR, N_ERR },
  [J_FRAC]     = { J_FRAC,    J_FRAC,    N_ERR,  J_EXP_MARK, N_ERR,      N_ERR,      N_END, N_ERR },
  [J_EXP_MARK] = { J_EXP,     J_EXP,     N_ERR,  N_ERR,      J_EXP_SIGN, J_EXP_SIGN, N_ERR, N_ERR },
  [J_EXP_SIGN] = { J_EXP,     J_EXP,     N_ERR,  N_ERR,      N_ERR,      N_ERR,      N_ERR, N_ERR },
  [J_EXP]      = { J_EXP,     J_EXP,     N_ERR,  N_ERR,      N_ERR,      N_ERR,      N_END, N_ERR },
};

/* Built once for the process: decoders run on several threads, and a
 * rebuild racing a scan would briefly reset entries the scan is reading. */
static void build_tables(void)
{
  int c;
  for(c = 0; c < 256; c++) {
    sl_jscan_cls[c] = K_OTHER;
    sl_jscan_numcls[c] = C_OTHER;
    sl_jscan_strstop[c] = c < 0x20 || c == '"' || c == '\\';
    sl_jscan_hexdig[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  sl_jscan_cls[' '] = sl_jscan_cls['\t'] = sl_jscan_cls['\n'] = sl_jscan_cls['\r'] = K_WS;
  sl_jscan_cls['{'] = K_LBRACE;
  sl_jscan_cls['}'] = K_RBRACE;
  sl_jscan_cls['['] = K_LBRACK;
  sl_jscan_cls[']'] = K_RBRACK;
  sl_jscan_cls['"'] = K_QUOTE;
  sl_jscan_cls[':'] = K_COLON;
  sl_jscan_cls[','] = K_COMMA;
  sl_jscan_cls['-'] = K_NUM;
  for(c = '0'; c <= '9'; c++) {
    sl_jscan_cls[c] = K_NUM;
    sl_jscan_numcls[c] = C_DIGIT;
  }
  sl_jscan_numcls['0'] = C_ZERO;
  sl_jscan_cls['t'] = sl_jscan_cls['f'] = sl_jscan_cls['n'] = K_LIT;
  sl_jscan_numcls['.'] = C_DOT;
  sl_jscan_numcls['e'] = sl_jscan_numcls['E'] = C_EXP;
  sl_jscan_numcls['+'] = C_PLUS;
  sl_jscan_numcls['-'] = C_MINUS;
  for(c = 0; c < 256; c++)
    if(K_IS_DELIM(sl_jscan_cls[c]))
      sl_jscan_numcls[c] = C_DELIM;
  sl_jscan_escape['"'] = sl_jscan_escape['\\'] = sl_jscan_escape['/'] = sl_jscan_escape['b'] = sl_jscan_escape['f'] = sl_jscan_escape['n'] = 1;
  sl_jscan_escape['r'] = sl_jscan_escape['t'] = sl_jscan_escape['u'] = 1;
  sl_jscan_resync['{'] = sl_jscan_resync['['] = sl_jscan_resync['\n'] = 1;
#ifdef HAVE_WIDE
  __builtin_cpu_init();
  sl_jscan_cpu_wide = __builtin_cpu_supports("avx2");
  sl_jscan_cpu_fast = sl_jscan_cpu_wide && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512vbmi2") && __builtin_cpu_supports("pclmul") &&
             __builtin_cpu_supports("bmi");
#endif
}

void sl_jscan_tables_init(void)
{
  pthread_once(&tables_once, build_tables);
}
