/* tags.h — tag sets as every resource compares and converges them
 * (tags.c): the profile's tags are the whole set, so an extra tag is drift. */
#ifndef SL_PROV_TAGS_H
#define SL_PROV_TAGS_H

#include "session.h"

/* Same key = value pairs, whatever the order (keys are case-sensitive). */
int sl_prov_tags_equal(const struct sl_headers *want, const struct sl_headers *have);
/* "k=v, k=v", or "none". */
void sl_prov_tag_words(const struct sl_headers *t, char *out, size_t n);
/* A "tags" change line on the item when the sets differ. */
void sl_prov_tags_diff(struct sl_prov_item *it, const struct sl_headers *want,
                       const struct sl_headers *have);
/* What to set (missing or other value) and which keys to remove (not wanted). */
enum sl_result sl_prov_tags_delta(const struct sl_headers *want, const struct sl_headers *have,
                                  struct sl_headers *set, struct sl_headers *remove);
/* want as the default tags with over them (may be NULL) a resource's own. */
enum sl_result sl_prov_tags_merge(struct sl_headers *want, const struct sl_headers *defaults,
                                  const struct sl_headers *own);

/* Makes the calls that set (tag) and remove (untag) for one resource. */
typedef enum sl_result (*sl_prov_tag_calls)(struct sl_prov_run *run, const void *ud,
                                            const struct sl_headers *set,
                                            const struct sl_headers *remove);
/* Brings have to want through calls (nothing when equal); have is then want. */
enum sl_result sl_prov_tags_converge(struct sl_prov_run *run, const struct sl_headers *want,
                                     struct sl_headers *have, sl_prov_tag_calls calls,
                                     const void *ud);

/* ListTagsForStream (kinesis) or ListTagsForDeliveryStream, every page, into out. */
enum sl_result sl_prov_stream_tags_read(struct sl_client *c, int kinesis, const char *stream,
                                        struct sl_headers *out, struct sl_error *err);
/* Tags and untags the stream until it has want (have updated). */
enum sl_result sl_prov_stream_tags_apply(struct sl_prov_run *run, int kinesis, const char *stream,
                                         const struct sl_headers *want, struct sl_headers *have);

#endif
