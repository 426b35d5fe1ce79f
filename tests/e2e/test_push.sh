#!/usr/bin/env bash
# dct push through the Docker CLI that ran the plugin: checks first, then `docker push`, then
# signs what the registry holds. The Docker CLI is stood in for by a script (no daemon here)
# that records its arguments and pushes with the stack's pusher.
source "$(dirname "$0")/lib.sh"

fake=$E2E_TMP/fake-docker
calls=$E2E_TMP/docker-calls
cat >"$fake" <<FAKE
#!/usr/bin/env bash
echo "\$*" >>"$calls"
[[ \${FAKE_DOCKER_FAIL:-0} == 1 ]] && { echo "denied: requested access to the resource is denied" >&2; exit 1; }
[[ \${FAKE_DOCKER_SKIP:-0} == 1 ]] && exit 0
ref=\${@: -1}
repo=\${ref#$REGISTRY_HOST/}
"$E2E_ROOT/scripts/stack.sh" push-image "\${repo%:*}" "\${repo##*:}" >/dev/null
FAKE
chmod +x "$fake"
as_plugin() { DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND=$fake "$DCT_BIN" dct "$@" --trust-dir "$DCT_TRUST"; }

g=$(new_gun push)
run_capture as_plugin push "$g:v1"
assert_eq 0 "$RC" "push and sign: $ERR"
assert_eq "push $g:v1" "$(cat "$calls")" "docker push ran with the reference"
assert_contains "$OUT" "Successfully signed $g:v1" "signed after the push"
digest=$(jq -r .digest "$STACK_DIR/pushed/$(repo_of "$g" | tr / _)_v1.json")
assert_eq "$g@$digest" "$(dct resolve "$g:v1")" "the pushed digest is trusted"
assert_contains "$(notary_cli list "$g")" "${digest#sha256:}" "notary sees the signature"

# docker push fails: nothing is signed.
: >"$calls"
FAKE_DOCKER_FAIL=1 run_capture as_plugin push "$g:v2"
[[ $RC -ne 0 ]] && pass || fail "a failed docker push fails"
assert_contains "$ERR" "nothing was signed" "says nothing was signed"
assert_not_contains "$(notary_cli list "$g")" "v2" "no signature for v2"

# The push "succeeds" but the registry has no such tag: pushed but not signed, said plainly.
FAKE_DOCKER_SKIP=1 run_capture as_plugin push "$g:v3"
[[ $RC -ne 0 ]] && pass || fail "signing failure after push fails"
assert_contains "$ERR" "pushed but NOT signed" "says the image is not signed"
assert_contains "$ERR" "docker dct sign $g:v3" "says how to sign it later"

# Checks before the push: a releases delegation without its key stops everything first.
g2=$(new_gun push-rel)
push "$g2" v1 >/dev/null
notary_init "$g2"
make_delegation_cert pat
notary_cli delegation add "$g2" targets/releases "$E2E_TMP/pat.crt" --all-paths -p >/dev/null
: >"$calls"
run_capture as_plugin push "$g2:v1"
[[ $RC -ne 0 ]] && pass || fail "push without a usable role refused"
assert_contains "$ERR" "targets/releases" "names the role"
assert_eq "" "$(cat "$calls")" "docker push never ran"
finish
