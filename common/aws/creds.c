/* creds.c — the credential provider chain and the caching provider.
 * Order as in the AWS SDKs: sluice profile keys → environment → shared
 * files (static keys, credential_process, role_arn via source_profile or
 * credential_source, web_identity_token_file) → web identity from the
 * environment → ECS container endpoint → EC2 IMDSv2. The first source that
 * is configured answers; a configured source that fails stops the chain
 * (falling through would silently use other credentials). */
#include "sluice/creds.h"
#include "sluice/http.h"
#include "sluice/log.h"
#include "sluice/sts.h"
#include "creds_value.h"
#include "creds_process.h"
#include "creds_remote.h"
#include "common/aws/creds_cache.h"
#include "common/aws/creds_sso.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define REFRESH_BEFORE_S 300 /* refresh when less than 5 minutes remain */
#define MAX_CHAIN 8          /* role_arn → source_profile hops */
#define PROCESS_TIMEOUT_MS 60000L

struct sl_creds_provider {
  const struct sl_aws_config *cfg;
  struct sl_http *http;
  char *profile_path;
  struct sl_creds cur;
  int have;
  int perms_checked;
};

/* State of one resolution: where STS calls go, which profiles we came
 * through (cycle detection), and what was tried (for the final message). */
struct chain {
  const struct sl_aws_config *cfg;
  struct sl_http *http;
  struct sl_http *own_http; /* made when the caller gave none */
  const char *visited[MAX_CHAIN + 1];
  struct sl_buf tried;
  char keys_file[4096];     /* a shared file whose static keys were used */
};

static const char *env(const char *name)
{
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

/* Notes a source that was not configured, for the "nothing found" message. */
static enum sl_result not_found(struct chain *ch, struct sl_error *err, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 3, 4)))
#endif
  ;
static enum sl_result not_found(struct chain *ch, struct sl_error *err, const char *fmt, ...)
{
  va_list ap;
  if(ch->tried.len)
    sl_buf_adds(&ch->tried, "; ");
  va_start(ap, fmt);
  sl_buf_vprintf(&ch->tried, fmt, ap);
  va_end(ap);
  sl_error_clear(err);
  return SL_E_NOT_FOUND;
}

/* Puts context in front of the error a step left, and makes it a
 * credentials error unless it is a configuration mistake. */
static enum sl_result wrap(struct sl_error *err, enum sl_result r, const char *what)
{
  char old[sizeof(err->message)];
  if(r == SL_E_CONFIG || r == SL_E_NOMEM)
    return r;
  snprintf(old, sizeof(old), "%s", err->message[0] ? err->message : sl_strresult(r));
  return sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s: %s", what, old);
}

static struct sl_http *chain_http(struct chain *ch)
{
  struct sl_http_options o;
  if(ch->http)
    return ch->http;
  memset(&o, 0, sizeof(o));
  o.connect_timeout_ms = ch->cfg->connect_timeout_ms;
  o.timeout_ms = ch->cfg->timeout_ms;
  o.ca_bundle = ch->cfg->ca_bundle[0] ? ch->cfg->ca_bundle : NULL;
  o.allow_plain_http = ch->cfg->allow_plain_http;
  ch->own_http = ch->http = sl_http_new(&o);
  return ch->http;
}

static enum sl_result from_sluice_profile(struct chain *ch, struct sl_creds *out,
                                          struct sl_error *err)
{
  const struct sl_aws_config *c = ch->cfg;
  if(!c->static_access_key_id[0] && !c->static_secret_access_key[0])
    return not_found(ch, err, "sluice profile (no keys)");
  if(!c->static_access_key_id[0] || !c->static_secret_access_key[0])
    return sl_error_set(err, SL_E_CONFIG, NULL, "the sluice profile sets %s but not %s",
                        c->static_access_key_id[0] ? "an access key id" : "a secret access key",
                        c->static_access_key_id[0] ? "a secret access key" : "an access key id");
  return sl_creds_fill(out, c->static_access_key_id, c->static_secret_access_key,
                       c->static_session_token, 0, "sluice-profile");
}

static enum sl_result from_env(struct chain *ch, struct sl_creds *out, struct sl_error *err)
{
  const char *id = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");
  if(!id && !secret)
    return not_found(ch, err, "environment (AWS_ACCESS_KEY_ID not set)");
  if(!id || !secret)
    return sl_error_set(err, SL_E_CREDENTIALS, NULL, "%s is set but %s is not",
                        id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
                        id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
  return sl_creds_fill(out, id, secret, env("AWS_SESSION_TOKEN"), 0, "env");
}

static enum sl_result web_identity(struct chain *ch, const char *role_arn, const char *token_file,
                                   const char *session_name, struct sl_creds *out,
                                   struct sl_error *err)
{
  struct sl_buf token;
  char def_name[64];
  enum sl_result r = sl_buf_init(&token, SL_CREDS_MAX_TOKEN_FILE);
  if(!session_name || !*session_name) {
    snprintf(def_name, sizeof(def_name), "sluice-%lld", (long long)time(NULL));
    session_name = def_name;
  }
  /* Read on every call: the file is rotated under us (EKS, IRSA). */
  if(!r) r = sl_creds_read_token_file(token_file, &token, err);
  if(!r && !chain_http(ch))
    r = sl_error_set(err, SL_E_NOMEM, NULL, "cannot create an HTTP client");
  if(!r) r = sl_sts_assume_role_web_identity(ch->http, ch->cfg, role_arn, session_name,
                                             token.data, out, err);
  sl_buf_cleanup_secret(&token);
  return r ? wrap(err, r, "AssumeRoleWithWebIdentity") : r;
}

static enum sl_result from_web_identity_env(struct chain *ch, struct sl_creds *out,
                                            struct sl_error *err)
{
  const char *file = env("AWS_WEB_IDENTITY_TOKEN_FILE"), *role = env("AWS_ROLE_ARN");
  if(!file)
    return not_found(ch, err, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE not set)");
  if(!role)
    return sl_error_set(err, SL_E_CREDENTIALS, NULL,
                        "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not");
  return web_identity(ch, role, file, env("AWS_ROLE_SESSION_NAME"), out, err);
}

static enum sl_result from_ecs(struct chain *ch, struct sl_creds *out, struct sl_error *err)
{
  enum sl_result r = sl_creds_from_ecs(ch->cfg, out, err);
  if(r == SL_E_NOT_FOUND)
    return not_found(ch, err, "%s", err->message);
  return r ? wrap(err, r, "container credentials") : r;
}

static enum sl_result from_imds(struct chain *ch, struct sl_creds *out, struct sl_error *err)
{
  enum sl_result r = sl_creds_from_imds(ch->cfg, out, err);
  if(r == SL_E_NOT_FOUND)
    return not_found(ch, err, "%s", err->message);
  return r ? wrap(err, r, "EC2 instance metadata") : r;
}

static int has(const struct sl_shared_profile *p, const char *key)
{
  const char *v = sl_shared_profile_get(p, key);
  return v && *v;
}

static enum sl_result profile_static(struct chain *ch, const struct sl_shared_profile *p,
                                     struct sl_creds *out, struct sl_error *err)
{
  if(!has(p, "aws_secret_access_key"))
    return sl_error_set(err, SL_E_CONFIG, NULL,
                        "profile %s has aws_access_key_id but no aws_secret_access_key", p->name);
  /* Remembered for the permission check (sl_creds_get). */
  snprintf(ch->keys_file, sizeof(ch->keys_file), "%s",
           p->secret_in_credentials ? p->credentials_path : p->config_path);
  return sl_creds_fill(out, sl_shared_profile_get(p, "aws_access_key_id"),
                       sl_shared_profile_get(p, "aws_secret_access_key"),
                       sl_shared_profile_get(p, "aws_session_token"), 0, "profile");
}

/* credential_source: where a role's source credentials come from when the
 * profile names no source_profile. */
static enum sl_result from_credential_source(struct chain *ch, const char *what,
                                             struct sl_creds *out, struct sl_error *err)
{
  enum sl_result r;
  if(!strcmp(what, "Environment")) {
    r = from_env(ch, out, err);
    if(r == SL_E_NOT_FOUND)
      sl_error_set(err, r, NULL, "AWS_ACCESS_KEY_ID is not set");
  }
  else if(!strcmp(what, "Ec2InstanceMetadata"))
    r = sl_creds_from_imds(ch->cfg, out, err);
  else if(!strcmp(what, "EcsContainer"))
    r = sl_creds_from_ecs(ch->cfg, out, err);
  else
    return sl_error_set(err, SL_E_CONFIG, NULL, "unknown credential_source '%s' (expected "
                        "Environment, Ec2InstanceMetadata or EcsContainer)", what);
  if(r == SL_E_NOT_FOUND)
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "credential_source %s: %s", what,
                     err->message);
  return r;
}

static enum sl_result assume_role(struct chain *ch, const struct sl_shared_profile *p,
                                  const struct sl_creds *src, struct sl_creds *out,
                                  struct sl_error *err)
{
  const char *name = sl_shared_profile_get(p, "role_session_name");
  const char *dur = sl_shared_profile_get(p, "duration_seconds");
  char def_name[64], what[300];
  long duration = 0;
  enum sl_result r;
  if(dur && *dur) {
    char *end;
    errno = 0;
    duration = strtol(dur, &end, 10);
    if(errno || *end || duration < 900 || duration > 43200)
      return sl_error_set(err, SL_E_CONFIG, NULL, "profile %s: duration_seconds '%s' is not "
                          "a number of seconds from 900 to 43200", p->name, dur);
  }
  if(!name || !*name) {
    snprintf(def_name, sizeof(def_name), "sluice-%lld", (long long)time(NULL));
    name = def_name;
  }
  if(!chain_http(ch))
    return sl_error_set(err, SL_E_NOMEM, NULL, "cannot create an HTTP client");
  r = sl_sts_assume_role(ch->http, ch->cfg, src, sl_shared_profile_get(p, "role_arn"), name,
                         sl_shared_profile_get(p, "external_id"), (int)duration, out, err);
  snprintf(what, sizeof(what), "profile %s: AssumeRole", p->name);
  return r ? wrap(err, r, what) : r;
}

static enum sl_result profile_creds(struct chain *ch, const char *name, int depth,
                                    int explicit_name, struct sl_creds *out,
                                    struct sl_error *err);

/* role_arn: source credentials first, then AssumeRole with them. */
static enum sl_result profile_role(struct chain *ch, const struct sl_shared_profile *p,
                                   int depth, struct sl_creds *out, struct sl_error *err)
{
  const char *src_name = sl_shared_profile_get(p, "source_profile");
  const char *cred_src = sl_shared_profile_get(p, "credential_source");
  struct sl_creds src;
  enum sl_result r;
  memset(&src, 0, sizeof(src));
  if(has(p, "web_identity_token_file"))
    return web_identity(ch, sl_shared_profile_get(p, "role_arn"),
                        sl_shared_profile_get(p, "web_identity_token_file"),
                        sl_shared_profile_get(p, "role_session_name"), out, err);
  if(src_name && *src_name && cred_src && *cred_src)
    return sl_error_set(err, SL_E_CONFIG, NULL, "profile %s sets both source_profile and "
                        "credential_source", p->name);
  if(src_name && *src_name) {
    /* A profile may name itself: its own static keys are the source. */
    if(!strcmp(src_name, p->name)) {
      if(!has(p, "aws_access_key_id"))
        return sl_error_set(err, SL_E_CONFIG, NULL, "profile %s is its own source_profile "
                            "but has no aws_access_key_id", p->name);
      r = profile_static(ch, p, &src, err);
    }
    else
      r = profile_creds(ch, src_name, depth + 1, 1, &src, err);
  }
  else if(cred_src && *cred_src)
    r = from_credential_source(ch, cred_src, &src, err);
  else
    return sl_error_set(err, SL_E_CONFIG, NULL, "profile %s has role_arn but no source_profile, "
                        "credential_source or web_identity_token_file", p->name);
  if(!r) r = assume_role(ch, p, &src, out, err);
  sl_creds_cleanup(&src);
  return r;
}

/* Credentials of one shared-file profile. depth 0 is the profile asked for;
 * deeper ones are source profiles, where static keys win over role_arn. */
static enum sl_result profile_creds(struct chain *ch, const char *name, int depth,
                                    int explicit_name, struct sl_creds *out,
                                    struct sl_error *err)
{
  struct sl_shared_profile p;
  enum sl_result r;
  int i;
  if(depth > MAX_CHAIN)
    return sl_error_set(err, SL_E_CONFIG, NULL, "source_profile chain longer than %d profiles",
                        MAX_CHAIN);
  for(i = 0; i < depth; i++)
    if(!strcmp(ch->visited[i], name))
      return sl_error_set(err, SL_E_CONFIG, NULL, "source_profile cycle: %s refers back to %s",
                          ch->visited[depth - 1], name);
  ch->visited[depth] = name;
  sl_shared_profile_init(&p);
  r = sl_shared_profile_load(name, &p, err);
  if(r)
    ;
  else if(!p.found && !explicit_name)
    r = not_found(ch, err, "shared files (no profile '%s' in %s or %s)", name, p.config_path,
                  p.credentials_path);
  else if(!p.found)
    r = sl_error_set(err, SL_E_CONFIG, NULL, "profile '%s' not found in %s or %s", name,
                     p.config_path, p.credentials_path);
  else if(depth > 0 && has(&p, "aws_access_key_id"))
    r = profile_static(ch, &p, out, err);
  else if(has(&p, "role_arn"))
    r = profile_role(ch, &p, depth, out, err);
  else if(sl_creds_sso_profile(&p)) {
    struct sl_http *h = chain_http(ch);
    r = h ? sl_creds_from_sso(&p, ch->cfg, h, out, err) :
            sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  }
  else if(has(&p, "credential_process")) {
    r = sl_creds_from_process(sl_shared_profile_get(&p, "credential_process"),
                              PROCESS_TIMEOUT_MS, out, err);
    if(r) {
      char what[300];
      snprintf(what, sizeof(what), "profile %s: credential_process", name);
      r = wrap(err, r, what);
    }
  }
  else if(has(&p, "aws_access_key_id"))
    r = profile_static(ch, &p, out, err);
  else if(depth == 0)
    r = not_found(ch, err, "shared files (profile '%s' has no credentials)", name);
  else
    r = sl_error_set(err, SL_E_CONFIG, NULL, "source profile %s has no credentials", name);
  sl_shared_profile_cleanup(&p);
  return r;
}

static enum sl_result from_shared(struct chain *ch, struct sl_creds *out, struct sl_error *err)
{
  const char *name = ch->cfg->profile[0] ? ch->cfg->profile : env("AWS_PROFILE");
  /* A missing profile asked for by name is an error; "default" may be
   * absent, as in the SDKs (instances and containers have no files). */
  if(!name)
    name = "default";
  return profile_creds(ch, name, 0, strcmp(name, "default") != 0, out, err);
}

/* keys_file (may be NULL) gets the shared file whose static keys were
 * used, "" when none was. */
static enum sl_result resolve(const struct sl_aws_config *cfg, struct sl_http *http,
                              struct sl_creds *out, struct sl_error *err, char *keys_file,
                              size_t keys_len)
{
  static enum sl_result (*const steps[])(struct chain *, struct sl_creds *,
                                         struct sl_error *) = {
    from_sluice_profile, from_env, from_shared, from_web_identity_env, from_ecs, from_imds
  };
  struct chain ch;
  struct sl_creds got;
  enum sl_result r = SL_E_NOT_FOUND;
  size_t i;
  memset(&ch, 0, sizeof(ch));
  memset(&got, 0, sizeof(got));
  ch.cfg = cfg;
  ch.http = http;
  if(sl_buf_init(&ch.tried, 4096))
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  for(i = 0; i < sizeof(steps) / sizeof(steps[0]) && r == SL_E_NOT_FOUND; i++)
    r = steps[i](&ch, &got, err);
  if(r == SL_E_NOT_FOUND)
    r = sl_error_set(err, SL_E_CREDENTIALS, NULL, "no AWS credentials found; tried: %s",
                     ch.tried.data);
  if(!r) {
    sl_log(SL_LOG_DEBUG, "credentials from %s (%s)", got.source, got.access_key_id);
    sl_creds_cleanup(out);
    *out = got;
    if(keys_file)
      snprintf(keys_file, keys_len, "%s", ch.keys_file);
  }
  else
    sl_creds_cleanup(&got);
  sl_http_free(ch.own_http);
  sl_buf_cleanup(&ch.tried);
  return r;
}

enum sl_result sl_creds_resolve(const struct sl_aws_config *cfg, struct sl_http *http,
                                struct sl_creds *out, struct sl_error *err)
{
  struct sl_error local;
  enum sl_result r;
  sl_error_clear(&local);
  r = resolve(cfg, http, out, &local, NULL, 0);
  if(r && err)
    *err = local;
  return r;
}

struct sl_creds_provider *sl_creds_provider_new(const struct sl_aws_config *cfg,
                                                struct sl_http *http,
                                                const char *sluice_profile_path)
{
  struct sl_creds_provider *p = calloc(1, sizeof(*p));
  if(!p)
    return NULL;
  p->cfg = cfg;
  p->http = http;
  if(sluice_profile_path) {
    p->profile_path = sl_strdup(sluice_profile_path);
    if(!p->profile_path) {
      free(p);
      return NULL;
    }
  }
  return p;
}

void sl_creds_provider_free(struct sl_creds_provider *p)
{
  if(!p)
    return;
  sl_creds_cleanup(&p->cur);
  free(p->profile_path);
  free(p);
}

/* 1 the first time this process sees the file with this mode: commands
 * that run several clients (workers) warn once, not once per client. */
static int first_sighting(const struct stat *st)
{
  static struct {
    dev_t dev;
    ino_t ino;
    mode_t mode;
  } seen[16];
  static size_t n;
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  size_t i;
  int first = 1;
  pthread_mutex_lock(&lock);
  for(i = 0; i < n && first; i++)
    first = !(seen[i].dev == st->st_dev && seen[i].ino == st->st_ino &&
              seen[i].mode == st->st_mode);
  if(first && n < sizeof(seen) / sizeof(seen[0])) {
    seen[n].dev = st->st_dev;
    seen[n].ino = st->st_ino;
    seen[n].mode = st->st_mode;
    n++;
  }
  pthread_mutex_unlock(&lock);
  return first;
}

/* Keys in a file others can read are not secret any more: say so, once
 * per file and process. path is the sluice profile or the shared file the
 * keys came from. */
static void check_keys_perms(struct sl_creds_provider *p, const char *path)
{
  struct stat st;
  if(p->perms_checked || !path || !*path)
    return;
  p->perms_checked = 1;
  if(stat(path, &st))
    return;
  if((st.st_mode & (S_IRGRP | S_IROTH)) && first_sighting(&st))
    sl_log(SL_LOG_WARN, "%s holds AWS keys but is readable by %s (mode %03o); "
           "run: chmod 600 %s", path,
           (st.st_mode & S_IRGRP) && (st.st_mode & S_IROTH) ? "group and others" :
           (st.st_mode & S_IRGRP) ? "its group" : "others",
           (unsigned)(st.st_mode & 0777), path);
}

/* Sources worth sharing: those that cost a call or a process. Keys read
 * from the environment or a file are read again, and stay out of the
 * process-wide table. */
static int shareable(const struct sl_creds *c)
{
  return strcmp(c->source, "env") && strcmp(c->source, "sluice-profile") &&
         strcmp(c->source, "profile");
}

/* Resolution through the process-wide table: the first provider of a
 * configuration fetches, the others (other clients, other threads) reuse
 * it until it is due for refresh. */
static enum sl_result shared_resolve(struct sl_creds_provider *p, time_t now,
                                     struct sl_creds *fresh, struct sl_error *err,
                                     char *keys_file, size_t keys_len)
{
  char key[65];
  enum sl_result r = SL_OK;
  sl_creds_cache_key(p->cfg, key);
  sl_creds_cache_lock();
  if(sl_creds_cache_find(key, now, REFRESH_BEFORE_S, fresh, keys_file, keys_len))
    sl_log(SL_LOG_DEBUG, "credentials from %s (%s), resolved earlier in this process",
           fresh->source, fresh->access_key_id);
  else {
    r = resolve(p->cfg, p->http, fresh, err, keys_file, keys_len);
    if(!r && shareable(fresh))
      sl_creds_cache_store(key, fresh, keys_file);
  }
  sl_creds_cache_unlock();
  return r;
}

enum sl_result sl_creds_get(struct sl_creds_provider *p, const struct sl_creds **out,
                            struct sl_error *err)
{
  struct sl_creds fresh;
  struct sl_error local;
  char keys_file[4096];
  time_t now = time(NULL);
  enum sl_result r;
  *out = NULL;
  if(p->have && (!p->cur.expiration || p->cur.expiration - now >= REFRESH_BEFORE_S)) {
    *out = &p->cur;
    return SL_OK;
  }
  memset(&fresh, 0, sizeof(fresh));
  sl_error_clear(&local);
  r = shared_resolve(p, now, &fresh, &local, keys_file, sizeof(keys_file));
  if(!r) {
    check_keys_perms(p, !strcmp(fresh.source, "sluice-profile") ? p->profile_path : keys_file);
    sl_creds_cleanup(&p->cur);
    p->cur = fresh;
    p->have = 1;
    *out = &p->cur;
    return SL_OK;
  }
  /* Still valid for a while: keep working and try again on the next call. */
  if(p->have && p->cur.expiration > now) {
    sl_log(SL_LOG_WARN, "could not refresh AWS credentials (%s); the current ones expire "
           "in %lld s", local.message, (long long)(p->cur.expiration - now));
    *out = &p->cur;
    return SL_OK;
  }
  if(err)
    *err = local;
  return r;
}
