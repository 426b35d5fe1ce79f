#!/usr/bin/env bash
# dct key load and key generate as Docker's `trust key load` / `trust key generate`: keys stored
# encrypted under their name (the "role" header, where Docker and notary keep it), NAME.pub a
# public key Docker's own `trust signer add` takes; files others can read, public keys and bad
# names refused with nothing stored.
source "$(dirname "$0")/lib.sh"

K=$E2E_TMP/keys
D=$E2E_TMP/pubs
mkdir -p "$K" "$D"
k() { "$DCT_BIN" "$@" --trust-dir "$K"; }
role_of() { k key list --format json | jq -r --arg id "$1" '.[] | select(.id==$id) | .role'; }
n_keys() { k key list --format json | jq length; }

# 1. key generate NAME --dir DIR writes DIR/NAME.pub, as Docker does.
run_capture k key generate alice --dir "$D"
assert_eq 0 "$RC" "generate: $ERR"
assert_contains "$OUT" "Corresponding public key available: $D/alice.pub" "Docker's line"
alice_id=$(grep -oE '[0-9a-f]{64}' <<<"$OUT" | head -1)
assert_eq "-----BEGIN PUBLIC KEY-----" "$(head -1 "$D/alice.pub")" "a PEM public key"
assert_eq "role: alice" "$(sed -n 2p "$D/alice.pub")" "named as Docker names it"
assert_eq "alice" "$(role_of "$alice_id")" "the private key is stored under the name"
assert_contains "$(notary -d "$K" key list)" "alice" "notary lists it by name"
[[ -f $D/alice.crt ]] && pass || fail "the certificate for delegation add is there too"
run_capture k key generate alice --dir "$D"
assert_eq 125 "$RC" "an existing NAME.pub is not overwritten"
run_capture k key generate carl --dir "$E2E_TMP/missing"
assert_eq 1 "$RC" "a missing --dir (an operation on files failed)"
assert_contains "$ERR" "public key path does not exist" "Docker's words"

# Docker's own signer add takes the .pub and lists the key under the ID dct gave it.
g=$(new_gun keyload)
DC=$E2E_TMP/docker-config
mkdir -p "$DC"
cp -r "$DOCKER_CONFIG/tls" "$DC/"
run_capture env DOCKER_CONFIG="$DC" docker trust signer add --key "$D/alice.pub" alice "$g"
assert_eq 0 "$RC" "docker trust signer add takes dct's NAME.pub: $ERR"
assert_contains "$(notary_cli delegation list "$g")" "$alice_id" "notary lists the key dct made"

# 2. key load FILE --name NAME.
openssl ecparam -name prime256v1 -genkey -noout -out "$E2E_TMP/bob.key" 2>/dev/null
chmod 600 "$E2E_TMP/bob.key"
run_capture k key load "$E2E_TMP/bob.key" --name bob
assert_eq 0 "$RC" "key load: $ERR"
assert_contains "$OUT" "Loading key from \"$E2E_TMP/bob.key\"..." "Docker's first line"
assert_contains "$OUT" "Successfully imported key from $E2E_TMP/bob.key" "Docker's last line"
bob_id=$(grep -oE '[0-9a-f]{64}' <<<"$OUT" | head -1)
assert_eq "bob" "$(role_of "$bob_id")" "stored under the name"
assert_contains "$(head -1 "$K/private/$bob_id.key")" "ENCRYPTED PRIVATE KEY" "stored encrypted"
assert_eq 600 "$(stat -c %a "$K/private/$bob_id.key")" "0600"
# Docker's key load of the same file: the same ID and the same name.
run_capture env DOCKER_CONFIG="$DC" docker trust key load "$E2E_TMP/bob.key" --name bob
assert_eq 0 "$RC" "docker trust key load: $ERR"
assert_contains "$(head -3 "$DC/trust/private/$bob_id.key")" "role: bob" "docker names it the same way"

# The default name is Docker's: signer.
openssl ecparam -name prime256v1 -genkey -noout -out "$E2E_TMP/s.key" 2>/dev/null
chmod 600 "$E2E_TMP/s.key"
run_capture k key load "$E2E_TMP/s.key"
assert_eq 0 "$RC" "key load without --name: $ERR"
assert_eq "signer" "$(role_of "$(grep -oE '[0-9a-f]{64}' <<<"$OUT" | head -1)")" "named signer"

# An encrypted PKCS#8 file asks for its passphrase (here from the environment).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 2>/dev/null |
  openssl pkcs8 -topk8 -v2 aes256 -passout "pass:$DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE" -out "$E2E_TMP/enc.p8"
chmod 600 "$E2E_TMP/enc.p8"
run_capture k key load "$E2E_TMP/enc.p8" --name enc
assert_eq 0 "$RC" "encrypted key loads: $ERR"

# 3. Refused, nothing stored.
before=$(n_keys)
openssl ecparam -name prime256v1 -genkey -noout -out "$E2E_TMP/open.key" 2>/dev/null
chmod 644 "$E2E_TMP/open.key"
run_capture k key load "$E2E_TMP/open.key" --name open
assert_eq 125 "$RC" "a key others can read"
assert_contains "$ERR" "must not be readable or writable by others" "Docker's words"
assert_contains "$ERR" "chmod 600" "says how to fix it"
chmod 600 "$D/alice.pub"
run_capture k key load "$D/alice.pub" --name pub
assert_eq 125 "$RC" "a public key"
assert_contains "$ERR" "is not a supported private key" "Docker's words"
assert_contains "$ERR" "signer add" "points to signer add"
run_capture k key load "$E2E_TMP/bob.key" --name Bob
assert_eq 125 "$RC" "a name with upper case"
assert_contains "$ERR" "must start with lowercase" "says what a name may hold"
run_capture k key load "$E2E_TMP/none.key"
assert_eq 1 "$RC" "a missing file (an operation on files failed)"
assert_contains "$ERR" "none.key" "names the file"
assert_eq "$before" "$(n_keys)" "nothing stored by refused loads"

# 4. Aliases: key ls is key list.
assert_eq "$(k key list --format json)" "$(k key ls --format json)" "key ls"
run_capture k key ls --help
assert_contains "$OUT" "docker dct key list, docker dct key ls" "help names the alias"
finish
