#!/usr/bin/env bash
# `dct inspect` prints what `docker trust inspect` prints, byte for byte, JSON and --pretty.
source "$(dirname "$0")/lib.sh"

compare() {  # ARG...: one or more image arguments
  run_capture docker trust inspect "$@"
  local want_json=$OUT want_rc=$RC
  run_capture dct inspect "$@"
  assert_eq "$want_json" "$OUT" "inspect JSON of $*"
  assert_eq "$want_rc" "$RC" "inspect exit of $*"
  run_capture docker trust inspect --pretty "$@"
  local want_pretty=$OUT
  run_capture dct inspect --pretty "$@"
  assert_eq "$want_pretty" "$OUT" "inspect --pretty of $*"
}

echo "== targets only, several tags"
g=$(new_gun inspect-targets)
notary_init "$g"
for t in v1 v2 v10 latest; do
  read -r digest size < <(push "$g" "$t")
  notary_sign "$g" "$t" "$digest" "$size"
done
compare "$g"
compare "$g:v10"

echo "== signers made by docker trust"
g2=$(new_gun inspect-signers)
read -r digest size < <(push "$g2" v1)
mkdir -p "$E2E_TMP/keys"
docker trust key generate dave --dir "$E2E_TMP/keys" >/dev/null
docker trust key generate erin --dir "$E2E_TMP/keys" >/dev/null
docker trust signer add --key "$E2E_TMP/keys/dave.pub" dave "$g2" >/dev/null
docker trust signer add --key "$E2E_TMP/keys/erin.pub" erin "$g2" >/dev/null
notary_sign "$g2" v1 "$digest" "$size"
docker trust sign "$g2:v1" >/dev/null
compare "$g2"
compare "$g" "$g2:v1"

echo "== a repository that does not exist"
run_capture dct inspect "$(new_gun inspect-missing)"
assert_eq 1 "$RC" "missing repository exit"
assert_eq "[]" "$OUT" "missing repository prints []"

finish
