#!/usr/bin/env bash
# The verified index (<trust dir>/tuf/<gun>/dct-index/<role>.index): a warm resolve reads an
# unchanged targets role through it; a tag signed or moved with notary is seen at once; an index
# edited (a range moved into the digest, pointed at another tag, garbage; with or without
# sealing it again with the key), an index from another trust dir, or a cached file edited never
# yields a wrong digest; the index and its seal key are 0600 in 0700 directories, and a key that
# others can read is replaced.
source "$(dirname "$0")/lib.sh"

hex() { printf 'manifest %s' "$1" | sha256sum | cut -c1-64; }
# One notary publish of tags t0..t(N-1) in ROLE (staged with addhash, no -p).
sign_many() {  # GUN N [ROLE]
  local gun=$1 n=$2 role=${3:-} i args
  for ((i = 0; i < n; i++)); do
    args=(addhash "$gun" "t$i" 100 --sha256 "$(hex "$i${role:+-$role}")")
    [[ -n $role ]] && args+=(--roles "$role")
    notary_cli "${args[@]}" >/dev/null
  done
  notary_cli publish "$gun" >/dev/null
}
# edit_index FILE TAG (other TAG2 | shift N | line TEXT) [KEYFILE]: rewrites TAG's line; with
# KEYFILE, seals the result again with that key, as only someone holding it could.
edit_index() {
  /usr/bin/python3 - "$@" <<'PY'
import hashlib, hmac, sys
path, tag, how, arg = sys.argv[1:5]
key = open(sys.argv[5]).read().strip() if len(sys.argv) > 5 else None
def write(lines):
    text = "\n".join(lines)
    if key:
        body = text[: text.rindex("mac ")]
        text = body + "mac " + hmac.new(bytes.fromhex(key), body.encode(), hashlib.sha256).hexdigest() + "\n"
    open(path, "w").write(text)
lines = open(path).read().split("\n")
at = next(i for i, l in enumerate(lines) if l.startswith(tag + "\t"))
_, off, length = lines[at].split("\t")
if how == "other":
    _, off, length = next(l for l in lines if l.startswith(arg + "\t")).split("\t")
elif how == "shift":
    off = str(int(off) + int(arg))
else:
    lines[at] = arg
    write(lines)
    sys.exit(0)
lines[at] = f"{tag}\t{off}\t{length}"
write(lines)
PY
}
used_index() {  # ROLE GUN: whether the last -D run read ROLE through its index
  [[ $ERR == *"$1 of $2 read through its verified index"* ]]
}

echo "== a warm resolve reads targets through its index, written 0600 in 0700"
g=$(new_gun index)
notary_init "$g"
sign_many "$g" 40
run_capture dct resolve -D "$g:t7"
assert_eq 0 "$RC" "cold resolve exit"
assert_eq "$g@sha256:$(hex 7)" "$OUT" "cold resolve digest"
used_index targets "$g" && fail "a cold resolve has no index to read" || pass
index_dir=$DCT_TRUST/tuf/$g/dct-index
index=$index_dir/targets.index
[[ -f $index ]] && pass || fail "no index written after the full verification"
assert_eq 600 "$(stat -c %a "$index")" "index file mode"
assert_eq 700 "$(stat -c %a "$index_dir")" "index directory mode"
seal_key=$DCT_TRUST/dct/index-seal.key
assert_eq 600 "$(stat -c %a "$seal_key")" "seal key file mode"
assert_eq 700 "$(stat -c %a "$DCT_TRUST/dct")" "seal key directory mode"
assert_contains "$(head -6 "$index")" "sha256 $(sha256sum <"$DCT_TRUST/tuf/$g/metadata/targets.json" | cut -c1-64)" \
  "index names the hash of the cached targets file"
run_capture dct resolve -D "$g:t7"
assert_eq "$g@sha256:$(hex 7)" "$OUT" "warm resolve digest"
used_index targets "$g" && pass || fail "the warm resolve did not use the index: $ERR"
run_capture dct resolve -D "$g:t39"
assert_eq "$g@sha256:$(hex 39)" "$OUT" "warm resolve of another tag"
used_index targets "$g" && pass || fail "the index was not used for t39"

echo "== a tag moved or signed with notary is seen at once"
notary_cli addhash "$g" t7 200 --sha256 "$(hex moved)" -p >/dev/null
notary_cli addhash "$g" fresh 200 --sha256 "$(hex fresh)" -p >/dev/null
run_capture dct resolve -D "$g:t7"
assert_eq "$g@sha256:$(hex moved)" "$OUT" "moved tag"
used_index targets "$g" && fail "an index made for the old file was used" || pass
run_capture dct resolve -D "$g:fresh"
assert_eq "$g@sha256:$(hex fresh)" "$OUT" "new tag"
used_index targets "$g" && pass || fail "the index was not made again for the new file"
assert_eq "$(notary_cli lookup "$g" t7 | awk '{print $2}')" "sha256:$(hex moved)" \
  "notary agrees on the moved tag"
notary_cli remove "$g" t8 -p >/dev/null
run_capture dct resolve "$g:t8"
assert_eq 1 "$RC" "a removed tag is gone"
assert_contains "$ERR" "not signed" "removed tag message"

echo "== an edited index never yields a wrong digest"
dct resolve "$g:t5" >/dev/null
for edit in "other t6" "shift 9" "shift -1" "shift 40" "line t5	0	999" "line garbage"; do
  dct resolve "$g:t5" >/dev/null  # the index is good again before each edit
  read -r how arg <<<"$edit"
  edit_index "$index" t5 "$how" "$arg"
  run_capture dct resolve -D "$g:t5"
  assert_eq 0 "$RC" "edited index ($edit): exit"
  assert_eq "$g@sha256:$(hex 5)" "$OUT" "edited index ($edit): the verified digest"
  used_index targets "$g" && fail "edited index ($edit) was used" || pass
  record_attack "verified index" "index edited: $edit" "digest of t5 unchanged, full verification" \
    "$( [[ $OUT == "$g@sha256:$(hex 5)" ]] && echo PASS || echo FAIL)"
done
# Sealed again with the right key (someone who can read the key file): the entry read is still
# checked to be the tag's own, and the file's bytes are still the ones hashed.
for edit in "other t6" "shift 9" "shift -1" "line t5	0	999"; do
  dct resolve "$g:t5" >/dev/null
  read -r how arg <<<"$edit"
  edit_index "$index" t5 "$how" "$arg" "$seal_key"
  run_capture dct resolve -D "$g:t5"
  assert_eq "$g@sha256:$(hex 5)" "$OUT" "resealed index ($edit): the verified digest"
  used_index targets "$g" && fail "resealed index ($edit) was used" || pass
  record_attack "verified index" "index edited and sealed again with the key: $edit" \
    "digest of t5 unchanged, full verification" \
    "$( [[ $OUT == "$g@sha256:$(hex 5)" ]] && echo PASS || echo FAIL)"
done
head -c 100 /dev/urandom >"$index"
run_capture dct resolve -D "$g:t5"
assert_eq "$g@sha256:$(hex 5)" "$OUT" "random bytes as the index"
run_capture dct resolve -D "$g:t5"
used_index targets "$g" && pass || fail "the index was not written again after garbage"
: >"$index"
run_capture dct resolve "$g:t5"
assert_eq "$g@sha256:$(hex 5)" "$OUT" "empty index"

echo "== an edited cached file is not read through the index made for the real one"
dct resolve "$g:t5" >/dev/null
cached=$DCT_TRUST/tuf/$g/metadata/targets.json
b64() { printf '%s' "$1" | xxd -r -p | base64 -w0; }
sed -i "s#$(b64 "$(hex 5)")#$(b64 "$(hex 6)")#" "$cached"
grep -q "$(b64 "$(hex 6)")" "$cached" && pass || fail "the cached file was not edited"
run_capture dct resolve -D "$g:t5"
assert_eq "$g@sha256:$(hex 5)" "$OUT" "edited cached file: the verified digest"
used_index targets "$g" && fail "the index was used with an edited file" || pass
record_attack "verified index" "cached targets file edited (t5's digest swapped)" \
  "fetched again, digest unchanged" "$( [[ $OUT == "$g@sha256:$(hex 5)" ]] && echo PASS || echo FAIL)"

echo "== an index from another trust dir, or with a seal key others can read, is not used"
dct resolve "$g:t5" >/dev/null
other_trust=$(mktemp -d)
"$DCT_BIN" resolve --trust-dir "$other_trust" "$g:t5" >/dev/null
"$DCT_BIN" resolve --trust-dir "$other_trust" "$g:t5" >/dev/null
edit_index "$other_trust/tuf/$g/dct-index/targets.index" t5 other t6 "$other_trust/dct/index-seal.key"
cp "$other_trust/tuf/$g/dct-index/targets.index" "$index"
run_capture dct resolve -D "$g:t5"
assert_eq "$g@sha256:$(hex 5)" "$OUT" "index copied from another trust dir: the verified digest"
used_index targets "$g" && fail "an index sealed with another trust dir's key was used" || pass
record_attack "verified index" "index made and sealed in another trust dir, copied in" \
  "not used, digest of t5 unchanged" "$( [[ $OUT == "$g@sha256:$(hex 5)" ]] && echo PASS || echo FAIL)"
rm -rf "$other_trust"
old_key=$(cat "$seal_key")
chmod 640 "$seal_key"
run_capture dct resolve -D "$g:t5"
assert_eq "$g@sha256:$(hex 5)" "$OUT" "group-readable seal key: the verified digest"
used_index targets "$g" && fail "an index sealed with a group-readable key was used" || pass
assert_eq 600 "$(stat -c %a "$seal_key")" "the seal key was made again, 0600"
[[ $(cat "$seal_key") != "$old_key" ]] && pass || fail "the group-readable seal key was kept"
run_capture dct resolve -D "$g:t5"
used_index targets "$g" && pass || fail "the index sealed with the new key was not used"

echo "== targets/releases: read through its own index, the pull rule unchanged"
r=$(new_gun index-releases)
notary_init "$r"
notary_cli key rotate "$r" snapshot -r >/dev/null
notary_cli addhash "$r" t3 100 --sha256 "$(hex 3)" -p >/dev/null
add_delegation "$r" targets/releases index-releaser
sign_many "$r" 30 targets/releases
dct resolve "$r:t3" >/dev/null
run_capture dct resolve -D --format json "$r:t3"
assert_eq targets/releases "$(jq -r .role <<<"$OUT")" "releases wins"
assert_eq "sha256:$(hex 3-targets/releases)" "$(jq -r .digest <<<"$OUT")" "releases digest"
used_index targets/releases "$r" && pass || fail "targets/releases was not read through its index"
rindex=$DCT_TRUST/tuf/$r/dct-index/targets/releases.index
assert_eq 600 "$(stat -c %a "$rindex")" "releases index mode"
edit_index "$rindex" t3 other t4
run_capture dct resolve -D "$r:t3"
assert_eq "$r@sha256:$(hex 3-targets/releases)" "$OUT" "releases index pointed at t4"
used_index targets/releases "$r" && fail "the edited releases index was used" || pass
notary_cli addhash "$r" t3 100 --sha256 "$(hex re-released)" --roles targets/releases -p >/dev/null
run_capture dct resolve "$r:t3"
assert_eq "$r@sha256:$(hex re-released)" "$OUT" "a tag moved in targets/releases"

echo "== DCT_VERIFIED_INDEX=0: nothing read or written"
rm -rf "$index_dir"
run_capture env DCT_VERIFIED_INDEX=0 "$DCT_BIN" resolve -D "$g:t5" --trust-dir "$DCT_TRUST"
assert_eq "$g@sha256:$(hex 5)" "$OUT" "resolve without the index"
[[ -e $index_dir ]] && fail "an index was written with DCT_VERIFIED_INDEX=0" || pass

finish
