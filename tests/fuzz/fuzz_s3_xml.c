/* fuzz_s3_xml.c — S3's XML answers: one ListObjectsV2 page (the parser the
 * client runs), the same bytes as an S3 error document, and the safe XML
 * parser with its element lookup. Keys handed to callbacks must be
 * terminated strings; a truncated page must carry its token. */
#include <libxml/tree.h>

#include "fuzz.h"
#include "sluice/aws.h"
#include "common/api/s3_internal.h"

#define FUZZ_MAX_INPUT (1024u * 1024u)

struct seen {
  size_t objects, prefixes, stop_after;
};

static int on_object(void *ud, const struct sl_s3_object *o)
{
  struct seen *s = ud;
  FUZZ_CHECK(o->key && o->last_modified && o->etag);
  (void)strlen(o->key);
  (void)strlen(o->last_modified);
  (void)strlen(o->etag);
  return ++s->objects + s->prefixes == s->stop_after;
}

static int on_prefix(void *ud, const char *p)
{
  struct seen *s = ud;
  FUZZ_CHECK(p);
  (void)strlen(p);
  return s->objects + ++s->prefixes == s->stop_after;
}

static void list_page(const char *xml, size_t n, size_t stop_after)
{
  struct seen seen = { 0, 0, stop_after };
  struct sl_s3_list l;
  struct sl_error err;
  char *token = NULL;
  int stopped = 0;
  enum sl_result r;
  memset(&l, 0, sizeof(l));
  l.on_object = on_object;
  l.on_prefix = on_prefix;
  l.ud = &seen;
  sl_error_clear(&err);
  r = sl_s3_parse_list_answer(xml, n, &l, &token, &stopped, &err);
  if(r == SL_OK) {
    FUZZ_CHECK(!token || *token);
    FUZZ_CHECK(!stopped || seen.objects + seen.prefixes == stop_after);
  }
  else
    FUZZ_CHECK(!token);
  free(token);
}

static void error_document(const char *xml, size_t n)
{
  struct sl_error err;
  sl_error_clear(&err);
  sl_aws_parse_error(403, NULL, xml, n, &err);
  FUZZ_CHECK(err.result == SL_E_AWS && err.http_status == 403);
  FUZZ_CHECK(err.code[0] && err.message[0]);
  FUZZ_CHECK(fuzz_terminated(err.code, sizeof(err.code)));
  FUZZ_CHECK(fuzz_terminated(err.message, sizeof(err.message)));
  FUZZ_CHECK(fuzz_terminated(err.request_id, sizeof(err.request_id)));
}

static void lookups(const char *xml, size_t n)
{
  static const char *const names[] = { "Key", "Code", "NextContinuationToken", "Contents",
                                        "Message", "RequestId" };
  struct sl_error err;
  struct _xmlDoc *doc;
  size_t i;
  sl_error_clear(&err);
  doc = sl_xml_parse(xml, n, &err);
  if(!doc) {
    FUZZ_CHECK(err.result != SL_OK && err.message[0]);
    return;
  }
  for(i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
    char *t = sl_xml_find_text(doc, names[i]);
    if(t)
      (void)strlen(t);
    xmlFree(t);
  }
  xmlFreeDoc(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *xml;
  if(size > FUZZ_MAX_INPUT)
    return 0;
  fuzz_init();
  /* A copy of exactly size bytes: reads past the end are ASan's to catch. */
  xml = malloc(size ? size : 1);
  if(!xml)
    abort();
  memcpy(xml, data, size);
  list_page(xml, size, 0);
  list_page(xml, size, 2);
  error_document(xml, size);
  lookups(xml, size);
  free(xml);
  return 0;
}
