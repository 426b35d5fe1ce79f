#!/usr/bin/env bash
# `dct sign` (and init / revoke / push) against the real notary server, checked with the
# reference clients: what dct publishes must read back identically through `notary list`,
# `notary lookup` and `docker trust inspect`, and repositories and keys made by notary or by
# `docker trust` must be signable by dct (and stay usable by those clients afterwards).
source "$(dirname "$0")/lib.sh"

# The trust dir the notary CLI and the docker CLI share (from the notary client config).
NOTARY_TRUST=$(jq -r .trust_dir "$NOTARY_CLIENT_CONFIG")
# The notary CLI on another trust dir, same server.
notary_at() {
  local dir=$1
  shift
  notary -d "$dir" -s "$NOTARY_URL" --tlscacert "$STACK_CA" "$@"
}
# "HEX SIZE ROLE" of TAG as `notary list [--roles R]` prints it (empty when absent).
list_row() {  # GUN TAG [ROLE]
  local args=(list "$1")
  [[ -n ${3:-} ]] && args+=(--roles "$3")
  notary_cli "${args[@]}" 2>/dev/null | awk -v t="$2" '$1 == t {print $2, $3, $4}'
}
list_tags() { notary_cli list "$1" 2>/dev/null | awk 'length($2) == 64 && $2 ~ /^[0-9a-f]+$/ {print $1}' | sort | tr '\n' ' '; }
# Digest / signer names of TAG in `docker trust inspect` (empty when absent).
docker_digest() {
  docker trust inspect "$1" 2>/dev/null |
    jq -r --arg t "$2" '.[0].SignedTags[]? | select(.SignedTag == $t) | .Digest'
}
docker_signers() {
  docker trust inspect "$1" 2>/dev/null |
    jq -r --arg t "$2" '.[0].SignedTags[]? | select(.SignedTag == $t) | .Signers | join(",")'
}
# Roles of the private keys dct (or anyone) stored for GUN in DIR (from the PEM headers).
key_roles() {  # DIR GUN
  local f roles=()
  for f in "$1"/private/*.key; do
    [[ -e $f ]] || continue
    grep -qx "gun: $2" "$f" && roles+=("$(sed -n 's/^role: //p' "$f" | head -1)")
  done
  printf '%s\n' "${roles[@]}" | sort | tr '\n' ' '
}

# All three readers agree that GUN:TAG is DIGEST/SIZE; ROLE is notary list's ROLE column.
check_signed() {  # GUN TAG DIGEST SIZE ROLE WHAT
  local g=$1 t=$2 digest=$3 size=$4 role=$5 what=$6
  assert_eq "${digest#sha256:} $size $role" "$(list_row "$g" "$t")" "$what: notary list"
  assert_eq "$t $digest $size" "$(notary_cli lookup "$g" "$t" 2>&1)" "$what: notary lookup"
  assert_eq "${digest#sha256:}" "$(docker_digest "$g" "$t")" "$what: docker trust inspect digest"
}
# dct sign succeeded and said so.
check_sign_output() {  # GUN TAG DIGEST WHAT
  assert_eq 0 "$RC" "$4: dct sign exit (stderr: $ERR)"
  assert_contains "$OUT" "Successfully signed $1:$2" "$4: success line"
  assert_contains "$OUT$ERR" "${3#sha256:}" "$4: the signed digest is reported"
}

echo "== (a) a new repository, for each manifest type"
for type in docker oci oci-index; do
  g=$(new_gun "sign-$type")
  read -r digest size < <(push "$g" v1 "$type")
  run_capture dct sign "$g:v1"
  check_sign_output "$g" v1 "$digest" "$type"
  assert_contains "$OUT$ERR" "$size" "$type: the signed size is reported"
  check_signed "$g" v1 "$digest" "$size" targets "$type"
  run_capture dct resolve "$g:v1"
  assert_eq "$g@$digest" "$OUT" "$type: dct resolve reads back what dct signed ($ERR)"
  assert_eq "snapshot targets " "$(key_roles "$DCT_TRUST" "$g")" \
    "$type: new repository has local targets and snapshot keys"
  run_capture dct status "$g"
  assert_eq "No unpublished changes for $g" "$OUT" "$type: published at once, nothing left staged"
  if [[ $type == docker ]]; then g_docker=$g; fi
done

echo "== (a) a second tag, and a tag re-signed after the registry changed"
g=$g_docker
read -r d2 s2 < <(push "$g" v2)
run_capture dct sign "$g:v2"
check_sign_output "$g" v2 "$d2" "second tag"
check_signed "$g" v2 "$d2" "$s2" targets "second tag"
read -r d1new s1new < <(push "$g" v1 oci)
run_capture dct sign "$g:v1"
check_sign_output "$g" v1 "$d1new" "re-sign"
check_signed "$g" v1 "$d1new" "$s1new" targets "re-sign after the tag moved"
assert_eq "v1 v2 " "$(list_tags "$g")" "re-sign: no duplicate, both tags"

echo "== a tag the registry does not have"
run_capture dct sign "$g:no-such-tag"
assert_eq 1 "$((RC != 0))" "missing tag: non-zero exit"
assert_contains "$ERR" "no-such-tag" "missing tag: the message names the tag"
assert_eq "v1 v2 " "$(list_tags "$g")" "missing tag: nothing published"

echo "== init with --server-managed-snapshot, then sign"
g=$(new_gun sign-init-srv)
run_capture dct init "$g" --server-managed-snapshot
assert_eq 0 "$RC" "init --server-managed-snapshot exit ($ERR)"
assert_eq "targets " "$(key_roles "$DCT_TRUST" "$g")" "server-managed snapshot: no local snapshot key"
run_capture notary_cli list "$g"
assert_eq 0 "$RC" "notary sees the initialised repository ($ERR)"
read -r digest size < <(push "$g" v1)
run_capture dct sign "$g:v1"
check_sign_output "$g" v1 "$digest" "server-managed snapshot"
check_signed "$g" v1 "$digest" "$size" targets "server-managed snapshot"

echo "== (b) a repository made by notary init -p, dct on notary's trust dir"
g=$(new_gun sign-notary)
notary_init "$g"
read -r d0 s0 < <(push "$g" v0)
# Without the repository's keys dct cannot sign: a clear error, nothing published.
run_capture dct sign "$g:v0"
assert_eq 1 "$((RC != 0))" "no targets key: non-zero exit"
assert_contains "$ERR" "targets" "no targets key: the message names the role"
assert_contains "$ERR" "key" "no targets key: the message is about the key"
assert_eq "" "$(list_tags "$g")" "no targets key: nothing published"
read -r digest size < <(push "$g" v1)
run_capture "$DCT_BIN" sign "$g:v1" --trust-dir "$NOTARY_TRUST"
check_sign_output "$g" v1 "$digest" "notary repo"
check_signed "$g" v1 "$digest" "$size" targets "notary repo"
run_capture dct resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "notary repo: dct (own trust dir) resolves it ($ERR)"
assert_contains "$(notary_cli status "$g")" "No unpublished changes" \
  "notary repo: nothing left staged in notary's changelist"
read -r d2 s2 < <(push "$g" v2)
run_capture notary_cli addhash "$g" v2 "$s2" --sha256 "${d2#sha256:}" -p
assert_eq 0 "$RC" "notary addhash -p on top of dct's publish ($ERR)"
check_signed "$g" v1 "$digest" "$size" targets "notary repo, after notary's publish"
check_signed "$g" v2 "$d2" "$s2" targets "notary repo, notary's tag"

echo "== (c) a repository made by docker trust signer add"
g=$(new_gun sign-docker-signer)
signer=carol
mkdir -p "$E2E_TMP/keys"
docker trust key generate "$signer" --dir "$E2E_TMP/keys" >/dev/null
run_capture docker trust signer add --key "$E2E_TMP/keys/$signer.pub" "$signer" "$g"
assert_eq 0 "$RC" "docker trust signer add ($ERR)"
read -r digest size < <(push "$g" v1)
run_capture "$DCT_BIN" sign "$g:v1" --trust-dir "$DOCKER_CONFIG/trust"
check_sign_output "$g" v1 "$digest" "docker signer"
assert_contains "$OUT$ERR" "targets/releases" "docker signer: reports targets/releases"
assert_eq "${digest#sha256:} $size" "$(list_row "$g" v1 targets/releases | cut -d' ' -f1,2)" \
  "docker signer: in targets/releases"
assert_eq "${digest#sha256:} $size" "$(list_row "$g" v1 "targets/$signer" | cut -d' ' -f1,2)" \
  "docker signer: in targets/$signer"
assert_eq "${digest#sha256:}" "$(docker_digest "$g" v1)" "docker signer: docker trust inspect digest"
assert_contains "$(docker_signers "$g" v1)" "$signer" "docker signer: docker shows the signer"
run_capture docker trust sign "$g:v1"
assert_eq 0 "$RC" "docker trust sign of the dct-signed tag ($OUT $ERR)"
assert_eq "${digest#sha256:}" "$(docker_digest "$g" v1)" "docker signer: digest after docker trust sign"
assert_contains "$(docker_signers "$g" v1)" "$signer" "docker signer: signer after docker trust sign"

echo "== (d) targets/releases with its key: the tag lands there"
g=$(new_gun sign-releases)
notary_init "$g"
add_delegation "$g" targets/releases "rel-$RANDOM"
read -r digest size < <(push "$g" v1)
run_capture "$DCT_BIN" sign "$g:v1" --trust-dir "$NOTARY_TRUST"
check_sign_output "$g" v1 "$digest" "releases"
check_signed "$g" v1 "$digest" "$size" targets/releases "releases"
assert_eq "${digest#sha256:} $size targets/releases" "$(list_row "$g" v1 targets/releases)" \
  "releases: notary list --roles targets/releases"

echo "== (d) targets/releases without its key: refused, nothing published"
g=$(new_gun sign-releases-nokey)
notary_init "$g"
name=nokey-$RANDOM
make_delegation_cert "$name"
notary_cli delegation add "$g" targets/releases "$E2E_TMP/$name.crt" --all-paths -p >/dev/null
keyid=$(delegation_key_id "$g" targets/releases)
before=$(notary_cli list "$g" 2>&1)
read -r digest size < <(push "$g" v1)
run_capture "$DCT_BIN" sign "$g:v1" --trust-dir "$NOTARY_TRUST"
assert_eq 1 "$((RC != 0))" "releases without key: non-zero exit"
assert_contains "$ERR" "targets/releases" "releases without key: names the role"
assert_contains "$ERR" "${keyid:0:7}" "releases without key: names the key ID ($keyid)"
assert_eq "$before" "$(notary_cli list "$g" 2>&1)" "releases without key: notary list unchanged"
assert_eq "" "$(docker_digest "$g" v1)" "releases without key: docker sees no v1"
# (d) without targets/releases the tag lands in targets: see (a) and (b).

echo "== (e) keys dct made are usable by notary"
x=$E2E_TMP/dct-made
g=$(new_gun sign-keys)
read -r digest size < <(push "$g" v1)
run_capture "$DCT_BIN" sign "$g:v1" --trust-dir "$x"
check_sign_output "$g" v1 "$digest" "dct keys"
run_capture notary_at "$x" key list
assert_eq 0 "$RC" "notary key list on dct's trust dir ($ERR)"
for role in root targets snapshot; do
  assert_eq 1 "$(awk -v r="$role" '$1 == r' <<<"$OUT" | wc -l | tr -d ' ')" \
    "notary key list shows dct's $role key"
done
read -r d2 s2 < <(push "$g" t2)
run_capture notary_at "$x" addhash "$g" t2 "$s2" --sha256 "${d2#sha256:}" -p
assert_eq 0 "$RC" "notary addhash -p with dct's keys ($ERR)"
check_signed "$g" v1 "$digest" "$size" targets "dct keys: dct's tag"
check_signed "$g" t2 "$d2" "$s2" targets "dct keys: notary's tag"

echo "== (f) passphrases from either family of variables, never a prompt without a terminal"
only_docker=(env -u NOTARY_ROOT_PASSPHRASE -u NOTARY_TARGETS_PASSPHRASE
  -u NOTARY_SNAPSHOT_PASSPHRASE -u NOTARY_DELEGATION_PASSPHRASE)
only_notary=(env -u DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE
  -u DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE)
none=("${only_docker[@]}" -u DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE
  -u DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE)
for family in only_docker only_notary; do
  declare -n wrap=$family
  g=$(new_gun "sign-pass-${family//_/-}")
  read -r digest size < <(push "$g" v1)
  run_capture timeout 60 "${wrap[@]}" "$DCT_BIN" sign "$g:v1" --trust-dir "$E2E_TMP/pass-$family" </dev/null
  check_sign_output "$g" v1 "$digest" "$family passphrases"
  # A second tag needs the stored keys again (decrypted with the same family's passphrase).
  read -r d2 s2 < <(push "$g" v2)
  run_capture timeout 60 "${wrap[@]}" "$DCT_BIN" sign "$g:v2" --trust-dir "$E2E_TMP/pass-$family" </dev/null
  check_sign_output "$g" v2 "$d2" "$family passphrases, existing keys"
  check_signed "$g" v2 "$d2" "$s2" targets "$family passphrases"
  unset -n wrap
done
g=$(new_gun sign-pass-none)
read -r digest size < <(push "$g" v1)
run_capture timeout 60 "${none[@]}" "$DCT_BIN" sign "$g:v1" --trust-dir "$E2E_TMP/pass-none" </dev/null
assert_eq 1 "$((RC != 0 && RC != 124))" "no passphrase and no terminal: fails, does not hang (rc $RC)"
assert_contains "$ERR" "passphrase" "no passphrase: the message says so"
assert_eq "" "$(list_tags "$g")" "no passphrase: nothing published"

echo "== revoke"
g=$g_docker
run_capture dct revoke "$g:v2" --yes
assert_eq 0 "$RC" "revoke exit ($ERR)"
assert_eq "v1 " "$(list_tags "$g")" "revoke: notary no longer lists v2"
assert_eq "" "$(docker_digest "$g" v2)" "revoke: docker no longer shows v2"
run_capture dct resolve "$g:v2"
assert_eq 1 "$((RC != 0))" "revoke: dct resolve of v2 fails"

echo "== push without a daemon: nothing is signed"
g=$g_docker
run_capture dct push "$g:v3"
assert_eq 1 "$((RC != 0))" "push without daemon: non-zero exit"
assert_eq "v1 " "$(list_tags "$g")" "push without daemon: nothing signed"

finish
