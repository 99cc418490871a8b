#!/usr/bin/env bash
# slow_server.sh — a loopback server that answers one byte per 200 ms: the
# profile's low_speed_limit / low_speed_time_s end each try within its
# window (not the 60 s timeout), each try is retried per max_attempts, and
# the error names the endpoint and says why. Last line:
# "slow_server: N passed, N failed".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
I="$SLUICE_BUILD/inspect/inspect"
work=$(mktemp -d)
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none"
python3 - "$work/port" <<'PY' &
import socket, sys, threading, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
def trickle(c):
    try:
        c.recv(65536)
        for b in b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100000:
            c.sendall(bytes([b]))
            time.sleep(0.2)
    except OSError:
        pass
while True:
    c, _ = s.accept()
    threading.Thread(target=trickle, args=(c,), daemon=True).start()
PY
srv=$!
trap 'kill $srv 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
cat >"$work/p.ini" <<INI
[aws]
region = us-east-1
endpoint_url = http://127.0.0.1:$port
max_attempts = 2
low_speed_limit = 1024
low_speed_time_s = 2

[bucket]
name = trickle-bucket

[firehose]
name = trickle
INI
start=$(date +%s)
"$I" ls "$work/p.ini" >"$work/out" 2>"$work/err"
code=$?
took=$(( $(date +%s) - start ))
eq "trickle: exit 1" "$code" 1
# two tries of about 2 s each, and the backoff between them
eq "trickle: ended by the low-speed window, not the 60 s timeout (took ${took} s)" \
  "$([ "$took" -lt 20 ] && echo yes)" yes
eq "trickle: the error" "$(grep -c "Operation too slow. Less than 1024 bytes/sec transferred the last 2 seconds" "$work/err")" 1
eq "trickle: after both tries" "$(grep -c "2 attempts" "$work/err")" 1
done_counts slow_server
