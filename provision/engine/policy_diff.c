/* policy_diff.c — what differs between two policy documents, statement by
 * statement in canonical JSON (sl_json_canonical: keys sorted, arrays as
 * sets), so a drifted policy shows what was added and removed, not only
 * that it "differs". A statement whose Sid is in both but whose content is
 * not shows as one removed and one added line, next to each other. */
#include "sluice/provision.h"

#include <string.h>

#include <json-c/json.h>

#define STATEMENTS_MAX 256 /* far above IAM's size limits allow */

struct stmts {
  char *canon[STATEMENTS_MAX];
  size_t n;
  struct sl_buf text;           /* the canonical statements, NUL-separated */
};

static void stmts_cleanup(struct stmts *s)
{
  sl_buf_cleanup(&s->text);
}

/* Each statement of doc (an object or an array of them) in canonical form;
 * a document without statements (NULL: none) has none. */
static enum sl_result split(const char *doc, struct stmts *s, struct sl_error *err)
{
  struct json_object *o, *st;
  size_t i, n, at[STATEMENTS_MAX];
  enum sl_result r = sl_buf_init(&s->text, 1024u * 1024u);
  s->n = 0;
  if(r || !doc)
    return r;
  o = json_tokener_parse(doc);
  if(!o)
    return sl_error_set(err, SL_E_PARSE, NULL, "policy document is not JSON");
  if(!json_object_object_get_ex(o, "Statement", &st)) {
    json_object_put(o);
    return SL_OK;
  }
  n = json_object_is_type(st, json_type_array) ? json_object_array_length(st) : 1;
  for(i = 0; !r && i < n && s->n < STATEMENTS_MAX; i++) {
    struct json_object *one = json_object_is_type(st, json_type_array) ?
                              json_object_array_get_idx(st, i) : st;
    const char *txt = json_object_to_json_string_ext(one, JSON_C_TO_STRING_PLAIN);
    at[s->n] = s->text.len;
    r = sl_json_canonical(txt, strlen(txt), &s->text, err);
    if(!r) r = sl_buf_addc(&s->text, '\0');
    if(!r)
      s->n++;
  }
  json_object_put(o);
  for(i = 0; !r && i < s->n; i++)
    s->canon[i] = s->text.data + at[i];
  return r;
}

static int has(const struct stmts *s, const char *c)
{
  size_t i;
  for(i = 0; i < s->n; i++)
    if(!strcmp(s->canon[i], c))
      return 1;
  return 0;
}

/* The Sid of a canonical statement, for ordering a change's two lines. */
static int same_sid(const char *a, const char *b)
{
  const char *sa = strstr(a, "\"Sid\":"), *sb = strstr(b, "\"Sid\":");
  size_t na, nb;
  if(!sa || !sb)
    return 0;
  na = strcspn(sa + 6, ",}");
  nb = strcspn(sb + 6, ",}");
  return na == nb && !memcmp(sa + 6, sb + 6, na);
}

enum sl_result sl_policy_diff(const char *before, const char *after,
                              void (*line)(void *ud, char sign, const char *statement), void *ud,
                              struct sl_error *err)
{
  struct stmts b, a;
  enum sl_result r;
  size_t i, j;
  memset(&b, 0, sizeof(b));
  memset(&a, 0, sizeof(a));
  r = split(before, &b, err);
  if(!r) r = split(after, &a, err);
  for(i = 0; !r && i < b.n; i++) {
    if(has(&a, b.canon[i]))
      continue;
    line(ud, '-', b.canon[i]);
    /* Its new form right after it. */
    for(j = 0; j < a.n; j++)
      if(!has(&b, a.canon[j]) && same_sid(b.canon[i], a.canon[j]))
        line(ud, '+', a.canon[j]);
  }
  for(j = 0; !r && j < a.n; j++) {
    int paired = 0;
    if(has(&b, a.canon[j]))
      continue;
    for(i = 0; i < b.n && !paired; i++)
      paired = !has(&a, b.canon[i]) && same_sid(b.canon[i], a.canon[j]);
    if(!paired)
      line(ud, '+', a.canon[j]);
  }
  stmts_cleanup(&b);
  stmts_cleanup(&a);
  return r;
}
