/* mini_server.h — a scripted HTTP/1.1 server for unit tests. It listens on
 * 127.0.0.1 (random free port) only, serves each connection in its own
 * thread with keep-alive, records every request, and lets the test decide
 * each answer through a handler, including broken ones (no reply, short
 * body, endless stream, delays). */
#ifndef SL_MINI_SERVER_H
#define SL_MINI_SERVER_H

#include <stddef.h>
#include "sluice/buf.h"

/* One request as it arrived. Header names keep the case used on the wire. */
struct sl_mini_request {
  char method[16];
  char target[4096];          /* request target as sent: "/path?query" */
  struct sl_headers headers;
  struct sl_buf body;         /* Content-Length bodies (and chunked ones, decoded) */
  int connection;             /* 1-based number of the connection it came on */
};

/* The answer, filled by the handler. All-zero means "200, empty body".
 * Pointers must stay valid until the handler's next call (static strings or
 * memory owned by the handler's ud are fine). */
struct sl_mini_response {
  int status;                 /* 0 = 200 */
  const char *headers;        /* raw header lines, each ending "\r\n"; may be NULL.
                                 Content-Length is added unless given here */
  const char *body;
  size_t body_len;            /* 0 with body != NULL: strlen(body) */
  int delay_ms;               /* wait before answering */
  int close_without_reply;    /* close the connection instead of answering */
  long long declared_length;  /* > 0: announce this Content-Length, send body_len
                                 bytes, then close (a short body = truncation) */
  int endless;                /* send headers without a length, then the body (or
                                 1 KiB of 'x') over and over until the client
                                 goes away or the server stops */
  int stream_interval_ms;     /* endless: pause between writes */
  const char *interim;        /* raw bytes sent before the status line, e.g.
                                 "HTTP/1.1 100 Continue\r\nX-A: 1\r\n\r\n" */
};

/* Called on the connection's thread; different connections may call it at
 * the same time, so a handler with state must lock it. */
typedef void (*sl_mini_handler)(void *ud, const struct sl_mini_request *req,
                                struct sl_mini_response *resp);

struct sl_mini_server;

/* NULL handler: every request gets "200, empty body". NULL on failure. */
struct sl_mini_server *sl_mini_start(sl_mini_handler fn, void *ud);
int sl_mini_port(const struct sl_mini_server *s);
/* "http://127.0.0.1:PORT", owned by the server. */
const char *sl_mini_url(const struct sl_mini_server *s);
/* Requests recorded so far; the pointers stay valid until sl_mini_stop or
 * sl_mini_reset. */
size_t sl_mini_request_count(struct sl_mini_server *s);
const struct sl_mini_request *sl_mini_request_at(struct sl_mini_server *s, size_t i);
/* Connections accepted so far (to prove keep-alive reuse). */
int sl_mini_connection_count(struct sl_mini_server *s);
/* Forgets recorded requests and zeroes the connection count. */
void sl_mini_reset(struct sl_mini_server *s);
/* Closes every connection, joins the threads, frees everything. NULL-safe. */
void sl_mini_stop(struct sl_mini_server *s);

#endif
