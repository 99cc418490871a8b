/* table_out.c — one table, two spellings: Glue's TableInput (what apply
 * sends and plan compares) and the CREATE EXTERNAL TABLE statement (what
 * inspect ddl prints for Athena's console, Trino or Spark). Both come from
 * the same list of properties, so they cannot drift apart. */
#include "sluice/table.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#define INPUT_FORMAT "org.apache.hadoop.mapred.TextInputFormat"
#define OUTPUT_FORMAT "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"

struct prop {
  char name[200];
  const char *value;
};

/* The table's properties, in the order the DDL prints them. */
static size_t properties(const struct sl_table *t, struct prop *v)
{
  size_t n = 0;
#define PROP(k, val) do { snprintf(v[n].name, sizeof(v[n].name), "%s", k); v[n++].value = val; } while(0)
#define PPROP(k, val) do { snprintf(v[n].name, sizeof(v[n].name), "projection.%s." k, t->part_name); \
                           v[n++].value = val; } while(0)
  PROP("classification", "json");
  PROP("compressionType", t->compression);
  PROP("projection.enabled", "true");
  PPROP("type", "date");
  PPROP("format", t->part_format);
  PPROP("range", t->part_range);
  PPROP("interval", "1");
  PPROP("interval.unit", t->part_unit);
  PROP("storage.location.template", t->location_template);
#undef PROP
#undef PPROP
  return n;
}

static struct json_object *name_type(const char *name, const char *type)
{
  struct json_object *c = json_object_new_object();
  json_object_object_add(c, "Name", json_object_new_string(name));
  json_object_object_add(c, "Type", json_object_new_string(type));
  return c;
}

struct json_object *sl_table_glue_input(const struct sl_table *t)
{
  struct json_object *in = json_object_new_object(), *params = json_object_new_object();
  struct json_object *sd = json_object_new_object(), *cols = json_object_new_array();
  struct json_object *serde = json_object_new_object(), *sp = json_object_new_object();
  struct json_object *keys = json_object_new_array();
  struct prop v[16];
  size_t i, n = properties(t, v);
  json_object_object_add(in, "Name", json_object_new_string(t->name));
  json_object_object_add(in, "TableType", json_object_new_string("EXTERNAL_TABLE"));
  json_object_object_add(params, "EXTERNAL", json_object_new_string("TRUE"));
  for(i = 0; i < n; i++)
    json_object_object_add(params, v[i].name, json_object_new_string(v[i].value));
  json_object_object_add(in, "Parameters", params);
  json_object_array_add(keys, name_type(t->part_name, "string"));
  json_object_object_add(in, "PartitionKeys", keys);
  for(i = 0; i < t->ncolumns; i++)
    json_object_array_add(cols, name_type(t->column[i].name, t->column[i].type));
  json_object_object_add(sd, "Columns", cols);
  json_object_object_add(sd, "Location", json_object_new_string(t->location));
  json_object_object_add(sd, "InputFormat", json_object_new_string(INPUT_FORMAT));
  json_object_object_add(sd, "OutputFormat", json_object_new_string(OUTPUT_FORMAT));
  json_object_object_add(sd, "Compressed", json_object_new_boolean(strcmp(t->compression, "none") != 0));
  json_object_object_add(serde, "SerializationLibrary", json_object_new_string(SL_TABLE_SERDE));
  /* A line that is not JSON reads as a row of NULLs instead of failing
   * the query: an audit should see the rest. */
  json_object_object_add(sp, "ignore.malformed.json", json_object_new_string("true"));
  json_object_object_add(serde, "Parameters", sp);
  json_object_object_add(sd, "SerdeInfo", serde);
  json_object_object_add(in, "StorageDescriptor", sd);
  return in;
}

/* A Hive string literal. */
static void quoted(struct sl_buf *out, const char *s)
{
  sl_buf_addc(out, '\'');
  for(; *s; s++) {
    if(*s == '\'' || *s == '\\')
      sl_buf_addc(out, '\\');
    sl_buf_addc(out, *s);
  }
  sl_buf_addc(out, '\'');
}

enum sl_result sl_table_ddl(const struct sl_table *t, struct sl_buf *out)
{
  struct prop v[16];
  size_t i, n = properties(t, v), before = out->len;
  sl_buf_printf(out, "CREATE EXTERNAL TABLE IF NOT EXISTS `%s`.`%s` (\n", t->database, t->name);
  for(i = 0; i < t->ncolumns; i++)
    sl_buf_printf(out, "  `%s` %s%s\n", t->column[i].name, t->column[i].type,
                  i + 1 < t->ncolumns ? "," : "");
  sl_buf_printf(out, ")\nPARTITIONED BY (\n  `%s` string\n)\n", t->part_name);
  sl_buf_printf(out, "ROW FORMAT SERDE '%s'\nWITH SERDEPROPERTIES (\n"
                "  'ignore.malformed.json' = 'true'\n)\n", SL_TABLE_SERDE);
  sl_buf_printf(out, "STORED AS INPUTFORMAT '%s'\nOUTPUTFORMAT '%s'\nLOCATION ", INPUT_FORMAT,
                OUTPUT_FORMAT);
  quoted(out, t->location);
  sl_buf_adds(out, "\nTBLPROPERTIES (\n");
  for(i = 0; i < n; i++) {
    sl_buf_adds(out, "  ");
    quoted(out, v[i].name);
    sl_buf_adds(out, " = ");
    quoted(out, v[i].value);
    sl_buf_adds(out, i + 1 < n ? ",\n" : "\n");
  }
  if(sl_buf_adds(out, ");\n"))
    return SL_E_NOMEM;
  return out->len > before ? SL_OK : SL_E_NOMEM;
}
