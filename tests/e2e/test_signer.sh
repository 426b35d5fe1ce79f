#!/usr/bin/env bash
# dct signer add / remove as `docker trust signer add / remove`: one step that initializes the
# repository when needed, puts the key into targets/NAME and targets/releases and publishes;
# removal takes it out of both and asks before targets/releases loses its last key. notary and
# docker must see the same roles and keys afterwards.
source "$(dirname "$0")/lib.sh"

g=$(new_gun signer)
g2=$(new_gun signer-two)
OWNER=$E2E_TMP/owner
ALICE=$E2E_TMP/alice
mkdir -p "$OWNER" "$ALICE"
owner() { "$DCT_BIN" "$@" --trust-dir "$OWNER"; }
alice() { "$DCT_BIN" "$@" --trust-dir "$ALICE"; }
resolve() { "$DCT_BIN" resolve "$1" --trust-dir "$(mktemp -d -p "$E2E_TMP")"; }
# ROLE -> the key IDs notary lists for it, sorted, one a line
notary_keys() {
  notary_cli delegation list "$1" | awk -v r="$2" '$1 == r {on=1} $1 ~ /^targets/ && $1 != r {on=0} on' |
    grep -oE '[0-9a-f]{64}' | sort
}
notary_roles() { notary_cli delegation list "$1" | grep -oE '^targets/[a-z0-9_/-]+' | sort | tr '\n' ' '; }
docker_signers() { docker trust inspect "$1" | jq -r '[.[0].Signers[].Name] | sort | join(" ")'; }
staged() { owner status "$1"; }

# alice: a bare PEM public key (as `docker trust key generate` writes); bob: an openssl certificate.
openssl ecparam -name prime256v1 -genkey -noout -out "$E2E_TMP/alice.key" 2>/dev/null
openssl ec -in "$E2E_TMP/alice.key" -pubout -out "$E2E_TMP/alice.pub" 2>/dev/null
make_delegation_cert bob
read -r d1 _ <<<"$(push "$g" v1)"

# 1. A repository with no trust data is initialized, then both roles hold alice's key.
run_capture owner signer add --key "$E2E_TMP/alice.pub" alice "$g"
assert_eq 0 "$RC" "signer add alice: $ERR"
assert_contains "$OUT" "Adding signer \"alice\" to $g..." "announces the repository"
assert_contains "$OUT" "Initializing signed repository for $g..." "initializes"
assert_contains "$OUT" "Successfully added signer: alice to $g" "reports success"
assert_eq "targets/alice targets/releases " "$(notary_roles "$g")" "notary sees both roles"
alice_id=$(notary_keys "$g" targets/alice)
[[ $alice_id =~ ^[0-9a-f]{64}$ ]] && pass || fail "one key in targets/alice: [$alice_id]"
assert_eq "$alice_id" "$(notary_keys "$g" targets/releases)" "the same key in targets/releases"
assert_eq '""' "$(owner delegation list "$g" --format json | jq -c '[.[].paths[]] | unique | .[]')" \
  "both roles sign every tag"
assert_eq "alice" "$(docker_signers "$g")" "docker trust inspect lists the signer"
assert_eq "No unpublished changes for $g" "$(staged "$g")" "nothing left staged"
n_root=$(owner key list --format json | jq '[.[] | select(.role=="root")] | length')
assert_eq 1 "$n_root" "a root key was made"
assert_eq 1 "$(owner key list --format json | jq --arg g "$g" '[.[] | select(.role=="targets" and .gun==$g)] | length')" \
  "a targets key for the repository"
assert_eq 0 "$(owner key list --format json | jq --arg g "$g" '[.[] | select(.role=="snapshot" and .gun==$g)] | length')" \
  "the snapshot key is the server's, as Docker does"

# 2. bob (a certificate) into two repositories at once: the second is new too.
run_capture owner signer add bob "$g" "$g2" --key "$E2E_TMP/bob.crt"
assert_eq 0 "$RC" "signer add bob to two repositories: $ERR"
assert_contains "$OUT" "Successfully added signer: bob to $g2" "second repository done"
assert_eq "targets/alice targets/bob targets/releases " "$(notary_roles "$g")" "bob's role in the first"
assert_eq "targets/bob targets/releases " "$(notary_roles "$g2")" "bob's role in the second"
bob_id=$(notary_keys "$g" targets/bob)
assert_eq "$(printf '%s\n' "$alice_id" "$bob_id" | sort)" "$(notary_keys "$g" targets/releases)" \
  "targets/releases holds both keys"
assert_eq "alice bob" "$(docker_signers "$g")" "docker lists both signers"
assert_eq 1 "$(owner key list --format json | jq '[.[] | select(.role=="root")] | length')" \
  "the second repository reuses the root key"

# 3. alice signs v1 with her own trust dir: it lands in targets/releases.
chmod 600 "$E2E_TMP/alice.key"
run_capture alice key load "$E2E_TMP/alice.key" --name alice
assert_eq 0 "$RC" "alice loads her key: $ERR"
run_capture alice sign "$g:v1"
assert_eq 0 "$RC" "alice signs v1: $ERR"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "v1 resolves"
assert_contains "$(notary_cli list "$g" --roles targets/releases)" "v1" "notary sees v1 in releases"
assert_eq "alice" "$(docker trust inspect "$g" | jq -r '.[0].SignedTags[] | select(.SignedTag=="v1") | .Signers | map(select(. != "Repo Admin")) | join(" ")')" \
  "docker shows alice's signature"

# 4. Removing bob (signer rm: docker's alias) leaves alice: no question asked.
assert_eq "$(owner delegation list "$g")" "$(owner delegation ls "$g")" "delegation ls"
run_capture owner signer rm bob "$g" </dev/null
assert_eq 0 "$RC" "remove bob: $ERR"
assert_contains "$OUT" "Removing signer \"bob\" from $g..." "announces removal"
assert_contains "$OUT" "Successfully removed bob from $g" "reports removal"
assert_eq "targets/alice targets/releases " "$(notary_roles "$g")" "targets/bob gone"
assert_eq "$alice_id" "$(notary_keys "$g" targets/releases)" "only alice's key in releases"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "v1 still resolves"

# 5. alice holds the last key of targets/releases: without a terminal and -f, nothing changes.
before=$(notary_cli delegation list "$g")
run_capture owner signer remove alice "$g" </dev/null
assert_eq 125 "$RC" "no confirmation without a terminal"
assert_contains "$ERR" "v1  no longer trusted" "says which tag loses trust"
assert_contains "$ERR" "run it with -f (--force)" "says how to confirm"
assert_eq "$before" "$(notary_cli delegation list "$g")" "nothing published"
assert_eq "No unpublished changes for $g" "$(staged "$g")" "nothing staged"
# Answered no on a terminal: nothing changes either.
run_capture script -qec "$DCT_BIN signer remove alice $g --trust-dir $OWNER" /dev/null <<<"n"
assert_eq 1 "$RC" "declined"
assert_contains "$OUT" "Nothing was changed" "says nothing changed"
assert_eq "$before" "$(notary_cli delegation list "$g")" "still nothing published"
run_capture owner signer remove -f alice "$g"
assert_eq 0 "$RC" "remove alice -f: $ERR"
assert_contains "$(notary_cli delegation list "$g")" "No delegations present" "both roles gone"
run_capture resolve "$g:v1"
assert_eq 1 "$RC" "v1 no longer trusted"
assert_eq "" "$(docker trust inspect "$g" | jq -r '.[0].SignedTags[].SignedTag')" "docker shows no signed tag"
assert_eq "" "$(docker_signers "$g")" "docker shows no signer"

# 6. Mistakes: refused before anything is touched.
# Keys and staged changes (the metadata cache may be refreshed).
keys_and_changes() { (cd "$OWNER" && find . -type f -not -path '*/metadata/*' -not -path '*/dct-index/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum); }
sum=$(keys_and_changes)
run_capture owner signer add --key "$E2E_TMP/alice.pub" releases "$g"
assert_eq 125 "$RC" "releases is reserved"
assert_contains "$ERR" "releases is a reserved keyword" "docker's words"
run_capture owner signer add --key "$E2E_TMP/alice.pub" Alice "$g"
assert_eq 125 "$RC" "upper case name refused"
assert_contains "$ERR" "must start with lowercase" "says what a name may hold"
run_capture owner signer add alice "$g"
assert_eq 125 "$RC" "no --key"
assert_contains "$ERR" "--key" "names the flag"
run_capture owner signer add --key "$E2E_TMP/missing.pub" alice "$g"
assert_eq 1 "$RC" "missing key file (an operation on files failed)"
assert_contains "$ERR" "missing.pub" "names the file"
run_capture owner signer add --key "$E2E_TMP/alice.key" alice "$g"
assert_eq 125 "$RC" "a private key is not a public key"
run_capture owner signer add --key "$E2E_TMP/alice.pub" alice
assert_eq 125 "$RC" "no repository (a command-line mistake)"
run_capture owner signer remove nobody "$g"
assert_eq 1 "$RC" "unknown signer"
assert_contains "$ERR" "no signer nobody for repository $g" "docker's words"
run_capture owner signer remove releases "$g"
assert_eq 125 "$RC" "releases cannot be removed"
assert_eq "$sum" "$(keys_and_changes)" "keys and staged changes as they were"

# 7. A repository whose targets key is elsewhere: the add fails and stages nothing; the other
#    repository given in the same command still gets its signer.
g3=$(new_gun signer-notary)
notary_init "$g3"
run_capture owner signer add --key "$E2E_TMP/alice.pub" alice "$g3" "$g2"
assert_eq 1 "$RC" "fails for the repository without its key"
assert_contains "$ERR" "failed to add signer to: $g3" "names the failed repository"
assert_contains "$ERR" "the targets key of $g3" "says which key is needed"
assert_contains "$OUT" "Successfully added signer: alice to $g2" "the other one is done"
assert_eq "No unpublished changes for $g3" "$(staged "$g3")" "nothing staged for the failed one"
assert_contains "$(notary_cli delegation list "$g3")" "No delegations present" "nothing published there"
assert_eq "targets/alice targets/bob targets/releases " "$(notary_roles "$g2")" "alice joined the second"

# 8. Docker's own signer add on dct's repository (docker given the owner's trust dir).
DC=$E2E_TMP/docker-config
mkdir -p "$DC"
cp -r "$DOCKER_CONFIG/tls" "$DC/"
ln -s "$OWNER" "$DC/trust"
openssl ecparam -name prime256v1 -genkey -noout 2>/dev/null | openssl ec -pubout -out "$E2E_TMP/carol.pub" 2>/dev/null
run_capture env DOCKER_CONFIG="$DC" docker trust signer add --key "$E2E_TMP/carol.pub" carol "$g2"
assert_eq 0 "$RC" "docker trust signer add on dct's repository: $ERR"
assert_eq "alice bob carol" "$(owner delegation list "$g2" --format json | jq -r '[.[].role | select(. != "targets/releases") | ltrimstr("targets/")] | join(" ")')" \
  "dct reads docker's signer"

# 9. A key two signers share stays in targets/releases when one of them goes.
releases_before=$(notary_keys "$g2" targets/releases)
run_capture owner signer add --key "$E2E_TMP/alice.pub" dave "$g2"
assert_eq 0 "$RC" "dave shares alice's key: $ERR"
run_capture owner signer rm dave "$g2" </dev/null
assert_eq 0 "$RC" "remove dave: $ERR"
assert_eq "targets/alice targets/bob targets/carol targets/releases " "$(notary_roles "$g2")" "targets/dave gone"
assert_eq "$releases_before" "$(notary_keys "$g2" targets/releases)" "alice's key still in targets/releases"
finish
