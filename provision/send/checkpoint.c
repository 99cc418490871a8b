/* checkpoint.c — what a send has settled, on disk, so a rerun after a kill
 * sends only the rest. A record is settled once accepted or dead-lettered;
 * a failed one (not kept anywhere) is sent again. The file also holds how
 * far the sender may have read (reserved): records at or past it were
 * never sent, so the ones a rerun sends again that may already be stored
 * are exactly the unsettled ones below it, and that number is reported.
 *
 * Choice: one bit per record from 0 (settled, and one for failed), not a
 * list of ranges in memory: 100 million records are 25 MB, and marking is
 * O(1) from the worker threads. The file holds ranges. */
#include "sluice/send.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "common/buf_internal.h"

#define RESERVE_MIN 1000u

struct sl_send_checkpoint {
  char *path;
  char *input;                 /* the input's identity, as given */
  pthread_mutex_t mu;
  unsigned char *settled, *failed; /* one bit per index */
  uint64_t cap;                /* bits allocated */
  uint64_t below;              /* every index under it is settled */
  uint64_t reserved;           /* saved: nothing at or past it was sent */
  uint64_t highest;            /* 1 + the highest index this run reserved for */
  uint64_t settled_before, unknown_before; /* what the earlier run left */
  uint64_t earlier_reserved;
  double last_save;
  uint64_t read_since_save;
};

static double now_s(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bit(const unsigned char *m, uint64_t cap, uint64_t i)
{
  return i < cap && (m[i >> 3] >> (i & 7)) & 1;
}

/* With c->mu held (or before any thread exists). */
static enum sl_result grow(struct sl_send_checkpoint *c, uint64_t need)
{
  uint64_t cap = c->cap ? c->cap : 65536;
  unsigned char *s, *f;
  if(need <= c->cap)
    return SL_OK;
  while(cap < need)
    cap *= 2;
  s = realloc(c->settled, cap / 8);
  if(s)
    c->settled = s;
  f = s ? realloc(c->failed, cap / 8) : NULL;
  if(!f)
    return SL_E_NOMEM;
  c->failed = f;
  memset(c->settled + c->cap / 8, 0, (cap - c->cap) / 8);
  memset(c->failed + c->cap / 8, 0, (cap - c->cap) / 8);
  c->cap = cap;
  return SL_OK;
}

static void set_bit(unsigned char *m, uint64_t i)
{
  m[i >> 3] |= (unsigned char)(1u << (i & 7));
}

/* ---- the file ------------------------------------------------------------ */

static struct json_object *ranges(const unsigned char *m, uint64_t cap, uint64_t from,
                                  uint64_t to)
{
  struct json_object *a = json_object_new_array();
  uint64_t i = from;
  while(i < to) {
    uint64_t j;
    if(!bit(m, cap, i)) {
      i++;
      continue;
    }
    for(j = i; j < to && bit(m, cap, j); j++)
      ;
    {
      struct json_object *r = json_object_new_array();
      json_object_array_add(r, json_object_new_int64((int64_t)i));
      json_object_array_add(r, json_object_new_int64((int64_t)j));
      json_object_array_add(a, r);
    }
    i = j;
  }
  return a;
}

static enum sl_result write_file(const char *path, const char *text, struct sl_error *err)
{
  char tmp[4200];
  size_t n = strlen(text), off = 0;
  int fd, bad = 0;
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if(fd < 0)
    return sl_error_set(err, SL_E_IO, NULL, "checkpoint %s: %s", tmp, strerror(errno));
  while(off < n && !bad) {
    ssize_t w = write(fd, text + off, n - off);
    if(w < 0 && errno == EINTR)
      continue;
    bad = w <= 0;
    off += w > 0 ? (size_t)w : 0;
  }
  /* On disk before it replaces the last one: a crash leaves one whole file. */
  if(!bad && fsync(fd))
    bad = 1;
  if(close(fd))
    bad = 1;
  if(!bad && rename(tmp, path))
    bad = 1;
  if(bad) {
    int e = errno;
    unlink(tmp);
    return sl_error_set(err, SL_E_IO, NULL, "checkpoint %s: %s", path, strerror(e));
  }
  {
    /* and the rename itself */
    char dir[4200], *slash;
    snprintf(dir, sizeof(dir), "%s", path);
    slash = strrchr(dir, '/');
    if(slash)
      *(slash == dir ? slash + 1 : slash) = 0;
    else
      snprintf(dir, sizeof(dir), ".");
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if(fd >= 0) {
      fsync(fd);
      close(fd);
    }
  }
  return SL_OK;
}

/* With c->mu held: the document for what is known now. */
static char *document(struct sl_send_checkpoint *c)
{
  struct json_object *o = json_object_new_object(), *in = json_tokener_parse(c->input);
  uint64_t top = c->reserved > c->highest ? c->reserved : c->highest;
  char *text;
  json_object_object_add(o, "format_version", json_object_new_int(1));
  json_object_object_add(o, "input", in ? in : json_object_new_string(c->input));
  json_object_object_add(o, "reserved", json_object_new_int64((int64_t)c->reserved));
  json_object_object_add(o, "settled_below", json_object_new_int64((int64_t)c->below));
  json_object_object_add(o, "settled", ranges(c->settled, c->cap, c->below, top));
  json_object_object_add(o, "failed", ranges(c->failed, c->cap, c->below, top));
  text = sl_strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
  json_object_put(o);
  return text;
}

static enum sl_result save_locked(struct sl_send_checkpoint *c, struct sl_error *err)
{
  char *text = document(c);
  enum sl_result r = text ? write_file(c->path, text, err) :
                            sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  free(text);
  c->last_save = now_s();
  c->read_since_save = 0;
  return r;
}

static enum sl_result load_ranges(struct sl_send_checkpoint *c, struct json_object *a,
                                  unsigned char **m, struct sl_error *err)
{
  size_t i, n = json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
  enum sl_result r = SL_OK;
  for(i = 0; !r && i < n; i++) {
    struct json_object *p = json_object_array_get_idx(a, i);
    int64_t from, to, k;
    if(!json_object_is_type(p, json_type_array) || json_object_array_length(p) != 2)
      return sl_error_set(err, SL_E_PARSE, NULL, "checkpoint %s: a range is not [from, to]",
                          c->path);
    from = json_object_get_int64(json_object_array_get_idx(p, 0));
    to = json_object_get_int64(json_object_array_get_idx(p, 1));
    if(from < 0 || to < from || to > (int64_t)1 << 40)
      return sl_error_set(err, SL_E_PARSE, NULL, "checkpoint %s: range [%lld, %lld] is not "
                          "valid", c->path, (long long)from, (long long)to);
    r = grow(c, (uint64_t)to);
    for(k = from; !r && k < to; k++)
      set_bit(*m, (uint64_t)k);
  }
  return r;
}

static int64_t member_u64(struct json_object *o, const char *name, int *ok)
{
  struct json_object *v;
  int64_t n;
  if(!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_int) ||
     (n = json_object_get_int64(v)) < 0) {
    *ok = 0;
    return 0;
  }
  return n;
}

static enum sl_result load(struct sl_send_checkpoint *c, const char *text, struct sl_error *err)
{
  struct json_object *o = json_tokener_parse(text), *in = NULL, *want, *a;
  enum sl_result r = SL_OK;
  int ok = 1;
  uint64_t i;
  if(!o || !json_object_is_type(o, json_type_object))
    r = sl_error_set(err, SL_E_PARSE, NULL, "checkpoint %s is not a sluice checkpoint (not "
                     "JSON)", c->path);
  if(!r && (!json_object_object_get_ex(o, "format_version", &a) || json_object_get_int(a) != 1))
    r = sl_error_set(err, SL_E_PARSE, NULL, "checkpoint %s: format_version is not 1", c->path);
  if(!r) {
    json_object_object_get_ex(o, "input", &in);
    want = json_tokener_parse(c->input);
    /* The same input, or the indexes would name other records. */
    if(!in || !want || !json_object_equal(in, want))
      r = sl_error_set(err, SL_E_INVALID, "CheckpointMismatch", "checkpoint %s is for other "
                       "input: it has %.400s, this run reads %.400s (remove the file to start "
                       "over)", c->path,
                       in ? json_object_to_json_string_ext(in, JSON_C_TO_STRING_PLAIN) : "none",
                       c->input);
    json_object_put(want);
  }
  if(!r) {
    c->earlier_reserved = (uint64_t)member_u64(o, "reserved", &ok);
    c->below = (uint64_t)member_u64(o, "settled_below", &ok);
    if(!ok)
      r = sl_error_set(err, SL_E_PARSE, NULL, "checkpoint %s: reserved or settled_below is "
                       "missing or not a count", c->path);
  }
  if(!r) r = grow(c, c->below + 1);
  for(i = 0; !r && i < c->below; i++)
    set_bit(c->settled, i);
  if(!r && json_object_object_get_ex(o, "settled", &a)) r = load_ranges(c, a, &c->settled, err);
  if(!r && json_object_object_get_ex(o, "failed", &a)) r = load_ranges(c, a, &c->failed, err);
  if(!r) {
    for(i = 0; i < c->earlier_reserved || i < c->below; i++) {
      if(bit(c->settled, c->cap, i))
        c->settled_before++;
      else if(!bit(c->failed, c->cap, i))
        c->unknown_before++;
    }
    /* Failures are sent again: only settled records stay marked. */
    memset(c->failed, 0, c->cap / 8);
    c->reserved = c->earlier_reserved;
  }
  json_object_put(o);
  return r;
}

/* ---- the API ------------------------------------------------------------- */

enum sl_result sl_send_checkpoint_open(struct sl_send_checkpoint **out, const char *path,
                                       const char *input, struct sl_error *err)
{
  struct sl_send_checkpoint *c;
  struct sl_buf text;
  enum sl_result r;
  FILE *f;
  *out = NULL;
  if(!path || !*path || strlen(path) > 4000 || !input)
    return sl_error_set(err, SL_E_INVALID, NULL, "a checkpoint needs a file name and the "
                        "input's identity");
  c = calloc(1, sizeof(*c));
  if(!c || !(c->path = sl_strdup(path)) || !(c->input = sl_strdup(input)) ||
     pthread_mutex_init(&c->mu, NULL)) {
    if(c) {
      free(c->path);
      free(c->input);
    }
    free(c);
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  }
  r = grow(c, 1);
  f = r ? NULL : fopen(path, "rb");
  if(!r && !f && errno != ENOENT)
    r = sl_error_set(err, SL_E_IO, NULL, "checkpoint %s: %s", path, strerror(errno));
  if(!r && f) {
    char chunk[65536];
    size_t n;
    r = sl_buf_init(&text, (size_t)1 << 30);
    while(!r && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
      r = sl_buf_add(&text, chunk, n);
    if(!r && ferror(f))
      r = sl_error_set(err, SL_E_IO, NULL, "checkpoint %s: %s", path, strerror(errno));
    if(!r) r = load(c, text.len ? text.data : "", err);
    sl_buf_cleanup(&text);
  }
  if(f)
    fclose(f);
  c->highest = 0; /* this run's reads */
  c->last_save = now_s();
  if(r) {
    sl_send_checkpoint_free(c);
    return r;
  }
  *out = c;
  return SL_OK;
}

int sl_send_checkpoint_settled(struct sl_send_checkpoint *c, uint64_t index)
{
  int s;
  pthread_mutex_lock(&c->mu);
  s = bit(c->settled, c->cap, index);
  pthread_mutex_unlock(&c->mu);
  return s;
}

void sl_send_checkpoint_note(struct sl_send_checkpoint *c, const struct sl_send_record *rec)
{
  /* Accepted and dead-lettered records are settled. A rerun sends the
   * others again: marked failed when surely not stored (not counted as
   * possible duplicates), left unmarked below the reserve when a request
   * carrying them got no answer (counted). */
  int settles = rec->status == SL_SEND_ACCEPTED || rec->status == SL_SEND_DEAD_LETTERED;
  if(!settles && rec->maybe_stored)
    return;
  pthread_mutex_lock(&c->mu);
  if(!grow(c, rec->index + 1)) {
    set_bit(settles ? c->settled : c->failed, rec->index);
    while(bit(c->settled, c->cap, c->below))
      c->below++;
  }
  pthread_mutex_unlock(&c->mu);
}

enum sl_result sl_send_checkpoint_reserve(struct sl_send_checkpoint *c, uint64_t index,
                                          struct sl_error *err)
{
  enum sl_result r = SL_OK;
  pthread_mutex_lock(&c->mu);
  c->read_since_save++;
  if(index + 1 > c->highest)
    c->highest = index + 1;
  /* Promised on disk before the record can go out: about two seconds'
   * worth ahead, so this saves about once a second. */
  if(index >= c->reserved || now_s() - c->last_save >= 1.0) {
    uint64_t step = 2 * c->read_since_save;
    if(step < RESERVE_MIN)
      step = RESERVE_MIN;
    if(index >= c->reserved)
      c->reserved = index + step;
    r = save_locked(c, err);
  }
  pthread_mutex_unlock(&c->mu);
  return r;
}

enum sl_result sl_send_checkpoint_save(struct sl_send_checkpoint *c, struct sl_error *err)
{
  enum sl_result r;
  pthread_mutex_lock(&c->mu);
  /* At the end nothing more will be read: what may have been sent is what
   * this run read (an earlier run's reserve past it names records that
   * were not read again, so not there). */
  c->reserved = c->highest > c->below ? c->highest : c->below;
  r = save_locked(c, err);
  pthread_mutex_unlock(&c->mu);
  return r;
}

void sl_send_checkpoint_earlier(const struct sl_send_checkpoint *c, uint64_t *settled,
                                uint64_t *unknown)
{
  *settled = c->settled_before;
  *unknown = c->unknown_before;
}

void sl_send_checkpoint_free(struct sl_send_checkpoint *c)
{
  if(!c)
    return;
  pthread_mutex_destroy(&c->mu);
  free(c->settled);
  free(c->failed);
  free(c->path);
  free(c->input);
  free(c);
}

/* ---- the input's identity -------------------------------------------- */

static void hex(const unsigned char *md, unsigned n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  unsigned i;
  for(i = 0; i < n; i++) {
    out[2 * i] = digits[md[i] >> 4];
    out[2 * i + 1] = digits[md[i] & 15];
  }
  out[2 * n] = 0;
}

/* A file as a rerun must find it again: where, how big, when changed, and
 * what its first MiB holds (a file rewritten in place keeps its name). */
static enum sl_result file_identity(const char *path, struct json_object *list,
                                    struct sl_error *err)
{
  char abs[4096], digest[65], mtime[48];
  unsigned char md[EVP_MAX_MD_SIZE], *buf;
  unsigned mdlen = 0;
  struct stat st;
  struct json_object *f;
  EVP_MD_CTX *ctx;
  size_t n;
  int fd;
  if(!realpath(path, abs) || stat(abs, &st))
    return sl_error_set(err, SL_E_IO, NULL, "%s: %s", path, strerror(errno));
  if(!S_ISREG(st.st_mode))
    return sl_error_set(err, SL_E_INVALID, NULL, "%s: a checkpoint needs a regular file, which "
                        "a rerun can read again (not a pipe or stdin)", path);
  fd = open(abs, O_RDONLY | O_CLOEXEC);
  buf = malloc(1u << 20);
  ctx = EVP_MD_CTX_new();
  if(fd < 0 || !buf || !ctx) {
    int e = errno;
    if(fd >= 0)
      close(fd);
    free(buf);
    EVP_MD_CTX_free(ctx);
    return sl_error_set(err, SL_E_IO, NULL, "%s: %s", path, strerror(e));
  }
  n = 0;
  while(n < (1u << 20)) {
    ssize_t k = read(fd, buf + n, (1u << 20) - n);
    if(k < 0 && errno == EINTR)
      continue;
    if(k <= 0)
      break;
    n += (size_t)k;
  }
  close(fd);
  EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
  EVP_DigestUpdate(ctx, buf, n);
  EVP_DigestFinal_ex(ctx, md, &mdlen);
  EVP_MD_CTX_free(ctx);
  free(buf);
  hex(md, mdlen, digest);
  snprintf(mtime, sizeof(mtime), "%lld.%09ld", (long long)st.st_mtim.tv_sec,
           st.st_mtim.tv_nsec);
  f = json_object_new_object();
  json_object_object_add(f, "path", json_object_new_string(abs));
  json_object_object_add(f, "size", json_object_new_int64((int64_t)st.st_size));
  json_object_object_add(f, "mtime", json_object_new_string(mtime));
  json_object_object_add(f, "head_sha256", json_object_new_string(digest));
  json_object_array_add(list, f);
  return SL_OK;
}

enum sl_result sl_send_input_identity(enum sl_send_target t, const char *stream,
                                      const char *format, int newline,
                                      const char *const *files, int nfiles,
                                      char *const *args, int nargs, struct sl_buf *out,
                                      struct sl_error *err)
{
  struct json_object *o = json_object_new_object(), *list = json_object_new_array();
  enum sl_result r = SL_OK;
  int i;
  json_object_object_add(o, "target", json_object_new_string(sl_send_target_name(t)));
  json_object_object_add(o, "stream", json_object_new_string(stream ? stream : ""));
  json_object_object_add(o, "format", json_object_new_string(format ? format : ""));
  json_object_object_add(o, "newline", json_object_new_boolean(newline));
  for(i = 0; !r && i < nfiles; i++)
    r = file_identity(files[i], list, err);
  json_object_object_add(o, "files", list);
  if(nargs) {
    /* each argument with its length, so "ab","c" is not "a","bc" */
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    char digest[65];
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if(!ctx)
      r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
    else {
      EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
      for(i = 0; i < nargs; i++) {
        uint64_t len = strlen(args[i]);
        EVP_DigestUpdate(ctx, &len, sizeof(len));
        EVP_DigestUpdate(ctx, args[i], len);
      }
      EVP_DigestFinal_ex(ctx, md, &mdlen);
      EVP_MD_CTX_free(ctx);
      hex(md, mdlen, digest);
      json_object_object_add(o, "args", json_object_new_int(nargs));
      json_object_object_add(o, "args_sha256", json_object_new_string(digest));
    }
  }
  if(!r && sl_buf_adds(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN)))
    r = sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  json_object_put(o);
  return r;
}
