#!/usr/bin/env bash
# Role lifecycle against the real stack: removing paths from a role, purging a departed
# signer's key, witnessing a role left below its threshold, and deleting trust data here and
# on the server. After each step dct, the notary client and docker trust inspect must agree.
source "$(dirname "$0")/lib.sh"

g=$(new_gun roles)
OWNER=$E2E_TMP/owner
JEFF=$E2E_TMP/jeff
ANN=$E2E_TMP/ann
mkdir -p "$OWNER" "$JEFF" "$ANN"
owner() { "$DCT_BIN" "$@" --trust-dir "$OWNER"; }
jeff() { "$DCT_BIN" "$@" --trust-dir "$JEFF"; }
ann() { "$DCT_BIN" "$@" --trust-dir "$ANN"; }
resolve() { "$DCT_BIN" resolve "$1" --trust-dir "$(mktemp -d -p "$E2E_TMP")"; }
docker_digest() {
  docker trust inspect "$g" | jq -r --arg t "$1" '.[0].SignedTags[] | select(.SignedTag==$t) | .Digest'
}
# The same through docker with a trust dir of its own (nothing cached).
fresh_docker_digest() {
  local cfg
  cfg=$(mktemp -d -p "$E2E_TMP")
  cp -r "$DOCKER_CONFIG/tls" "$cfg/"
  DOCKER_CONFIG=$cfg docker trust inspect "$g" |
    jq -r --arg t "$1" '.[0].SignedTags[] | select(.SignedTag==$t) | .Digest'
}
# Paths of ROLE as notary lists them, sorted, one per line.
notary_paths() {
  notary_cli delegation list "$g" | awk -v r="$1" '$1 == r {f=1} f && NF {print} /^$/ {f=0}' |
    grep -oE '(release-|v|"" <all paths>)' | sort || true
}
# The staged change files of GUN in a trust dir, decoded: one JSON object per line.
staged() {  # TRUST_DIR GUN
  local f
  for f in "$1/tuf/$2/changelist/"*.change; do
    [[ -f $f ]] || continue
    jq -c '{action, role, type, path, data: (if .data then (.data | @base64d | fromjson) else null end)}' "$f"
  done
}

read -r d1 _ <<<"$(push "$g" v1)"
read -r d2 _ <<<"$(push "$g" v2)"
read -r r1 _ <<<"$(push "$g" release-1)"

owner sign "$g:v1" >/dev/null
owner key rotate "$g" snapshot -r >/dev/null
make_delegation_cert jeff
make_delegation_cert ann
run_capture owner delegation add -p "$g" targets/releases "$E2E_TMP/jeff.crt" "$E2E_TMP/ann.crt" \
  --paths release-,v
assert_eq 0 "$RC" "releases with two keys and two paths: $ERR"
jeff key import "$E2E_TMP/jeff.key" --role user >/dev/null
ann key import "$E2E_TMP/ann.key" --role user >/dev/null
jeff_id=$(owner delegation list "$g" --format json | jq -r '.[] | .keys[] | select(.certificate=="jeff") | .id')
ann_id=$(owner delegation list "$g" --format json | jq -r '.[] | .keys[] | select(.certificate=="ann") | .id')
run_capture jeff sign "$g:v2"
assert_eq 0 "$RC" "jeff signs v2: $ERR"
run_capture jeff sign "$g:release-1"
assert_eq 0 "$RC" "jeff signs release-1: $ERR"
assert_eq "$g@$d2" "$(resolve "$g:v2")" "v2 resolves"

# ---- 1. delegation remove --paths ----
assert_eq $'release-\nv' "$(notary_paths targets/releases)" "notary lists both paths"
run_capture owner delegation remove "$g" targets/releases --paths v </dev/null
assert_eq 125 "$RC" "path removal needs a confirmation"
assert_contains "$ERR" "--yes" "says how to confirm"
assert_contains "$ERR" "v2" "lists the tag that stops being trusted"
assert_not_contains "$ERR" "release-1" "a tag the role keeps is not listed"
assert_eq "" "$(staged "$OWNER" "$g")" "nothing staged without a confirmation"
run_capture owner delegation remove "$g" targets/releases --paths nope --yes
assert_eq 125 "$RC" "unknown path refused"
assert_contains "$ERR" "has no path \"nope\"" "names the path"
assert_contains "$ERR" "release-, v" "lists the role's paths"
run_capture owner delegation remove "$g" targets/releases --paths v --yes
assert_eq 0 "$RC" "path removal staged: $ERR"
assert_contains "$OUT" "staged for next publish" "says it is staged"
assert_eq '{"action":"update","role":"targets/releases","type":"delegation","path":"","data":{"remove_paths":["v"]}}' \
  "$(staged "$OWNER" "$g")" "one change in notary's format"
run_capture owner publish "$g"
assert_eq 0 "$RC" "publish: $ERR"
assert_eq "" "$(staged "$OWNER" "$g")" "the change is gone once published"
assert_eq "release-" "$(notary_paths targets/releases)" "notary lists the path left"
run_capture resolve "$g:v2"
assert_eq 1 "$RC" "v2 is no longer trusted"
assert_eq "$g@$r1" "$(resolve "$g:release-1")" "release-1 still resolves"
run_capture notary_cli lookup "$g" v2
assert_eq 1 "$RC" "notary no longer trusts v2 either"
assert_contains "$(notary_cli lookup "$g" release-1)" "${r1#sha256:}" "notary still trusts release-1"
# docker trust inspect lists every target a role's file holds, paths or not (a pull checks
# them), so it is no witness here.
assert_eq "${r1#sha256:}" "$(docker_digest release-1)" "docker still shows release-1"
# Removing the last path through --paths would leave a role that signs nothing: refused even
# with --yes when there is no terminal, and --all-paths says it on purpose.
run_capture owner delegation remove "$g" targets/releases --paths release- --yes </dev/null
assert_eq 125 "$RC" "emptying the paths by --paths refused"
assert_contains "$ERR" "sign no tag" "says why"
assert_contains "$ERR" "--all-paths" "says how to do it on purpose"
assert_eq "" "$(staged "$OWNER" "$g")" "nothing staged"
# At a terminal the question is asked even with --yes, and says the role would sign nothing.
run_capture bash -c "printf 'n\\n' | script -qec '$DCT_BIN delegation remove $g targets/releases --paths release- --yes --trust-dir $OWNER' /dev/null"
assert_eq 1 "$RC" "a no answer fails the command"
assert_contains "$OUT" "it can sign no tag until paths are added again" "the question says so"
assert_contains "$OUT" "Nothing was changed" "answered no"
assert_eq "" "$(staged "$OWNER" "$g")" "nothing staged after no"
run_capture owner delegation remove "$g" targets/releases --all-paths --yes -p
assert_eq 0 "$RC" "--all-paths: $ERR"
assert_contains "$OUT" "Successfully published" "published"
assert_eq "" "$(notary_paths targets/releases)" "notary lists no paths"
run_capture resolve "$g:release-1"
assert_eq 1 "$RC" "release-1 no longer trusted"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "v1 (targets) still resolves"
owner delegation add -p "$g" targets/releases --all-paths >/dev/null
assert_eq '"" <all paths>' "$(notary_paths targets/releases)" "all paths again"

# ---- 2. witness: a role left below its threshold when its signer's key is removed ----
run_capture jeff sign "$g:v2"
assert_eq 0 "$RC" "jeff signs v2 again: $ERR"
assert_eq "$g@$d2" "$(resolve "$g:v2")" "v2 resolves"
run_capture owner delegation remove "$g" targets/releases jeff --yes -p
assert_eq 0 "$RC" "jeff's key removed: $ERR"
assert_eq "$ann_id" "$(delegation_key_id "$g" targets/releases)" "notary lists only ann's key"
run_capture resolve "$g:v2"
assert_eq 1 "$RC" "v2 not trusted: only the removed key signed the role"
run_capture notary_cli lookup "$g" v2
[[ $RC -ne 0 ]] && pass || fail "notary does not trust v2 either"
run_capture ann witness "$g" root
assert_eq 125 "$RC" "root cannot be witnessed"
assert_contains "$ERR" "key rotate" "says what signs the root again"
run_capture ann witness "$g" targets/nope --yes
[[ $RC -ne 0 ]] && pass || fail "unknown role refused"
assert_contains "$ERR" "targets/nope" "names the role"
run_capture jeff witness "$g" targets/releases --yes
[[ $RC -ne 0 ]] && pass || fail "the departed signer cannot witness"
assert_contains "$ERR" "key" "says a key is missing"
run_capture ann witness "$g" targets/releases </dev/null
assert_eq 125 "$RC" "witnessing a failed role asks first"
assert_contains "$ERR" "v2  $d2" "shows the tag and digest it would vouch for"
assert_eq "" "$(staged "$ANN" "$g")" "nothing staged without a confirmation"
run_capture ann witness "$g" targets/releases --yes
assert_eq 0 "$RC" "witness staged: $ERR"
assert_contains "$OUT" "v2  $d2" "with --yes what it vouches for is listed on stdout"
assert_contains "$OUT" $'marked for witnessing on the next publish:\n\t- targets/releases' "notary's words"
assert_eq '{"action":"update","role":"targets/releases","type":"witness","path":"","data":null}' \
  "$(staged "$ANN" "$g")" "the change is notary's witness change"
run_capture ann publish "$g"
assert_eq 0 "$RC" "ann publishes the witness: $ERR"
assert_eq "" "$(staged "$ANN" "$g")" "nothing left staged"
assert_eq "$g@$d2" "$(resolve "$g:v2")" "v2 trusted again"
assert_contains "$(notary_cli lookup "$g" v2)" "${d2#sha256:}" "notary trusts v2 again"
assert_eq "${d2#sha256:}" "$(docker_digest v2)" "docker shows v2 again"
# Witnessing a valid role signs it again: a new version with a new expiry, no question asked.
before=$(jq -r .signed.version "$ANN/tuf/$g/metadata/targets/releases.json")
run_capture ann witness "$g" targets/releases -p </dev/null
assert_eq 0 "$RC" "witness of a valid role: $ERR"
assert_contains "$OUT" "Successfully published" "published with -p"
after=$(jq -r .signed.version "$ANN/tuf/$g/metadata/targets/releases.json")
assert_eq "$((before + 1))" "$after" "the role's version went up by one"
# The owner witnesses targets: a new version, every tag as it was.
before=$(owner delegation list "$g" >/dev/null && jq -r .signed.version "$OWNER/tuf/$g/metadata/targets.json")
run_capture owner witness "$g" targets -p
assert_eq 0 "$RC" "witness targets: $ERR"
assert_eq "$((before + 1))" "$(jq -r .signed.version "$OWNER/tuf/$g/metadata/targets.json")" "targets went up by one"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "v1 (targets) still resolves"
assert_contains "$(notary_cli lookup "$g" v1)" "${d1#sha256:}" "notary still trusts v1"
# A witness staged by dct is published by the notary client (shared changelist format).
notary_cli key import "$E2E_TMP/ann.key" --role user >/dev/null 2>&1 || true
NOTARY_TRUST=$(jq -r .trust_dir "$NOTARY_CLIENT_CONFIG")
run_capture "$DCT_BIN" witness "$g" targets/releases --trust-dir "$NOTARY_TRUST"
assert_eq 0 "$RC" "dct stages a witness in notary's trust dir: $ERR"
run_capture notary_cli publish "$g"
assert_eq 0 "$RC" "notary publishes dct's witness change: $ERR"
assert_eq "$((after + 1))" "$(ann delegation list "$g" >/dev/null; jq -r .signed.version "$ANN/tuf/$g/metadata/targets/releases.json")" \
  "notary signed the role again"

# ---- 3. delegation purge: a departed signer's key out of every role ----
owner delegation add -p "$g" targets/releases "$E2E_TMP/jeff.crt" >/dev/null
owner delegation add -p "$g" targets/qa "$E2E_TMP/jeff.crt" --all-paths 2>/dev/null >/dev/null
g2=$(new_gun roles-other)
push "$g2" v1 >/dev/null
owner sign "$g2:v1" >/dev/null
owner delegation add -p "$g2" targets/releases "$E2E_TMP/jeff.crt" --all-paths >/dev/null
jeff sign "$g:v2" >/dev/null
run_capture owner delegation purge jeff "$g" "$g2" </dev/null
assert_eq 125 "$RC" "purge asks first"
assert_contains "$ERR" "$jeff_id (jeff)" "names the key and its signer"
assert_contains "$ERR" "targets/releases: 1 of 2 keys left" "lists releases"
assert_contains "$ERR" "targets/qa: 0 of 1 keys left" "lists qa"
assert_contains "$ERR" "witness $g targets/releases" "says how to keep v2 trusted"
assert_eq "" "$(staged "$OWNER" "$g")" "nothing staged without a confirmation"
run_capture owner delegation purge "${jeff_id:0:12}" "$g" "$g2" --yes
assert_eq 0 "$RC" "purge by ID prefix: $ERR"
assert_contains "$OUT" "[targets/qa, targets/releases]" "the roles of the first repository"
assert_contains "$OUT" "targets/qa: 0 of 1 keys left" "with --yes the effects are listed on stdout"
want='{"action":"update","role":"targets/*","type":"delegation","path":"","data":{"remove_keys":["'$jeff_id'"]}}'
assert_eq "$want" "$(staged "$OWNER" "$g")" "notary's purge change, first repository"
assert_eq "$want" "$(staged "$OWNER" "$g2")" "and the second"
owner publish "$g" >/dev/null
run_capture owner publish "$g2"
assert_eq 0 "$RC" "publish the second: $ERR"
assert_not_contains "$(notary_cli delegation list "$g")" "$jeff_id" "notary: jeff gone from $g"
assert_not_contains "$(notary_cli delegation list "$g2")" "$jeff_id" "notary: jeff gone from $g2"
assert_eq "$ann_id" "$(delegation_key_id "$g" targets/releases)" "ann stays in releases"
run_capture resolve "$g2:v1"
assert_eq 0 "$RC" "v1 of the second repository is signed in targets and stays"
# The departed signer's key is not in the repository any more: purge says so and fails.
run_capture owner delegation purge "$jeff_id" "$g" --yes
assert_eq 125 "$RC" "a key in no delegation is refused"
assert_contains "$ERR" "no key of any delegation of $g matches" "says so"
# With -p, in one go, emptying targets/releases: its tags lose trust and the question says so.
run_capture owner delegation purge ann "$g" </dev/null
assert_contains "$ERR" "lose trust" "emptying a role names the tags that lose trust"
assert_contains "$ERR" "v2" "including v2"
# By the ID targets lists (the certificate's, not the canonical one), in two repositories of
# which only the first has the key: the first is published, the second fails, and says so.
ann_tuf_id=$(jq -r '.signed.delegations.roles[] | select(.name=="targets/releases") | .keyids[0]' \
  "$OWNER/tuf/$g/metadata/targets.json")
[[ $ann_tuf_id != "$ann_id" && ${#ann_tuf_id} == 64 ]] && pass || fail "the listed ID is not the canonical one"
run_capture owner delegation purge "$ann_tuf_id" "$g" "$g2" --yes -p
assert_eq 1 "$RC" "purge -p over two repositories, one without the key: $ERR"
assert_contains "$OUT" "Successfully published changes for repository $g" "the first is published"
assert_contains "$ERR" "$g2: no key of any delegation of $g2 matches" "the second says why"
assert_eq "" "$(staged "$OWNER" "$g2")" "nothing staged for the second"
run_capture resolve "$g:v2"
assert_eq 1 "$RC" "v2 lost its trust with its last key"
# Docker with the shared trust dir keeps what it cached before; one that reads afresh agrees.
assert_eq "" "$(fresh_docker_digest v2)" "a fresh docker no longer shows v2"

# ---- 4. delete: local trust data, then on the server ----
owner delegation remove "$g" targets/qa --yes >/dev/null
keys_before=$(find "$OWNER/private" -type f | sort | xargs sha256sum)
run_capture owner delete "$g" </dev/null
assert_eq 125 "$RC" "delete asks first"
assert_contains "$ERR" "1 staged change" "says a staged change is lost"
assert_contains "$ERR" "Private keys are kept" "says keys stay"
assert_contains "$ERR" "as on first use" "says the root is trusted afresh next time"
[[ -d $OWNER/tuf/$g/metadata ]] && pass || fail "cache kept without a confirmation"
run_capture owner delete "$g" --yes
assert_eq 0 "$RC" "local delete: $ERR"
assert_contains "$OUT" "Successfully deleted local trust data for repository $g" "notary's words"
[[ ! -e $OWNER/tuf/$g ]] && pass || fail "tuf/$g removed"
assert_eq "$keys_before" "$(find "$OWNER/private" -type f | sort | xargs sha256sum)" "private keys untouched"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "the server still has it"
run_capture owner delegation list "$g"
assert_eq 0 "$RC" "the owner reads it again from scratch: $ERR"
run_capture owner delete "$g" --remote --yes
assert_eq 0 "$RC" "remote delete: $ERR"
assert_contains "$OUT" "Successfully deleted local and remote trust data for repository $g" "notary's words"
[[ ! -e $OWNER/tuf/$g ]] && pass || fail "tuf/$g removed again"
run_capture notary_cli list "$g"
[[ $RC -ne 0 ]] && pass || fail "notary finds no trust data on the server"
assert_contains "$OUT$ERR" "trust data unavailable" "notary says the server has none"
run_capture resolve "$g:v1"
assert_eq 1 "$RC" "dct finds none either"
assert_eq "$keys_before" "$(find "$OWNER/private" -type f | sort | xargs sha256sum)" "keys still untouched"
run_capture resolve "$g2:v1"
assert_eq 0 "$RC" "the other repository is untouched: $ERR"
run_capture "$DCT_BIN" delete "$g2" --remote --yes --server https://127.0.0.1:1 --trust-dir "$OWNER"
[[ $RC -ne 0 ]] && pass || fail "an unreachable server fails the remote delete"
[[ -d $OWNER/tuf/$g2/metadata ]] && pass || fail "local data kept when the server did not delete"

# ---- delete --remote under token auth: the server wants the admin scope ("*") ----
use_auth token
g4=$(new_gun roles-token)
notary_init "$g4"
bad=$E2E_TMP/bad-config
mkdir -p "$bad"
cp -r "$DOCKER_CONFIG/tls" "$bad/"
echo "{\"auths\": {\"$REGISTRY_HOST\": {\"auth\": \"$(printf testuser:wrong | base64)\"}}}" >"$bad/config.json"
owner delegation list "$g4" >/dev/null 2>&1 || true
run_capture "$DCT_BIN" --config "$bad" delete "$g4" --remote --yes --trust-dir "$OWNER"
assert_eq 1 "$RC" "bad credentials: remote delete refused"
assert_contains "$ERR" "credentials" "the message is about credentials"
[[ -d $OWNER/tuf/$g4/metadata ]] && pass || fail "local data kept when the server refused"
run_capture owner delete "$g4" --remote --yes
assert_eq 0 "$RC" "token auth: remote delete: $ERR"
run_capture notary_cli list "$g4"
[[ $RC -ne 0 ]] && pass || fail "token auth: the server has no trust data left"

finish
