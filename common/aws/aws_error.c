/* aws_error.c — turns any error answer into code, message and request id:
 * S3 <Error>, Query <ErrorResponse><Error>, JSON "__type", the
 * x-amzn-ErrorType header, and answers that are none of these (HEAD, proxy
 * pages, garbage), which fall back to a code derived from the status. */
#include "sluice/aws.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>
#include <libxml/tree.h>

#define SNIPPET 64 /* bytes of an unparseable body quoted in the message */

static const char *status_code(long status)
{
  switch(status) {
  case 301: return "PermanentRedirect";
  case 302: return "Found";
  case 304: return "NotModified";
  case 307: return "TemporaryRedirect";
  case 400: return "BadRequest";
  case 401: return "Unauthorized";
  case 403: return "Forbidden";
  case 404: return "NotFound";
  case 405: return "MethodNotAllowed";
  case 409: return "Conflict";
  case 411: return "MissingContentLength";
  case 412: return "PreconditionFailed";
  case 413: return "RequestEntityTooLarge";
  case 416: return "InvalidRange";
  case 429: return "TooManyRequests";
  case 500: return "InternalError";
  case 501: return "NotImplemented";
  case 502: return "BadGateway";
  case 503: return "ServiceUnavailable";
  case 504: return "GatewayTimeout";
  }
  return NULL;
}

/* Copies a code, dropping a "namespace#" prefix and a ":uri" suffix. */
static void set_code(struct sl_error *err, const char *s, size_t n)
{
  const char *hash = memchr(s, '#', n), *colon;
  if(hash) {
    n -= (size_t)(hash + 1 - s);
    s = hash + 1;
  }
  colon = memchr(s, ':', n);
  if(colon)
    n = (size_t)(colon - s);
  while(n && isspace((unsigned char)*s)) {
    s++;
    n--;
  }
  while(n && isspace((unsigned char)s[n - 1]))
    n--;
  if(n >= sizeof(err->code))
    n = sizeof(err->code) - 1;
  memcpy(err->code, s, n);
  err->code[n] = 0;
}

static void set_text(char *dst, size_t dstlen, const char *s)
{
  size_t n = strlen(s);
  if(n >= dstlen) {
    n = dstlen - 4;
    memcpy(dst + n, "...", 4);
  }
  else
    dst[n] = 0;
  memcpy(dst, s, n);
}

/* First bytes of a body fit for a one-line message. */
static void snippet(const char *body, size_t len, char *out, size_t outlen)
{
  size_t i, n = len < SNIPPET ? len : SNIPPET, o = 0;
  for(i = 0; i < n && o + 1 < outlen; i++) {
    unsigned char c = (unsigned char)body[i];
    out[o++] = c == '\n' || c == '\r' || c == '\t' ? ' ' : (c >= 0x20 && c < 0x7f) ? (char)c : '.';
  }
  if(len > n && o + 4 < outlen) {
    memcpy(out + o, "...", 3);
    o += 3;
  }
  out[o] = 0;
}

static int parse_xml(const char *body, size_t len, struct sl_error *err)
{
  struct sl_error scratch;
  struct _xmlDoc *doc = sl_xml_parse(body, len, &scratch);
  char *code, *msg, *rid;
  int found;
  if(!doc)
    return 0;
  code = sl_xml_find_text(doc, "Code");
  msg = sl_xml_find_text(doc, "Message");
  rid = sl_xml_find_text(doc, "RequestId");
  if(!rid)
    rid = sl_xml_find_text(doc, "RequestID");
  found = code && code[0];
  if(found && !err->code[0]) /* the x-amzn-ErrorType header came first */
    set_code(err, code, strlen(code));
  if(msg && msg[0])
    set_text(err->message, sizeof(err->message), msg);
  if(rid && rid[0] && !err->request_id[0])
    set_text(err->request_id, sizeof(err->request_id), rid);
  xmlFree(code);
  xmlFree(msg);
  xmlFree(rid);
  xmlFreeDoc(doc);
  return found || err->message[0];
}

static const char *json_str(struct json_object *o, const char *k1, const char *k2)
{
  struct json_object *v;
  if((json_object_object_get_ex(o, k1, &v) || (k2 && json_object_object_get_ex(o, k2, &v))) &&
     json_object_is_type(v, json_type_string))
    return json_object_get_string(v);
  return NULL;
}

static int parse_json(const char *body, size_t len, struct sl_error *err)
{
  struct json_tokener *tok;
  struct json_object *o;
  const char *code, *msg;
  int found = 0;
  if(len > INT_MAX || !(tok = json_tokener_new_ex(16)))
    return 0;
  o = json_tokener_parse_ex(tok, body, (int)len);
  if(o && json_object_is_type(o, json_type_object)) {
    code = json_str(o, "__type", "code");
    if(!code)
      code = json_str(o, "Code", NULL);
    msg = json_str(o, "message", "Message");
    if(!msg)
      msg = json_str(o, "errorMessage", NULL);
    if(code && code[0] && !err->code[0]) {
      set_code(err, code, strlen(code));
      found = 1;
    }
    if(msg && msg[0]) {
      set_text(err->message, sizeof(err->message), msg);
      found = 1;
    }
  }
  json_object_put(o);
  json_tokener_free(tok);
  return found;
}

void sl_aws_parse_error(long status, const struct sl_headers *headers, const char *body,
                        size_t body_len, struct sl_error *err)
{
  const char *h, *p = body;
  size_t n = body_len;
  int parsed = 0;
  if(!err)
    return;
  err->result = SL_E_AWS;
  err->http_status = status;
  err->code[0] = err->message[0] = err->request_id[0] = 0;
  if(headers) {
    if((h = sl_headers_get(headers, "x-amzn-RequestId")) ||
       (h = sl_headers_get(headers, "x-amz-request-id")))
      set_text(err->request_id, sizeof(err->request_id), h);
    if((h = sl_headers_get(headers, "x-amzn-ErrorType")) && h[0])
      set_code(err, h, strlen(h));
  }
  if(!p)
    n = 0;
  /* Leading whitespace and a UTF-8 BOM do not decide the format. */
  if(n >= 3 && !memcmp(p, "\xef\xbb\xbf", 3)) {
    p += 3;
    n -= 3;
  }
  while(n && isspace((unsigned char)*p)) {
    p++;
    n--;
  }
  if(n && *p == '<')
    parsed = parse_xml(p, n, err);
  else if(n && *p == '{')
    parsed = parse_json(p, n, err);
  if(!err->code[0]) {
    /* S3 answers a denied HEAD (and some denied requests) with a bare 403:
     * that is its AccessDenied, not a proxy's "Forbidden" page. */
    const char *c = status == 403 && !n ? "AccessDenied" : status_code(status);
    if(c)
      set_code(err, c, strlen(c));
    else
      snprintf(err->code, sizeof(err->code), "Http%ld", status);
  }
  if(!err->message[0]) {
    char snip[SNIPPET * 2];
    const char *region = headers ? sl_headers_get(headers, "x-amz-bucket-region") : NULL;
    if(n && !parsed) {
      snippet(p, n, snip, sizeof(snip));
      snprintf(err->message, sizeof(err->message),
               "HTTP %ld with a body that is not an AWS error document: \"%s\"", status, snip);
    }
    else if(region && region[0])
      snprintf(err->message, sizeof(err->message),
               "HTTP %ld: the bucket is in region %.64s", status, region);
    else
      snprintf(err->message, sizeof(err->message), "HTTP %ld%s", status,
               n ? "" : " with no body");
  }
}
