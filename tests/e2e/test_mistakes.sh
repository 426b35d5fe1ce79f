#!/usr/bin/env bash
# Mistakes get the right answer: a command that fails stages nothing (changes staged before it
# stay), `init` names what it publishes along, `delegation add` never makes a role that can sign
# no tag, a path rule or a missing key is answered with the owner's exact command, hints name
# only roles that exist, and swapped arguments are recognised (exit 125).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh"

cleanup() {
  stop_servers
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

OWNER=$E2E_TMP/owner
ALICE=$E2E_TMP/alice
mkdir -p "$OWNER" "$ALICE"
owner() { "$DCT_BIN" "$@" --trust-dir "$OWNER"; }
alice() { "$DCT_BIN" "$@" --trust-dir "$ALICE"; }
# The staged change files of a repository in the owner's trust dir, by name.
staged_files() { (cd "$OWNER/tuf/$1/changelist" 2>/dev/null && ls -- *.change 2>/dev/null) | sort | tr '\n' ' '; }
notary_roles() { notary_cli delegation list "$1" | grep -oE '^targets/[a-z0-9_/-]+' | sort | tr '\n' ' '; }

openssl ecparam -name prime256v1 -genkey -noout -out "$E2E_TMP/alice.key" 2>/dev/null
openssl ec -in "$E2E_TMP/alice.key" -pubout -out "$E2E_TMP/alice.pub" 2>/dev/null
make_delegation_cert bob

# A notary server that refuses every upload (400), in front of the real one.
echo "post-invalid-update:refused by the test proxy" >"$E2E_TMP/proxy.mode"
start_server proxy fault_proxy.py "$STACK_DIR/tls/localhost.crt" "$STACK_DIR/tls/localhost.key" \
  "$STACK_CA" "${NOTARY_URL##*:}" "$E2E_TMP/proxy.mode"
# shellcheck disable=SC2154  # proxy_port is set by start_server
refusing=https://127.0.0.1:$proxy_port
pcfg=$E2E_TMP/proxy-config
cp -r "$DOCKER_CONFIG" "$pcfg"
rm -rf "$pcfg/trust"
mkdir -p "$pcfg/tls/${refusing#https://}"
cp "$STACK_CA" "$pcfg/tls/${refusing#https://}/ca.crt"
# The owner's trust dir against the refusing server.
refused() { "$DCT_BIN" --config "$pcfg" "$@" --trust-dir "$OWNER" --server "$refusing"; }

echo "== a. a failed -p on a repository never initialized stages nothing"
g0=$(new_gun never)
run_capture owner delegation add -p "$g0" targets/releases "$E2E_TMP/bob.crt" --all-paths
assert_eq 1 "$RC" "delegation add -p on an uninitialized repository exit code"
assert_contains "$ERR" "does not have trust data for $g0" "says the repository has no trust data"
assert_contains "$ERR" "nothing of this command stays staged" "says nothing stays staged"
assert_contains "$ERR" "docker dct init $g0" "names the command that initializes it"
assert_eq "" "$(staged_files "$g0")" "no change file left"
[[ ! -e $OWNER/tuf/$g0/metadata/root.json ]] && pass || fail "nothing initialized for $g0"
assert_eq "No unpublished changes for $g0" "$(owner status "$g0")" "status agrees"

echo "== a. failed publishes leave only what was staged before"
g=$(new_gun mistakes)
read -r d1 _ <<<"$(push "$g" v1)"
run_capture owner init "$g"
assert_eq 0 "$RC" "init: $ERR"
# Two changes staged earlier, without -p: they must survive every failure below.
run_capture owner delegation add "$g" targets/releases "$E2E_TMP/bob.crt" --all-paths
assert_eq 0 "$RC" "staging a delegation: $ERR"
before=$(staged_files "$g")
assert_eq 2 "$(wc -w <<<"$before")" "two change files staged earlier"

run_capture refused delegation add -p "$g" targets/ci "$E2E_TMP/alice.pub" --all-paths
assert_eq 1 "$RC" "delegation add -p refused by the server exit code"
assert_contains "$ERR" "refused by the test proxy" "the server's reason is shown"
assert_contains "$ERR" "nothing of this command stays staged (2 changes staged earlier are kept" \
  "delegation add: what stays staged is said"
assert_eq "$before" "$(staged_files "$g")" "delegation add: only the earlier changes are staged"

run_capture "$DCT_BIN" delegation add -p "$g" targets/ci "$E2E_TMP/alice.pub" --all-paths \
  --trust-dir "$OWNER" --server "https://127.0.0.1:1"
assert_eq 1 "$RC" "delegation add -p with an unreachable server exit code"
assert_eq "$before" "$(staged_files "$g")" "unreachable: only the earlier changes are staged"

run_capture refused sign "$g:v1"
assert_eq 1 "$RC" "sign refused by the server exit code"
assert_contains "$ERR" "nothing of this command stays staged (2 changes staged earlier are kept" \
  "sign: what stays staged is said"
assert_eq "$before" "$(staged_files "$g")" "sign: only the earlier changes are staged"
assert_eq "" "$(server_tags "$g")" "sign: nothing on the server"

run_capture refused signer add alice "$g" --key "$E2E_TMP/alice.pub"
assert_eq 1 "$RC" "signer add refused by the server exit code"
assert_eq "$before" "$(staged_files "$g")" "signer add: only the earlier changes are staged"

run_capture refused key rotate "$g" snapshot -r
assert_eq 1 "$RC" "key rotate refused by the server exit code"
assert_eq "$before" "$(staged_files "$g")" "key rotate: the changelist is as it was"

# Publish the earlier changes, then fail removing and signing on top of them.
run_capture owner publish "$g"
assert_eq 0 "$RC" "publish: $ERR"
assert_eq "targets/releases " "$(notary_roles "$g")" "targets/releases published"
run_capture owner delegation add "$g" targets/releases "$E2E_TMP/alice.pub"
before=$(staged_files "$g")
assert_eq 1 "$(wc -w <<<"$before")" "one change staged earlier"
run_capture refused delegation remove -p --yes "$g" targets/releases
assert_eq 1 "$RC" "delegation remove -p refused exit code"
assert_contains "$ERR" "(1 change staged earlier is kept" "delegation remove: says the one stays"
assert_eq "$before" "$(staged_files "$g")" "delegation remove: only the earlier change is staged"
run_capture owner status --reset "$g"
run_capture owner signer add alice "$g" --key "$E2E_TMP/alice.pub"
assert_eq 0 "$RC" "signer add alice: $ERR"
run_capture refused signer remove -f alice "$g"
assert_eq 1 "$RC" "signer remove refused exit code"
assert_eq "" "$(staged_files "$g")" "signer remove: nothing staged"
assert_eq "targets/alice targets/releases " "$(notary_roles "$g")" "signer remove: roles unchanged"
alice_id=$(owner delegation list "$g" --format json | jq -r '.[] | select(.role=="targets/alice") | .keys[0].id')
run_capture refused delegation purge -p --yes "$alice_id" "$g"
assert_eq 1 "$RC" "delegation purge -p refused exit code"
assert_contains "$ERR" "nothing of this command stays staged" "delegation purge: says so"
assert_eq "" "$(staged_files "$g")" "delegation purge: nothing staged"
run_capture refused witness -p --yes "$g" targets
assert_eq 1 "$RC" "witness -p refused exit code ($ERR)"
assert_eq "" "$(staged_files "$g")" "witness: nothing staged"

echo "== a. init names the changes staged earlier"
g2=$(new_gun init-staged)
run_capture owner delegation add "$g2" targets/releases "$E2E_TMP/bob.crt" --all-paths
assert_eq 2 "$(wc -w <<<"$(staged_files "$g2")")" "two changes staged before init"
run_capture owner init "$g2"
assert_eq 0 "$RC" "init with staged changes: $ERR"
assert_contains "$OUT" "2 changes staged earlier will be published with this init" "init says so"
assert_contains "$OUT" "create delegation targets/releases" "init names them"
assert_eq "targets/releases " "$(notary_roles "$g2")" "they were published with the init"
assert_eq "" "$(staged_files "$g2")" "nothing left staged"
run_capture owner delegation add "$g2" targets/qa "$E2E_TMP/alice.pub" --all-paths
run_capture owner init "$g2"
assert_eq 0 "$RC" "init of an initialized repository: $ERR"
assert_contains "$OUT" "2 changes staged earlier stay staged: \`docker dct publish $g2\`" \
  "init of an initialized repository says what stays staged"
run_capture owner status --reset "$g2"

echo "== b. delegation add without --paths: every path for a new role, its paths for an old one"
g3=$(new_gun paths)
run_capture owner init "$g3"
run_capture owner delegation add -p "$g3" targets/releases "$E2E_TMP/bob.crt"
assert_eq 0 "$RC" "delegation add -p without paths: $ERR"
assert_contains "$OUT" "No --paths given: targets/releases may sign every tag" "a one-line note"
assert_eq '[""]' "$(owner delegation list "$g3" --format json | jq -c '.[] | select(.role=="targets/releases") | .paths')" \
  "the new role has every path"
run_capture owner delegation add -p "$g3" targets/qa "$E2E_TMP/bob.crt" --paths qa-
assert_eq 0 "$RC" "targets/qa with --paths: $ERR"
run_capture owner delegation add -p "$g3" targets/qa "$E2E_TMP/alice.pub"
assert_eq 0 "$RC" "another key for targets/qa without paths: $ERR"
assert_not_contains "$OUT" "No --paths given" "no note when the role keeps its paths"
assert_eq '["qa-"]' "$(owner delegation list "$g3" --format json | jq -c '.[] | select(.role=="targets/qa") | .paths')" \
  "targets/qa keeps its paths"
assert_eq 2 "$(owner delegation list "$g3" --format json | jq '.[] | select(.role=="targets/qa") | .keys | length')" \
  "targets/qa has both keys"
run_capture "$DCT_BIN" delegation add "$g3" targets/new "$E2E_TMP/bob.crt" --trust-dir "$OWNER" \
  --server https://127.0.0.1:1
assert_eq 1 "$RC" "without paths and without a server exit code"
assert_contains "$ERR" "--all-paths" "names --all-paths"
assert_contains "$ERR" "docker dct delegation add $g3 targets/new $E2E_TMP/bob.crt --all-paths" \
  "gives the exact command"
assert_eq "" "$(staged_files "$g3")" "nothing staged when the paths cannot be decided"

echo "== c. a path rule that blocks a signer names the owner's command"
read -r _ _ <<<"$(push "$g3" v1)"
run_capture owner sign --role targets/qa "$g3:v1"
assert_eq 125 "$RC" "sign blocked by a path rule exit code"
assert_contains "$ERR" "targets/qa of $g3 may not sign the tag \"v1\": its paths (qa-) do not cover it" \
  "says which paths block it"
assert_contains "$ERR" "docker dct delegation add -p $g3 targets/qa --paths v1" "the exact command"
assert_contains "$ERR" "--all-paths" "and the one for every tag"
assert_eq "" "$(staged_files "$g3")" "nothing staged"

echo "== d. the targets key holder is told about --role targets"
g4=$(new_gun owner-hint)
read -r _ _ <<<"$(push "$g4" v1)"
run_capture owner init "$g4"
make_delegation_cert carol
run_capture owner delegation add -p "$g4" targets/releases "$E2E_TMP/carol.crt" --all-paths
assert_eq 0 "$RC" "releases with carol's key only: $ERR"
run_capture owner sign "$g4:v1"
assert_eq 1 "$RC" "sign without a key of targets/releases exit code"
assert_contains "$ERR" "docker dct sign --role targets $g4:v1" "the owner is told about --role targets"
assert_eq "" "$(staged_files "$g4")" "nothing staged"
run_capture owner sign --role targets "$g4:v1"
assert_eq 0 "$RC" "the suggested command works: $ERR"
# A key held for a role is named with it while the role exists, and not once it is gone.
run_capture alice key import "$E2E_TMP/alice.key" --role targets/gone
assert_eq 0 "$RC" "alice imports her key for targets/gone: $ERR"
run_capture owner delegation add -p "$g4" targets/gone "$E2E_TMP/alice.pub" --all-paths
assert_eq 0 "$RC" "targets/gone added: $ERR"
run_capture alice sign "$g4:v1"
assert_eq 1 "$RC" "sign by someone with no key of targets/releases exit code"
assert_contains "$ERR" "(targets/gone)" "the held key is named with its role while it exists"
assert_not_contains "$ERR" "--role targets " "no --role targets hint for someone without the key"
run_capture owner delegation remove -p --yes "$g4" targets/gone
assert_eq 0 "$RC" "targets/gone removed: $ERR"
run_capture alice sign "$g4:v1"
assert_eq 1 "$RC" "sign after the role is gone exit code"
assert_not_contains "$ERR" "targets/gone" "no hint names a role that no longer exists"

echo "== e. swapped arguments"
swapped() {  # EXPECTED-SUGGESTION ARGS...
  local want=$1
  shift
  run_capture "$DCT_BIN" "$@" --trust-dir "$OWNER"
  assert_eq 125 "$RC" "$* exit code"
  assert_contains "$ERR" "arguments look swapped: did you mean \`docker dct $want" "$*: suggestion"
}
before_sum=$(cd "$OWNER" && find . -type f | sort | xargs sha256sum | sha256sum)
swapped "signer add alice $g --key $E2E_TMP/alice.pub" signer add "$g" alice --key "$E2E_TMP/alice.pub"
swapped "signer remove alice $g" signer remove "$g" alice
swapped "signer add NAME $g --key $E2E_TMP/alice.pub" signer add "$E2E_TMP/alice.pub" "$g"
swapped "delegation add $g targets/releases $E2E_TMP/bob.crt" delegation add targets/releases "$g" "$E2E_TMP/bob.crt"
swapped "delegation add $g targets/releases $E2E_TMP/bob.crt" delegation add "$E2E_TMP/bob.crt" targets/releases "$g"
swapped "delegation remove $g targets/releases" delegation remove targets/releases "$g"
swapped "key load $E2E_TMP/alice.key --name alice" key load alice "$E2E_TMP/alice.key"
swapped "sign $g:v1" sign v1 "$g"
run_capture "$DCT_BIN" delegation list "$E2E_TMP/bob.crt" --trust-dir "$OWNER"
assert_eq 125 "$RC" "a certificate where the image goes exit code"
assert_contains "$ERR" "is a key or certificate file, not an image" "says what it is"
after_sum=$(cd "$OWNER" && find . -type f | sort | xargs sha256sum | sha256sum)
assert_eq "$before_sum" "$after_sum" "swapped arguments change nothing on disk"
# Arguments in the right order are not mistaken for swapped ones.
run_capture owner delegation add "$g" targets/releases "$E2E_TMP/alice.pub"
assert_eq 0 "$RC" "the right order works: $ERR"
run_capture owner status --reset "$g"
finish
