/* names.c — AWS naming rules sluice checks before calling AWS: S3 bucket
 * names, IAM role names, stream names, and Firehose prefix expressions. */
#include "sluice/profile.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <string.h>

int sl_valid_bucket_name(const char *s, const char **why)
{
  static const char *const bad_prefix[] = { "xn--", "sthree-", "amzn-s3-demo-", NULL };
  static const char *const bad_suffix[] = { "-s3alias", "--ol-s3", ".mrap", "--x-s3",
                                            "--table-s3", NULL };
  size_t i, n = strlen(s);
  struct in_addr a;
  const char *dummy;
  if(!why)
    why = &dummy;
  *why = NULL;
  if(n < 3 || n > 63)
    return (*why = "must be 3 to 63 characters long"), 0;
  for(i = 0; i < n; i++)
    if(!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '.' ||
         s[i] == '-'))
      return (*why = "may hold only lowercase letters, digits, dots and hyphens"), 0;
  if(!isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
    return (*why = "must begin and end with a letter or digit"), 0;
  if(strstr(s, ".."))
    return (*why = "must not have two dots in a row"), 0;
  if(inet_pton(AF_INET, s, &a) == 1)
    return (*why = "must not look like an IP address"), 0;
  for(i = 0; bad_prefix[i]; i++)
    if(!strncmp(s, bad_prefix[i], strlen(bad_prefix[i])))
      return (*why = "uses a prefix AWS reserves (xn--, sthree-, amzn-s3-demo-)"), 0;
  for(i = 0; bad_suffix[i]; i++) {
    size_t m = strlen(bad_suffix[i]);
    if(n >= m && !strcmp(s + n - m, bad_suffix[i]))
      return (*why = "uses a suffix AWS reserves (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)"), 0;
  }
  return 1;
}

static int charset_ok(const char *s, size_t maxlen, const char *extra)
{
  size_t i, n = strlen(s);
  if(!n || n > maxlen)
    return 0;
  for(i = 0; i < n; i++)
    if(!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
      return 0;
  return 1;
}

int sl_valid_role_name(const char *s)
{
  return charset_ok(s, 64, "_+=,.@-");
}

/* arn:<partition>:iam::<aws|account>:policy/[path/]name, as IAM accepts a
 * managed policy ARN (name: letters, digits and _+=,.@-, at most 128). */
int sl_valid_policy_arn(const char *s)
{
  const char *p = s, *name;
  size_t n;
  if(strncmp(p, "arn:aws", 7))
    return 0;
  p = strchr(p + 4, ':');
  if(!p || strncmp(p, ":iam::", 6))
    return 0;
  p += 6;
  if(!strncmp(p, "aws:", 4))
    p += 4;
  else {
    for(n = 0; isdigit((unsigned char)p[n]); n++)
      ;
    if(n != 12 || p[n] != ':')
      return 0;
    p += 13;
  }
  if(strncmp(p, "policy/", 7))
    return 0;
  name = strrchr(p, '/') + 1;
  for(p += 6; p < name; p++)
    if(*p < 0x21 || *p > 0x7e)
      return 0;
  return strlen(s) <= 2048 && charset_ok(name, 128, "_+=,.@-");
}

int sl_valid_firehose_name(const char *s)
{
  return charset_ok(s, 64, "_.-");
}

int sl_valid_kinesis_name(const char *s)
{
  return charset_ok(s, 128, "_.-");
}

/* Checks each !{...} in a prefix; counts them and notes error-output-type. */
static int scan_expressions(const char *s, int is_error_prefix, int *count, int *has_eot,
                            const char **why)
{
  *count = 0;
  *has_eot = 0;
  while((s = strstr(s, "!{"))) {
    const char *end = strchr(s, '}');
    size_t n;
    if(!end)
      return (*why = "has a !{ without its closing }"), 0;
    n = (size_t)(end - s - 2);
    if(n > 10 && !strncmp(s + 2, "timestamp:", 10))
      ;
    else if(n == 22 && !strncmp(s + 2, "firehose:random-string", 22))
      ;
    else if(n == 26 && !strncmp(s + 2, "firehose:error-output-type", 26)) {
      if(!is_error_prefix)
        return (*why = "uses !{firehose:error-output-type}, which only error_prefix may use"), 0;
      *has_eot = 1;
    }
    else
      return (*why = "has an expression other than !{timestamp:...}, "
                     "!{firehose:random-string} or !{firehose:error-output-type}"), 0;
    (*count)++;
    s = end + 1;
  }
  return 1;
}

int sl_valid_prefixes(const char *prefix, const char *error_prefix, const char **why)
{
  int pc, pe, ec, ee;
  const char *dummy;
  if(!why)
    why = &dummy;
  *why = NULL;
  if(!scan_expressions(prefix, 0, &pc, &pe, why))
    return 0;
  if(!scan_expressions(error_prefix, 1, &ec, &ee, why))
    return 0;
  if(pc && !ee)
    return (*why = "prefix uses expressions, so error_prefix must contain "
                   "!{firehose:error-output-type}"), 0;
  return 1;
}
