/* fuzz_shared_config.c — the AWS shared config and credentials parser.
 * Input: config file text, a NUL byte, credentials file text (no NUL: the
 * config file only). The two files are memfds read through /proc/self/fd,
 * so the parser runs exactly as on real files and nothing touches disk.
 * Every key it returns must be a lowercase, well-formed (dotted) name. */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "sluice/creds.h"

#define FUZZ_MAX_INPUT (256u * 1024u)

static int fds[2] = { -1, -1 };
static char paths[2][64];

static void put(int i, const uint8_t *p, size_t n)
{
  if(ftruncate(fds[i], 0) || (n && pwrite(fds[i], p, n, 0) != (ssize_t)n))
    abort();
}

/* Keys come back lowercased and never empty. */
static void check_key(const char *k)
{
  FUZZ_CHECK(*k);
  for(; *k; k++)
    FUZZ_CHECK(!(*k >= 'A' && *k <= 'Z'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const names[] = { "default", "dev", "prod-eu", "a/b@c" };
  struct sl_shared_profile prof;
  struct sl_error err;
  const uint8_t *nul;
  const char *name;
  size_t i;
  enum sl_result r;
  if(size > FUZZ_MAX_INPUT || !size)
    return 0;
  fuzz_init();
  if(fds[0] < 0) {
    for(i = 0; i < 2; i++) {
      fds[i] = memfd_create(i ? "credentials" : "config", 0);
      if(fds[i] < 0)
        abort();
      snprintf(paths[i], sizeof(paths[i]), "/proc/self/fd/%d", fds[i]);
    }
  }
  /* The first byte picks the profile to look for. */
  name = names[data[0] % 4];
  data++;
  size--;
  nul = memchr(data, 0, size);
  put(0, data, nul ? (size_t)(nul - data) : size);
  put(1, nul ? nul + 1 : data, nul ? size - (size_t)(nul + 1 - data) : 0);
  sl_shared_profile_init(&prof);
  sl_error_clear(&err);
  r = sl_shared_profile_load_files(name, paths[0], nul ? paths[1] : NULL, &prof, &err);
  if(r == SL_OK) {
    FUZZ_CHECK(!strcmp(prof.name, name));
    FUZZ_CHECK(prof.found == (prof.in_config || prof.in_credentials));
    for(i = 0; i < prof.kv.n; i++) {
      check_key(prof.kv.v[i].name);
      FUZZ_CHECK(prof.kv.v[i].value != NULL);
      /* lookups ignore case and find what is there */
      FUZZ_CHECK(sl_shared_profile_get(&prof, prof.kv.v[i].name) != NULL);
    }
    (void)sl_shared_profile_get(&prof, "aws_secret_access_key");
    (void)sl_shared_profile_get(&prof, "s3.addressing_style");
  }
  else {
    FUZZ_CHECK(err.result == r && err.message[0]);
    FUZZ_CHECK(prof.kv.n == 0);
  }
  sl_shared_profile_cleanup(&prof);
  return 0;
}
