# shellcheck shell=bash
# Sourced by the fault tests (after lib.sh): cases, their results line, and small helpers.
# With DCT_RESULTS_DIR set, every case appends one line to $DCT_RESULTS_DIR/faults.tsv:
#   area<TAB>case<TAB>what dct did (observed in this run)<TAB>PASS|FAIL|SKIPPED

CASE_AREA="" CASE_NAME="" CASE_FAILS=0
case_begin() {  # AREA CASE
  CASE_AREA=$1 CASE_NAME=$2 CASE_FAILS=$E2E_FAILURES
  echo "== $1: $2"
}
# case_end OBSERVED: PASS when no check of the case failed.
case_end() {
  local verdict=PASS
  ((E2E_FAILURES > CASE_FAILS)) && verdict=FAIL
  results_line "$verdict" "$1"
}
case_skip() {  # AREA CASE WHY: a case that could not run here, reported as such
  CASE_AREA=$1 CASE_NAME=$2
  echo "SKIPPED $1: $2 ($3)"
  results_line SKIPPED "not run: $3"
}
results_line() {  # VERDICT OBSERVED
  [[ -n ${DCT_RESULTS_DIR:-} ]] || return 0
  mkdir -p "$DCT_RESULTS_DIR"
  local observed=${2//$'\t'/ }
  observed=${observed//$'\n'/ }
  printf '%s\t%s\t%s\t%s\n' "$CASE_AREA" "$CASE_NAME" "$observed" "$1" >>"$DCT_RESULTS_DIR/faults.tsv"
}
# Test servers in the background (fault_proxy.py, credential_trap.py); stop_servers ends them.
server_pids=()
stop_servers() {
  local p
  for p in "${server_pids[@]}"; do kill "$p" 2>/dev/null || true; done
}
# start_server NAME SCRIPT ARGS...: runs tests/e2e/SCRIPT ARGS PORT_FILE (stderr in NAME.log)
# and waits for the port it listens on, which ends up in ${NAME}_port.
start_server() {
  local name=$1 script=$2
  shift 2
  /usr/bin/python3 "$E2E_ROOT/tests/e2e/$script" "$@" "$E2E_TMP/$name.port" >"$E2E_TMP/$name.log" 2>&1 &
  server_pids+=($!)
  for _ in $(seq 100); do [[ -s $E2E_TMP/$name.port ]] && break; sleep 0.05; done
  printf -v "${name}_port" '%s' "$(cat "$E2E_TMP/$name.port")"
}

# The first line of the last error, shortened: what the user saw first.
first_error() {
  local line
  line=$(printf '%s\n' "$ERR" | grep -v '^waiting for another' | grep -v '^WARNING' | head -1)
  # Paths of this run's scratch space say nothing to a reader of the results.
  line=${line//"$E2E_TMP/"/}
  # Which server the failure came from is in the case's name.
  line=$(sed -E 's/^notary server [^ ]+ \(from [^)]*\): //' <<<"$line")
  # A long message's closing remark in parentheses (what was kept...) goes first.
  if ((${#line} > 110)) && [[ $line == *")" ]]; then line=${line%% (*}; fi
  # The start says what was being done, the end usually why it failed: keep both.
  ((${#line} > 110)) && line="${line:0:50} ... ${line: -55}"
  printf '%s' "$line"
}
# 'exit N, "first error words"' from the last run_capture.
observed_run() { printf 'exit %s, "%s"' "$RC" "$(first_error)"; }

assert_any() {  # HAYSTACK WHAT NEEDLE...: at least one needle occurs
  local hay=$1 what=$2 n
  shift 2
  for n in "$@"; do [[ $hay == *"$n"* ]] && { pass; return 0; }; done
  fail "$what: none of [$*] found in [$hay]"
}
# failed_clearly WHAT: the last run failed with a message on stderr, claimed no success, and did
# not dress a local or network fault up as an attack.
failed_clearly() {
  assert_eq 1 "$((RC != 0))" "$1: non-zero exit"
  assert_eq 1 "$((${#ERR} > 0))" "$1: an error message on stderr"
  assert_not_contains "$OUT" "Successfully" "$1: no success claimed"
  assert_not_contains "$ERR" "sign of an attack" "$1: not reported as a security failure"
}

notary_at() {  # DIR ARGS...: the notary CLI on another trust dir, the stack's server
  local dir=$1
  shift
  notary -d "$dir" -s "$NOTARY_URL" --tlscacert "$STACK_CA" "$@"
}
# Tags the server has for GUN, sorted, space-separated (read with a throwaway trust dir).
server_tags() {
  local probe
  probe=$(mktemp -d "$E2E_TMP/probe.XXXX")
  notary_at "$probe" list "$1" 2>/dev/null |
    awk 'length($2) == 64 && $2 ~ /^[0-9a-f]+$/ {print $1}' | sort -u | tr '\n' ' '
  rm -rf "$probe"
}
# Paths the changelist of GUN in DIR stages, sorted, space-separated.
staged_tags() {
  local dir=$1 g=$2 f
  for f in "$dir/tuf/$g/changelist"/*.change; do
    [[ -e $f ]] || continue
    jq -r .path "$f"
  done | sort -u | tr '\n' ' '
}
# A digest of every file below DIR with its mode: to show that nothing changed.
tree_sum() { (cd "$1" && find . -type f -printf '%p %m %s\n' -exec sha256sum {} \; | sort | sha256sum | cut -c1-16); }

# decrypts KEYFILE: the private key file opens with the stack's passphrases.
decrypts() {
  local f=$1 body
  body=$(sed '/^[A-Za-z_-]*: /d' "$f")
  local p
  for p in "$NOTARY_TARGETS_PASSPHRASE" "$NOTARY_ROOT_PASSPHRASE"; do
    if printf '%s\n' "$body" | openssl pkey -passin "pass:$p" -noout 2>/dev/null; then return 0; fi
  done
  return 1
}
