/* s3.c — the S3 calls sluice makes (REST-XML): buckets and their hardening
 * sub-resources, objects, and ListObjectsV2 paging. */
#include "sluice/s3.h"
#include "sluice/log.h"
#include "s3_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#define S3_NS "http://s3.amazonaws.com/doc/2006-03-01/"

static void request(struct sl_aws_request *r, const char *method, const char *bucket,
                    const char *path, const char *query)
{
  memset(r, 0, sizeof(*r));
  r->svc = SL_SVC_S3;
  r->method = method;
  r->bucket = bucket;
  r->path = path;
  r->query = query;
}

/* "/" + key, URI-encoded with its slashes kept. */
static enum sl_result key_path(const char *key, struct sl_buf *out)
{
  enum sl_result r = sl_buf_init(out, 8192);
  if(!r)
    r = sl_buf_addc(out, '/');
  if(!r)
    r = sl_uri_encode(out, key, strlen(key), 1);
  return r;
}

/* Sends a request whose answer body is not needed. */
static enum sl_result send_discard(struct sl_client *c, const struct sl_aws_request *req,
                                   struct sl_error *err)
{
  struct sl_http_response resp;
  enum sl_result r;
  sl_http_response_init(&resp);
  r = sl_aws_send(c, req, &resp, err);
  sl_http_response_cleanup(&resp);
  return r;
}

static enum sl_result xml_escape(struct sl_buf *out, const char *s)
{
  enum sl_result r = SL_OK;
  for(; *s && !r; s++) {
    switch(*s) {
    case '<': r = sl_buf_adds(out, "&lt;"); break;
    case '>': r = sl_buf_adds(out, "&gt;"); break;
    case '&': r = sl_buf_adds(out, "&amp;"); break;
    case '"': r = sl_buf_adds(out, "&quot;"); break;
    case '\'': r = sl_buf_adds(out, "&apos;"); break;
    default: r = sl_buf_addc(out, *s);
    }
  }
  return r;
}

static void content_md5(const void *data, size_t len, char out[32])
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen = 0;
  EVP_Digest(data, len, md, &mdlen, EVP_md5(), NULL);
  EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
}

enum sl_result sl_s3_head_bucket(struct sl_client *c, const char *bucket, long *status,
                                 char region[64], struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_http_response resp;
  enum sl_result r;
  const char *hr;
  request(&req, "HEAD", bucket, "/", NULL);
  sl_http_response_init(&resp);
  r = sl_aws_send(c, &req, &resp, err);
  *status = resp.status;
  if(region) {
    hr = sl_headers_get(&resp.headers, "x-amz-bucket-region");
    snprintf(region, 64, "%s", hr ? hr : "");
  }
  if(r == SL_E_AWS && (resp.status == 403 || resp.status == 404 || resp.status == 301)) {
    sl_error_clear(err);
    r = SL_OK;
  }
  sl_http_response_cleanup(&resp);
  return r;
}

enum sl_result sl_s3_create_bucket(struct sl_client *c, const char *bucket, int *created,
                                   struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_buf body;
  enum sl_result r;
  const char *region = sl_client_config(c)->region;
  *created = 0;
  request(&req, "PUT", bucket, "/", NULL);
  sl_http_response_init(&resp);
  r = sl_buf_init(&body, 1024);
  /* us-east-1 is the one region that refuses its own name as constraint. */
  if(!r && strcmp(region, "us-east-1")) {
    r = sl_buf_printf(&body, "<CreateBucketConfiguration xmlns=\"" S3_NS "\"><LocationConstraint>"
                             "%s</LocationConstraint></CreateBucketConfiguration>", region);
    req.body = body.data;
    req.body_len = body.len;
    req.content_type = "application/xml";
  }
  if(!r) {
    r = sl_aws_send(c, &req, &resp, err);
    if(!r)
      *created = 1;
    else if(r == SL_E_AWS && !strcmp(err->code, "BucketAlreadyOwnedByYou")) {
      sl_error_clear(err);
      r = SL_OK;
    }
  }
  sl_buf_cleanup(&body);
  sl_http_response_cleanup(&resp);
  return r;
}

enum sl_result sl_s3_delete_bucket(struct sl_client *c, const char *bucket, struct sl_error *err)
{
  struct sl_aws_request req;
  request(&req, "DELETE", bucket, "/", NULL);
  return send_discard(c, &req, err);
}

/* S3's "no such configuration" codes per sub-resource. */
static int is_missing_config(const char *code)
{
  static const char *const codes[] = {
    "NoSuchPublicAccessBlockConfiguration", "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchBucketPolicy", "OwnershipControlsNotFoundError", "NoSuchTagSet",
    "NoSuchLifecycleConfiguration", NULL
  };
  int i;
  for(i = 0; codes[i]; i++)
    if(!strcmp(code, codes[i]))
      return 1;
  return 0;
}

enum sl_result sl_s3_get_subresource(struct sl_client *c, const char *bucket, const char *name,
                                     struct sl_buf *out, struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_http_response resp;
  enum sl_result r;
  request(&req, "GET", bucket, "/", name);
  req.max_response = 1024 * 1024;
  sl_http_response_init(&resp);
  r = sl_aws_send(c, &req, &resp, err);
  if(!r)
    r = sl_buf_add(out, resp.body.data, resp.body.len);
  else if(r == SL_E_AWS && is_missing_config(err->code))
    r = SL_E_NOT_FOUND;
  sl_http_response_cleanup(&resp);
  return r;
}

enum sl_result sl_s3_put_subresource(struct sl_client *c, const char *bucket, const char *name,
                                     const char *content_type, const char *body, size_t len,
                                     struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_headers h;
  char md5[32];
  enum sl_result r;
  request(&req, "PUT", bucket, "/", name);
  content_md5(body, len, md5);
  sl_headers_init(&h);
  r = sl_headers_add(&h, "Content-MD5", md5);
  req.headers = &h;
  req.body = body;
  req.body_len = len;
  req.content_type = content_type;
  if(!r)
    r = send_discard(c, &req, err);
  sl_headers_cleanup(&h);
  return r;
}

enum sl_result sl_s3_delete_subresource(struct sl_client *c, const char *bucket,
                                        const char *name, struct sl_error *err)
{
  struct sl_aws_request req;
  request(&req, "DELETE", bucket, "/", name);
  return send_discard(c, &req, err);
}

enum sl_result sl_s3_put_object(struct sl_client *c, const char *bucket, const char *key,
                                const void *data, size_t len, const char *content_type,
                                struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_buf path;
  enum sl_result r = key_path(key, &path);
  request(&req, "PUT", bucket, path.data, NULL);
  req.body = data;
  req.body_len = len;
  req.content_type = content_type ? content_type : "application/octet-stream";
  if(!r)
    r = send_discard(c, &req, err);
  sl_buf_cleanup(&path);
  return r;
}

enum sl_result sl_s3_get_object(struct sl_client *c, const char *bucket, const char *key,
                                struct sl_s3_get *g, struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_headers h;
  struct sl_buf path;
  enum sl_result r = key_path(key, &path);
  const char *v;
  sl_headers_init(&h);
  sl_http_response_init(&resp);
  request(&req, "GET", bucket, path.data, NULL);
  if(!r && g->range)
    r = sl_headers_add(&h, "Range", g->range);
  req.headers = &h;
  req.on_body = g->on_body;
  req.on_body_ud = g->ud;
  req.max_response = g->out ? g->out->max : 0;
  if(!r)
    r = sl_aws_send(c, &req, &resp, err);
  if(!r) {
    v = sl_headers_get(&resp.headers, "content-length");
    g->content_length = v ? strtoll(v, NULL, 10) : (long long)resp.body.len;
    v = sl_headers_get(&resp.headers, "etag");
    snprintf(g->etag, sizeof(g->etag), "%s", v ? v : "");
    v = sl_headers_get(&resp.headers, "content-type");
    snprintf(g->content_type, sizeof(g->content_type), "%s", v ? v : "");
    if(g->out && !g->on_body)
      r = sl_buf_add(g->out, resp.body.data, resp.body.len);
  }
  sl_headers_cleanup(&h);
  sl_buf_cleanup(&path);
  sl_http_response_cleanup(&resp);
  return r;
}

enum sl_result sl_s3_delete_object(struct sl_client *c, const char *bucket, const char *key,
                                   struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_buf path;
  enum sl_result r = key_path(key, &path);
  request(&req, "DELETE", bucket, path.data, NULL);
  if(!r)
    r = send_discard(c, &req, err);
  sl_buf_cleanup(&path);
  return r;
}

static xmlNode *child(xmlNode *n, const char *name)
{
  for(n = n ? n->children : NULL; n; n = n->next)
    if(n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name))
      return n;
  return NULL;
}

/* Text of a direct child, or "" when absent; valid while the doc lives. */
static const char *child_text(xmlNode *n, const char *name)
{
  xmlNode *c = child(n, name);
  if(c && c->children && c->children->type == XML_TEXT_NODE && c->children->content)
    return (const char *)c->children->content;
  return "";
}

enum sl_result sl_s3_delete_objects(struct sl_client *c, const char *bucket,
                                    const char *const *keys, size_t n, size_t *failed,
                                    struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_headers h;
  struct sl_buf body;
  char md5[32];
  size_t i;
  xmlDoc *doc = NULL;
  enum sl_result r;
  *failed = 0;
  if(n > 1000)
    return sl_error_set(err, SL_E_INVALID, NULL, "DeleteObjects takes at most 1000 keys, not %zu",
                        n);
  sl_headers_init(&h);
  sl_http_response_init(&resp);
  r = sl_buf_init(&body, 8u * 1024 * 1024);
  if(!r)
    r = sl_buf_adds(&body, "<Delete xmlns=\"" S3_NS "\"><Quiet>true</Quiet>");
  for(i = 0; i < n && !r; i++) {
    r = sl_buf_adds(&body, "<Object><Key>");
    if(!r)
      r = xml_escape(&body, keys[i]);
    if(!r)
      r = sl_buf_adds(&body, "</Key></Object>");
  }
  if(!r)
    r = sl_buf_adds(&body, "</Delete>");
  if(!r) {
    content_md5(body.data, body.len, md5);
    r = sl_headers_add(&h, "Content-MD5", md5);
  }
  request(&req, "POST", bucket, "/", "delete");
  req.headers = &h;
  req.body = body.data;
  req.body_len = body.len;
  req.content_type = "application/xml";
  if(!r)
    r = sl_aws_send(c, &req, &resp, err);
  if(!r && resp.body.len) {
    doc = sl_xml_parse(resp.body.data, resp.body.len, err);
    if(!doc)
      r = SL_E_PARSE;
    else {
      xmlNode *e;
      for(e = xmlDocGetRootElement(doc)->children; e; e = e->next)
        if(e->type == XML_ELEMENT_NODE && !strcmp((const char *)e->name, "Error")) {
          if(!*failed)
            sl_error_set(err, SL_E_AWS, child_text(e, "Code"), "%s: %s", child_text(e, "Key"),
                         child_text(e, "Message"));
          (*failed)++;
        }
    }
  }
  if(doc)
    xmlFreeDoc(doc);
  sl_buf_cleanup(&body);
  sl_headers_cleanup(&h);
  sl_http_response_cleanup(&resp);
  return r;
}

static enum sl_result add_param(struct sl_buf *q, const char *name, const char *value)
{
  enum sl_result r = SL_OK;
  if(q->len)
    r = sl_buf_addc(q, '&');
  if(!r)
    r = sl_buf_adds(q, name);
  if(!r)
    r = sl_buf_addc(q, '=');
  if(!r)
    r = sl_uri_encode(q, value, strlen(value), 0);
  return r;
}

/* Decodes an encoding-type=url value into tmp; returns tmp's text. */
static const char *url_decoded(struct sl_buf *tmp, const char *s, enum sl_result *r)
{
  sl_buf_reset(tmp);
  if(!*r)
    *r = sl_uri_decode(tmp, s, strlen(s), 1);
  return tmp->data;
}

static enum sl_result parse_page(xmlDoc *doc, const struct sl_s3_list *l, int url_encoded,
                                 char **next_token, int *stopped, struct sl_error *err)
{
  xmlNode *root = xmlDocGetRootElement(doc), *n;
  struct sl_buf key = { 0 }, pfx = { 0 }; /* cleanup is safe whichever init failed */
  enum sl_result r;
  *stopped = 0;
  if(!root || strcmp((const char *)root->name, "ListBucketResult"))
    return sl_error_set(err, SL_E_PARSE, NULL, "ListObjectsV2 answer is not a ListBucketResult");
  r = sl_buf_init(&key, 8192);
  if(!r)
    r = sl_buf_init(&pfx, 8192);
  for(n = root->children; n && !r && !*stopped; n = n->next) {
    if(n->type != XML_ELEMENT_NODE)
      continue;
    if(!strcmp((const char *)n->name, "Contents") && l->on_object) {
      struct sl_s3_object o;
      const char *k = child_text(n, "Key");
      o.key = url_encoded ? url_decoded(&key, k, &r) : k;
      o.size = strtoll(child_text(n, "Size"), NULL, 10);
      o.last_modified = child_text(n, "LastModified");
      o.etag = child_text(n, "ETag");
      if(!r && l->on_object(l->ud, &o))
        *stopped = 1;
    }
    else if(!strcmp((const char *)n->name, "CommonPrefixes") && l->on_prefix) {
      const char *p = child_text(n, "Prefix");
      p = url_encoded ? url_decoded(&pfx, p, &r) : p;
      if(!r && l->on_prefix(l->ud, p))
        *stopped = 1;
    }
  }
  if(!r && !strcmp(child_text(root, "IsTruncated"), "true")) {
    const char *t = child_text(root, "NextContinuationToken");
    if(!*t)
      r = sl_error_set(err, SL_E_PARSE, NULL,
                       "ListObjectsV2 answer is truncated but has no NextContinuationToken");
    else if(!(*next_token = sl_strdup(t)))
      r = SL_E_NOMEM;
  }
  sl_buf_cleanup(&key);
  sl_buf_cleanup(&pfx);
  return r;
}

enum sl_result sl_s3_parse_list_answer(const char *xml, size_t len, const struct sl_s3_list *l,
                                       char **next_token, int *stopped, struct sl_error *err)
{
  xmlDoc *doc = sl_xml_parse(xml, len, err);
  xmlNode *root;
  enum sl_result r;
  *next_token = NULL;
  *stopped = 0;
  if(!doc)
    return SL_E_PARSE;
  root = xmlDocGetRootElement(doc);
  r = parse_page(doc, l, root && !strcmp(child_text(root, "EncodingType"), "url"), next_token,
                 stopped, err);
  xmlFreeDoc(doc);
  return r;
}

static enum sl_result list_page(struct sl_client *c, const char *bucket,
                                const struct sl_s3_list *l, char **next_token, int *stopped,
                                struct sl_error *err)
{
  struct sl_aws_request req;
  struct sl_http_response resp;
  struct sl_buf q;
  char num[16];
  enum sl_result r;
  *next_token = NULL;
  sl_http_response_init(&resp);
  r = sl_buf_init(&q, 16384);
  if(!r)
    r = add_param(&q, "list-type", "2");
  if(!r)
    r = add_param(&q, "encoding-type", "url");
  if(!r && l->prefix && *l->prefix)
    r = add_param(&q, "prefix", l->prefix);
  if(!r && l->delimiter && *l->delimiter)
    r = add_param(&q, "delimiter", l->delimiter);
  if(!r && l->start_after && *l->start_after)
    r = add_param(&q, "start-after", l->start_after);
  if(!r && l->continuation_token && *l->continuation_token)
    r = add_param(&q, "continuation-token", l->continuation_token);
  if(!r && l->max_keys > 0) {
    snprintf(num, sizeof(num), "%d", l->max_keys);
    r = add_param(&q, "max-keys", num);
  }
  request(&req, "GET", bucket, "/", q.data);
  req.max_response = 8u * 1024 * 1024;
  if(!r)
    r = sl_aws_send(c, &req, &resp, err);
  if(!r)
    r = sl_s3_parse_list_answer(resp.body.data, resp.body.len, l, next_token, stopped, err);
  sl_buf_cleanup(&q);
  sl_http_response_cleanup(&resp);
  return r;
}

enum sl_result sl_s3_list_page(struct sl_client *c, const char *bucket,
                               const struct sl_s3_list *l, char **next_token,
                               struct sl_error *err)
{
  int stopped;
  return list_page(c, bucket, l, next_token, &stopped, err);
}

enum sl_result sl_s3_list_all(struct sl_client *c, const char *bucket, const struct sl_s3_list *l,
                              struct sl_error *err)
{
  struct sl_s3_list page = *l;
  char *token = NULL, *next = NULL;
  enum sl_result r = SL_OK;
  int stopped = 0;
  do {
    page.continuation_token = token ? token : l->continuation_token;
    r = list_page(c, bucket, &page, &next, &stopped, err);
    free(token);
    token = next;
    next = NULL;
  } while(!r && token && !stopped);
  free(token);
  return r;
}
