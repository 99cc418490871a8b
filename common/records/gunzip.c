/* gunzip.c — streaming gzip inflation for the decoder: members one after
 * another (concatenated gzip, as `cat a.gz b.gz` makes), a fixed output
 * window handed to a sink, and a clear message when the stream is corrupt or
 * ends inside a member. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <zlib.h>

#include "gunzip.h"

enum sl_result sl_gunzip_init(struct sl_gunzip *g, size_t outsize)
{
  z_stream *z = calloc(1, sizeof(*z));
  g->z = z;
  g->out = malloc(outsize);
  g->outsize = outsize;
  g->in_total = 0;
  g->members = 0;
  g->in_member = 0;
  g->msg[0] = 0;
  /* 15 + 32: full window, gzip or zlib header detected by zlib itself. */
  if(!z || !g->out || inflateInit2(z, 15 + 32) != Z_OK) {
    free(z);
    free(g->out);
    g->z = NULL;
    g->out = NULL;
    return SL_E_NOMEM;
  }
  return SL_OK;
}

void sl_gunzip_cleanup(struct sl_gunzip *g)
{
  if(g->z) {
    inflateEnd(g->z);
    free(g->z);
  }
  free(g->out);
  g->z = NULL;
  g->out = NULL;
}

enum sl_result sl_gunzip_feed(struct sl_gunzip *g, const unsigned char *p, size_t n,
                              sl_gunzip_sink sink, void *ctx)
{
  z_stream *z = g->z;
  while(n) {
    /* avail_in is an unsigned int: hand over at most 1 GiB at a time. */
    uInt slice = n > (1u << 30) ? (1u << 30) : (uInt)n;
    z->next_in = (Bytef *)(uintptr_t)p;
    z->avail_in = slice;
    p += slice;
    n -= slice;
    for(;;) {
      uInt before = z->avail_in;
      size_t produced;
      int zr;
      if(!z->avail_in)
        break;
      if(!g->in_member) {
        if(g->members)
          inflateReset(z); /* the next member of a concatenated stream */
        g->in_member = 1;
      }
      z->next_out = g->out;
      z->avail_out = (uInt)g->outsize;
      zr = inflate(z, Z_NO_FLUSH);
      g->in_total += before - z->avail_in;
      produced = g->outsize - z->avail_out;
      if(produced && sink(ctx, (const char *)g->out, produced))
        return SL_OK;
      if(zr == Z_STREAM_END) {
        g->members++;
        g->in_member = 0;
        continue;
      }
      if(zr == Z_OK)
        continue;
      if(zr == Z_BUF_ERROR) /* nothing more to do until more input */
        break;
      if(zr == Z_MEM_ERROR) {
        snprintf(g->msg, sizeof(g->msg), "gzip: out of memory");
        return SL_E_NOMEM;
      }
      snprintf(g->msg, sizeof(g->msg), "gzip: %s%s in member %llu near compressed byte %llu",
               g->members && z->total_out == 0 ? "bytes after the last member are not gzip: " : "",
               z->msg ? z->msg : "corrupt data", (unsigned long long)g->members + 1,
               (unsigned long long)g->in_total);
      return SL_E_PARSE;
    }
    /* Output may still be pending with no input left: drain it. */
    while(!z->avail_in && g->in_member) {
      size_t produced;
      int zr;
      z->next_out = g->out;
      z->avail_out = (uInt)g->outsize;
      zr = inflate(z, Z_NO_FLUSH);
      produced = g->outsize - z->avail_out;
      if(produced && sink(ctx, (const char *)g->out, produced))
        return SL_OK;
      if(zr == Z_STREAM_END) {
        g->members++;
        g->in_member = 0;
      }
      else if(zr != Z_OK || !produced)
        break;
    }
  }
  return SL_OK;
}

enum sl_result sl_gunzip_finish(struct sl_gunzip *g)
{
  if(!g->in_member)
    return SL_OK;
  snprintf(g->msg, sizeof(g->msg),
           "gzip: truncated stream, input ended inside member %llu after %llu compressed bytes",
           (unsigned long long)g->members + 1, (unsigned long long)g->in_total);
  return SL_E_PARSE;
}
