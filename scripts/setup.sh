#!/usr/bin/env bash
# Installs everything the project needs on a Debian 12 machine, and nothing when it is all
# there already. Needs root (or sudo).
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates curl openssl
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libfmt-dev doctest-dev libcli11-dev
  notary docker-registry python3 python3-jwt python3-cryptography apache2-utils
  jq valgrind
  # The Debian package (scripts/package.sh, tests/e2e/test_package.sh): dpkg-shlibdeps, lintian,
  # man and groff to check the man page; python3-yaml reads the README's pipeline recipes.
  dpkg-dev lintian man-db groff-base bsdextrautils python3-yaml
  # GNU time: peak memory of each client in scripts/bench.sh.
  time
  # clang and compiler-rt's libFuzzer build the fuzz targets (scripts/fuzz.sh).
  clang libclang-rt-14-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The Docker CLI (client only) is used to run the plugin and to cross-check `docker trust`.
command -v docker >/dev/null || missing+=(docker.io)
((${#missing[@]})) || exit 0

sudo=()
((EUID == 0)) || sudo=(sudo)
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
