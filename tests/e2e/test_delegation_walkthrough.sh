#!/usr/bin/env bash
# Docker's "Delegations for content trust" walk-through with docker dct in place of notary:
# owner and collaborators in separate trust dirs, and after every step dct, notary and docker
# must agree on what the documentation says should happen.
source "$(dirname "$0")/lib.sh"

g=$(new_gun walk)
OWNER=$E2E_TMP/owner
JEFF=$E2E_TMP/jeff
ANN=$E2E_TMP/ann
mkdir -p "$OWNER" "$JEFF" "$ANN"
owner() { "$DCT_BIN" "$@" --trust-dir "$OWNER"; }
jeff() { "$DCT_BIN" "$@" --trust-dir "$JEFF"; }
ann() { "$DCT_BIN" "$@" --trust-dir "$ANN"; }
# A fresh reader each time: no cache carried between checks.
resolve() { "$DCT_BIN" resolve "$1" --trust-dir "$(mktemp -d -p "$E2E_TMP")"; }
# What docker trust inspect says TAG is signed for ("" when it is not).
docker_digest() { docker trust inspect "$g" | jq -r --arg t "$1" '.[0].SignedTags[] | select(.SignedTag==$t) | .Digest'; }
# The role notary lists TAG in ("" when it does not).
notary_role() { notary_cli list "$g" | awk -v t="$1" '$1 == t {print $4}'; }
digest_of() { echo "${1%% *}"; }
# Key IDs notary lists (the repository has no role but targets/releases here).
releases_keys() { notary_cli delegation list "$g" | grep -oE '[0-9a-f]{64}' | sort; }

read -r d1 _ <<<"$(push "$g" v1)"
read -r d2 _ <<<"$(push "$g" v2)"
read -r d3 _ <<<"$(push "$g" v3)"

# 1. The owner signs v1: no delegation yet, so it lands in targets.
run_capture owner sign "$g:v1"
assert_eq 0 "$RC" "owner signs v1: $ERR"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "v1 resolves"
assert_eq "targets" "$(notary_role v1)" "notary lists v1 in targets"
assert_eq "${d1#sha256:}" "$(docker_digest v1)" "docker shows v1"

# 2. Collaborators: jeff with openssl as the docs show, ann with dct key generate.
make_delegation_cert jeff
run_capture ann key generate ann --dir "$E2E_TMP"
assert_eq 0 "$RC" "dct key generate: $ERR"
[[ -f $E2E_TMP/ann.crt ]] && pass || fail "ann.crt written"

# 3. Without the snapshot key on the server a collaborator cannot publish: the owner hands it over.
run_capture owner key rotate "$g" snapshot -r
assert_eq 0 "$RC" "snapshot key to the server: $ERR"
assert_contains "$OUT" "Successfully rotated snapshot key" "rotation reported"

# 4. Both collaborators into targets/releases, staged then published.
run_capture owner delegation add "$g" targets/releases "$E2E_TMP/jeff.crt" "$E2E_TMP/ann.crt" --all-paths
assert_eq 0 "$RC" "delegation add: $ERR"
assert_contains "$OUT" "staged for next publish" "add is staged"
run_capture owner publish "$g"
assert_eq 0 "$RC" "publish: $ERR"
run_capture owner delegation list "$g"
assert_contains "$OUT" "jeff" "list names jeff"
assert_contains "$OUT" "ann" "list names ann"
dct_ids=$(owner delegation list "$g" --format json | jq -r '.[] | select(.role=="targets/releases") | .keys[].id' | sort)
assert_eq "$(releases_keys)" "$dct_ids" "dct and notary list the same key IDs"
assert_eq 2 "$(echo "$dct_ids" | wc -l)" "two keys in targets/releases"
jeff_id=$(owner delegation list "$g" --format json | jq -r '.[] | .keys[] | select(.certificate=="jeff") | .id')

# 5. jeff imports his key as the docs show and signs v2: it lands in targets/releases.
run_capture jeff key import "$E2E_TMP/jeff.key" --role user
assert_eq 0 "$RC" "key import: $ERR"
assert_contains "$OUT" "$jeff_id" "import prints the key ID"
run_capture jeff sign "$g:v2"
assert_eq 0 "$RC" "jeff signs v2: $ERR"
assert_contains "$OUT" "targets/releases" "signed into targets/releases"
assert_eq "$g@$d2" "$(resolve "$g:v2")" "v2 resolves from releases"
assert_contains "$(notary_cli list "$g" --roles targets/releases)" "v2" "notary sees v2 in releases"
inspect=$(docker trust inspect "$g")
assert_eq "${d2#sha256:}" "$(jq -r '.[0].SignedTags[] | select(.SignedTag=="v2") | .Digest' <<<"$inspect")" \
  "docker trust inspect shows v2"
# Docker shows tags signed in targets/releases as signed by the "Repo Admin".
assert_eq "Repo Admin" "$(jq -r '.[0].SignedTags[] | select(.SignedTag=="v2") | .Signers[0]' <<<"$inspect")" \
  "docker counts the releases signature"

# 6. The owner removes ann's key (by certificate name): jeff's signature stands.
run_capture owner delegation remove "$g" targets/releases ann --yes -p
assert_eq 0 "$RC" "remove ann: $ERR"
assert_eq "$jeff_id" "$(releases_keys)" "only jeff's key left"
assert_eq "$g@$d2" "$(resolve "$g:v2")" "v2 still resolves"
assert_eq "targets/releases" "$(notary_role v2)" "notary still lists v2 from releases"
assert_eq "${d2#sha256:}" "$(docker_digest v2)" "docker still shows v2"

# 7. Removing the last key removes the role, as the docs say; v2 is no longer trusted.
run_capture owner delegation remove "$g" targets/releases "${jeff_id:0:10}" </dev/null
assert_eq 125 "$RC" "no confirmation without a terminal"
assert_contains "$ERR" "--yes" "says how to confirm"
assert_contains "$ERR" "v2" "lists the tag that stops being trusted"
assert_eq "No unpublished changes for $g" "$(owner status "$g")" "nothing staged without yes"
run_capture owner delegation remove "$g" targets/releases "${jeff_id:0:10}" --yes -p
assert_eq 0 "$RC" "remove last key: $ERR"
assert_contains "$(notary_cli delegation list "$g")" "No delegations present" "role gone for notary"
run_capture resolve "$g:v2"
assert_eq 1 "$RC" "v2 no longer resolves"
assert_eq "$g@$d1" "$(resolve "$g:v1")" "v1 (targets) still resolves"
assert_eq "" "$(docker trust inspect "$g" | jq -r '.[0].SignedTags[] | select(.SignedTag=="v2") | .Digest')" \
  "docker no longer shows v2"

# 8. Re-add jeff, then remove the whole role.
run_capture owner delegation add -p "$g" targets/releases "$E2E_TMP/jeff.crt" --all-paths
assert_eq 0 "$RC" "re-add: $ERR"
assert_eq "$jeff_id" "$(releases_keys)" "jeff is back"
run_capture jeff sign "$g:v3"
assert_eq 0 "$RC" "jeff signs v3: $ERR"
assert_eq "$g@$d3" "$(resolve "$g:v3")" "v3 resolves"
assert_eq "targets/releases" "$(notary_role v3)" "notary lists v3 in releases"
assert_eq "${d3#sha256:}" "$(docker_digest v3)" "docker shows v3"
run_capture owner delegation remove "$g" targets/releases --yes -p
assert_eq 0 "$RC" "remove role: $ERR"
assert_contains "$(notary_cli delegation list "$g")" "No delegations present" "whole role removed"
run_capture resolve "$g:v3"
assert_eq 1 "$RC" "v3 gone with the role"
assert_eq "" "$(notary_role v3)" "notary no longer lists v3"
assert_eq "" "$(docker_digest v3)" "docker no longer shows v3"
assert_eq "${d1#sha256:}" "$(docker_digest v1)" "docker still shows v1 from targets"

# The reverse: a delegation made with the notary CLI is read by dct.
g2=$(new_gun walk-notary)
notary_init "$g2"
notary_cli key rotate "$g2" snapshot -r >/dev/null
notary_cli delegation add "$g2" targets/releases "$E2E_TMP/jeff.crt" --all-paths -p >/dev/null
assert_eq "$jeff_id" "$("$DCT_BIN" delegation list "$g2" --trust-dir "$JEFF" --format json | jq -r '.[0].keys[0].id')" \
  "dct reads notary's delegation"
read -r e1 _ <<<"$(push "$g2" v1)"
run_capture jeff sign "$g2:v1"
assert_eq 0 "$RC" "jeff signs into notary's role: $ERR"
assert_contains "$(notary_cli list "$g2" --roles targets/releases)" "v1" "notary sees it"
assert_eq "$g2@$e1" "$(resolve "$g2:v1")" "resolves"

# --role: a role that does not exist is refused; targets is allowed next to releases.
run_capture owner sign "$g:v1" --role targets/nope
[[ $RC -ne 0 ]] && pass || fail "sign --role with an unknown role refused"
assert_contains "$ERR" "targets/nope" "names the role"

# Error paths.
run_capture owner delegation add "$g" targets/release "$E2E_TMP/jeff.crt" --all-paths
assert_eq 125 "$RC" "mistyped role refused"
assert_contains "$ERR" "targets/releases" "suggests targets/releases"
run_capture owner delegation add "$g" Targets/Releases "$E2E_TMP/jeff.crt" --all-paths
assert_eq 125 "$RC" "upper-case near miss refused"
run_capture owner delegation add "$g" targets/qa "$E2E_TMP/jeff.crt" --all-paths
assert_eq 0 "$RC" "other role accepted"
assert_contains "$ERR" "WARNING" "with a warning"
owner status --reset "$g" >/dev/null
openssl genrsa -out "$E2E_TMP/weak.key" 1024 2>/dev/null
run_capture jeff key import "$E2E_TMP/weak.key"
[[ $RC -ne 0 ]] && pass || fail "RSA 1024 import refused"
assert_contains "$ERR" "2048" "says the minimum"
run_capture jeff key import "$E2E_TMP/jeff.crt"
[[ $RC -ne 0 ]] && pass || fail "certificate as key refused"
run_capture owner delegation add "$g" targets/releases "$E2E_TMP/jeff.key" --all-paths
[[ $RC -ne 0 ]] && pass || fail "key as certificate refused"
assert_contains "$ERR" "not a certificate" "says what it got"
owner delegation add -p "$g" targets/releases "$E2E_TMP/jeff.crt" --all-paths >/dev/null
run_capture owner delegation remove "$g" targets/releases 0000000 --yes
[[ $RC -ne 0 ]] && pass || fail "unknown key ID refused"
assert_contains "$ERR" "$jeff_id" "lists the role's keys"
# Two certificates by the same name make that name ambiguous.
openssl req -new -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$E2E_TMP/j2.key" \
  -out "$E2E_TMP/j2.crt" -subj "/CN=jeff" -days 30 2>/dev/null
owner delegation add -p "$g" targets/releases "$E2E_TMP/j2.crt" >/dev/null
run_capture owner delegation remove "$g" targets/releases jeff --yes
[[ $RC -ne 0 ]] && pass || fail "ambiguous name refused"
assert_contains "$ERR" "matches 2 keys" "says it is ambiguous"
# A collaborator cannot publish when the snapshot key is neither here nor on the server.
g3=$(new_gun walk-snap)
read -r f1 _ <<<"$(push "$g3" v1)"
owner sign "$g3:v1" >/dev/null
owner delegation add -p "$g3" targets/releases "$E2E_TMP/jeff.crt" --all-paths >/dev/null
run_capture jeff sign "$g3:v1"
[[ $RC -ne 0 ]] && pass || fail "collaborator without snapshot key refused"
assert_contains "$ERR" "key rotate $g3 snapshot -r" "tells the owner what to run"

finish
