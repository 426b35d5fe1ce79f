#!/usr/bin/env bash
# Credential faults, on a private stack with token auth (beside the shared one, which stays
# untouched): bad credentials (401) for resolve and sign, a credential helper that fails and
# one that hangs. Every time: non-zero exit, a message about credentials (never about an
# attack), nothing staged or published, the cache as it was, and the same command with good
# credentials succeeds. A hanging helper is given up on after DCT_CREDENTIAL_HELPER_TIMEOUT.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh"

tok_dir=""
cleanup() {
  if [[ -n $tok_dir && -d $tok_dir/run ]]; then
    STACK_DIR=$tok_dir "$E2E_ROOT/scripts/stack.sh" stop >/dev/null 2>&1 || true
  fi
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

base=$((20000 + RANDOM % 20000))
for p in $base $((base + 1)) $((base + 2)) $((base + 3)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    for c in "401 resolve" "401 sign" "helper fails" "helper hangs"; do
      case_skip auth "$c" "no free ports for a private token stack near $base"
    done
    finish
    exit 0
  fi
done
tok_dir=$E2E_TMP/token-stack
STACK_DIR=$tok_dir STACK_NOTARY_PORT=$base STACK_REGISTRY_PORT=$((base + 1)) \
  STACK_SIGNER_PORT=$((base + 2)) STACK_TOKEN_PORT=$((base + 3)) \
  "$E2E_ROOT/scripts/stack.sh" start --auth token >/dev/null
# shellcheck disable=SC1091
source "$tok_dir/stack.env"
good=$DOCKER_CONFIG
T=$E2E_TMP/trust
dct_with() { local cfg=$1; shift; "$DCT_BIN" --config "$cfg" "$@" --trust-dir "$T"; }
g=$(new_gun auth)
repo=$(repo_of "$g")
for t in v1 v2; do STACK_DIR=$tok_dir "$E2E_ROOT/scripts/stack.sh" push-image "$repo" "$t" >/dev/null; done
digest_v1=$(jq -r .digest "$tok_dir/pushed/${repo//\//_}_v1.json")
run_capture dct_with "$good" sign "$g:v1"
assert_eq 0 "$RC" "baseline: sign v1 with good credentials ($ERR)"

config_with() {  # NAME JSON: a docker config dir with the stack's TLS files
  mkdir -p "$E2E_TMP/$1"
  cp -r "$good/tls" "$E2E_TMP/$1/"
  echo "$2" >"$E2E_TMP/$1/config.json"
  echo "$E2E_TMP/$1"
}
bad=$(config_with bad "{\"auths\": {\"$REGISTRY_HOST\": {\"auth\": \"$(printf '%s:wrong' "$STACK_USER" | base64)\"}}}")
mkdir -p "$E2E_TMP/bin"
cat >"$E2E_TMP/bin/docker-credential-dctfail" <<'SH'
#!/bin/sh
echo "the keychain is locked"
exit 1
SH
cat >"$E2E_TMP/bin/docker-credential-dcthang" <<SH
#!/bin/sh
echo \$\$ >>"$E2E_TMP/hang.pids"
exec sleep 300
SH
chmod +x "$E2E_TMP/bin"/*
failing=$(config_with failing "{\"credHelpers\": {\"$REGISTRY_HOST\": \"dctfail\"}}")
hanging=$(config_with hanging "{\"credHelpers\": {\"$REGISTRY_HOST\": \"dcthang\"}}")
export PATH=$E2E_TMP/bin:$PATH

# auth_fault CASE CONFIG COMMAND NEEDLE...: resolve v1 or sign v2 fails as a credentials fault.
auth_fault() {
  local name=$1 cfg=$2 cmd=$3
  shift 3
  case_begin auth "$name"
  local before start secs first tags
  before=$(tree_sum "$T")
  tags=$(server_tags "$g")
  start=$SECONDS
  if [[ $cmd == resolve ]]; then
    run_capture dct_with "$cfg" resolve "$g:v1"
  else
    run_capture dct_with "$cfg" sign "$g:v2"
  fi
  secs=$((SECONDS - start))
  first=$(observed_run)
  failed_clearly "$name"
  assert_any "$ERR" "$name: the message is about credentials" "$@"
  assert_eq 1 "$((secs < 30))" "$name: gave up in time (${secs} s)"
  assert_eq "$before" "$(tree_sum "$T")" "$name: trust dir unchanged"
  assert_eq "$tags" "$(server_tags "$g")" "$name: nothing new on the server"
  run_capture dct_with "$good" "$cmd" "$g:$([[ $cmd == resolve ]] && echo v1 || echo v2)"
  assert_eq 0 "$RC" "$name: the same command with good credentials ($ERR)"
  case_end "$first; ${secs} s; with good credentials exit $RC"
}
auth_fault "401, bad credentials (resolve)" "$bad" resolve "credentials" "unauthorized" "401"
auth_fault "401, bad credentials (sign)" "$bad" sign "credentials" "unauthorized" "401"
auth_fault "credential helper fails (resolve)" "$failing" resolve "the keychain is locked"
auth_fault "credential helper fails (sign)" "$failing" sign "the keychain is locked"
export DCT_CREDENTIAL_HELPER_TIMEOUT=2
auth_fault "credential helper hangs (resolve)" "$hanging" resolve "did not answer" "dcthang"
auth_fault "credential helper hangs (sign)" "$hanging" sign "did not answer" "dcthang"
sleep 0.5
left=0
while read -r pid; do kill -0 "$pid" 2>/dev/null && left=$((left + 1)) && kill "$pid"; done \
  <"$E2E_TMP/hang.pids"
assert_eq 0 "$left" "the hanging helper was stopped, not left behind"
unset DCT_CREDENTIAL_HELPER_TIMEOUT

run_capture dct_with "$good" resolve "$g:v1"
assert_contains "$OUT" "$digest_v1" "v1 still resolves to its digest"
STACK_DIR=$tok_dir "$E2E_ROOT/scripts/stack.sh" stop >/dev/null
tok_dir=""
finish
