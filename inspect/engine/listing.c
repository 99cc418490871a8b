/* listing.c — the objects inspect reads, in key order: ListObjectsV2 pages
 * under a prefix, or under the hour prefixes of a time window (their first
 * pages listed concurrently, each by a thread with its own client), or the
 * files under a local folder. Memory: one page per hour prefix being
 * prefetched (at most `concurrency` of them) plus the page being read. */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "listing_internal.h"
#include "common/aws/aws_internal.h"
#include "sluice/log.h"
#include "sluice/s3.h"

#define LOCAL_MAX_FILES 1000000
#define LOCAL_MAX_DEPTH 32

struct entry {
  char *key;
  long long size;
  char *lm;
  int64_t time;
};

struct page {
  struct entry *v;
  size_t n, cap;
  char *next_token;
};

struct hour {
  int state;          /* 0 waiting, 1 being listed, 2 ready */
  enum sl_result r;
  struct sl_error err;
  struct page first;
};

struct sl_inspect_lister {
  struct sl_client *c;
  struct sl_inspect_source src;
  char *bucket, *start_after;
  struct sl_inspect_prefixes prefixes; /* what to list, in key order */
  int windowed;
  /* reading position */
  size_t cur;
  struct page page;
  size_t pos;
  int have_page;
  struct sl_inspect_object out;
  int (*skip)(void *ud, const char *key);
  void *skip_ud;
  unsigned long pages;
  /* local source: every file, sorted */
  int local;
  struct page files;
  /* hour prefetchers */
  struct hour *hours;
  pthread_t *threads;
  int nthreads;
  size_t next_hour;
  int stop;
  pthread_mutex_t mu;
  pthread_cond_t cv;
};

static void page_clear(struct page *p)
{
  size_t i;
  for(i = 0; i < p->n; i++) {
    free(p->v[i].key);
    free(p->v[i].lm);
  }
  free(p->v);
  free(p->next_token);
  memset(p, 0, sizeof(*p));
}

static enum sl_result page_add(struct page *p, const char *key, long long size, const char *lm)
{
  struct entry *e;
  if(p->n == p->cap) {
    size_t ncap = p->cap ? p->cap * 2 : 64;
    struct entry *v = realloc(p->v, ncap * sizeof(*v));
    if(!v)
      return SL_E_NOMEM;
    p->v = v;
    p->cap = ncap;
  }
  e = &p->v[p->n];
  e->key = sl_strdup(key);
  e->lm = sl_strdup(lm ? lm : "");
  e->size = size;
  if(!e->key || !e->lm) {
    free(e->key);
    free(e->lm);
    return SL_E_NOMEM;
  }
  if(!sl_inspect_key_time(key, &e->time) &&
     (!lm || !*lm || sl_inspect_parse_time(lm, 0, &e->time)))
    e->time = SL_INSPECT_NO_TIME;
  p->n++;
  return SL_OK;
}

static int on_listed(void *ud, const struct sl_s3_object *o)
{
  return page_add(ud, o->key, o->size, o->last_modified) != SL_OK;
}

/* Every key under prefix sorts before start_after: nothing to ask S3. */
static int all_before(const char *prefix, const char *start_after)
{
  size_t n = strlen(prefix);
  return start_after && strcmp(start_after, prefix) > 0 && strncmp(start_after, prefix, n);
}

static enum sl_result list_one(struct sl_client *c, const struct sl_inspect_lister *l,
                               const char *prefix, const char *token, struct page *out,
                               struct sl_error *err)
{
  struct sl_s3_list q;
  enum sl_result r;
  memset(&q, 0, sizeof(q));
  q.prefix = prefix;
  q.start_after = l->start_after;
  q.continuation_token = token;
  q.max_keys = l->src.max_keys;
  q.on_object = on_listed;
  q.ud = out;
  r = sl_s3_list_page(c, l->bucket, &q, &out->next_token, err);
  if(r && !err->message[0])
    sl_error_set(err, r, NULL, "listing s3://%s/%s failed", l->bucket, prefix);
  return r;
}

static void *prefetch_main(void *arg)
{
  struct sl_inspect_lister *l = arg;
  struct sl_client c;
  struct sl_error cerr;
  enum sl_result cr;
  sl_error_clear(&cerr);
  cr = sl_inspect_client_clone(l->c, &c, &cerr);
  pthread_mutex_lock(&l->mu);
  for(;;) {
    size_t i;
    struct hour *h;
    while(!l->stop && l->next_hour < l->prefixes.n &&
          l->next_hour >= l->cur + (size_t)l->nthreads)
      pthread_cond_wait(&l->cv, &l->mu);
    if(l->stop || l->next_hour >= l->prefixes.n)
      break;
    i = l->next_hour++;
    h = &l->hours[i];
    h->state = 1;
    pthread_mutex_unlock(&l->mu);
    sl_error_clear(&h->err);
    if(cr) {
      h->r = cr;
      h->err = cerr;
    }
    else if(!all_before(l->prefixes.v[i], l->start_after))
      h->r = list_one(&c, l, l->prefixes.v[i], NULL, &h->first, &h->err);
    pthread_mutex_lock(&l->mu);
    if(!cr && !all_before(l->prefixes.v[i], l->start_after))
      l->pages++;
    h->state = 2;
    pthread_cond_broadcast(&l->cv);
  }
  pthread_mutex_unlock(&l->mu);
  if(!cr)
    sl_client_cleanup(&c);
  return NULL;
}

/* ---- local files ------------------------------------------------------ */

static int cmp_entry(const void *a, const void *b)
{
  return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static enum sl_result add_file(struct page *p, const char *path, const struct stat *st)
{
  char lm[32];
  struct tm tm;
  time_t t = st->st_mtime;
  if(p->n >= LOCAL_MAX_FILES)
    return SL_E_TOO_LARGE;
  gmtime_r(&t, &tm);
  strftime(lm, sizeof(lm), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
  return page_add(p, path, (long long)st->st_size, lm);
}

static enum sl_result walk(struct page *p, const char *dir, int depth, struct sl_error *err)
{
  DIR *d;
  struct dirent *de;
  enum sl_result r = SL_OK;
  char path[4096];
  if(depth > LOCAL_MAX_DEPTH)
    return sl_error_set(err, SL_E_TOO_LARGE, NULL, "%s: folders nested too deep", dir);
  d = opendir(dir);
  if(!d)
    return sl_error_set(err, SL_E_IO, NULL, "%s: cannot open folder", dir);
  while(!r && (de = readdir(d))) {
    struct stat st;
    if(!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
      continue;
    if(snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/",
                de->d_name) >= (int)sizeof(path))
      r = sl_error_set(err, SL_E_TOO_LARGE, NULL, "%s/%s: path too long", dir, de->d_name);
    else if(stat(path, &st))
      sl_log(SL_LOG_WARN, "%s: cannot stat, skipped", path);
    else if(S_ISDIR(st.st_mode))
      r = walk(p, path, depth + 1, err);
    else if(S_ISREG(st.st_mode) && (r = add_file(p, path, &st)))
      sl_error_set(err, r, NULL, "%s: too many files", dir);
  }
  closedir(d);
  return r;
}

static enum sl_result open_local(struct sl_inspect_lister *l, struct sl_error *err)
{
  struct stat st;
  enum sl_result r;
  l->local = 1;
  if(stat(l->src.local, &st))
    return sl_error_set(err, SL_E_NOT_FOUND, NULL, "%s: no such file or folder", l->src.local);
  if(S_ISDIR(st.st_mode))
    r = walk(&l->files, l->src.local, 0, err);
  else
    r = add_file(&l->files, l->src.local, &st);
  if(!r && l->files.n)
    qsort(l->files.v, l->files.n, sizeof(struct entry), cmp_entry);
  return r;
}

/* ---- S3 --------------------------------------------------------------- */

static enum sl_result plan_prefixes(struct sl_inspect_lister *l)
{
  const char *pattern = l->src.prefix ? l->src.prefix : "";
  enum sl_result r = SL_E_UNSUPPORTED;
  if(l->src.since != SL_INSPECT_NO_TIME && !l->src.flat) {
    int64_t until = l->src.until != SL_INSPECT_NO_TIME ? l->src.until : (int64_t)time(NULL);
    r = sl_inspect_window_prefixes(pattern, l->src.since, until, SL_INSPECT_MAX_WINDOW_HOURS,
                                   &l->prefixes);
    if(!r)
      l->windowed = 1;
    else if(r == SL_E_NOMEM)
      return r;
    else
      sl_log(SL_LOG_INFO, "listing the whole prefix: %s", r == SL_E_TOO_LARGE ?
             "the window spans too many hours" : "its layout has no hour to narrow by");
  }
  if(r) {
    /* Up to the first expression: everything the pattern can produce. */
    const char *e = strstr(pattern, "!{");
    l->prefixes.v = calloc(1, sizeof(char *));
    if(!l->prefixes.v)
      return SL_E_NOMEM;
    l->prefixes.v[0] = e ? sl_strndup(pattern, (size_t)(e - pattern)) : sl_strdup(pattern);
    if(!l->prefixes.v[0])
      return SL_E_NOMEM;
    l->prefixes.n = 1;
  }
  return SL_OK;
}

static enum sl_result start_prefetch(struct sl_inspect_lister *l, struct sl_error *err)
{
  int n = l->src.concurrency > 0 ? l->src.concurrency : SL_INSPECT_DEFAULT_CONCURRENCY, i;
  if(n > SL_INSPECT_MAX_CONCURRENCY)
    n = SL_INSPECT_MAX_CONCURRENCY;
  if((size_t)n > l->prefixes.n)
    n = (int)l->prefixes.n;
  l->hours = calloc(l->prefixes.n, sizeof(*l->hours));
  l->threads = calloc((size_t)n, sizeof(pthread_t));
  if(!l->hours || !l->threads)
    return SL_E_NOMEM;
  l->nthreads = n;
  for(i = 0; i < n; i++)
    if(pthread_create(&l->threads[i], NULL, prefetch_main, l)) {
      l->nthreads = i;
      return sl_error_set(err, SL_E_INTERNAL, NULL, "cannot start a listing thread");
    }
  return SL_OK;
}

enum sl_result sl_inspect_lister_new(struct sl_client *c, const struct sl_inspect_source *src,
                                     struct sl_inspect_lister **out, struct sl_error *err)
{
  struct sl_inspect_lister *l = calloc(1, sizeof(*l));
  enum sl_result r = SL_OK;
  *out = NULL;
  if(!l)
    return SL_E_NOMEM;
  pthread_mutex_init(&l->mu, NULL);
  pthread_cond_init(&l->cv, NULL);
  l->c = c;
  l->src = *src;
  l->src.prefix = NULL;
  l->src.local = NULL;
  l->src.bucket = NULL;
  l->src.start_after = NULL;
  if(src->start_after && *src->start_after && !(l->start_after = sl_strdup(src->start_after)))
    r = SL_E_NOMEM;
  if(!r && src->local) {
    l->src.local = src->local;
    r = open_local(l, err);
    l->src.local = NULL;
  }
  else if(!r && (!src->bucket || !*src->bucket || !c))
    r = sl_error_set(err, SL_E_INVALID, NULL, "no bucket to list");
  else if(!r) {
    l->bucket = sl_strdup(src->bucket);
    l->src.prefix = src->prefix;
    r = l->bucket ? plan_prefixes(l) : SL_E_NOMEM;
    l->src.prefix = NULL;
    /* One prefix is read page by page on the caller's thread. */
    if(!r && l->prefixes.n > 1)
      r = start_prefetch(l, err);
  }
  if(r) {
    sl_inspect_lister_free(l);
    return r;
  }
  *out = l;
  return SL_OK;
}

static int wanted(const struct sl_inspect_lister *l, const struct entry *e)
{
  if(l->start_after && strcmp(e->key, l->start_after) <= 0)
    return 0;
  if(l->skip && l->skip(l->skip_ud, e->key))
    return 0;
  if(e->time != SL_INSPECT_NO_TIME) {
    if(l->src.since != SL_INSPECT_NO_TIME && e->time < l->src.since)
      return 0;
    if(l->src.until != SL_INSPECT_NO_TIME && e->time > l->src.until)
      return 0;
  }
  return 1;
}

static void count_page(struct sl_inspect_lister *l)
{
  pthread_mutex_lock(&l->mu);
  l->pages++;
  pthread_mutex_unlock(&l->mu);
}

/* Moves to the next page of the prefix being read, or the next prefix. */
static enum sl_result next_page(struct sl_inspect_lister *l, int *end, struct sl_error *err)
{
  enum sl_result r = SL_OK;
  char *token = NULL;
  if(l->have_page && l->page.next_token) {
    token = l->page.next_token;
    l->page.next_token = NULL;
    page_clear(&l->page);
    count_page(l);
    r = list_one(l->c, l, l->prefixes.v[l->cur], token, &l->page, err);
    free(token);
    l->pos = 0;
    return r;
  }
  if(l->have_page) {
    page_clear(&l->page);
    l->have_page = 0;
    pthread_mutex_lock(&l->mu);
    l->cur++;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
  }
  if(l->cur >= l->prefixes.n) {
    *end = 1;
    return SL_OK;
  }
  l->pos = 0;
  l->have_page = 1;
  if(l->hours) {
    struct hour *h = &l->hours[l->cur];
    pthread_mutex_lock(&l->mu);
    while(h->state != 2)
      pthread_cond_wait(&l->cv, &l->mu);
    pthread_mutex_unlock(&l->mu);
    l->page = h->first;
    memset(&h->first, 0, sizeof(h->first));
    if(h->r)
      *err = h->err;
    return h->r;
  }
  if(all_before(l->prefixes.v[l->cur], l->start_after))
    return SL_OK;
  count_page(l);
  return list_one(l->c, l, l->prefixes.v[l->cur], NULL, &l->page, err);
}

enum sl_result sl_inspect_lister_next(struct sl_inspect_lister *l,
                                      const struct sl_inspect_object **obj, struct sl_error *err)
{
  struct page *p = l->local ? &l->files : &l->page;
  *obj = NULL;
  for(;;) {
    const struct entry *e;
    int end = 0;
    enum sl_result r;
    if(l->pos >= p->n) {
      if(l->local)
        return SL_OK;
      r = next_page(l, &end, err);
      if(r || end)
        return r;
      continue;
    }
    e = &p->v[l->pos++];
    if(!wanted(l, e))
      continue;
    l->out.key = e->key;
    l->out.size = e->size;
    l->out.last_modified = e->lm;
    l->out.time = e->time;
    *obj = &l->out;
    return SL_OK;
  }
}

void sl_inspect_lister_set_skip(struct sl_inspect_lister *l,
                                int (*skip)(void *ud, const char *key), void *ud)
{
  l->skip = skip;
  l->skip_ud = ud;
}

unsigned long sl_inspect_lister_pages(struct sl_inspect_lister *l)
{
  unsigned long n;
  pthread_mutex_lock(&l->mu);
  n = l->pages;
  pthread_mutex_unlock(&l->mu);
  return n;
}

const char *sl_inspect_lister_bucket(const struct sl_inspect_lister *l)
{
  return l->local ? NULL : l->bucket;
}

int sl_inspect_lister_windowed(const struct sl_inspect_lister *l)
{
  return l->windowed;
}

void sl_inspect_lister_free(struct sl_inspect_lister *l)
{
  int i;
  size_t k;
  if(!l)
    return;
  pthread_mutex_lock(&l->mu);
  l->stop = 1;
  pthread_cond_broadcast(&l->cv);
  pthread_mutex_unlock(&l->mu);
  for(i = 0; i < l->nthreads; i++)
    pthread_join(l->threads[i], NULL);
  for(k = 0; l->hours && k < l->prefixes.n; k++)
    page_clear(&l->hours[k].first);
  free(l->hours);
  free(l->threads);
  page_clear(&l->page);
  page_clear(&l->files);
  sl_inspect_prefixes_cleanup(&l->prefixes);
  pthread_cond_destroy(&l->cv);
  pthread_mutex_destroy(&l->mu);
  free(l->bucket);
  free(l->start_after);
  free(l);
}
