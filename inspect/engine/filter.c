/* filter.c — which records `inspect cat` prints (--where on a dotted JSON
 * path, --grep on the raw bytes) and how one record becomes an NDJSON line. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "sluice/inspect.h"

void sl_inspect_filter_init(struct sl_inspect_filter *f)
{
  memset(f, 0, sizeof(*f));
}

void sl_inspect_filter_cleanup(struct sl_inspect_filter *f)
{
  size_t i;
  for(i = 0; i < f->nwhere; i++) {
    free(f->where[i].path);
    free(f->where[i].value);
  }
  free(f->where);
  free(f->grep);
  sl_inspect_filter_init(f);
}

enum sl_result sl_inspect_filter_add_where(struct sl_inspect_filter *f, const char *spec)
{
  const char *eq = strchr(spec, '=');
  struct sl_inspect_where *v, *w;
  if(!eq || eq == spec)
    return SL_E_INVALID;
  v = realloc(f->where, (f->nwhere + 1) * sizeof(*v));
  if(!v)
    return SL_E_NOMEM;
  f->where = v;
  w = &v[f->nwhere];
  w->path = sl_strndup(spec, (size_t)(eq - spec));
  w->value = sl_strdup(eq + 1);
  if(!w->path || !w->value) {
    free(w->path);
    free(w->value);
    return SL_E_NOMEM;
  }
  f->nwhere++;
  return SL_OK;
}

enum sl_result sl_inspect_filter_set_grep(struct sl_inspect_filter *f, const char *text)
{
  char *g = sl_strdup(text);
  if(!g)
    return SL_E_NOMEM;
  free(f->grep);
  f->grep = g;
  return SL_OK;
}

/* Follows "a.b.0" from root; 0 when a step is missing. A JSON null is
 * found with *out NULL (json-c's null). */
static int walk(struct json_object *root, const char *path, struct json_object **out)
{
  struct json_object *cur = root;
  const char *p = path;
  char step[256];
  while(cur) {
    size_t n = strcspn(p, ".");
    if(n >= sizeof(step))
      return 0;
    memcpy(step, p, n);
    step[n] = 0;
    if(json_object_is_type(cur, json_type_object)) {
      if(!json_object_object_get_ex(cur, step, &cur))
        return 0;
    }
    else if(json_object_is_type(cur, json_type_array) && n && strspn(step, "0123456789") == n &&
            n < 10) {
      size_t i = (size_t)strtoul(step, NULL, 10);
      if(i >= json_object_array_length(cur))
        return 0;
      cur = json_object_array_get_idx(cur, i);
    }
    else
      return 0;
    if(!p[n]) {
      *out = cur;
      return 1;
    }
    p += n + 1;
  }
  return 0;
}

static int value_matches(struct json_object *root, const char *path, const char *want)
{
  struct json_object *v = NULL;
  if(!walk(root, path, &v))
    return 0; /* missing is not null */
  if(!v)
    return !strcmp(want, "null");
  if(json_object_is_type(v, json_type_string))
    return (size_t)json_object_get_string_len(v) == strlen(want) &&
           !memcmp(json_object_get_string(v), want, strlen(want));
  return !strcmp(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), want);
}

/* json-c's default depth is 32; records may nest deeper. */
static struct json_object *parse_record(const char *p, size_t n)
{
  struct json_tokener *tok = json_tokener_new_ex(SL_DECODER_DEFAULT_MAX_DEPTH);
  struct json_object *o;
  if(!tok)
    return NULL;
  o = n <= (size_t)INT32_MAX ? json_tokener_parse_ex(tok, p, (int)n) : NULL;
  /* One value and nothing after it: the decoder gives exactly that. */
  if(o && (json_tokener_get_error(tok) != json_tokener_success ||
           json_tokener_get_parse_end(tok) != n)) {
    json_object_put(o);
    o = NULL;
  }
  json_tokener_free(tok);
  return o;
}

int sl_inspect_filter_match(const struct sl_inspect_filter *f, const char *p, size_t n, int kind)
{
  struct json_object *root;
  size_t i;
  int ok = 1;
  if(f->grep && *f->grep && !memmem(p, n, f->grep, strlen(f->grep)))
    return 0;
  if(!f->nwhere)
    return 1;
  if(kind != SL_RECORD_JSON)
    return 0;
  root = parse_record(p, n);
  if(!root)
    return 0;
  for(i = 0; ok && i < f->nwhere; i++)
    ok = value_matches(root, f->where[i].path, f->where[i].value);
  json_object_put(root);
  return ok;
}

static int has_line_break(const char *p, size_t n)
{
  return memchr(p, '\n', n) || memchr(p, '\r', n);
}

enum sl_result sl_inspect_format_record(struct sl_buf *out, const char *key, uint64_t offset,
                                        const char *p, size_t n, int kind)
{
  enum sl_result r = SL_OK;
  if(key) {
    r = sl_buf_adds(out, "{\"key\":");
    if(!r) r = sl_json_append_string(out, key, strlen(key));
    if(!r) r = sl_buf_printf(out, ",\"offset\":%llu,\"record\":", (unsigned long long)offset);
  }
  if(!r && kind == SL_RECORD_TEXT)
    r = sl_json_append_string(out, p, n);
  else if(!r && has_line_break(p, n))
    r = sl_json_compact(p, n, out);
  else if(!r)
    r = sl_buf_add(out, p, n);
  if(!r && key)
    r = sl_buf_addc(out, '}');
  if(!r)
    r = sl_buf_addc(out, '\n');
  return r;
}
