#!/usr/bin/env bash
# dct key generate / import / list: keys stored encrypted in notary's layout (notary lists them
# with the same IDs), certificates and requests openssl accepts, weak or wrong files refused.
source "$(dirname "$0")/lib.sh"

K=$E2E_TMP/keys
mkdir -p "$K"
k() { "$DCT_BIN" "$@" --trust-dir "$K"; }
mode_of() { stat -c %a "$1"; }

run_capture k key generate alice --dir "$E2E_TMP" --csr
assert_eq 0 "$RC" "generate ecdsa: $ERR"
alice_id=$(grep -oE '[0-9a-f]{64}' <<<"$OUT" | head -1)
assert_eq 600 "$(mode_of "$K/private/$alice_id.key")" "key file 0600"
assert_eq 700 "$(mode_of "$K/private")" "private dir 0700"
assert_contains "$(head -1 "$K/private/$alice_id.key")" "ENCRYPTED PRIVATE KEY" "stored encrypted"
assert_contains "$(openssl x509 -in "$E2E_TMP/alice.crt" -noout -subject)" "CN = alice" "certificate CN"
assert_contains "$(openssl req -in "$E2E_TMP/alice.csr" -noout -verify -subject 2>&1)" "CN = alice" "CSR subject"
openssl req -in "$E2E_TMP/alice.csr" -noout -verify >/dev/null 2>&1 && pass || fail "CSR signature verifies"
run_capture k key generate alice --dir "$E2E_TMP"
[[ $RC -ne 0 ]] && pass || fail "existing certificate not overwritten"

run_capture k key generate bob --type rsa --bits 3072 --dir "$E2E_TMP"
assert_eq 0 "$RC" "generate rsa: $ERR"
assert_contains "$(openssl x509 -in "$E2E_TMP/bob.crt" -noout -text)" "3072 bit" "RSA 3072"
run_capture k key generate weak --type rsa --bits 1024 --dir "$E2E_TMP"
[[ $RC -ne 0 ]] && pass || fail "RSA 1024 refused"
assert_contains "$ERR" "2048" "names the minimum"
[[ ! -e $E2E_TMP/weak.crt ]] && pass || fail "nothing written for a refused key"

openssl genrsa -out "$E2E_TMP/rsa.key" 2048 2>/dev/null
openssl ecparam -name prime256v1 -genkey -noout -out "$E2E_TMP/sec1.key" 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
  openssl pkcs8 -topk8 -v2 aes256 -passout "pass:$DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE" -out "$E2E_TMP/enc.p8"
for f in rsa.key sec1.key enc.p8; do
  run_capture k key import "$E2E_TMP/$f" --role user
  assert_eq 0 "$RC" "import $f: $ERR"
  assert_contains "$OUT" "Imported user key" "import $f prints the ID"
done
run_capture k key import "$E2E_TMP/alice.crt"
[[ $RC -ne 0 ]] && pass || fail "certificate refused as a key"
assert_contains "$ERR" "CERTIFICATE" "says it is a certificate"
openssl genrsa -out "$E2E_TMP/weak.key" 1024 2>/dev/null
run_capture k key import "$E2E_TMP/weak.key"
[[ $RC -ne 0 ]] && pass || fail "weak RSA import refused"

ours=$(k key list --format json | jq -r '.[].id' | sort)
assert_eq 5 "$(wc -l <<<"$ours")" "five keys listed"
theirs=$(notary -d "$K" key list | grep -oE '[0-9a-f]{64}' | sort)
assert_eq "$ours" "$theirs" "notary lists the same key IDs"
run_capture k key list
assert_contains "$OUT" "alice" "certificate name shown"
widest=$(awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' <<<"$OUT")
((widest <= 80)) && pass || fail "key list is $widest columns wide, over 80"
assert_contains "$OUT" "${alice_id:0:12}" "key list shows alice's short key ID"
assert_not_contains "$OUT" "$alice_id" "key list shortens key IDs by default"
run_capture k key list --no-trunc
assert_contains "$OUT" "$alice_id" "key list --no-trunc shows full key IDs"
assert_contains "$OUT" "$alice_id.key" "key list --no-trunc shows the key files"
assert_eq "alice" "$(k key list --format json | jq -r --arg id "$alice_id" '.[] | select(.id==$id) | .certificate')" \
  "json names alice's certificate"
finish
