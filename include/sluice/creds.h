/* sluice — the credential provider chain, in the order the AWS SDKs use:
 * explicit (sluice profile) → environment → shared files (static keys,
 * credential_process, role_arn + source_profile, web_identity_token_file,
 * AWS SSO: sso_session or sso_start_url with the token `aws sso login`
 * cached) → web identity from env → ECS container endpoint → EC2 IMDSv2.
 * What costs a call or a process is resolved once per process and shared
 * by every provider of the same configuration. Expiring credentials are
 * refreshed before they expire. */
#ifndef SLUICE_CREDS_H
#define SLUICE_CREDS_H

#include "export.h"

#include <time.h>
#include "buf.h"
#include "config.h"
#include "sigv4.h"

#ifdef __cplusplus
extern "C" {
#endif

struct sl_http;

struct sl_creds_provider;

/* cfg is read (profile, region, static keys, endpoints for STS, timeouts);
 * it must outlive the provider. http is used for STS calls (NULL = a
 * handle made for each resolution); it must outlive the provider too.
 * ECS and IMDS use a dedicated handle that allows plain http, after checking
 * the URL is loopback or the fixed link-local metadata address.
 * sluice_profile_path, when not NULL, is the INI file the static keys came
 * from: a warning is logged if it is readable by group or others. */
SL_EXPORT struct sl_creds_provider *sl_creds_provider_new(const struct sl_aws_config *cfg,
                                                struct sl_http *http,
                                                const char *sluice_profile_path);
SL_EXPORT void sl_creds_provider_free(struct sl_creds_provider *p);

/* Current credentials (resolved on first use, refreshed when they expire in
 * under 5 minutes; a failed refresh keeps credentials that have not expired
 * yet, with a warning). The pointer stays valid until the next call or free.
 * Not thread-safe: one provider per thread, or lock around it. */
SL_EXPORT enum sl_result sl_creds_get(struct sl_creds_provider *p, const struct sl_creds **out,
                            struct sl_error *err);

/* Lower-level: resolve once, without caching, into out (which must be
 * zeroed or hold credentials; they are replaced only on success). On
 * failure err says what went wrong, or for SL_E_CREDENTIALS with nothing
 * configured, every source tried and why it did not apply. */
SL_EXPORT enum sl_result sl_creds_resolve(const struct sl_aws_config *cfg, struct sl_http *http,
                                struct sl_creds *out, struct sl_error *err);

/* Reads one profile's keys from the AWS shared config/credentials files
 * (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, defaults ~/.aws/...).
 * name NULL = AWS_PROFILE or "default". The result is a flat list of
 * key = value pairs, nested (indented) sub-keys as "parent.child".
 * Keys are lowercased; the credentials file wins key by key; in the config
 * file [profile default] wins over [default]. Missing files are not an
 * error: the profile is then simply not found (found = 0, SL_OK). Syntax
 * errors give SL_E_CONFIG naming file and line. */
struct sl_shared_profile {
  struct sl_headers kv;   /* reused as an ordered key/value list */
  int found;              /* a section of that name exists in either file */
  int in_config, in_credentials;
  int secret_in_credentials; /* aws_secret_access_key came from the credentials file */
  char name[256];
  char config_path[4096]; /* the files that were read ("" = not read) */
  char credentials_path[4096];
};
SL_EXPORT void sl_shared_profile_init(struct sl_shared_profile *p);
SL_EXPORT void sl_shared_profile_cleanup(struct sl_shared_profile *p);
SL_EXPORT enum sl_result sl_shared_profile_load(const char *name, struct sl_shared_profile *out,
                                      struct sl_error *err);
/* The same with explicit paths (NULL = skip that file). */
SL_EXPORT enum sl_result sl_shared_profile_load_files(const char *name, const char *config_path,
                                            const char *credentials_path,
                                            struct sl_shared_profile *out,
                                            struct sl_error *err);
/* The two paths the environment selects, "~/" expanded. */
SL_EXPORT enum sl_result sl_shared_profile_paths(char *config_path, size_t config_len,
                                       char *credentials_path, size_t credentials_len,
                                       struct sl_error *err);
SL_EXPORT const char *sl_shared_profile_get(const struct sl_shared_profile *p, const char *key);

#ifdef __cplusplus
}
#endif
#endif
