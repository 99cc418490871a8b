/* test_security.c — the security defaults of common/, checked end to end:
 * no secret in any log line even at TRACE, TLS verification that no option
 * turns off (a self-signed loopback server fails; trusting its certificate
 * through AWS_CA_BUNDLE makes it work; a name mismatch still fails), plain
 * http only to loopback, no temporary files left behind, and the warning
 * for a profile whose keys others can read.
 *
 * Cross-references: the loopback rule per host form is in test_config.c
 * (test_loopback, override cases) and test_http.c (test_refusals); the
 * permission warning's three modes are in test_creds.c
 * (test_profile_permission_warning). Here they are checked through a whole
 * client. */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "harness.h"
#include "mini_server.h"
#include "common/aws/aws_internal.h"
#include "sluice.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYzzSECRET"
#define TOKEN "FwoGZXIvYXdzEJr//////////wEaDTESTSESSIONTOKENzzz"
#define STS_SECRET "stsIssuedSecretKeyForTheTest/000000000"
#define STS_TOKEN "IQoJb3JpZ2luX2VjEStsIssuedSessionToken111"

/* ---- captured log ------------------------------------------------------- */

static struct sl_buf logged;

static void capture(void *ud, enum sl_log_level lvl, const char *line)
{
  (void)ud;
  (void)lvl;
  sl_buf_adds(&logged, line);
  sl_buf_addc(&logged, '\n');
}

/* ---- the plain loopback server ------------------------------------------ */

static struct sl_mini_server *srv;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int calls;

/* First answer of each call fails (so the retry path logs too), then
 * GetCallerIdentity / AssumeRole / JSON answers by what was asked. */
static void handler(void *ud, const struct sl_mini_request *req, struct sl_mini_response *resp)
{
  const char *body = req->body.data ? req->body.data : "";
  int n;
  (void)ud;
  pthread_mutex_lock(&lock);
  n = calls++;
  pthread_mutex_unlock(&lock);
  if(n % 2 == 0) {
    resp->status = 503;
    resp->body = "<Error><Code>ServiceUnavailable</Code><Message>slow down</Message></Error>";
    return;
  }
  if(strstr(body, "Action=AssumeRole"))
    resp->body = "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
                 "<AccessKeyId>ASIASTSISSUED</AccessKeyId>"
                 "<SecretAccessKey>" STS_SECRET "</SecretAccessKey>"
                 "<SessionToken>" STS_TOKEN "</SessionToken>"
                 "<Expiration>2099-01-01T00:00:00Z</Expiration>"
                 "</Credentials></AssumeRoleResult></AssumeRoleResponse>";
  else if(strstr(body, "Action=GetCallerIdentity"))
    resp->body = "<GetCallerIdentityResponse><GetCallerIdentityResult>"
                 "<Arn>arn:aws:iam::123456789012:user/u</Arn><UserId>AIDA</UserId>"
                 "<Account>123456789012</Account></GetCallerIdentityResult>"
                 "</GetCallerIdentityResponse>";
  else
    resp->body = "{\"FailedPutCount\":0,\"RequestResponses\":[{\"RecordId\":\"r1\"}]}";
  resp->headers = "x-amzn-RequestId: 11111111-2222-3333-4444-555555555555\r\n";
}

/* Each test starts with the server's fail-then-succeed rhythm in step. */
static void fresh(void)
{
  pthread_mutex_lock(&lock);
  calls = 0;
  pthread_mutex_unlock(&lock);
  sl_mini_reset(srv);
  sl_buf_reset(&logged);
}

static double zero_random(void *ud)
{
  (void)ud;
  return 0.0;
}

static const char *const env_unset[] = {
  "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
  "no_proxy", "NO_PROXY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", "AWS_REGION", "AWS_DEFAULT_REGION",
  "AWS_MAX_ATTEMPTS", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", NULL
};

static int suite_init(void)
{
  size_t i;
  /* The TLS server writes to clients that may have hung up already. */
  signal(SIGPIPE, SIG_IGN);
  for(i = 0; env_unset[i]; i++)
    unsetenv(env_unset[i]);
  setenv("AWS_CONFIG_FILE", "/nonexistent/sluice-test/config", 1);
  setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/sluice-test/credentials", 1);
  setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
  if(sl_buf_init(&logged, SL_BUF_MEDIUM))
    return 1;
  srv = sl_mini_start(handler, NULL);
  return !srv;
}

static int suite_cleanup(void)
{
  sl_log_set_sink(NULL, NULL);
  sl_log_set_level(SL_LOG_WARN);
  sl_mini_stop(srv);
  sl_buf_cleanup(&logged);
  return 0;
}

static void static_config(struct sl_aws_config *cfg, const char *endpoint)
{
  sl_aws_config_init(cfg);
  snprintf(cfg->region, sizeof(cfg->region), "us-east-1");
  snprintf(cfg->endpoint_url, sizeof(cfg->endpoint_url), "%s", endpoint);
  snprintf(cfg->static_access_key_id, sizeof(cfg->static_access_key_id), "AKIDSECURITYTEST");
  snprintf(cfg->static_secret_access_key, sizeof(cfg->static_secret_access_key), SECRET);
  cfg->static_session_token = sl_strdup(TOKEN);
  cfg->s3_force_path_style = 1;
  /* The connect timeout covers the TLS handshake, which under valgrind on a
   * busy machine takes seconds; these tests are about trust, not speed. */
  cfg->connect_timeout_ms = 60000;
}

/* The Authorization signature of every request the server saw. */
static void assert_signatures_absent(void)
{
  size_t i, n = sl_mini_request_count(srv), seen = 0;
  for(i = 0; i < n; i++) {
    const struct sl_mini_request *r = sl_mini_request_at(srv, i);
    const char *auth = sl_headers_get(&r->headers, "Authorization");
    const char *sig = auth ? strstr(auth, "Signature=") : NULL;
    if(!sig)
      continue;
    seen++;
    CU_ASSERT_EQUAL(strlen(sig + 10), 64);
    CU_ASSERT_PTR_NULL(strstr(logged.data, sig + 10));
    /* half of it neither: no partial leak either */
    {
      char half[33];
      memcpy(half, sig + 10 + 16, 32);
      half[32] = 0;
      CU_ASSERT_PTR_NULL(strstr(logged.data, half));
    }
  }
  CU_ASSERT(seen >= 4);
}

/* Signed JSON, S3 and Query calls, each retried once, with a session token,
 * plus an AssumeRole whose answer carries new secrets, all at TRACE: the
 * log shows the traffic and none of the secrets. */
static void test_no_secret_in_trace_log(void)
{
  struct sl_aws_config cfg;
  struct sl_client c;
  struct sl_error err;
  struct json_object *out = NULL;
  struct sl_creds assumed;
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_sts_identity who;
  char *mid;
  static_config(&cfg, sl_mini_url(srv));
  CU_ASSERT_EQUAL_FATAL(sl_client_init(&c, &cfg, NULL, &err), SL_OK);
  c.retry.random = zero_random;
  fresh();
  sl_log_set_level(SL_LOG_TRACE);
  sl_log_set_sink(capture, NULL);

  CU_ASSERT_EQUAL(sl_aws_json(&c, SL_SVC_FIREHOSE, "Firehose_20150804.PutRecordBatch", NULL,
                              &out, &err), SL_OK);
  json_object_put(out);
  memset(&req, 0, sizeof(req));
  req.svc = SL_SVC_S3;
  req.method = "GET";
  req.bucket = "logs-1";
  req.path = "/";
  req.query = "list-type=2&prefix=a%2Fb";
  sl_http_response_init(&resp);
  CU_ASSERT_EQUAL(sl_aws_send(&c, &req, &resp, &err), SL_OK);
  sl_http_response_cleanup(&resp);
  memset(&assumed, 0, sizeof(assumed));
  {
    const struct sl_creds *src = NULL;
    CU_ASSERT_EQUAL_FATAL(sl_creds_get(c.creds, &src, &err), SL_OK);
    CU_ASSERT_EQUAL(sl_sts_assume_role(c.http, &c.cfg, src, "arn:aws:iam::123456789012:role/r",
                                       "sess", NULL, 0, &assumed, &err), SL_OK);
    CU_ASSERT_EQUAL(sl_sts_get_caller_identity(c.http, &c.cfg, &assumed, &who, &err), SL_OK);
  }
  sl_log_set_sink(NULL, NULL);
  sl_log_set_level(SL_LOG_WARN);

  /* the log is there and is about this traffic */
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, "retrying"));
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, "> POST 127.0.0.1/"));
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, "Authorization: ****"));
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, "ASIASTSISSUED"));
  /* and holds no secret, token or signature, whole or in part */
  CU_ASSERT_PTR_NULL(strstr(logged.data, SECRET));
  CU_ASSERT_PTR_NULL(strstr(logged.data, TOKEN));
  CU_ASSERT_PTR_NULL(strstr(logged.data, STS_SECRET));
  CU_ASSERT_PTR_NULL(strstr(logged.data, STS_TOKEN));
  mid = sl_strndup(&SECRET[8], 16);
  CU_ASSERT_PTR_NULL(strstr(logged.data, mid));
  free(mid);
  mid = sl_strndup(&TOKEN[12], 16);
  CU_ASSERT_PTR_NULL(strstr(logged.data, mid));
  free(mid);
  assert_signatures_absent();
  sl_creds_cleanup(&assumed);
  sl_client_cleanup(&c);
}

/* ---- a tiny TLS server on loopback -------------------------------------- */

struct tls_server {
  int fd;
  int port;
  SSL_CTX *ctx;
  pthread_t thread;
  volatile int stop;
  int handshakes_ok;
  int handshakes_failed;
  int requests;           /* requests read and answered over TLS */
  char cert_path[512];
};

/* A P-256 key and a self-signed certificate for IP 127.0.0.1, written to
 * cert_path (PEM) for the client to trust or not. */
static int make_identity(struct tls_server *s)
{
  EVP_PKEY *key = EVP_EC_gen("P-256");
  X509 *x = X509_new();
  X509_NAME *name;
  X509V3_CTX v3;
  X509_EXTENSION *ext;
  FILE *f;
  int ok = key && x;
  static const struct {
    int nid;
    const char *value;
  } exts[] = {
    { NID_basic_constraints, "critical,CA:TRUE" },
    { NID_subject_key_identifier, "hash" },
    { NID_subject_alt_name, "IP:127.0.0.1" },
  };
  size_t i;
  if(ok) {
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"sluice test",
                               -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
    for(i = 0; ok && i < sizeof(exts) / sizeof(exts[0]); i++) {
      ext = X509V3_EXT_conf_nid(NULL, &v3, exts[i].nid, exts[i].value);
      ok = ext && X509_add_ext(x, ext, -1);
      X509_EXTENSION_free(ext);
    }
    ok = ok && X509_sign(x, key, EVP_sha256());
  }
  if(ok) {
    s->ctx = SSL_CTX_new(TLS_server_method());
    ok = s->ctx && SSL_CTX_use_certificate(s->ctx, x) && SSL_CTX_use_PrivateKey(s->ctx, key);
  }
  if(ok) {
    snprintf(s->cert_path, sizeof(s->cert_path), "%s/selfsigned.pem", sl_test_tmpdir());
    f = fopen(s->cert_path, "w");
    ok = f && PEM_write_X509(f, x);
    if(f)
      fclose(f);
  }
  X509_free(x);
  EVP_PKEY_free(key);
  return ok;
}

/* Reads the request head (and a Content-Length body) and answers 200. */
static void serve_one(struct tls_server *s, int cfd)
{
  SSL *ssl = SSL_new(s->ctx);
  char buf[16384];
  size_t got = 0;
  int n;
  if(!ssl) {
    close(cfd);
    return;
  }
  SSL_set_fd(ssl, cfd);
  if(SSL_accept(ssl) != 1) {
    __atomic_add_fetch(&s->handshakes_failed, 1, __ATOMIC_SEQ_CST);
    ERR_clear_error();
  }
  else {
    char *head_end = NULL;
    __atomic_add_fetch(&s->handshakes_ok, 1, __ATOMIC_SEQ_CST);
    while(got < sizeof(buf) - 1 && (n = SSL_read(ssl, buf + got, (int)(sizeof(buf) - 1 - got))) > 0) {
      const char *cl;
      got += (size_t)n;
      buf[got] = 0;
      head_end = strstr(buf, "\r\n\r\n");
      if(!head_end)
        continue;
      cl = strcasestr(buf, "\r\ncontent-length:");
      if(!cl || got >= (size_t)(head_end + 4 - buf) + strtoul(cl + 17, NULL, 10))
        break;
    }
    if(head_end) {
      static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
                               "Content-Length: 2\r\nConnection: close\r\n\r\n{}";
      /* counted before the answer: the client may check the count as soon
       * as it has read it (under valgrind it did, before this thread went on) */
      __atomic_add_fetch(&s->requests, 1, __ATOMIC_SEQ_CST);
      SSL_write(ssl, ok, (int)sizeof(ok) - 1);
    }
    SSL_shutdown(ssl);
  }
  SSL_free(ssl);
  close(cfd);
}

static void *tls_loop(void *ud)
{
  struct tls_server *s = ud;
  while(!s->stop) {
    struct pollfd p = { s->fd, POLLIN, 0 };
    int cfd;
    if(poll(&p, 1, 50) <= 0)
      continue;
    cfd = accept(s->fd, NULL, NULL);
    if(cfd >= 0)
      serve_one(s, cfd);
  }
  return NULL;
}

static int tls_start(struct tls_server *s)
{
  struct sockaddr_in a;
  socklen_t alen = sizeof(a);
  memset(s, 0, sizeof(*s));
  s->fd = -1;
  if(!make_identity(s))
    return 0;
  s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* 127.0.0.1 only */
  if(s->fd < 0 || bind(s->fd, (struct sockaddr *)&a, sizeof(a)) || listen(s->fd, 8) ||
     getsockname(s->fd, (struct sockaddr *)&a, &alen))
    return 0;
  s->port = ntohs(a.sin_port);
  return !pthread_create(&s->thread, NULL, tls_loop, s);
}

static void tls_stop(struct tls_server *s)
{
  s->stop = 1;
  if(s->port)
    pthread_join(s->thread, NULL);
  if(s->fd >= 0)
    close(s->fd);
  SSL_CTX_free(s->ctx);
}

/* Requests the server read: a client that rejects the certificate (curl
 * checks the name right after the handshake) never sends one. */
static int served(struct tls_server *s)
{
  return __atomic_load_n(&s->requests, __ATOMIC_SEQ_CST);
}

static enum sl_result https_get(const char *url, const char *ca_bundle, int allow_plain,
                                long *status, struct sl_error *err)
{
  struct sl_http_options o;
  struct sl_http_request req;
  struct sl_http_response resp;
  struct sl_http *h;
  enum sl_result r;
  memset(&o, 0, sizeof(o));
  o.ca_bundle = ca_bundle;
  o.allow_plain_http = allow_plain;
  /* Generous: under valgrind on a busy machine, loading the system CA store
   * and the handshake take seconds, and a timeout would hide the verdict. */
  o.connect_timeout_ms = 30000;
  o.timeout_ms = 60000;
  h = sl_http_new(&o);
  if(!h)
    return SL_E_NOMEM;
  memset(&req, 0, sizeof(req));
  req.method = "GET";
  req.url = url;
  sl_http_response_init(&resp);
  sl_error_clear(err);
  r = sl_http_perform(h, &req, &resp, err);
  *status = resp.status;
  sl_http_response_cleanup(&resp);
  sl_http_free(h);
  return r;
}

/* Verification is on whatever the options say: an untrusted certificate
 * fails (even with plain http allowed), a trusted one works, and a trusted
 * certificate for another name fails. */
static void test_tls_always_verified(void)
{
  struct tls_server s;
  struct sl_error err;
  char url[128], byname[128];
  long status;
  CU_ASSERT_FATAL(tls_start(&s));
  snprintf(url, sizeof(url), "https://127.0.0.1:%d/", s.port);
  snprintf(byname, sizeof(byname), "https://localhost:%d/", s.port);

  CU_ASSERT_EQUAL(https_get(url, NULL, 0, &status, &err), SL_E_NETWORK);
  CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "certificate"));
  CU_ASSERT_EQUAL(status, 0);
  CU_ASSERT_EQUAL(https_get(url, NULL, 1, &status, &err), SL_E_NETWORK);
  CU_ASSERT_EQUAL(served(&s), 0);

  CU_ASSERT_EQUAL(https_get(url, s.cert_path, 0, &status, &err), SL_OK);
  CU_ASSERT_EQUAL(status, 200);
  CU_ASSERT_EQUAL(served(&s), 1);

  /* the certificate names IP 127.0.0.1, not "localhost" */
  CU_ASSERT_EQUAL(https_get(byname, s.cert_path, 0, &status, &err), SL_E_NETWORK);
  CU_ASSERT_EQUAL(served(&s), 1);
  tls_stop(&s);
}

/* Through the whole client: AWS_CA_BUNDLE is how a user trusts a private
 * endpoint, and the only way; without it the same call fails. */
static void test_tls_ca_bundle_from_env(void)
{
  struct tls_server s;
  struct sl_aws_config cfg;
  struct sl_client c;
  struct sl_error err;
  struct json_object *out = NULL;
  char url[128];
  int pass;
  CU_ASSERT_FATAL(tls_start(&s));
  snprintf(url, sizeof(url), "https://127.0.0.1:%d", s.port);
  for(pass = 0; pass < 2; pass++) {
    if(pass)
      setenv("AWS_CA_BUNDLE", s.cert_path, 1);
    static_config(&cfg, url);
    cfg.max_attempts = 1;
    CU_ASSERT_EQUAL_FATAL(sl_aws_config_from_env(&cfg, &err), SL_OK);
    CU_ASSERT_EQUAL_FATAL(sl_client_init(&c, &cfg, NULL, &err), SL_OK);
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_aws_json(&c, SL_SVC_FIREHOSE, "Firehose_20150804.ListDeliveryStreams",
                                NULL, &out, &err), pass ? SL_OK : SL_E_NETWORK);
    if(out)
      json_object_put(out);
    out = NULL;
    sl_client_cleanup(&c);
  }
  unsetenv("AWS_CA_BUNDLE");
  CU_ASSERT_EQUAL(served(&s), 1);
  tls_stop(&s);
}

/* An untrusted certificate and an unreadable CA bundle are not retried:
 * each fails on its first attempt with its code, while a refused
 * connection (transient) gets every attempt. */
static void test_lasting_errors_not_retried(void)
{
  static const struct { const char *ca; const char *code; } cases[] = {
    { NULL, SL_CODE_CERT_VERIFY },
    { "/nonexistent/sluice-ca.pem", SL_CODE_CA_BUNDLE },
  };
  struct tls_server s;
  struct sl_aws_config cfg;
  struct sl_client c;
  struct sl_error err;
  struct json_object *out = NULL;
  char url[128];
  size_t i;
  int fd, port;
  struct sockaddr_in a;
  socklen_t al = sizeof(a);
  CU_ASSERT_FATAL(tls_start(&s));
  snprintf(url, sizeof(url), "https://127.0.0.1:%d", s.port);
  for(i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
    static_config(&cfg, url);
    cfg.max_attempts = 3;
    if(cases[i].ca)
      snprintf(cfg.ca_bundle, sizeof(cfg.ca_bundle), "%s", cases[i].ca);
    CU_ASSERT_EQUAL_FATAL(sl_client_init(&c, &cfg, NULL, &err), SL_OK);
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_aws_json(&c, SL_SVC_FIREHOSE, "Firehose_20150804.ListDeliveryStreams",
                                NULL, &out, &err), SL_E_NETWORK);
    CU_ASSERT_STRING_EQUAL(err.code, cases[i].code);
    CU_ASSERT_EQUAL(err.attempts, 1);
    sl_client_cleanup(&c);
  }
  CU_ASSERT_EQUAL(served(&s), 0);
  tls_stop(&s);
  /* a port nobody listens on: refused, a transient failure */
  fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof(a));
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CU_ASSERT_FATAL(fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
                  !getsockname(fd, (struct sockaddr *)&a, &al));
  port = ntohs(a.sin_port);
  close(fd);
  snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
  static_config(&cfg, url);
  cfg.max_attempts = 3;
  CU_ASSERT_EQUAL_FATAL(sl_client_init(&c, &cfg, NULL, &err), SL_OK);
  sl_error_clear(&err);
  CU_ASSERT_EQUAL(sl_aws_json(&c, SL_SVC_FIREHOSE, "Firehose_20150804.ListDeliveryStreams",
                              NULL, &out, &err), SL_E_NETWORK);
  CU_ASSERT_STRING_EQUAL(err.code, "");
  CU_ASSERT_EQUAL(err.attempts, 3);
  sl_client_cleanup(&c);
}

/* A send to a server whose certificate is not trusted stops after its
 * first request (every other would fail the same way); the records it did
 * not send are failures that say so, not lost. Inline, then with a worker
 * (where batches queued behind the failed one are not sent). */
static void test_send_stops_on_lasting_error(void)
{
  struct tls_server s;
  struct sl_aws_config cfg;
  struct sl_client c;
  struct sl_error err;
  struct sl_send_options o;
  struct sl_send_result res;
  struct sl_sender *snd = NULL;
  char url[128];
  int i, added, pass;
  size_t k, cert, not_sent;
  CU_ASSERT_FATAL(tls_start(&s));
  snprintf(url, sizeof(url), "https://127.0.0.1:%d", s.port);
  for(pass = 0; pass < 2; pass++) {
    static_config(&cfg, url);
    CU_ASSERT_EQUAL_FATAL(sl_client_init(&c, &cfg, NULL, &err), SL_OK);
    static_config(&cfg, url); /* the client took the first */
    sl_send_options_init(&o);
    o.target = SL_SEND_FIREHOSE;
    o.stream = "s";
    o.batch_size = 10;
    o.concurrency = pass; /* 0: each full batch goes out in the add that fills it */
    o.retry_base_s = 0.01;
    CU_ASSERT_EQUAL_FATAL(sl_sender_new(&snd, &o, &cfg, NULL, &c, &err), SL_OK);
    for(i = 0, added = 0; i < 5000; i++, added++)
      if(sl_sender_add(snd, "{\"a\":1}", 7, NULL, &err))
        break;
    CU_ASSERT(added < 5000);
    CU_ASSERT_STRING_EQUAL(err.code, SL_CODE_CERT_VERIFY);
    if(!pass) /* the 10th add sent the first ten; the 11th was refused */
      CU_ASSERT_EQUAL(added, 10);
    sl_send_result_init(&res);
    sl_error_clear(&err);
    CU_ASSERT_EQUAL(sl_sender_finish(snd, &res, &err), SL_E_NETWORK);
    CU_ASSERT_STRING_EQUAL(err.code, SL_CODE_CERT_VERIFY);
    CU_ASSERT_EQUAL(res.requests, 1);
    CU_ASSERT_EQUAL(res.delivered, 0);
    CU_ASSERT_EQUAL(res.duplicates_possible, 0);
    CU_ASSERT_EQUAL(res.failed, (uint64_t)added);
    CU_ASSERT_EQUAL(res.nfailures, (size_t)added);
    for(k = cert = not_sent = 0; k < res.nfailures; k++) {
      cert += !strcmp(res.failures[k].error_code, SL_CODE_CERT_VERIFY);
      not_sent += !strcmp(res.failures[k].error_code, "NotSent") &&
                  strstr(res.failures[k].error_message,
                         "not sent: the send stopped at " SL_CODE_CERT_VERIFY ": ") != NULL;
    }
    CU_ASSERT_EQUAL(cert, 10);
    CU_ASSERT_EQUAL(not_sent, (size_t)added - 10);
    sl_send_result_cleanup(&res);
    sl_sender_free(snd);
    sl_client_cleanup(&c);
    sl_aws_config_cleanup(&cfg);
  }
  CU_ASSERT_EQUAL(served(&s), 0);
  tls_stop(&s);
}

/* Plain http to a host that is not loopback is refused by the client before
 * any connection; loopback is fine (that is how every test here runs). */
static void test_plain_http_loopback_only(void)
{
  static const char *const remote[] = { "http://192.0.2.10", "http://example.com:8080",
                                        "http://127.0.0.1.nip.io" };
  size_t i;
  for(i = 0; i < sizeof(remote) / sizeof(remote[0]); i++) {
    struct sl_aws_config cfg;
    struct sl_client c;
    struct sl_error err;
    struct json_object *out = NULL;
    time_t t0;
    enum sl_result r;
    static_config(&cfg, remote[i]);
    cfg.max_attempts = 1;
    CU_ASSERT_EQUAL_FATAL(sl_client_init(&c, &cfg, NULL, &err), SL_OK);
    t0 = time(NULL);
    r = sl_aws_json(&c, SL_SVC_FIREHOSE, "Firehose_20150804.ListDeliveryStreams", NULL, &out,
                    &err);
    CU_ASSERT(r == SL_E_CONFIG || r == SL_E_INVALID);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "http"));
    CU_ASSERT(time(NULL) - t0 < 3);
    CU_ASSERT_PTR_NULL(out);
    sl_client_cleanup(&c);
  }
}

/* Nothing common/ does leaves files in TMPDIR: credential_process runs
 * through pipes, answers stay in memory. */
static void test_no_temporary_files(void)
{
  char tmp[600], conf[600];
  struct sl_aws_config cfg;
  struct sl_client c;
  struct sl_error err;
  struct json_object *out = NULL;
  DIR *d;
  struct dirent *e;
  int entries = 0;
  FILE *f;
  snprintf(tmp, sizeof(tmp), "%s/empty-tmp", sl_test_tmpdir());
  snprintf(conf, sizeof(conf), "%s/aws-config", sl_test_tmpdir());
  fresh();
  CU_ASSERT_EQUAL_FATAL(mkdir(tmp, 0700), 0);
  f = fopen(conf, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fprintf(f, "[default]\ncredential_process = printf '{\"Version\": 1, \"AccessKeyId\": "
             "\"AKIDPROC\", \"SecretAccessKey\": \"%s\"}'\n", SECRET);
  fclose(f);
  setenv("TMPDIR", tmp, 1);
  setenv("AWS_CONFIG_FILE", conf, 1);
  sl_aws_config_init(&cfg);
  snprintf(cfg.region, sizeof(cfg.region), "us-east-1");
  snprintf(cfg.endpoint_url, sizeof(cfg.endpoint_url), "%s", sl_mini_url(srv));
  CU_ASSERT_EQUAL_FATAL(sl_client_init(&c, &cfg, NULL, &err), SL_OK);
  c.retry.random = zero_random;
  CU_ASSERT_EQUAL(sl_aws_json(&c, SL_SVC_FIREHOSE, "Firehose_20150804.PutRecordBatch", NULL,
                              &out, &err), SL_OK);
  json_object_put(out);
  sl_client_cleanup(&c);
  setenv("AWS_CONFIG_FILE", "/nonexistent/sluice-test/config", 1);
  unsetenv("TMPDIR");
  d = opendir(tmp);
  CU_ASSERT_PTR_NOT_NULL_FATAL(d);
  while((e = readdir(d)))
    if(strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
      entries++;
  closedir(d);
  CU_ASSERT_EQUAL(entries, 0);
}

/* Keys in a sluice profile others can read: one warning naming the file
 * and the fix, on the first call, not on every call. */
static void test_readable_profile_warns(void)
{
  char path[600];
  struct sl_aws_config cfg;
  struct sl_client c;
  struct sl_error err;
  struct json_object *out = NULL;
  FILE *f;
  int i;
  const char *first;
  snprintf(path, sizeof(path), "%s/sluice.ini", sl_test_tmpdir());
  f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs("[aws]\naccess_key_id = AKIDSECURITYTEST\n", f);
  fclose(f);
  chmod(path, 0644);
  static_config(&cfg, sl_mini_url(srv));
  CU_ASSERT_EQUAL_FATAL(sl_client_init(&c, &cfg, path, &err), SL_OK);
  c.retry.random = zero_random;
  fresh();
  sl_log_set_sink(capture, NULL);
  for(i = 0; i < 2; i++) {
    CU_ASSERT_EQUAL(sl_aws_json(&c, SL_SVC_FIREHOSE, "Firehose_20150804.PutRecordBatch", NULL,
                                &out, &err), SL_OK);
    json_object_put(out);
    out = NULL;
  }
  sl_log_set_sink(NULL, NULL);
  first = strstr(logged.data, "readable by group and others");
  CU_ASSERT_PTR_NOT_NULL(first);
  CU_ASSERT_PTR_NOT_NULL(strstr(logged.data, "chmod 600"));
  CU_ASSERT_PTR_NULL(first ? strstr(first + 1, "readable by") : NULL);
  sl_client_cleanup(&c);
}

static const struct sl_test tests[] = {
  { "no secret, token or signature in a TRACE log", test_no_secret_in_trace_log },
  { "TLS verified: self-signed fails, trusted works, wrong name fails",
    test_tls_always_verified },
  { "AWS_CA_BUNDLE is what makes a private CA work", test_tls_ca_bundle_from_env },
  { "lasting errors (certificate, CA bundle) are not retried", test_lasting_errors_not_retried },
  { "a send stops at a lasting error", test_send_stops_on_lasting_error },
  { "plain http only to loopback", test_plain_http_loopback_only },
  { "no temporary files left", test_no_temporary_files },
  { "readable profile with keys warns once", test_readable_profile_warns },
  { NULL, NULL }
};

SL_TEST_MAIN("security", tests, suite_init, suite_cleanup)
