/* log.c — leveled logging; every line goes through the redactor first so
 * secrets cannot leak into logs whatever the caller formats. */
#include "sluice/log.h"
#include "sluice/buf.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#define MAX_SECRETS 16
#define MASK "****"

static enum sl_log_level level = SL_LOG_WARN;
static sl_log_sink_fn sink;
static void *sink_ud;
static char *secrets[MAX_SECRETS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void sl_log_set_level(enum sl_log_level lvl)
{
  level = lvl;
}

enum sl_log_level sl_log_get_level(void)
{
  return level;
}

void sl_log_set_sink(sl_log_sink_fn fn, void *ud)
{
  sink = fn;
  sink_ud = ud;
}

int sl_log_enabled(enum sl_log_level lvl)
{
  return lvl <= level;
}

void sl_log_register_secret(const char *secret)
{
  int i, free_slot = -1;
  if(!secret || strlen(secret) < 8)
    return;
  pthread_mutex_lock(&lock);
  for(i = 0; i < MAX_SECRETS; i++) {
    if(secrets[i] && !strcmp(secrets[i], secret))
      break;
    if(!secrets[i] && free_slot < 0)
      free_slot = i;
  }
  if(i == MAX_SECRETS) {
    /* Full: drop the oldest; refreshed credentials replace expired ones. */
    if(free_slot < 0) {
      sl_free_secret(secrets[0]);
      memmove(secrets, secrets + 1, (MAX_SECRETS - 1) * sizeof(secrets[0]));
      free_slot = MAX_SECRETS - 1;
    }
    secrets[free_slot] = sl_strdup(secret);
  }
  pthread_mutex_unlock(&lock);
}

void sl_log_forget_secrets(void)
{
  int i;
  pthread_mutex_lock(&lock);
  for(i = 0; i < MAX_SECRETS; i++) {
    sl_free_secret(secrets[i]);
    secrets[i] = NULL;
  }
  pthread_mutex_unlock(&lock);
}

int sl_header_is_sensitive(const char *name)
{
  return !strcasecmp(name, "authorization") || !strcasecmp(name, "x-amz-security-token") ||
         !strcasecmp(name, "x-aws-ec2-metadata-token") ||
         !strcasecmp(name, "proxy-authorization");
}

/* Replaces s[from, to) with MASK; returns the new length. */
static size_t splice_mask(char *s, size_t len, size_t from, size_t to)
{
  size_t m = sizeof(MASK) - 1;
  if(to - from < m) /* never grow: mask what is there */
    m = to - from;
  memcpy(s + from, MASK, m);
  memmove(s + from + m, s + to, len - to);
  return len - (to - from) + m;
}

static size_t find_ci(const char *s, size_t len, size_t from, const char *needle)
{
  size_t n = strlen(needle), i;
  for(i = from; i + n <= len; i++)
    if(!strncasecmp(s + i, needle, n))
      return i;
  return (size_t)-1;
}

/* After each occurrence of key, skip the separator characters in sep, then
 * mask up to (not including) the first character in stop. */
static size_t mask_after(char *s, size_t len, const char *key, const char *sep,
                         const char *stop)
{
  size_t at = 0;
  while((at = find_ci(s, len, at, key)) != (size_t)-1) {
    size_t v = at + strlen(key), e;
    if(sep) {
      size_t v0 = v;
      while(v < len && strchr(sep, s[v]))
        v++;
      if(v == v0) { /* the key must be followed by a separator to count */
        at = v;
        continue;
      }
    }
    e = v;
    while(e < len && !strchr(stop, s[e]))
      e++;
    if(e > v && !(e - v == sizeof(MASK) - 1 && !memcmp(s + v, MASK, e - v)))
      len = splice_mask(s, len, v, e);
    at = v + 1;
  }
  return len;
}

size_t sl_redact(char *s, size_t len)
{
  int i;
  pthread_mutex_lock(&lock);
  for(i = 0; i < MAX_SECRETS; i++) {
    size_t n, at = 0;
    if(!secrets[i])
      continue;
    n = strlen(secrets[i]);
    while(at + n <= len) {
      char *hit = memmem(s + at, len - at, secrets[i], n);
      if(!hit)
        break;
      at = (size_t)(hit - s);
      len = splice_mask(s, len, at, at + n);
      at += sizeof(MASK) - 1;
    }
  }
  pthread_mutex_unlock(&lock);
  /* Header lines, query parameters, JSON members and XML elements. */
  len = mask_after(s, len, "authorization", ": ", "\r\n");
  len = mask_after(s, len, "x-amz-security-token", ":= ", "&\r\n \"");
  len = mask_after(s, len, "x-amz-signature", "=", "&\r\n \"");
  len = mask_after(s, len, "x-aws-ec2-metadata-token", ": ", "\r\n");
  len = mask_after(s, len, "signature", "=", ",&\r\n \"");
  len = mask_after(s, len, "\"secretaccesskey\"", ": \"", "\"");
  len = mask_after(s, len, "\"sessiontoken\"", ": \"", "\"");
  len = mask_after(s, len, "\"token\"", ": \"", "\"");
  len = mask_after(s, len, "<secretaccesskey>", NULL, "<");
  len = mask_after(s, len, "<sessiontoken>", NULL, "<");
  len = mask_after(s, len, "aws_secret_access_key", " =", "\r\n");
  len = mask_after(s, len, "aws_session_token", " =", "\r\n");
  s[len] = 0;
  return len;
}

static void default_sink(void *ud, enum sl_log_level lvl, const char *line)
{
  static const char *names[] = { "error", "warning", "info", "debug", "trace" };
  (void)ud;
  fprintf(stderr, "sluice: %s: %s\n", names[lvl], line);
}

void sl_logv(enum sl_log_level lvl, const char *fmt, va_list ap)
{
  char line[8192];
  int n;
  if(!sl_log_enabled(lvl))
    return;
  n = vsnprintf(line, sizeof(line), fmt, ap);
  if(n < 0)
    return;
  if((size_t)n >= sizeof(line)) {
    n = (int)sizeof(line) - 1;
    memcpy(line + n - 3, "...", 3);
  }
  sl_redact(line, (size_t)n);
  (sink ? sink : default_sink)(sink_ud, lvl, line);
}

void sl_log(enum sl_log_level lvl, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  sl_logv(lvl, fmt, ap);
  va_end(ap);
}
