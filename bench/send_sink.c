/* send_sink.c — a loopback sink for the send benchmark: answers every
 * PutRecordBatch / PutRecords with all entries accepted, as fast as it can,
 * so the clients measured are the bottleneck, not the sink. No signature
 * check, no storage: it counts "Data" members to size the answer.
 *
 * Usage: send_sink  — binds 127.0.0.1 on a free port, prints
 * "http://127.0.0.1:PORT" on stdout, serves until killed; one thread per
 * connection, keep-alive, Expect: 100-continue honoured. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define HDR_MAX 16384
#define BODY_MAX (64u * 1024 * 1024)

static int write_all(int fd, const char *p, size_t n)
{
  while(n) {
    ssize_t w = write(fd, p, n);
    if(w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* The answer for n entries, built once per size and kept. */
static char *answer(size_t n, int kinesis, size_t *len)
{
  static const char fh_entry[] = "{\"RecordId\":\"49543463076548007577105092703039560359975228518395012\"}";
  static const char kin_entry[] = "{\"SequenceNumber\":\"49543463076548007577105092703039560359975228518395012\","
                                  "\"ShardId\":\"shardId-000000000000\"}";
  const char *entry = kinesis ? kin_entry : fh_entry;
  size_t el = strlen(entry), cap = 128 + n * (el + 1), i;
  char *b = malloc(cap), *p = b;
  if(!b)
    return NULL;
  p += sprintf(p, kinesis ? "{\"FailedRecordCount\":0,\"Records\":[" :
                            "{\"FailedPutCount\":0,\"Encrypted\":false,\"RequestResponses\":[");
  for(i = 0; i < n; i++) {
    if(i)
      *p++ = ',';
    memcpy(p, entry, el);
    p += el;
  }
  p += sprintf(p, "]}");
  *len = (size_t)(p - b);
  return b;
}

static size_t count_data(const char *b, size_t n)
{
  size_t c = 0;
  const char *p = b, *end = b + n;
  while((p = memmem(p, (size_t)(end - p), "\"Data\"", 6))) {
    c++;
    p += 6;
  }
  return c;
}

static void *serve(void *arg)
{
  int fd = (int)(long)arg;
  char *hdr = malloc(HDR_MAX), *body = malloc(BODY_MAX);
  char *cache[2][501] = { { 0 } };
  size_t cache_len[2][501], have = 0;
  while(hdr && body) {
    char *end, *cl, head[256];
    size_t hlen, blen = 0, got, n, alen;
    int kinesis, hn;
    ssize_t k;
    while(!(end = memmem(hdr, have, "\r\n\r\n", 4))) {
      if(have == HDR_MAX || (k = read(fd, hdr + have, HDR_MAX - have)) <= 0)
        goto done;
      have += (size_t)k;
    }
    hlen = (size_t)(end - hdr) + 4;
    hdr[hlen - 1] = 0;
    for(cl = hdr; (cl = strcasestr(cl, "\ncontent-length:")); cl++)
      blen = strtoul(cl + 16, NULL, 10);
    kinesis = strcasestr(hdr, "Kinesis_20131202") != NULL;
    if(blen > BODY_MAX)
      goto done;
    if(strcasestr(hdr, "\nexpect: 100-continue") && write_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25))
      goto done;
    got = have - hlen < blen ? have - hlen : blen;
    memcpy(body, hdr + hlen, got);
    memmove(hdr, hdr + hlen + got, have - hlen - got);
    have -= hlen + got;
    while(got < blen) {
      if((k = read(fd, body + got, blen - got)) <= 0)
        goto done;
      got += (size_t)k;
    }
    if(strcasestr(hdr, "Kinesis_20131202.ListShards")) {
      /* one open shard over the whole hash range (KPL aggregation asks) */
      static const char shards[] = "{\"Shards\":[{\"ShardId\":\"shardId-000000000000\","
        "\"HashKeyRange\":{\"StartingHashKey\":\"0\",\"EndingHashKey\":"
        "\"340282366920938463463374607431768211455\"},\"SequenceNumberRange\":"
        "{\"StartingSequenceNumber\":\"1\"}}]}";
      hn = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1"
                    "\r\nx-amzn-RequestId: sink\r\nContent-Length: %zu\r\n\r\n", sizeof(shards) - 1);
      if(write_all(fd, head, (size_t)hn) || write_all(fd, shards, sizeof(shards) - 1))
        goto done;
      continue;
    }
    n = count_data(body, blen);
    if(n > 500)
      n = 500;
    if(!cache[kinesis][n] && !(cache[kinesis][n] = answer(n, kinesis, &cache_len[kinesis][n])))
      goto done;
    alen = cache_len[kinesis][n];
    hn = snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                  "x-amzn-RequestId: sink\r\nContent-Length: %zu\r\n\r\n", alen);
    if(write_all(fd, head, (size_t)hn) || write_all(fd, cache[kinesis][n], alen))
      goto done;
  }
done:
  for(have = 0; have < 501; have++) {
    free(cache[0][have]);
    free(cache[1][have]);
  }
  free(hdr);
  free(body);
  close(fd);
  return NULL;
}

int main(void)
{
  struct sockaddr_in a;
  socklen_t al = sizeof(a);
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if(s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 64) ||
     getsockname(s, (struct sockaddr *)&a, &al)) {
    perror("send_sink");
    return 1;
  }
  printf("http://127.0.0.1:%d\n", ntohs(a.sin_port));
  fflush(stdout);
  for(;;) {
    pthread_t t;
    int c = accept(s, NULL, NULL);
    if(c < 0)
      continue;
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if(pthread_create(&t, NULL, serve, (void *)(long)c))
      close(c);
    else
      pthread_detach(t);
  }
}
