#!/usr/bin/env bash
# Keys over their lifetime: export (notary imports and signs with it), passwd, remove, root
# rotation (notary, docker and dct clients with old caches follow), init --rootkey/--rootcert.
# Every step is cross-checked with the Go notary client or docker trust on the same data.
source "$(dirname "$0")/lib.sh"

mode_of() { stat -c %a "$1"; }
nt() { local dir=$1; shift; notary -c "$NOTARY_CLIENT_CONFIG" -d "$dir" "$@"; }
# No passphrase may ever show in what a command prints.
no_secrets() {  # TEXT WHAT
  for p in "$DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE" "$DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE" \
    new-passphrase-e2e; do
    assert_not_contains "$1" "$p" "$2 prints no passphrase"
  done
}
key_id_of() {  # ROLE [GUN]: the ID dct lists for it in $DCT_TRUST
  dct key list --format json | jq -r --arg r "$1" --arg g "${2:-}" \
    '.[] | select(.role==$r and ($g=="" or .gun==$g)) | .id' | head -1
}
pem_blocks() { grep -c -- '-----BEGIN ' "$1"; }

g=$(new_gun keys)
read -r d1 _ <<<"$(push "$g" v1)"
run_capture dct sign "$g:v1"
assert_eq 0 "$RC" "dct signs v1: $ERR"
root_id=$(key_id_of root)
targets_id=$(key_id_of targets "$g")
snapshot_id=$(key_id_of snapshot "$g")
[[ ${#root_id} == 64 && ${#targets_id} == 64 && ${#snapshot_id} == 64 ]] && pass ||
  fail "dct made root, targets and snapshot keys: [$root_id] [$targets_id] [$snapshot_id]"

# Old caches, taken before anything changes: notary, docker 28, and a dct client.
NOLD=$E2E_TMP/notary-old
NOLD2=$E2E_TMP/notary-old2
DOLD=$E2E_TMP/dct-old
DCFG=$E2E_TMP/docker-old
mkdir -p "$DCFG"
cp "$DOCKER_CONFIG/config.json" "$DCFG/"
cp -r "$DOCKER_CONFIG/tls" "$DCFG/"
run_capture nt "$NOLD" list "$g"
assert_contains "$OUT" "v1" "notary (old cache) lists v1 before rotation: $ERR"
cp -r "$NOLD" "$NOLD2"
run_capture "$DCT_BIN" resolve "$g:v1" --trust-dir "$DOLD"
assert_eq "$g@$d1" "$OUT" "dct (old cache) resolves v1 before rotation: $ERR"
run_capture env DOCKER_CONFIG="$DCFG" docker trust inspect "$g"
assert_eq 0 "$RC" "docker (old cache) inspects before rotation: $ERR"

echo "== key export"
run_capture dct key export root -o "$E2E_TMP/root.pem"
assert_eq 0 "$RC" "export root by name: $ERR"
assert_contains "$ERR" "root key $root_id" "a warning names the root key"
assert_eq 600 "$(mode_of "$E2E_TMP/root.pem")" "export file 0600"
assert_eq "-----BEGIN ENCRYPTED PRIVATE KEY-----" "$(head -1 "$E2E_TMP/root.pem")" "exported encrypted"
assert_eq "path: $root_id" "$(sed -n 2p "$E2E_TMP/root.pem")" "notary's path header"
assert_eq "role: root" "$(sed -n 3p "$E2E_TMP/root.pem")" "notary's role header"
no_secrets "$OUT$ERR" "export"
run_capture dct key export root -o "$E2E_TMP/root.pem"
[[ $RC -ne 0 ]] && pass || fail "an existing export file is not overwritten"
assert_contains "$ERR" "already exists" "says the file exists"

run_capture dct key export "${targets_id:0:10}" "$g/snapshot" -o "$E2E_TMP/repo.pem"
assert_eq 0 "$RC" "export by ID prefix and GUN/role: $ERR"
assert_eq 2 "$(pem_blocks "$E2E_TMP/repo.pem")" "two keys exported"
assert_contains "$(cat "$E2E_TMP/repo.pem")" "gun: $g" "gun header kept"
assert_not_contains "$ERR" "root key" "no root warning without a root key"

run_capture dct key export --all -o "$E2E_TMP/all.pem"
assert_eq 0 "$RC" "export --all: $ERR"
assert_eq "$(dct key list --format json | jq length)" "$(pem_blocks "$E2E_TMP/all.pem")" \
  "--all exports every key"
run_capture dct key export -o "$E2E_TMP/none.pem"
[[ $RC -ne 0 && ! -e $E2E_TMP/none.pem ]] && pass || fail "export without keys or --all refused"
run_capture dct key export nobody -o "$E2E_TMP/none.pem"
[[ $RC -ne 0 && ! -e $E2E_TMP/none.pem ]] && pass || fail "unknown key refused"
assert_contains "$ERR" "\"nobody\"" "names the unknown key"

# A second repository makes "targets" ambiguous: the error names both keys.
g2=$(new_gun keys2)
push "$g2" v1 >/dev/null
dct sign "$g2:v1" >/dev/null 2>&1
run_capture dct key export targets -o "$E2E_TMP/amb.pem"
[[ $RC -ne 0 && ! -e $E2E_TMP/amb.pem ]] && pass || fail "ambiguous name refused"
assert_contains "$ERR" "$targets_id ($g)" "ambiguity names the first candidate"
assert_contains "$ERR" "$(key_id_of targets "$g2") ($g2)" "ambiguity names the second candidate"

# A key an old tool stored unencrypted leaves encrypted.
openssl ecparam -name prime256v1 -genkey -noout -out "$E2E_TMP/plain.key" 2>/dev/null
plain_id=$("$DCT_BIN" key import "$E2E_TMP/plain.key" --role user --trust-dir "$E2E_TMP/plain-a" | grep -oE '[0-9a-f]{64}')
mkdir -p "$E2E_TMP/plain-b/private"
chmod 700 "$E2E_TMP/plain-b/private"
cp "$E2E_TMP/plain.key" "$E2E_TMP/plain-b/private/$plain_id.key"
run_capture "$DCT_BIN" key export "$plain_id" -o "$E2E_TMP/plain-export.pem" --trust-dir "$E2E_TMP/plain-b"
assert_eq 0 "$RC" "export of a key stored unencrypted: $ERR"
assert_eq "-----BEGIN ENCRYPTED PRIVATE KEY-----" "$(head -1 "$E2E_TMP/plain-export.pem")" "exported encrypted all the same"
assert_not_contains "$(cat "$E2E_TMP/plain-export.pem")" "BEGIN EC PRIVATE KEY" "no clear key in the export"
run_capture nt "$E2E_TMP/plain-c" key import "$E2E_TMP/plain-export.pem"
assert_contains "$(nt "$E2E_TMP/plain-c" key list)" "$plain_id" "notary imports it: $ERR"

echo "== notary imports the export and signs with it"
NT=$E2E_TMP/notary-import
run_capture nt "$NT" key import "$E2E_TMP/repo.pem"
assert_eq 0 "$RC" "notary key import: $OUT $ERR"
listed=$(nt "$NT" key list)
assert_contains "$listed" "$targets_id" "notary lists the imported targets key"
assert_contains "$listed" "$snapshot_id" "notary lists the imported snapshot key"
assert_eq 600 "$(mode_of "$NT/private/$targets_id.key")" "notary stored it 0600"
read -r d2 s2 <<<"$(push "$g" v2)"
run_capture nt "$NT" addhash "$g" v2 "$s2" --sha256 "${d2#sha256:}" -p
assert_eq 0 "$RC" "notary signs with keys dct exported: $OUT $ERR"
assert_eq "$g@$d2" "$("$DCT_BIN" resolve "$g:v2" --trust-dir "$E2E_TMP/fresh1")" \
  "what notary signed with the exported key resolves"
# And dct imports its own export.
run_capture "$DCT_BIN" key import "$E2E_TMP/root.pem" --trust-dir "$E2E_TMP/dct-import"
assert_eq 0 "$RC" "dct key import of the export: $ERR"
assert_contains "$OUT" "$root_id" "dct imports the same root key"
run_capture "$DCT_BIN" key import "$E2E_TMP/all.pem" --trust-dir "$E2E_TMP/dct-import-all"
assert_eq 0 "$RC" "dct key import of an --all export: $ERR"
assert_eq "$(sed -n 's/^path: //p' "$E2E_TMP/all.pem" | sort)" \
  "$("$DCT_BIN" key list --format json --trust-dir "$E2E_TMP/dct-import-all" | jq -r '.[].id' | sort)" \
  "every key of an --all export is imported"

echo "== key passwd"
tfile=$DCT_TRUST/private/$targets_id.key
before=$(sha256sum <"$tfile")
run_capture env DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=wrong-one NOTARY_TARGETS_PASSPHRASE=wrong-one \
  DCT_NEW_PASSPHRASE=new-passphrase-e2e "$DCT_BIN" key passwd "$targets_id" --trust-dir "$DCT_TRUST"
[[ $RC -ne 0 ]] && pass || fail "passwd with a wrong current passphrase fails"
assert_eq "$before" "$(sha256sum <"$tfile")" "a failed passwd leaves the file as it was"
run_capture env DCT_NEW_PASSPHRASE=new-passphrase-e2e "$DCT_BIN" key passwd "$g/targets" --trust-dir "$DCT_TRUST"
assert_eq 0 "$RC" "passwd: $ERR"
assert_contains "$OUT" "$targets_id" "passwd names the key"
no_secrets "$OUT$ERR" "passwd"
assert_eq 600 "$(mode_of "$tfile")" "re-encrypted file 0600"
[[ $before != "$(sha256sum <"$tfile")" ]] && pass || fail "the file changed"
assert_contains "$(nt "$DCT_TRUST" key list)" "$targets_id" "notary still lists the key after passwd"
read -r d3 s3 <<<"$(push "$g" v3)"
run_capture nt "$DCT_TRUST" addhash "$g" v3 "$s3" --sha256 "${d3#sha256:}" -p
[[ $RC -ne 0 ]] && pass || fail "notary cannot sign with the old passphrase"
run_capture env NOTARY_TARGETS_PASSPHRASE=new-passphrase-e2e \
  notary -c "$NOTARY_CLIENT_CONFIG" -d "$DCT_TRUST" addhash "$g" v3 "$s3" --sha256 "${d3#sha256:}" -p
assert_eq 0 "$RC" "notary signs with the new passphrase: $OUT $ERR"
# Back to the stack's passphrase, the current one given in the variable.
run_capture env DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=new-passphrase-e2e \
  DCT_NEW_PASSPHRASE="$DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE" \
  "$DCT_BIN" key passwd "$targets_id" --trust-dir "$DCT_TRUST"
assert_eq 0 "$RC" "passwd back: $ERR"
no_secrets "$OUT$ERR" "passwd back"

echo "== at a terminal"
pty() { python3 "$E2E_ROOT/tests/e2e/pty_answer.py" "$@"; }
g2t=$(key_id_of targets "$g2")
run_capture pty "Enter passphrase for new" typed-pass-one "Repeat passphrase for new" typed-pass-two \
  "Enter passphrase for new" typed-pass-one "Repeat passphrase for new" typed-pass-one \
  -- "$DCT_BIN" key passwd "$g2/targets" --trust-dir "$DCT_TRUST"
assert_eq 0 "$RC" "passwd at a terminal: $OUT"
assert_contains "$OUT" "do not match" "a mistyped repeat is asked again"
assert_not_contains "$OUT" "typed-pass" "typed passphrases are not echoed"
run_capture env DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=typed-pass-one \
  DCT_NEW_PASSPHRASE="$DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE" \
  "$DCT_BIN" key passwd "$g2t" --trust-dir "$DCT_TRUST"
assert_eq 0 "$RC" "the passphrase typed twice opens the key: $ERR"
run_capture pty "[y/N]" n -- "$DCT_BIN" key remove "$g2/snapshot" --trust-dir "$DCT_TRUST"
[[ $RC -ne 0 ]] && pass || fail "answering n keeps the key"
assert_contains "$OUT" "$g2  snapshot" "the question at the terminal names the role"
[[ -f $DCT_TRUST/private/$(key_id_of snapshot "$g2").key ]] && pass || fail "key kept after n"

echo "== key remove"
run_capture dct key generate carol --dir "$E2E_TMP"
assert_eq 0 "$RC" "key generate carol: $ERR"
carol_id=$(key_id_of carol)
run_capture dct delegation add -p "$g" targets/carol "$E2E_TMP/carol.crt" --all-paths
assert_eq 0 "$RC" "carol into targets/carol: $ERR"
run_capture dct key remove carol </dev/null
[[ $RC -ne 0 ]] && pass || fail "remove without a terminal or --yes refused"
assert_contains "$ERR" "$g  targets/carol" "the question names the repository and role"
[[ -f $DCT_TRUST/private/$carol_id.key ]] && pass || fail "key kept when not confirmed"
run_capture dct key remove root </dev/null
assert_contains "$ERR" "$g  root" "root's question names its repositories"
assert_contains "$ERR" "$g2  root" "root's question names every repository"
run_capture dct key rm --yes "${carol_id:0:8}"
assert_eq 0 "$RC" "key rm --yes: $ERR"
[[ ! -e $DCT_TRUST/private/$carol_id.key ]] && pass || fail "key file removed"
assert_not_contains "$(nt "$DCT_TRUST" key list)" "$carol_id" "notary no longer lists the removed key"
assert_contains "$(nt "$DCT_TRUST" key list)" "$root_id" "other keys stay"

echo "== key rotate root"
run_capture dct key rotate "$g" root </dev/null
[[ $RC -ne 0 ]] && pass || fail "root rotation without --yes and no terminal refused"
assert_eq "$root_id" "$(key_id_of root)" "nothing rotated without confirmation"
run_capture dct key rotate "$g" root --yes
assert_eq 0 "$RC" "root rotation: $ERR"
assert_contains "$OUT" "Successfully rotated root key for repository $g" "rotation reported"
no_secrets "$OUT$ERR" "rotate"
new_root=$(grep -oE 'New root key: [0-9a-f]{64}' <<<"$OUT" | grep -oE '[0-9a-f]{64}')
[[ ${#new_root} == 64 && $new_root != "$root_id" ]] && pass || fail "a new root key: [$new_root]"
assert_eq 600 "$(mode_of "$DCT_TRUST/private/$new_root.key")" "new root key 0600"
read -r d4 _ <<<"$(push "$g" v4)"
run_capture dct sign "$g:v4"
assert_eq 0 "$RC" "dct signs after the root rotation: $ERR"

run_capture nt "$NOLD" lookup "$g" v4
assert_eq 0 "$RC" "notary with an old cache follows the rotation: $OUT $ERR"
assert_contains "$OUT" "${d4#sha256:}" "notary (old cache) looks up v4"
cached_root_keys=$(jq -r '.signed.roles.root.keyids[]' "$NOLD/tuf/$g/metadata/root.json")
run_capture "$DCT_BIN" resolve "$g:v4" --trust-dir "$DOLD"
assert_eq "$g@$d4" "$OUT" "dct with an old cache follows the rotation: $ERR"
run_capture env DOCKER_CONFIG="$DCFG" docker trust inspect "$g"
assert_eq 0 "$RC" "docker (old cache) follows the rotation: $ERR"
assert_contains "$OUT" "${d4#sha256:}" "docker (old cache) sees v4"
[[ -n $cached_root_keys && $cached_root_keys != "$(jq -r '.signed.roles.root.keyids[]' "$NOLD2/tuf/$g/metadata/root.json")" ]] &&
  pass || fail "notary's cache now holds the new root"

# To a key already held (-k), and a cache two rotations behind still follows.
nt "$DCT_TRUST" key generate ecdsa --role root >"$E2E_TMP/gen.out" 2>&1
third=$(grep -oE '[0-9a-f]{64}' "$E2E_TMP/gen.out" | head -1)
run_capture dct key rotate "$g" root -k "${third:0:12}" --yes
assert_eq 0 "$RC" "rotation to an existing key: $ERR"
assert_contains "$OUT" "New root key: $third" "rotated to the key named"
run_capture dct key rotate "$g" root -k "${third:0:12}" --yes
[[ $RC -ne 0 ]] && pass || fail "rotation to the current root key refused"
run_capture nt "$NOLD2" list "$g"
assert_eq 0 "$RC" "notary two rotations behind follows: $ERR"
assert_contains "$OUT" "v4" "notary (two behind) lists v4"
run_capture nt "$E2E_TMP/notary-fresh" list "$g"
assert_contains "$OUT" "v4" "a fresh notary client trusts the rotated root: $ERR"
# targets rotation still works on the rotated root.
run_capture dct key rotate "$g" targets
assert_eq 0 "$RC" "targets rotation after root rotations: $ERR"
run_capture dct key rotate "$g" targets -k "$third"
[[ $RC -ne 0 ]] && pass || fail "a root key is refused as the targets key"
assert_contains "$ERR" "is a root key" "says the key is a root key"
dct key generate dave --dir "$E2E_TMP" >/dev/null
run_capture dct key rotate "$g" targets -k dave
assert_eq 0 "$RC" "targets rotated to a key held here (-k NAME): $ERR"
assert_eq "$(key_id_of dave)" "$(dct inspect "$g" | jq -r '.[0].AdministrativeKeys[] | select(.Name=="Repository") | .Keys[0].ID')" \
  "the repository key is now dave's"
run_capture nt "$NOLD" list "$g"
assert_contains "$OUT" "v4" "notary (old cache) after the targets rotation"
assert_eq "$g@$d4" "$("$DCT_BIN" resolve "$g:v4" --trust-dir "$DOLD")" "dct (old cache) after the targets rotation"

# At a terminal, the question is asked there and "y" rotates.
run_capture nt "$E2E_TMP/notary-g2-old" list "$g2"
run_capture pty "[y/N]" y -- "$DCT_BIN" key rotate "$g2" root --trust-dir "$DCT_TRUST"
assert_eq 0 "$RC" "root rotation confirmed at a terminal: $OUT"
assert_contains "$OUT" "Rotate the root key of $g2?" "the question names the repository"
run_capture nt "$E2E_TMP/notary-g2-old" list "$g2"
assert_eq 0 "$RC" "notary (old cache) follows the confirmed rotation: $ERR"
assert_contains "$OUT" "v1" "notary (old cache) still lists v1 of $g2"

echo "== init --rootkey / --rootcert"
g3=$(new_gun rootkey)
ORG=$E2E_TMP/org
run_capture "$DCT_BIN" init "$g3" --rootkey "$E2E_TMP/root.pem" --trust-dir "$ORG"
assert_eq 0 "$RC" "init --rootkey with a dct export: $ERR"
assert_eq "$root_id" "$("$DCT_BIN" key list --format json --trust-dir "$ORG" | jq -r '.[] | select(.role=="root") | .id')" \
  "the given root key is the only root key"
run_capture nt "$E2E_TMP/notary-g3" list "$g3"
assert_eq 0 "$RC" "notary trusts the repository made with --rootkey: $ERR"
cert=$(jq -r '.signed.roles.root.keyids[0] as $k | .signed.keys[$k].keyval.public' "$E2E_TMP/notary-g3/tuf/$g3/metadata/root.json" | base64 -d)
assert_contains "$(openssl x509 -noout -subject <<<"$cert")" "CN = $g3" "a root certificate made for $g3"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$E2E_TMP/org.key" 2>/dev/null
openssl pkcs8 -topk8 -v2 aes256 -in "$E2E_TMP/org.key" -passout "pass:$DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE" \
  -out "$E2E_TMP/org.p8"
g4=$(new_gun rootcert)
openssl req -new -key "$E2E_TMP/org.key" -subj "/CN=${g4//\//\\/}" -out "$E2E_TMP/org.csr" 2>/dev/null
openssl x509 -req -sha256 -days 30 -in "$E2E_TMP/org.csr" -signkey "$E2E_TMP/org.key" -out "$E2E_TMP/org.crt" 2>/dev/null
run_capture "$DCT_BIN" init "$g4" --rootkey "$E2E_TMP/org.key" --trust-dir "$E2E_TMP/org2"
[[ $RC -ne 0 ]] && pass || fail "an unencrypted root key is refused"
assert_contains "$ERR" "only encrypted root keys" "says why"
g5=$(new_gun rootcert-wrong)
run_capture "$DCT_BIN" init "$g5" --rootkey "$E2E_TMP/org.p8" --rootcert "$E2E_TMP/org.crt" --trust-dir "$E2E_TMP/org2"
[[ $RC -ne 0 ]] && pass || fail "a certificate for another repository is refused"
assert_contains "$ERR" "$g4" "names the certificate's CN"
run_capture "$DCT_BIN" init "$g4" --rootkey "$E2E_TMP/org.p8" --rootcert "$E2E_TMP/org.crt" --trust-dir "$E2E_TMP/org2"
assert_eq 0 "$RC" "init --rootkey --rootcert: $ERR"
run_capture nt "$E2E_TMP/notary-g4" list "$g4"
assert_eq 0 "$RC" "notary trusts the repository with the organisation's certificate: $ERR"
published=$(jq -r '.signed.roles.root.keyids[0] as $k | .signed.keys[$k].keyval.public' "$E2E_TMP/notary-g4/tuf/$g4/metadata/root.json" | base64 -d)
assert_eq "$(openssl x509 -noout -fingerprint -sha256 <"$E2E_TMP/org.crt")" \
  "$(openssl x509 -noout -fingerprint -sha256 <<<"$published")" "the root lists the given certificate"
finish
