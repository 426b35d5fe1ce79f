#!/usr/bin/env bash
# Passphrases, passwords and tokens never show up in output, even with --debug (-D): every
# signing command runs with -D and its stdout and stderr are searched for them.
source "$(dirname "$0")/lib.sh"

g=$(new_gun secrets)
push "$g" v1 >/dev/null
T=$E2E_TMP/trust
all=$E2E_TMP/all-output
: >"$all"
d() { "$DCT_BIN" -D "$@" --trust-dir "$T" >>"$all" 2>&1; }

d sign "$g:v1"
d resolve "$g:v1"
d inspect "$g:v1"
make_delegation_cert sam
d delegation add -p "$g" targets/releases "$E2E_TMP/sam.crt" --all-paths
d delegation list "$g"
d key import "$E2E_TMP/sam.key" --role user
d key list
d key generate tom --dir "$E2E_TMP"
d status "$g"
d revoke "$g:v1" --yes
# A wrong passphrase must not be echoed back either.
DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=wrong-secret-passphrase-123 \
  "$DCT_BIN" -D sign "$g:v1" --trust-dir "$T" >>"$all" 2>&1 || true

[[ -s $all ]] && pass || fail "commands produced output"
grep -q 'DEBUG: GET https' "$all" && pass || fail "debug traces were on"
for secret in "$DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE" "$DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE" \
  wrong-secret-passphrase-123 "$NOTARY_AUTH" "$STACK_PASS"; do
  [[ -z $secret ]] && continue
  if grep -qF -- "$secret" "$all"; then fail "a secret appears in the output"; else pass; fi
done
# Key material: no private key PEM and no key file contents.
grep -q 'PRIVATE KEY' "$all" && fail "private key text in output" || pass
finish
