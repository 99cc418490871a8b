/* creds_sso.h — credentials for an AWS SSO (IAM Identity Center) profile:
 * sso_session (with its [sso-session] section) or the legacy sso_start_url
 * form, both with sso_account_id and sso_role_name. */
#ifndef SL_AWS_CREDS_SSO_H
#define SL_AWS_CREDS_SSO_H

#include "sluice/config.h"
#include "sluice/creds.h"
#include "sluice/http.h"

/* 1 when the profile is set up for SSO. */
int sl_creds_sso_profile(const struct sl_shared_profile *p);

/* The cached `aws sso login` token exchanged for the role's credentials
 * (GetRoleCredentials, unsigned). A missing or expired token, or a session
 * the portal no longer accepts, is SL_E_CREDENTIALS saying to run
 * `aws sso login --profile NAME`. */
enum sl_result sl_creds_from_sso(const struct sl_shared_profile *p,
                                 const struct sl_aws_config *cfg, struct sl_http *http,
                                 struct sl_creds *out, struct sl_error *err);

#endif
