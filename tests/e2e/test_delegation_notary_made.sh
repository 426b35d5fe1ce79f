#!/usr/bin/env bash
# The documentation's delegation steps done with the notary CLI, read by dct after every step
# (the reverse of test_delegation_walkthrough.sh, where dct does them and notary reads).
source "$(dirname "$0")/lib.sh"

g=$(new_gun notary-walk)
COLLAB=$E2E_TMP/collab
mkdir -p "$COLLAB"
ncollab() { notary -c "$NOTARY_CLIENT_CONFIG" -d "$COLLAB" "$@"; }
resolve() { "$DCT_BIN" resolve "$1" --trust-dir "$(mktemp -d -p "$E2E_TMP")"; }
dlist() { "$DCT_BIN" delegation list "$g" --format json --trust-dir "$(mktemp -d -p "$E2E_TMP")"; }

read -r d1 s1 <<<"$(push "$g" v1)"
read -r d2 s2 <<<"$(push "$g" v2)"

notary_init "$g"
notary_sign "$g" v1 "$d1" "$s1"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "v1 signed by notary in targets resolves"
assert_eq "[]" "$(dlist | jq -c .)" "no delegations yet"

notary_cli key rotate "$g" snapshot -r >/dev/null
make_delegation_cert kim
make_delegation_cert lee
notary_cli delegation add "$g" targets/releases "$E2E_TMP/kim.crt" "$E2E_TMP/lee.crt" --all-paths -p >/dev/null
notary_ids=$(notary_cli delegation list "$g" | grep -oE '[0-9a-f]{64}' | sort)
assert_eq "$notary_ids" "$(dlist | jq -r '.[0].keys[].id' | sort)" "dct lists notary's key IDs"
assert_eq "kim lee" "$(dlist | jq -r '[.[0].keys[].certificate] | sort | join(" ")')" "dct names the signers"
assert_eq '[""]' "$(dlist | jq -c '.[0].paths')" "all paths"

ncollab key import "$E2E_TMP/kim.key" --role user >/dev/null 2>&1
ncollab addhash "$g" v2 "$s2" --sha256 "${d2#sha256:}" --roles targets/releases -p >/dev/null
assert_eq "$g@$d2" "$(resolve "$g:v2")" "v2 signed by the collaborator in releases resolves"
assert_eq "targets/releases" "$("$DCT_BIN" resolve "$g:v2" --format json --trust-dir "$(mktemp -d -p "$E2E_TMP")" | jq -r .role)" \
  "dct reports the releases role"

kim_id=$(dlist | jq -r '.[0].keys[] | select(.certificate=="kim") | .id')
notary_cli delegation remove "$g" targets/releases "$kim_id" -p >/dev/null
assert_eq 1 "$(dlist | jq '.[0].keys | length')" "one key left"
# notary keeps v2's signature, made by kim's key only: it no longer meets the threshold.
run_capture resolve "$g:v2"
assert_eq 1 "$RC" "v2 signed by a removed key is refused"

lee_id=$(dlist | jq -r '.[0].keys[0].id')
notary_cli delegation remove "$g" targets/releases "$lee_id" -p >/dev/null
# notary leaves a role without keys behind; dct lists it and ignores its signatures.
assert_eq 0 "$(dlist | jq '.[0].keys | length')" "keyless role listed"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "v1 from targets still resolves"

notary_cli delegation remove "$g" targets/releases -y -p >/dev/null
assert_eq "[]" "$(dlist | jq -c .)" "role removed"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "v1 still resolves"
finish
