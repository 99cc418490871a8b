/* units.c — numbers for people: sizes in binary units, durations. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "sluice/buf.h"

void sl_format_bytes(uint64_t n, char *out, size_t size)
{
  static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB" };
  double v = (double)n;
  int u = -1;
  if(n < 1024) {
    snprintf(out, size, "%llu B", (unsigned long long)n);
    return;
  }
  while(v >= 1024 && u < 3) {
    v /= 1024;
    u++;
  }
  snprintf(out, size, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}

void sl_format_seconds(double s, char *out, size_t size)
{
  if(s < 10)
    snprintf(out, size, "%.2f s", s);
  else if(s < 120)
    snprintf(out, size, "%.0f s", s);
  else
    snprintf(out, size, "%.0f min %.0f s", floor(s / 60), fmod(s, 60));
}
