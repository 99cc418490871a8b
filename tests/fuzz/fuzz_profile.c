/* fuzz_profile.c — the sluice INI profile parser and validator on any text,
 * and the name/prefix validators on their own. A profile that parses must
 * hold only values the validators accept, in terminated fields. */
#include "fuzz.h"
#include "sluice/profile.h"

#define FUZZ_MAX_INPUT (256u * 1024u)

static void check_accepted(const struct sl_profile *p)
{
  FUZZ_CHECK(fuzz_terminated(p->bucket.name, sizeof(p->bucket.name)));
  FUZZ_CHECK(fuzz_terminated(p->role.name, sizeof(p->role.name)));
  FUZZ_CHECK(fuzz_terminated(p->firehose.name, sizeof(p->firehose.name)));
  FUZZ_CHECK(fuzz_terminated(p->firehose.prefix, sizeof(p->firehose.prefix)));
  FUZZ_CHECK(fuzz_terminated(p->firehose.error_prefix, sizeof(p->firehose.error_prefix)));
  FUZZ_CHECK(fuzz_terminated(p->firehose.log_group, sizeof(p->firehose.log_group)));
  FUZZ_CHECK(fuzz_terminated(p->kinesis.name, sizeof(p->kinesis.name)));
  FUZZ_CHECK(fuzz_terminated(p->aws.region, sizeof(p->aws.region)));
  FUZZ_CHECK(fuzz_terminated(p->aws.endpoint_url, sizeof(p->aws.endpoint_url)));
  FUZZ_CHECK(sl_valid_bucket_name(p->bucket.name, NULL));
  FUZZ_CHECK(sl_valid_firehose_name(p->firehose.name));
  /* given or derived from the stream name, the role name must be valid */
  FUZZ_CHECK(sl_valid_role_name(p->role.name));
  FUZZ_CHECK(sl_valid_prefixes(p->firehose.prefix, p->firehose.error_prefix, NULL));
  if(p->kinesis.enabled)
    FUZZ_CHECK(sl_valid_kinesis_name(p->kinesis.name));
  FUZZ_CHECK(p->firehose.buffer_size_mb >= 1 && p->firehose.buffer_size_mb <= 128);
  FUZZ_CHECK(p->firehose.buffer_interval_s >= 0 && p->firehose.buffer_interval_s <= 900);
  FUZZ_CHECK(p->bucket.tags.n <= 50);
}

/* The validators on their own: the input's first line and the rest. */
static void validators(const char *text)
{
  const char *nl = strchr(text, '\n'), *why = NULL;
  char *first = nl ? strndup(text, (size_t)(nl - text)) : strdup(text);
  const char *rest = nl ? nl + 1 : "";
  if(!first)
    abort();
  if(!sl_valid_bucket_name(first, &why))
    FUZZ_CHECK(why && *why);
  (void)sl_valid_role_name(first);
  (void)sl_valid_firehose_name(first);
  (void)sl_valid_kinesis_name(first);
  why = NULL;
  if(!sl_valid_prefixes(first, rest, &why))
    FUZZ_CHECK(why && *why);
  free(first);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  struct sl_profile p;
  struct sl_buf diags;
  struct sl_error err;
  enum sl_result r;
  char *text;
  if(size > FUZZ_MAX_INPUT)
    return 0;
  fuzz_init();
  text = fuzz_cstr(data, size);
  sl_profile_init(&p);
  sl_error_clear(&err);
  if(sl_buf_init(&diags, 1024u * 1024u))
    abort();
  r = sl_profile_parse("fuzz.ini", text, &p, &diags, &err);
  if(r == SL_OK) {
    FUZZ_CHECK(diags.len == 0);
    check_accepted(&p);
  }
  else {
    FUZZ_CHECK(r == SL_E_CONFIG);
    FUZZ_CHECK(err.result == SL_E_CONFIG && err.message[0]);
    FUZZ_CHECK(!strncmp(err.message, "fuzz.ini", 8));
  }
  FUZZ_CHECK(fuzz_terminated(err.message, sizeof(err.message)));
  sl_profile_cleanup(&p);
  sl_buf_cleanup(&diags);
  validators(text);
  free(text);
  return 0;
}
