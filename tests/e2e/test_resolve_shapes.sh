#!/usr/bin/env bash
# dct resolve against repositories made by the real notary and docker CLIs, in every shape the
# pull rule distinguishes. The expected digests are what the registry holds.
source "$(dirname "$0")/lib.sh"

echo "== targets only (docker manifest, OCI manifest, OCI index)"
g=$(new_gun targets)
notary_init "$g"
for t in docker oci oci-index; do
  read -r digest size < <(push "$g" "v-$t" "$t")
  notary_sign "$g" "v-$t" "$digest" "$size"
  run_capture dct resolve "$g:v-$t"
  assert_eq 0 "$RC" "resolve $t exit"
  assert_eq "$g@$digest" "$OUT" "resolve $t digest"
done
run_capture dct resolve --format json "$g:v-oci-index"
assert_eq targets "$(jq -r .role <<<"$OUT")" "json role"
assert_eq "$size" "$(jq -r .size <<<"$OUT")" "json size"
assert_eq "$g" "$(jq -r .name <<<"$OUT")" "json name"
assert_eq "sha256:${digest#sha256:}" "$(jq -r .digest <<<"$OUT")" "json digest"

echo "== unknown tag, unknown repository"
run_capture dct resolve "$g:nope"
assert_eq 1 "$RC" "unknown tag exit"
assert_contains "$ERR" "not signed" "unknown tag message"
assert_eq "" "$OUT" "no digest printed for an unknown tag"
run_capture dct resolve "$(new_gun never-signed):v1"
assert_eq 1 "$RC" "unknown repository exit"
assert_contains "$ERR" "does not have trust data" "unknown repository message"

echo "== releases only"
g=$(new_gun releases)
notary_init "$g"
notary_cli key rotate "$g" snapshot -r >/dev/null
add_delegation "$g" targets/releases releaser
read -r digest size < <(push "$g" v1)
notary_sign "$g" v1 "$digest" "$size" targets/releases
run_capture dct resolve --format json "$g:v1"
assert_eq 0 "$RC" "releases exit"
assert_eq targets/releases "$(jq -r .role <<<"$OUT")" "releases role"
assert_eq "$g@$digest" "$(jq -r .reference <<<"$OUT")" "releases digest"

echo "== both, different digests: releases wins"
g=$(new_gun both)
notary_init "$g"
notary_cli key rotate "$g" snapshot -r >/dev/null
read -r d_targets s_targets < <(push "$g" v1)
read -r d_releases s_releases < <(push "$g" v1-next)
notary_sign "$g" v1 "$d_targets" "$s_targets"
add_delegation "$g" targets/releases releaser2
notary_sign "$g" v1 "$d_releases" "$s_releases" targets/releases
run_capture dct resolve "$g:v1"
assert_eq "$g@$d_releases" "$OUT" "releases wins over targets"

echo "== a delegation lost its keys: its signatures stop counting"
read -r d2 s2 < <(push "$g" v2)
notary_sign "$g" v2 "$d2" "$s2" targets/releases
run_capture dct resolve "$g:v2"
assert_eq "$g@$d2" "$OUT" "v2 from releases before the removal"
key=$(delegation_key_id "$g" targets/releases)
notary_cli delegation remove "$g" targets/releases "$key" -p >/dev/null 2>&1
run_capture dct resolve "$g:v2"
assert_eq 1 "$RC" "v2 refused once releases has no keys"
assert_contains "$ERR" "targets/releases is not usable" "says why releases no longer counts"
run_capture dct resolve "$g:v1"
assert_eq "$g@$d_targets" "$OUT" "v1 falls back to the targets signature"

echo "== a tag only in another delegation is refused"
g=$(new_gun other)
notary_init "$g"
notary_cli key rotate "$g" snapshot -r >/dev/null
add_delegation "$g" targets/alice alice
read -r digest size < <(push "$g" v1)
notary_sign "$g" v1 "$digest" "$size" targets/alice
run_capture dct resolve "$g:v1"
assert_eq 1 "$RC" "other delegation exit"
assert_contains "$ERR" "targets/alice" "names where it was found"
assert_contains "$ERR" "only targets/releases and targets" "says what is trusted"
assert_eq "" "$OUT" "no digest for an untrusted delegation"

echo "== after notary rotated the targets key (warm cache)"
g=$(new_gun rotated)
notary_init "$g"
read -r digest size < <(push "$g" v1)
notary_sign "$g" v1 "$digest" "$size"
run_capture dct resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "before rotation"
notary_cli key rotate "$g" targets >/dev/null
read -r d2 s2 < <(push "$g" v2)
notary_sign "$g" v2 "$d2" "$s2"
run_capture dct resolve "$g:v2"
assert_eq 0 "$RC" "after rotation exit ($ERR)"
assert_eq "$g@$d2" "$OUT" "after rotation, signed with the new key"

echo "== made by docker trust signer add + docker trust sign"
g=$(new_gun docker)
read -r digest size < <(push "$g" v1)
keydir=$E2E_TMP/keys
mkdir -p "$keydir"
docker trust key generate "carol" --dir "$keydir" >/dev/null
docker trust signer add --key "$keydir/carol.pub" carol "$g" >/dev/null
notary_sign "$g" v1 "$digest" "$size"
docker trust sign "$g:v1" >/dev/null
run_capture dct resolve --format json "$g:v1"
assert_eq 0 "$RC" "docker-made exit ($ERR)"
assert_eq targets/releases "$(jq -r .role <<<"$OUT")" "docker trust sign lands in releases"
assert_contains "$(jq -r '.signers|join(",")' <<<"$OUT")" "targets/carol" "signer listed"
assert_eq "$g@$digest" "$(jq -r .reference <<<"$OUT")" "docker-made digest"

echo "== TLS: a wrong CA is refused, never skipped"
g2=$(new_gun tls)
notary_init "$g2"
read -r digest size < <(push "$g2" v1)
notary_sign "$g2" v1 "$digest" "$size"
bad=$E2E_TMP/bad-config
mkdir -p "$bad/tls/127.0.0.1:${NOTARY_URL##*:}"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -keyout "$E2E_TMP/other.key" -out "$bad/tls/127.0.0.1:${NOTARY_URL##*:}/ca.crt" -subj /CN=other 2>/dev/null
run_capture "$DCT_BIN" --config "$bad" resolve --trust-dir "$E2E_TMP/t2" "$g2:v1"
assert_eq 1 "$RC" "wrong CA exit"
assert_contains "$ERR" "$NOTARY_URL" "names the server"
assert_contains "$ERR" "TLS" "says it is a TLS failure"
assert_contains "$ERR" "tls/127.0.0.1:${NOTARY_URL##*:}/ca.crt" "says where the CA goes"
assert_eq "" "$OUT" "no digest with a wrong CA"
run_capture "$DCT_BIN" --config "$E2E_TMP/empty-config" resolve --trust-dir "$E2E_TMP/t3" "$g2:v1"
assert_eq 1 "$RC" "no CA at all is refused even for a loopback registry"
run_capture "$DCT_BIN" resolve --trust-dir "$E2E_TMP/t4" "$g2:v1"
assert_eq "$g2@$digest" "$OUT" "the right CA from <config dir>/tls/<host:port>/"

finish
