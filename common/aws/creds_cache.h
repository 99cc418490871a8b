/* creds_cache.h — credentials resolved once per process: every provider
 * (one per client, and a command has many) with the same configuration
 * shares what the first one fetched, so an apply with a role_arn profile
 * makes one AssumeRole call, not one per client. */
#ifndef SL_AWS_CREDS_CACHE_H
#define SL_AWS_CREDS_CACHE_H

#include <stddef.h>
#include <time.h>

#include "sluice/config.h"
#include "sluice/sigv4.h"

/* What identifies a configuration's credentials: the settings and the
 * environment the chain reads, and the shared files' identity (a changed
 * file is another configuration). A SHA-256, so no secret is kept in it. */
void sl_creds_cache_key(const struct sl_aws_config *cfg, char key[65]);

/* Resolution goes one at a time, so that concurrent clients wait for the
 * first instead of all calling STS. */
void sl_creds_cache_lock(void);
void sl_creds_cache_unlock(void);

/* With the lock held. Credentials for key that stay valid for at least
 * min_left seconds after now, copied into out (and the file the keys came
 * from into keys_file): 1; else 0. */
int sl_creds_cache_find(const char *key, time_t now, long min_left, struct sl_creds *out,
                        char *keys_file, size_t keys_len);
/* With the lock held. Keeps a copy of c for key (replacing an older one). */
void sl_creds_cache_store(const char *key, const struct sl_creds *c, const char *keys_file);

#endif
