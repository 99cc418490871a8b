/* table.c — the Athena table of a profile: where the stream's objects
 * are, and one date-projected partition column over the timestamp part of
 * their keys. Firehose writes <prefix>YYYY/MM/dd/HH/ by default; with
 * !{timestamp:...} expressions the whole run from the first to the last of
 * them is the partition value, the text between them quoted into the
 * Java pattern (as in AWS's own Firehose example: yyyy-MM-dd). */
#include "sluice/table.h"
#include "common/profile/table_internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_LAYOUT "yyyy/MM/dd/HH"

void sl_table_init(struct sl_table *t)
{
  memset(t, 0, sizeof(*t));
}

void sl_table_cleanup(struct sl_table *t)
{
  size_t i;
  for(i = 0; i < t->ncolumns; i++) {
    free(t->column[i].name);
    free(t->column[i].type);
  }
  free(t->column);
  sl_table_init(t);
}

/* Fields of a pattern, most significant first. */
enum field { F_YEAR, F_MONTH, F_DAY, F_HOUR, F_MINUTE, F_NONE };

struct pattern_scan {
  enum field finest;
  int sortable;       /* fields run from year down, each at full width */
  enum field last;
};

/* Checks a Java DateTimeFormatter pattern for the letters a partition
 * can hold; 0 with *bad the letter when another one is used. */
static int scan_pattern(const char *p, struct pattern_scan *ps, char *bad)
{
  static const char letters[] = "yMdHm";
  static const int width[] = { 4, 2, 2, 2, 2 };
  while(*p) {
    if(*p == '\'') {
      const char *end = strchr(p + 1, '\'');
      p = end ? end + 1 : p + strlen(p);
      continue;
    }
    if(isalpha((unsigned char)*p)) {
      char c = *p == 'u' ? 'y' : *p;
      const char *at = strchr(letters, c);
      size_t n = 1;
      enum field f;
      while(p[n] == *p)
        n++;
      if(!at) {
        *bad = *p;
        return 0;
      }
      f = (enum field)(at - letters);
      if(ps->finest == F_NONE || f > ps->finest)
        ps->finest = f;
      if((ps->last != F_NONE && f != ps->last + 1) || (ps->last == F_NONE && f != F_YEAR) ||
         (int)n != width[f])
        ps->sortable = 0;
      ps->last = f;
      p += n;
      continue;
    }
    p++;
  }
  return 1;
}

/* Formats time t by a Java pattern of the letters scan_pattern accepts. */
void sl_table_part_value(const struct sl_table *t, int64_t when, char *out, size_t outlen)
{
  const char *p = t->part_format;
  time_t tt = (time_t)when;
  struct tm tm;
  size_t o = 0;
  gmtime_r(&tt, &tm);
  while(*p && o + 8 < outlen) {
    if(*p == '\'') {
      if(p[1] == '\'') {
        out[o++] = '\'';
        p += 2;
        continue;
      }
      for(p++; *p && *p != '\'' && o + 1 < outlen; p++)
        out[o++] = *p;
      if(*p)
        p++;
      continue;
    }
    if(isalpha((unsigned char)*p)) {
      size_t n = 1;
      int v;
      while(p[n] == *p)
        n++;
      switch(*p) {
      case 'y': case 'u': v = tm.tm_year + 1900; break;
      case 'M': v = tm.tm_mon + 1; break;
      case 'd': v = tm.tm_mday; break;
      case 'H': v = tm.tm_hour; break;
      default: v = tm.tm_min; break;
      }
      o += (size_t)snprintf(out + o, outlen - o, "%0*d", (int)(n > 4 ? 4 : n), v);
      p += n;
      continue;
    }
    out[o++] = *p++;
  }
  out[o < outlen ? o : outlen - 1] = 0;
}

/* Literal text into a Java pattern: quoted whole when it holds a letter
 * or a quote (a quote doubled), as is when it is only punctuation. */
static void quote_literal(char *out, size_t outlen, const char *s, size_t n)
{
  size_t o = strlen(out), i;
  int quote = 0;
  for(i = 0; i < n; i++)
    quote |= isalpha((unsigned char)s[i]) || s[i] == '\'';
  if(quote && o + 1 < outlen)
    out[o++] = '\'';
  for(i = 0; i < n && o + 3 < outlen; i++) {
    if(s[i] == '\'')
      out[o++] = '\'';
    out[o++] = s[i];
  }
  if(quote && o + 1 < outlen)
    out[o++] = '\'';
  out[o] = 0;
}

/* The profile key at fault and why, for sl_profile_check's diagnostics
 * and sl_table_from_profile's error. */
static enum sl_result fail(struct sl_table_problem *err, const char *section, const char *key,
                           const char *fmt, const char *arg)
{
  err->section = section;
  err->key = key;
  snprintf(err->message, sizeof(err->message), fmt, arg);
  return SL_E_CONFIG;
}

/* The partition: format and where its value sits in the key. */
static enum sl_result projection(const struct sl_profile *p, struct sl_table *t,
                                 const char **before_end, const char **after,
                                 struct sl_table_problem *err)
{
  const char *prefix = p->firehose.prefix, *first = strstr(prefix, "!{"), *s;
  const char *last_end = NULL;
  if(!first) { /* Firehose's own layout after the prefix */
    snprintf(t->part_format, sizeof(t->part_format), DEFAULT_LAYOUT);
    *before_end = prefix + strlen(prefix);
    *after = "/";
    return SL_OK;
  }
  *before_end = first;
  for(s = first; (s = strstr(s, "!{")); ) {
    const char *end = strchr(s, '}');
    if(!end || strncmp(s + 2, "timestamp:", 10))
      return fail(err, "firehose", "prefix", "%s cannot be an Athena partition (its values "
                  "are not known in advance): [athena] needs a prefix whose expressions are all "
                  "!{timestamp:...}", "!{firehose:random-string}");
    if(last_end)
      quote_literal(t->part_format, sizeof(t->part_format), last_end, (size_t)(s - last_end));
    snprintf(t->part_format + strlen(t->part_format),
             sizeof(t->part_format) - strlen(t->part_format), "%.*s", (int)(end - s - 12),
             s + 12);
    last_end = end + 1;
    s = last_end;
  }
  *after = last_end;
  return SL_OK;
}

static const char *unit_name(enum field f)
{
  static const char *const names[] = { "YEARS", "MONTHS", "DAYS", "HOURS", "MINUTES" };
  return names[f];
}

static const char *part_default(enum field f)
{
  static const char *const names[] = { "year", "month", "day", "datehour", "dateminute" };
  return names[f];
}

/* s3://bucket/key: the key part of a URI in bucket, else NULL. */
static const char *key_in_bucket(const char *uri, const char *bucket)
{
  size_t n = strlen(bucket);
  if(strncmp(uri, "s3://", 5) || strncmp(uri + 5, bucket, n) || (uri[5 + n] && uri[5 + n] != '/'))
    return NULL;
  return uri[5 + n] ? uri + 6 + n : "";
}

static enum sl_result inside_checks(const struct sl_profile *p, const char *folder,
                                    struct sl_table_problem *err)
{
  const char *e = p->firehose.error_prefix, *res;
  size_t elen = strstr(e, "!{") ? (size_t)(strstr(e, "!{") - e) : strlen(e);
  size_t flen = strlen(folder);
  if(!flen)
    return fail(err, "firehose", "prefix", "%s", "the Athena table's location would be the "
                "whole bucket: give the prefix a folder of its own (like logs/)");
  if(elen >= flen && !strncmp(e, folder, flen))
    return fail(err, "firehose", "error_prefix", "'%s' is inside the Athena table's location: "
                "failed records would be read as data; put it beside the prefix", e);
  res = key_in_bucket(p->athena.results, p->bucket.name);
  if(res && !strncmp(res, folder, flen))
    return fail(err, "athena", "results", "'%s' is inside the table's location: query "
                "results would be read as data", p->athena.results);
  return SL_OK;
}

enum sl_result sl_table_build(const struct sl_profile *p, int64_t created, struct sl_table *t,
                              struct sl_table_problem *err)
{
  const char *before_end = NULL, *after = NULL, *slash;
  struct pattern_scan ps = { F_NONE, 1, F_NONE };
  char folder[1030], start[256], why[300], bad = 0;
  size_t folder_len;
  enum sl_result r;
  sl_table_cleanup(t);
  snprintf(t->database, sizeof(t->database), "%s", p->athena.database);
  snprintf(t->name, sizeof(t->name), "%s", p->athena.table);
  if(!strcmp(p->firehose.compression, "ZIP"))
    return fail(err, "firehose", "compression", "%s", "Athena cannot read ZIP archives: "
                "deliver GZIP, HADOOP_SNAPPY, Snappy or UNCOMPRESSED for [athena]");
  snprintf(t->compression, sizeof(t->compression), "%s",
           !strcmp(p->firehose.compression, "GZIP") ? "gzip" :
           !strcmp(p->firehose.compression, "UNCOMPRESSED") ? "none" : "snappy");
  r = projection(p, t, &before_end, &after, err);
  if(r)
    return r;
  if(!scan_pattern(t->part_format, &ps, &bad)) {
    char letter[2] = { bad, 0 };
    return fail(err, "firehose", "prefix", "timestamp letter '%s' cannot be projected "
                "(use y, M, d, H and m)", letter);
  }
  if(ps.finest == F_NONE)
    return fail(err, "firehose", "prefix", "%s", "its !{timestamp:...} expressions hold no "
                "date letters to partition by");
  t->part_sortable = ps.sortable;
  snprintf(t->part_unit, sizeof(t->part_unit), "%s", unit_name(ps.finest));
  snprintf(t->part_name, sizeof(t->part_name), "%s",
           p->athena.partition_column[0] ? p->athena.partition_column : part_default(ps.finest));

  /* The folder: the literal text up to its last '/'. */
  for(slash = before_end; slash > p->firehose.prefix && slash[-1] != '/'; slash--)
    ;
  folder_len = (size_t)(slash - p->firehose.prefix);
  snprintf(folder, sizeof(folder), "%.*s", (int)folder_len, p->firehose.prefix);
  r = inside_checks(p, folder, err);
  if(r)
    return r;
  snprintf(t->location, sizeof(t->location), "s3://%.63s/%s", p->bucket.name, folder);
  snprintf(t->location_template, sizeof(t->location_template), "%s%.*s${%s}%s", t->location,
           (int)(before_end - slash), slash, t->part_name, after);

  if(created == INT64_MIN)
    created = (int64_t)time(NULL);
  created -= created % 86400;
  sl_table_part_value(t, created, start, sizeof(start));
  snprintf(t->part_range, sizeof(t->part_range), "%s,NOW", start);

  r = sl_table_parse_columns(p->athena.columns, t, why, sizeof(why));
  if(r)
    return r == SL_E_NOMEM ? r : fail(err, "athena", "columns", "%s", why);
  {
    size_t i;
    for(i = 0; i < t->ncolumns; i++)
      if(!strcmp(t->column[i].name, t->part_name))
        return fail(err, "athena", "columns", "column '%s' has the partition column's name: "
                    "rename it or set [athena] partition_column", t->part_name);
  }
  return SL_OK;
}

enum sl_result sl_table_from_profile(const struct sl_profile *p, int64_t created,
                                     struct sl_table *t, struct sl_error *err)
{
  struct sl_table_problem pr = { NULL, NULL, "" };
  enum sl_result r = sl_table_build(p, created, t, &pr);
  if(r == SL_E_NOMEM)
    return sl_error_set(err, r, NULL, "out of memory");
  if(r)
    return sl_error_set(err, r, NULL, "%s: [%s] %s: %s", p->path, pr.section, pr.key,
                        pr.message);
  return SL_OK;
}

enum sl_result sl_table_window(const struct sl_table *t, int64_t since, int64_t until,
                               struct sl_buf *out, struct sl_error *err)
{
  char a[256], b[256];
  if(since == INT64_MIN && until == INT64_MIN)
    return sl_buf_adds(out, "TRUE") ? sl_error_set(err, SL_E_NOMEM, NULL, "out of memory") : SL_OK;
  if(!t->part_sortable)
    return sl_error_set(err, SL_E_UNSUPPORTED, NULL, "the partition values of %s (format %s) do "
                        "not sort as time does, so --since/--until cannot become a range; "
                        "write the predicate on %s yourself", t->name, t->part_format,
                        t->part_name);
  if(since != INT64_MIN)
    sl_table_part_value(t, since, a, sizeof(a));
  if(until != INT64_MIN)
    sl_table_part_value(t, until, b, sizeof(b));
  if(since != INT64_MIN && until != INT64_MIN)
    sl_buf_printf(out, "%s BETWEEN '%s' AND '%s'", t->part_name, a, b);
  else if(since != INT64_MIN)
    sl_buf_printf(out, "%s >= '%s'", t->part_name, a);
  else
    sl_buf_printf(out, "%s <= '%s'", t->part_name, b);
  return SL_OK;
}

enum sl_result sl_table_expand_window(const char *sql, const char *predicate,
                                      struct sl_buf *out, struct sl_error *err)
{
  const char *s = sql, *at;
  int n = 0;
  enum sl_result r = SL_OK;
  while(!r && (at = strstr(s, "{window}"))) {
    r = sl_buf_add(out, s, (size_t)(at - s));
    if(!r) r = sl_buf_printf(out, "(%s)", predicate ? predicate : "TRUE");
    s = at + 8;
    n++;
  }
  if(!r) r = sl_buf_adds(out, s);
  if(r)
    return sl_error_set(err, r, NULL, "the query is too large");
  if(!n && predicate)
    return sl_error_set(err, SL_E_INVALID, NULL, "--since/--until need {window} in the query "
                        "(WHERE {window} AND ...): it is where the partition predicate goes");
  return SL_OK;
}
