#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine: installs what is missing, builds (warnings on),
# runs the unit tests, the end-to-end tests against the real local Notary + registry stack
# (started and stopped by CTest), and the unit tests again under ASan+UBSan.
#   scripts/test.sh              everything
#   scripts/test.sh --quick      unit tests only, no sanitizer build
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"

quick=0
[[ ${1:-} == --quick ]] && quick=1

bash scripts/setup.sh
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

echo "== unit and end-to-end tests"
ctest --test-dir build --output-on-failure -j 1

echo "== unit tests under ASan+UBSan"
cmake -S . -B build-asan "${gen[@]}" -DCMAKE_BUILD_TYPE=Debug -DDCT_SANITIZE=ON >/dev/null
cmake --build build-asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan -L unit --output-on-failure
