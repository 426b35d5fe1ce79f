#!/usr/bin/env bash
# Runs `docker-dct sign`, `resolve` and `publish` under valgrind memcheck against a running
# local stack (scripts/stack.sh start) and fails on any memory error or definite/indirect leak.
#   DCT_BIN=build/docker-dct STACK_DIR=build/stack scripts/valgrind.sh
# With DCT_RESULTS_DIR set, one line per command is appended to $DCT_RESULTS_DIR/fuzz.tsv.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export STACK_DIR=${STACK_DIR:-${DCT_STACK_DIR:-$here/build/stack}}
if [[ ! -f $STACK_DIR/stack.env ]]; then
  echo "valgrind.sh: no running stack in $STACK_DIR; start one with scripts/stack.sh start" >&2
  exit 2
fi
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed (scripts/setup.sh)" >&2; exit 2; }
# shellcheck disable=SC1091
source "$here/tests/e2e/lib.sh"
[[ -x $DCT_BIN ]] || { echo "valgrind.sh: $DCT_BIN is not built" >&2; exit 2; }

# Errors from libraries we only call (see the file) are suppressed; ours never are.
# shellcheck disable=SC2054 # the commas are valgrind list syntax
vg=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
  --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
  --num-callers=30 --suppressions="$here/scripts/valgrind.supp")

record() {  # case observed PASS|FAIL
  [[ -n ${DCT_RESULTS_DIR:-} ]] || return 0
  mkdir -p "$DCT_RESULTS_DIR"
  printf 'memory\t%s\t%s\t%s\n' "$1" "$2" "$3" >>"$DCT_RESULTS_DIR/fuzz.tsv"
}

# memcheck NAME ARGS...: dct ARGS under valgrind; checks exit 0 and no valgrind errors.
memcheck() {
  local name=$1 log=$E2E_TMP/valgrind-$1.log errors lost
  shift
  run_capture "${vg[@]}" --log-file="$log" "$DCT_BIN" "$@" --trust-dir "$DCT_TRUST"
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -1)
  lost=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -1)
  local observed="exit $RC, ${errors:-?} valgrind errors, ${lost:-0} bytes definitely lost"
  if [[ $RC == 0 && $errors == 0 ]]; then
    pass
    record "valgrind dct $name" "$observed" PASS
  else
    fail "dct $name under valgrind: $observed (stderr: ${ERR:0:300})"
    grep -A25 -m3 -E 'Invalid|uninitialised|definitely lost|indirectly lost|Mismatched' "$log" >&2 || true
    record "valgrind dct $name" "$observed" FAIL
  fi
  echo "   dct $name: $observed"
}

g=$(new_gun valgrind)
read -r digest _ < <(push "$g" v1)
echo "== dct sign (a new repository: keys, root certificate, first publish)"
memcheck sign sign "$g:v1"
echo "== dct resolve (a cold cache: the whole update flow)"
memcheck resolve resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "resolve under valgrind names what was signed"
echo "== dct publish (a change staged by notary in dct's trust dir)"
read -r d2 s2 < <(push "$g" v2)
notary -d "$DCT_TRUST" -s "$NOTARY_URL" --tlscacert "$STACK_CA" \
  addhash "$g" v2 "$s2" --sha256 "${d2#sha256:}" >/dev/null
memcheck publish publish "$g"
run_capture dct resolve "$g:v2"
assert_eq "$g@$d2" "$OUT" "what publish sent under valgrind resolves ($ERR)"
finish
