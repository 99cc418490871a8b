/* test_buf.c — bounded buffers, errors, headers, base64, URI encoding. */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "harness.h"
#include "sluice/buf.h"
#include "common/buf_internal.h"

static void test_buf_bound(void)
{
  struct sl_buf b;
  CU_ASSERT_EQUAL(sl_buf_init(&b, 10), SL_OK);
  CU_ASSERT_EQUAL(sl_buf_adds(&b, "0123456789"), SL_OK);
  CU_ASSERT_EQUAL(b.len, 10);
  CU_ASSERT_STRING_EQUAL(b.data, "0123456789");
  /* One byte over the maximum is refused and leaves the contents alone. */
  CU_ASSERT_EQUAL(sl_buf_addc(&b, 'x'), SL_E_TOO_LARGE);
  CU_ASSERT_EQUAL(b.len, 10);
  CU_ASSERT_STRING_EQUAL(b.data, "0123456789");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_buf_printf(&b, "%d-%s", 42, "ab"), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "42-ab");
  CU_ASSERT_EQUAL(sl_buf_printf(&b, "%s", "123456"), SL_E_TOO_LARGE);
  CU_ASSERT_EQUAL(b.len, 5);
  sl_buf_cleanup(&b);
}

static void test_buf_grow_and_steal(void)
{
  struct sl_buf b;
  char *p;
  int i;
  CU_ASSERT_EQUAL(sl_buf_init(&b, 1 << 20), SL_OK);
  for(i = 0; i < 10000; i++)
    CU_ASSERT_EQUAL_FATAL(sl_buf_add(&b, "abcdefghij", 10), SL_OK);
  CU_ASSERT_EQUAL(b.len, 100000);
  CU_ASSERT_EQUAL(memcmp(b.data + 99990, "abcdefghij", 10), 0);
  CU_ASSERT_EQUAL(b.data[b.len], 0);
  p = sl_buf_steal(&b);
  CU_ASSERT_EQUAL(strlen(p), 100000);
  CU_ASSERT_EQUAL(b.len, 0);
  CU_ASSERT_EQUAL(sl_buf_adds(&b, "z"), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "z");
  free(p);
  sl_buf_cleanup(&b);
}

static void test_error_format(void)
{
  struct sl_error e;
  char out[512], big[3000];
  sl_error_clear(&e);
  CU_ASSERT_EQUAL(sl_error_set(&e, SL_E_AWS, "NoSuchBucket", "The bucket %s does not exist", "b1"),
                  SL_E_AWS);
  e.http_status = 404;
  strcpy(e.request_id, "REQ123");
  sl_error_format(&e, out, sizeof(out));
  CU_ASSERT_STRING_EQUAL(out, "NoSuchBucket: The bucket b1 does not exist (HTTP 404, request id REQ123)");
  /* Long messages are cut visibly, never silently. */
  memset(big, 'm', sizeof(big) - 1);
  big[sizeof(big) - 1] = 0;
  sl_error_set(&e, SL_E_AWS, NULL, "%s", big);
  CU_ASSERT_EQUAL(strlen(e.message), sizeof(e.message) - 1);
  CU_ASSERT_STRING_EQUAL(e.message + sizeof(e.message) - 4, "...");
  CU_ASSERT_STRING_EQUAL(e.code, "NoSuchBucket");
  CU_ASSERT_EQUAL(sl_error_set(NULL, SL_E_IO, NULL, "x"), SL_E_IO);
}

static void test_headers(void)
{
  struct sl_headers h;
  sl_headers_init(&h);
  CU_ASSERT_EQUAL(sl_headers_add(&h, "Host", "a.example"), SL_OK);
  CU_ASSERT_EQUAL(sl_headers_add(&h, "X-Dup", "1"), SL_OK);
  CU_ASSERT_EQUAL(sl_headers_add(&h, "x-dup", "2"), SL_OK);
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&h, "HOST"), "a.example");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&h, "X-DUP"), "1");
  CU_ASSERT_EQUAL(sl_headers_set(&h, "x-DUP", "3"), SL_OK);
  CU_ASSERT_EQUAL(h.n, 2);
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&h, "x-dup"), "3");
  CU_ASSERT_STRING_EQUAL(h.v[1].name, "x-DUP");
  sl_headers_remove(&h, "host");
  CU_ASSERT_EQUAL(h.n, 1);
  CU_ASSERT_PTR_NULL(sl_headers_get(&h, "host"));
  /* A value replaced in place keeps its name; one block holds both. */
  CU_ASSERT_EQUAL(sl_headers_addn(&h, "X-Long", 6, "abc", 3), SL_OK);
  CU_ASSERT_EQUAL(sl_header_set_value(&h.v[h.n - 1], "a much longer value\nwith a newline", 34),
                  SL_OK);
  CU_ASSERT_STRING_EQUAL(h.v[h.n - 1].name, "X-Long");
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&h, "x-long"), "a much longer value\nwith a newline");
  CU_ASSERT_PTR_EQUAL(h.v[h.n - 1].value, h.v[h.n - 1].name + 7);
  CU_ASSERT_EQUAL(sl_headers_addn(&h, "X-Empty", 7, "", 0), SL_OK);
  CU_ASSERT_STRING_EQUAL(sl_headers_get(&h, "x-empty"), "");
  sl_header_release(&h.v[h.n - 1]);
  CU_ASSERT_PTR_NULL(h.v[h.n - 1].name);
  CU_ASSERT_PTR_NULL(h.v[h.n - 1].value);
  h.n--;
  sl_headers_cleanup(&h);
  CU_ASSERT_EQUAL(h.n, 0);
}

static const struct {
  const char *plain;
  const char *b64;
} b64_cases[] = {
  { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
  { "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
};

static void test_base64(void)
{
  size_t i;
  struct sl_buf b;
  unsigned char bin[256];
  sl_buf_init(&b, 1024);
  for(i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
    sl_buf_reset(&b);
    CU_ASSERT_EQUAL(sl_base64_encode(b64_cases[i].plain, strlen(b64_cases[i].plain), &b), SL_OK);
    CU_ASSERT_STRING_EQUAL(b.data, b64_cases[i].b64);
    sl_buf_reset(&b);
    CU_ASSERT_EQUAL(sl_base64_decode(b64_cases[i].b64, strlen(b64_cases[i].b64), &b), SL_OK);
    CU_ASSERT_EQUAL(b.len, strlen(b64_cases[i].plain));
    CU_ASSERT_STRING_EQUAL(b.data, b64_cases[i].plain);
  }
  /* Binary round trip, every byte value. */
  for(i = 0; i < 256; i++)
    bin[i] = (unsigned char)i;
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_base64_encode(bin, 256, &b), SL_OK);
  {
    struct sl_buf d;
    sl_buf_init(&d, 1024);
    CU_ASSERT_EQUAL(sl_base64_decode(b.data, b.len, &d), SL_OK);
    CU_ASSERT_EQUAL(d.len, 256);
    CU_ASSERT_EQUAL(memcmp(d.data, bin, 256), 0);
    sl_buf_cleanup(&d);
  }
  /* Malformed input is refused. */
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_base64_decode("Zm9", 3, &b), SL_E_PARSE);
  CU_ASSERT_EQUAL(sl_base64_decode("Zm=v", 4, &b), SL_E_PARSE);
  CU_ASSERT_EQUAL(sl_base64_decode("Zg==Zg==", 8, &b), SL_E_PARSE);
  CU_ASSERT_EQUAL(sl_base64_decode("Z!==", 4, &b), SL_E_PARSE);
  sl_buf_cleanup(&b);
}

/* A small deterministic generator, so a failure can be replayed. */
static unsigned long long rnd_state = 0x9e3779b97f4a7c15ull;
static unsigned char rnd_byte(void)
{
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 7;
  rnd_state ^= rnd_state << 17;
  return (unsigned char)(rnd_state >> 24);
}

/* Every encoder against OpenSSL's EVP_EncodeBlock (the encoder sluice used
 * before) on the same bytes. The input sits at the end of its allocation
 * so a read past it trips ASan; the output is checked not to run over. */
static void check_encoders(size_t n)
{
  size_t olen = SL_BASE64_LEN(n), i, k;
  unsigned char *in = malloc(n ? n : 1);
  char *want = malloc(olen + 1), *got = malloc(olen + 1);
  struct sl_buf b;
  CU_ASSERT_FATAL(in && want && got);
  for(i = 0; i < n; i++)
    in[i] = rnd_byte();
  CU_ASSERT_EQUAL_FATAL((size_t)EVP_EncodeBlock((unsigned char *)want, in, (int)n), olen);
  for(k = 0; k < 3; k++) {
    size_t w;
    if(k == 1 && !sl_base64_have_avx2())
      continue;
    memset(got, '#', olen + 1);
    w = k == 0 ? sl_base64_encode_portable(in, n, got) :
        k == 1 ? sl_base64_encode_avx2(in, n, got) : sl_base64_encode_raw(in, n, got);
    CU_ASSERT_EQUAL(w, olen);
    CU_ASSERT_EQUAL(got[olen], '#');
    if(memcmp(got, want, olen))
      CU_FAIL("encoder output differs from EVP_EncodeBlock");
  }
  /* The buffer API appends after what is there. */
  CU_ASSERT_EQUAL_FATAL(sl_buf_init(&b, olen + 2), SL_OK);
  CU_ASSERT_EQUAL(sl_buf_adds(&b, "<"), SL_OK);
  CU_ASSERT_EQUAL(sl_base64_encode(in, n, &b), SL_OK);
  CU_ASSERT_EQUAL(b.len, olen + 1);
  CU_ASSERT_EQUAL(memcmp(b.data + 1, want, olen), 0);
  CU_ASSERT_EQUAL(b.data[b.len], 0);
  CU_ASSERT_EQUAL(sl_base64_encode("x", 1, &b), SL_E_TOO_LARGE); /* the bound holds */
  sl_buf_cleanup(&b);
  free(in);
  free(want);
  free(got);
}

static void test_base64_encoders(void)
{
  size_t n, round;
  for(round = 0; round < 4; round++)
    for(n = 0; n <= 300; n++)
      check_encoders(n);
  check_encoders(1024);
  check_encoders(1000 * 1000 + 1);
  check_encoders(3u * 1024 * 1024 + 2);
}

static void test_uri(void)
{
  struct sl_buf b;
  sl_buf_init(&b, 1024);
  CU_ASSERT_EQUAL(sl_uri_encode(&b, "a b/c~d_e-f.g+h=*", 17, 0), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "a%20b%2Fc~d_e-f.g%2Bh%3D%2A");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_uri_encode(&b, "logs/2024/\xc3\xa9", 12, 1), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "logs/2024/%C3%A9");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_uri_decode(&b, "a%20b+c%2fd%zz%4", 16, 1), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "a b c/d%zz%4");
  sl_buf_reset(&b);
  CU_ASSERT_EQUAL(sl_uri_decode(&b, "a+b", 3, 0), SL_OK);
  CU_ASSERT_STRING_EQUAL(b.data, "a+b");
  sl_buf_cleanup(&b);
}

static void test_hex(void)
{
  const unsigned char in[] = { 0x00, 0x7f, 0xab, 0xff };
  char out[9];
  sl_hex(in, 4, out);
  CU_ASSERT_STRING_EQUAL(out, "007fabff");
}

static const struct sl_test tests[] = {
  { "buffer bound", test_buf_bound },
  { "buffer grow and steal", test_buf_grow_and_steal },
  { "error format", test_error_format },
  { "headers", test_headers },
  { "base64", test_base64 },
  { "base64 encoders against OpenSSL", test_base64_encoders },
  { "uri encode/decode", test_uri },
  { "hex", test_hex },
  { NULL, NULL }
};

SL_TEST_MAIN("buf", tests, NULL, NULL)
