/* config.c — AWS client configuration from the environment and the shared
 * config file, and endpoint resolution per service and partition. */
#include "sluice/config.h"
#include "sluice/creds.h"
#include "sluice/log.h"
#include "common/aws/shared_config_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Signing names (also the endpoint host's first label), the AWS_ENDPOINT_URL_
 * suffixes and the shared config's [services] keys: the last two come from
 * the service id ("CloudWatch Logs"), as in the AWS SDKs. */
static const char *const svc_names[SL_SVC_COUNT] = { "s3", "iam", "sts", "firehose", "kinesis",
                                                     "logs", "glue", "athena" };
static const char *const svc_env[SL_SVC_COUNT] = { "S3", "IAM", "STS", "FIREHOSE", "KINESIS",
                                                   "CLOUDWATCH_LOGS", "GLUE", "ATHENA" };
static const char *const svc_keys[SL_SVC_COUNT] = { "s3", "iam", "sts", "firehose", "kinesis",
                                                    "cloudwatch_logs", "glue", "athena" };

const char *sl_service_name(enum sl_service s)
{
  return (unsigned)s < SL_SVC_COUNT ? svc_names[s] : "unknown";
}

const char *sl_service_env_suffix(enum sl_service s)
{
  return (unsigned)s < SL_SVC_COUNT ? svc_env[s] : "UNKNOWN";
}

void sl_aws_config_init(struct sl_aws_config *c)
{
  memset(c, 0, sizeof(*c));
  c->connect_timeout_ms = 3000;
  c->timeout_ms = 60000;
}

void sl_aws_config_cleanup(struct sl_aws_config *c)
{
  sl_free_secret(c->static_session_token);
  c->static_session_token = NULL;
  memset(c->static_secret_access_key, 0, sizeof(c->static_secret_access_key));
}

enum sl_result sl_aws_config_copy(struct sl_aws_config *dst, const struct sl_aws_config *src,
                                  struct sl_error *err)
{
  *dst = *src;
  dst->static_session_token = NULL;
  if(src->static_session_token &&
     !(dst->static_session_token = sl_strdup(src->static_session_token)))
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  return SL_OK;
}

enum sl_result sl_aws_config_resolve(struct sl_aws_config *dst, const struct sl_aws_config *profile,
                                     struct sl_error *err)
{
  enum sl_result r = sl_aws_config_copy(dst, profile, err);
  if(!r)
    r = sl_aws_config_from_env(dst, err);
  if(!r)
    r = sl_aws_config_from_shared(dst, err);
  if(!r && !dst->region[0])
    r = sl_error_set(err, SL_E_CONFIG, NULL,
                     "no AWS region: set 'region' in the profile's [aws] section, "
                     "AWS_REGION or AWS_DEFAULT_REGION");
  /* Once per command run, so nobody forgets the setting is on. */
  if(!r && dst->allow_plain_http)
    sl_log(SL_LOG_WARN, "allow_plain_http = true: requests to a non-loopback http:// endpoint "
                        "travel unencrypted and unauthenticated");
  if(r)
    sl_aws_config_cleanup(dst);
  return r;
}

enum sl_result sl_aws_config_load(struct sl_aws_config *c, struct sl_error *err)
{
  struct sl_aws_config none;
  sl_aws_config_init(&none);
  sl_aws_config_init(c);
  return sl_aws_config_resolve(c, &none, err);
}

int sl_aws_config_max_attempts(const struct sl_aws_config *c)
{
  return c->max_attempts > 0 ? c->max_attempts : 3;
}

/* Copies into a fixed field; a value that does not fit is an error, never
 * silently cut. */
static enum sl_result set_field(char *dst, size_t dstlen, const char *val, const char *what,
                                struct sl_error *err)
{
  size_t n = strlen(val);
  if(n >= dstlen)
    return sl_error_set(err, SL_E_CONFIG, NULL, "%s is too long (%zu characters, at most %zu)",
                        what, n, dstlen - 1);
  memcpy(dst, val, n + 1);
  return SL_OK;
}

static int valid_region(const char *r)
{
  size_t i, n = strlen(r);
  if(!n || n > 50)
    return 0;
  for(i = 0; i < n; i++)
    if(!(islower((unsigned char)r[i]) || isdigit((unsigned char)r[i]) || r[i] == '-'))
      return 0;
  return r[0] != '-' && r[n - 1] != '-';
}

static int valid_url(const char *u)
{
  return !strncmp(u, "http://", 7) || !strncmp(u, "https://", 8);
}

static enum sl_result set_region(struct sl_aws_config *c, const char *val, const char *what,
                                 struct sl_error *err)
{
  if(!valid_region(val))
    return sl_error_set(err, SL_E_CONFIG, NULL,
                        "%s: '%s' is not a region name (like eu-west-1)", what, val);
  return set_field(c->region, sizeof(c->region), val, what, err);
}

static enum sl_result set_url(char *dst, size_t dstlen, const char *val, const char *what,
                              struct sl_error *err)
{
  if(!valid_url(val))
    return sl_error_set(err, SL_E_CONFIG, NULL,
                        "%s: '%s' is not an http:// or https:// URL", what, val);
  return set_field(dst, dstlen, val, what, err);
}

static enum sl_result set_attempts(struct sl_aws_config *c, const char *val, const char *what,
                                   struct sl_error *err)
{
  char *end;
  long n;
  errno = 0;
  n = strtol(val, &end, 10);
  if(errno || end == val || *end || n < 1 || n > 100)
    return sl_error_set(err, SL_E_CONFIG, NULL,
                        "%s: '%s' is not a whole number from 1 to 100", what, val);
  c->max_attempts = (int)n;
  return SL_OK;
}

/* Environment value, with empty treated as unset (as the SDKs do). */
static const char *env(const char *name)
{
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

/* Logged at -v so that where each setting came from can be seen. */
static void origin(const char *key, const char *value, const char *from)
{
  sl_log(SL_LOG_INFO, "%s %s (from %s)", key, value, from);
}

/* AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the shared config's
 * ignore_configured_endpoint_urls: endpoints from the environment and the
 * shared config are not used; an explicit one still is. */
static int truthy(const char *v)
{
  return v && !strcasecmp(v, "true");
}

static int any_service_endpoint(const struct sl_aws_config *c)
{
  int i;
  for(i = 0; i < SL_SVC_COUNT; i++)
    if(c->service_endpoint[i][0])
      return 1;
  return 0;
}

enum sl_result sl_aws_config_from_env(struct sl_aws_config *c, struct sl_error *err)
{
  enum sl_result r = SL_OK;
  const char *v;
  /* An endpoint set before (option, pipeline profile) outranks every
   * configured one, as --endpoint-url does in the AWS CLI. */
  int explicit_endpoint = c->endpoint_url[0] || any_service_endpoint(c);
  int i;
  if(!c->region[0]) {
    const char *name = env("AWS_REGION") ? "AWS_REGION" : "AWS_DEFAULT_REGION";
    if((v = env(name))) {
      r = set_region(c, v, name, err);
      if(!r)
        origin("region", v, name);
    }
  }
  if(!r && !c->profile[0] && (v = env("AWS_PROFILE"))) {
    r = set_field(c->profile, sizeof(c->profile), v, "AWS_PROFILE", err);
    if(!r)
      origin("profile", v, "AWS_PROFILE");
  }
  if(!explicit_endpoint && !truthy(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
    /* AWS_ENDPOINT_URL_<SVC> beats AWS_ENDPOINT_URL: the service field wins
     * at resolve time. */
    for(i = 0; !r && i < SL_SVC_COUNT; i++) {
      char name[64];
      snprintf(name, sizeof(name), "AWS_ENDPOINT_URL_%s", svc_env[i]);
      if((v = env(name))) {
        r = set_url(c->service_endpoint[i], sizeof(c->service_endpoint[i]), v, name, err);
        if(!r)
          sl_log(SL_LOG_INFO, "%s endpoint %s (from %s)", svc_names[i], v, name);
      }
    }
    if(!r && (v = env("AWS_ENDPOINT_URL"))) {
      r = set_url(c->endpoint_url, sizeof(c->endpoint_url), v, "AWS_ENDPOINT_URL", err);
      if(!r)
        origin("endpoint_url", v, "AWS_ENDPOINT_URL");
    }
  }
  if(!r && !c->max_attempts && (v = env("AWS_MAX_ATTEMPTS"))) {
    r = set_attempts(c, v, "AWS_MAX_ATTEMPTS", err);
    if(!r)
      origin("max_attempts", v, "AWS_MAX_ATTEMPTS");
  }
  if(!r && !c->ca_bundle[0] && (v = env("AWS_CA_BUNDLE"))) {
    r = set_field(c->ca_bundle, sizeof(c->ca_bundle), v, "AWS_CA_BUNDLE", err);
    if(!r)
      origin("ca_bundle", v, "AWS_CA_BUNDLE");
  }
  return r;
}

/* The shared config's `services = NAME` section: "kinesis.endpoint_url"
 * and the like, for services not given an endpoint by anything above. */
static enum sl_result services_section(struct sl_aws_config *c, const char *name,
                                       struct sl_error *err)
{
  struct sl_shared_profile s;
  enum sl_result r;
  int i;
  sl_shared_profile_init(&s);
  r = sl_shared_section_load("services", name, &s, err);
  if(!r && !s.found)
    r = sl_error_set(err, SL_E_CONFIG, NULL, "services = %s, but there is no [services %s] "
                     "section in %s", name, name, s.config_path);
  for(i = 0; !r && i < SL_SVC_COUNT; i++) {
    char key[64], what[128];
    const char *v;
    snprintf(key, sizeof(key), "%s.endpoint_url", svc_keys[i]);
    if(c->service_endpoint[i][0] || !(v = sl_shared_profile_get(&s, key)))
      continue;
    snprintf(what, sizeof(what), "[services %s] %s", name, key);
    r = set_url(c->service_endpoint[i], sizeof(c->service_endpoint[i]), v, what, err);
    if(!r)
      sl_log(SL_LOG_INFO, "%s endpoint %s (from %s)", svc_names[i], v, what);
  }
  sl_shared_profile_cleanup(&s);
  return r;
}

enum sl_result sl_aws_config_from_shared(struct sl_aws_config *c, struct sl_error *err)
{
  struct sl_shared_profile p;
  enum sl_result r;
  const char *v;
  char from[320];
  sl_shared_profile_init(&p);
  r = sl_shared_profile_load(c->profile[0] ? c->profile : NULL, &p, err);
  /* As the AWS CLI: a profile named but found in neither file is an error,
   * not an empty profile (which would surface later as "no region"). */
  if(!r && c->profile[0] && !p.found) {
    const char *env_profile = getenv("AWS_PROFILE");
    r = sl_error_set(err, SL_E_CONFIG, "ProfileNotFound", "AWS profile '%s' (%s) is not in %s "
                     "nor in %s", c->profile, env_profile && !strcmp(env_profile, c->profile) ?
                     "from AWS_PROFILE" : "from --profile or the profile's [aws] profile",
                     p.config_path[0] ? p.config_path : "the config file",
                     p.credentials_path[0] ? p.credentials_path : "the credentials file");
  }
  snprintf(from, sizeof(from), "shared config profile %s", p.name);
  if(!r && !c->region[0] && (v = sl_shared_profile_get(&p, "region"))) {
    r = set_region(c, v, "shared config 'region'", err);
    if(!r)
      origin("region", v, from);
  }
  if(!r && !c->max_attempts && (v = sl_shared_profile_get(&p, "max_attempts"))) {
    r = set_attempts(c, v, "shared config 'max_attempts'", err);
    if(!r)
      origin("max_attempts", v, from);
  }
  /* Endpoints, service by service below what came from above: none when
   * a global one did (it would lose to a service one from lower down). */
  if(!r && !c->endpoint_url[0] &&
     !truthy(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) &&
     !truthy(sl_shared_profile_get(&p, "ignore_configured_endpoint_urls"))) {
    if((v = sl_shared_profile_get(&p, "services")))
      r = services_section(c, v, err);
    if(!r && (v = sl_shared_profile_get(&p, "endpoint_url"))) {
      r = set_url(c->endpoint_url, sizeof(c->endpoint_url), v, "shared config 'endpoint_url'",
                  err);
      if(!r)
        origin("endpoint_url", v, from);
    }
  }
  if(!r && !c->ca_bundle[0] && (v = sl_shared_profile_get(&p, "ca_bundle"))) {
    r = set_field(c->ca_bundle, sizeof(c->ca_bundle), v, "shared config 'ca_bundle'", err);
    if(!r)
      origin("ca_bundle", v, from);
  }
  sl_shared_profile_cleanup(&p);
  return r;
}

enum sl_result sl_aws_config_set(struct sl_aws_config *c, const char *key, const char *value,
                                 const char *from, struct sl_error *err)
{
  enum sl_result r;
  char what[160];
  int i;
  snprintf(what, sizeof(what), "%s", from ? from : key);
  if(!strcmp(key, "region"))
    r = set_region(c, value, what, err);
  else if(!strcmp(key, "profile"))
    r = !*value ? sl_error_set(err, SL_E_CONFIG, NULL, "%s: an empty profile name", what) :
        set_field(c->profile, sizeof(c->profile), value, what, err);
  else if(!strcmp(key, "endpoint_url")) {
    r = set_url(c->endpoint_url, sizeof(c->endpoint_url), value, what, err);
    /* One endpoint for every service the command calls, as --endpoint-url. */
    for(i = 0; !r && i < SL_SVC_COUNT; i++)
      c->service_endpoint[i][0] = 0;
  }
  else if(!strcmp(key, "max_attempts"))
    r = set_attempts(c, value, what, err);
  else if(!strcmp(key, "ca_bundle"))
    r = set_field(c->ca_bundle, sizeof(c->ca_bundle), value, what, err);
  else
    r = sl_error_set(err, SL_E_INVALID, NULL, "unknown configuration key '%s'", key);
  if(!r && from)
    origin(key, value, from);
  return r;
}

const char *sl_partition_of(const char *region)
{
  if(!strncmp(region, "cn-", 3))
    return "aws-cn";
  if(!strncmp(region, "us-gov-", 7))
    return "aws-us-gov";
  return "aws";
}

const char *sl_dns_suffix(const char *partition)
{
  return !strcmp(partition, "aws-cn") ? "amazonaws.com.cn" : "amazonaws.com";
}

int sl_host_is_loopback(const char *host)
{
  struct in_addr a4;
  char h[64];
  size_t n = strlen(host);
  if(!strcasecmp(host, "localhost"))
    return 1;
  /* Bracketed IPv6 literal as it appears in a URL. */
  if(n >= 2 && host[0] == '[' && host[n - 1] == ']' && n - 2 < sizeof(h)) {
    memcpy(h, host + 1, n - 2);
    h[n - 2] = 0;
    host = h;
  }
  if(inet_pton(AF_INET, host, &a4) == 1)
    return (ntohl(a4.s_addr) >> 24) == 127;
  {
    struct in6_addr a6;
    if(inet_pton(AF_INET6, host, &a6) == 1)
      return IN6_IS_ADDR_LOOPBACK(&a6);
  }
  return 0;
}

/* A bucket name that can be a DNS label under TLS: lowercase letters,
 * digits and hyphens; dots break the wildcard certificate. */
static int bucket_is_virtual_ok(const char *b)
{
  size_t i, n = strlen(b);
  if(n < 3 || n > 63)
    return 0;
  for(i = 0; i < n; i++)
    if(!(islower((unsigned char)b[i]) || isdigit((unsigned char)b[i]) || b[i] == '-'))
      return 0;
  return b[0] != '-' && b[n - 1] != '-';
}

/* Splits an override URL into base_url (no trailing slash), host header and
 * scheme, and applies the plain-http rule. */
static enum sl_result from_override(const struct sl_aws_config *c, const char *url,
                                    struct sl_endpoint *out, struct sl_error *err)
{
  const char *hp, *end, *hostend;
  char host[300];
  size_t n, hn;
  out->is_https = !strncmp(url, "https://", 8);
  if(!out->is_https && strncmp(url, "http://", 7))
    return sl_error_set(err, SL_E_CONFIG, NULL, "endpoint '%s' is not an http:// or https:// URL",
                        url);
  hp = url + (out->is_https ? 8 : 7);
  end = hp + strcspn(hp, "/?#");
  if(strpbrk(url, "?#"))
    return sl_error_set(err, SL_E_CONFIG, NULL,
                        "endpoint '%s' must not have a query or fragment", url);
  if(end == hp || end - hp >= (long)sizeof(out->host))
    return sl_error_set(err, SL_E_CONFIG, NULL, "endpoint '%s' has no valid host", url);
  if(strchr(hp, '@') && strchr(hp, '@') < end)
    return sl_error_set(err, SL_E_CONFIG, NULL,
                        "endpoint '%s' must not carry user information", url);
  memcpy(out->host, hp, (size_t)(end - hp));
  out->host[end - hp] = 0;
  /* The host without its port, for the loopback check. */
  if(out->host[0] == '[')
    hostend = strchr(out->host, ']') ? strchr(out->host, ']') + 1 : out->host + strlen(out->host);
  else
    hostend = out->host + strcspn(out->host, ":");
  hn = (size_t)(hostend - out->host);
  if(hn >= sizeof(host) || !hn)
    return sl_error_set(err, SL_E_CONFIG, NULL, "endpoint '%s' has no valid host", url);
  memcpy(host, out->host, hn);
  host[hn] = 0;
  if(!out->is_https && !c->allow_plain_http && !sl_host_is_loopback(host))
    return sl_error_set(err, SL_E_CONFIG, NULL,
                        "refusing plain http endpoint '%s': only loopback addresses may use "
                        "http:// unless allow_plain_http = true", url);
  n = strlen(url);
  while(n && url[n - 1] == '/')
    n--;
  if(n >= sizeof(out->base_url))
    return sl_error_set(err, SL_E_CONFIG, NULL, "endpoint '%s' is too long", url);
  memcpy(out->base_url, url, n);
  out->base_url[n] = 0;
  return SL_OK;
}

enum sl_result sl_endpoint_resolve(const struct sl_aws_config *c, enum sl_service svc,
                                   const char *bucket, struct sl_endpoint *out,
                                   struct sl_error *err)
{
  const char *override, *part, *suffix, *region = c->region;
  enum sl_result r = SL_OK;
  memset(out, 0, sizeof(*out));
  if((unsigned)svc >= SL_SVC_COUNT)
    return sl_error_set(err, SL_E_INVALID, NULL, "unknown service %d", (int)svc);
  if(!region[0])
    return sl_error_set(err, SL_E_CONFIG, NULL,
                        "no AWS region: set 'region' in the profile's [aws] section, "
                        "AWS_REGION or AWS_DEFAULT_REGION");
  part = sl_partition_of(region);
  suffix = sl_dns_suffix(part);
  out->signing_name = svc_names[svc];
  snprintf(out->signing_region, sizeof(out->signing_region), "%s", region);
  /* IAM is global: one endpoint per partition, signed for its home region. */
  if(svc == SL_SVC_IAM)
    snprintf(out->signing_region, sizeof(out->signing_region), "%s",
             !strcmp(part, "aws-cn") ? "cn-north-1" :
             !strcmp(part, "aws-us-gov") ? "us-gov-west-1" : "us-east-1");

  override = c->service_endpoint[svc][0] ? c->service_endpoint[svc] :
             c->endpoint_url[0] ? c->endpoint_url : NULL;
  if(override) {
    r = from_override(c, override, out, err);
    out->path_style = svc == SL_SVC_S3;
    return r;
  }

  out->is_https = 1;
  switch(svc) {
  case SL_SVC_IAM:
    if(!strcmp(part, "aws-cn"))
      snprintf(out->host, sizeof(out->host), "iam.cn-north-1.%s", suffix);
    else if(!strcmp(part, "aws-us-gov"))
      snprintf(out->host, sizeof(out->host), "iam.us-gov.%s", suffix);
    else
      snprintf(out->host, sizeof(out->host), "iam.%s", suffix);
    break;
  case SL_SVC_S3:
    out->path_style = c->s3_force_path_style || !bucket || !bucket_is_virtual_ok(bucket);
    if(!out->path_style)
      snprintf(out->host, sizeof(out->host), "%s.s3.%s.%s", bucket, region, suffix);
    else
      snprintf(out->host, sizeof(out->host), "s3.%s.%s", region, suffix);
    break;
  default:
    snprintf(out->host, sizeof(out->host), "%s.%s.%s", svc_names[svc], region, suffix);
    break;
  }
  snprintf(out->base_url, sizeof(out->base_url), "https://%s", out->host);
  return r;
}

int sl_config_is_credential_option(const char *arg)
{
  /* Matched on the name folded to lowercase letters and digits, so
   * --secret-access-key, --aws_secret_access_key and --SecretAccessKey
   * are one word; no real option of either CLI contains these. */
  static const char *const words[] = { "secret", "token", "accesskey", "password",
                                        "credential", NULL };
  char name[64];
  size_t n = 0, i;
  if(!arg || arg[0] != '-')
    return 0;
  for(; *arg && *arg != '=' && n < sizeof(name) - 1; arg++)
    if(isalnum((unsigned char)*arg))
      name[n++] = (char)tolower((unsigned char)*arg);
  name[n] = 0;
  for(i = 0; words[i]; i++)
    if(strstr(name, words[i]))
      return 1;
  return 0;
}
