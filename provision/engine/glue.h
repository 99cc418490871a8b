/* glue.h — [athena]'s Glue database and table: read, diff, apply, delete
 * (glue.c). */
#ifndef SL_PROV_GLUE_H
#define SL_PROV_GLUE_H

#include "session.h"

enum sl_result sl_prov_glue_database_read(struct sl_client *c, const struct sl_prov_desired *d,
                                          struct sl_prov_glue_database_state *s,
                                          struct sl_error *err);
enum sl_result sl_prov_glue_table_read(struct sl_client *c, const struct sl_prov_desired *d,
                                       struct sl_prov_glue_table_state *s, struct sl_error *err);
void sl_prov_glue_table_state_cleanup(struct sl_prov_glue_table_state *s);
void sl_prov_glue_database_diff(const struct sl_prov_desired *d,
                                const struct sl_prov_glue_database_state *s,
                                struct sl_prov_item *it);
/* Needs the whole state: the stream's creation day starts the projection. */
void sl_prov_glue_table_diff(const struct sl_prov_desired *d, const struct sl_prov_state *have,
                             struct sl_prov_item *it);
enum sl_result sl_prov_glue_database_apply(struct sl_prov_run *run);
enum sl_result sl_prov_glue_table_apply(struct sl_prov_run *run);
/* The database goes only when this pipeline made it and it holds no other
 * table; else its item says why it was kept. */
enum sl_result sl_prov_glue_database_destroy(struct sl_prov_run *run);
enum sl_result sl_prov_glue_table_destroy(struct sl_prov_run *run);

#endif
