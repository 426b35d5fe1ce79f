#!/usr/bin/env bash
# `dct publish` when the notary server fails: unreachable, answering 400 / 503 to the upload
# (through a small fault-injecting proxy in front of the real server), refusing bad credentials
# (401, a private token-auth stack beside the shared one, which stays untouched), and a server
# that moved on since the changes were staged. Every time: non-zero exit, a clear message, the
# staged change still listed by `dct status` and `notary status`, nothing new on the server,
# and a later `dct publish` succeeds.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh"

tok_dir=""
cleanup() {
  stop_servers
  if [[ -n $tok_dir && -d $tok_dir/run ]]; then
    STACK_DIR=$tok_dir "$E2E_ROOT/scripts/stack.sh" stop >/dev/null 2>&1 || true
  fi
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

list_tags() { notary_at "$1" list "$2" 2>/dev/null | awk 'length($2) == 64 && $2 ~ /^[0-9a-f]+$/ {print $1}' | sort | tr '\n' ' '; }

# staged_ok DIR GUN TAG WHAT: the change is still staged, for dct and for notary.
staged_ok() {
  local dir=$1 g=$2 t=$3 what=$4
  run_capture "$DCT_BIN" status "$g" --trust-dir "$dir"
  assert_eq 0 "$RC" "$what: dct status exit ($ERR)"
  assert_contains "$OUT" "$t" "$what: dct status still lists the change"
  assert_contains "$(notary_at "$dir" status "$g" 2>&1)" "$t" "$what: notary status still lists it"
}
# failed_ok WHAT: the last run failed with a message on stderr and printed no success.
failed_ok() {
  assert_eq 1 "$((RC != 0))" "$1: non-zero exit"
  assert_eq 1 "$((${#ERR} > 0))" "$1: an error message on stderr"
  assert_not_contains "$OUT" "Successfully" "$1: no success claimed"
}

# A repository initialised with notary in dct's trust dir, one target staged with notary.
g=$(new_gun faults)
notary_at "$DCT_TRUST" init "$g" -p >/dev/null
read -r digest size < <(push "$g" v1)
notary_at "$DCT_TRUST" addhash "$g" v1 "$size" --sha256 "${digest#sha256:}" >/dev/null
staged_ok "$DCT_TRUST" "$g" v1 "staged"

echo "== server unreachable"
run_capture dct publish "$g" --server https://127.0.0.1:1
failed_ok "unreachable"
assert_any "$ERR" "unreachable: the message names the server or the failure" \
  "127.0.0.1:1" "unreachable" "connect"
staged_ok "$DCT_TRUST" "$g" v1 "unreachable"
assert_eq "" "$(list_tags "$DCT_TRUST" "$g")" "unreachable: nothing on the server"

echo "== server answering the upload with errors (fault proxy)"
echo pass >"$E2E_TMP/proxy.mode"
start_server proxy fault_proxy.py "$STACK_DIR/tls/localhost.crt" "$STACK_DIR/tls/localhost.key" \
  "$STACK_CA" "${NOTARY_URL##*:}" "$E2E_TMP/proxy.mode"
# shellcheck disable=SC2154  # proxy_port is set by start_server
proxy_url=https://127.0.0.1:$proxy_port
# A docker config that also trusts the stack's CA for the proxy's address.
pcfg=$E2E_TMP/proxy-config
cp -r "$DOCKER_CONFIG" "$pcfg"
rm -rf "$pcfg/trust"
mkdir -p "$pcfg/tls/127.0.0.1:$proxy_port"
cp "$STACK_CA" "$pcfg/tls/127.0.0.1:$proxy_port/ca.crt"
dct_proxy() { "$DCT_BIN" --config "$pcfg" publish "$g" --trust-dir "$DCT_TRUST" --server "$proxy_url"; }

run_capture notary -d "$E2E_TMP/probe-trust" -s "$proxy_url" --tlscacert "$STACK_CA" list "$g"
assert_eq 0 "$RC" "the proxy in pass mode serves the real server to notary ($ERR)"

echo "post-invalid-update:injected fault from the test proxy" >"$E2E_TMP/proxy.mode"
run_capture dct_proxy
failed_ok "400"
assert_contains "$ERR" "injected fault from the test proxy" "400: the server's reason is shown"
staged_ok "$DCT_TRUST" "$g" v1 "400"
assert_eq "" "$(list_tags "$DCT_TRUST" "$g")" "400: nothing on the server"

echo "post-status:503:injected fault from the test proxy" >"$E2E_TMP/proxy.mode"
run_capture dct_proxy
failed_ok "503"
assert_any "$ERR" "503: the status or the server's state is shown" "503" "unavailable"
staged_ok "$DCT_TRUST" "$g" v1 "503"
assert_eq "" "$(list_tags "$DCT_TRUST" "$g")" "503: nothing on the server"

echo "== publish after the faults"
run_capture dct publish "$g"
assert_eq 0 "$RC" "publish after the faults ($ERR)"
assert_eq "v1 " "$(list_tags "$DCT_TRUST" "$g")" "publish after the faults: v1 on the server"
assert_eq "${digest#sha256:} $size" \
  "$(notary_cli list "$g" | awk '$1 == "v1" {print $2, $3}')" "the notary CLI sees v1"
run_capture dct status "$g"
assert_eq "No unpublished changes for $g" "$OUT" "publish after the faults: changelist emptied"

echo "== the server moved on since the change was staged"
read -r d2 s2 < <(push "$g" v2)
notary_at "$DCT_TRUST" addhash "$g" v2 "$s2" --sha256 "${d2#sha256:}" >/dev/null
# Another client (other trust dir, same keys) publishes v3 meanwhile.
other=$E2E_TMP/other-trust
mkdir -p "$other"
cp -r "$DCT_TRUST/private" "$other/"
read -r d3 s3 < <(push "$g" v3)
notary_at "$other" addhash "$g" v3 "$s3" --sha256 "${d3#sha256:}" -p >/dev/null
run_capture dct publish "$g"
assert_eq 0 "$RC" "publish on top of a newer server state ($ERR)"
assert_eq "v1 v2 v3 " "$(list_tags "$other" "$g")" "newer server state: nothing lost"

echo "== 401: bad credentials, on a private stack with token auth"
base=$((20000 + RANDOM % 20000))
ports_free=1
for p in $base $((base + 1)) $((base + 2)) $((base + 3)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then ports_free=0; fi
done
if ((ports_free)); then
  tok_dir=$E2E_TMP/token-stack
  shared_env=$STACK_DIR/stack.env
  STACK_DIR=$tok_dir STACK_NOTARY_PORT=$base STACK_REGISTRY_PORT=$((base + 1)) \
    STACK_SIGNER_PORT=$((base + 2)) STACK_TOKEN_PORT=$((base + 3)) \
    "$E2E_ROOT/scripts/stack.sh" start --auth token >/dev/null
  # shellcheck disable=SC1091
  source "$tok_dir/stack.env"
  tt=$E2E_TMP/token-trust
  g=$(new_gun faults-401)
  notary_at "$tt" init "$g" -p >/dev/null
  read -r digest size < <(push "$g" v1)
  notary_at "$tt" addhash "$g" v1 "$size" --sha256 "${digest#sha256:}" >/dev/null
  bad=$E2E_TMP/bad-config
  mkdir -p "$bad"
  cp -r "$DOCKER_CONFIG/tls" "$bad/"
  echo "{\"auths\": {\"$REGISTRY_HOST\": {\"auth\": \"$(printf '%s:wrong' "$STACK_USER" | base64)\"}}}" \
    >"$bad/config.json"
  run_capture "$DCT_BIN" --config "$bad" publish "$g" --trust-dir "$tt"
  failed_ok "401"
  assert_any "$ERR" "401: the message is about credentials" "credentials" "unauthorized" \
  "not authorized" "401"
  staged_ok "$tt" "$g" v1 "401"
  assert_eq "" "$(list_tags "$tt" "$g")" "401: nothing on the server"
  empty=$E2E_TMP/anon-config
  mkdir -p "$empty"
  cp -r "$DOCKER_CONFIG/tls" "$empty/"
  echo '{"auths": {}}' >"$empty/config.json"
  run_capture "$DCT_BIN" --config "$empty" publish "$g" --trust-dir "$tt"
  failed_ok "no credentials"
  staged_ok "$tt" "$g" v1 "no credentials"
  run_capture "$DCT_BIN" publish "$g" --trust-dir "$tt"
  assert_eq 0 "$RC" "401: publish with the right credentials ($ERR)"
  assert_eq "v1 " "$(list_tags "$tt" "$g")" "401: v1 published afterwards"
  STACK_DIR=$tok_dir "$E2E_ROOT/scripts/stack.sh" stop >/dev/null
  tok_dir=""
  # shellcheck disable=SC1090
  source "$shared_env"
else
  echo "SKIP 401: no free ports for a private token stack near $base"
fi

finish
