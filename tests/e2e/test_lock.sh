#!/usr/bin/env bash
# Two or more `dct` processes editing one repository's trust data at once, in one trust dir:
# the repository lock (<trust_dir>/tuf/<gun>/dct.lock) makes them take turns. A process that
# finds the lock held says so once, waits, and carries on; one that waits past
# DCT_LOCK_TIMEOUT fails clearly and keeps its staged changes. Nothing is lost either way.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh"

g=$(new_gun lock)
repo=$(repo_of "$g")
for t in v1 v2 v3 v4 v5 v6; do "$E2E_ROOT/scripts/stack.sh" push-image "$repo" "$t" >/dev/null; done
size_digest() {  # TAG -> "SIZE HEX" of the pushed manifest
  jq -r '"\(.size) \(.digest | ltrimstr("sha256:"))"' "$STACK_DIR/pushed/${repo//\//_}_$1.json"
}
stage() {  # TAG: staged with the notary CLI into dct's trust dir
  local s d
  read -r s d < <(size_digest "$1")
  notary_at "$DCT_TRUST" addhash "$g" "$1" "$s" --sha256 "$d" >/dev/null
}
run_capture dct init "$g"
assert_eq 0 "$RC" "init ($ERR)"
lockfile=$DCT_TRUST/tuf/$g/dct.lock

# bg NAME ARGS...: dct in the background; its pid, output and exit status in
# $E2E_TMP/NAME.{pid,out,err,rc}
bg() {
  local name=$1
  shift
  rm -f "$E2E_TMP/$name".*
  (
    set +e
    bash -c 'echo $$ >"$0"; exec "$@"' "$E2E_TMP/$name.pid" "$DCT_BIN" "$@" \
      --trust-dir "$DCT_TRUST" >"$E2E_TMP/$name.out" 2>"$E2E_TMP/$name.err"
    echo $? >"$E2E_TMP/$name.rc"
  ) 9>&- &
  for _ in $(seq 100); do [[ -s $E2E_TMP/$name.pid ]] && break; sleep 0.01; done
}
# A waiting message must name the pid of the other process: check it when one was printed.
WAITED=""
check_wait_notice() {  # ERRFILE OTHER_PIDS... ; sets WAITED when a notice was printed
  local line pid
  line=$(grep -m1 '^waiting for another docker dct process' "$1" || true)
  [[ -z $line ]] && return 0
  pid=$(sed -n 's/.*(pid \([0-9]*\)).*/\1/p' <<<"$line")
  shift
  if [[ " $* " == *" $pid "* ]]; then pass; else fail "waiting notice names pid $pid, not one of [$*]"; fi
  assert_eq "waiting for another docker dct process (pid $pid) to finish with $g..." "$line" \
    "the waiting notice"
  WAITED=", one waited"
}

case_begin lock "two dct sign of different tags to one repository at once"
bg a sign "$g:v1"
bg b sign "$g:v2"
wait
pa=$(cat "$E2E_TMP/a.rc") pb=$(cat "$E2E_TMP/b.rc")
assert_eq "0 0" "$pa $pb" "both signs succeed ($(cat "$E2E_TMP/a.err" "$E2E_TMP/b.err"))"
dct_pids="$(cat "$E2E_TMP/a.pid") $(cat "$E2E_TMP/b.pid")"
# shellcheck disable=SC2086
check_wait_notice "$E2E_TMP/a.err" $dct_pids
# shellcheck disable=SC2086
check_wait_notice "$E2E_TMP/b.err" $dct_pids
assert_eq "v1 v2 " "$(server_tags "$g")" "both tags signed"
assert_eq "" "$(staged_tags "$DCT_TRUST" "$g")" "nothing left staged"
case_end "exits $pa and $pb, server has: $(server_tags "$g")$WAITED"

case_begin lock "two dct publish of staged changes at once"
stage v3
stage v4
bg c publish "$g"
bg d publish "$g"
wait
pc=$(cat "$E2E_TMP/c.rc") pd=$(cat "$E2E_TMP/d.rc")
assert_eq "0 0" "$pc $pd" "both publishes succeed ($(cat "$E2E_TMP/c.err" "$E2E_TMP/d.err"))"
assert_eq "v1 v2 v3 v4 " "$(server_tags "$g")" "everything published, nothing lost"
assert_eq "" "$(staged_tags "$DCT_TRUST" "$g")" "nothing left staged"
run_capture notary_at "$DCT_TRUST" status "$g"
assert_eq 0 "$RC" "notary works beside the lock file ($ERR)"
case_end "exits $pc and $pd, server has: $(server_tags "$g")"

# Another process holds the lock (this shell, through flock(1), with its pid in the file).
# Processes started meanwhile get fd 9 closed: an inherited copy would hold the lock too.
hold_lock() {
  exec 9<>"$lockfile"
  flock -x 9
  echo $$ >"$lockfile"
}
release_lock() { exec 9>&-; }

case_begin lock "the second process waits with a message, then goes on"
hold_lock
DCT_LOCK_TIMEOUT=30 bg e sign "$g:v5"
for _ in $(seq 50); do grep -q waiting "$E2E_TMP/e.err" 2>/dev/null && break; sleep 0.1; done
sleep 0.5
assert_eq "waiting for another docker dct process (pid $$) to finish with $g..." \
  "$(head -1 "$E2E_TMP/e.err")" "the waiting notice, once, naming the holder"
assert_eq 0 "$([[ -s $E2E_TMP/e.rc ]] && echo 1 || echo 0)" "it waits while the lock is held"
assert_not_contains "$(server_tags "$g")" "v5" "nothing published while waiting"
release_lock
wait
pe=$(cat "$E2E_TMP/e.rc")
assert_eq 0 "$pe" "it signs once the lock is free ($(cat "$E2E_TMP/e.err"))"
assert_eq 1 "$(grep -c '^waiting' "$E2E_TMP/e.err")" "the notice is printed once"
assert_contains "$(server_tags "$g")" "v5" "v5 signed after the wait"
case_end "printed \"$(head -1 "$E2E_TMP/e.err" | cut -c1-48)...\", exit $pe after the lock was freed"

case_begin lock "the second process gives up clearly; its staged change survives"
stage v6
hold_lock
start=$SECONDS
DCT_LOCK_TIMEOUT=1 run_capture dct publish "$g" 9>&-
secs=$((SECONDS - start))
release_lock
failed_clearly "lock timeout"
assert_contains "$ERR" "another docker dct process (pid $$) is still working on the trust data of $g" \
  "the error names the holder and the repository"
assert_contains "$ERR" "DCT_LOCK_TIMEOUT" "the hint says how to wait longer"
assert_eq 1 "$((secs < 10))" "gave up after the timeout (${secs} s)"
assert_eq "v6 " "$(staged_tags "$DCT_TRUST" "$g")" "the staged change survives"
assert_not_contains "$(server_tags "$g")" "v6" "nothing published"
first=$(observed_run)
run_capture dct publish "$g"
assert_eq 0 "$RC" "publish once the lock is free ($ERR)"
assert_contains "$(server_tags "$g")" "v6" "v6 published in the end"
wait
case_end "$first; staged change kept; next publish exit $RC"

case_begin lock "status --reset waits for the lock too; plain status does not"
stage v2
hold_lock
run_capture dct status "$g" 9>&-
st=$RC
assert_eq 0 "$RC" "status reads while the lock is held ($ERR)"
assert_contains "$OUT" "v2" "status lists the staged change"
DCT_LOCK_TIMEOUT=1 run_capture dct status "$g" --reset 9>&-
release_lock
first=$(observed_run)
failed_clearly "reset while locked"
assert_contains "$ERR" "is still working on the trust data of $g" "reset while locked: the message"
assert_eq "v2 " "$(staged_tags "$DCT_TRUST" "$g")" "reset while locked: the change is not dropped"
run_capture dct status "$g" --reset
assert_eq 0 "$RC" "reset once the lock is free ($ERR)"
assert_eq "" "$(staged_tags "$DCT_TRUST" "$g")" "reset once the lock is free: dropped"
case_end "status exit $st while locked; --reset $first; --reset once free exit $RC"

case_begin lock "a killed holder leaves no stale lock"
stage v1
bg f publish "$g"
sleep 0.05
kill -KILL "$(cat "$E2E_TMP/f.pid")" 2>/dev/null || true
wait
start=$SECONDS
DCT_LOCK_TIMEOUT=5 run_capture dct publish "$g"
assert_eq 0 "$RC" "the next publish gets the lock ($ERR)"
assert_not_contains "$ERR" "waiting for another" "no wait for a dead process"
assert_eq "" "$(staged_tags "$DCT_TRUST" "$g")" "nothing left staged"
case_end "next publish exit $RC after $((SECONDS - start)) s"

finish
