#!/usr/bin/env bash
# Local disk faults: a trust dir on a full file system (a small tmpfs, filled up) and a
# read-only trust dir (a read-only bind mount: chmod does not stop root). Commands that write
# fail with a clear message (or, once the server has accepted a publish, succeed and say the
# cache could not be written); staged changes and keys are never lost or left half-written;
# and once there is room again the same commands succeed. Without permission to mount, the
# cases are reported as SKIPPED.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh"

mounts=()
cleanup() {
  local m
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
  rm -rf "$E2E_TMP"
}
trap cleanup EXIT

g=$(new_gun disk)
repo=$(repo_of "$g")
for t in v1 v2 v3 v4 v5; do "$E2E_ROOT/scripts/stack.sh" push-image "$repo" "$t" >/dev/null; done
size_digest() { jq -r '"\(.size) \(.digest | ltrimstr("sha256:"))"' "$STACK_DIR/pushed/${repo//\//_}_$1.json"; }
stage() {  # DIR TAG: staged with the notary CLI
  local s d
  read -r s d < <(size_digest "$2")
  notary_at "$1" addhash "$g" "$2" "$s" --sha256 "$d" >/dev/null
}
run_capture dct init "$g"
assert_eq 0 "$RC" "init ($ERR)"
certs=$E2E_TMP/certs
mkdir -p "$certs"
keys_sum() { find "$1/private" -type f -exec sha256sum {} \; | sort | sha256sum | cut -c1-16; }

# ---- full disk ----
full=$E2E_TMP/full
mkdir -p "$full"
if ! why=$(mount -t tmpfs -o size=1m,mode=0700 tmpfs "$full" 2>&1); then
  for c in "full disk: sign" "full disk: publish" "full disk: key generate" "full disk: resolve"; do
    case_skip disk "$c" "cannot mount a tmpfs: $why"
  done
else
  mounts+=("$full")
  cp -a "$DCT_TRUST/." "$full/"
  stage "$full" v2
  fill() { dd if=/dev/zero of="$full/filler" bs=4k >/dev/null 2>&1 || true; }
  unfill() { rm -f "$full/filler"; }
  dfull() { "$DCT_BIN" "$@" --trust-dir "$full"; }
  fill

  case_begin disk "full disk: sign"
  before=$(keys_sum "$full")
  run_capture dfull sign "$g:v1"
  first=$(observed_run)
  failed_clearly "full sign"
  assert_contains "$ERR" "No space left on device" "full sign: the cause is named"
  assert_contains "$ERR" "free some space" "full sign: what to do is said"
  assert_not_contains "$(server_tags "$g")" "v1" "full sign: v1 not published"
  assert_eq "v2 " "$(staged_tags "$full" "$g")" "full sign: the earlier staged change is kept"
  assert_eq "$before" "$(keys_sum "$full")" "full sign: keys unchanged"
  assert_eq "" "$(find "$full" -name '*.tmp-*')" "full sign: no temp files left"
  case_end "$first; staged change and keys kept"

  case_begin disk "full disk: key generate"
  before=$(keys_sum "$full")
  run_capture dfull key generate fullkey --dir "$certs"
  first=$(observed_run)
  failed_clearly "full key generate"
  assert_contains "$ERR" "No space left on device" "full key generate: the cause is named"
  assert_contains "$ERR" "free some space" "full key generate: what to do is said"
  assert_eq "$before" "$(keys_sum "$full")" "full key generate: no partial key file"
  assert_eq 0 "$(find "$certs" -name 'fullkey*' | wc -l)" "full key generate: no certificate for a key not kept"
  assert_eq "" "$(find "$full" -name '*.tmp-*')" "full key generate: no temp files left"
  case_end "$first; key store unchanged"

  case_begin disk "full disk: init of a new repository"
  g2=$(new_gun disk-init)
  keys_before=$(find "$full/private" -name '*.key' | sort)
  run_capture dfull init "$g2"
  first=$(observed_run)
  failed_clearly "full init"
  assert_contains "$ERR" "No space left on device" "full init: the cause is named"
  assert_contains "$ERR" "free some space" "full init: what to do is said"
  assert_eq "" "$(server_tags "$g2")" "full init: nothing published"
  bad_keys=0
  while IFS= read -r f; do decrypts "$f" || bad_keys=$((bad_keys + 1)); done \
    < <(find "$full/private" -name '*.key')
  assert_eq 0 "$bad_keys" "full init: every key file left decrypts"
  assert_eq "" "$(find "$full" -name '*.tmp-*')" "full init: no temp files left"
  new_keys=$(comm -13 <(echo "$keys_before") <(find "$full/private" -name '*.key' | sort) | wc -l)
  case_end "$first; $new_keys new key files, all decrypt"

  case_begin disk "full disk: resolve"
  run_capture "$DCT_BIN" sign "$g:v4" --trust-dir "$DCT_TRUST"
  assert_eq 0 "$RC" "v4 signed elsewhere ($ERR)"
  run_capture dfull resolve "$g:v4"
  first=$(observed_run)
  if ((RC == 0)); then
    assert_contains "$OUT" "$(size_digest v4 | cut -d' ' -f2)" "full resolve: the right digest"
    first="exit 0, resolved; $(first_error)"
  else
    failed_clearly "full resolve"
    assert_contains "$ERR" "No space left on device" "full resolve: the cause is named"
    assert_contains "$ERR" "free some space" "full resolve: what to do is said"
  fi
  assert_eq "" "$(find "$full" -name '*.tmp-*')" "full resolve: no temp files left"
  case_end "$first"

  case_begin disk "full disk: publish"
  run_capture dfull publish "$g"
  first=$(observed_run)
  on_server=$(server_tags "$g") staged=$(staged_tags "$full" "$g")
  if ((RC == 0)); then
    assert_contains "$on_server" "v2" "full publish succeeded: v2 is on the server"
    assert_eq "" "$staged" "full publish succeeded: nothing left staged"
    assert_contains "$OUT$ERR" "No space left on device" "full publish: the cache failure is mentioned"
    first="exit 0, published; warned \"$(grep -m1 -o 'could not.*' <<<"$OUT$ERR" | cut -c1-60)\""
  else
    failed_clearly "full publish"
    assert_contains "$ERR" "No space left on device" "full publish: the cause is named"
    assert_contains "$ERR" "free some space" "full publish: what to do is said"
    assert_not_contains "$on_server" "v2" "full publish failed: so v2 must not be on the server"
    assert_eq "v2 " "$staged" "full publish failed: v2 still staged"
  fi
  case_end "$first"

  case_begin disk "full disk: room again"
  unfill
  run_capture dfull sign "$g:v1"
  first=$(observed_run)
  assert_eq 0 "$RC" "sign with room again ($ERR)"
  run_capture dfull key generate fullkey --dir "$certs"
  assert_eq 0 "$RC" "key generate with room again ($ERR)"
  run_capture dfull init "$g2"
  assert_eq 0 "$RC" "init with room again ($ERR)"
  assert_contains "$(server_tags "$g")" "v1 v2" "v1 and v2 published"
  assert_eq "" "$(staged_tags "$full" "$g")" "nothing left staged"
  case_end "$first; key generate and init exit 0: $([[ $E2E_FAILURES == "$CASE_FAILS" ]] && echo yes || echo no)"
fi

# ---- read-only trust dir ----
src=$E2E_TMP/ro-src ro=$E2E_TMP/ro
mkdir -p "$src" "$ro"
cp -a "$DCT_TRUST/." "$src/"
stage "$src" v3
ro_ok=0 why="writes still succeed"
if mount --bind "$src" "$ro" 2>"$E2E_TMP/mount.err"; then
  mounts+=("$ro")
  if mount -o remount,bind,ro "$ro" 2>"$E2E_TMP/mount.err" && ! touch "$ro/probe" 2>/dev/null; then
    ro_ok=1
  fi
fi
[[ -s $E2E_TMP/mount.err ]] && why=$(head -1 "$E2E_TMP/mount.err")
if ((!ro_ok)); then
  for c in "read-only: publish" "read-only: sign" "read-only: key generate" "read-only: status and resolve"; do
    case_skip disk "$c" "cannot make a read-only bind mount: $why"
  done
else
  dro() { "$DCT_BIN" "$@" --trust-dir "$ro"; }
  sum0=$(tree_sum "$src")
  ro_case() {  # CASE ARGS...: a writing command fails clearly, nothing changes
    local name=$1
    shift
    case_begin disk "read-only: $name"
    run_capture dro "$@"
    local first
    first=$(observed_run)
    failed_clearly "ro $name"
    assert_contains "$ERR" "Read-only file system" "ro $name: the cause is named"
    assert_contains "$ERR" "must be writable" "ro $name: what to do is said"
    assert_eq "$sum0" "$(tree_sum "$src")" "ro $name: trust dir unchanged"
    assert_eq "v3 " "$(staged_tags "$ro" "$g")" "ro $name: the staged change is kept"
    assert_not_contains "$(server_tags "$g")" "v3" "ro $name: nothing published"
    case_end "$first; trust dir unchanged"
  }
  ro_case publish publish "$g"
  ro_case sign sign "$g:v5"
  ro_case "key generate" key generate rokey --dir "$certs"
  case_begin disk "read-only: status and resolve"
  run_capture dro status "$g"
  st=$RC
  assert_eq 0 "$RC" "ro status ($ERR)"
  assert_contains "$OUT" "v3" "ro status lists the staged change"
  run_capture dro resolve "$g:v1"
  first=$(observed_run)
  if ((RC == 0)); then
    assert_contains "$OUT" "$(size_digest v1 | cut -d' ' -f2)" "ro resolve: the right digest"
  else
    failed_clearly "ro resolve"
    assert_contains "$ERR" "Read-only file system" "ro resolve: the cause is named"
    assert_contains "$ERR" "must be writable" "ro resolve: what to do is said"
  fi
  assert_eq "$sum0" "$(tree_sum "$src")" "ro resolve: trust dir unchanged"
  case_end "status exit $st; resolve $first"
  umount "$ro"
  run_capture "$DCT_BIN" publish "$g" --trust-dir "$src"
  assert_eq 0 "$RC" "publish once writable again ($ERR)"
  assert_contains "$(server_tags "$g")" "v3" "v3 published once writable again"
fi

finish
