#!/usr/bin/env bash
# Builds the Debian package docker-dct_<version>_<arch>.deb: a Release build in build-package/
# with Debian's build flags (dpkg-buildflags: hardening), CPack's DEB generator, then lintian.
# Prints the package's path last.
#   scripts/package.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
bash scripts/setup.sh
build=${DCT_PACKAGE_BUILD_DIR:-$here/build-package}
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)

# Debian's compiler and linker flags (hardening: fortify, stack protector, RELRO).
cxxflags="$(dpkg-buildflags --get CPPFLAGS) $(dpkg-buildflags --get CXXFLAGS)"
cmake -S . -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DDCT_BUILD_TESTS=OFF \
  -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_EXE_LINKER_FLAGS="$(dpkg-buildflags --get LDFLAGS)" >/dev/null
cmake --build "$build" -j "$(nproc)"
rm -f "$build"/docker-dct_*.deb
(cd "$build" && cpack -G DEB >/dev/null)
deb=$(ls "$build"/docker-dct_*.deb)
lintian --fail-on error "$deb"
echo "$deb"
