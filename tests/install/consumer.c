/* consumer.c — a program outside the tree, built only from the installed
 * header and sluice.pc: proves the library is usable by other C programs. */
#include <stdio.h>
#include <string.h>

#include <sluice.h>

int main(void)
{
  struct sl_profile p;
  struct sl_error err;
  char hash[65];
  int ok;
  sl_sha256_hex("", 0, hash);
  sl_profile_init(&p);
  sl_error_clear(&err);
  ok = sl_profile_parse("t.ini", "[bucket]\nname=b-1\n[firehose]\nname=s1\n", &p, NULL, &err) ==
       SL_OK;
  printf("sluice %s\n%s\nrole=%s\n", sl_version(), hash, ok ? p.role.name : err.message);
  sl_profile_cleanup(&p);
  return !(ok && !strcmp(hash, SL_EMPTY_SHA256) && !strcmp(p.role.name, "s1-firehose"));
}
