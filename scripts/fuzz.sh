#!/usr/bin/env bash
# Builds the fuzz targets with clang (libFuzzer + ASan + UBSan) and runs each for a while.
#   scripts/fuzz.sh [--seconds N] [target...]   N seconds per target (default 600)
#   scripts/fuzz.sh --smoke [target...]         about 20 s per target, for CI
# Targets are the names in tests/fuzz (fuzz_metadata, ...); all of them by default. Every input
# that crashes, leaks or hangs is copied to tests/fuzz/regressions/<target>/ (replayed by the
# unit tests from then on) and the script fails. The corpus grown by a run is kept in
# <build dir>/corpus/<target> and reused by the next run.
# With DCT_RESULTS_DIR set, one line per target is appended to $DCT_RESULTS_DIR/fuzz.tsv.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

seconds=600
targets=()
while (($#)); do
  case $1 in
    --seconds)
      [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds needs a positive whole number" >&2; exit 2; }
      seconds=$2
      shift 2
      ;;
    --smoke) seconds=20; shift ;;
    -h | --help) sed -n '2,9p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=()
for f in tests/fuzz/fuzz_*.cpp; do all+=("$(basename "$f" .cpp)"); done
((${#targets[@]})) || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ -f tests/fuzz/$t.cpp ]] || { echo "fuzz.sh: no target $t; there are: ${all[*]}" >&2; exit 2; }
done

build=${FUZZ_BUILD_DIR:-$here/build-fuzz}
jobs=${FUZZ_JOBS:-$(nproc)}
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
clang=${FUZZ_CXX:-$(command -v clang++ || command -v clang++-14 || true)}
[[ -n $clang ]] || { echo "fuzz.sh: clang++ not found (bash scripts/setup.sh installs it)" >&2; exit 2; }

echo "== building ${targets[*]} with $clang"
cmake -S . -B "$build" "${gen[@]}" -DCMAKE_CXX_COMPILER="$clang" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDCT_FUZZ=ON >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}"

# Seed directories from tests/data for a target (tests/fuzz/seed_dirs.txt).
data_seeds() {
  local name dirs
  while read -r name dirs; do
    [[ $name == "$1" ]] || continue
    for d in $dirs; do echo "tests/data/$d"; done
  done < <(grep '^fuzz_' tests/fuzz/seed_dirs.txt)
}

record() {  # target observed PASS|FAIL
  [[ -n ${DCT_RESULTS_DIR:-} ]] || return 0
  mkdir -p "$DCT_RESULTS_DIR"
  printf 'fuzzing\t%s\t%s\t%s\n' "$1" "$2" "$3" >>"$DCT_RESULTS_DIR/fuzz.tsv"
}

failed=()
for t in "${targets[@]}"; do
  corpus=$build/corpus/$t
  artifacts=$build/artifacts/$t
  log=$build/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")" "tests/fuzz/regressions/$t"
  rm -f "$artifacts"/*
  mapfile -t seeds < <(data_seeds "$t")
  echo "== $t for $seconds s"
  set +e
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/tests/fuzz/$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t" "${seeds[@]}" >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
  crashes=()
  for a in "$artifacts"/*; do [[ -f $a ]] && crashes+=("$a"); done
  if ((rc == 0 && ${#crashes[@]} == 0)); then
    observed="${runs:-?} executions in ${took:-$seconds} s, no crash"
    echo "   $observed"
    record "$t" "$observed" PASS
    continue
  fi
  for a in "${crashes[@]}"; do cp "$a" "tests/fuzz/regressions/$t/"; done
  what=$(grep -m1 -E 'ERROR: |runtime error:|check failed|Assertion|terminate called|deadly signal' "$log" |
    sed 's/^==[0-9]*==//; s/^ *//' | cut -c1-120)
  kept=$(for a in "${crashes[@]}"; do basename "$a"; done | paste -sd, -)
  observed="exit $rc after ${runs:-?} executions: ${what:-see log}; input kept as ${kept:-none}"
  echo "   FAILED: $observed (log: $log)" >&2
  record "$t" "$observed" FAIL
  failed+=("$t")
done

if ((${#failed[@]})); then
  echo "fuzzing found problems in: ${failed[*]}; inputs are in tests/fuzz/regressions/" >&2
  exit 1
fi
echo "no crash in ${targets[*]}"
