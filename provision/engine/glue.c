/* glue.c — [athena]'s two resources in the Glue Data Catalog: the
 * database (created when missing, marked with the pipeline that made it,
 * deleted by destroy only when it is that pipeline's and empty) and the
 * table over the delivered prefix (sluice/table.h makes it from the
 * profile; plan compares columns, location, SerDe and every property
 * sluice sets; apply sends the whole TableInput, as UpdateTable replaces). */
#include "glue.h"
#include "prov_run.h"
#include "sluice/athena.h"
#include "sluice/table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "common/buf_internal.h"

static struct json_object *get(struct json_object *o, const char *name)
{
  struct json_object *v;
  return o && json_object_object_get_ex(o, name, &v) ? v : NULL;
}

static const char *str(struct json_object *o, const char *name)
{
  struct json_object *v = get(o, name);
  return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static void owner_of(const struct sl_prov_desired *d, char *out, size_t n)
{
  snprintf(out, n, "%s/%s", d->region, d->p->firehose.name);
}

/* "name\ttype\n" per column: a list plan can walk and compare. */
static char *column_lines(struct json_object *cols)
{
  struct sl_buf b;
  size_t i, n = cols && json_object_is_type(cols, json_type_array) ?
                json_object_array_length(cols) : 0;
  if(sl_buf_init(&b, SL_BUF_MEDIUM))
    return NULL;
  for(i = 0; i < n; i++) {
    struct json_object *c = json_object_array_get_idx(cols, i);
    sl_buf_printf(&b, "%s\t%s\n", str(c, "Name"), str(c, "Type"));
  }
  if(!b.data) /* nothing added: an empty list */
    sl_buf_adds(&b, "");
  return b.data; /* owned by the caller now */
}

static int by_key(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The table properties, "key\tvalue\n", sorted (Glue keeps no order). */
static char *parameter_lines(struct json_object *params)
{
  const char *keys[256];
  struct sl_buf b;
  size_t n = 0, i;
  if(sl_buf_init(&b, SL_BUF_MEDIUM))
    return NULL;
  if(params && json_object_is_type(params, json_type_object)) {
    json_object_object_foreach(params, k, v) {
      (void)v;
      if(n < sizeof(keys) / sizeof(keys[0]))
        keys[n++] = k;
    }
  }
  qsort(keys, n, sizeof(keys[0]), by_key);
  for(i = 0; i < n; i++)
    sl_buf_printf(&b, "%s\t%s\n", keys[i], str(params, keys[i]));
  if(!b.data)
    sl_buf_adds(&b, "");
  return b.data;
}

enum sl_result sl_prov_glue_database_read(struct sl_client *c, const struct sl_prov_desired *d,
                                          struct sl_prov_glue_database_state *s,
                                          struct sl_error *err)
{
  struct json_object *in = json_object_new_object(), *out = NULL, *db;
  enum sl_result r;
  memset(s, 0, sizeof(*s));
  if(!d->p->athena.enabled) {
    json_object_put(in);
    return SL_OK;
  }
  json_object_object_add(in, "Name", json_object_new_string(d->p->athena.database));
  r = sl_glue_call(c, "GetDatabase", in, &out, err);
  json_object_put(in);
  if(r == SL_E_NOT_FOUND) {
    sl_error_clear(err);
    return SL_OK;
  }
  if(!r) {
    db = get(out, "Database");
    s->exists = 1;
    snprintf(s->owner, sizeof(s->owner), "%s", str(get(db, "Parameters"), SL_TABLE_OWNER_PARAM));
  }
  json_object_put(out);
  return r;
}

void sl_prov_glue_table_state_cleanup(struct sl_prov_glue_table_state *s)
{
  free(s->columns);
  free(s->parameters);
  memset(s, 0, sizeof(*s));
}

enum sl_result sl_prov_glue_table_read(struct sl_client *c, const struct sl_prov_desired *d,
                                       struct sl_prov_glue_table_state *s, struct sl_error *err)
{
  struct json_object *in, *out = NULL, *t, *sd, *keys;
  enum sl_result r;
  sl_prov_glue_table_state_cleanup(s);
  if(!d->p->athena.enabled)
    return SL_OK;
  in = json_object_new_object();
  json_object_object_add(in, "DatabaseName", json_object_new_string(d->p->athena.database));
  json_object_object_add(in, "Name", json_object_new_string(d->p->athena.table));
  r = sl_glue_call(c, "GetTable", in, &out, err);
  json_object_put(in);
  if(r == SL_E_NOT_FOUND) { /* no table, or no database yet */
    sl_error_clear(err);
    return SL_OK;
  }
  if(!r) {
    size_t i, n;
    t = get(out, "Table");
    sd = get(t, "StorageDescriptor");
    s->exists = 1;
    snprintf(s->location, sizeof(s->location), "%s", str(sd, "Location"));
    snprintf(s->serde, sizeof(s->serde), "%s",
             str(get(sd, "SerdeInfo"), "SerializationLibrary"));
    keys = get(t, "PartitionKeys");
    n = keys && json_object_is_type(keys, json_type_array) ? json_object_array_length(keys) : 0;
    for(i = 0; i < n; i++) {
      struct json_object *k = json_object_array_get_idx(keys, i);
      size_t used = strlen(s->partitions);
      snprintf(s->partitions + used, sizeof(s->partitions) - used, "%s%s %s", i ? ", " : "",
               str(k, "Name"), str(k, "Type"));
    }
    s->columns = column_lines(get(sd, "Columns"));
    s->parameters = parameter_lines(get(t, "Parameters"));
    if(!s->columns || !s->parameters)
      r = sl_prov_fail(err, SL_E_NOMEM, NULL, "out of memory");
  }
  json_object_put(out);
  return r;
}

void sl_prov_glue_database_diff(const struct sl_prov_desired *d,
                                const struct sl_prov_glue_database_state *s,
                                struct sl_prov_item *it)
{
  if(!d->p->athena.enabled)
    return;
  it->action = s->exists ? SL_PROV_OK : SL_PROV_CREATE;
  if(s->exists && !s->owner[0])
    snprintf(it->note, sizeof(it->note), "not created by sluice: destroy keeps it");
}

/* The value of key in "k\tv\n" lines, or NULL. */
static const char *line_value(const char *lines, const char *key, size_t *len)
{
  size_t kl = strlen(key);
  const char *s = lines;
  while(s && *s) {
    const char *end = strchr(s, '\n');
    if(!end)
      break;
    if(!strncmp(s, key, kl) && s[kl] == '\t') {
      *len = (size_t)(end - s - kl - 1);
      return s + kl + 1;
    }
    s = end + 1;
  }
  return NULL;
}

static void diff_value(struct sl_prov_item *it, const char *field, const char *lines,
                       const char *key, const char *want)
{
  size_t n = 0;
  const char *have = line_value(lines, key, &n);
  char from[200];
  if(have && n == strlen(want) && !strncmp(have, want, n))
    return;
  snprintf(from, sizeof(from), "%.*s", have ? (int)n : 7, have ? have : "missing");
  sl_prov_change(it, field, from, want);
}

/* Each column added, changed or removed is one change. */
static void diff_columns(struct sl_prov_item *it, const struct sl_table *t, const char *lines)
{
  const char *s = lines;
  size_t i;
  char field[40];
  for(i = 0; i < t->ncolumns; i++) {
    snprintf(field, sizeof(field), "column %s", t->column[i].name);
    diff_value(it, field, lines, t->column[i].name, t->column[i].type);
  }
  while(s && *s) {
    const char *tab = strchr(s, '\t'), *end = strchr(s, '\n');
    int found = 0;
    if(!tab || !end || tab > end)
      break;
    for(i = 0; i < t->ncolumns && !found; i++)
      found = strlen(t->column[i].name) == (size_t)(tab - s) &&
              !strncmp(t->column[i].name, s, (size_t)(tab - s));
    if(!found) {
      char from[200];
      snprintf(field, sizeof(field), "column %.*s", (int)(tab - s), s);
      snprintf(from, sizeof(from), "%.*s", (int)(end - tab - 1), tab + 1);
      sl_prov_change(it, field, from, "absent");
    }
    s = end + 1;
  }
}

void sl_prov_glue_table_diff(const struct sl_prov_desired *d, const struct sl_prov_state *have,
                             struct sl_prov_item *it)
{
  const struct sl_prov_glue_table_state *s = &have->glue_table;
  struct sl_table t;
  struct sl_error err;
  struct json_object *in, *params;
  char want_keys[300];
  if(!d->p->athena.enabled)
    return;
  if(!s->exists) {
    it->action = SL_PROV_CREATE;
    return;
  }
  sl_table_init(&t);
  if(sl_table_from_profile(d->p, have->firehose.exists ? have->firehose.created : INT64_MIN, &t,
                           &err)) {
    it->action = SL_PROV_UPDATE;
    snprintf(it->note, sizeof(it->note), "%.590s", err.message);
    sl_table_cleanup(&t);
    return;
  }
  diff_columns(it, &t, s->columns);
  if(strcmp(s->location, t.location))
    sl_prov_change(it, "location", s->location, t.location);
  snprintf(want_keys, sizeof(want_keys), "%s string", t.part_name);
  if(strcmp(s->partitions, want_keys))
    sl_prov_change(it, "partition_keys", s->partitions[0] ? s->partitions : "none", want_keys);
  if(strcmp(s->serde, SL_TABLE_SERDE))
    sl_prov_change(it, "serde", s->serde[0] ? s->serde : "none", SL_TABLE_SERDE);
  /* Every property sluice sets, by the same list the TableInput has. */
  in = sl_table_glue_input(&t);
  params = get(in, "Parameters");
  {
    json_object_object_foreach(params, k, v)
      diff_value(it, k, s->parameters, k, json_object_get_string(v));
  }
  json_object_put(in);
  sl_table_cleanup(&t);
  it->action = it->nchanges ? SL_PROV_UPDATE : SL_PROV_OK;
}

/* One changing call; a success is a step. in is consumed. */
static enum sl_result call(struct sl_prov_run *run, enum sl_prov_kind k, const char *op,
                           struct json_object *in)
{
  enum sl_result r = sl_glue_call(run->c, op, in, NULL, run->err);
  json_object_put(in);
  if(!r)
    sl_prov_step(run, k, op);
  return r;
}

static int already_exists(const struct sl_error *err)
{
  return !strcmp(err->code, "AlreadyExistsException");
}

enum sl_result sl_prov_glue_database_apply(struct sl_prov_run *run)
{
  const struct sl_prov_desired *d = &run->s->want;
  struct json_object *in, *db, *params;
  char owner[200];
  enum sl_result r;
  if(run->s->plan.item[SL_PROV_GLUE_DATABASE].action != SL_PROV_CREATE)
    return SL_OK;
  owner_of(d, owner, sizeof(owner));
  in = json_object_new_object();
  db = json_object_new_object();
  params = json_object_new_object();
  json_object_object_add(db, "Name", json_object_new_string(d->p->athena.database));
  json_object_object_add(db, "Description",
                         json_object_new_string("Athena tables over Firehose deliveries "
                                                "(sluice)"));
  json_object_object_add(params, SL_TABLE_OWNER_PARAM, json_object_new_string(owner));
  json_object_object_add(db, "Parameters", params);
  json_object_object_add(in, "DatabaseInput", db);
  r = call(run, SL_PROV_GLUE_DATABASE, "CreateDatabase", in);
  if(r == SL_E_AWS && already_exists(run->err)) { /* made meanwhile: adopt it */
    sl_error_clear(run->err);
    sl_prov_raced(run, SL_PROV_GLUE_DATABASE);
    r = SL_OK;
  }
  if(!r) {
    run->s->have.glue_database.exists = 1;
    if(!run->s->raced[SL_PROV_GLUE_DATABASE])
      snprintf(run->s->have.glue_database.owner, sizeof(run->s->have.glue_database.owner), "%s",
               owner);
  }
  return r;
}

static struct json_object *table_request(const struct sl_prov_desired *d,
                                         const struct sl_table *t)
{
  struct json_object *in = json_object_new_object();
  json_object_object_add(in, "DatabaseName", json_object_new_string(d->p->athena.database));
  json_object_object_add(in, "TableInput", sl_table_glue_input(t));
  return in;
}

enum sl_result sl_prov_glue_table_apply(struct sl_prov_run *run)
{
  const struct sl_prov_desired *d = &run->s->want;
  const struct sl_prov_firehose_state *f = &run->s->have.firehose;
  enum sl_prov_action a = run->s->plan.item[SL_PROV_GLUE_TABLE].action;
  struct sl_table t;
  enum sl_result r;
  if(a != SL_PROV_CREATE && a != SL_PROV_UPDATE)
    return SL_OK;
  sl_table_init(&t);
  /* The stream is there by now: its creation day starts the projection. */
  r = sl_table_from_profile(d->p, f->exists ? f->created : INT64_MIN, &t, run->err);
  if(!r && a == SL_PROV_CREATE) {
    r = call(run, SL_PROV_GLUE_TABLE, "CreateTable", table_request(d, &t));
    if(r == SL_E_AWS && already_exists(run->err)) {
      /* Made meanwhile: adopt it, made ours by the update below. */
      sl_error_clear(run->err);
      sl_prov_raced(run, SL_PROV_GLUE_TABLE);
      a = SL_PROV_UPDATE;
      r = SL_OK;
    }
  }
  if(!r && a == SL_PROV_UPDATE)
    r = call(run, SL_PROV_GLUE_TABLE, "UpdateTable", table_request(d, &t));
  if(!r)
    run->s->have.glue_table.exists = 1;
  sl_table_cleanup(&t);
  return r;
}

enum sl_result sl_prov_glue_table_destroy(struct sl_prov_run *run)
{
  const struct sl_profile *p = run->s->want.p;
  struct json_object *in = json_object_new_object();
  enum sl_result r;
  json_object_object_add(in, "DatabaseName", json_object_new_string(p->athena.database));
  json_object_object_add(in, "Name", json_object_new_string(p->athena.table));
  r = call(run, SL_PROV_GLUE_TABLE, "DeleteTable", in);
  if(r == SL_E_NOT_FOUND) {
    sl_error_clear(run->err);
    r = SL_OK;
  }
  if(!r)
    run->s->have.glue_table.exists = 0;
  return r;
}

/* Other tables in the database (at most one counted). */
static enum sl_result other_tables(struct sl_prov_run *run, int *n)
{
  struct json_object *in = json_object_new_object(), *out = NULL, *list;
  enum sl_result r;
  json_object_object_add(in, "DatabaseName",
                         json_object_new_string(run->s->want.p->athena.database));
  json_object_object_add(in, "MaxResults", json_object_new_int(1));
  r = sl_glue_call(run->c, "GetTables", in, &out, run->err);
  json_object_put(in);
  list = get(out, "TableList");
  *n = !r && list && json_object_is_type(list, json_type_array) ?
       (int)json_object_array_length(list) : 0;
  json_object_put(out);
  return r;
}

enum sl_result sl_prov_glue_database_destroy(struct sl_prov_run *run)
{
  struct sl_prov_item *it = &run->s->plan.item[SL_PROV_GLUE_DATABASE];
  struct json_object *in;
  char owner[200];
  int n = 0;
  enum sl_result r;
  owner_of(&run->s->want, owner, sizeof(owner));
  if(strcmp(run->s->have.glue_database.owner, owner)) {
    it->action = SL_PROV_OK;
    snprintf(it->note, sizeof(it->note), "kept: not created by this pipeline");
    return SL_OK;
  }
  r = other_tables(run, &n);
  if(!r && n) {
    it->action = SL_PROV_OK;
    snprintf(it->note, sizeof(it->note), "kept: it holds other tables");
    return SL_OK;
  }
  in = json_object_new_object();
  json_object_object_add(in, "Name", json_object_new_string(run->s->want.p->athena.database));
  if(!r) r = call(run, SL_PROV_GLUE_DATABASE, "DeleteDatabase", in);
  else json_object_put(in);
  if(r == SL_E_NOT_FOUND) {
    sl_error_clear(run->err);
    r = SL_OK;
  }
  if(!r)
    run->s->have.glue_database.exists = 0;
  return r;
}
