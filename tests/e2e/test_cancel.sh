#!/usr/bin/env bash
# Cancellation: SIGINT/SIGTERM, and EOF on the Docker CLI's plugin socket, stop a command that
# is stuck on the network within the grace period, with exit code 130.
source "$(dirname "$0")/lib.sh"

# A server that accepts connections and never answers.
/usr/bin/python3 - "$E2E_TMP/port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept()
    conns.append(c)
PY
silent_pid=$!
for _ in $(seq 50); do [[ -s $E2E_TMP/port ]] && break; sleep 0.1; done
port=$(cat "$E2E_TMP/port")
stuck=(resolve --server "https://127.0.0.1:$port" --trust-dir "$E2E_TMP/t" localhost:5000/a/b:1)

for sig in INT TERM; do
  echo "== SIG$sig"
  start=$SECONDS
  "$DCT_BIN" "${stuck[@]}" >"$E2E_TMP/out" 2>"$E2E_TMP/err" &
  pid=$!
  sleep 0.5
  kill -s "$sig" "$pid"
  set +e
  wait "$pid"
  rc=$?
  set -e
  assert_eq 130 "$rc" "SIG$sig exit code"
  assert_contains "$(cat "$E2E_TMP/err")" "cancelled" "SIG$sig message"
  (( SECONDS - start <= 5 )) && pass || fail "SIG$sig took $((SECONDS - start))s"
done

echo "== EOF on DOCKER_CLI_PLUGIN_SOCKET"
sock="dct-test-$RANDOM$RANDOM"
/usr/bin/python3 - "$sock" "$E2E_TMP/accepted" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind("\0" + sys.argv[1])
s.listen(1)
c, _ = s.accept()
open(sys.argv[2], "w").write("yes")
time.sleep(1)
c.close()   # docker closes the socket to tell the plugin to stop
time.sleep(5)
PY
listener=$!
sleep 0.3
start=$SECONDS
set +e
DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND=docker DOCKER_CLI_PLUGIN_SOCKET="@$sock" \
  "$DCT_BIN" dct "${stuck[@]}" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
rc=$?
set -e
assert_eq yes "$(cat "$E2E_TMP/accepted" 2>/dev/null)" "the plugin connected to the socket"
assert_eq 130 "$rc" "socket EOF exit code"
(( SECONDS - start <= 6 )) && pass || fail "socket EOF took $((SECONDS - start))s"
kill "$listener" "$silent_pid" 2>/dev/null || true

finish
