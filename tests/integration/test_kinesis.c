/* test_kinesis.c — the Kinesis client through the public API against a live
 * endpoint (the bundled emulator, or kinesalite as a second opinion):
 * create, wait active, put a batch, read every record back byte-exact. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "harness.h"
#include "itest.h"
#include "sluice/streams.h"

#define NREC 20

static struct sl_client client;
static char stream[64];

static int setup(void)
{
  if(sl_itest_client(&client, NULL))
    return 1;
  snprintf(stream, sizeof(stream), "%s", sl_itest_name("sl-kin"));
  return 0;
}

static int teardown(void)
{
  sl_client_cleanup(&client);
  return 0;
}

static int wait_status(const char *want)
{
  int i;
  for(i = 0; i < 100; i++) {
    char st[32];
    struct sl_error err;
    sl_error_clear(&err);
    if(sl_kinesis_status(&client, stream, st, &err) == SL_OK && !strcmp(st, want))
      return 1;
    usleep(100 * 1000);
  }
  return 0;
}

static void test_create(void)
{
  struct json_object *in = json_object_new_object(), *out = NULL;
  struct sl_error err;
  char st[32];
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_kinesis_status(&client, stream, st, &err), SL_E_NOT_FOUND);
  CU_ASSERT_STRING_EQUAL(err.code, "ResourceNotFoundException");
  json_object_object_add(in, "StreamName", json_object_new_string(stream));
  json_object_object_add(in, "ShardCount", json_object_new_int(2));
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_kinesis_call(&client, "CreateStream", in, &out, &err), SL_OK);
  CU_ASSERT_TRUE(wait_status("ACTIVE"));
  /* Creating it again is refused the way Kinesis does. */
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_kinesis_call(&client, "CreateStream", in, NULL, &err), SL_E_AWS);
  CU_ASSERT_STRING_EQUAL(err.code, "ResourceInUseException");
  CU_ASSERT_EQUAL(err.http_status, 400);
  json_object_put(in);
  if(out)
    json_object_put(out);
}

static unsigned char data[NREC][300];
static size_t lens[NREC];
static int seen[NREC];

static void test_put_and_read_back(void)
{
  struct sl_record recs[NREC];
  struct sl_record_result res[NREC];
  char keys[NREC][32];
  struct sl_error err;
  size_t failed = 99, i, j, got = 0;
  struct json_object *in, *out = NULL, *shards;
  for(i = 0; i < NREC; i++) {
    /* Binary payloads of varying length, every byte value represented. */
    lens[i] = 1 + i * 13;
    for(j = 0; j < lens[i]; j++)
      data[i][j] = (unsigned char)((i * 31 + j * 7) & 0xff);
    snprintf(keys[i], sizeof(keys[i]), "key-%zu", i);
    recs[i].data = data[i];
    recs[i].len = lens[i];
    recs[i].partition_key = keys[i];
    recs[i].explicit_hash_key = NULL;
  }
  sl_error_clear(&err);
  CU_ASSERT_EQUAL_FATAL(sl_kinesis_put_batch(&client, stream, recs, NREC, res, &failed, &err), SL_OK);
  CU_ASSERT_EQUAL(failed, 0);
  for(i = 0; i < NREC; i++) {
    CU_ASSERT_TRUE(res[i].ok);
    CU_ASSERT_NOT_EQUAL(res[i].id[0], 0);
    CU_ASSERT_EQUAL(strncmp(res[i].shard_id, "shardId-", 8), 0);
  }

  in = json_object_new_object();
  json_object_object_add(in, "StreamName", json_object_new_string(stream));
  CU_ASSERT_EQUAL_FATAL(sl_kinesis_call(&client, "ListShards", in, &out, &err), SL_OK);
  json_object_put(in);
  CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(out, "Shards", &shards));
  CU_ASSERT_EQUAL(json_object_array_length(shards), 2);
  for(i = 0; i < json_object_array_length(shards); i++) {
    struct json_object *sid, *it_out = NULL, *it, *rec_out = NULL, *records;
    json_object_object_get_ex(json_object_array_get_idx(shards, i), "ShardId", &sid);
    in = json_object_new_object();
    json_object_object_add(in, "StreamName", json_object_new_string(stream));
    json_object_object_add(in, "ShardId", json_object_get(sid));
    json_object_object_add(in, "ShardIteratorType", json_object_new_string("TRIM_HORIZON"));
    CU_ASSERT_EQUAL_FATAL(sl_kinesis_call(&client, "GetShardIterator", in, &it_out, &err), SL_OK);
    json_object_put(in);
    json_object_object_get_ex(it_out, "ShardIterator", &it);
    in = json_object_new_object();
    json_object_object_add(in, "ShardIterator", json_object_get(it));
    json_object_object_add(in, "Limit", json_object_new_int(1000));
    CU_ASSERT_EQUAL_FATAL(sl_kinesis_call(&client, "GetRecords", in, &rec_out, &err), SL_OK);
    json_object_put(in);
    CU_ASSERT_TRUE_FATAL(json_object_object_get_ex(rec_out, "Records", &records));
    for(j = 0; j < json_object_array_length(records); j++) {
      struct json_object *r = json_object_array_get_idx(records, j), *d, *pk;
      struct sl_buf dec;
      size_t k;
      json_object_object_get_ex(r, "Data", &d);
      json_object_object_get_ex(r, "PartitionKey", &pk);
      sl_buf_init(&dec, 4096);
      CU_ASSERT_EQUAL(sl_base64_decode(json_object_get_string(d),
                                       (size_t)json_object_get_string_len(d), &dec), SL_OK);
      k = (size_t)atoi(json_object_get_string(pk) + 4);
      CU_ASSERT_FATAL(k < NREC);
      CU_ASSERT_EQUAL(dec.len, lens[k]);
      CU_ASSERT_EQUAL(memcmp(dec.data, data[k], lens[k]), 0);
      seen[k]++;
      got++;
      sl_buf_cleanup(&dec);
    }
    json_object_put(it_out);
    json_object_put(rec_out);
  }
  CU_ASSERT_EQUAL(got, NREC);
  for(i = 0; i < NREC; i++)
    CU_ASSERT_EQUAL(seen[i], 1);
  json_object_put(out);
}

static void test_delete(void)
{
  struct json_object *in = json_object_new_object();
  struct sl_error err;
  json_object_object_add(in, "StreamName", json_object_new_string(stream));
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_kinesis_call(&client, "DeleteStream", in, NULL, &err), SL_OK);
  json_object_put(in);
  {
    int i, gone = 0;
    for(i = 0; i < 100 && !gone; i++) {
      char st[32];
      gone = sl_kinesis_status(&client, stream, st, &err) == SL_E_NOT_FOUND;
      if(!gone)
        usleep(100 * 1000);
    }
    CU_ASSERT_TRUE(gone);
  }
}

static const struct sl_test tests[] = {
  { "create stream", test_create },
  { "put batch and read back", test_put_and_read_back },
  { "delete stream", test_delete },
  { NULL, NULL }
};

SL_TEST_MAIN("kinesis-integration", tests, setup, teardown)
