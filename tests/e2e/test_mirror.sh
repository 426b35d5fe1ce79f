#!/usr/bin/env bash
# Mirroring to a second notary-server instance (started here, on free ports): a repository with
# a targets/releases delegation, signed by dct and by notary, is mirrored; dct, notary and
# docker trust pointed at the new server trust exactly the same tags by the same digests as on
# the old one (a tag signed only by another delegation stays untrusted by dct on both);
# --dry-run publishes nothing; a second run publishes nothing; without the root key the mirror
# names it and publishes nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh"

s2_dir=""
cleanup() {
  stop_servers
  if [[ -n $s2_dir && -d $s2_dir/run ]]; then
    STACK_DIR=$s2_dir "$E2E_ROOT/scripts/stack.sh" stop >/dev/null 2>&1 || true
  fi
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

base=$((20000 + RANDOM % 20000))
for p in $base $((base + 1)) $((base + 2)) $((base + 3)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "SKIP mirror: no free ports for a second stack near $base"
    finish
    exit 0
  fi
done
s2_dir=$E2E_TMP/stack2
STACK_DIR=$s2_dir STACK_NOTARY_PORT=$base STACK_REGISTRY_PORT=$((base + 1)) \
  STACK_SIGNER_PORT=$((base + 2)) STACK_TOKEN_PORT=$((base + 3)) \
  "$E2E_ROOT/scripts/stack.sh" start >/dev/null
N2=$(bash -c "source '$s2_dir/stack.env'; echo \$NOTARY_URL")
N2_CA=$(bash -c "source '$s2_dir/stack.env'; echo \$STACK_CA")

# A docker config dir that trusts both notary servers' CAs.
CFG=$E2E_TMP/config
mkdir -p "$CFG/tls/${N2#https://}"
cp -r "$DOCKER_CONFIG/tls" "$DOCKER_CONFIG/config.json" "$CFG/"
cp "$N2_CA" "$CFG/tls/${N2#https://}/ca.crt"
export DOCKER_CONFIG=$CFG

# Readers with fresh trust dirs: dct on either server, notary on either server.
resolve_on() {  # SERVER TAG -> digest, or "untrusted: <exit code>"
  local out rc=0
  out=$("$DCT_BIN" resolve "$g:$2" --server "$1" --trust-dir "$(mktemp -d -p "$E2E_TMP")" --format json 2>/dev/null) || rc=$?
  if ((rc == 0)); then jq -r .digest <<<"$out"; else echo "untrusted: $rc"; fi
}
lookup_on() {  # SERVER CA TAG -> "sha256:<hex> <size>" as notary finds it, or "none"
  local out
  if out=$(notary -d "$(mktemp -d -p "$E2E_TMP")" -s "$1" --tlscacert "$2" lookup "$g" "$3" 2>/dev/null); then
    awk '{print $2, $3}' <<<"$out"
  else
    echo none
  fi
}
list_on() {  # SERVER CA -> notary's list of every tag with its digest, size and role
  notary -d "$(mktemp -d -p "$E2E_TMP")" -s "$1" --tlscacert "$2" list "$g" 2>&1
}
server_404() {  # SERVER CA FILE: the server has no such file for the repository
  [[ $(curl -s -o /dev/null -w '%{http_code}' --cacert "$2" "$1/v2/$g/_trust/tuf/$3") == 404 ]]
}

g=$(new_gun mirror)
read -r d1 s1 <<<"$(push "$g" v1)"
read -r d2 s2 <<<"$(push "$g" v2)"
read -r d3 s3 <<<"$(push "$g" v3)"
read -r d9 s9 <<<"$(push "$g" v9)"

# The repository as docker trust makes it: dct adds the signer rel (targets/releases, snapshot
# key on the server) and signs v1; notary, holding rel's key, signs v2 and v3 into releases;
# notary signs v9 into targets/other only.
make_delegation_cert rel
make_delegation_cert oth
run_capture dct signer add --key "$E2E_TMP/rel.crt" rel "$g"
assert_eq 0 "$RC" "dct signer add: $ERR"
run_capture dct key load "$E2E_TMP/rel.key" --name rel
assert_eq 0 "$RC" "dct key load: $ERR"
run_capture dct sign "$g:v1"
assert_eq 0 "$RC" "dct signs v1: $ERR"
assert_contains "$OUT" "targets/releases" "v1 signed into targets/releases"
run_capture dct delegation add "$g" targets/other "$E2E_TMP/oth.crt" --all-paths -p
assert_eq 0 "$RC" "dct delegates targets/other: $ERR"
notary_cli key import "$E2E_TMP/rel.key" --role user >/dev/null 2>&1 || true
notary_cli key import "$E2E_TMP/oth.key" --role user >/dev/null 2>&1 || true
notary_sign "$g" v2 "$d2" "$s2" targets/releases
notary_sign "$g" v3 "$d3" "$s3" targets/releases
notary_sign "$g" v9 "$d9" "$s9" targets/other
assert_eq "$d2" "$(resolve_on "$NOTARY_URL" v2)" "v2 (signed by notary) resolves on the old server"

# 1. --dry-run: what would be published, and nothing is.
run_capture dct mirror --dry-run "$g" --to "$N2"
assert_eq 0 "$RC" "dry run: $ERR"
assert_contains "$OUT" "Would publish" "dry run says what it would do"
assert_contains "$OUT" "targets/releases" "dry run lists targets/releases"
assert_contains "$OUT" "Keys of the new root" "dry run lists the keys of the new root"
grep -qE '^ +timestamp +\(made on publish\) +the new server$' <<<"$OUT" && pass ||
  fail "dry run: the timestamp key is the new server's: $OUT"
server_404 "$N2" "$N2_CA" root.json && pass || fail "dry run published no root"
server_404 "$N2" "$N2_CA" targets.json && pass || fail "dry run published no targets"
run_capture dct mirror --dry-run "$g" --to "$N2" --format json
assert_eq "would publish" "$(jq -r '.[0].status' <<<"$OUT")" "json: would publish"
assert_eq "server" "$(jq -r '.[0].snapshot.signer' <<<"$OUT")" "json: the new server signs the snapshot"

# 2. Without the root key: named, exit 1, nothing published.
NOROOT=$E2E_TMP/noroot
mkdir -p "$NOROOT"
cp -r "$DCT_TRUST/." "$NOROOT/"
root_id=$(dct key list --format json | jq -r '.[] | select(.role=="root") | .id' | head -1)
find "$NOROOT/private" -name "$root_id*" -delete
[[ -z $(find "$NOROOT/private" -name "$root_id*") && -n $root_id ]] && pass || fail "root key removed from the copy"
run_capture "$DCT_BIN" mirror "$g" --to "$N2" --trust-dir "$NOROOT"
assert_eq 1 "$RC" "no root key: exit 1"
assert_contains "$ERR" "$root_id" "names the root key needed"
assert_contains "$ERR" "docker dct key import" "says how to import it"
server_404 "$N2" "$N2_CA" root.json && pass || fail "nothing published without the root key"

# 3. The mirror.
run_capture dct mirror "$g" --to "$N2"
assert_eq 0 "$RC" "mirror: $ERR"
assert_contains "$OUT" "Published" "says it published"
for role in targets targets/releases targets/other; do
  a=$(curl -s --cacert "$STACK_CA" "$NOTARY_URL/v2/$g/_trust/tuf/$role.json" | sha256sum)
  b=$(curl -s --cacert "$N2_CA" "$N2/v2/$g/_trust/tuf/$role.json" | sha256sum)
  assert_eq "$a" "$b" "$role is byte for byte the same on both servers"
done

# 4. The same trust decisions on both servers, by dct and by notary.
for t in v1 v2 v3 v9; do
  old=$(resolve_on "$NOTARY_URL" "$t")
  assert_eq "$old" "$(resolve_on "$N2" "$t")" "dct resolves $t the same on both servers"
  old=$(lookup_on "$NOTARY_URL" "$STACK_CA" "$t")
  assert_eq "$old" "$(lookup_on "$N2" "$N2_CA" "$t")" "notary looks up $t the same on both servers"
done
assert_eq "$d1" "$(resolve_on "$N2" v1)" "v1 (signed by dct) on the new server"
assert_eq "$d3" "$(resolve_on "$N2" v3)" "v3 (signed by notary) on the new server"
assert_contains "$(resolve_on "$N2" v9)" "untrusted" "v9 (targets/other only) is not trusted there either"
assert_eq "$d9 $s9" "$(lookup_on "$N2" "$N2_CA" v9)" "notary finds v9 there"
assert_eq "$(list_on "$NOTARY_URL" "$STACK_CA")" "$(list_on "$N2" "$N2_CA")" "notary lists the same tags, digests and roles on both servers"
assert_contains "$(list_on "$N2" "$N2_CA")" "targets/other" "notary lists v9 in targets/other"
# A trust dir that knew the old server, pointed at the new one, follows the new root (a copy:
# from then on it trusts the new server's keys, so the mirror runs from the original).
FOLLOWER=$E2E_TMP/follower
cp -r "$DCT_TRUST" "$FOLLOWER"
run_capture "$DCT_BIN" resolve "$g:v2" --server "$N2" --trust-dir "$FOLLOWER"
assert_eq 0 "$RC" "the trust dir that knew the old server follows the new root: $ERR"
assert_eq "$g@$d2" "$OUT" "v2 there"
run_capture env DOCKER_CONTENT_TRUST_SERVER="$N2" "$DCT_BIN" resolve "$g:v3" --trust-dir "$E2E_TMP/envreader"
assert_eq "$g@$d3" "$OUT" "DOCKER_CONTENT_TRUST_SERVER points dct at the new server: $ERR"
if out=$(DOCKER_CONTENT_TRUST_SERVER=$N2 docker trust inspect "$g" 2>/dev/null); then
  assert_eq "${d2#sha256:}" "$(jq -r '.[0].SignedTags[] | select(.SignedTag=="v2") | .Digest' <<<"$out")" \
    "docker trust inspect on the new server shows v2"
else
  fail "docker trust inspect on the new server"
fi

# A notary trust dir that cached the repository from the old server holds the old server's
# timestamp, whose version is higher than the new server's first: notary refuses it as a
# rollback until timestamp.json and snapshot.json are removed (the README says so); then it
# follows the new root, which the root key signed.
NT=$(jq -r .trust_dir "$NOTARY_CLIENT_CONFIG")
NC=$E2E_TMP/notary-cached
mkdir -p "$NC/tuf/$(dirname "$g")"
cp -r "$NT/tuf/$g" "$NC/tuf/$(dirname "$g")/"
run_capture notary -d "$NC" -s "$N2" --tlscacert "$N2_CA" lookup "$g" v2
assert_contains "$OUT$ERR" "lower than current version" "notary's cached timestamp from the old server is newer"
rm "$NC/tuf/$g/metadata/timestamp.json" "$NC/tuf/$g/metadata/snapshot.json"
run_capture notary -d "$NC" -s "$N2" --tlscacert "$N2_CA" lookup "$g" v2
assert_eq "$d2 $s2" "$(awk '{print $2, $3}' <<<"$OUT")" "then notary follows the new root: $ERR"

# 5. Again: up to date, nothing published.
before=$(curl -s --cacert "$N2_CA" "$N2/v2/$g/_trust/tuf/timestamp.json" | jq .signed.version)
run_capture dct mirror "$g" --to "$N2"
assert_eq 0 "$RC" "second mirror: $ERR"
assert_contains "$OUT" "up to date" "second run is up to date"
after=$(curl -s --cacert "$N2_CA" "$N2/v2/$g/_trust/tuf/timestamp.json" | jq .signed.version)
assert_eq "$before" "$after" "nothing was published the second time"

# 6. A new signature on the old server is carried by the next run, and only it.
read -r d4 s4 <<<"$(push "$g" v4)"
notary_sign "$g" v4 "$d4" "$s4" targets/releases
run_capture dct mirror "$g" --to "$N2" --format json
assert_eq 0 "$RC" "mirror after a new tag: $ERR"
assert_eq "published" "$(jq -r '.[0].status' <<<"$OUT")" "published the change"
assert_eq '["targets/releases"]' "$(jq -c '.[0].files' <<<"$OUT")" "only targets/releases was carried"
assert_eq "$d4" "$(resolve_on "$N2" v4)" "v4 resolves on the new server"
assert_eq "$d4 $s4" "$(lookup_on "$N2" "$N2_CA" v4)" "notary finds v4 there"

# 7. A repository made by the notary CLI keeps its snapshot key in the client: the mirror signs
# the snapshot with it (dct reads the notary client's trust dir, where the keys are).
g=$(new_gun mirror-notary)
read -r n1 ns1 <<<"$(push "$g" v1)"
notary_init "$g"
notary_sign "$g" v1 "$n1" "$ns1"
run_capture "$DCT_BIN" mirror "$g" --to "$N2" --trust-dir "$NT" --format json
assert_eq 0 "$RC" "mirror of a notary-made repository: $ERR"
assert_eq "here" "$(jq -r '.[0].snapshot.signer' <<<"$OUT")" "the snapshot is signed here"
assert_eq "kept" "$(jq -r '.[0].root.keys[] | select(.role=="snapshot") | .origin' <<<"$OUT")" "the snapshot key is kept"
assert_eq "$n1" "$(resolve_on "$N2" v1)" "dct resolves v1 on the new server"
assert_eq "$n1 $ns1" "$(lookup_on "$N2" "$N2_CA" v1)" "notary looks up v1 on the new server"
run_capture "$DCT_BIN" mirror "$g" --to "$N2"
assert_contains "$OUT" "up to date" "up to date, even from a trust dir without its keys: $ERR"

# 8. A hostile source server: a proxy in front of the old server changes one byte of
# targets/releases. The mirror, even holding every key, refuses as a security failure and the
# new server gets nothing.
g=$(new_gun mirror-hostile)
read -r h1 _ <<<"$(push "$g" v1)"
run_capture dct signer add --key "$E2E_TMP/rel.crt" rel "$g"
assert_eq 0 "$RC" "signer add for the hostile case: $ERR"
run_capture dct sign "$g:v1"
assert_eq 0 "$RC" "sign v1 for the hostile case: $ERR"
echo pass >"$E2E_TMP/proxy.mode"
start_server proxy fault_proxy.py "$STACK_DIR/tls/localhost.crt" "$STACK_DIR/tls/localhost.key" \
  "$STACK_CA" "${NOTARY_URL##*:}" "$E2E_TMP/proxy.mode"
mkdir -p "$CFG/tls/127.0.0.1:$proxy_port"
cp "$STACK_CA" "$CFG/tls/127.0.0.1:$proxy_port/ca.crt"
HOSTILE=$E2E_TMP/hostile-trust
mkdir -p "$HOSTILE"
cp -r "$DCT_TRUST/private" "$HOSTILE/"
echo "tamper-trust:targets/releases" >"$E2E_TMP/proxy.mode"
run_capture "$DCT_BIN" mirror "$g" --server "https://127.0.0.1:$proxy_port" --to "$N2" --trust-dir "$HOSTILE"
assert_eq 1 "$RC" "a tampered source is not mirrored"
assert_contains "$ERR" "failed verification" "as a security failure"
assert_contains "$ERR" "targets/releases" "naming the role that failed"
assert_contains "$ERR" "may be an attack" "and not as something to re-sign"
server_404 "$N2" "$N2_CA" root.json && pass || fail "nothing of the tampered repository was published"
server_404 "$N2" "$N2_CA" targets.json && pass || fail "no targets of the tampered repository"
echo pass >"$E2E_TMP/proxy.mode"
run_capture "$DCT_BIN" mirror "$g" --server "https://127.0.0.1:$proxy_port" --to "$N2" --trust-dir "$HOSTILE"
assert_eq 0 "$RC" "the same mirror through an honest proxy: $ERR"
assert_eq "$h1" "$(resolve_on "$N2" v1)" "and v1 resolves on the new server"

# 9. Bad command lines.
run_capture dct mirror "$g:v1" --to "$N2"
assert_eq 1 "$RC" "a tag is refused"
assert_contains "$ERR" "has a tag or digest" "says the tag is the problem"
run_capture dct mirror "$g"
assert_eq 125 "$RC" "--to is required"

finish
