/* test_batch.c — send limits at their exact edges, batches closing on count
 * and bytes, partition keys (UUID, JSON field, explicit hash key), and the
 * names given to records in messages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice/send.h"
#include "sluice/kpl.h"
#include "sluice/streams.h"

static const struct sl_send_where stdin42 = { "stdin", 42, SL_WHERE_LINE };

static void test_limits_init(void)
{
  struct sl_send_limits l;
  struct sl_error err;
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_send_limits_init(&l, SL_SEND_FIREHOSE, 0, 0, &err), SL_OK);
  CU_ASSERT_EQUAL(l.max_records, 500);
  CU_ASSERT_EQUAL(l.max_request_bytes, 4194304);
  CU_ASSERT_EQUAL(l.max_record_bytes, 1024000);
  CU_ASSERT_EQUAL(sl_send_limits_init(&l, SL_SEND_KINESIS, 0, 0, &err), SL_OK);
  CU_ASSERT_EQUAL(l.max_request_bytes, 5242880);
  CU_ASSERT_EQUAL(l.max_record_bytes, 1048576);
  CU_ASSERT_EQUAL(sl_send_limits_init(&l, SL_SEND_KINESIS, 17, 10485760, &err), SL_OK);
  CU_ASSERT_EQUAL(l.max_records, 17);
  CU_ASSERT_EQUAL(l.max_request_bytes, 10485760);
  CU_ASSERT_EQUAL(sl_send_limits_init(&l, SL_SEND_KINESIS, 0, 10485761, &err), SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_send_limits_init(&l, SL_SEND_KINESIS, 0, 5242879, &err), SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_send_limits_init(&l, SL_SEND_FIREHOSE, 501, 0, &err), SL_E_INVALID);
  CU_ASSERT_STRING_EQUAL(err.message, "batch size 501 is over Firehose's 500 records per request");
  CU_ASSERT_EQUAL(sl_send_limits_init(&l, SL_SEND_FIREHOSE, 500, 0, &err), SL_OK);
}

static void test_record_edges(void)
{
  static const char key256[] =
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
    "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk";
  char key257[258], utf8key[260];
  struct sl_send_limits fh, kin;
  struct sl_error err;
  size_t i;
  CU_ASSERT_EQUAL_FATAL(strlen(key256), 256);
  memcpy(key257, key256, 256);
  key257[256] = 'k';
  key257[257] = 0;
  /* 128 two-byte characters are 256 bytes; one more is 258: bytes count. */
  for(i = 0; i < 129; i++)
    memcpy(utf8key + 2 * i, "\xc3\xa9", 2);
  utf8key[256] = 0;
  sl_error_clear(&err);
  sl_send_limits_init(&fh, SL_SEND_FIREHOSE, 0, 0, &err);
  sl_send_limits_init(&kin, SL_SEND_KINESIS, 0, 0, &err);

  CU_ASSERT_EQUAL(sl_send_check_record(&fh, &stdin42, 1024000, NULL, NULL, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_send_check_record(&fh, &stdin42, 1024001, NULL, NULL, &err), SL_E_TOO_LARGE);
  CU_ASSERT_STRING_EQUAL(err.code, "RecordTooLarge");
  CU_ASSERT_STRING_EQUAL(err.message, "stdin:42: record of 1024001 bytes is over Firehose's "
                         "1,000 KiB limit (1,024,000 bytes)");

  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 1048576 - 256, key256, NULL, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 1048577 - 256, key256, NULL, &err),
                  SL_E_TOO_LARGE);
  CU_ASSERT_STRING_EQUAL(err.message, "stdin:42: record of 1048577 bytes is over Kinesis's 1 MiB "
                         "limit (data + partition key)");
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 1048575, "k", NULL, &err), SL_OK);
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 1048576, "k", NULL, &err), SL_E_TOO_LARGE);
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 10, key257, NULL, &err), SL_E_INVALID);
  CU_ASSERT_STRING_EQUAL(err.message, "stdin:42: partition key of 257 bytes: Kinesis takes 1 to "
                         "256 bytes");
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 10, "", NULL, &err), SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 10, NULL, NULL, &err), SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 10, utf8key, NULL, &err), SL_OK);
  memcpy(utf8key + 256, "\xc3\xa9", 3);
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 10, utf8key, NULL, &err), SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 10, "k", "12x", &err), SL_E_INVALID);
  CU_ASSERT_EQUAL(sl_send_check_record(&kin, &stdin42, 10, "k", "12", &err), SL_OK);
}

static void test_hash_key(void)
{
  static const struct {
    const char *s;
    int ok;
  } cases[] = {
    { "0", 1 },
    { "340282366920938463463374607431768211455", 1 },  /* 2^128-1 */
    { "340282366920938463463374607431768211456", 0 },  /* 2^128 */
    { "0340282366920938463463374607431768211455", 1 }, /* leading zero */
    { "999999999999999999999999999999999999999", 0 },
    { "99999999999999999999999999999999999999", 1 },   /* 38 digits */
    { "", 0 },
    { "-1", 0 },
    { "1 ", 0 },
  };
  size_t i;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    CU_ASSERT_EQUAL(sl_send_valid_hash_key(cases[i].s), cases[i].ok);
}

/* Adds n records of len bytes until the batch refuses one; returns how many fit. */
static size_t fill(struct sl_batch *b, size_t n, size_t len, const char *key)
{
  static char buf[1100000];
  size_t i, size;
  memset(buf, 'a', sizeof(buf));
  for(i = 0; i < n; i++) {
    size = sl_send_record_size(b->lim, len, key ? strlen(key) : 0);
    if(!sl_batch_fits(b, size))
      break;
    if(sl_batch_add(b, buf, len, 0, key, NULL, i, NULL))
      break;
  }
  return i;
}

static void test_batch_count_edge(void)
{
  struct sl_send_limits l;
  struct sl_batch b;
  sl_send_limits_init(&l, SL_SEND_FIREHOSE, 0, 0, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_batch_init(&b, &l), SL_OK);
  CU_ASSERT_EQUAL(fill(&b, 501, 3, NULL), 500);
  CU_ASSERT_EQUAL(b.n, 500);
  CU_ASSERT_EQUAL(b.bytes, 1500);
  CU_ASSERT_FALSE(sl_batch_fits(&b, 1));
  sl_batch_reset(&b);
  CU_ASSERT_EQUAL(fill(&b, 500, 3, NULL), 500);
  sl_batch_cleanup(&b);
  sl_send_limits_init(&l, SL_SEND_KINESIS, 7, 0, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_batch_init(&b, &l), SL_OK);
  CU_ASSERT_EQUAL(fill(&b, 8, 3, "pk"), 7);
  CU_ASSERT_EQUAL(b.bytes, 35);
  sl_batch_cleanup(&b);
}

static void test_batch_byte_edges(void)
{
  struct sl_send_limits l;
  struct sl_batch b;
  struct sl_record rec;
  /* Firehose: 4 records of 1,000,000 + one of 194,304 is exactly 4 MiB. */
  sl_send_limits_init(&l, SL_SEND_FIREHOSE, 0, 0, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_batch_init(&b, &l), SL_OK);
  CU_ASSERT_EQUAL(fill(&b, 4, 1000000, NULL), 4);
  CU_ASSERT_TRUE(sl_batch_fits(&b, 194304));
  CU_ASSERT_FALSE(sl_batch_fits(&b, 194305));
  CU_ASSERT_EQUAL(fill(&b, 1, 194304, NULL), 1);
  CU_ASSERT_EQUAL(b.bytes, 4194304);
  CU_ASSERT_FALSE(sl_batch_fits(&b, 1));
  CU_ASSERT_TRUE(sl_batch_fits(&b, 0));
  sl_batch_reset(&b);
  CU_ASSERT_EQUAL(fill(&b, 4, 1000000, NULL), 4);
  CU_ASSERT_EQUAL(fill(&b, 1, 194305, NULL), 0);
  CU_ASSERT_EQUAL(b.n, 4);
  sl_batch_cleanup(&b);

  /* Kinesis: data + key count; 5 records of 1,048,576 (data 1,048,574 + key
   * "pk") are 5 MiB exactly. */
  sl_send_limits_init(&l, SL_SEND_KINESIS, 0, 0, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_batch_init(&b, &l), SL_OK);
  CU_ASSERT_EQUAL(fill(&b, 6, 1048574, "pk"), 5);
  CU_ASSERT_EQUAL(b.bytes, 5242880);
  sl_batch_reset(&b);
  CU_ASSERT_EQUAL(fill(&b, 4, 1048574, "pk"), 4);
  CU_ASSERT_FALSE(sl_batch_fits(&b, 1048577));
  CU_ASSERT_TRUE(sl_batch_fits(&b, 1048576));
  sl_batch_record(&b, 3, &rec);
  CU_ASSERT_EQUAL(rec.len, 1048574);
  CU_ASSERT_STRING_EQUAL(rec.partition_key, "pk");
  CU_ASSERT_PTR_NULL(rec.explicit_hash_key);
  sl_batch_cleanup(&b);
}

/* Aggregated: records join the last entry up to 1,000 KiB (1,024,000
 * bytes), each keeping its index, place and bytes; then a new entry. */
static void test_batch_aggregate(void)
{
  struct sl_send_limits l;
  struct sl_batch b;
  struct sl_send_where w = { "in", 1, SL_WHERE_LINE };
  char *big = malloc(1024000);
  size_t i;
  CU_ASSERT_PTR_NOT_NULL_FATAL(big);
  memset(big, 'y', 1024000);
  sl_send_limits_init(&l, SL_SEND_FIREHOSE, 0, 0, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_batch_init(&b, &l), SL_OK);
  b.aggregate = 1;
  CU_ASSERT_EQUAL(sl_batch_add(&b, "a", 1, 1, NULL, NULL, 0, &w), SL_OK);
  w.pos = 2;
  CU_ASSERT_EQUAL(sl_batch_add(&b, "bc\n", 3, 1, NULL, NULL, 1, &w), SL_OK);
  CU_ASSERT_EQUAL(b.n, 1);
  CU_ASSERT_EQUAL(b.nparts, 2);
  CU_ASSERT_EQUAL(b.bytes, 5);
  CU_ASSERT_EQUAL(b.e[0].len, 5);
  CU_ASSERT_EQUAL(memcmp(b.arena.data + b.e[0].off, "a\nbc\n", 5), 0);
  CU_ASSERT_EQUAL(b.parts[1].index, 1);
  CU_ASSERT_EQUAL(b.parts[1].where.pos, 2);
  CU_ASSERT_EQUAL(b.parts[1].len, 3);
  CU_ASSERT_EQUAL(memcmp(b.arena.data + b.parts[1].off, "bc\n", 3), 0);
  /* 1,023,995 more fill the carrier exactly; one byte more opens another */
  CU_ASSERT_EQUAL(sl_batch_add(&b, big, 1023994, 1, NULL, NULL, 2, &w), SL_OK);
  CU_ASSERT_EQUAL(b.n, 1);
  CU_ASSERT_EQUAL(b.e[0].len, 1024000);
  CU_ASSERT_EQUAL(sl_batch_add(&b, "z", 1, 1, NULL, NULL, 3, &w), SL_OK);
  CU_ASSERT_EQUAL(b.n, 2);
  CU_ASSERT_EQUAL(b.e[1].part0, 3);
  CU_ASSERT_EQUAL(b.e[1].nparts, 1);
  CU_ASSERT_EQUAL(b.e[0].nparts, 3);
  /* the request bound still holds: 4 MiB (4,194,304) in all */
  for(i = 0; i < 3; i++)
    CU_ASSERT_EQUAL(sl_batch_add(&b, big, 1023999, 1, NULL, NULL, 4 + i, &w), SL_OK);
  CU_ASSERT_EQUAL(b.bytes, 4 * 1024000 + 2);
  CU_ASSERT_TRUE(sl_batch_fits(&b, 98302));
  CU_ASSERT_FALSE(sl_batch_fits(&b, 98303));
  /* keys cannot be packed here: Firehose only */
  CU_ASSERT_EQUAL(sl_batch_add(&b, "k", 1, 1, "pk", NULL, 9, &w), SL_E_INTERNAL);
  sl_batch_reset(&b);
  CU_ASSERT_EQUAL(b.nparts, 0);
  /* at most SL_SEND_MAX_PARTS input records per batch */
  for(i = 0; i < SL_SEND_MAX_PARTS; i++)
    if(sl_batch_add(&b, "", 0, 1, NULL, NULL, i, &w))
      break;
  CU_ASSERT_EQUAL(b.nparts, SL_SEND_MAX_PARTS);
  CU_ASSERT_FALSE(sl_batch_fits(&b, 1));
  sl_batch_cleanup(&b);
  free(big);
}

struct kpl_seen {
  int n;
  char text[256];
};

static enum sl_result kpl_seen(void *ud, size_t i, const struct sl_kpl_record *r)
{
  struct kpl_seen *g = ud;
  size_t len = strlen(g->text);
  (void)i;
  snprintf(g->text + len, sizeof(g->text) - len, "%.*s=%.*s;", (int)r->key_len, r->key,
           (int)r->len, (const char *)r->data);
  g->n++;
  return SL_OK;
}

/* KPL: "k1" hashes into the upper half, "user-17" into the lower: one
 * carrier each, records joining their shard's; a record that cannot share
 * a carrier goes as it is. */
static void test_batch_kpl(void)
{
  struct sl_shard_range r[2] = {
    { 0, 0, 0x7fffffffffffffffull, UINT64_MAX, "shardId-000000000000" },
    { 0x8000000000000000ull, 0, UINT64_MAX, UINT64_MAX, "shardId-000000000001" }
  };
  struct sl_shard_map m = { r, 2 };
  struct sl_send_limits l;
  struct sl_batch b;
  struct sl_send_where w = { "in", 1, SL_WHERE_LINE };
  struct sl_buf out;
  struct sl_record rec;
  struct kpl_seen g;
  char *big = malloc(1048570);
  CU_ASSERT_PTR_NOT_NULL_FATAL(big);
  memset(big, 'b', 1048570);
  sl_send_limits_init(&l, SL_SEND_KINESIS, 0, 0, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_batch_init(&b, &l), SL_OK);
  CU_ASSERT_EQUAL_FATAL(sl_batch_kpl(&b, &m), SL_OK);
  CU_ASSERT_EQUAL(sl_batch_add(&b, "a", 1, 1, "k1", NULL, 0, &w), SL_OK);
  CU_ASSERT_EQUAL(sl_batch_add(&b, "b", 1, 1, "user-17", NULL, 1, &w), SL_OK);
  CU_ASSERT_EQUAL(sl_batch_add(&b, "c", 1, 1, "k1", NULL, 2, &w), SL_OK);
  CU_ASSERT_EQUAL(b.n, 2);
  CU_ASSERT_EQUAL(b.e[0].nparts, 2);
  CU_ASSERT_EQUAL(b.e[1].nparts, 1);
  CU_ASSERT_TRUE(b.e[0].kpl && b.e[1].kpl);
  sl_buf_init(&out, 1 << 20);
  CU_ASSERT_EQUAL(sl_batch_kpl_encode(&b, 0, &out, &rec), SL_OK);
  CU_ASSERT_STRING_EQUAL(rec.partition_key, "k1");
  CU_ASSERT_PTR_NULL(rec.explicit_hash_key);
  CU_ASSERT_TRUE(out.len + 2 <= b.e[0].len + b.e[0].key_len); /* within the bound */
  memset(&g, 0, sizeof(g));
  CU_ASSERT_EQUAL(sl_kpl_decode(out.data, out.len, kpl_seen, &g), SL_OK);
  CU_ASSERT_STRING_EQUAL(g.text, "k1=a\n;k1=c\n;");
  /* one entry per shard and request: a record that cannot join its
   * shard's carrier waits for the next batch */
  CU_ASSERT_FALSE(sl_batch_kpl_fits(&b, 1048570, "k1", NULL));
  CU_ASSERT_TRUE(sl_batch_kpl_fits(&b, 10, "user-17", NULL));
  CU_ASSERT_EQUAL(sl_batch_add(&b, big, 1048569, 1, "k1", NULL, 3, &w), SL_E_INTERNAL);
  CU_ASSERT_EQUAL(b.n, 2);
  CU_ASSERT_EQUAL(b.nparts, 3);
  /* 1,048,570 bytes and the key fit Kinesis's 1 MiB, but not with a
   * carrier's framing: in a batch of its own shard it goes as it is */
  sl_batch_reset(&b);
  CU_ASSERT_TRUE(sl_batch_kpl_fits(&b, 1048570, "k1", NULL));
  CU_ASSERT_EQUAL(sl_batch_add(&b, big, 1048569, 1, "k1", NULL, 3, &w), SL_OK);
  CU_ASSERT_EQUAL(b.n, 1);
  CU_ASSERT_FALSE(b.e[0].kpl);
  CU_ASSERT_EQUAL(b.e[0].len, 1048570);
  sl_batch_record(&b, 0, &rec);
  CU_ASSERT_EQUAL(rec.len, 1048570);
  CU_ASSERT_STRING_EQUAL(rec.partition_key ? rec.partition_key : "(null)", "k1");
  CU_ASSERT_FALSE(sl_batch_kpl_fits(&b, 1, "k1", NULL)); /* the shard has its entry */
  sl_batch_reset(&b);
  CU_ASSERT_EQUAL(sl_batch_add(&b, "e", 1, 1, "k1", NULL, 5, &w), SL_OK);
  CU_ASSERT_EQUAL(b.n, 1);
  CU_ASSERT_EQUAL(b.e[0].nparts, 1);
  sl_buf_cleanup(&out);
  sl_batch_cleanup(&b);
  free(big);
}

static void test_batch_newline(void)
{
  struct sl_send_limits l;
  struct sl_batch b;
  struct sl_record rec;
  static const struct {
    const char *in;
    size_t len;
    int newline;
    const char *out;
    size_t out_len;
  } cases[] = {
    { "abc", 3, 1, "abc\n", 4 },
    { "abc\n", 4, 1, "abc\n", 4 },  /* not doubled */
    { "abc\r", 4, 1, "abc\r\n", 5 },
    { "", 0, 1, "\n", 1 },
    { "abc", 3, 0, "abc", 3 },
    { "a\0b", 3, 1, "a\0b\n", 4 },
  };
  size_t i;
  sl_send_limits_init(&l, SL_SEND_KINESIS, 0, 0, NULL);
  CU_ASSERT_EQUAL_FATAL(sl_batch_init(&b, &l), SL_OK);
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    CU_ASSERT_EQUAL(sl_batch_add(&b, cases[i].in, cases[i].len, cases[i].newline, "k", "7", i,
                                 &stdin42), SL_OK);
    sl_batch_record(&b, i, &rec);
    CU_ASSERT_EQUAL(rec.len, cases[i].out_len);
    CU_ASSERT_EQUAL(memcmp(rec.data, cases[i].out, cases[i].out_len), 0);
    CU_ASSERT_STRING_EQUAL(rec.explicit_hash_key, "7");
    CU_ASSERT_EQUAL(b.e[i].where.pos, 42);
  }
  CU_ASSERT_EQUAL(b.bytes, 4 + 4 + 5 + 1 + 3 + 4 + 6 * 1);
  sl_batch_cleanup(&b);
}

static void test_uuid(void)
{
  char a[37], b[37];
  int i, k;
  for(k = 0; k < 600; k++) { /* past one random block */
    CU_ASSERT_EQUAL_FATAL(sl_uuid4(a), SL_OK);
    CU_ASSERT_EQUAL(strlen(a), 36);
    for(i = 0; i < 36; i++) {
      if(i == 8 || i == 13 || i == 18 || i == 23) {
        CU_ASSERT_EQUAL(a[i], '-');
      }
      else {
        CU_ASSERT_PTR_NOT_NULL(strchr("0123456789abcdef", a[i]));
      }
    }
    CU_ASSERT_EQUAL(a[14], '4');
    CU_ASSERT_PTR_NOT_NULL(strchr("89ab", a[19]));
  }
  sl_uuid4(b);
  CU_ASSERT_NOT_EQUAL(strcmp(a, b), 0);
}

static void test_key_field(void)
{
  static const struct {
    const char *json;
    const char *path;
    enum sl_result want;
    const char *key;
  } cases[] = {
    { "{\"user\":{\"id\":\"u-17\"}}", "user.id", SL_OK, "u-17" },
    { "{\"user\":{\"id\":17}}", "user.id", SL_OK, "17" },
    { "{\"a\":true}", "a", SL_OK, "true" },
    { "{\"a\":{\"b\":{\"c\":\"deep\"}}}", "a.b.c", SL_OK, "deep" },
    { "{\"a\":\"x\"}", "b", SL_E_NOT_FOUND, "" },
    { "{\"a\":null}", "a", SL_E_NOT_FOUND, "" },
    { "{\"a\":{\"b\":1}}", "a", SL_E_NOT_FOUND, "" },  /* an object is no key */
    { "{\"a\":\"x\"}", "a.b", SL_E_NOT_FOUND, "" },      /* "x" has no members */
    { "{\"a\":\"x\"}", "a..b", SL_E_NOT_FOUND, "" },
    { "{\"a\":", "a", SL_E_PARSE, "" },
    { "not json", "a", SL_E_PARSE, "" },
    { "{\"a\":\"x\"} junk", "a", SL_E_PARSE, "" },
    { "{\"a\":\"x\"}\r\n", "a", SL_OK, "x" },
    { "{\"a\":\"x\\u0000y\"}", "a", SL_E_INVALID, "" },
  };
  size_t i, n;
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    char key[258];
    enum sl_result r = sl_send_key_from_field(cases[i].json, strlen(cases[i].json), cases[i].path,
                                              key, sizeof(key), &n);
    CU_ASSERT_EQUAL(r, cases[i].want);
    if(r != cases[i].want)
      fprintf(stderr, "case %zu: %d\n", i, (int)r);
    if(!r) {
      CU_ASSERT_STRING_EQUAL(key, cases[i].key);
      CU_ASSERT_EQUAL(n, strlen(cases[i].key));
    }
  }
}

static void test_where(void)
{
  static const struct {
    struct sl_send_where w;
    const char *want;
  } cases[] = {
    { { "stdin", 42, SL_WHERE_LINE }, "stdin:42" },
    { { "in.json", 7, SL_WHERE_VALUE }, "in.json: value 7" },
    { { "blob.bin", 1, SL_WHERE_WHOLE }, "blob.bin" },
    { { NULL, 3, SL_WHERE_ARG }, "argument 3" },
    { { NULL, 5, SL_WHERE_INDEX }, "record 5" },
    { { "in.json", 120, SL_WHERE_OFFSET }, "in.json: byte 120" },
  };
  size_t i;
  char out[160];
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    sl_send_where_format(&cases[i].w, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, cases[i].want);
  }
}

static const struct sl_test tests[] = {
  { "limits", test_limits_init },
  { "record limits at their edges", test_record_edges },
  { "explicit hash key", test_hash_key },
  { "batch closes at 500 records", test_batch_count_edge },
  { "batch closes at the request bytes", test_batch_byte_edges },
  { "delimiter newline", test_batch_newline },
  { "aggregated: records packed into entries", test_batch_aggregate },
  { "KPL: one carrier per shard", test_batch_kpl },
  { "uuid v4", test_uuid },
  { "partition key field", test_key_field },
  { "record names", test_where },
  { NULL, NULL }
};

SL_TEST_MAIN("batch", tests, NULL, NULL)
