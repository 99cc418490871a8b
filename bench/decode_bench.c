/* decode_bench.c — decoder throughput on local files: each file is read
 * into memory once, then decoded from memory in fixed-size chunks (as it
 * would arrive from S3) several times; the best run is reported as MB/s of
 * decompressed bytes (10^6 bytes per second). Speed is measured here only,
 * never in the tests.
 *
 * Usage: decode_bench [--chunk BYTES] [--runs N] [--format auto|json|lines] FILE...
 * One line per file: name, MB in, MB decoded, records, errors, seconds, MB/s. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "sluice/decode.h"

struct tally {
  unsigned long long records, bytes;
};

static int on_record(void *ud, const char *p, size_t n, uint64_t off, int kind)
{
  struct tally *t = ud;
  (void)p;
  (void)off;
  (void)kind;
  t->records++;
  t->bytes += n;
  return 0;
}

/* One full decode; returns seconds, fills the counters. */
static double run_once(const char *data, size_t len, size_t chunk, enum sl_decode_format fmt,
                       struct tally *t, struct sl_decoder_stats *st)
{
  struct sl_decoder_options o = { 0 };
  struct sl_decoder *d;
  size_t pos = 0;
  double t0;
  memset(t, 0, sizeof(*t));
  o.format = fmt;
  o.on_record = on_record;
  o.userdata = t;
  d = sl_decoder_new(&o);
  if(!d)
    return -1;
  t0 = bench_now();
  while(pos < len) {
    size_t k = len - pos < chunk ? len - pos : chunk;
    if(sl_decoder_feed(d, data + pos, k))
      break;
    pos += k;
  }
  sl_decoder_finish(d);
  t0 = bench_now() - t0;
  *st = *sl_decoder_stats(d);
  sl_decoder_free(d);
  return t0;
}

int main(int argc, char **argv)
{
  size_t chunk = 1024 * 1024;
  int runs = 5, i, status = 0;
  enum sl_decode_format fmt = SL_DECODE_AUTO;
  for(i = 1; i < argc && argv[i][0] == '-'; i++) {
    if(!strcmp(argv[i], "--chunk") && i + 1 < argc)
      chunk = strtoul(argv[++i], NULL, 10);
    else if(!strcmp(argv[i], "--runs") && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if(!strcmp(argv[i], "--format") && i + 1 < argc) {
      i++;
      fmt = !strcmp(argv[i], "json") ? SL_DECODE_JSON :
            !strcmp(argv[i], "lines") ? SL_DECODE_LINES : SL_DECODE_AUTO;
    }
    else {
      fprintf(stderr, "usage: decode_bench [--chunk BYTES] [--runs N] "
              "[--format auto|json|lines] FILE...\n");
      return 2;
    }
  }
  if(i == argc || !chunk || runs < 1) {
    fprintf(stderr, "decode_bench: no files\n");
    return 2;
  }
  printf("%-28s %9s %9s %10s %7s %9s %9s\n", "file", "MB_in", "MB_out", "records", "errors",
         "seconds", "MB/s");
  for(; i < argc; i++) {
    size_t len = 0;
    char *data = bench_read_file(argv[i], &len);
    struct tally t;
    struct sl_decoder_stats st;
    double best = 0;
    int r;
    const char *base = strrchr(argv[i], '/');
    memset(&st, 0, sizeof(st));
    if(!data) {
      fprintf(stderr, "decode_bench: cannot read %s\n", argv[i]);
      status = 1;
      continue;
    }
    for(r = 0; r < runs; r++) {
      double s = run_once(data, len, chunk, fmt, &t, &st);
      if(s >= 0 && (r == 0 || s < best))
        best = s;
    }
    printf("%-28s %9.1f %9.1f %10llu %7llu %9.4f %9.1f\n", base ? base + 1 : argv[i],
           (double)st.bytes_in / 1e6, (double)st.bytes_decoded / 1e6,
           (unsigned long long)st.records, (unsigned long long)st.errors, best,
           best > 0 ? (double)st.bytes_decoded / 1e6 / best : 0.0);
    free(data);
  }
  return status;
}
