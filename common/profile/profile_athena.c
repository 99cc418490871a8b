/* profile_athena.c — the [athena] section: names as Glue and Athena take
 * them, defaults, and the table derived from the stream's layout, each
 * problem on the line of the key at fault. */
#include "common/profile/profile_athena.h"
#include "common/profile/table_internal.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Glue keeps database and table names in lowercase; Athena queries them
 * unquoted only as letters, digits and '_'. */
static int catalog_name_ok(const char *s, int *upper)
{
  size_t i;
  *upper = 0;
  for(i = 0; s[i]; i++) {
    if(isupper((unsigned char)s[i]))
      *upper = 1;
    else if(!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
      return 0;
  }
  return i > 0 && i <= 255 && !*upper;
}

static void check_name(struct sl_profile_state *st, const char *key, const char *v)
{
  int upper;
  if(!catalog_name_ok(v, &upper))
    sl_profile_diag(st, sl_profile_key_line(st, "athena", key), "athena", key,
                    upper ? "'%s': Glue keeps names in lowercase; write it so" :
                    "'%s' is not a Glue name Athena can query (1-255 lowercase letters, digits "
                    "or '_')", v);
}

static void default_table(struct sl_profile *p)
{
  size_t i;
  snprintf(p->athena.table, sizeof(p->athena.table), "%s", p->firehose.name);
  for(i = 0; p->athena.table[i]; i++)
    p->athena.table[i] = isalnum((unsigned char)p->athena.table[i]) ?
                         (char)tolower((unsigned char)p->athena.table[i]) : '_';
}

void sl_profile_check_athena(struct sl_profile_state *st)
{
  struct sl_profile *p = st->p;
  const char *w = p->athena.workgroup;
  size_t i;
  if(!p->athena.enabled) {
    return;
  }
  if(!p->athena.database[0])
    sl_profile_required(st, st->section_line[7], "athena", "database");
  else
    check_name(st, "database", p->athena.database);
  if(!p->athena.table[0] && p->firehose.name[0])
    default_table(p);
  else if(p->athena.table[0])
    check_name(st, "table", p->athena.table);
  if(p->athena.partition_column[0])
    check_name(st, "partition_column", p->athena.partition_column);
  if(!p->athena.columns[0])
    sl_profile_required(st, st->section_line[7], "athena", "columns");
  if(!w[0])
    snprintf(p->athena.workgroup, sizeof(p->athena.workgroup), "primary");
  for(i = 0; w[i]; i++)
    if(!(isalnum((unsigned char)w[i]) || strchr("._-", w[i])))
      break;
  if(w[i] || i > 128)
    sl_profile_diag(st, sl_profile_key_line(st, "athena", "workgroup"), "athena", "workgroup",
                    "'%s' is not a workgroup name (1-128 letters, digits, '.', '_', '-')", w);
  if(!p->athena.results[0] && p->bucket.name[0])
    snprintf(p->athena.results, sizeof(p->athena.results), "s3://%s/athena-results/",
             p->bucket.name);
  else if(p->athena.results[0]) {
    size_t n = strlen(p->athena.results);
    if(strncmp(p->athena.results, "s3://", 5) || n < 9 || p->athena.results[5] == '/')
      sl_profile_diag(st, sl_profile_key_line(st, "athena", "results"), "athena", "results",
                      "'%s' is not an s3://bucket/prefix/ URI", p->athena.results);
    else if(p->athena.results[n - 1] != '/' && n + 1 < sizeof(p->athena.results))
      memcpy(p->athena.results + n, "/", 2); /* a folder of its own */
  }
  if(sl_profile_key_line(st, "athena", "results_expire_days") && p->athena.results[0] &&
     strncmp(p->athena.results + 5, p->bucket.name, strlen(p->bucket.name)))
    sl_profile_diag(st, sl_profile_key_line(st, "athena", "results_expire_days"), "athena",
                    "results_expire_days", "only applies to results in the profile's bucket");
  /* The table itself: what the stream's layout allows. */
  if(!st->ndiags && p->firehose.name[0] && p->bucket.name[0]) {
    struct sl_table t;
    struct sl_table_problem pr = { NULL, NULL, "" };
    sl_table_init(&t);
    if(sl_table_build(p, INT64_MIN, &t, &pr) == SL_E_CONFIG)
      sl_profile_diag(st, sl_profile_key_line(st, pr.section, pr.key), pr.section, pr.key, "%s",
                      pr.message);
    sl_table_cleanup(&t);
  }
}
