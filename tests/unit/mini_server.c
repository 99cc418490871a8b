/* mini_server.c — scripted HTTP/1.1 server on 127.0.0.1 for unit tests: one
 * accept thread, one thread per connection, keep-alive, recorded requests.
 * Every blocking wait also watches a stop pipe so sl_mini_stop never hangs. */
#include "mini_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_HEAD (64 * 1024)
#define MAX_BODY (64u * 1024u * 1024u)

struct conn {
  struct sl_mini_server *srv;
  pthread_t thread;
  int fd;
  int number;
  struct conn *next;
};

struct sl_mini_server {
  int listen_fd;
  int stop_pipe[2];
  int port;
  char url[64];
  sl_mini_handler fn;
  void *ud;
  pthread_t accept_thread;
  pthread_mutex_t lock;
  struct sl_mini_request **reqs;
  size_t nreqs, capreqs;
  int connections;
  struct conn *conns;
};

/* Waits until fd is ready for `events` or the server stops; 1 = ready. */
static int wait_fd(struct sl_mini_server *s, int fd, short events, int timeout_ms)
{
  struct pollfd p[2];
  p[0].fd = fd;
  p[0].events = events;
  p[1].fd = s->stop_pipe[0];
  p[1].events = POLLIN;
  for(;;) {
    int n = poll(p, 2, timeout_ms);
    if(n < 0 && errno == EINTR)
      continue;
    if(n <= 0 || (p[1].revents & POLLIN))
      return 0;
    return 1;
  }
}

/* Sleeps ms, waking early when the server stops; 0 = stopped. */
static int pause_ms(struct sl_mini_server *s, int ms)
{
  struct pollfd p = { s->stop_pipe[0], POLLIN, 0 };
  int n;
  do
    n = poll(&p, 1, ms);
  while(n < 0 && errno == EINTR);
  return n == 0;
}

static int send_all(struct sl_mini_server *s, int fd, const char *p, size_t n)
{
  while(n) {
    ssize_t w;
    if(!wait_fd(s, fd, POLLOUT, -1))
      return -1;
    w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if(w < 0 && (errno == EAGAIN || errno == EINTR))
      continue;
    if(w <= 0)
      return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Reads more bytes into in; 0 on EOF, error or stop. */
static int read_more(struct sl_mini_server *s, int fd, struct sl_buf *in)
{
  char tmp[16384];
  ssize_t n;
  if(!wait_fd(s, fd, POLLIN, -1))
    return 0;
  do
    n = recv(fd, tmp, sizeof(tmp), 0);
  while(n < 0 && errno == EINTR);
  if(n <= 0)
    return 0;
  return sl_buf_add(in, tmp, (size_t)n) == SL_OK;
}

static void request_free(struct sl_mini_request *r)
{
  if(r) {
    sl_headers_cleanup(&r->headers);
    sl_buf_cleanup(&r->body);
    free(r);
  }
}

static const char *reason(int status)
{
  switch(status) {
  case 100: return "Continue";
  case 200: return "OK";
  case 204: return "No Content";
  case 301: return "Moved Permanently";
  case 302: return "Found";
  case 304: return "Not Modified";
  case 307: return "Temporary Redirect";
  case 400: return "Bad Request";
  case 403: return "Forbidden";
  case 404: return "Not Found";
  case 429: return "Too Many Requests";
  case 500: return "Internal Server Error";
  case 502: return "Bad Gateway";
  case 503: return "Service Unavailable";
  case 504: return "Gateway Timeout";
  }
  return "Status";
}

static int has_header_line(const char *raw, const char *name)
{
  size_t n = strlen(name);
  const char *p = raw;
  while(p && *p) {
    if(!strncasecmp(p, name, n) && p[n] == ':')
      return 1;
    p = strstr(p, "\r\n");
    if(p)
      p += 2;
  }
  return 0;
}

/* Parses the head in in->data[0, head_len) into req; -1 when malformed. */
static int parse_head(const char *p, size_t head_len, struct sl_mini_request *req)
{
  const char *end = p + head_len, *eol = strstr(p, "\r\n");
  const char *sp1, *sp2;
  if(!eol || eol > end)
    return -1;
  sp1 = memchr(p, ' ', (size_t)(eol - p));
  sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
  if(!sp1 || !sp2 || (size_t)(sp1 - p) >= sizeof(req->method) ||
     (size_t)(sp2 - sp1 - 1) >= sizeof(req->target))
    return -1;
  memcpy(req->method, p, (size_t)(sp1 - p));
  req->method[sp1 - p] = 0;
  memcpy(req->target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
  req->target[sp2 - sp1 - 1] = 0;
  p = eol + 2;
  while(p < end) {
    const char *colon, *v;
    eol = strstr(p, "\r\n");
    if(!eol || eol == p)
      break;
    colon = memchr(p, ':', (size_t)(eol - p));
    if(!colon)
      return -1;
    v = colon + 1;
    while(v < eol && (*v == ' ' || *v == '\t'))
      v++;
    if(sl_headers_addn(&req->headers, p, (size_t)(colon - p), v, (size_t)(eol - v)))
      return -1;
    p = eol + 2;
  }
  return 0;
}

/* Moves the first n bytes out of in. */
static void consume(struct sl_buf *in, size_t n)
{
  memmove(in->data, in->data + n, in->len - n);
  in->len -= n;
  in->data[in->len] = 0;
}

/* Reads a chunked body into req->body; -1 on error. */
static int read_chunked(struct sl_mini_server *s, int fd, struct sl_buf *in,
                        struct sl_mini_request *req)
{
  for(;;) {
    char *eol;
    unsigned long long size;
    while(!(eol = strstr(in->data, "\r\n")))
      if(!read_more(s, fd, in))
        return -1;
    size = strtoull(in->data, NULL, 16);
    consume(in, (size_t)(eol - in->data) + 2);
    if(size > MAX_BODY)
      return -1;
    while(in->len < size + 2)
      if(!read_more(s, fd, in))
        return -1;
    if(size == 0) {
      /* no trailers expected: the final CRLF */
      consume(in, 2);
      return 0;
    }
    if(sl_buf_add(&req->body, in->data, (size_t)size))
      return -1;
    consume(in, (size_t)size + 2);
  }
}

static void record(struct sl_mini_server *s, struct sl_mini_request *req)
{
  pthread_mutex_lock(&s->lock);
  if(s->nreqs == s->capreqs) {
    size_t ncap = s->capreqs ? s->capreqs * 2 : 16;
    struct sl_mini_request **v = realloc(s->reqs, ncap * sizeof(*v));
    if(v) {
      s->reqs = v;
      s->capreqs = ncap;
    }
  }
  if(s->nreqs < s->capreqs)
    s->reqs[s->nreqs++] = req;
  else
    request_free(req);
  pthread_mutex_unlock(&s->lock);
}

/* Writes the answer; returns 1 to keep the connection open. */
static int answer_body(struct sl_mini_server *s, int fd, const struct sl_mini_request *req,
                       const struct sl_mini_response *resp, int client_close)
{
  struct sl_buf out;
  int status = resp->status ? resp->status : 200;
  size_t blen = resp->body ? (resp->body_len ? resp->body_len : strlen(resp->body)) : 0;
  const char *raw = resp->headers ? resp->headers : "";
  int keep = !client_close && !resp->declared_length && !resp->endless &&
             !strstr(raw, "Connection: close");
  int is_head = !strcmp(req->method, "HEAD");
  int ok;

  if(resp->delay_ms && !pause_ms(s, resp->delay_ms))
    return 0;
  if(resp->close_without_reply)
    return 0;
  if(sl_buf_init(&out, MAX_HEAD))
    return 0;
  if(resp->interim)
    sl_buf_adds(&out, resp->interim);
  sl_buf_printf(&out, "HTTP/1.1 %d %s\r\n%s", status, reason(status), raw);
  if(resp->endless)
    sl_buf_adds(&out, "Connection: close\r\n");
  else if(!has_header_line(raw, "Content-Length") &&
          !has_header_line(raw, "Transfer-Encoding"))
    sl_buf_printf(&out, "Content-Length: %lld\r\n",
                  resp->declared_length > 0 ? resp->declared_length : (long long)blen);
  if(!keep && !resp->endless && !strstr(raw, "Connection: close"))
    sl_buf_adds(&out, "Connection: close\r\n");
  sl_buf_adds(&out, "\r\n");
  ok = !send_all(s, fd, out.data, out.len);
  sl_buf_cleanup(&out);
  if(ok && !is_head && blen)
    ok = !send_all(s, fd, resp->body, blen);
  if(ok && resp->endless) {
    char fill[1024];
    const char *chunk = resp->body ? resp->body : fill;
    size_t clen = resp->body ? blen : sizeof(fill);
    memset(fill, 'x', sizeof(fill));
    while(ok && clen) {
      if(resp->stream_interval_ms && !pause_ms(s, resp->stream_interval_ms))
        break;
      ok = !send_all(s, fd, chunk, clen);
    }
    return 0;
  }
  return ok && keep;
}

/* The body is copied before anything is sent: a client may stop reading
 * early (a bounded or refused answer) and its test free the body while
 * this thread is still sending. */
static int answer(struct sl_mini_server *s, int fd, const struct sl_mini_request *req,
                  const struct sl_mini_response *resp, int client_close)
{
  struct sl_mini_response own = *resp;
  size_t blen = resp->body ? (resp->body_len ? resp->body_len : strlen(resp->body)) : 0;
  char *copy = NULL;
  int keep;
  if(blen) {
    if(!(copy = malloc(blen)))
      return 0;
    memcpy(copy, resp->body, blen);
    own.body = copy;
    own.body_len = blen;
  }
  keep = answer_body(s, fd, req, &own, client_close);
  free(copy);
  return keep;
}

static void *conn_main(void *arg)
{
  struct conn *c = arg;
  struct sl_mini_server *s = c->srv;
  struct sl_buf in;
  if(sl_buf_init(&in, MAX_HEAD + MAX_BODY))
    goto done;
  for(;;) {
    struct sl_mini_request *req;
    struct sl_mini_response resp;
    char *head_end;
    size_t head_len;
    const char *v;
    int client_close;

    while(!(head_end = strstr(in.data, "\r\n\r\n"))) {
      if(in.len > MAX_HEAD || !read_more(s, c->fd, &in))
        goto done;
    }
    head_len = (size_t)(head_end - in.data) + 4;
    req = calloc(1, sizeof(*req));
    if(!req)
      goto done;
    sl_headers_init(&req->headers);
    req->connection = c->number;
    if(sl_buf_init(&req->body, MAX_BODY) || parse_head(in.data, head_len, req)) {
      request_free(req);
      goto done;
    }
    consume(&in, head_len);
    v = sl_headers_get(&req->headers, "Expect");
    if(v && !strcasecmp(v, "100-continue") &&
       send_all(s, c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25)) {
      request_free(req);
      goto done;
    }
    v = sl_headers_get(&req->headers, "Transfer-Encoding");
    if(v && !strcasecmp(v, "chunked")) {
      if(read_chunked(s, c->fd, &in, req)) {
        request_free(req);
        goto done;
      }
    }
    else if((v = sl_headers_get(&req->headers, "Content-Length"))) {
      unsigned long long cl = strtoull(v, NULL, 10);
      if(cl > MAX_BODY) {
        request_free(req);
        goto done;
      }
      while(in.len < cl)
        if(!read_more(s, c->fd, &in)) {
          request_free(req);
          goto done;
        }
      sl_buf_add(&req->body, in.data, (size_t)cl);
      consume(&in, (size_t)cl);
    }
    v = sl_headers_get(&req->headers, "Connection");
    client_close = v && !strcasecmp(v, "close");
    record(s, req);
    memset(&resp, 0, sizeof(resp));
    if(s->fn)
      s->fn(s->ud, req, &resp);
    if(!answer(s, c->fd, req, &resp, client_close))
      goto done;
  }
done:
  sl_buf_cleanup(&in);
  shutdown(c->fd, SHUT_RDWR);
  return NULL;
}

static void *accept_main(void *arg)
{
  struct sl_mini_server *s = arg;
  for(;;) {
    struct conn *c;
    int fd;
    if(!wait_fd(s, s->listen_fd, POLLIN, -1))
      break;
    fd = accept(s->listen_fd, NULL, NULL);
    if(fd < 0)
      continue;
    c = calloc(1, sizeof(*c));
    if(!c) {
      close(fd);
      continue;
    }
    c->srv = s;
    c->fd = fd;
    pthread_mutex_lock(&s->lock);
    c->number = ++s->connections;
    c->next = s->conns;
    s->conns = c;
    pthread_mutex_unlock(&s->lock);
    if(pthread_create(&c->thread, NULL, conn_main, c)) {
      /* leave it on the list with fd closed; stop skips the join */
      c->fd = -1;
      close(fd);
    }
  }
  return NULL;
}

struct sl_mini_server *sl_mini_start(sl_mini_handler fn, void *ud)
{
  struct sl_mini_server *s = calloc(1, sizeof(*s));
  struct sockaddr_in a;
  socklen_t alen = sizeof(a);
  int one = 1;
  if(!s)
    return NULL;
  s->fn = fn;
  s->ud = ud;
  s->listen_fd = -1;
  s->stop_pipe[0] = s->stop_pipe[1] = -1;
  pthread_mutex_init(&s->lock, NULL);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if(pipe(s->stop_pipe) ||
     (s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
     setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
     bind(s->listen_fd, (struct sockaddr *)&a, sizeof(a)) ||
     listen(s->listen_fd, 64) ||
     getsockname(s->listen_fd, (struct sockaddr *)&a, &alen)) {
    perror("mini_server");
    goto fail;
  }
  s->port = ntohs(a.sin_port);
  snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
  if(pthread_create(&s->accept_thread, NULL, accept_main, s))
    goto fail;
  return s;
fail:
  if(s->listen_fd >= 0)
    close(s->listen_fd);
  if(s->stop_pipe[0] >= 0) {
    close(s->stop_pipe[0]);
    close(s->stop_pipe[1]);
  }
  pthread_mutex_destroy(&s->lock);
  free(s);
  return NULL;
}

int sl_mini_port(const struct sl_mini_server *s)
{
  return s->port;
}

const char *sl_mini_url(const struct sl_mini_server *s)
{
  return s->url;
}

size_t sl_mini_request_count(struct sl_mini_server *s)
{
  size_t n;
  pthread_mutex_lock(&s->lock);
  n = s->nreqs;
  pthread_mutex_unlock(&s->lock);
  return n;
}

const struct sl_mini_request *sl_mini_request_at(struct sl_mini_server *s, size_t i)
{
  const struct sl_mini_request *r = NULL;
  pthread_mutex_lock(&s->lock);
  if(i < s->nreqs)
    r = s->reqs[i];
  pthread_mutex_unlock(&s->lock);
  return r;
}

int sl_mini_connection_count(struct sl_mini_server *s)
{
  int n;
  pthread_mutex_lock(&s->lock);
  n = s->connections;
  pthread_mutex_unlock(&s->lock);
  return n;
}

void sl_mini_reset(struct sl_mini_server *s)
{
  size_t i;
  pthread_mutex_lock(&s->lock);
  for(i = 0; i < s->nreqs; i++)
    request_free(s->reqs[i]);
  s->nreqs = 0;
  s->connections = 0;
  pthread_mutex_unlock(&s->lock);
}

void sl_mini_stop(struct sl_mini_server *s)
{
  struct conn *c;
  if(!s)
    return;
  if(write(s->stop_pipe[1], "x", 1) != 1)
    perror("mini_server stop");
  pthread_join(s->accept_thread, NULL);
  /* The accept thread is gone: the list no longer changes. */
  c = s->conns;
  while(c) {
    struct conn *next = c->next;
    if(c->fd >= 0) {
      pthread_join(c->thread, NULL);
      close(c->fd);
    }
    free(c);
    c = next;
  }
  sl_mini_reset(s);
  free(s->reqs);
  close(s->listen_fd);
  close(s->stop_pipe[0]);
  close(s->stop_pipe[1]);
  pthread_mutex_destroy(&s->lock);
  free(s);
}
