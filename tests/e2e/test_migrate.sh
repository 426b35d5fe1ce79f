#!/usr/bin/env bash
# dct migrate: cosign signatures for what Notary trust data vouches for, checked by a verifier
# written apart from the signer (cosign_verify.py, from cosign's specification). Trusted tags
# verify; the digest a tag moves to afterwards, a replayed or tampered signature and a tag
# signed only in another delegation do not; --dry-run writes nothing; re-running adds nothing.
source "$(dirname "$0")/lib.sh"
VERIFY=$E2E_ROOT/tests/e2e/cosign_verify.py

g=$(new_gun migrate)
repo=$(repo_of "$g")
read -r d1 s1 <<<"$(push "$g" v1)"
read -r d2 s2 <<<"$(push "$g" v2 oci)"
read -r d3 s3 <<<"$(push "$g" v3)"
notary_init "$g"
add_delegation "$g" targets/releases rel
add_delegation "$g" targets/qa qa
notary_sign "$g" v1 "$d1" "$s1" targets/releases
notary_sign "$g" v2 "$d2" "$s2"
notary_sign "$g" v3 "$d3" "$s3" targets/qa
# v4 signed by dct itself, into targets/releases with the key notary imported.
read -r d6 _ <<<"$(push "$g" v4)"
run_capture "$DCT_BIN" sign "$g:v4"
assert_eq 0 "$RC" "dct signs v4: $ERR"

# An encrypted PKCS#8 key and a plain SEC1 key, both P-256.
key=$E2E_TMP/cosign.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
  openssl pkcs8 -topk8 -v2 aes-256-cbc -passout pass:migrate-pass -out "$key"
openssl pkey -in "$key" -passin pass:migrate-pass -pubout -out "$E2E_TMP/cosign.pub"
key2=$E2E_TMP/second.key
openssl ecparam -name prime256v1 -genkey -noout -out "$key2"
openssl ec -in "$key2" -pubout -out "$E2E_TMP/second.pub" 2>/dev/null
export DCT_MIGRATE_PASSPHRASE=migrate-pass

verify() {  # DIGEST PUBKEY -> RC, OUT (the verifier's JSON)
  run_capture python3 "$VERIFY" "$REGISTRY_HOST" "$repo" "$1" "$2" "$g"
}
registry_get() { curl -sSf --cacert "$STACK_CA" "https://$REGISTRY_HOST/v2/$repo/$1" -H "Accept: application/vnd.oci.image.manifest.v1+json"; }
registry_put_manifest() {  # TAG FILE
  curl -sSf --cacert "$STACK_CA" -X PUT -H "Content-Type: application/vnd.oci.image.manifest.v1+json" \
    --data-binary "@$2" "https://$REGISTRY_HOST/v2/$repo/manifests/$1" >/dev/null
}
sig_tags() { registry_get tags/list | jq -r '[.tags[] | select(endswith(".sig"))] | sort | join(" ")'; }

# --- dry run: lists, writes nothing ---
run_capture dct migrate --key "$key" --all-tags --dry-run --format json "$g"
assert_eq 0 "$RC" "dry run exit: $ERR"
assert_eq "would sign" "$(jq -r '.[] | select(.tag=="v1") | .status' <<<"$OUT")" "dry run: v1 would be signed"
assert_eq "would sign" "$(jq -r '.[] | select(.tag=="v2") | .status' <<<"$OUT")" "dry run: v2 would be signed"
assert_eq "skipped" "$(jq -r '.[] | select(.tag=="v3") | .status' <<<"$OUT")" "dry run: v3 skipped"
assert_eq "would sign" "$(jq -r '.[] | select(.tag=="v4") | .status' <<<"$OUT")" "dry run: v4 would be signed"
assert_eq "" "$(sig_tags)" "dry run wrote no signature tag"
verify "$d1" "$E2E_TMP/cosign.pub"
assert_eq 1 "$RC" "nothing verifies after a dry run: $OUT"

# --- migrate every tag ---
run_capture dct migrate --key "$key" --all-tags --format json "$g"
assert_eq 0 "$RC" "migrate --all-tags exit: $ERR"
migrated=$OUT
assert_eq "signed" "$(jq -r '.[] | select(.tag=="v1") | .status' <<<"$OUT")" "v1 signed"
assert_eq "targets/releases" "$(jq -r '.[] | select(.tag=="v1") | .role' <<<"$OUT")" "v1 from releases"
assert_eq "$d1" "$(jq -r '.[] | select(.tag=="v1") | .digest' <<<"$OUT")" "v1 digest as verified"
assert_eq "signed" "$(jq -r '.[] | select(.tag=="v2") | .status' <<<"$OUT")" "v2 signed"
assert_eq "targets" "$(jq -r '.[] | select(.tag=="v2") | .role' <<<"$OUT")" "v2 from targets"
assert_contains "$(jq -r '.[] | select(.tag=="v3") | .reason' <<<"$OUT")" "targets/qa" \
  "v3's reason names the delegation it is signed in"

verify "$d1" "$E2E_TMP/cosign.pub"
assert_eq 0 "$RC" "v1's signature verifies: $OUT"
assert_eq 1 "$(jq .verified <<<"$OUT")" "one verified signature for v1"
assert_eq "targets/releases" "$(jq -r '.optional[0]["dev.dct.notary/role"]' <<<"$OUT")" "payload records the role"
assert_eq "$NOTARY_URL" "$(jq -r '.optional[0]["dev.dct.notary/server"]' <<<"$OUT")" "payload records the server"
assert_contains "$(jq -r '.optional[0]["dev.dct.notary/signers"]' <<<"$OUT")" "targets/releases" "payload records the signers"
verify "$d2" "$E2E_TMP/cosign.pub"
assert_eq 0 "$RC" "v2's signature verifies: $OUT"
verify "$d3" "$E2E_TMP/cosign.pub"
assert_eq 1 "$RC" "the skipped v3 has no signature: $OUT"
assert_eq "signed targets/releases" "$(jq -r '.[] | select(.tag=="v4") | "\(.status) \(.role)"' <<<"$migrated")" \
  "v4, signed by dct in releases, is migrated"
verify "$d6" "$E2E_TMP/cosign.pub"
assert_eq 0 "$RC" "v4's signature verifies: $OUT"
verify "$d1" "$E2E_TMP/second.pub"
assert_eq 1 "$RC" "another key's public half does not verify v1: $OUT"

# The signature manifest is cosign's shape.
m=$(registry_get "manifests/${d1/:/-}.sig")
assert_eq "application/vnd.oci.image.manifest.v1+json" "$(jq -r .mediaType <<<"$m")" "OCI image manifest"
assert_eq "application/vnd.oci.image.config.v1+json" "$(jq -r .config.mediaType <<<"$m")" "OCI config"
cfg=$(registry_get "blobs/$(jq -r .config.digest <<<"$m")")
assert_eq "$(jq -c '[.layers[].digest]' <<<"$m")" "$(jq -c .rootfs.diff_ids <<<"$cfg")" "config lists the layers"
payload=$(registry_get "blobs/$(jq -r '.layers[0].digest' <<<"$m")")
assert_eq "cosign container image signature" "$(jq -r .critical.type <<<"$payload")" "payload type"
assert_eq "$g" "$(jq -r '.critical.identity["docker-reference"]' <<<"$payload")" "payload names the repository"

# --- a tag named on the command line that is signed only in targets/qa ---
run_capture dct migrate --key "$key" "$g:v3"
assert_eq 1 "$RC" "a named untrusted tag fails"
assert_contains "$OUT" "skipped" "the table lists it as skipped"
assert_contains "$OUT$ERR" "targets/qa" "the reason names the delegation"
verify "$d3" "$E2E_TMP/cosign.pub"
assert_eq 1 "$RC" "still no signature for v3"

# --- re-running adds nothing; another key adds a layer next to the first ---
run_capture dct migrate --key "$key" --all-tags --format json "$g"
assert_eq 0 "$RC" "re-run exit: $ERR"
assert_eq "already signed" "$(jq -r '.[] | select(.tag=="v1") | .status' <<<"$OUT")" "v1 already signed"
verify "$d1" "$E2E_TMP/cosign.pub"
assert_eq 1 "$(jq .layers <<<"$OUT")" "re-run added no layer"
run_capture dct migrate --key "$key2" "$g:v1"
assert_eq 0 "$RC" "a second key signs v1: $ERR"
verify "$d1" "$E2E_TMP/second.pub"
assert_eq 0 "$RC" "the second key's signature verifies: $OUT"
assert_eq 2 "$(jq .layers <<<"$OUT")" "the second signature was added, not put in place of the first"
verify "$d1" "$E2E_TMP/cosign.pub"
assert_eq 0 "$RC" "the first signature still verifies: $OUT"

# --- a tampered signature does not verify, and dct does not take it for its own ---
m2=$(registry_get "manifests/${d2/:/-}.sig")
good=$(jq -r '.layers[0].annotations["dev.cosignproject.cosign/signature"]' <<<"$m2")
bad=$(base64 -d <<<"$good" | python3 -c 'import sys; b=bytearray(sys.stdin.buffer.read()); b[-1]^=1; sys.stdout.buffer.write(b)' | base64 -w0)
jq --arg s "$bad" '.layers[0].annotations["dev.cosignproject.cosign/signature"]=$s' <<<"$m2" >"$E2E_TMP/tampered.json"
registry_put_manifest "${d2/:/-}.sig" "$E2E_TMP/tampered.json"
verify "$d2" "$E2E_TMP/cosign.pub"
assert_eq 1 "$RC" "a tampered signature does not verify"
assert_contains "$OUT" "signature does not verify" "the verifier says why"
run_capture dct migrate --key "$key" "$g:v2"
assert_eq 0 "$RC" "migrate after tampering: $ERR"
assert_contains "$OUT" "signed" "a good signature is added next to the tampered one"
assert_not_contains "$OUT" "already signed" "the tampered signature is not taken as dct's"
verify "$d2" "$E2E_TMP/cosign.pub"
assert_eq "0 1 2" "$RC $(jq .verified <<<"$OUT") $(jq .layers <<<"$OUT")" "the new signature verifies"

# --- the tag moves: the old signature is for the old digest only ---
read -r d4 s4 <<<"$(push "$g" v1-next)"
notary_sign "$g" v1 "$d4" "$s4" targets/releases
verify "$d4" "$E2E_TMP/cosign.pub"
assert_eq 1 "$RC" "the digest v1 moved to has no signature"
# A signature copied to the new digest's tag is for the old digest, and fails.
registry_get "manifests/${d1/:/-}.sig" >"$E2E_TMP/replayed.json"
registry_put_manifest "${d4/:/-}.sig" "$E2E_TMP/replayed.json"
verify "$d4" "$E2E_TMP/cosign.pub"
assert_eq 1 "$RC" "a signature replayed onto the new digest does not verify"
assert_contains "$OUT" "another digest" "the verifier says the payload is for another digest"
run_capture dct migrate --key "$key" --format json "$g:v1"
assert_eq 0 "$RC" "migrating the moved tag: $ERR"
assert_eq "$d4 signed" "$(jq -r '.[0] | "\(.digest) \(.status)"' <<<"$OUT")" "dct signs the new digest"
verify "$d4" "$E2E_TMP/cosign.pub"
assert_eq 0 "$RC" "the new digest verifies after migrating again: $OUT"

# --- bad keys and passphrases ---
run_capture env DCT_MIGRATE_PASSPHRASE=wrong "$DCT_BIN" migrate --key "$key" "$g:v1" --trust-dir "$DCT_TRUST"
assert_eq 1 "$RC" "a wrong passphrase fails"
assert_contains "$ERR" "DCT_MIGRATE_PASSPHRASE" "the error names the variable"
openssl ecparam -name secp384r1 -genkey -noout -out "$E2E_TMP/p384.key"
run_capture dct migrate --key "$E2E_TMP/p384.key" "$g:v1"
assert_eq 125 "$RC" "a P-384 key is refused as a bad argument"
assert_contains "$ERR" "P-256" "the error says what key is needed"
run_capture dct migrate --key "$E2E_TMP/missing.key" "$g:v1"
assert_eq 1 "$RC" "a missing key file (an operation on files failed)"
assert_contains "$ERR" "missing.key" "the error names the file"
# An encrypted SEC1 key, its passphrase typed at the terminal (a wrong one first).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
  openssl ec -aes256 -passout pass:typed-pass -out "$E2E_TMP/sec1.key" 2>/dev/null
run_capture bash -c "(sleep 1; printf 'wrong\n'; sleep 1; printf 'typed-pass\n') |
  DCT_MIGRATE_PASSPHRASE= timeout 30 script -qec '$DCT_BIN migrate --key $E2E_TMP/sec1.key $g:v2 --trust-dir $DCT_TRUST' /dev/null"
assert_eq 0 "$RC" "a passphrase typed at the terminal opens the key: $OUT"
assert_contains "$OUT" "Wrong passphrase" "a wrong passphrase is asked again"
openssl ec -in "$E2E_TMP/sec1.key" -passin pass:typed-pass -pubout -out "$E2E_TMP/sec1.pub" 2>/dev/null
verify "$d2" "$E2E_TMP/sec1.pub"
assert_eq 0 "$RC" "the signature made with the SEC1 key verifies: $OUT"
run_capture env DCT_MIGRATE_PASSPHRASE= setsid "$DCT_BIN" migrate --key "$E2E_TMP/sec1.key" "$g:v2" --trust-dir "$DCT_TRUST"
assert_eq 1 "$RC" "no passphrase and no terminal fails"
assert_contains "$ERR" "DCT_MIGRATE_PASSPHRASE" "the error says how to give the passphrase"

run_capture dct migrate "$g:v1"
assert_eq 125 "$RC" "--key is required (a command-line mistake)"
assert_contains "$ERR" "--key is required" "the error says so"

# --- token auth: the signature is written with a push-scoped token, the verifier pulls ---
use_auth token
g=$(new_gun migrate-auth)
repo=$(repo_of "$g")
read -r d5 s5 <<<"$(push "$g" v1)"
notary_init "$g"
notary_sign "$g" v1 "$d5" "$s5"
run_capture dct migrate --key "$key" "$g:v1"
assert_eq 0 "$RC" "migrate with token auth: $ERR"
verify "$d5" "$E2E_TMP/cosign.pub"
assert_eq 0 "$RC" "the signature written with token auth verifies: $OUT"

finish
