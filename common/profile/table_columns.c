/* table_columns.c — the [athena] columns: "name:type, ..." in Athena's
 * Hive DDL types, checked by a small recursive parser and normalised
 * (lowercase, no spaces), so the Glue table and plan's diff compare the
 * same text AWS keeps. */
#include "sluice/table.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf_internal.h"

static const char *const primitives[] = { "boolean", "tinyint", "smallint", "int", "bigint",
                                          "float", "double", "string", "date", "timestamp",
                                          "binary", NULL };

struct parser {
  const char *s;
  struct sl_buf *out;
  char *why;
  size_t whylen;
  int depth;
};

static void skip_space(struct parser *ps)
{
  while(isspace((unsigned char)*ps->s))
    ps->s++;
}

static int fail(struct parser *ps, const char *what)
{
  if(!ps->why[0])
    snprintf(ps->why, ps->whylen, "%s", what);
  return -1;
}

/* A word of letters, digits and '_', lowercased into w. */
static size_t word(struct parser *ps, char *w, size_t n, int lower)
{
  size_t i = 0;
  skip_space(ps);
  while((isalnum((unsigned char)*ps->s) || *ps->s == '_') && i + 1 < n) {
    w[i++] = lower ? (char)tolower((unsigned char)*ps->s) : *ps->s;
    ps->s++;
  }
  w[i] = 0;
  return i;
}

static int expect(struct parser *ps, char c)
{
  char msg[64];
  skip_space(ps);
  if(*ps->s != c) {
    snprintf(msg, sizeof(msg), "expected '%c' at '%.20s'", c, ps->s);
    return fail(ps, msg);
  }
  ps->s++;
  sl_buf_addc(ps->out, c);
  return 0;
}

/* "(N)" or "(N,M)" after decimal / varchar / char. */
static int numbers(struct parser *ps, int max_args)
{
  int args = 0;
  if(expect(ps, '('))
    return -1;
  do {
    char num[16];
    size_t n = word(ps, num, sizeof(num), 0), i;
    for(i = 0; i < n; i++)
      if(!isdigit((unsigned char)num[i]))
        n = 0;
    if(!n || atoi(num) < 1)
      return fail(ps, "a type's length or precision is a positive whole number");
    if(args)
      sl_buf_addc(ps->out, ',');
    sl_buf_adds(ps->out, num);
    skip_space(ps);
  } while(++args < max_args && *ps->s == ',' && ps->s++);
  return expect(ps, ')');
}

static int type(struct parser *ps);

static int struct_fields(struct parser *ps)
{
  int first = 1;
  if(expect(ps, '<'))
    return -1;
  do {
    char name[256];
    skip_space(ps);
    if(!first)
      sl_buf_addc(ps->out, ',');
    first = 0;
    if(!word(ps, name, sizeof(name), 0))
      return fail(ps, "a struct field needs a name (letters, digits, '_')");
    sl_buf_adds(ps->out, name);
    if(expect(ps, ':') || type(ps))
      return -1;
    skip_space(ps);
  } while(*ps->s == ',' && ps->s++);
  return expect(ps, '>');
}

static int type(struct parser *ps)
{
  char w[32];
  size_t i;
  int r = 0;
  if(++ps->depth > 32)
    return fail(ps, "types nest too deep");
  if(!word(ps, w, sizeof(w), 1))
    return fail(ps, "a type is missing");
  if(!strcmp(w, "integer"))
    snprintf(w, sizeof(w), "int");
  sl_buf_adds(ps->out, w);
  for(i = 0; primitives[i] && strcmp(w, primitives[i]); i++)
    ;
  if(primitives[i])
    ;
  else if(!strcmp(w, "decimal")) {
    skip_space(ps);
    if(*ps->s == '(')
      r = numbers(ps, 2);
  }
  else if(!strcmp(w, "varchar") || !strcmp(w, "char"))
    r = numbers(ps, 1);
  else if(!strcmp(w, "array"))
    r = expect(ps, '<') || type(ps) || expect(ps, '>') ? -1 : 0;
  else if(!strcmp(w, "map"))
    r = expect(ps, '<') || type(ps) || expect(ps, ',') || type(ps) || expect(ps, '>') ? -1 : 0;
  else if(!strcmp(w, "struct"))
    r = struct_fields(ps);
  else {
    char msg[300];
    snprintf(msg, sizeof(msg), "'%s' is not an Athena type (boolean, tinyint, smallint, int, "
             "bigint, float, double, decimal, string, varchar, char, date, timestamp, binary, "
             "array, map, struct)", w);
    r = fail(ps, msg);
  }
  ps->depth--;
  return r;
}

static int valid_name(const char *s, size_t n)
{
  size_t i;
  if(!n || n > 255)
    return 0;
  for(i = 0; i < n; i++)
    if(!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
      return 0;
  return 1;
}

static enum sl_result add_column(struct sl_table *t, const char *name, size_t n, const char *ty)
{
  struct sl_table_column *c;
  if(!(c = realloc(t->column, (t->ncolumns + 1) * sizeof(*c))))
    return SL_E_NOMEM;
  t->column = c;
  c += t->ncolumns;
  c->name = malloc(n + 1);
  c->type = sl_strdup(ty);
  if(!c->name || !c->type) {
    free(c->name);
    free(c->type);
    return SL_E_NOMEM;
  }
  memcpy(c->name, name, n);
  c->name[n] = 0;
  t->ncolumns++;
  return SL_OK;
}

enum sl_result sl_table_parse_columns(const char *text, struct sl_table *t, char *why,
                                      size_t whylen)
{
  struct sl_buf ty;
  const char *s = text;
  enum sl_result r = SL_OK;
  why[0] = 0;
  if(sl_buf_init(&ty, SL_BUF_SMALL))
    return SL_E_NOMEM;
  while(!r) {
    struct parser ps = { NULL, &ty, why, whylen, 0 };
    const char *name, *colon;
    size_t n, i;
    while(isspace((unsigned char)*s))
      s++;
    if(!*s)
      break;
    name = s;
    colon = strchr(s, ':');
    n = colon ? (size_t)(colon - name) : 0;
    while(n && isspace((unsigned char)name[n - 1]))
      n--;
    if(!colon || !valid_name(name, n)) {
      size_t shown = strcspn(name, ":,");
      int upper = 0;
      for(i = 0; i < shown; i++)
        upper |= isupper((unsigned char)name[i]);
      snprintf(why, whylen, "column '%.*s': %s", (int)(shown > 64 ? 64 : shown), name,
               !colon ? "is not name:type" : upper ? "Athena keeps column names in lowercase: "
               "write them so" : "a name is 1-255 lowercase letters, digits or '_'");
      r = SL_E_CONFIG;
      break;
    }
    for(i = 0; i < t->ncolumns; i++)
      if(strlen(t->column[i].name) == n && !memcmp(t->column[i].name, name, n)) {
        snprintf(why, whylen, "column '%.*s' appears twice", (int)n, name);
        r = SL_E_CONFIG;
      }
    if(r)
      break;
    sl_buf_reset(&ty);
    ps.s = colon + 1;
    if(type(&ps)) {
      char inner[400];
      snprintf(inner, sizeof(inner), "%s", why);
      snprintf(why, whylen, "column '%.*s': %s", (int)n, name, inner);
      r = SL_E_CONFIG;
      break;
    }
    while(isspace((unsigned char)*ps.s))
      ps.s++;
    if(*ps.s && *ps.s != ',') {
      snprintf(why, whylen, "column '%.*s': unexpected '%.20s' after its type", (int)n, name,
               ps.s);
      r = SL_E_CONFIG;
      break;
    }
    if(t->ncolumns == SL_TABLE_MAX_COLUMNS) {
      snprintf(why, whylen, "more than %d columns", SL_TABLE_MAX_COLUMNS);
      r = SL_E_CONFIG;
      break;
    }
    r = add_column(t, name, n, ty.data ? ty.data : "");
    s = *ps.s ? ps.s + 1 : ps.s;
  }
  if(!r && !t->ncolumns) {
    snprintf(why, whylen, "no columns (name:type, ...)");
    r = SL_E_CONFIG;
  }
  if(r == SL_E_NOMEM)
    snprintf(why, whylen, "out of memory");
  sl_buf_cleanup(&ty);
  return r;
}
