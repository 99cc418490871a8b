/* iam.c — IAM roles, trust policies, inline and attached role policies,
 * permissions boundaries and role tags over the Query protocol
 * (sl_aws_query), with IAM's URL-encoded policy documents decoded on the
 * way out. */
#include "sluice/iam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/tree.h>

/* One Query call; NoSuchEntity becomes SL_E_NOT_FOUND. */
static enum sl_result call(struct sl_client *c, const char *action,
                           const struct sl_headers *params, xmlDoc **doc,
                           struct sl_error *err)
{
  xmlDoc *tmp = NULL;
  enum sl_result r = sl_aws_query(c, SL_SVC_IAM, action, SL_IAM_VERSION, params,
                                  doc ? doc : &tmp, err);
  xmlFreeDoc(tmp);
  if(r == SL_E_AWS && err && !strcmp(err->code, "NoSuchEntity")) {
    err->result = SL_E_NOT_FOUND;
    r = SL_E_NOT_FOUND;
  }
  return r;
}

static enum sl_result add(struct sl_headers *h, const char *name, const char *value,
                          struct sl_error *err)
{
  if(sl_headers_add(h, name, value))
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  return SL_OK;
}

/* Tags.member.N.Key / .Value for each pair. */
static enum sl_result add_tags(struct sl_headers *h, const struct sl_headers *tags,
                               struct sl_error *err)
{
  enum sl_result r = SL_OK;
  size_t i;
  char name[64];
  for(i = 0; !r && tags && i < tags->n; i++) {
    snprintf(name, sizeof(name), "Tags.member.%zu.Key", i + 1);
    r = add(h, name, tags->v[i].name, err);
    snprintf(name, sizeof(name), "Tags.member.%zu.Value", i + 1);
    if(!r) r = add(h, name, tags->v[i].value, err);
  }
  return r;
}

/* Copies the text of the first element named `name` below node into out;
 * 0 when absent or too long. */
static int copy_text(void *node, const char *name, char *out, size_t outlen)
{
  char *t = sl_xml_find_text(node, name);
  int ok = t && strlen(t) < outlen;
  if(ok)
    snprintf(out, outlen, "%s", t);
  xmlFree(t);
  return ok;
}

/* A URL-encoded policy document from the answer, decoded into out. */
static enum sl_result decoded_document(xmlDoc *doc, const char *name, struct sl_buf *out,
                                       struct sl_error *err)
{
  char *t = sl_xml_find_text(doc, name);
  enum sl_result r;
  sl_buf_reset(out);
  if(!t)
    return sl_error_set(err, SL_E_PARSE, NULL, "IAM answer has no %s", name);
  r = sl_uri_decode(out, t, strlen(t), 0);
  xmlFree(t);
  if(r)
    sl_error_set(err, r, NULL, "IAM %s cannot be decoded", name);
  return r;
}

static xmlNode *first_element(xmlNode *n, const char *name)
{
  for(; n; n = n->next) {
    xmlNode *hit;
    if(n->type != XML_ELEMENT_NODE)
      continue;
    if(!strcmp((const char *)n->name, name))
      return n;
    if((hit = first_element(n->children, name)))
      return hit;
  }
  return NULL;
}

/* Calls on_member for each <member> child of list (NULL: none); a non-zero
 * return from it is an error already set in err. */
static enum sl_result each_member(xmlNode *list,
                                  enum sl_result (*on_member)(xmlNode *m, void *ud,
                                                              struct sl_error *err),
                                  void *ud, struct sl_error *err)
{
  xmlNode *m;
  enum sl_result r = SL_OK;
  for(m = list ? list->children : NULL; m && !r; m = m->next)
    if(m->type == XML_ELEMENT_NODE && !strcmp((const char *)m->name, "member"))
      r = on_member(m, ud, err);
  return r;
}

static enum sl_result tag_member(xmlNode *m, void *ud, struct sl_error *err)
{
  char key[129], value[257];
  if(!copy_text(m, "Key", key, sizeof(key)))
    return sl_error_set(err, SL_E_PARSE, NULL, "IAM tag without a usable Key");
  if(!copy_text(m, "Value", value, sizeof(value)))
    value[0] = '\0';
  return add(ud, key, value, err);
}

static enum sl_result parse_role(xmlDoc *doc, struct sl_iam_role *out, struct sl_error *err)
{
  struct sl_buf b;
  enum sl_result r;
  char *t;
  if(!copy_text(doc, "RoleName", out->name, sizeof(out->name)) ||
     !copy_text(doc, "Arn", out->arn, sizeof(out->arn)))
    return sl_error_set(err, SL_E_PARSE, NULL, "IAM role answer has no RoleName/Arn");
  copy_text(doc, "RoleId", out->role_id, sizeof(out->role_id));
  out->boundary[0] = '\0';
  copy_text(doc, "PermissionsBoundaryArn", out->boundary, sizeof(out->boundary));
  sl_headers_cleanup(&out->tags);
  sl_headers_init(&out->tags);
  r = each_member(first_element(xmlDocGetRootElement(doc), "Tags"), tag_member, &out->tags, err);
  if(r)
    return r;
  free(out->trust_policy);
  out->trust_policy = NULL;
  t = sl_xml_find_text(doc, "AssumeRolePolicyDocument");
  if(!t)
    return SL_OK;
  xmlFree(t);
  r = sl_buf_init(&b, SL_IAM_MAX_POLICY);
  if(!r) r = decoded_document(doc, "AssumeRolePolicyDocument", &b, err);
  if(!r)
    out->trust_policy = sl_buf_steal(&b);
  sl_buf_cleanup(&b);
  return r;
}

void sl_iam_role_init(struct sl_iam_role *r)
{
  memset(r, 0, sizeof(*r));
}

void sl_iam_role_cleanup(struct sl_iam_role *r)
{
  free(r->trust_policy);
  sl_headers_cleanup(&r->tags);
  sl_iam_role_init(r);
}

enum sl_result sl_iam_get_role(struct sl_client *c, const char *name, struct sl_iam_role *out,
                               struct sl_error *err)
{
  struct sl_headers p;
  xmlDoc *doc = NULL;
  enum sl_result r;
  sl_headers_init(&p);
  r = add(&p, "RoleName", name, err);
  if(!r) r = call(c, "GetRole", &p, &doc, err);
  if(!r) r = parse_role(doc, out, err);
  xmlFreeDoc(doc);
  sl_headers_cleanup(&p);
  return r;
}

enum sl_result sl_iam_create_role(struct sl_client *c, const char *name, const char *trust_policy,
                                  const char *description, const char *boundary,
                                  const struct sl_headers *tags, struct sl_iam_role *out,
                                  struct sl_error *err)
{
  struct sl_headers p;
  xmlDoc *doc = NULL;
  enum sl_result r;
  sl_headers_init(&p);
  r = add(&p, "RoleName", name, err);
  if(!r) r = add(&p, "Path", "/", err);
  if(!r) r = add(&p, "AssumeRolePolicyDocument", trust_policy, err);
  if(!r && description) r = add(&p, "Description", description, err);
  if(!r && boundary && boundary[0]) r = add(&p, "PermissionsBoundary", boundary, err);
  if(!r) r = add_tags(&p, tags, err);
  if(!r) r = call(c, "CreateRole", &p, &doc, err);
  if(!r && out) r = parse_role(doc, out, err);
  xmlFreeDoc(doc);
  sl_headers_cleanup(&p);
  return r;
}

/* The calls that answer nothing worth reading: action with name/value pairs. */
static enum sl_result simple(struct sl_client *c, const char *action, struct sl_error *err,
                             const char *n1, const char *v1, const char *n2, const char *v2,
                             const char *n3, const char *v3)
{
  struct sl_headers p;
  enum sl_result r;
  sl_headers_init(&p);
  r = add(&p, n1, v1, err);
  if(!r && n2) r = add(&p, n2, v2, err);
  if(!r && n3) r = add(&p, n3, v3, err);
  if(!r) r = call(c, action, &p, NULL, err);
  sl_headers_cleanup(&p);
  return r;
}

enum sl_result sl_iam_update_assume_role_policy(struct sl_client *c, const char *name,
                                                const char *trust_policy, struct sl_error *err)
{
  return simple(c, "UpdateAssumeRolePolicy", err, "RoleName", name, "PolicyDocument",
                trust_policy, NULL, NULL);
}

enum sl_result sl_iam_delete_role(struct sl_client *c, const char *name, struct sl_error *err)
{
  return simple(c, "DeleteRole", err, "RoleName", name, NULL, NULL, NULL, NULL);
}

enum sl_result sl_iam_put_role_policy(struct sl_client *c, const char *role,
                                      const char *policy_name, const char *document,
                                      struct sl_error *err)
{
  return simple(c, "PutRolePolicy", err, "RoleName", role, "PolicyName", policy_name,
                "PolicyDocument", document);
}

enum sl_result sl_iam_delete_role_policy(struct sl_client *c, const char *role,
                                         const char *policy_name, struct sl_error *err)
{
  return simple(c, "DeleteRolePolicy", err, "RoleName", role, "PolicyName", policy_name, NULL,
                NULL);
}

enum sl_result sl_iam_get_role_policy(struct sl_client *c, const char *role,
                                      const char *policy_name, struct sl_buf *out,
                                      struct sl_error *err)
{
  struct sl_headers p;
  xmlDoc *doc = NULL;
  enum sl_result r;
  sl_headers_init(&p);
  r = add(&p, "RoleName", role, err);
  if(!r) r = add(&p, "PolicyName", policy_name, err);
  if(!r) r = call(c, "GetRolePolicy", &p, &doc, err);
  if(!r) r = decoded_document(doc, "PolicyDocument", out, err);
  xmlFreeDoc(doc);
  sl_headers_cleanup(&p);
  return r;
}


/* One listing, every page: on_page reads a page (the answer's root) and
 * sets *stop to end early. Marker/IsTruncated paging, bounded. */
static enum sl_result list_pages(struct sl_client *c, const char *action, const char *role,
                                 enum sl_result (*on_page)(xmlNode *root, void *ud, int *stop,
                                                           struct sl_error *err),
                                 void *ud, struct sl_error *err)
{
  char marker[1024] = "";
  enum sl_result r = SL_OK;
  int stop = 0, pages = 0;
  while(!r && !stop) {
    struct sl_headers p;
    xmlDoc *doc = NULL;
    char truncated[8] = "";
    sl_headers_init(&p);
    r = add(&p, "RoleName", role, err);
    if(!r && marker[0]) r = add(&p, "Marker", marker, err);
    if(!r) r = call(c, action, &p, &doc, err);
    if(!r) r = on_page(xmlDocGetRootElement(doc), ud, &stop, err);
    if(!r && !stop) {
      copy_text(doc, "IsTruncated", truncated, sizeof(truncated));
      if(strcmp(truncated, "true"))
        stop = 1;
      else if(!copy_text(doc, "Marker", marker, sizeof(marker)) || ++pages > 1000)
        r = sl_error_set(err, SL_E_PARSE, NULL, "%s: truncated answer without a usable Marker",
                         action);
    }
    xmlFreeDoc(doc);
    sl_headers_cleanup(&p);
  }
  return r;
}

struct name_cb {
  int (*on_name)(void *ud, const char *name);
  int (*on_policy)(void *ud, const char *arn, const char *name);
  void *ud;
  int *stop;
};

static enum sl_result name_member(xmlNode *m, void *ud, struct sl_error *err)
{
  struct name_cb *cb = ud;
  xmlChar *t;
  if(*cb->stop)
    return SL_OK;
  t = xmlNodeGetContent(m);
  if(!t)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  *cb->stop = cb->on_name(cb->ud, (const char *)t);
  xmlFree(t);
  return SL_OK;
}

static enum sl_result names_page(xmlNode *root, void *ud, int *stop, struct sl_error *err)
{
  struct name_cb *cb = ud;
  cb->stop = stop;
  return each_member(first_element(root, "PolicyNames"), name_member, cb, err);
}

enum sl_result sl_iam_list_role_policies(struct sl_client *c, const char *role,
                                         int (*on_name)(void *ud, const char *name), void *ud,
                                         struct sl_error *err)
{
  struct name_cb cb = { on_name, NULL, ud, NULL };
  return list_pages(c, "ListRolePolicies", role, names_page, &cb, err);
}

static enum sl_result policy_member(xmlNode *m, void *ud, struct sl_error *err)
{
  struct name_cb *cb = ud;
  char arn[2048], name[129];
  if(*cb->stop)
    return SL_OK;
  if(!copy_text(m, "PolicyArn", arn, sizeof(arn)))
    return sl_error_set(err, SL_E_PARSE, NULL, "ListAttachedRolePolicies: a policy without "
                        "a usable PolicyArn");
  if(!copy_text(m, "PolicyName", name, sizeof(name)))
    name[0] = '\0';
  *cb->stop = cb->on_policy(cb->ud, arn, name);
  return SL_OK;
}

static enum sl_result attached_page(xmlNode *root, void *ud, int *stop, struct sl_error *err)
{
  struct name_cb *cb = ud;
  cb->stop = stop;
  return each_member(first_element(root, "AttachedPolicies"), policy_member, cb, err);
}

enum sl_result sl_iam_list_attached_role_policies(struct sl_client *c, const char *role,
                                                  int (*on_policy)(void *ud, const char *arn,
                                                                   const char *name),
                                                  void *ud, struct sl_error *err)
{
  struct name_cb cb = { NULL, on_policy, ud, NULL };
  return list_pages(c, "ListAttachedRolePolicies", role, attached_page, &cb, err);
}

enum sl_result sl_iam_attach_role_policy(struct sl_client *c, const char *role,
                                         const char *policy_arn, struct sl_error *err)
{
  return simple(c, "AttachRolePolicy", err, "RoleName", role, "PolicyArn", policy_arn, NULL,
                NULL);
}

enum sl_result sl_iam_detach_role_policy(struct sl_client *c, const char *role,
                                         const char *policy_arn, struct sl_error *err)
{
  return simple(c, "DetachRolePolicy", err, "RoleName", role, "PolicyArn", policy_arn, NULL,
                NULL);
}

enum sl_result sl_iam_put_role_permissions_boundary(struct sl_client *c, const char *role,
                                                    const char *policy_arn, struct sl_error *err)
{
  return simple(c, "PutRolePermissionsBoundary", err, "RoleName", role, "PermissionsBoundary",
                policy_arn, NULL, NULL);
}

enum sl_result sl_iam_delete_role_permissions_boundary(struct sl_client *c, const char *role,
                                                       struct sl_error *err)
{
  return simple(c, "DeleteRolePermissionsBoundary", err, "RoleName", role, NULL, NULL, NULL,
                NULL);
}

enum sl_result sl_iam_untag_role(struct sl_client *c, const char *role,
                                 const struct sl_headers *keys, struct sl_error *err)
{
  struct sl_headers p;
  enum sl_result r;
  size_t i;
  char name[40];
  sl_headers_init(&p);
  r = add(&p, "RoleName", role, err);
  for(i = 0; !r && i < keys->n; i++) {
    snprintf(name, sizeof(name), "TagKeys.member.%zu", i + 1);
    r = add(&p, name, keys->v[i].name, err);
  }
  if(!r) r = call(c, "UntagRole", &p, NULL, err);
  sl_headers_cleanup(&p);
  return r;
}

enum sl_result sl_iam_tag_role(struct sl_client *c, const char *role, const struct sl_headers *tags,
                               struct sl_error *err)
{
  struct sl_headers p;
  enum sl_result r;
  sl_headers_init(&p);
  r = add(&p, "RoleName", role, err);
  if(!r) r = add_tags(&p, tags, err);
  if(!r) r = call(c, "TagRole", &p, NULL, err);
  sl_headers_cleanup(&p);
  return r;
}
