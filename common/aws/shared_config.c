/* shared_config.c — reads one profile from the AWS shared config and
 * credentials files (~/.aws/config, ~/.aws/credentials) the way the AWS SDKs
 * do: "[profile x]" / "[default]" in config, "[x]" in credentials, the
 * credentials file winning key by key, indented sub-properties stored as
 * "parent.child", continuation lines joined with '\n'.
 *
 * inih does the key/value split; a line reader in front of it normalizes
 * each raw line first, because the AWS format differs from what inih knows:
 * nested keys look like inih continuations, section names may be longer than
 * inih's fixed section buffer, and comments are only comments after
 * whitespace. */
#include "sluice/creds.h"
#include "common/aws/shared_config_internal.h"
#include "sluice/log.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#define MAX_FILE (4u * 1024u * 1024u) /* far beyond any real config file */
#define MAX_LINE 65536                /* session tokens are long; this is not */
#define MAX_KEY 128

/* Section tokens the reader hands to inih instead of the real names. */
#define SEC_OTHER "0"   /* any section we do not want */
#define SEC_TARGET "1"  /* [profile name] in config, [name] in credentials */
#define SEC_PLAIN "2"   /* [default] in config, used when no [profile default] */
/* Property name the reader uses for a continuation line; it can never come
 * from a file because the reader only passes valid property names through. */
#define CONT_KEY "\x01"
/* Property name for a sub-key line, whose value is "parent.sub=value": a
 * sub-key may hold ':' (the SDKs split nested lines at the first '=' only),
 * and inih would split a name at ':'. */
#define NEST_KEY "\x02"

/* What parse_one reads a config file for: a profile, or a typed section
 * ([sso-session NAME], [services NAME]) named by reader.type. */
#define TYPED_SECTION 2

enum prop_state {
  PROP_NONE = 0, /* no property yet in this section */
  PROP_VALUE,    /* last property had a value: indented lines continue it */
  PROP_PARENT,   /* last property was empty: indented lines are sub-keys */
  PROP_SKIP      /* last property was ignored: so are its indented lines */
};

struct collect {
  struct sl_headers target;   /* [profile name] (config) or [name] (credentials) */
  struct sl_headers plain;    /* [default] in config */
  int seen_target, seen_plain;
  enum sl_result fail;
};

struct reader {
  const char *p, *end;
  const char *path;
  const char *target;
  const char *type;           /* "sso-session", "services" for TYPED_SECTION */
  int is_config;
  int lineno;
  int in_section;
  enum prop_state prop;
  size_t prop_indent;
  struct collect *c;
  char parent[MAX_KEY];
  enum sl_result fail;
  char why[160];
};


static int is_blank(int c)
{
  return c == ' ' || c == '\t';
}

static void trim(const char **s, const char **e)
{
  while(*s < *e && isspace((unsigned char)**s))
    (*s)++;
  while(*e > *s && isspace((unsigned char)(*e)[-1]))
    (*e)--;
}

/* Profile names as the SDKs accept them; others are ignored. */
static int valid_profile_name(const char *s, const char *e)
{
  if(s == e)
    return 0;
  for(; s < e; s++)
    if(!isalnum((unsigned char)*s) && !strchr("-/.%@_:+", *s))
      return 0;
  return 1;
}

static int valid_key(const char *s, const char *e)
{
  if(s == e || (size_t)(e - s) >= MAX_KEY)
    return 0;
  for(; s < e; s++)
    if(!isalnum((unsigned char)*s) && !strchr("-_.", *s))
      return 0;
  return 1;
}

/* A value ends at " #" or " ;" (comment after whitespace); '#' or ';' glued
 * to the value are part of it, so secrets containing them stay whole. */
static const char *value_end(const char *s, const char *e)
{
  const char *q;
  for(q = s; q < e; q++)
    if((*q == '#' || *q == ';') && q > s && is_blank(q[-1]))
      return q;
  return e;
}

static char *fail_line(struct reader *r, enum sl_result res, const char *why)
{
  r->fail = res;
  snprintf(r->why, sizeof(r->why), "%s", why);
  return NULL;
}

/* Writes "[token]" for a section line. */
static char *section_line(struct reader *r, const char *s, const char *e, char *out)
{
  const char *close = memchr(s, ']', (size_t)(e - s));
  const char *n, *ne;
  const char *tok = SEC_OTHER;
  if(!close)
    return fail_line(r, SL_E_PARSE, "section header must end with ']'");
  n = s + 1;
  ne = close;
  trim(&n, &ne);
  if(r->is_config == TYPED_SECTION) {
    /* [TYPE NAME]: the config file only, no [default] rule. */
    size_t tl = strlen(r->type);
    if((size_t)(ne - n) > tl && !memcmp(n, r->type, tl) && is_blank(n[tl])) {
      n += tl + 1;
      trim(&n, &ne);
      if(valid_profile_name(n, ne) && (size_t)(ne - n) == strlen(r->target) &&
         !memcmp(n, r->target, (size_t)(ne - n)))
        tok = SEC_TARGET;
    }
  }
  else if(r->is_config) {
    if((size_t)(ne - n) > 7 && !memcmp(n, "profile", 7) && is_blank(n[7])) {
      n += 8;
      trim(&n, &ne);
      if(valid_profile_name(n, ne) && (size_t)(ne - n) == strlen(r->target) &&
         !memcmp(n, r->target, (size_t)(ne - n)))
        tok = SEC_TARGET;
    }
    else if(ne - n == 7 && !memcmp(n, "default", 7) && !strcmp(r->target, "default"))
      tok = SEC_PLAIN;
  }
  else if(valid_profile_name(n, ne) && (size_t)(ne - n) == strlen(r->target) &&
          !memcmp(n, r->target, (size_t)(ne - n)))
    tok = SEC_TARGET;
  /* A section without keys still means the profile exists. */
  if(!strcmp(tok, SEC_TARGET))
    r->c->seen_target = 1;
  else if(!strcmp(tok, SEC_PLAIN))
    r->c->seen_plain = 1;
  r->in_section = 1;
  r->prop = PROP_NONE;
  snprintf(out, 8, "[%s]", tok);
  return out;
}

/* Builds "name=value" into out (size num); name lowercased. */
static char *emit(struct reader *r, char *out, int num, const char *prefix,
                  const char *k, const char *ke, const char *v, const char *ve)
{
  size_t pl = prefix ? strlen(prefix) + 1 : 0;
  size_t need = pl + (size_t)(ke - k) + 1 + (size_t)(ve - v) + 1;
  size_t i, o = 0;
  if(need > (size_t)num)
    return fail_line(r, SL_E_TOO_LARGE, "line too long");
  if(prefix) {
    memcpy(out, prefix, pl - 1);
    out[pl - 1] = '.';
    o = pl;
  }
  for(i = 0; k + i < ke; i++)
    out[o++] = (char)tolower((unsigned char)k[i]);
  out[o++] = '=';
  memcpy(out + o, v, (size_t)(ve - v));
  o += (size_t)(ve - v);
  out[o] = 0;
  return out;
}

static char *property_line(struct reader *r, const char *s, const char *e, size_t indent,
                           char *out, int num)
{
  const char *eq = memchr(s, '=', (size_t)(e - s));
  const char *k = s, *ke, *v, *ve;
  if(!r->in_section)
    return fail_line(r, SL_E_PARSE, "property outside of a [profile] section");
  if(!eq)
    return fail_line(r, SL_E_PARSE, "expected '=' in a property line");
  ke = eq;
  trim(&k, &ke);
  if(k == ke)
    return fail_line(r, SL_E_PARSE, "property without a name");
  v = eq + 1;
  ve = value_end(v, e);
  trim(&v, &ve);
  r->prop_indent = indent;
  if(!valid_key(k, ke)) {
    r->prop = PROP_SKIP;
    out[0] = 0;
    return out;
  }
  r->prop = v == ve ? PROP_PARENT : PROP_VALUE;
  snprintf(r->parent, sizeof(r->parent), "%.*s", (int)(ke - k), k);
  for(char *q = r->parent; *q; q++)
    *q = (char)tolower((unsigned char)*q);
  return emit(r, out, num, NULL, k, ke, v, ve);
}

/* An indented line below a property: a sub-key or more of the value. */
static char *nested_line(struct reader *r, const char *s, const char *e, char *out, int num)
{
  const char *eq, *k = s, *ke, *v, *ve;
  if(r->prop == PROP_SKIP) {
    out[0] = 0;
    return out;
  }
  if(r->prop == PROP_VALUE)
    return emit(r, out, num, NULL, CONT_KEY, &CONT_KEY[1], s, e);
  eq = memchr(s, '=', (size_t)(e - s));
  if(!eq)
    return fail_line(r, SL_E_PARSE, "expected '=' in a sub-property line");
  ke = eq;
  trim(&k, &ke);
  if(k == ke)
    return fail_line(r, SL_E_PARSE, "sub-property without a name");
  v = eq + 1;
  ve = e;
  trim(&v, &ve);
  if(num < 3 || !emit(r, out + 2, num - 2, r->parent, k, ke, v, ve))
    return fail_line(r, SL_E_TOO_LARGE, "line too long");
  memcpy(out, NEST_KEY "=", 2);
  return out;
}

/* inih's reader: one normalized line per raw line, so inih's line numbers
 * are the file's. */
static char *next_line(char *out, int num, void *stream)
{
  struct reader *r = stream;
  const char *s, *e, *nl;
  size_t indent = 0;
  if(r->fail || r->p >= r->end || num < 8)
    return NULL;
  s = r->p;
  nl = memchr(s, '\n', (size_t)(r->end - s));
  e = nl ? nl : r->end;
  r->p = nl ? nl + 1 : r->end;
  r->lineno++;
  if(e > s && e[-1] == '\r')
    e--;
  while(s + indent < e && is_blank(s[indent]))
    indent++;
  s += indent;
  trim(&s, &e);
  if(s == e || *s == '#' || *s == ';') {
    out[0] = 0; /* blank and comment lines, also inside nested blocks */
    return out;
  }
  if(!indent && *s == '[')
    return section_line(r, s, e, out);
  if(indent && r->prop != PROP_NONE && indent > r->prop_indent)
    return nested_line(r, s, e, out, num);
  return property_line(r, s, e, indent, out, num);
}

static int on_pair(void *ud, const char *section, const char *name, const char *value)
{
  struct collect *c = ud;
  struct sl_headers *kv;
  if(!strcmp(section, SEC_TARGET))
    kv = &c->target;
  else if(!strcmp(section, SEC_PLAIN))
    kv = &c->plain;
  else
    return 1;
  if(!strcmp(name, CONT_KEY)) {
    /* The continued property is the last one set: sl_headers_set appends. */
    struct sl_buf joined;
    enum sl_result r;
    if(!kv->n)
      return 1;
    r = sl_buf_init(&joined, MAX_FILE);
    if(!r) r = sl_buf_adds(&joined, kv->v[kv->n - 1].value);
    if(!r) r = sl_buf_addc(&joined, '\n');
    if(!r) r = sl_buf_adds(&joined, value);
    if(!r)
      r = sl_header_set_value(&kv->v[kv->n - 1], joined.data, joined.len);
    sl_buf_cleanup_secret(&joined);
    c->fail = r;
    return !r;
  }
  if(!strcmp(name, NEST_KEY)) {
    /* nested_line wrote "parent.sub=value"; the sub-key has no '='. */
    const char *eq = strchr(value, '=');
    char *key = eq ? sl_strndup(value, (size_t)(eq - value)) : NULL;
    c->fail = !key ? SL_E_NOMEM : sl_headers_set(kv, key, eq + 1);
    free(key);
    return !c->fail;
  }
  c->fail = sl_headers_set(kv, name, value);
  return !c->fail;
}

static enum sl_result read_file(const char *path, struct sl_buf *out, int *missing,
                                struct sl_error *err)
{
  FILE *f = fopen(path, "rb");
  char chunk[4096];
  size_t n;
  enum sl_result r = SL_OK;
  *missing = 0;
  if(!f) {
    if(errno == ENOENT || errno == ENOTDIR) {
      *missing = 1;
      return SL_OK;
    }
    return sl_error_set(err, SL_E_IO, NULL, "cannot open %s: %s", path, strerror(errno));
  }
  while(!r && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
    r = sl_buf_add(out, chunk, n);
  if(!r && ferror(f))
    r = sl_error_set(err, SL_E_IO, NULL, "cannot read %s", path);
  else if(r == SL_E_TOO_LARGE)
    sl_error_set(err, r, NULL, "%s is larger than %u bytes", path, MAX_FILE);
  fclose(f);
  return r;
}

/* Saves inih's process-wide settings, applies ours, and puts them back, so
 * other users of inih in the process keep theirs. */
struct ini_settings {
  bool multiline, inline_comments, use_stack, realloc_ok, no_value, stop_first, bom;
  int max_line, initial_alloc;
};

static void ini_swap(struct ini_settings *save, int restore)
{
  if(restore) {
    ini_allow_multiline = save->multiline;
    ini_allow_inline_comments = save->inline_comments;
    ini_use_stack = save->use_stack;
    ini_allow_realloc = save->realloc_ok;
    ini_allow_no_value = save->no_value;
    ini_stop_on_first_error = save->stop_first;
    ini_allow_bom = save->bom;
    ini_max_line = save->max_line;
    ini_initial_alloc = save->initial_alloc;
    return;
  }
  save->multiline = ini_allow_multiline;
  save->inline_comments = ini_allow_inline_comments;
  save->use_stack = ini_use_stack;
  save->realloc_ok = ini_allow_realloc;
  save->no_value = ini_allow_no_value;
  save->stop_first = ini_stop_on_first_error;
  save->bom = ini_allow_bom;
  save->max_line = ini_max_line;
  save->initial_alloc = ini_initial_alloc;
  ini_allow_multiline = false;      /* the reader handles indented lines */
  ini_allow_inline_comments = false; /* the reader strips comments */
  ini_use_stack = false;
  ini_allow_realloc = false;
  ini_allow_no_value = false;
  ini_stop_on_first_error = true;
  ini_allow_bom = false;            /* the reader skips it */
  ini_max_line = MAX_LINE;          /* the heap buffer is initial_alloc bytes */
  ini_initial_alloc = MAX_LINE;
}

/* Parses one file for the target profile into c. A missing file is fine. */
static enum sl_result parse_one(const char *path, int is_config, const char *type,
                                const char *target, struct collect *c, struct sl_error *err)
{
  struct sl_buf text;
  struct reader rd;
  struct ini_settings save;
  int missing = 0, rc;
  enum sl_result r = sl_buf_init(&text, MAX_FILE);
  if(!r) r = read_file(path, &text, &missing, err);
  if(!r && !missing) {
    memset(&rd, 0, sizeof(rd));
    rd.p = text.data;
    rd.end = text.data + text.len;
    if(text.len >= 3 && !memcmp(text.data, "\xEF\xBB\xBF", 3))
      rd.p += 3;
    rd.path = path;
    rd.target = target;
    rd.type = type;
    rd.is_config = is_config;
    rd.c = c;
    ini_swap(&save, 0);
    rc = ini_parse_stream(next_line, &rd, on_pair, c);
    ini_swap(&save, 1);
    if(rd.fail)
      r = sl_error_set(err, rd.fail == SL_E_TOO_LARGE ? SL_E_TOO_LARGE : SL_E_CONFIG, NULL,
                       "%s:%d: %s", path, rd.lineno, rd.why);
    else if(c->fail)
      r = sl_error_set(err, c->fail, NULL, "%s: %s", path, sl_strresult(c->fail));
    else if(rc)
      r = sl_error_set(err, SL_E_CONFIG, NULL, "%s:%d: cannot parse line", path, rc);
  }
  sl_buf_cleanup_secret(&text); /* the credentials file holds secrets */
  return r;
}

/* Expands a leading "~/" to $HOME (or the passwd entry). */
static enum sl_result expand_home(const char *in, char *out, size_t outlen, struct sl_error *err)
{
  const char *home;
  int n;
  if(in[0] != '~' || (in[1] && in[1] != '/'))
    n = snprintf(out, outlen, "%s", in);
  else {
    home = getenv("HOME");
    if(!home || !*home) {
      struct passwd *pw = getpwuid(getuid());
      home = pw ? pw->pw_dir : NULL;
    }
    if(!home)
      return sl_error_set(err, SL_E_CONFIG, NULL, "cannot expand %s: no home directory", in);
    n = snprintf(out, outlen, "%s%s", home, in + 1);
  }
  if(n < 0 || (size_t)n >= outlen)
    return sl_error_set(err, SL_E_CONFIG, NULL, "path too long: %.100s...", in);
  return SL_OK;
}

enum sl_result sl_shared_profile_paths(char *config_path, size_t config_len,
                                       char *credentials_path, size_t credentials_len,
                                       struct sl_error *err)
{
  const char *c = getenv("AWS_CONFIG_FILE");
  const char *k = getenv("AWS_SHARED_CREDENTIALS_FILE");
  enum sl_result r = expand_home(c && *c ? c : "~/.aws/config", config_path, config_len, err);
  if(!r) r = expand_home(k && *k ? k : "~/.aws/credentials", credentials_path,
                         credentials_len, err);
  return r;
}

void sl_shared_profile_init(struct sl_shared_profile *p)
{
  memset(p, 0, sizeof(*p));
  sl_headers_init(&p->kv);
}

void sl_shared_profile_cleanup(struct sl_shared_profile *p)
{
  sl_headers_cleanup(&p->kv);
  sl_shared_profile_init(p);
}

const char *sl_shared_profile_get(const struct sl_shared_profile *p, const char *key)
{
  return sl_headers_get(&p->kv, key);
}

/* Copies every pair of src into dst, replacing same-named keys. */
static enum sl_result merge(struct sl_headers *dst, const struct sl_headers *src)
{
  enum sl_result r = SL_OK;
  size_t i;
  for(i = 0; i < src->n && !r; i++)
    r = sl_headers_set(dst, src->v[i].name, src->v[i].value);
  return r;
}

static void collect_init(struct collect *c)
{
  memset(c, 0, sizeof(*c));
  sl_headers_init(&c->target);
  sl_headers_init(&c->plain);
}

static void collect_cleanup(struct collect *c)
{
  sl_headers_cleanup(&c->target);
  sl_headers_cleanup(&c->plain);
}

enum sl_result sl_shared_profile_load_files(const char *name, const char *config_path,
                                            const char *credentials_path,
                                            struct sl_shared_profile *out,
                                            struct sl_error *err)
{
  struct collect conf, cred;
  enum sl_result r = SL_OK;
  sl_shared_profile_cleanup(out);
  if(strlen(name) >= sizeof(out->name) ||
     (config_path && strlen(config_path) >= sizeof(out->config_path)) ||
     (credentials_path && strlen(credentials_path) >= sizeof(out->credentials_path)))
    return sl_error_set(err, SL_E_CONFIG, NULL, "profile name or file path too long");
  snprintf(out->name, sizeof(out->name), "%s", name);
  snprintf(out->config_path, sizeof(out->config_path), "%s", config_path ? config_path : "");
  snprintf(out->credentials_path, sizeof(out->credentials_path), "%s",
           credentials_path ? credentials_path : "");
  collect_init(&conf);
  collect_init(&cred);
  if(config_path)
    r = parse_one(config_path, 1, NULL, name, &conf, err);
  if(!r && credentials_path)
    r = parse_one(credentials_path, 0, NULL, name, &cred, err);
  /* [profile default] beats [default] in the config file; the credentials
   * file beats both, key by key. */
  if(!r) r = merge(&out->kv, conf.seen_target ? &conf.target : &conf.plain);
  if(!r) r = merge(&out->kv, &cred.target);
  if(!r) {
    out->in_config = conf.seen_target || conf.seen_plain;
    out->in_credentials = cred.seen_target;
    out->secret_in_credentials = sl_headers_get(&cred.target, "aws_secret_access_key") != NULL;
    out->found = out->in_config || out->in_credentials;
  }
  collect_cleanup(&conf);
  collect_cleanup(&cred);
  if(r)
    sl_headers_cleanup(&out->kv);
  return r;
}

enum sl_result sl_shared_profile_load(const char *name, struct sl_shared_profile *out,
                                      struct sl_error *err)
{
  char conf[PATH_MAX], cred[PATH_MAX];
  const char *env = getenv("AWS_PROFILE");
  enum sl_result r;
  if(!name || !*name)
    name = env && *env ? env : "default";
  r = sl_shared_profile_paths(conf, sizeof(conf), cred, sizeof(cred), err);
  if(!r) r = sl_shared_profile_load_files(name, conf, cred, out, err);
  return r;
}

enum sl_result sl_shared_section_load(const char *type, const char *name,
                                      struct sl_shared_profile *out, struct sl_error *err)
{
  char conf[PATH_MAX], cred[PATH_MAX];
  struct collect c;
  enum sl_result r;
  sl_shared_profile_cleanup(out);
  if(strlen(name) >= sizeof(out->name))
    return sl_error_set(err, SL_E_CONFIG, NULL, "%s name too long", type);
  r = sl_shared_profile_paths(conf, sizeof(conf), cred, sizeof(cred), err);
  if(r)
    return r;
  snprintf(out->name, sizeof(out->name), "%s", name);
  snprintf(out->config_path, sizeof(out->config_path), "%s", conf);
  collect_init(&c);
  r = parse_one(conf, TYPED_SECTION, type, name, &c, err);
  if(!r) r = merge(&out->kv, &c.target);
  if(!r)
    out->found = out->in_config = c.seen_target;
  collect_cleanup(&c);
  if(r)
    sl_headers_cleanup(&out->kv);
  return r;
}
