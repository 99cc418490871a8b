/* xml.c — safe parsing of XML answers (S3, IAM, STS) with libxml2: no
 * network, no DTD, no entities, bounded depth; plus the one lookup the
 * protocol code needs (text of the first element with a given name). */
#include "sluice/aws.h"

#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define MAX_DEPTH 64

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
  xmlInitParser();
}

/* A DOCTYPE is where entity bombs and external entities live; AWS never
 * sends one, so any document that has one is refused before parsing. */
static int has_doctype(const char *p, size_t n)
{
  static const char needle[] = "<!DOCTYPE";
  size_t k = sizeof(needle) - 1, i;
  for(i = 0; i + k <= n; i++)
    if(p[i] == '<' && !strncasecmp(p + i, needle, k))
      return 1;
  return 0;
}

/* 1 when an element sits deeper than MAX_DEPTH; node is at depth. */
static int too_deep(xmlNode *node, int depth)
{
  xmlNode *c;
  for(c = node; c; c = c->next) {
    if(c->type != XML_ELEMENT_NODE)
      continue;
    if(depth > MAX_DEPTH || (c->children && too_deep(c->children, depth + 1)))
      return 1;
  }
  return 0;
}

struct _xmlDoc *sl_xml_parse(const char *data, size_t len, struct sl_error *err)
{
  xmlParserCtxtPtr ctxt;
  xmlDocPtr doc;
  /* Without XML_PARSE_NOENT entities are never substituted, without
   * XML_PARSE_DTDLOAD no external subset is fetched, and NONET forbids any
   * network access should something still try. */
  int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  if(!data || !len)
    return sl_error_set(err, SL_E_PARSE, NULL, "empty XML document"), NULL;
  if(len > INT_MAX)
    return sl_error_set(err, SL_E_TOO_LARGE, NULL, "XML document too large"), NULL;
  if(has_doctype(data, len))
    return sl_error_set(err, SL_E_PARSE, NULL,
                        "XML answer refused: it has a DOCTYPE (possible entity attack)"), NULL;
  pthread_once(&xml_once, xml_init);
  ctxt = xmlNewParserCtxt();
  if(!ctxt)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory creating XML parser"), NULL;
  doc = xmlCtxtReadMemory(ctxt, data, (int)len, NULL, NULL, opts);
  if(!doc || !ctxt->wellFormed) {
    const char *why = ctxt->lastError.message ? ctxt->lastError.message : "not well-formed\n";
    size_t n = strlen(why);
    while(n && (why[n - 1] == '\n' || why[n - 1] == ' '))
      n--;
    sl_error_set(err, SL_E_PARSE, NULL, "XML answer does not parse (line %d): %.*s",
                 ctxt->lastError.line, (int)n, why);
    if(doc)
      xmlFreeDoc(doc);
    xmlFreeParserCtxt(ctxt);
    return NULL;
  }
  xmlFreeParserCtxt(ctxt);
  /* Another encoding (UTF-16) can hide a DOCTYPE from the byte scan. */
  if(doc->intSubset || doc->extSubset) {
    xmlFreeDoc(doc);
    return sl_error_set(err, SL_E_PARSE, NULL,
                        "XML answer refused: it has a DOCTYPE (possible entity attack)"), NULL;
  }
  if(!xmlDocGetRootElement(doc)) {
    xmlFreeDoc(doc);
    return sl_error_set(err, SL_E_PARSE, NULL, "XML answer has no root element"), NULL;
  }
  if(too_deep(xmlDocGetRootElement(doc), 1)) {
    xmlFreeDoc(doc);
    return sl_error_set(err, SL_E_PARSE, NULL,
                        "XML answer refused: nested deeper than %d levels", MAX_DEPTH), NULL;
  }
  return doc;
}

static xmlNode *find(xmlNode *node, const char *local_name)
{
  for(; node; node = node->next) {
    xmlNode *hit;
    if(node->type != XML_ELEMENT_NODE)
      continue;
    if(!strcmp((const char *)node->name, local_name))
      return node;
    hit = find(node->children, local_name);
    if(hit)
      return hit;
  }
  return NULL;
}

char *sl_xml_find_text(void *node, const char *local_name)
{
  xmlNode *n = node, *hit;
  if(!n || !local_name)
    return NULL;
  /* From a document the root element itself can match. */
  if(n->type == XML_DOCUMENT_NODE)
    hit = find(xmlDocGetRootElement((xmlDoc *)node), local_name);
  else
    hit = find(n->children, local_name);
  return hit ? (char *)xmlNodeGetContent(hit) : NULL;
}
