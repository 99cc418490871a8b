/* send_open.c — a stream the caller names: its ARN taken apart, the check
 * before the first batch (it exists, in this account, and takes records),
 * and the one call that opens a sender from a name and the environment, as
 * the old libraries' constructors did. */
#include "sluice/send.h"
#include "sluice/creds.h"
#include "sluice/log.h"
#include "sluice/profile.h"
#include "sluice/sts.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_S 1

/* The next ':'-separated field of an ARN into out; NULL when missing or
 * too long. */
static const char *field(const char *p, char *out, size_t n)
{
  const char *e = strchr(p, ':');
  size_t len;
  if(!e)
    return NULL;
  len = (size_t)(e - p);
  if(len >= n)
    return NULL;
  memcpy(out, p, len);
  out[len] = 0;
  return e + 1;
}

enum sl_result sl_send_parse_arn(const char *arn, struct sl_stream_arn *out,
                                 struct sl_error *err)
{
  char svc[32];
  const char *p = arn, *res, *want;
  size_t i;
  memset(out, 0, sizeof(*out));
  if(strncmp(p, "arn:", 4))
    return sl_error_set(err, SL_E_INVALID, NULL, "'%.200s' is not an ARN (arn:aws:kinesis:"
                        "REGION:ACCOUNT:stream/NAME)", arn);
  p += 4;
  if(!(p = field(p, out->partition, sizeof(out->partition))) ||
     !(p = field(p, svc, sizeof(svc))) || !(p = field(p, out->region, sizeof(out->region))) ||
     !(p = field(p, out->account, sizeof(out->account))))
    return sl_error_set(err, SL_E_INVALID, NULL, "'%.200s' is not a stream ARN (arn:PARTITION:"
                        "kinesis|firehose:REGION:ACCOUNT:stream/NAME)", arn);
  res = p;
  if(!strcmp(svc, "kinesis")) {
    out->target = SL_SEND_KINESIS;
    want = "stream/";
  }
  else if(!strcmp(svc, "firehose")) {
    out->target = SL_SEND_FIREHOSE;
    want = "deliverystream/";
  }
  else
    return sl_error_set(err, SL_E_INVALID, NULL, "'%.200s' is a %s ARN, not a Kinesis or "
                        "Firehose stream's", arn, svc);
  if(strncmp(res, want, strlen(want)))
    return sl_error_set(err, SL_E_INVALID, NULL, "'%.200s': a %s stream ARN ends in %sNAME", arn,
                        svc, want);
  res += strlen(want);
  if(!(out->target == SL_SEND_KINESIS ? sl_valid_kinesis_name(res) :
                                        sl_valid_firehose_name(res)))
    return sl_error_set(err, SL_E_INVALID, NULL, "'%.200s': '%.200s' is not a valid stream name",
                        arn, res);
  snprintf(out->name, sizeof(out->name), "%s", res);
  for(i = 0; out->account[i]; i++)
    if(!isdigit((unsigned char)out->account[i]))
      break;
  if(i != 12 || out->account[i])
    return sl_error_set(err, SL_E_INVALID, NULL, "'%.200s': the account '%s' is not 12 digits",
                        arn, out->account);
  if(!out->region[0] || strcmp(out->partition, sl_partition_of(out->region)))
    return sl_error_set(err, SL_E_INVALID, NULL, "'%.200s': partition '%s' and region '%s' do "
                        "not go together", arn, out->partition, out->region);
  return SL_OK;
}

/* The account the client's credentials belong to, into out (size 32). */
static enum sl_result caller_account(struct sl_client *c, char *out, struct sl_error *err)
{
  const struct sl_creds *creds;
  struct sl_sts_identity id;
  enum sl_result r = sl_creds_get(sl_client_creds(c), &creds, err);
  if(!r)
    r = sl_sts_get_caller_identity(sl_client_http(c), sl_client_config(c), creds, &id, err);
  if(!r)
    snprintf(out, 32, "%s", id.account);
  return r;
}

enum sl_result sl_send_check_account(struct sl_client *c, const char *account,
                                     struct sl_error *err)
{
  char mine[32];
  enum sl_result r = caller_account(c, mine, err);
  if(!r && strcmp(mine, account)) {
    sl_error_clear(err); /* not STS's answer: no status or request id of its own */
    r = sl_error_set(err, SL_E_INVALID, "AccountMismatch", "the stream is in account %s, but "
                     "the credentials are for account %s: nothing was sent (use credentials "
                     "of account %s)", account, mine, account);
  }
  return r;
}

/* "Stream x under account 123456789012 not found.": the account, if said. */
static void account_in(const char *msg, char *out, size_t n)
{
  const char *p = strstr(msg, "under account ");
  size_t len;
  out[0] = 0;
  if(!p)
    return;
  p += strlen("under account ");
  for(len = 0; isdigit((unsigned char)p[len]); len++)
    ;
  if(len == 12 && len < n) {
    memcpy(out, p, len);
    out[len] = 0;
  }
}

static void pause_s(int s)
{
  struct timespec ts = { s, 0 };
  nanosleep(&ts, NULL);
}

static enum sl_result describe(struct sl_client *c, enum sl_send_target t, const char *stream,
                               struct sl_stream_summary *sum, struct sl_error *err)
{
  return t == SL_SEND_KINESIS ? sl_kinesis_summary(c, stream, sum, err) :
                                sl_firehose_summary(c, stream, sum, err);
}

/* The Kinesis stream's name from its ARN, for the hint. */
static const char *name_of(const char *arn)
{
  const char *slash = strrchr(arn, '/');
  return slash ? slash + 1 : arn;
}

enum sl_result sl_send_stream_ready(struct sl_client *c, enum sl_send_target t,
                                    const char *stream, struct sl_error *err)
{
  struct sl_stream_summary *sum = malloc(sizeof(*sum));
  const char *kind = sl_send_target_name(t);
  enum sl_result r;
  int waited = 0;
  if(!sum)
    return sl_error_set(err, SL_E_NOMEM, NULL, "out of memory");
  r = describe(c, t, stream, sum, err);
  /* Only CREATING ends by itself; a Kinesis stream takes records while
   * UPDATING (resharding), so it is not waited on. */
  while(!r && !strcmp(sum->status, "CREATING") && waited < SL_SEND_READY_WAIT_S) {
    if(!waited)
      sl_log(SL_LOG_WARN, "%s stream %s is CREATING: waiting up to %d s for it to become ACTIVE",
             kind, stream, SL_SEND_READY_WAIT_S);
    pause_s(POLL_S);
    waited += POLL_S;
    r = describe(c, t, stream, sum, err);
  }
  if(r == SL_E_NOT_FOUND) {
    char account[32];
    struct sl_error quiet;
    account_in(err->message, account, sizeof(account));
    sl_error_clear(&quiet);
    if(!account[0] && caller_account(c, account, &quiet))
      snprintf(account, sizeof(account), "unknown");
    sl_error_set(err, r, err->code[0] ? NULL : "ResourceNotFoundException",
                 "%s stream %s does not exist in region %s, account %s", kind, stream,
                 sl_client_config(c)->region, account);
  }
  else if(!r && t == SL_SEND_FIREHOSE && !strcmp(sum->type, "KinesisStreamAsSource")) {
    sl_error_clear(err); /* a finding, not the Describe call's answer */
    r = sl_error_set(err, SL_E_INVALID, NULL, "firehose stream %s reads from the Kinesis stream "
                     "%s and takes no records of its own: send to that stream (--stream %s "
                     "--to kinesis)", stream, sum->source_arn[0] ? name_of(sum->source_arn) :
                     "that is its source", sum->source_arn[0] ? name_of(sum->source_arn) : "NAME");
  }
  else if(!r && strcmp(sum->status, "ACTIVE") &&
          !(t == SL_SEND_KINESIS && !strcmp(sum->status, "UPDATING"))) {
    sl_error_clear(err);
    r = sl_error_set(err, SL_E_INVALID, NULL, "%s stream %s is %s, not ACTIVE%s", kind, stream,
                     sum->status, waited ? " (waited the whole time)" : "");
  }
  else if(!r && waited)
    sl_log(SL_LOG_INFO, "%s stream %s is ACTIVE after %d s", kind, stream, waited);
  free(sum);
  return r;
}

enum sl_result sl_sender_open(struct sl_sender **out, enum sl_send_target t, const char *stream,
                              const struct sl_send_options *o, struct sl_error *err)
{
  struct sl_aws_config base, cfg, own;
  struct sl_stream_arn arn;
  struct sl_send_options opt;
  struct sl_client *c = NULL;
  const char *name = stream;
  enum sl_result r = SL_OK;
  int is_arn = !strncmp(stream, "arn:", 4);
  *out = NULL;
  sl_aws_config_init(&base);
  sl_aws_config_init(&cfg);
  sl_aws_config_init(&own);
  if(o)
    opt = *o;
  else
    sl_send_options_init(&opt);
  opt.target = t;
  if(is_arn) {
    r = sl_send_parse_arn(stream, &arn, err);
    if(!r && arn.target != t)
      r = sl_error_set(err, SL_E_INVALID, NULL, "'%s' is a %s stream, not a %s one", stream,
                       sl_send_target_name(arn.target), sl_send_target_name(t));
    if(!r)
      r = sl_aws_config_set(&base, "region", arn.region, "the stream ARN", err);
    name = arn.name;
  }
  if(!r)
    r = sl_aws_config_resolve(&cfg, &base, err);
  if(!r)
    r = sl_aws_config_copy(&own, &cfg, err);
  if(!r)
    r = sl_client_new(&c, &own, NULL, err);
  if(!r && is_arn)
    r = sl_send_check_account(c, arn.account, err);
  if(!r)
    r = sl_send_stream_ready(c, t, name, err);
  /* The check's client goes; the workers make their own from cfg. There
   * is no caller's client to send inline with, so 0 means one worker. */
  sl_client_free(c);
  opt.stream = name;
  if(!opt.concurrency)
    opt.concurrency = 1;
  if(!r)
    r = sl_sender_new(out, &opt, &cfg, NULL, NULL, err);
  sl_aws_config_cleanup(&own);
  sl_aws_config_cleanup(&cfg);
  return r;
}
