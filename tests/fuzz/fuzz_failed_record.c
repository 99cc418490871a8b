/* fuzz_failed_record.c — the Firehose error-output record parser
 * (processing-failed/ objects): one JSON record with base64 rawData. The
 * same struct parses twice, as the printer reuses it; rawData stays within
 * its bound and strings are set after every successful parse. */
#include "fuzz.h"
#include "sluice/decode.h"

#define FUZZ_MAX_INPUT (256u * 1024u)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const size_t raw_max[] = { 0, 3, 64, 1024u * 1024u };
  struct sl_failed_record f;
  struct sl_error err;
  char *p;
  int pass;
  if(!size || size > FUZZ_MAX_INPUT)
    return 0;
  fuzz_init();
  if(sl_failed_record_init(&f, raw_max[data[0] % 4]))
    abort();
  /* exactly the record's bytes: the parser must not read past them */
  p = malloc(size - 1 ? size - 1 : 1);
  if(!p)
    abort();
  memcpy(p, data + 1, size - 1);
  for(pass = 0; pass < 2; pass++) {
    enum sl_result r;
    sl_error_clear(&err);
    r = sl_failed_record_parse(&f, p, size - 1, &err);
    if(r == SL_OK) {
      FUZZ_CHECK(f.error_code && f.error_message);
      (void)strlen(f.error_code);
      (void)strlen(f.error_message);
      FUZZ_CHECK(f.raw_data.len <= f.raw_data.max);
      FUZZ_CHECK(f.raw_data.len == 0 || f.raw_data.data);
    }
    else
      FUZZ_CHECK(err.message[0] || r == SL_E_NOMEM);
  }
  free(p);
  sl_failed_record_cleanup(&f);
  return 0;
}
