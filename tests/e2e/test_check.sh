#!/usr/bin/env bash
# dct check: when a repository's trust data expires. A fresh repository passes; a signer's
# certificate made to expire in a few days fails a 30-day window, naming the role and key;
# the JSON agrees with the table, and the role expiries with what the notary client cached.
source "$(dirname "$0")/lib.sh"

# --- a fresh repository, made and signed with the notary client ---
g=$(new_gun check)
read -r d1 s1 <<<"$(push "$g" v1)"
notary_init "$g"
notary_sign "$g" v1 "$d1" "$s1"

run_capture "$DCT_BIN" check --within 7d "$g:v1"
assert_eq 0 "$RC" "a fresh repository passes --within 7d: $ERR"
assert_contains "$OUT" "Nothing expires within 7d." "table says so"
for role in root targets snapshot timestamp; do
  grep -qE "^$role +" <<<"$OUT" && pass || fail "table lists $role"
done
widest=$(awk '{ print length }' <<<"$OUT" | sort -n | tail -1)
((widest <= 80)) && pass || fail "table fits 80 columns (widest line $widest)"

# The timestamp expires in 14 days, but the server renews it: shown, not counted.
run_capture "$DCT_BIN" check --within 30d "$g"
assert_eq 0 "$RC" "the server's timestamp does not fail a 30-day window: $ERR"
grep -qE "^timestamp .* expiring\* " <<<"$OUT" && pass || fail "timestamp shown as expiring*: $OUT"

run_capture "$DCT_BIN" check --within 30d --format json "$g"
assert_eq 0 "$RC" "json exit"
j=$OUT
assert_eq "true" "$(jq -r '.[0].ok' <<<"$j")" "json ok"
assert_eq "$g" "$(jq -r '.[0].name' <<<"$j")" "json name"
assert_eq "2592000" "$(jq -r '.[0].within_seconds' <<<"$j")" "json window"
assert_eq '["v1"]' "$(jq -c '.[0].trusted_tags' <<<"$j")" "json trusted tags"
assert_eq "expiring true false" \
  "$(jq -r '.[0].expiries[] | select(.role=="timestamp") | "\(.status) \(.server_managed) \(.fails)"' <<<"$j")" \
  "json: timestamp expiring, server-managed, not failing"
# notary init keeps the snapshot key in the trust dir shared with dct: the owner renews it.
assert_eq "false" "$(jq -r '.[0].expiries[] | select(.role=="snapshot") | .server_managed' <<<"$j")" \
  "snapshot signed with a local key counts"
assert_eq '["v1"]' "$(jq -c '.[0].expiries[] | select(.role=="targets") | .tags' <<<"$j")" \
  "targets expiring costs v1"
assert_eq "1" "$(jq '[.[0].expiries[] | select(.kind=="certificate" and .role=="root")] | length' <<<"$j")" \
  "the root certificate is listed"

# The same expiries as the files the notary client verified and cached.
notary_cli list "$g" >/dev/null
meta=$DOCKER_CONFIG/trust/tuf/$g/metadata
for role in root targets snapshot timestamp; do
  theirs=$(date -u -d "$(jq -r .signed.expires "$meta/$role.json")" +%s.%N)
  ours=$(date -u -d "$(jq -r --arg r "$role" '.[0].expiries[] | select(.kind=="role" and .role==$r) | .expires' <<<"$j")" +%s.%N)
  assert_eq "$theirs" "$ours" "$role expiry as notary has it"
done

# --- a signer whose certificate expires in 5 days ---
g2=$(new_gun check-cert)
own=$E2E_TMP/owner
owner() { "$DCT_BIN" "$@" --trust-dir "$own"; }
read -r _ _ <<<"$(push "$g2" v1)"
read -r _ _ <<<"$(push "$g2" v2)"
run_capture owner sign "$g2:v1"
assert_eq 0 "$RC" "owner signs v1: $ERR"
run_capture owner key generate alice --dir "$E2E_TMP" --days 5
assert_eq 0 "$RC" "short-lived certificate: $ERR"
run_capture owner key rotate "$g2" snapshot -r
assert_eq 0 "$RC" "snapshot key to the server: $ERR"
run_capture owner delegation add "$g2" targets/releases "$E2E_TMP/alice.crt" --all-paths
assert_eq 0 "$RC" "delegation add: $ERR"
run_capture owner publish "$g2"
assert_eq 0 "$RC" "publish: $ERR"
run_capture owner sign "$g2:v2"
assert_eq 0 "$RC" "alice signs v2 into targets/releases: $ERR"

run_capture owner check --within 30d "$g2:v2" "$g2:v1"
assert_eq 1 "$RC" "a certificate expiring in 5 days fails --within 30d"
assert_eq 1 "$(grep -c '^Expiry of the trust data' <<<"$OUT")" "one repository, given twice, checked once"
assert_contains "$OUT" "the certificate of key" "names the certificate"
grep -qE "^targets/releases +cert [0-9a-f]{7} .* expiring " <<<"$OUT" && pass ||
  fail "row for the targets/releases certificate: $OUT"
# The owner no longer holds the snapshot key: the server's snapshot is shown, not counted.
grep -qE "^snapshot .* valid\* " <<<"$OUT" && pass || fail "snapshot marked server-renewed: $OUT"

run_capture owner check --within 4d "$g2"
assert_eq 0 "$RC" "nothing expires within 4 days: $OUT $ERR"

run_capture owner check --within 30d --format json "$g2"
assert_eq 1 "$RC" "json exit follows the window"
j=$OUT
alice_id=$(owner delegation list "$g2" --format json | jq -r '.[] | select(.role=="targets/releases") | .keys[0].id')
cert=$(jq -c '.[0].expiries[] | select(.kind=="certificate" and .role=="targets/releases")' <<<"$j")
assert_eq "expiring true" "$(jq -r '"\(.status) \(.fails)"' <<<"$cert")" "json: certificate expiring and failing"
in5=$(date -u -d "+5 days" +%s)
exp=$(date -u -d "$(jq -r .expires <<<"$cert")" +%s)
((exp > in5 - 600 && exp <= in5)) && pass || fail "certificate expiry is 5 days away ($exp vs $in5)"
assert_eq "$(openssl x509 -noout -enddate -in "$E2E_TMP/alice.crt" | cut -d= -f2 | xargs -I{} date -u -d {} +%s)" \
  "$exp" "expiry as openssl reads the certificate"
[[ -n $alice_id ]] && pass || fail "delegation list shows alice's key"
assert_eq '["v1","v2"]' "$(jq -c '.[0].expiries[] | select(.kind=="role" and .role=="targets/releases") | .tags' <<<"$j")" \
  "targets/releases expiring costs every tag it may sign"
assert_eq "true" "$(jq -r '.[0].expiries[] | select(.role=="snapshot") | .server_managed' <<<"$j")" \
  "json: the server's snapshot"

# --- commands that rely on it warn, once per run ---
run_capture owner resolve "$g2:v2"
assert_eq 0 "$RC" "resolve still works: $ERR"
assert_eq 1 "$(grep -c '^WARNING: the certificate of key .* (targets/releases) of .* expires on ' <<<"$ERR")" \
  "resolve warns about the certificate it relied on: $ERR"
assert_contains "$ERR" "docker dct delegation add" "and names what to run"
printf 'FROM %s:v1\nFROM %s:v2\n' "$g2" "$g2" >"$E2E_TMP/Dockerfile"
run_capture owner pin -f "$E2E_TMP/Dockerfile" "$E2E_TMP"
assert_eq 0 "$RC" "pin: $ERR"
assert_eq 1 "$(grep -c 'expires on' <<<"$ERR")" "two images of one repository, one warning: $ERR"
run_capture "$DCT_BIN" resolve "$g:v1"
assert_eq 0 "$RC" "resolve of the fresh repository"
assert_not_contains "$ERR" "expires on" "nothing to warn about there"

# --- bad input ---
for bad in 30 3w 1.5d ""; do
  run_capture "$DCT_BIN" check --within "$bad" "$g"
  assert_eq 125 "$RC" "--within '$bad' is a usage error"
  assert_contains "$ERR" "invalid value \"$bad\" for --within" "the error names '$bad'"
done
run_capture "$DCT_BIN" check --format yaml "$g"
assert_eq 125 "$RC" "unknown format"
run_capture "$DCT_BIN" check "$REGISTRY_HOST/e2e/never-made-$RANDOM"
assert_eq 1 "$RC" "a repository without trust data fails"
assert_contains "$ERR" "does not have trust data" "and says why"

finish
