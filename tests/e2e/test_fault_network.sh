#!/usr/bin/env bash
# Network faults during `dct resolve` and `dct sign`, through a fault proxy (fault_proxy.py) in
# front of the real notary server and another in front of the registry: a server that goes
# away before answering or halfway through an answer (stopped mid-command), 5xx answers, and
# an upload whose answer is lost. Every time: non-zero exit, a network message (never a
# security one), the cache and staged changes as they were, and the next command succeeds.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh"

cleanup() {
  stop_servers
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

start_proxy() {  # NAME UPSTREAM_PORT: mode file $E2E_TMP/NAME.mode, port in ${NAME}_port
  echo pass >"$E2E_TMP/$1.mode"
  start_server "$1" fault_proxy.py "$STACK_DIR/tls/localhost.crt" "$STACK_DIR/tls/localhost.key" \
    "$STACK_CA" "$2" "$E2E_TMP/$1.mode"
}
mode() { echo "$2" >"$E2E_TMP/$1.mode"; }

start_proxy notary "${NOTARY_URL##*:}"
start_proxy registry "${REGISTRY_HOST##*:}"
# The image lives in the real registry; its name goes through the registry proxy.
repo=e2e/net-$RANDOM$RANDOM
g=127.0.0.1:$registry_port/$repo
cfg=$E2E_TMP/config
cp -r "$DOCKER_CONFIG" "$cfg"
rm -rf "$cfg/trust"
for p in "$notary_port" "$registry_port"; do
  mkdir -p "$cfg/tls/127.0.0.1:$p"
  cp "$STACK_CA" "$cfg/tls/127.0.0.1:$p/ca.crt"
done
T=$E2E_TMP/trust
dctp() { "$DCT_BIN" --config "$cfg" "$@" --trust-dir "$T" --server "https://127.0.0.1:$notary_port"; }
digest_of() { jq -r .digest "$STACK_DIR/pushed/${repo//\//_}_$1.json"; }
for t in v1 v2 v3 v4 v5 v6; do "$E2E_ROOT/scripts/stack.sh" push-image "$repo" "$t" >/dev/null; done

run_capture dctp sign "$g:v1"
assert_eq 0 "$RC" "baseline: sign v1 through both proxies ($ERR)"
assert_eq "v1 " "$(server_tags "$g")" "baseline: v1 on the server"

# resolve_fault CASE MODE NEEDLE...: resolve with a fresh trust dir fails as a network fault.
resolve_fault() {
  local name=$1 m=$2
  shift 2
  case_begin network "$name"
  local fresh=$E2E_TMP/fresh-$RANDOM
  mode notary "$m"
  run_capture "$DCT_BIN" --config "$cfg" resolve "$g:v1" --trust-dir "$fresh" \
    --server "https://127.0.0.1:$notary_port"
  local first
  first=$(observed_run)
  failed_clearly "$name"
  assert_any "$ERR" "$name: the message says what went wrong" "$@"
  assert_eq "" "$(find "$fresh/tuf" -name '*.json' 2>/dev/null)" "$name: nothing cached"
  local before
  before=$(tree_sum "$T")
  run_capture dctp resolve "$g:v1"
  assert_eq 1 "$((RC != 0))" "$name: resolve with a warm cache fails too"
  assert_eq "$before" "$(tree_sum "$T")" "$name: the cache is unchanged"
  mode notary pass
  run_capture dctp resolve "$g:v1"
  assert_eq 0 "$RC" "$name: resolve once the server is back ($ERR)"
  assert_contains "$OUT" "$(digest_of v1)" "$name: resolve once the server is back"
  case_end "$first; cache unchanged; resolve once back exit $RC"
}
resolve_fault "notary-server stops before answering (resolve)" down \
  "127.0.0.1:$notary_port" "connect" "reset" "Empty reply" "closed"
resolve_fault "notary-server stops halfway through an answer (resolve)" cut \
  "transfer closed" "partial" "incomplete" "closed" "bytes remaining"
resolve_fault "notary-server answers 503 (resolve)" status:503 "503" "unavailable"
resolve_fault "notary-server answers 500 (resolve)" status:500 "500" "server error"

# sign_fault CASE NOTARY_MODE REGISTRY_MODE TAG NEEDLE...: sign fails as a network fault, the
# tag is not on the server, and is either staged (then `dct publish` publishes it) or not.
sign_fault() {
  local name=$1 nm=$2 rm=$3 tag=$4
  shift 4
  case_begin network "$name"
  mode notary "$nm"
  mode registry "$rm"
  local before_tags
  before_tags=$(server_tags "$g")
  run_capture dctp sign "$g:$tag"
  local first
  first=$(observed_run)
  failed_clearly "$name"
  assert_any "$ERR" "$name: the message says what went wrong" "$@"
  mode notary pass
  mode registry pass
  local staged
  staged=$(staged_tags "$T" "$g")
  if [[ $staged == *"$tag"* ]]; then
    assert_contains "$ERR" "staged changes are kept" "$name: the message says the change is kept"
    run_capture dctp publish "$g"
    assert_eq 0 "$RC" "$name: publish of the kept change ($ERR)"
    first="$first; change kept, publish exit $RC"
  else
    assert_eq "$before_tags" "$(server_tags "$g")" "$name: nothing new on the server"
    run_capture dctp sign "$g:$tag"
    assert_eq 0 "$RC" "$name: sign again once the server is back ($ERR)"
    first="$first; nothing staged, sign again exit $RC"
  fi
  assert_contains "$(server_tags "$g")" "$tag" "$name: $tag signed in the end"
  assert_eq "" "$(staged_tags "$T" "$g")" "$name: nothing left staged"
  case_end "$first"
}
sign_fault "notary-server stops before the upload (sign)" post-down pass v2 \
  "nothing was published" "connect" "Empty reply" "closed"
sign_fault "notary-server stops while reading trust data (sign)" down-after:1 pass v3 \
  "127.0.0.1:$notary_port" "connect" "Empty reply" "closed"
sign_fault "notary-server answers 502 (sign)" status:502 pass v4 "502" "server error"
sign_fault "registry stops halfway through the manifest (sign)" pass cut v5 \
  "transfer closed" "partial" "closed" "bytes remaining"
sign_fault "registry stops before answering (sign)" pass down v6 \
  "127.0.0.1:$registry_port" "connect" "Empty reply" "closed"

# The upload reached the server but its answer was lost: dct cannot know the outcome and must
# not claim either; the change stays staged, and publishing it again is harmless.
case_begin network "answer to the upload lost (sign)"
"$E2E_ROOT/scripts/stack.sh" push-image "$repo" v7 >/dev/null
mode notary post-lost
run_capture dctp sign "$g:v7"
first=$(observed_run)
mode notary pass
if ((RC == 0)); then
  pass
else
  failed_clearly "lost answer"
  assert_contains "$(staged_tags "$T" "$g")" "v7" "lost answer: the change is kept"
  # The server did take the upload: saying nothing was published would mislead.
  assert_contains "$(server_tags "$g")" "v7" "lost answer: the server took the upload"
  assert_not_contains "$ERR" "nothing was published" "lost answer: no claim that nothing was published"
  assert_contains "$ERR" "is not known" "lost answer: the message says the outcome is unknown"
  run_capture dctp publish "$g"
  assert_eq 0 "$RC" "lost answer: publishing again ($ERR)"
fi
assert_contains "$(server_tags "$g")" "v7" "lost answer: v7 signed in the end"
run_capture dctp resolve "$g:v7"
assert_contains "$OUT" "$(digest_of v7)" "lost answer: v7 resolves to its digest"
case_end "$first; then publish exit $RC"

finish
