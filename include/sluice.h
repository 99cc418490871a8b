/* sluice — public API umbrella header: every installed header. */
#ifndef SLUICE_H
#define SLUICE_H

#include "sluice/export.h"
#include "sluice/version.h"
#include "sluice/buf.h"
#include "sluice/log.h"
#include "sluice/sigv4.h"
#include "sluice/config.h"
#include "sluice/http.h"
#include "sluice/retry.h"
#include "sluice/creds.h"
#include "sluice/aws.h"
#include "sluice/profile.h"
#include "sluice/table.h"
#include "sluice/sts.h"
#include "sluice/s3.h"
#include "sluice/streams.h"
#include "sluice/athena.h"
#include "sluice/iam.h"
#include "sluice/provision.h"
#include "sluice/send.h"
#include "sluice/smoke.h"
#include "sluice/decode.h"
#include "sluice/kpl.h"
#include "sluice/inspect.h"

#endif
