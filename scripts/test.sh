#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine: installs what is missing, builds (warnings on),
# runs the unit tests and the end-to-end tests against the real local Notary + registry stack
# (started and stopped by CTest; the attack, fault and valgrind suites among them), a short
# fuzzing run of every fuzz target, then the unit and end-to-end tests again under ASan+UBSan,
# and writes what the attack, fault and fuzz suites observed into SECURITY.md's tables.
#   scripts/test.sh              everything
#   scripts/test.sh --quick      unit tests only, no sanitizer build
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

quick=0
[[ ${1:-} == --quick ]] && quick=1

bash scripts/setup.sh
# Tests that need a program fail where it is missing instead of skipping (tests/unit/tools.h).
export DCT_REQUIRE_TOOLS=1
jobs=$(nproc)
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)

echo "== build"
cmake -S . -B build "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"

if ((quick)); then
  ctest --test-dir build -L unit --output-on-failure
  exit 0
fi

# What the attack, fault and fuzz suites observe, case by case: SECURITY.md's tables.
results=$here/build/results
rm -rf "$results"
mkdir -p "$results"

# On a failure, what failed is printed again last, where a log cut to its head and tail shows it.
report_failures() {
  local dir=$1
  echo "== failed: the suites' failing cases, then the failing tests run once more"
  cat "$results"/*.tsv 2>/dev/null | awk -F'\t' '$NF == "FAIL"' || true
  ctest --test-dir "$dir" --rerun-failed --output-on-failure -j 1 2>&1 | tail -n 60 || true
  exit 1
}

echo "== unit and end-to-end tests"
DCT_RESULTS_DIR=$results ctest --test-dir build --output-on-failure -j 1 || report_failures build

echo "== fuzzing, a short run of every target"
DCT_RESULTS_DIR=$results scripts/fuzz.sh --smoke

echo "== unit and end-to-end tests under ASan+UBSan"
cmake -S . -B build-asan "${gen[@]}" -DCMAKE_BUILD_TYPE=Debug -DDCT_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
# valgrind cannot run an ASan binary; it ran on the plain build above.
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j 1 -E '^e2e\.valgrind$' ||
  report_failures build-asan

echo "== security results"
scripts/security_report.sh "$results" SECURITY.md
scripts/security_report.sh "$results" | grep -E '^\*\*'
