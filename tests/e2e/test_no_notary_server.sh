#!/usr/bin/env bash
# No notary server configured: dct falls back to the registry's host, as docker did. The
# registry answers there, and dct must say so at once rather than read its answers as "no trust
# data yet" and start initializing a repository: no key made, no trust data cached.
source "$(dirname "$0")/lib.sh"

cfg=$E2E_TMP/config
mkdir -p "$cfg"
chmod 0700 "$cfg"
cp -r "$DOCKER_CONFIG/tls" "$cfg/"  # the stack's CA, for the registry's host
repo=e2e/no-notary-$$
"$E2E_ROOT/scripts/stack.sh" push-image "$repo" v1 >/dev/null
g=$REGISTRY_HOST/$repo
nn() { env -u DOCKER_CONTENT_TRUST_SERVER -u NOTARY_CLIENT_CONFIG DOCKER_CONFIG="$cfg" "$DCT_BIN" "$@"; }
expected="https://$REGISTRY_HOST is the registry, not a notary server: set DOCKER_CONTENT_TRUST_SERVER or --server"

for cmd in "resolve $g:v1" "sign $g:v1" "init $g" "inspect $g" "check $g"; do
  read -ra words <<<"$cmd"
  run_capture nn "${words[@]}"
  assert_eq 1 "$RC" "$cmd without a notary server: exit code"
  assert_contains "$ERR" "$expected" "$cmd names the registry as such"
  assert_not_contains "$ERR" "Initializing" "$cmd initializes nothing"
  assert_not_contains "$ERR$OUT" "dct.internal" "$cmd reports no internal error"
done
keys=$( (find "$cfg/trust/private" -type f 2>/dev/null || true) | wc -l)
assert_eq 0 "$keys" "no private key was made"
metadata=$( (find "$cfg/trust/tuf" -name '*.json' 2>/dev/null || true) | wc -l)
assert_eq 0 "$metadata" "no trust data was cached"
# With the notary server named, the same image signs: the refusal was about the server.
run_capture env DOCKER_CONFIG="$cfg" "$DCT_BIN" sign "$g:v1"
assert_eq 0 "$RC" "sign with the notary server set ($ERR)"
finish
