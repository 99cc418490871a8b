/* consumer.c — a program outside the tree, built only from the installed
 * header and sluice.pc: proves the library is usable by other C programs. */
#include <stdio.h>
#include <string.h>

#include <sluice.h>

int main(void)
{
  struct sl_profile p;
  struct sl_error err;
  struct sl_aws_config cfg;
  struct sl_client *c = NULL;
  char hash[65];
  int ok, cok;
  sl_sha256_hex("", 0, hash);
  sl_profile_init(&p);
  sl_error_clear(&err);
  ok = sl_profile_parse("t.ini", "[bucket]\nname=b-1\n[firehose]\nname=s1\n", &p, NULL, &err) ==
       SL_OK;
  printf("sluice %s\n%s\nrole=%s\n", sl_version(), hash, ok ? p.role.name : err.message);
  /* The one-call config and an opaque client, as a program without a
   * sluice profile uses them (check sets the environment; no request). */
  cok = sl_aws_config_load(&cfg, &err) == SL_OK && sl_client_new(&c, &cfg, NULL, &err) == SL_OK;
  if(cok)
    printf("region=%s endpoint=%s attempts=%d\n", sl_client_config(c)->region,
           sl_client_config(c)->endpoint_url, sl_client_retry(c)->max_attempts);
  else
    printf("client: %s\n", err.message);
  sl_client_free(c);
  sl_profile_cleanup(&p);
  return !(cok && ok && !strcmp(hash, SL_EMPTY_SHA256) && !strcmp(p.role.name, "s1-firehose"));
}
