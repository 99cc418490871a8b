/* creds_cache.c — the process-wide table of resolved credentials, keyed by
 * a hash of the configuration that produced them (creds_cache.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "sluice/config.h"
#include "sluice/creds.h"
#include "common/aws/creds_cache.h"

#define SLOTS 8

static struct slot {
  char key[65];
  struct sl_creds creds;
  char keys_file[4096];
  int used;
} slots[SLOTS];
static size_t next_slot;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The environment the chain reads (creds.c, creds_remote.c, sts.c). */
static const char *const env_names[] = {
  "AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
  "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "HOME", "AWS_ROLE_ARN",
  "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "AWS_EC2_METADATA_DISABLED",
  "AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_ENDPOINT_URL_SSO", "AWS_STS_REGIONAL_ENDPOINTS", NULL
};

static void add(EVP_MD_CTX *md, const char *s)
{
  EVP_DigestUpdate(md, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* A file's identity and version; "-" when it is not there. */
static void add_file(EVP_MD_CTX *md, const char *path)
{
  struct stat st;
  char id[160];
  if(!path || stat(path, &st))
    snprintf(id, sizeof(id), "-");
  else
    snprintf(id, sizeof(id), "%llu:%llu:%lld:%lld.%09ld", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino, (long long)st.st_size, (long long)st.st_mtim.tv_sec,
             st.st_mtim.tv_nsec);
  add(md, id);
}

void sl_creds_cache_key(const struct sl_aws_config *cfg, char key[65])
{
  static const char hex[] = "0123456789abcdef";
  unsigned char sum[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;
  char conf[4096], cred[4096];
  EVP_MD_CTX *md = EVP_MD_CTX_new();
  key[0] = 0;
  if(!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL)) {
    EVP_MD_CTX_free(md);
    return;
  }
  add(md, cfg->profile);
  add(md, cfg->region);
  add(md, cfg->endpoint_url);
  for(i = 0; i < SL_SVC_COUNT; i++)
    add(md, cfg->service_endpoint[i]);
  add(md, cfg->ca_bundle);
  add(md, cfg->static_access_key_id);
  add(md, cfg->static_secret_access_key);
  add(md, cfg->static_session_token);
  for(i = 0; env_names[i]; i++)
    add(md, getenv(env_names[i]));
  if(!sl_shared_profile_paths(conf, sizeof(conf), cred, sizeof(cred), NULL)) {
    add_file(md, conf);
    add_file(md, cred);
  }
  if(EVP_DigestFinal_ex(md, sum, &n) && n == 32) {
    for(i = 0; i < n; i++) {
      key[2 * i] = hex[sum[i] >> 4];
      key[2 * i + 1] = hex[sum[i] & 15];
    }
    key[64] = 0;
  }
  EVP_MD_CTX_free(md);
}

void sl_creds_cache_lock(void)
{
  pthread_mutex_lock(&lock);
}

void sl_creds_cache_unlock(void)
{
  pthread_mutex_unlock(&lock);
}

int sl_creds_cache_find(const char *key, time_t now, long min_left, struct sl_creds *out,
                        char *keys_file, size_t keys_len)
{
  size_t i;
  if(!key[0])
    return 0;
  for(i = 0; i < SLOTS; i++) {
    struct slot *s = &slots[i];
    if(!s->used || strcmp(s->key, key))
      continue;
    if(s->creds.expiration && s->creds.expiration - now < min_left)
      return 0;
    if(sl_creds_copy(out, &s->creds))
      return 0;
    snprintf(keys_file, keys_len, "%s", s->keys_file);
    return 1;
  }
  return 0;
}

void sl_creds_cache_store(const char *key, const struct sl_creds *c, const char *keys_file)
{
  struct slot *s = NULL;
  size_t i;
  if(!key[0])
    return;
  for(i = 0; i < SLOTS && !s; i++)
    if(slots[i].used && !strcmp(slots[i].key, key))
      s = &slots[i];
  if(!s) {
    s = &slots[next_slot];
    next_slot = (next_slot + 1) % SLOTS;
  }
  sl_creds_cleanup(&s->creds);
  s->used = 0;
  if(sl_creds_copy(&s->creds, c))
    return;
  snprintf(s->key, sizeof(s->key), "%s", key);
  snprintf(s->keys_file, sizeof(s->keys_file), "%s", keys_file ? keys_file : "");
  s->used = 1;
}
