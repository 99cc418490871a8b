/* sluice — the Athena table over what a Firehose stream delivers, made
 * from the profile by construction: location, partition projection
 * matching the stream's key layout, the JSON SerDe, the compression and
 * the [athena] columns. From it: the Glue TableInput (apply), the CREATE
 * EXTERNAL TABLE text (inspect ddl) and the partition predicate a time
 * window becomes ({window} in inspect query). */
#ifndef SLUICE_TABLE_H
#define SLUICE_TABLE_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>
#include "buf.h"
#include "profile.h"

#ifdef __cplusplus
extern "C" {
#endif

struct json_object;

#define SL_TABLE_SERDE "org.openx.data.jsonserde.JsonSerDe"
#define SL_TABLE_MAX_COLUMNS 500
/* The database parameter naming the pipeline that created it: destroy
 * removes only a database it made. */
#define SL_TABLE_OWNER_PARAM "sluice:pipeline"

struct sl_table_column {
  char *name;
  char *type;                   /* normalised Hive type: "string", "struct<a:int,b:string>" */
};

struct sl_table {
  char database[256];
  char name[256];
  char location[1200];          /* s3://bucket/folder/ */
  char location_template[2400]; /* storage.location.template, with ${<partition>} */
  /* The one partition column: a date projection over the stream's
   * timestamp path (YYYY/MM/dd/HH by default). */
  char part_name[128];
  char part_format[512];        /* Java DateTimeFormatter pattern: "yyyy/MM/dd/HH" */
  char part_unit[16];           /* MINUTES, HOURS, DAYS, MONTHS or YEARS */
  char part_range[600];         /* "<first value>,NOW" */
  int part_sortable;            /* values sort as their times do: a window is a BETWEEN */
  char compression[16];         /* compressionType: "gzip", "snappy" or "none" */
  struct sl_table_column *column;
  size_t ncolumns;
};

SL_EXPORT void sl_table_init(struct sl_table *t);
SL_EXPORT void sl_table_cleanup(struct sl_table *t);

/* Parses "name:type, ..." (Athena types, nested array<>, map<,>,
 * struct<name:type,...>, decimal(p,s), varchar(n), char(n)) into
 * t->column. SL_E_CONFIG with why naming the column and what is wrong. */
SL_EXPORT enum sl_result sl_table_parse_columns(const char *text, struct sl_table *t, char *why,
                                                size_t whylen);

/* The table of a profile with [athena]. created: when the Firehose stream
 * was created (seconds since the epoch; the projection range starts on
 * that day, UTC), or INT64_MIN for today. SL_E_CONFIG naming the profile
 * key when the stream's layout cannot be projected (!{firehose:random-
 * string} in the prefix, a timestamp letter other than y M d H m, ZIP),
 * or the error prefix or results location would lie inside the table's. */
SL_EXPORT enum sl_result sl_table_from_profile(const struct sl_profile *p, int64_t created,
                                               struct sl_table *t, struct sl_error *err);

/* Glue CreateTable / UpdateTable's TableInput (a new reference). */
SL_EXPORT struct json_object *sl_table_glue_input(const struct sl_table *t);
/* The Athena (Hive DDL) statement creating the same table. */
SL_EXPORT enum sl_result sl_table_ddl(const struct sl_table *t, struct sl_buf *out);

/* The partition value holding time t (the stream's timestamp path for t). */
SL_EXPORT void sl_table_part_value(const struct sl_table *t, int64_t when, char *out,
                                   size_t outlen);
/* The predicate selecting the partitions of [since, until] (either may be
 * INT64_MIN: open), "TRUE" when both are open: "datehour BETWEEN
 * '2026/12/07/10' AND '2026/12/07/12'". SL_E_UNSUPPORTED when the values
 * do not sort as time does (a format like dd-MM-yyyy). */
SL_EXPORT enum sl_result sl_table_window(const struct sl_table *t, int64_t since, int64_t until,
                                         struct sl_buf *out, struct sl_error *err);
/* Copies sql to out with every {window} replaced by (predicate). A
 * predicate given to a query without {window} is SL_E_INVALID: the window
 * would silently not apply. */
SL_EXPORT enum sl_result sl_table_expand_window(const char *sql, const char *predicate,
                                                struct sl_buf *out, struct sl_error *err);

#ifdef __cplusplus
}
#endif
#endif
