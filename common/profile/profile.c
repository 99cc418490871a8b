/* profile.c — reads and validates sluice INI profiles. Every problem is
 * reported with file, line, section and key; nothing is half-applied. */
#include "sluice/profile.h"
#include "sluice/log.h"
#include "common/iniread.h"
#include "common/suggest_internal.h"
#include "common/profile/profile_check.h"
#include "common/profile/profile_diag.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LINE 65536

static const char *const enc_choices[] = { "SSE-S3", "SSE-KMS", NULL };
static const char *const tls_choices[] = { "auto", "true", "false", NULL }; /* enum sl_tls_only */
static const char *const source_choices[] = { "direct", "kinesis", NULL };
static const char *const mode_choices[] = { "provisioned", "on_demand", NULL };
static const char *const aggregate_choices[] = { "off", "on", "auto", NULL }; /* sl_aggregate */
static const char *const compression_choices[] = { "UNCOMPRESSED", "GZIP", "ZIP", "Snappy",
                                                    "HADOOP_SNAPPY", NULL };

#define F(field) offsetof(struct sl_profile, field)
#define S(field) sizeof(((struct sl_profile *)0)->field)

static const struct sl_profile_key keys[] = {
  { "aws", "region", K_REGION, F(aws.region), S(aws.region), 0, 0, NULL },
  { "aws", "profile", K_STR, F(aws.profile), S(aws.profile), 0, 0, NULL },
  { "aws", "endpoint_url", K_URL, F(aws.endpoint_url), S(aws.endpoint_url), 0, 0, NULL },
  { "aws", "max_attempts", K_INT, F(aws.max_attempts), 0, 1, 100, NULL },
  { "aws", "connect_timeout_s", K_INT, F(aws.connect_timeout_ms), 0, 1, 600, NULL },
  { "aws", "timeout_s", K_INT, F(aws.timeout_ms), 0, 1, 3600, NULL },
  { "aws", "low_speed_limit", K_INT, F(aws.low_speed_bytes), 0, 0, 1000000000, NULL },
  { "aws", "low_speed_time_s", K_INT, F(aws.low_speed_time_s), 0, 1, 3600, NULL },
  { "aws", "ca_bundle", K_STR, F(aws.ca_bundle), S(aws.ca_bundle), 0, 0, NULL },
  { "aws", "allow_plain_http", K_BOOL, F(aws.allow_plain_http), 0, 0, 0, NULL },
  { "aws", "default_tags", K_TAGS, F(default_tags), 0, 0, 0, NULL },
  { "aws", "s3_force_path_style", K_BOOL, F(aws.s3_force_path_style), 0, 0, 0, NULL },
  { "aws", "access_key_id", K_STR, F(aws.static_access_key_id), S(aws.static_access_key_id), 0, 0,
    NULL },
  { "aws", "secret_access_key", K_SECRET, F(aws.static_secret_access_key),
    S(aws.static_secret_access_key), 0, 0, NULL },
  { "aws", "session_token", K_SECRET, 0, 0, 0, 0, NULL }, /* heap: handled specially */
  { "bucket", "name", K_STR, F(bucket.name), S(bucket.name), 0, 0, NULL },
  { "bucket", "encryption", K_ENUM, F(bucket.encryption), 0, 0, 0, enc_choices },
  { "bucket", "kms_key_id", K_STR, F(bucket.kms_key_id), S(bucket.kms_key_id), 0, 0, NULL },
  { "bucket", "block_public_access", K_BOOL, F(bucket.block_public_access), 0, 0, 0, NULL },
  { "bucket", "expire_after_days", K_INT, F(bucket.expire_after_days), 0, 1, 36500, NULL },
  { "bucket", "tags", K_TAGS, F(bucket.tags), 0, 0, 0, NULL },
  { "bucket", "tls_only", K_ENUM, F(bucket.tls_only), 0, 0, 0, tls_choices },
  { "role", "name", K_STR, F(role.name), S(role.name), 0, 0, NULL },
  { "role", "permissions_boundary", K_STR, F(role.permissions_boundary),
    S(role.permissions_boundary), 0, 0, NULL },
  { "firehose", "name", K_STR, F(firehose.name), S(firehose.name), 0, 0, NULL },
  { "firehose", "source", K_ENUM, F(firehose.source), 0, 0, 0, source_choices },
  { "firehose", "prefix", K_STR, F(firehose.prefix), S(firehose.prefix), 0, 0, NULL },
  { "firehose", "error_prefix", K_STR, F(firehose.error_prefix), S(firehose.error_prefix), 0, 0,
    NULL },
  { "firehose", "buffer_size_mb", K_INT, F(firehose.buffer_size_mb), 0, 1, 128, NULL },
  { "firehose", "buffer_interval_s", K_INT, F(firehose.buffer_interval_s), 0, 0, 900, NULL },
  { "firehose", "compression", K_ENUM, F(firehose.compression), 0, 0, 0, compression_choices },
  { "firehose", "cloudwatch_logging", K_BOOL, F(firehose.cloudwatch_logging), 0, 0, 0, NULL },
  { "firehose", "log_group", K_STR, F(firehose.log_group), S(firehose.log_group), 0, 0, NULL },
  { "firehose", "log_stream", K_STR, F(firehose.log_stream), S(firehose.log_stream), 0, 0, NULL },
  { "firehose", "log_retention_days", K_INT, F(firehose.log_retention_days), 0, 0, 3653, NULL },
  { "kinesis", "name", K_STR, F(kinesis.name), S(kinesis.name), 0, 0, NULL },
  { "kinesis", "mode", K_ENUM, F(kinesis.on_demand), 0, 0, 0, mode_choices },
  { "kinesis", "shards", K_INT, F(kinesis.shards), 0, 1, 10000, NULL },
  { "kinesis", "retention_hours", K_INT, F(kinesis.retention_hours), 0, 24, 8760, NULL },
  { "kinesis", "max_request_mb", K_INT, F(kinesis.max_request_bytes), 0, 5, 10, NULL },
  { "retry", "create_attempts", K_INT, F(retry.create_attempts), 0, 1, 100, NULL },
  { "retry", "create_delay_s", K_INT, F(retry.create_delay_s), 0, 0, 300, NULL },
  { "send", "aggregate", K_ENUM, F(send.aggregate), 0, 0, 0, aggregate_choices },
  { "athena", "database", K_STR, F(athena.database), S(athena.database), 0, 0, NULL },
  { "athena", "table", K_STR, F(athena.table), S(athena.table), 0, 0, NULL },
  { "athena", "columns", K_STR, F(athena.columns), S(athena.columns), 0, 0, NULL },
  { "athena", "partition_column", K_STR, F(athena.partition_column), S(athena.partition_column),
    0, 0, NULL },
  { "athena", "results", K_STR, F(athena.results), S(athena.results), 0, 0, NULL },
  { "athena", "results_expire_days", K_INT, F(athena.results_expire_days), 0, 0, 36500, NULL },
  { "athena", "workgroup", K_STR, F(athena.workgroup), S(athena.workgroup), 0, 0, NULL },
};
_Static_assert(sizeof(keys) / sizeof(keys[0]) <= SL_PROFILE_MAX_KEYS, "parse state too small");

static const char *const sections[] = { "aws", "bucket", "role", "firehose", "kinesis", "retry",
                                        "send", "athena", NULL };
_Static_assert(sizeof(sections) / sizeof(sections[0]) - 1 == SL_PROFILE_NSECTIONS,
               "parse state: one line per section");

/* ${VAR}, ${VAR:-default} and $$. A secret's value is never quoted in a
 * diagnostic. */
static int expand(struct sl_profile_state *st, const struct sl_profile_key *k, const char *in,
                  struct sl_buf *out)
{
  const char *s = in, *section = k->section, *key = k->key;
  const char *shown = k->kind == K_SECRET ? "the value" : in;
  const char *quote = k->kind == K_SECRET ? "" : "'";
  while(*s) {
    if(s[0] == '$' && s[1] == '$') {
      sl_buf_addc(out, '$');
      s += 2;
    }
    else if(s[0] == '$' && s[1] == '{') {
      const char *end = strchr(s + 2, '}'), *dflt, *v;
      char name[256];
      size_t n;
      if(!end) {
        sl_profile_diag(st, st->line, section, key, "unterminated ${ in %s%s%s", quote, shown, quote);
        return -1;
      }
      dflt = strstr(s + 2, ":-");
      if(dflt && dflt > end)
        dflt = NULL;
      n = (size_t)((dflt ? dflt : end) - (s + 2));
      if(!n || n >= sizeof(name)) {
        sl_profile_diag(st, st->line, section, key, "bad variable reference in %s%s%s", quote, shown,
             quote);
        return -1;
      }
      memcpy(name, s + 2, n);
      name[n] = 0;
      v = getenv(name);
      if(v && *v)
        sl_buf_adds(out, v);
      else if(dflt)
        sl_buf_add(out, dflt + 2, (size_t)(end - dflt - 2));
      else {
        sl_profile_diag(st, st->line, section, key, "environment variable %s is not set", name);
        return -1;
      }
      s = end + 1;
    }
    else
      sl_buf_addc(out, *s++);
  }
  return 0;
}

static int parse_bool(const char *v, int *out)
{
  if(!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcmp(v, "1") || !strcasecmp(v, "on"))
    *out = 1;
  else if(!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcmp(v, "0") ||
          !strcasecmp(v, "off"))
    *out = 0;
  else
    return -1;
  return 0;
}

/* AWS tag text: letters, digits and spaces (any UTF-8 letter: bytes past
 * ASCII pass here, their encoding was checked already) and _ . : / = + - @. */
static int tag_text_ok(const char *s, const char *e)
{
  for(; s < e; s++)
    if(!((unsigned char)*s >= 0x80 || isalnum((unsigned char)*s) || strchr(" _.:/=+-@", *s)))
      return 0;
  return 1;
}

static int tag_seen(const struct sl_headers *tags, const char *k, size_t n)
{
  size_t i;
  for(i = 0; i < tags->n; i++)
    if(strlen(tags->v[i].name) == n && !memcmp(tags->v[i].name, k, n))
      return 1;
  return 0;
}

static void set_tags(struct sl_profile_state *st, const struct sl_profile_key *k, const char *v)
{
  struct sl_headers *tags = (struct sl_headers *)((char *)st->p + k->off);
  const char *s = v;
  sl_headers_cleanup(tags);
  while(*s) {
    const char *end = s + strcspn(s, ","), *eq;
    const char *ks = s, *ke, *vs, *ve;
    while(ks < end && isspace((unsigned char)*ks))
      ks++;
    eq = memchr(ks, '=', (size_t)(end - ks));
    if(ks == end) { /* empty item: "a=1, , b=2" or trailing comma */
      s = *end ? end + 1 : end;
      continue;
    }
    if(!eq) {
      sl_profile_diag(st, st->line, k->section, k->key, "tag '%.*s' is not key=value", (int)(end - ks), ks);
      return;
    }
    ke = eq;
    while(ke > ks && isspace((unsigned char)ke[-1]))
      ke--;
    vs = eq + 1;
    while(vs < end && isspace((unsigned char)*vs))
      vs++;
    ve = end;
    while(ve > vs && isspace((unsigned char)ve[-1]))
      ve--;
    if(ke == ks || ke - ks > 128 || ve - vs > 256) {
      sl_profile_diag(st, st->line, k->section, k->key,
           "tag '%.*s': keys are 1-128 characters, values at most 256", (int)(end - ks), ks);
      return;
    }
    if(!tag_text_ok(ks, ke) || !tag_text_ok(vs, ve)) {
      sl_profile_diag(st, st->line, k->section, k->key, "tag '%.*s': only letters, digits, "
                      "spaces and _ . : / = + - @ are allowed", (int)(end - ks), ks);
      return;
    }
    if(ke - ks >= 4 && !strncasecmp(ks, "aws:", 4)) {
      sl_profile_diag(st, st->line, k->section, k->key, "tag '%.*s': keys starting with aws: "
                      "are reserved for AWS", (int)(ke - ks), ks);
      return;
    }
    if(tag_seen(tags, ks, (size_t)(ke - ks))) {
      sl_profile_diag(st, st->line, k->section, k->key, "tag key '%.*s' appears twice",
                      (int)(ke - ks), ks);
      return;
    }
    if(tags->n == 50) {
      sl_profile_diag(st, st->line, k->section, k->key, "more than 50 tags");
      return;
    }
    sl_headers_addn(tags, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs));
    s = *end ? end + 1 : end;
  }
}

static void apply(struct sl_profile_state *st, const struct sl_profile_key *k, const char *v)
{
  char *base = (char *)st->p;
  switch(k->kind) {
  case K_REGION: {
    size_t i, n = strlen(v);
    int ok = n > 0 && n < k->size;
    for(i = 0; ok && i < n; i++)
      ok = islower((unsigned char)v[i]) || isdigit((unsigned char)v[i]) || v[i] == '-';
    if(!ok) {
      sl_profile_diag(st, st->line, k->section, k->key, "'%s' is not a region name (like eu-west-1)", v);
      return;
    }
    memcpy(base + k->off, v, n + 1);
    return;
  }
  case K_URL:
    if(strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) {
      sl_profile_diag(st, st->line, k->section, k->key, "'%s' is not an http:// or https:// URL", v);
      return;
    }
    /* fall through */
  case K_STR:
  case K_SECRET:
    if(!k->size) { /* session_token lives on the heap */
      sl_free_secret(st->p->aws.static_session_token);
      st->p->aws.static_session_token = sl_strdup(v);
      return;
    }
    if(strlen(v) >= k->size) {
      sl_profile_diag(st, st->line, k->section, k->key, "too long (%zu characters, at most %zu)", strlen(v),
           k->size - 1);
      return;
    }
    memcpy(base + k->off, v, strlen(v) + 1);
    return;
  case K_BOOL:
    if(parse_bool(v, (int *)(base + k->off)))
      sl_profile_diag(st, st->line, k->section, k->key, "'%s' is not true or false", v);
    return;
  case K_INT: {
    char *end;
    long n;
    errno = 0;
    n = strtol(v, &end, 10);
    if(errno || end == v || *end || n < k->min || n > k->max) {
      sl_profile_diag(st, st->line, k->section, k->key, "'%s' is not a whole number from %ld to %ld", v,
           k->min, k->max);
      return;
    }
    /* Fields kept as long in other units: MiB and seconds as given here. */
    if(!strcmp(k->key, "max_request_mb"))
      *(long *)(base + k->off) = n * 1024 * 1024;
    else if(!strcmp(k->key, "connect_timeout_s") || !strcmp(k->key, "timeout_s"))
      *(long *)(base + k->off) = n * 1000;
    else if(!strcmp(k->key, "low_speed_limit"))
      *(long *)(base + k->off) = n ? n : -1; /* 0: no limit */
    else
      *(int *)(base + k->off) = (int)n;
    return;
  }
  case K_ENUM: {
    int i;
    for(i = 0; k->choices[i]; i++)
      if(!strcasecmp(v, k->choices[i]))
        break;
    if(!k->choices[i]) {
      char list[256] = "";
      int j;
      for(j = 0; k->choices[j]; j++)
        snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s", j ? ", " : "",
                 k->choices[j]);
      sl_profile_diag(st, st->line, k->section, k->key, "'%s' is not one of %s", v, list);
      return;
    }
    if(k->choices == compression_choices)
      snprintf(base + k->off, S(firehose.compression), "%s", k->choices[i]);
    else
      *(int *)(base + k->off) = i;
    return;
  }
  case K_TAGS:
    set_tags(st, k, v);
    return;
  }
}

static int section_index(const char *section)
{
  int i;
  for(i = 0; sections[i]; i++)
    if(!strcmp(section, sections[i]))
      return i;
  return -1;
}

/* The i-th key of one section, for the nearest-name search. */
struct key_list {
  const char *section;
};
static const char *key_in_section(const void *list, size_t i)
{
  const struct key_list *l = list;
  size_t k, n = 0;
  for(k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
    if(!strcmp(keys[k].section, l->section) && n++ == i)
      return keys[k].key;
  return NULL;
}

/* A key the section does not have: the section it belongs in, else the
 * nearest key of this one, else the section's keys. */
static void unknown_key(struct sl_profile_state *st, const char *section, const char *name)
{
  static const char *const tls_off[] = { "verify_ssl", "insecure", "tls_verify", "no_verify_ssl",
                                         "ssl_verify", NULL };
  struct key_list l = { section };
  const char *near;
  char known[512];
  size_t k, n = 0;
  /* The keys other tools turn TLS checks off with: named, so nobody looks
   * for another spelling. */
  for(k = 0; tls_off[k]; k++)
    if(!strcasecmp(name, tls_off[k])) {
      sl_profile_diag(st, st->line, section, name, "unknown key: TLS verification is never turned off; for a "
           "private CA set [aws] ca_bundle or AWS_CA_BUNDLE");
      return;
    }
  for(k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
    if(!strcmp(keys[k].key, name) && strcmp(keys[k].section, "aws")) {
      sl_profile_diag(st, st->line, section, name, "unknown key; it belongs in [%s]", keys[k].section);
      return;
    }
  if((near = sl_suggest(name, key_in_section, &l)) != NULL) {
    sl_profile_diag(st, st->line, section, name, "unknown key; did you mean '%s'?", near);
    return;
  }
  known[0] = 0;
  for(k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
    if(!strcmp(keys[k].section, section) && n < sizeof(known) - 1)
      n += (size_t)snprintf(known + n, sizeof(known) - n, "%s%s", n ? ", " : "", keys[k].key);
  sl_profile_diag(st, st->line, section, name, "unknown key (known: %s)", known);
}

/* Length of the UTF-8 sequence at s (1-4), 0 when ill-formed: overlong
 * forms, surrogates and code points past U+10FFFF are refused, as AWS does. */
static size_t utf8_len(const unsigned char *s)
{
  size_t n, i;
  unsigned cp;
  if(s[0] < 0x80)
    return 1;
  if(s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2, cp = s[0] & 0x1fu;
  else if(s[0] >= 0xe0 && s[0] <= 0xef)
    n = 3, cp = s[0] & 0x0fu;
  else if(s[0] >= 0xf0 && s[0] <= 0xf4)
    n = 4, cp = s[0] & 0x07u;
  else
    return 0;
  for(i = 1; i < n; i++) {
    if((s[i] & 0xc0) != 0x80)
      return 0;
    cp = cp << 6 | (s[i] & 0x3fu);
  }
  if((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
     (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
    return 0;
  return n;
}

/* A value is UTF-8 text without control characters: AWS refuses anything
 * else, and only after sluice has made the calls before it. A secret is
 * never shown; the column is. */
static int text_ok(struct sl_profile_state *st, const struct sl_profile_key *k, const char *v)
{
  const unsigned char *s = (const unsigned char *)v;
  size_t i = 0, n;
  while(s[i]) {
    if(s[i] < 0x20 || s[i] == 0x7f) {
      sl_profile_diag(st, st->line, k->section, k->key, "control character 0x%02x at column %zu "
                      "(values are printable text)", s[i], i + 1);
      return 0;
    }
    if(!(n = utf8_len(s + i))) {
      sl_profile_diag(st, st->line, k->section, k->key, "not valid UTF-8 (byte 0x%02x at column "
                      "%zu)", s[i], i + 1);
      return 0;
    }
    i += n;
  }
  return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value,
                   int line)
{
  struct sl_profile_state *st = user;
  struct sl_buf v;
  size_t i;
  int si = section_index(section);
  st->line = line;
  if(si < 0) {
    if(*section && !name) /* said once, at its [section] line */
      sl_profile_diag(st, st->line, NULL, NULL, "unknown section [%s] (known: aws, bucket, role, firehose, "
           "kinesis, retry, send, athena)", section);
    else if(name)
      sl_profile_diag(st, st->line, NULL, NULL, "key '%s' is outside any section", name);
    return 1;
  }
  if(!st->section_line[si])
    st->section_line[si] = st->line;
  else if(!name) /* INI would merge the two; which one was meant is unknowable */
    sl_profile_diag(st, st->line, NULL, NULL, "section [%s] appears twice (first on line %d)",
                    section, st->section_line[si]);
  if(si == 4)
    st->p->kinesis.enabled = 1;
  if(si == 7)
    st->p->athena.enabled = 1;
  if(!name) /* the [section] line itself (see sl_ini_parse) */
    return 1;
  for(i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
    if(!strcmp(keys[i].section, section) && !strcmp(keys[i].key, name))
      break;
  if(i == sizeof(keys) / sizeof(keys[0])) {
    unknown_key(st, section, name);
    return 1;
  }
  if(st->seen_line[i]) {
    sl_profile_diag(st, st->line, section, name, "set twice (first on line %d)", st->seen_line[i]);
    return 1;
  }
  st->seen_line[i] = st->line;
  if(sl_buf_init(&v, MAX_LINE)) {
    sl_profile_diag(st, st->line, section, name, "out of memory");
    return 0;
  }
  if(!expand(st, &keys[i], value, &v) && text_ok(st, &keys[i], v.data))
    apply(st, &keys[i], v.data);
  sl_buf_cleanup_secret(&v);
  return 1;
}

void sl_profile_init(struct sl_profile *p)
{
  memset(p, 0, sizeof(*p));
  sl_aws_config_init(&p->aws);
  sl_headers_init(&p->bucket.tags);
  sl_headers_init(&p->default_tags);
  p->bucket.block_public_access = 1;
  p->firehose.buffer_size_mb = 5;
  p->firehose.buffer_interval_s = 300;
  p->firehose.log_retention_days = 14;
  snprintf(p->firehose.compression, sizeof(p->firehose.compression), "UNCOMPRESSED");
  p->kinesis.shards = 1;
  p->kinesis.retention_hours = 24;
  p->kinesis.max_request_bytes = 5L * 1024 * 1024;
  p->retry.create_attempts = 10;
  p->retry.create_delay_s = 4;
  p->athena.results_expire_days = 7;
}

void sl_profile_cleanup(struct sl_profile *p)
{
  sl_aws_config_cleanup(&p->aws);
  sl_headers_cleanup(&p->bucket.tags);
  sl_headers_cleanup(&p->default_tags);
}

enum sl_result sl_profile_parse(const char *name, const char *text, struct sl_profile *p,
                                struct sl_buf *diagnostics, struct sl_error *err)
{
  return sl_profile_parse_for(name, text, SL_PROFILE_NEED_PIPELINE, NULL, p, diagnostics, err);
}

enum sl_result sl_profile_parse_for(const char *name, const char *text, unsigned needs,
                                    const char *command, struct sl_profile *p,
                                    struct sl_buf *diagnostics, struct sl_error *err)
{
  struct sl_profile_state st;
  int rc;
  memset(&st, 0, sizeof(st));
  st.needs = needs;
  st.command = command;
  st.name = name;
  st.p = p;
  st.diags = diagnostics;
  st.err = err;
  st.keys = keys;
  st.nkeys = sizeof(keys) / sizeof(keys[0]);
  rc = sl_ini_parse(text, 1, handler, &st);
  if(rc > 0)
    sl_profile_diag(&st, rc, NULL, NULL, "not an INI line (expected [section] or key = value)");
  else if(rc < 0)
    sl_profile_diag(&st, 0, NULL, NULL, "could not be parsed (out of memory)");
  sl_profile_check(&st);
  /* Printed in full up to SL_PROFILE_MAX_DIAGS; past that, said so. */
  if(st.diags && st.ndiags > SL_PROFILE_MAX_DIAGS)
    sl_buf_printf(st.diags, "%s: ... and %d more problems not shown\n", name,
                  st.ndiags - SL_PROFILE_MAX_DIAGS);
  return st.ndiags ? SL_E_CONFIG : SL_OK;
}
