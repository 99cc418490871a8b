/* send_bench.c — the send engine's cost: reads an NDJSON file the way
 * `provision send` does (lines, delimiter newline) and sends it to Firehose
 * at ENDPOINT with N workers, then prints records/s and the process's CPU
 * seconds (user + system, getrusage) per 100,000 records. Speed is measured
 * here only, never in the tests.
 *
 * Then, in the same process, the floor under that figure: the CPU seconds
 * OpenSSL needs for the SHA-256 of exactly as many request body bytes as
 * were sent (SigV4 signs every body; Firehose and Kinesis take no
 * UNSIGNED-PAYLOAD), in bodies of the same size, and the CPU seconds of
 * sluice's base64 over the record bytes (the body carries them base64).
 *
 * Usage: send_bench --endpoint URL [--concurrency N] [--batch-size N]
 *                   [--aggregate] [--kinesis] FILE
 * Three lines: records, delivered, requests, seconds, records/s, cpu_user,
 * cpu_sys, cpu_per_100k; then bill service_records, billed_bytes and the
 * estimate without aggregation; then floor body_bytes, record_bytes, sha256_s,
 * base64_s, sha256_per_100k, base64_per_100k (best of three timings). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sluice.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(int user)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return user ? ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 :
                ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static double thread_cpu(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds for the SHA-256 of total bytes in pieces of body bytes (one
 * digest per request, as the signer does), best of three. */
static double sha256_cpu(uint64_t total, size_t body)
{
  unsigned char md[32], *buf = malloc(body ? body : 1);
  double best = -1;
  int run;
  if(!buf)
    return -1;
  memset(buf, 'e', body);
  for(run = 0; run < 3; run++) {
    uint64_t left = total;
    double t0 = thread_cpu(), t;
    while(left) {
      size_t n = left < body ? (size_t)left : body;
      unsigned mdlen;
      EVP_Digest(buf, n, md, &mdlen, EVP_sha256(), NULL);
      left -= n;
    }
    t = thread_cpu() - t0;
    if(best < 0 || t < best)
      best = t;
  }
  free(buf);
  return best;
}

/* CPU seconds of base64 over total bytes of 1 KiB records, best of three. */
static double base64_cpu(uint64_t total, size_t rec)
{
  struct sl_buf out;
  char *in = malloc(rec);
  double best = -1;
  int run;
  if(!in || sl_buf_init(&out, rec * 2 + 16)) {
    free(in);
    return -1;
  }
  memset(in, 'r', rec);
  for(run = 0; run < 3; run++) {
    uint64_t left = total;
    double t0 = thread_cpu(), t;
    while(left) {
      size_t n = left < rec ? (size_t)left : rec;
      sl_buf_reset(&out);
      sl_base64_encode(in, n, &out);
      left -= n;
    }
    t = thread_cpu() - t0;
    if(best < 0 || t < best)
      best = t;
  }
  sl_buf_cleanup(&out);
  free(in);
  return best;
}

static enum sl_result add(void *ud, const char *p, size_t n, const struct sl_send_where *w)
{
  return sl_sender_add(ud, p, n, w, NULL);
}

int main(int argc, char **argv)
{
  struct sl_aws_config cfg;
  struct sl_send_options o;
  struct sl_send_input in;
  struct sl_send_result res;
  struct sl_sender *s = NULL;
  struct sl_error err;
  const char *endpoint = NULL, *file = NULL;
  double t0, t1, u0, s0, u1, s1;
  int i, fd;
  sl_send_options_init(&o);
  o.target = SL_SEND_FIREHOSE;
  o.stream = "bench";
  for(i = 1; i < argc; i++) {
    if(!strcmp(argv[i], "--endpoint") && i + 1 < argc)
      endpoint = argv[++i];
    else if(!strcmp(argv[i], "--concurrency") && i + 1 < argc)
      o.concurrency = atoi(argv[++i]);
    else if(!strcmp(argv[i], "--batch-size") && i + 1 < argc)
      o.batch_size = (size_t)atoi(argv[++i]);
    else if(!strcmp(argv[i], "--aggregate"))
      o.aggregate = 1;
    else if(!strcmp(argv[i], "--kinesis")) {
      o.target = SL_SEND_KINESIS;
      o.partition_key_field = "user";
    }
    else
      file = argv[i];
  }
  if(!endpoint || !file) {
    fprintf(stderr, "usage: send_bench --endpoint URL [--concurrency N] [--batch-size N] "
            "[--aggregate] [--kinesis] FILE\n");
    return 2;
  }
  sl_aws_config_init(&cfg);
  snprintf(cfg.region, sizeof(cfg.region), "us-east-1");
  snprintf(cfg.endpoint_url, sizeof(cfg.endpoint_url), "%s", endpoint);
  snprintf(cfg.static_access_key_id, sizeof(cfg.static_access_key_id), "test");
  snprintf(cfg.static_secret_access_key, sizeof(cfg.static_secret_access_key), "test");
  sl_error_clear(&err);
  sl_send_result_init(&res);
  u0 = cpu(1);
  s0 = cpu(0);
  t0 = now();
  if(sl_sender_new(&s, &o, &cfg, NULL, NULL, &err)) {
    fprintf(stderr, "send_bench: %s\n", err.message);
    return 1;
  }
  memset(&in, 0, sizeof(in));
  in.format = SL_SEND_LINES;
  in.record_max = o.target == SL_SEND_KINESIS ? SL_KINESIS_MAX_RECORD_BYTES :
                                               SL_FIREHOSE_MAX_RECORD_BYTES;
  in.on_record = add;
  in.ud = s;
  fd = open(file, O_RDONLY);
  if(fd < 0 || sl_send_read(&in, fd, file, -1, &err) || sl_sender_finish(s, &res, &err)) {
    fprintf(stderr, "send_bench: %s\n", fd < 0 ? "cannot open the input" : err.message);
    return 1;
  }
  close(fd);
  sl_sender_free(s);
  t1 = now();
  u1 = cpu(1);
  s1 = cpu(0);
  printf("records %llu delivered %llu requests %llu seconds %.3f records_per_s %.0f "
         "cpu_user %.3f cpu_sys %.3f cpu_per_100k %.3f\n",
         (unsigned long long)res.total, (unsigned long long)res.delivered,
         (unsigned long long)res.requests, t1 - t0, (double)res.delivered / (t1 - t0),
         u1 - u0, s1 - s0, (u1 - u0 + s1 - s0) * 100000.0 / (double)(res.total ? res.total : 1));
  printf("bill service_records %llu billed_bytes %llu aggregated_records %llu "
         "aggregated_billed_bytes %llu\n", (unsigned long long)res.service_records,
         (unsigned long long)res.billed_bytes, (unsigned long long)res.aggregated_records,
         (unsigned long long)res.aggregated_billed_bytes);
  {
    uint64_t n = res.total ? res.total : 1, reqs = res.requests ? res.requests : 1;
    size_t rec = (size_t)(res.bytes / (res.delivered ? res.delivered : 1));
    double sha = sha256_cpu(res.request_bytes, (size_t)(res.request_bytes / reqs));
    double b64 = base64_cpu(res.bytes, rec ? rec : 1);
    printf("floor body_bytes %llu record_bytes %llu sha256_s %.4f base64_s %.4f "
           "sha256_per_100k %.4f base64_per_100k %.4f\n",
           (unsigned long long)res.request_bytes, (unsigned long long)res.bytes, sha, b64,
           sha * 100000.0 / (double)n, b64 * 100000.0 / (double)n);
  }
  i = res.failed ? 1 : 0;
  sl_send_result_cleanup(&res);
  sl_aws_config_cleanup(&cfg);
  return i;
}
