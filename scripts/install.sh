#!/usr/bin/env bash
# Builds docker-dct (Release) and installs it as a Docker CLI plugin into
# ${DOCKER_CONFIG:-~/.docker}/cli-plugins/docker-dct.
#   scripts/install.sh [--symlinks DIR]   also link docker-trust-pull/-push into DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
links=""
while (($#)); do
  case $1 in
    --symlinks) links=$2; shift 2 ;;
    *) echo "usage: scripts/install.sh [--symlinks DIR]" >&2; exit 125 ;;
  esac
done
build=${DCT_INSTALL_BUILD_DIR:-$here/build-release}
gen=()
command -v ninja >/dev/null && gen=(-G Ninja)
cmake -S "$here" -B "$build" "${gen[@]}" -DCMAKE_BUILD_TYPE=Release -DDCT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target docker-dct
dest=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
mkdir -p "$dest"
tmp=$(mktemp "$dest/.docker-dct.XXXXXX")
cp "$build/docker-dct" "$tmp"
chmod 0755 "$tmp"
mv -f "$tmp" "$dest/docker-dct"
echo "installed $dest/docker-dct"
if [[ -n $links ]]; then
  mkdir -p "$links"
  ln -sf "$dest/docker-dct" "$links/docker-trust-pull"
  ln -sf "$dest/docker-dct" "$links/docker-trust-push"
  echo "linked $links/docker-trust-pull and $links/docker-trust-push"
fi
