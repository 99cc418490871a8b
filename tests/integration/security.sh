#!/usr/bin/env bash
# security.sh — issue #8's security defaults, proved through the real
# binaries: no option takes a credential (refused, value never echoed); no
# secret, session token or signature in stdout/stderr of any command at the
# highest verbosity, with --json, in successful and failing runs, whatever
# the credential source; a credential_process child gets neither a secret
# in argv nor an environment sluice changed; send --strict's stdin copy is
# 0600 and has no name while it exists; keys in a file others can read warn
# on every run; plain http only to loopback unless allow_plain_http.
#
# It starts its own emulator (with distinctive keys and session tokens) and a
# small logging reverse proxy in front of it, so the signatures and tokens
# that really went over the wire are known and can be looked for.
# Needs SLUICE_BUILD (tests/integration/run). Last line: "security: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${SLUICE_BUILD:?run through tests/integration/run}
P="$bin/provision/provision"
I="$bin/inspect/inspect"
work=$(mktemp -d)
emu= proxy= bg=
finish() {
  [ -n "$bg" ] && kill -9 "$bg" 2>/dev/null
  [ -n "$proxy" ] && kill "$proxy" 2>/dev/null
  [ -n "$emu" ] && kill "$emu" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap finish EXIT
# check WHAT CMD...
check() { local n=$1; shift; if "$@"; then ok; else bad "$n"; fi; }

# ---- keys: one set per credential source, each distinctive ----------------
ENV_AK=AKIDAUDITENV00000001
ENV_SK='EnvSk/AUDIT+q9ZrT5vK2mXw8LpN4cYb7Hs1dFgEnv'
ENV_TOK='EnvTok/AUDIT+IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHenv'
PRO_AK=AKIDAUDITPRO00000002
PRO_SK='ProSk/AUDIT+z8YxW3vU1tS5rQ7pO9nM2lK4jH6gPro'
PRO_TOK='ProTok/AUDIT+FwoGZXIvYXdzEJr//////////wEaDProfileSessionTokenPro'
FIL_AK=AKIDAUDITFIL00000003
FIL_SK='FilSk/AUDIT+a1B2c3D4e5F6g7H8i9J0k1L2m3N4oFil'
PRC_AK=AKIDAUDITPRC00000004
PRC_SK='PrcSk/AUDIT+Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1QqPrc'
PRC_TOK='PrcTok/AUDIT+IQoJb3JpZ2luProcessSessionToken//////////Prc'
WRONG_SK='WrongSk/AUDIT+n0tTh3R1ghtS3cr3tF0rTh1sK3yWrong'
WRONG_TOK='WrongTok/AUDIT+Th1sT0k3nW4sN3v3rIssu3dByAnyb0dyWrong'
SECRETS=("$ENV_SK" "$ENV_TOK" "$PRO_SK" "$PRO_TOK" "$FIL_SK" "$PRC_SK" "$PRC_TOK" "$WRONG_SK"
         "$WRONG_TOK")

cat >"$work/emu.json" <<EOF
{"time_scale": 60, "lifecycle_seconds": 0.3, "iam_propagation_seconds": 0,
 "credentials": [
  {"access_key_id": "$ENV_AK", "secret_access_key": "$ENV_SK", "session_token": "$ENV_TOK"},
  {"access_key_id": "$PRO_AK", "secret_access_key": "$PRO_SK", "session_token": "$PRO_TOK"},
  {"access_key_id": "$FIL_AK", "secret_access_key": "$FIL_SK"},
  {"access_key_id": "$PRC_AK", "secret_access_key": "$PRC_SK", "session_token": "$PRC_TOK"}]}
EOF
"$top/tests/emulator/run" --port 0 --config "$work/emu.json" --ready-file "$work/emu.ready" \
  >"$work/emu.log" 2>&1 &
emu=$!

# The proxy forwards every request unchanged and logs the Authorization and
# X-Amz-Security-Token headers it saw, one per line.
cat >"$work/proxy.py" <<'EOF'
import http.client, http.server, sys
up = sys.argv[1].split("//", 1)[1]
host, port = up.rsplit(":", 1)
log = open(sys.argv[2], "a", buffering=1)
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def relay(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else None
        for k in ("Authorization", "X-Amz-Security-Token"):
            if self.headers.get(k):
                log.write("%s: %s\n" % (k, self.headers.get(k)))
        c = http.client.HTTPConnection(host, int(port), timeout=120)
        c.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            if k.lower() != "expect":
                c.putheader(k, v)
        c.endheaders(body)
        r = c.getresponse()
        data = r.read()
        self.send_response_only(r.status, r.reason)
        for k, v in r.getheaders():
            if k.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(k, v)
        self.send_header("Content-Length", r.getheader("Content-Length", "0")
                         if self.command == "HEAD" else str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        c.close()
    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = relay
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
with open(sys.argv[3] + ".tmp", "w") as f:
    f.write("http://127.0.0.1:%d\n" % s.server_address[1])
import os
os.replace(sys.argv[3] + ".tmp", sys.argv[3])
s.serve_forever()
EOF
for _ in $(seq 100); do [ -s "$work/emu.ready" ] && break; sleep 0.1; done
if [ ! -s "$work/emu.ready" ]; then
  cat "$work/emu.log"; echo "security: 0 passed, 1 failed"; exit 1
fi
EMU=$(head -1 "$work/emu.ready")
/usr/bin/python3 "$work/proxy.py" "$EMU" "$work/wire.log" "$work/proxy.ready" 2>"$work/proxy.err" &
proxy=$!
for _ in $(seq 100); do [ -s "$work/proxy.ready" ] && break; sleep 0.1; done
EP=$(head -1 "$work/proxy.ready")

# A clean environment for every run: only what each case exports.
clean_env
unset AWS_CA_BUNDLE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"

# profile FILE NAME [ENDPOINT] [extra [aws] lines]
profile() {
  write_profile "$1" "$2" endpoint="${3:-$EP}" attempts=2 aws="${4:-}"
  chmod 600 "$1"
}

# run NAME CMD...: stdout and stderr kept apart in $work/out/NAME.{out,err}
# and both appended to $work/all.txt, the text every secret is looked for in.
mkdir -p "$work/out"
run() {
  local n=$1
  shift
  "$@" >"$work/out/$n.out" 2>"$work/out/$n.err"
  rc=$?
  cat "$work/out/$n.out" "$work/out/$n.err" >>"$work/all.txt"
}
json_ok() { jq -e . "$work/out/$1.out" >/dev/null 2>&1; }
# jqt NAME FILTER: the filter is true of NAME's stdout
jqt() { jq -e "$2" "$work/out/$1.out" >/dev/null 2>&1; }

# ---- 1. no option takes a credential --------------------------------------
# Each spelling, alone, with its value next, and as --opt=value; in every
# position an option can be in; refused with the hint, the value not echoed.
opts=(--secret-access-key --aws-secret-access-key --access-key --access-key-id
      --aws_access_key_id --session-token --aws-session-token --security-token --token
      --secret --password --credentials --SecretAccessKey)
for o in "${opts[@]}"; do
  for form in "$o=$WRONG_SK" "$o $WRONG_SK"; do
    # shellcheck disable=SC2086 # the space form is two arguments on purpose
    for cmd in "provision plan $work/p.ini" "provision apply $work/p.ini" \
               "provision send $work/p.ini" "provision smoke $work/p.ini" \
               "provision" "inspect stats $work/p.ini" "inspect" "inspect ls s3://b/p"; do
      set -- $cmd
      prog=$1; shift
      "$bin/$prog/$prog" "$@" $form >"$work/cli.out" 2>"$work/cli.err"; code=$?
      # 64: a usage error (the one exit-code table, common/cli/cli.h).
      want=64
      who=$prog; [ -n "${1:-}" ] && who="$prog $1"
      [ "$code" = "$want" ] || bad "$cmd $form: exit $code, want $want"
      eq "$cmd $form: message" "$(cat "$work/cli.err")" \
        "$who: refusing '$o': credentials are never taken on the command line, where other users can read them; use the profile's [aws] section, the AWS_* environment variables or ~/.aws/credentials"
      [ -s "$work/cli.out" ] && bad "$cmd $form: stdout not empty"
      cat "$work/cli.out" "$work/cli.err" >>"$work/all.txt"
    done
  done
done
# Before the command too, and an unknown --opt=value never echoes its value.
"$P" --session-token="$WRONG_TOK" plan "$work/p.ini" >/dev/null 2>"$work/cli.err"
eq "provision: before the command" "$?" 64
"$I" --secret="$WRONG_SK" ls "$work/p.ini" >/dev/null 2>"$work/cli.err"
eq "inspect: before the command" "$?" 64
cat "$work/cli.err" >>"$work/all.txt"
for c in "$P plan x.ini" "$P send x.ini" "$P smoke x.ini" "$I ls x.ini" "$I"; do
  # shellcheck disable=SC2086
  $c --frobnicate="$WRONG_SK" >/dev/null 2>"$work/cli.err"
  check "$c --frobnicate=...: refused" [ $? -ne 0 ]
  check "$c --frobnicate=...: named" grep -q -- "--frobnicate" "$work/cli.err"
  cat "$work/cli.err" >>"$work/all.txt"
done
# No option turns TLS verification off either.
for o in --insecure --no-verify-ssl --insecure=1 -k; do
  n=${o%%=*}
  "$P" plan "$work/p.ini" "$o" >/dev/null 2>"$work/cli.err"; code=$?
  eq "provision $o refused" "$code: $(cat "$work/cli.err")" "64: provision plan: refusing '$n': TLS verification is never turned off; for a private CA set AWS_CA_BUNDLE or the profile's [aws] ca_bundle"
  "$I" ls "$o" "$work/p.ini" >/dev/null 2>"$work/cli.err"; code=$?
  eq "inspect $o refused" "$code: $(cat "$work/cli.err")" "64: inspect ls: refusing '$n': TLS verification is never turned off; for a private CA set AWS_CA_BUNDLE or the profile's [aws] ca_bundle"
done

# ---- 2. every command, every credential source, highest verbosity ---------
name="slsec-$$"
prof="$work/p.ini"
profile "$prof" "$name"
# Nor does any profile key (AWS_CA_BUNDLE / ca_bundle only add trust).
for k in verify_ssl insecure tls_verify; do
  profile "$work/tls.ini" "$name" "$EP" "$k = false"
  "$P" plan "$work/tls.ini" >/dev/null 2>"$work/cli.err"
  eq "profile key $k refused" "$(cat "$work/cli.err")" "provision: $work/tls.ini:5: [aws] $k: unknown key: TLS verification is never turned off; for a private CA set [aws] ca_bundle or AWS_CA_BUNDLE"
done

# cmds TAG PROFILE: the commands a user runs, each at -vvv (inspect: -vv).
cmds() {
  local t=$1 pr=$2
  run "$t-plan" "$P" -vvv plan "$pr" --json
  run "$t-apply" "$P" -vvv apply "$pr" --json
  run "$t-status" "$P" -vvv status "$pr" --json
  run "$t-status-text" "$P" -vvv status "$pr"
  run "$t-send" "$P" send "$pr" -vvv --json "{\"audit\":\"$t-1\"}" "{\"audit\":\"$t-2\"}"
  run "$t-smoke" "$P" smoke "$pr" -vvv --json --count 2 --timeout 60s --interval 500ms
  ctl POST firehose/flush >/dev/null
  run "$t-stats" "$I" -vv stats "$pr" --json
  run "$t-ls" "$I" -vv ls "$pr" --json
  run "$t-cat" "$I" -vv cat "$pr" --with-key
}

# 2a. keys and a session token in the environment
export AWS_ACCESS_KEY_ID=$ENV_AK AWS_SECRET_ACCESS_KEY=$ENV_SK AWS_SESSION_TOKEN=$ENV_TOK
cmds env "$prof"
for t in plan apply status send smoke stats ls; do
  check "env $t --json is JSON" json_ok "env-$t"
done
check "env apply worked" jqt env-apply '(has("error") | not) and (.resources | length) == 3'
check "env smoke passed" jqt env-smoke '.passed == true'
check "env send delivered" jqt env-send '.successful_records == 2'
check "env stats counted records" jqt env-stats '.records >= 2'
check "env ls listed objects" jqt env-ls '.key | startswith("logs/")' 
check "env: TRACE shows the masked Authorization" grep -q "Authorization: \*\*\*\*" "$work/out/env-plan.err"
check "env: TRACE shows the masked token" grep -qi "X-Amz-Security-Token: \*\*\*\*" "$work/out/env-plan.err"
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

# 2b. keys and a session token in the sluice profile
profile "$work/pk.ini" "$name" "$EP" "access_key_id = $PRO_AK
secret_access_key = $PRO_SK
session_token = $PRO_TOK"
cmds prof "$work/pk.ini"
check "profile keys: send delivered" jqt prof-send '.successful_records == 2'
check "profile keys: plan worked" jqt prof-plan 'has("error") | not'
check "profile keys: smoke passed" jqt prof-smoke '.passed == true' 

# 2c. keys in the shared credentials file
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$FIL_AK" "$FIL_SK" \
  >"$work/credentials"
chmod 600 "$work/credentials"
export AWS_SHARED_CREDENTIALS_FILE="$work/credentials"
run file-plan "$P" -vvv plan "$prof" --json
run file-send "$P" send "$prof" -vvv --json '{"audit":"file"}'
run file-stats "$I" -vv stats "$prof" --json
check "shared file: send delivered" jqt file-send '.successful_records == 1'
check "shared file: plan worked" jqt file-plan 'has("error") | not' 
check "shared file 0600: no warning" [ "$(grep -c "holds AWS keys" "$work/out/file-plan.err")" = 0 ]
export AWS_SHARED_CREDENTIALS_FILE="$work/none"

# 2d. credential_process; each run of the child records what it was given.
# Its credentials expire within the refresh window, so every call runs it
# again while sluice already holds the last secret.
mkdir -p "$work/proc"
cat >"$work/creds.sh" <<EOF
#!/bin/sh
n=\$\$
cat /proc/\$\$/cmdline >"$work/proc/\$n.cmdline"
cat /proc/\$\$/environ >"$work/proc/\$n.environ"
cat /proc/\$PPID/cmdline >"$work/proc/\$n.pcmdline"
exp=\$(date -u -d '+120 seconds' +%Y-%m-%dT%H:%M:%SZ)
printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s", "SessionToken": "%s", "Expiration": "%s"}' \
  "$PRC_AK" "$PRC_SK" "$PRC_TOK" "\$exp"
EOF
chmod 700 "$work/creds.sh"
printf '[default]\ncredential_process = %s --audit\n' "$work/creds.sh" >"$work/config"
export AWS_CONFIG_FILE="$work/config"
# the exact environment sluice is started with
env -0 | grep -zv '^_=' | sort -z >"$work/launch.environ"
run proc-plan "$P" -vvv plan "$prof" --json
run proc-send "$P" send "$prof" -vvv --json '{"audit":"proc-1"}' '{"audit":"proc-2"}'
run proc-stats "$I" -vv stats "$prof" --json
export AWS_CONFIG_FILE="$work/none"
check "process: plan worked" jqt proc-plan 'has("error") | not'
check "process: send delivered" jqt proc-send '.successful_records == 2' 
runs=$(ls "$work/proc" | grep -c '\.cmdline$')
check "process: run again while holding a secret ($runs runs)" [ "$runs" -ge 3 ]
for f in "$work"/proc/*.cmdline; do
  eq "process child argv ($(basename "$f"))" "$(tr '\0' ' ' <"$f")" "/bin/sh $work/creds.sh --audit "
done
for f in "$work"/proc/*.pcmdline; do
  # sh -c runs it (or, exec-optimised, sluice itself is the parent)
  got=$(tr '\0' ' ' <"$f")
  case "$got" in
    "sh -c $work/creds.sh --audit "|"$P "*|"$I "*) ok ;;
    *) bad "process parent argv: [$got]" ;;
  esac
  cat "$f" >>"$work/all.txt"
done
for f in "$work"/proc/*.environ; do
  if grep -zv '^_=' "$f" | sort -z | cmp -s - "$work/launch.environ"; then ok; else
    bad "process child environment is not the launch environment:"
    grep -zv '^_=' "$f" | sort -z | tr '\0' '\n' | diff <(tr '\0' '\n' <"$work/launch.environ") - | head -5
  fi
  cat "$f" >>"$work/all.txt"
done

# 2e. failing runs: a wrong secret, an unknown key, a wrong session token,
# nothing listening. Each names the failure and nothing secret.
profile "$work/dead.ini" "$name" "http://127.0.0.1:9"
fails() {
  local t=$1 pr=$2
  run "$t-plan" "$P" -vvv plan "$pr" --json
  run "$t-apply" "$P" -vvv apply "$pr" --json
  run "$t-status" "$P" -vvv status "$pr"
  run "$t-send" "$P" send "$pr" -vvv --json --max-attempts 1 '{"audit":"x"}'
  run "$t-smoke" "$P" smoke "$pr" -vvv --json --count 1 --timeout 2s
  run "$t-stats" "$I" -vv stats "$pr" --json
  run "$t-cat" "$I" -vv cat "$pr"
}
export AWS_ACCESS_KEY_ID=$ENV_AK AWS_SECRET_ACCESS_KEY=$WRONG_SK AWS_SESSION_TOKEN=$ENV_TOK
fails wrongsecret "$prof"
check "wrong secret: plan says why" grep -q "SignatureDoesNotMatch\|InvalidSignatureException" "$work/out/wrongsecret-plan.err"
check "wrong secret: plan --json has the error" jqt wrongsecret-plan '.error.code == "SignatureDoesNotMatch"' 
check "wrong secret: stats says why" grep -q "SignatureDoesNotMatch" "$work/out/wrongsecret-stats.err"
export AWS_SECRET_ACCESS_KEY=$ENV_SK AWS_SESSION_TOKEN=$WRONG_TOK
fails wrongtoken "$prof"
check "wrong token: send says why" grep -q "UnrecognizedClientException\|InvalidClientTokenId" "$work/out/wrongtoken-send.err"
export AWS_ACCESS_KEY_ID=AKIDAUDITUNKNOWN0009 AWS_SECRET_ACCESS_KEY=$WRONG_SK
unset AWS_SESSION_TOKEN
fails unknownkey "$prof"
check "unknown key: plan says why" grep -q "InvalidClientTokenId\|InvalidAccessKeyId" "$work/out/unknownkey-plan.err"
export AWS_ACCESS_KEY_ID=$ENV_AK AWS_SECRET_ACCESS_KEY=$ENV_SK AWS_SESSION_TOKEN=$ENV_TOK
fails deadend "$work/dead.ini"
check "nothing listening: plan says why" grep -qi "connect" "$work/out/deadend-plan.err"
check "nothing listening: plan --json has the error" jqt deadend-plan '.error.message | test("connect")' 
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
# the profile's own keys, wrong
profile "$work/pw.ini" "$name" "$EP" "access_key_id = $PRO_AK
secret_access_key = $WRONG_SK
session_token = $PRO_TOK"
fails profwrong "$work/pw.ini"
check "profile wrong secret: says why" grep -q "SignatureDoesNotMatch\|InvalidSignatureException" "$work/out/profwrong-plan.err"

# ---- the search ------------------------------------------------------------
check "the wire log has signatures" [ "$(grep -c '^Authorization: AWS4-HMAC-SHA256 ' "$work/wire.log")" -gt 50 ]
for s in "${SECRETS[@]}"; do
  if grep -qF -- "$s" "$work/all.txt"; then bad "secret ${s:0:12}... printed"; else ok; fi
  # no part of it either (the middle third)
  mid=${s:$((${#s} / 3)):$((${#s} / 3))}
  if grep -qF -- "$mid" "$work/all.txt"; then bad "part of secret ${s:0:12}... printed"; else ok; fi
done
# every signature and token that went over the wire
grep -o 'Signature=[0-9a-f]*' "$work/wire.log" | cut -d= -f2 | sort -u >"$work/sigs"
grep '^X-Amz-Security-Token: ' "$work/wire.log" | cut -d' ' -f2- | sort -u >"$work/toks"
check "signatures were collected" [ "$(wc -l <"$work/sigs")" -gt 50 ]
eq "tokens on the wire" "$(sort "$work/toks" | tr '\n' ' ')" \
   "$(printf '%s\n' "$ENV_TOK" "$PRC_TOK" "$PRO_TOK" "$WRONG_TOK" | sort | tr '\n' ' ')"
leaked=$(grep -cFf "$work/sigs" "$work/all.txt")
eq "signatures printed" "$leaked" 0
check "no Signature= at all" [ "$(grep -c 'Signature=' "$work/all.txt")" = 0 ]
check "no Credential= scope with a signature" [ "$(grep -c 'AWS4-HMAC-SHA256' "$work/all.txt")" = 0 ]
check "headers only masked" [ "$(grep -ciE '(authorization|x-amz-security-token): [^*]' "$work/all.txt")" = 0 ]

# ---- 3. send --strict's copy of stdin: 0600, never a name, gone -----------
export AWS_ACCESS_KEY_ID=$ENV_AK AWS_SECRET_ACCESS_KEY=$ENV_SK AWS_SESSION_TOKEN=$ENV_TOK
# spool_case NAME INPUT WANT_EXIT: stdin is a FIFO held open, so the run
# waits mid-read with its copy open; it is looked at then, then let go.
spool_case() {
  local n=$1 input=$2 want=$3 fd link mode found=0
  rm -f "$work/fifo"; mkfifo "$work/fifo"
  "$P" send "$prof" --strict --json <"$work/fifo" >"$work/out/$n.out" 2>"$work/out/$n.err" &
  bg=$!
  exec 7>"$work/fifo"
  printf '%s' "$input" >&7
  for _ in $(seq 100); do
    for fd in /proc/$bg/fd/*; do
      link=$(readlink "$fd" 2>/dev/null) || continue
      case "$link" in
        *" (deleted)")
          found=1
          mode=$(stat -L -c %a "$fd")
          eq "$n: copy of stdin mode" "$mode" 600
          check "$n: copy has no name while open ($link)" [ ! -e "${link% (deleted)}" ] ;;
      esac
    done
    [ $found = 1 ] && break
    sleep 0.05
  done
  eq "$n: copy of stdin seen while the run waits" $found 1
  exec 7>&-
  wait "$bg"; code=$?
  bg=
  eq "$n: exit" "$code" "$want"
  cat "$work/out/$n.out" "$work/out/$n.err" >>"$work/all.txt"
}
spool_case strict-ok $'{"audit":"spool-1"}\n{"audit":"spool-2"}\n' 0
check "strict-ok: both sent" jqt strict-ok '.successful_records == 2' 
big=$(head -c 1100000 /dev/zero | tr '\0' x)
spool_case strict-refused $'{"audit":"spool-3"}\n'"$big"$'\n' 3
check "strict-refused: nothing sent" grep -q "strict: 1 records refused, nothing sent" "$work/out/strict-refused.err"
# The copy never has a name (O_TMPFILE, or unlinked at once), so nothing is
# left behind after a success, a failure or a kill -9 alike.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN

# ---- 4. keys in a file others can read: a warning on every run ------------
profile "$work/open.ini" "$name" "$EP" "access_key_id = $PRO_AK
secret_access_key = $PRO_SK
session_token = $PRO_TOK"
chmod 644 "$work/open.ini"
want="sluice: warning: $work/open.ini holds AWS keys but is readable by group and others (mode 644); run: chmod 600 $work/open.ini"
for i in 1 2; do
  run "open-plan$i" "$P" plan "$work/open.ini"
  eq "readable profile: plan run $i warns once" "$(grep -cxF -- "$want" "$work/out/open-plan$i.err")" 1
done
run open-stats "$I" stats "$work/open.ini"
eq "readable profile: inspect warns once" "$(grep -cF -- "$want" "$work/out/open-stats.err")" 1
chmod 644 "$work/credentials"
export AWS_SHARED_CREDENTIALS_FILE="$work/credentials"
want="sluice: warning: $work/credentials holds AWS keys but is readable by group and others (mode 644); run: chmod 600 $work/credentials"
for i in 1 2; do
  run "opencred-plan$i" "$P" plan "$prof"
  eq "readable credentials file: plan run $i warns once" "$(grep -cxF -- "$want" "$work/out/opencred-plan$i.err")" 1
done
run opencred-stats "$I" stats "$prof"
eq "readable credentials file: inspect warns once" "$(grep -cF -- "$want" "$work/out/opencred-stats.err")" 1
export AWS_SHARED_CREDENTIALS_FILE="$work/none"

# ---- 5. plain http: loopback only, unless allow_plain_http (warned) -------
export AWS_ACCESS_KEY_ID=$ENV_AK AWS_SECRET_ACCESS_KEY=$ENV_SK AWS_SESSION_TOKEN=$ENV_TOK
calls=$(ctl GET ledger/summary | jq .calls)
profile "$work/remote.ini" "$name" "http://192.0.2.10:8080"
run remote-plan "$P" plan "$work/remote.ini"
eq "remote http: plan exit" "$rc" 64
check "remote http: refused" grep -q "refusing plain http endpoint 'http://192.0.2.10:8080': only loopback addresses may use http:// unless allow_plain_http = true" "$work/out/remote-plan.err"
run remote-stats "$I" stats "$work/remote.ini"
eq "remote http: inspect exit" "$rc" 64
check "remote http: inspect refused" grep -q "refusing plain http endpoint" "$work/out/remote-stats.err"
eq "remote http: no call made" "$(ctl GET ledger/summary | jq .calls)" "$calls"
# allowed: warned on every run (then it fails to connect, which is fine here)
profile "$work/allowed.ini" "$name" "http://192.0.2.10:8080" "allow_plain_http = true"
sed -i 's/^max_attempts = 2$/max_attempts = 1/' "$work/allowed.ini"
for i in 1 2; do
  run "allowed$i" timeout 20 "$P" plan "$work/allowed.ini"
  eq "allow_plain_http: run $i warns once" "$(grep -c "^sluice: warning: allow_plain_http = true: requests to a non-loopback http:// endpoint" "$work/out/allowed$i.err")" 1
  check "allow_plain_http: run $i not refused" [ "$(grep -c "refusing plain http" "$work/out/allowed$i.err")" = 0 ]
done
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
for s in "${SECRETS[@]}"; do
  if grep -qF -- "$s" "$work/all.txt"; then bad "secret ${s:0:12}... printed (late runs)"; else ok; fi
done

# tidy the emulator's state (it is ours and stops at exit anyway)
AWS_ACCESS_KEY_ID=$ENV_AK AWS_SECRET_ACCESS_KEY=$ENV_SK AWS_SESSION_TOKEN=$ENV_TOK \
  "$P" destroy "$prof" --empty-bucket >/dev/null 2>&1

done_counts security
