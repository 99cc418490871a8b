/* fuzz_aws_error.c — error answers in every shape sluice reads: input is
 * "HTTP/1.1 <status> ...\r\n" + header lines + "\r\n" + body (or just a
 * body, taken as HTTP 400). The error parser must always fill a code and a
 * message and never fail; the redactor must mask a registered secret
 * wherever it appears in the bytes. */
#include <stdlib.h>

#include "fuzz.h"
#include "sluice/aws.h"

#define FUZZ_MAX_INPUT (256u * 1024u)

/* Splits a raw answer into status, headers and body. */
static void split(const char *p, size_t n, long *status, struct sl_headers *h,
                  const char **body, size_t *body_len)
{
  const char *end = p + n, *line, *eol;
  *status = 400;
  *body = p;
  *body_len = n;
  if(n < 12 || memcmp(p, "HTTP/1.1 ", 9))
    return;
  *status = strtol(p + 9, NULL, 10) % 1000; /* strtol stops at the end: p is terminated */
  line = memchr(p, '\n', n);
  while(line && ++line < end) {
    size_t len;
    const char *colon;
    eol = memchr(line, '\n', (size_t)(end - line));
    len = (size_t)((eol ? eol : end) - line);
    if(len && line[len - 1] == '\r')
      len--;
    if(!len) { /* blank line: the body follows */
      *body = eol ? eol + 1 : end;
      *body_len = (size_t)(end - *body);
      return;
    }
    colon = memchr(line, ':', len);
    if(colon) {
      const char *v = colon + 1;
      while(v < line + len && *v == ' ')
        v++;
      sl_headers_addn(h, line, (size_t)(colon - line), v, (size_t)(line + len - v));
    }
    line = eol;
  }
  *body = end;
  *body_len = 0;
}

static void redact(const char *p, size_t n)
{
  char *s = fuzz_cstr((const uint8_t *)p, n);
  size_t m = sl_redact(s, n);
  FUZZ_CHECK(m <= n && s[m] == 0);
  FUZZ_CHECK(!memmem(s, m, FUZZ_SECRET, strlen(FUZZ_SECRET)));
  free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct sl_headers h;
  struct sl_error err;
  const char *body;
  size_t body_len;
  long status;
  char *text, *copy;
  if(size > FUZZ_MAX_INPUT)
    return 0;
  fuzz_init();
  text = fuzz_cstr(data, size);
  sl_headers_init(&h);
  split(text, size, &status, &h, &body, &body_len);
  /* the body alone, exactly its bytes, so overreads show */
  copy = malloc(body_len ? body_len : 1);
  if(!copy)
    abort();
  memcpy(copy, body, body_len);
  sl_error_clear(&err);
  sl_aws_parse_error(status, &h, copy, body_len, &err);
  FUZZ_CHECK(err.result == SL_E_AWS && err.http_status == status);
  FUZZ_CHECK(err.code[0] && err.message[0]);
  FUZZ_CHECK(fuzz_terminated(err.code, sizeof(err.code)));
  FUZZ_CHECK(fuzz_terminated(err.message, sizeof(err.message)));
  FUZZ_CHECK(fuzz_terminated(err.request_id, sizeof(err.request_id)));
  /* what a caller prints, through the logger (the sink checks redaction) */
  {
    char line[2048];
    sl_error_format(&err, line, sizeof(line));
    sl_log(SL_LOG_ERROR, "%s", line);
  }
  sl_aws_parse_error(status, NULL, body_len ? copy : NULL, body_len, &err);
  FUZZ_CHECK(err.code[0] && err.message[0]);
  redact(text, size);
  free(copy);
  sl_headers_cleanup(&h);
  free(text);
  return 0;
}
