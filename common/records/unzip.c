/* unzip.c — a ZIP archive (APPNOTE 6.3) read as it streams, as Firehose
 * writes them for CompressionFormat ZIP: each local file header is checked,
 * its data inflated (or copied when stored) into the decoder, its CRC-32 and
 * lengths compared with the header or the data descriptor after it. The
 * central directory repeats what the local headers said, so reading stops
 * there. Every error names the entry and its offset in the archive. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unzip.h"

enum {
  Z_SIG,    /* a record's signature */
  Z_LOCAL,  /* the rest of a local file header */
  Z_NAME,
  Z_EXTRA,
  Z_STORED, /* stored data: copied as it comes */
  Z_BODY,   /* deflate data */
  Z_DESC,   /* data descriptor */
  Z_TAIL    /* central directory and end records: not read */
};

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define SIG_DIGITAL 0x05054b50u
#define SIG_DESC 0x08074b50u

#define F_ENCRYPTED 0x0001u
#define F_DESCRIPTOR 0x0008u

static uint32_t le16(const unsigned char *p)
{
  return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
  return le16(p) | le16(p + 2) << 16;
}

static uint64_t le64(const unsigned char *p)
{
  return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

enum sl_result sl_unzip_init(struct sl_unzip *z, size_t outsize, enum sl_inflate_backend b)
{
  enum sl_result r;
  memset(z, 0, sizeof(*z));
  z->state = Z_SIG;
  z->need = 4;
  z->outsize = outsize;
  r = sl_inflate_init(&z->inf, b);
  if(!r && !(z->out = malloc(outsize)))
    r = SL_E_NOMEM;
  if(r)
    sl_unzip_cleanup(z);
  return r;
}

void sl_unzip_cleanup(struct sl_unzip *z)
{
  sl_inflate_cleanup(&z->inf);
  free(z->out);
  free(z->extra);
  z->out = NULL;
  z->extra = NULL;
}

static enum sl_result fail(struct sl_unzip *z, enum sl_result r, uint64_t out_off,
                           const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static enum sl_result fail(struct sl_unzip *z, enum sl_result r, uint64_t out_off,
                           const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(z->msg, sizeof(z->msg), fmt, ap);
  va_end(ap);
  z->err_out = out_off;
  return r;
}

/* "entry 1 'name' at byte 0" for messages. */
static const char *entry(struct sl_unzip *z, char *buf, size_t size)
{
  if(z->state == Z_LOCAL || z->state == Z_NAME) /* the name is not all there yet */
    snprintf(buf, size, "entry %llu at byte %llu", (unsigned long long)z->entries + 1,
             (unsigned long long)z->entry_in);
  else
    snprintf(buf, size, "entry %llu '%.*s%s' at byte %llu", (unsigned long long)z->entries + 1,
             (int)(z->name_len < 64 ? z->name_len : 64), z->name, z->name_len > 64 ? "..." : "",
             (unsigned long long)z->entry_in);
  return buf;
}

static void expect(struct sl_unzip *z, int state, size_t need)
{
  z->state = state;
  z->have = 0;
  z->need = need;
}

/* The zip64 extra field (0x0001) carries the 64-bit lengths the header
 * marks with 0xffffffff, original size first. */
static void zip64_sizes(struct sl_unzip *z, size_t xlen)
{
  size_t at = 0;
  while(at + 4 <= xlen) {
    unsigned id = le16(z->extra + at), len = le16(z->extra + at + 2);
    const unsigned char *v = z->extra + at + 4;
    if(at + 4 + len > xlen)
      break;
    if(id == 0x0001) {
      size_t o = 0;
      z->zip64 = 1;
      if(z->want_usize == 0xffffffffu && o + 8 <= len) {
        z->want_usize = le64(v + o);
        o += 8;
      }
      if(z->want_csize == 0xffffffffu && o + 8 <= len)
        z->want_csize = le64(v + o);
    }
    at += 4 + len;
  }
}

/* The local header, name and extra field read: on to the data. */
static enum sl_result start_data(struct sl_unzip *z)
{
  char what[128];
  if(z->flags & F_ENCRYPTED)
    return fail(z, SL_E_UNSUPPORTED, z->out_total, "zip: %s is encrypted; encrypted entries "
                "cannot be read", entry(z, what, sizeof(what)));
  if(z->method != 0 && z->method != 8)
    return fail(z, SL_E_UNSUPPORTED, z->out_total, "zip: %s uses compression method %u; stored "
                "(0) and deflate (8) can be read", entry(z, what, sizeof(what)), z->method);
  if(z->method == 0 && (z->flags & F_DESCRIPTOR))
    return fail(z, SL_E_UNSUPPORTED, z->out_total, "zip: %s is stored with its length after the "
                "data, which cannot be read front to back", entry(z, what, sizeof(what)));
  z->entry_out = z->out_total;
  z->crc = 0;
  z->csize = 0;
  z->usize = 0;
  if(z->method == 8) {
    sl_inflate_reset(&z->inf);
    z->state = Z_BODY;
  }
  else {
    z->state = Z_STORED;
    z->left = z->want_csize;
  }
  return SL_OK;
}

/* The entry's data ended: compare it with what the header or the data
 * descriptor says. */
static enum sl_result check_entry(struct sl_unzip *z)
{
  char what[128];
  uint64_t usize = z->zip64 ? z->usize : (z->usize & 0xffffffffu);
  uint64_t csize = z->zip64 ? z->csize : (z->csize & 0xffffffffu);
  if(z->crc != z->want_crc)
    return fail(z, SL_E_PARSE, z->out_total, "zip: CRC-32 mismatch in %s: data is corrupt",
                entry(z, what, sizeof(what)));
  if(usize != z->want_usize || csize != z->want_csize)
    return fail(z, SL_E_PARSE, z->out_total, "zip: length mismatch in %s: the header says %llu "
                "bytes (%llu compressed), the data holds %llu (%llu)", entry(z, what, sizeof(what)),
                (unsigned long long)z->want_usize, (unsigned long long)z->want_csize,
                (unsigned long long)z->usize, (unsigned long long)z->csize);
  z->entries++;
  z->in_entry = 0;
  expect(z, Z_SIG, 4);
  return SL_OK;
}

/* A fixed-size part is complete in z->part. */
static enum sl_result parsed(struct sl_unzip *z)
{
  uint32_t sig;
  size_t o;
  switch(z->state) {
  case Z_SIG:
    sig = le32(z->part);
    if(sig == SIG_LOCAL) {
      z->in_entry = 1;
      z->entry_in = z->in_total - 4;
      expect(z, Z_LOCAL, 30);
      z->have = 4;
      return SL_OK;
    }
    if(sig == SIG_CENTRAL || sig == SIG_END || sig == SIG_END64 || sig == SIG_LOCATOR64 ||
       sig == SIG_DIGITAL) {
      z->state = Z_TAIL;
      return SL_OK;
    }
    return fail(z, SL_E_PARSE, z->out_total, "zip: bytes at %llu are not a ZIP record "
                "(signature 0x%08x)", (unsigned long long)(z->in_total - 4), sig);
  case Z_LOCAL:
    z->flags = le16(z->part + 6);
    z->method = le16(z->part + 8);
    z->want_crc = le32(z->part + 14);
    z->want_csize = le32(z->part + 18);
    z->want_usize = le32(z->part + 22);
    z->zip64 = 0;
    z->name_len = 0;
    z->left = le16(z->part + 26);
    z->need = le16(z->part + 28); /* the extra field's length, kept for Z_EXTRA */
    z->state = Z_NAME;
    return SL_OK;
  case Z_DESC:
    if(z->need == 4) {
      /* The signature is optional; then crc and two 4- or 8-byte lengths. */
      z->left = le32(z->part) == SIG_DESC ? 4 : 0;
      z->need = (size_t)z->left + (z->zip64 ? 20 : 12);
      return SL_OK;
    }
    o = (size_t)z->left;
    z->want_crc = le32(z->part + o);
    z->want_csize = z->zip64 ? le64(z->part + o + 4) : le32(z->part + o + 4);
    z->want_usize = z->zip64 ? le64(z->part + o + 12) : le32(z->part + o + 8);
    return check_entry(z);
  }
  return SL_OK;
}

static enum sl_result run(struct sl_unzip *z, const unsigned char *p, size_t n,
                          sl_inflate_sink sink, void *ctx, int *stop);

static enum sl_result body(struct sl_unzip *z, const unsigned char *p, size_t n, size_t *took,
                           sl_inflate_sink sink, void *ctx, int *stop)
{
  char what[128];
  uint64_t made = 0;
  enum sl_inflate_status s = sl_inflate_pump(&z->inf, p, n, z->out, z->outsize, took, &z->crc,
                                             &made, sink, ctx, stop);
  z->in_total += *took;
  z->csize += *took;
  z->usize += made;
  z->out_total += made;
  if(*stop)
    return SL_OK;
  if(s == SL_INFLATE_BAD)
    return fail(z, SL_E_PARSE, z->entry_out, "zip: corrupt deflate data in %s",
                entry(z, what, sizeof(what)));
  if(s == SL_INFLATE_END) {
    unsigned char spill[sizeof(z->inf.spill)];
    size_t k = z->inf.spill_len;
    enum sl_result r = SL_OK;
    memcpy(spill, z->inf.spill, k); /* read ahead: they follow the deflate data */
    z->in_total -= k;
    z->csize -= k;
    if(z->flags & F_DESCRIPTOR)
      expect(z, Z_DESC, 4);
    else
      r = check_entry(z);
    return !r && k ? run(z, spill, k, sink, ctx, stop) : r;
  }
  return SL_OK;
}

/* Takes what the current state wants from p[0..n). */
static enum sl_result step(struct sl_unzip *z, const unsigned char *p, size_t n, size_t *took,
                           sl_inflate_sink sink, void *ctx, int *stop)
{
  size_t k;
  *took = 0;
  switch(z->state) {
  case Z_BODY:
    return body(z, p, n, took, sink, ctx, stop);
  case Z_TAIL:
    *took = n;
    z->in_total += n;
    return SL_OK;
  case Z_NAME:
    k = n < z->left ? n : (size_t)z->left;
    if(z->name_len < sizeof(z->name)) {
      size_t c = k < sizeof(z->name) - z->name_len ? k : sizeof(z->name) - z->name_len;
      memcpy(z->name + z->name_len, p, c);
    }
    z->name_len += k;
    z->left -= k;
    z->in_total += k;
    *took = k;
    if(!z->left) {
      if(z->name_len < sizeof(z->name))
        z->name[z->name_len] = 0;
      z->left = z->need;
      z->have = 0;
      z->state = Z_EXTRA;
      if(z->left && !z->extra && !(z->extra = malloc(0xffff)))
        return SL_E_NOMEM;
      if(!z->left)
        return start_data(z);
    }
    return SL_OK;
  case Z_EXTRA:
    k = n < z->left ? n : (size_t)z->left;
    memcpy(z->extra + z->have, p, k);
    z->have += k;
    z->left -= k;
    z->in_total += k;
    *took = k;
    if(z->left)
      return SL_OK;
    zip64_sizes(z, z->have);
    return start_data(z);
  case Z_STORED:
    k = n < z->left ? n : (size_t)z->left;
    z->crc = sl_inflate_crc32(z->crc, p, k);
    z->left -= k;
    z->in_total += k;
    z->csize += k;
    z->usize += k;
    z->out_total += k;
    *took = k;
    if(k && sink(ctx, (const char *)p, k)) {
      *stop = 1;
      return SL_OK;
    }
    return z->left ? SL_OK : check_entry(z);
  default:
    k = n < z->need - z->have ? n : z->need - z->have;
    memcpy(z->part + z->have, p, k);
    z->have += k;
    z->in_total += k;
    *took = k;
    return z->have == z->need ? parsed(z) : SL_OK;
  }
}

static enum sl_result run(struct sl_unzip *z, const unsigned char *p, size_t n,
                          sl_inflate_sink sink, void *ctx, int *stop)
{
  enum sl_result r = SL_OK;
  while(!r && !*stop && (n || z->state == Z_BODY)) {
    size_t took;
    r = step(z, p, n, &took, sink, ctx, stop);
    if(!n)
      break;
    p += took;
    n -= took;
  }
  return r;
}

enum sl_result sl_unzip_feed(struct sl_unzip *z, const unsigned char *p, size_t n,
                             sl_inflate_sink sink, void *ctx)
{
  int stop = 0;
  return run(z, p, n, sink, ctx, &stop);
}

enum sl_result sl_unzip_finish(struct sl_unzip *z)
{
  char what[128];
  if(z->state == Z_TAIL)
    return SL_OK;
  if(z->in_entry)
    return fail(z, SL_E_PARSE, z->out_total, "zip: truncated archive, input ended inside %s "
                "after %llu bytes", entry(z, what, sizeof(what)), (unsigned long long)z->in_total);
  return fail(z, SL_E_PARSE, z->out_total, "zip: truncated archive, input ended after %llu bytes "
              "with no central directory", (unsigned long long)z->in_total);
}
