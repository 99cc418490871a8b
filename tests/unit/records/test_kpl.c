/* test_kpl.c — the KPL aggregation format: exact bytes written (tables
 * first, keys once, the MD5 at the end), taken apart again, and what is
 * not an aggregated record (no magic, an MD5 that does not match) or is a
 * broken one (an index past its table) told apart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "sluice/kpl.h"

static struct sl_buf hex_bytes(const char *hex)
{
  struct sl_buf b;
  sl_buf_init(&b, 4096);
  for(; hex[0] && hex[1]; hex += 2) {
    char two[3] = { hex[0], hex[1], 0 };
    sl_buf_addc(&b, (char)strtol(two, NULL, 16));
  }
  return b;
}

struct got {
  int n;
  char text[512];
};

static enum sl_result collect(void *ud, size_t i, const struct sl_kpl_record *r)
{
  struct got *g = ud;
  size_t len = strlen(g->text);
  snprintf(g->text + len, sizeof(g->text) - len, "%zu:%.*s/%.*s/%.*s;", i, (int)r->key_len, r->key,
           r->ehk ? (int)r->ehk_len : 1, r->ehk ? r->ehk : "-", (int)r->len, (const char *)r->data);
  g->n++;
  return SL_OK;
}

/* Record i is "rec-i" with key "u<i % 40>"; g->n counts the ones that are. */
static enum sl_result in_order(void *ud, size_t i, const struct sl_kpl_record *r)
{
  struct got *g = ud;
  char k[16], d[32];
  snprintf(k, sizeof(k), "u%zu", i % 40);
  snprintf(d, sizeof(d), "rec-%zu", i);
  if(r->key_len == strlen(k) && !memcmp(r->key, k, r->key_len) && r->len == strlen(d) &&
     !memcmp(r->data, d, r->len) && !r->ehk)
    g->n++;
  return SL_OK;
}

static void test_encode_exact(void)
{
  struct sl_kpl_record r[3] = {
    { "k1", 2, NULL, 0, "a", 1 }, { "k2", 2, NULL, 0, "bc", 2 }, { "k1", 2, NULL, 0, "d", 1 }
  };
  struct sl_buf out, want = hex_bytes("f3899ac2"
    "0a026b310a026b321a0508001a01611a0608011a0262631a0508001a0164"
    "0fb0e025e36793be6aed3cf76b8c3e81");
  struct got g = { 0, "" };
  sl_buf_init(&out, 4096);
  CU_ASSERT_EQUAL(sl_kpl_encode(r, 3, &out), SL_OK);
  CU_ASSERT_EQUAL_FATAL(out.len, want.len);
  CU_ASSERT_EQUAL(memcmp(out.data, want.data, want.len), 0);
  CU_ASSERT_EQUAL(sl_kpl_decode(out.data, out.len, collect, &g), SL_OK);
  CU_ASSERT_EQUAL(g.n, 3);
  CU_ASSERT_STRING_EQUAL(g.text, "0:k1/-/a;1:k2/-/bc;2:k1/-/d;");
  sl_buf_cleanup(&out);
  sl_buf_cleanup(&want);
}

/* An explicit hash key and a record with tags (field 4), which are skipped. */
static void test_decode_ehk_tags(void)
{
  struct sl_buf in = hex_bytes("f3899ac2"
    "0a026b3112033132331a0f080010001a017822060a0174120176"
    "3f112d8655050556685cd1283b163c4b");
  struct got g = { 0, "" };
  CU_ASSERT_EQUAL(sl_kpl_decode(in.data, in.len, collect, &g), SL_OK);
  CU_ASSERT_STRING_EQUAL(g.text, "0:k1/123/x;");
  sl_buf_cleanup(&in);
}

static void test_not_aggregated(void)
{
  struct sl_buf in = hex_bytes("f3899ac2"
    "0a026b310a026b321a0508001a01611a0608011a0262631a0508001a0164"
    "0fb0e025e36793be6aed3cf76b8c3e80"); /* last MD5 byte off */
  struct got g = { 0, "" };
  CU_ASSERT_EQUAL(sl_kpl_decode(in.data, in.len, collect, &g), SL_E_UNSUPPORTED);
  CU_ASSERT_EQUAL(sl_kpl_decode("{\"a\":1}\n", 8, collect, &g), SL_E_UNSUPPORTED);
  CU_ASSERT_EQUAL(sl_kpl_decode(SL_KPL_MAGIC, 4, collect, &g), SL_E_UNSUPPORTED);
  CU_ASSERT_EQUAL(g.n, 0);
  sl_buf_cleanup(&in);
  /* the MD5 matches, but record 0 names key 5 of a table of one */
  in = hex_bytes("f3899ac2" "0a026b311a0508051a0161" "d1b91be41281319e7766784701d6c249");
  CU_ASSERT_EQUAL(sl_kpl_decode(in.data, in.len, collect, &g), SL_E_PARSE);
  CU_ASSERT_EQUAL(g.n, 0);
  sl_buf_cleanup(&in);
}

/* Many records, keys repeating: each key stored once, every record back in
 * order; sl_kpl_added_size never under the real growth. */
static void test_roundtrip_sizes(void)
{
  enum { N = 3000 };
  static struct sl_kpl_record r[N];
  static char keys[N][8], data[N][16];
  struct sl_buf out;
  size_t i, predicted = SL_KPL_OVERHEAD, prev;
  struct got g;
  int ok = 1;
  for(i = 0; i < N; i++) {
    snprintf(keys[i], sizeof(keys[i]), "u%zu", i % 40);
    snprintf(data[i], sizeof(data[i]), "rec-%zu", i);
    r[i].key = keys[i];
    r[i].key_len = strlen(keys[i]);
    r[i].ehk = NULL;
    r[i].data = data[i];
    r[i].len = strlen(data[i]);
    predicted += sl_kpl_added_size(r[i].key_len, i < 40, 0, 0, r[i].len);
  }
  sl_buf_init(&out, 1 << 20);
  prev = 0;
  for(i = 1; i <= N && ok; i *= 3) {
    sl_buf_reset(&out);
    CU_ASSERT_EQUAL(sl_kpl_encode(r, i, &out), SL_OK);
    ok = out.len > prev;
    prev = out.len;
  }
  CU_ASSERT_TRUE(ok);
  sl_buf_reset(&out);
  CU_ASSERT_EQUAL(sl_kpl_encode(r, N, &out), SL_OK);
  CU_ASSERT_TRUE(out.len <= predicted);
  CU_ASSERT_TRUE(predicted - out.len <= 2 * N); /* only the index width is guessed */
  memset(&g, 0, sizeof(g));
  CU_ASSERT_EQUAL(sl_kpl_decode(out.data, out.len, in_order, &g), SL_OK);
  CU_ASSERT_EQUAL(g.n, N);
  sl_buf_cleanup(&out);
}

static const struct sl_test tests[] = {
  { "encode: exact bytes", test_encode_exact },
  { "decode: explicit hash key, tags skipped", test_decode_ehk_tags },
  { "not aggregated, or broken", test_not_aggregated },
  { "round trip, sizes", test_roundtrip_sizes },
  { NULL, NULL }
};

SL_TEST_MAIN("kpl", tests, NULL, NULL)
