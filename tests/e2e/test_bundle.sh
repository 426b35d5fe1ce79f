#!/usr/bin/env bash
# Offline bundles: saved from a repository with a targets/releases delegation signed by dct and
# by notary, they resolve with no notary server in dct and, extracted, in the notary client;
# tampered and rolled-back bundles are refused like a hostile server, the cache left alone;
# bundle diff shows what a newer bundle changes.
source "$(dirname "$0")/lib.sh"

OFFLINE=https://127.0.0.1:1  # nothing listens there: any network use fails
g=$(new_gun bundle)
read -r d1 s1 <<<"$(push "$g" v1)"
read -r d2 _ <<<"$(push "$g" v2)"
read -r d3 _ <<<"$(push "$g" v3)"

# The repository: made by notary, snapshot key on the server, targets/releases with rel's key;
# notary signs v1 into releases, dct (holding rel's key) signs v2.
notary_init "$g"
notary_cli key rotate "$g" snapshot -r >/dev/null
add_delegation "$g" targets/releases rel
notary_sign "$g" v1 "$d1" "$s1" targets/releases
run_capture dct key import "$E2E_TMP/rel.key" --role user
assert_eq 0 "$RC" "dct imports the releases key: $ERR"
run_capture dct sign "$g:v2"
assert_eq 0 "$RC" "dct signs v2: $ERR"
assert_contains "$OUT" "targets/releases" "v2 signed into targets/releases"

# 1. Save.
B1=$E2E_TMP/b1.tar
run_capture dct bundle save "$g" -o "$B1"
assert_eq 0 "$RC" "bundle save: $ERR"
assert_contains "$OUT" "$B1" "says where it saved"
listing=$(tar -t -f "$B1" | sort)
for role in root timestamp snapshot targets targets/releases; do
  assert_contains "$listing" "tuf/$g/metadata/$role.json" "bundle holds $role"
done
assert_eq 0644 "$(stat -c %a "$B1" | sed 's/^/0/')" "bundle is 0644"
run_capture dct bundle save "$g:nope" -o "$E2E_TMP/nope.tar"
assert_eq 1 "$RC" "a tag that does not resolve stops the save"
[[ ! -e $E2E_TMP/nope.tar ]] && pass || fail "nothing written for a failed save"

# 2. Offline in dct: fresh trust dirs, an unreachable server.
offline() { "$DCT_BIN" "$@" --server "$OFFLINE"; }
T1=$E2E_TMP/offline1
run_capture offline resolve --bundle "$B1" "$g:v1" --trust-dir "$T1"
assert_eq 0 "$RC" "v1 resolves from the bundle: $ERR"
assert_eq "$g@$d1" "$OUT" "v1 digest (signed by notary)"
run_capture offline resolve --bundle "$B1" "$g:v2" --trust-dir "$T1" --format json
assert_eq "$d2" "$(jq -r .digest <<<"$OUT")" "v2 digest (signed by dct)"
assert_eq "targets/releases" "$(jq -r .role <<<"$OUT")" "v2 from targets/releases"
assert_eq "$B1" "$(jq -r .bundle <<<"$OUT")" "json names the bundle"
run_capture offline resolve "$g:v1" --trust-dir "$E2E_TMP/offline2"
assert_eq 1 "$RC" "without --bundle the unreachable server fails"
run_capture offline resolve --bundle "$B1" "$REGISTRY_HOST/e2e/other:v1" --trust-dir "$T1"
assert_eq 1 "$RC" "a repository not in the bundle"
assert_contains "$ERR" "holds no trust data" "says the bundle lacks it"

mkdir -p "$E2E_TMP/ctx"
printf 'FROM %s:v2\n' "$g" >"$E2E_TMP/ctx/Dockerfile"
run_capture offline pin --bundle "$B1" "$E2E_TMP/ctx" --trust-dir "$T1"
assert_eq 0 "$RC" "pin from the bundle: $ERR"
assert_contains "$OUT" "FROM $g:v2@$d2" "pinned to the bundle's digest"

# 3. Offline in notary: the extracted bundle is a trust dir.
mkdir -p "$E2E_TMP/nd"
tar -x -C "$E2E_TMP/nd" -f "$B1"
for t in v1 v2; do
  want=$d1
  [[ $t == v2 ]] && want=$d2
  run_capture notary -d "$E2E_TMP/nd" -s "$OFFLINE" lookup "$g" "$t"
  assert_contains "$OUT" "${want#sha256:}" "notary looks up $t offline: $ERR"
done

# 4. Tampered bundles, against a warm cache: refused as security failures, cache unchanged.
W=$E2E_TMP/warm
offline resolve --bundle "$B1" "$g:v1" --trust-dir "$W" >/dev/null
warm_sum() { (cd "$W" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) | sha256sum; }
before=$(warm_sum)
retar() {  # DIR OUT: the tree back into a tar, with GNU tar
  tar -c -C "$1" -f "$2" tuf
}
cp -r "$E2E_TMP/nd" "$E2E_TMP/t1"
f=$E2E_TMP/t1/tuf/$g/metadata/targets.json
python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b'"expires"') + 12  # a digit of the expiry date
b[i] = ord("1") if b[i] != ord("1") else ord("2")
open(p, "wb").write(bytes(b))
PY
retar "$E2E_TMP/t1" "$E2E_TMP/tampered.tar"
run_capture offline resolve --bundle "$E2E_TMP/tampered.tar" "$g:v1" --trust-dir "$W"
assert_eq 1 "$RC" "one byte of targets.json changed"
assert_contains "$ERR" "tampered.tar" "names the bundle"
assert_contains "$ERR" "failed verification" "a security error"
assert_eq "$before" "$(warm_sum)" "cache unchanged after the tampered bundle"

cp -r "$E2E_TMP/nd" "$E2E_TMP/t2"
f=$E2E_TMP/t2/tuf/$g/metadata/timestamp.json
python3 - "$f" <<'PY'
import base64, json, sys
p = sys.argv[1]
raw = open(p, "rb").read()
doc = json.loads(raw)
sig = doc["signatures"][0]["sig"]
b = bytearray(base64.b64decode(sig))
b[len(b) // 2] ^= 1
raw = raw.replace(sig.encode(), base64.b64encode(bytes(b)))
open(p, "wb").write(raw)
PY
retar "$E2E_TMP/t2" "$E2E_TMP/badsig.tar"
run_capture offline resolve --bundle "$E2E_TMP/badsig.tar" "$g:v1" --trust-dir "$W"
assert_eq 1 "$RC" "a signature changed"
assert_contains "$ERR" "failed verification" "a security error"
assert_eq "$before" "$(warm_sum)" "cache unchanged after the bad signature"

# 5. A newer publish: v1 moves to another image (re-signed by dct), v3 added.
read -r d1b _ <<<"$(push "$g" v1 oci)"
run_capture dct sign "$g:v1"
assert_eq 0 "$RC" "dct re-signs v1: $ERR"
run_capture dct sign "$g:v3"
assert_eq 0 "$RC" "dct signs v3: $ERR"
B2=$E2E_TMP/b2.tar
run_capture dct bundle save "$g:v1" "$g" -o "$B2"
assert_eq 0 "$RC" "second bundle: $ERR"
run_capture offline resolve --bundle "$B2" "$g:v1" --trust-dir "$W"
assert_eq "$g@$d1b" "$OUT" "the newer bundle moves the warm cache on: $ERR"
after_update=$(warm_sum)
# The older bundle is now a rollback.
run_capture offline resolve --bundle "$B1" "$g:v1" --trust-dir "$W"
assert_eq 1 "$RC" "rolled-back bundle refused"
assert_contains "$ERR" "failed verification" "as a security failure"
assert_contains "$ERR" "older than the version" "as a rollback"
assert_eq "$after_update" "$(warm_sum)" "cache unchanged after the rollback"

# 6. bundle diff.
run_capture offline bundle diff "$B1" "$B2" --trust-dir "$E2E_TMP/diff"
assert_eq 0 "$RC" "bundle diff: $ERR"
assert_contains "$OUT" "changed" "v1 changed"
run_capture offline bundle diff "$B1" "$B2" --format json --trust-dir "$E2E_TMP/diff"
assert_eq "changed" "$(jq -r '.[] | select(.tag=="v1") | .change' <<<"$OUT")" "json: v1 changed"
assert_eq "$d1" "$(jq -r '.[] | select(.tag=="v1") | .old.digest' <<<"$OUT")" "json: old v1"
assert_eq "$d1b" "$(jq -r '.[] | select(.tag=="v1") | .new.digest' <<<"$OUT")" "json: new v1"
assert_eq "added" "$(jq -r '.[] | select(.tag=="v3") | .change' <<<"$OUT")" "json: v3 added"
assert_eq "" "$(jq -r '.[] | select(.tag=="v2") | .change' <<<"$OUT")" "json: v2 unchanged"
run_capture offline bundle diff "$B2" "$B1" --trust-dir "$E2E_TMP/diff"
assert_eq 1 "$RC" "diff refuses a NEW that rolls OLD back"
assert_contains "$ERR" "older than the version" "as a rollback"
run_capture offline bundle diff "$B1" "$E2E_TMP/tampered.tar" --trust-dir "$E2E_TMP/diff"
assert_eq 1 "$RC" "diff refuses a tampered bundle"
[[ ! -e $E2E_TMP/diff/tuf ]] && pass || fail "diff leaves the trust dir alone"

finish
