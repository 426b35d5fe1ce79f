#!/usr/bin/env bash
# The Debian package: made by CPack from this build, checked by lintian, installed with dpkg -i
# into the real system directories, used through the Docker CLI with an empty DOCKER_CONFIG
# (so the plugin can only come from /usr/libexec/docker/cli-plugins), then removed with dpkg -r,
# leaving nothing behind. The version must read the same in CMakeLists.txt, the package,
# `docker dct version` and `docker info`. Skipped (exit 77) without root, for a sanitizer build
# (never packaged) and where docker-dct is already installed on the system (not ours to remove).
source "$(dirname "$0")/lib.sh"

build=$(dirname "$DCT_BIN")
system_plugin=/usr/libexec/docker/cli-plugins/docker-dct
skip() {
  echo "SKIP: $*"
  exit 77
}
((EUID == 0)) || skip "dpkg -i needs root"
grep -q '^DCT_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" && skip "a sanitizer build is not packaged"
# One package test at a time on a machine: they install into the same system directories.
exec 9>/var/lock/docker-dct-package-test.lock
flock -w 300 9 || skip "another package test holds the lock"
known=$(dpkg-query -W -f='${db:Status-Abbrev}' docker-dct 2>/dev/null || true)
[[ -z $known || $known == un* ]] || skip "dpkg knows a docker-dct package on this machine ($known)"
[[ -e $system_plugin || -e /usr/bin/docker-trust-pull || -e /usr/bin/docker-trust-push ]] &&
  skip "$system_plugin or docker-trust-pull/-push is already there"

# Directories the package may create; dpkg -r must take away those that were not here before.
new_dirs=()
for d in /usr/libexec/docker /usr/libexec/docker/cli-plugins /usr/share/doc/docker-dct; do
  [[ -e $d ]] || new_dirs+=("$d")
done
installed=0
remove_package() {
  if ((installed)); then
    dpkg -r docker-dct >/dev/null 2>&1 || echo "cleanup: dpkg -r docker-dct failed" >&2
  fi
  rm -rf "$E2E_TMP"
}
trap remove_package EXIT

version=$(sed -n 's/^project(docker-dct VERSION \([0-9.]*\) .*/\1/p' "$DCT_SOURCE_DIR/CMakeLists.txt")
arch=$(dpkg --print-architecture)
[[ -n $version ]] || fail "no version in project() of CMakeLists.txt"

echo "== cpack -G DEB after the normal build"
cmake --build "$build" --target docker-dct docker-dct-man docker-dct-doc >/dev/null
start=$SECONDS
run_capture cpack -G DEB --config "$build/CPackConfig.cmake" -B "$E2E_TMP/cpack"
assert_eq 0 "$RC" "cpack: $OUT $ERR"
deb=$E2E_TMP/cpack/docker-dct_${version}_$arch.deb
[[ -f $deb ]] || { fail "no $deb: $(ls "$E2E_TMP/cpack")"; finish; }
pass
echo "   $(basename "$deb") in $((SECONDS - start)) s"

echo "== fields: version from project(), dependencies from dpkg-shlibdeps"
assert_eq "docker-dct $version $arch" "$(dpkg-deb -f "$deb" Package Version Architecture | cut -d' ' -f2 | paste -sd' ')" \
  "package name, version and architecture"
depends=$(dpkg-deb -f "$deb" Depends)
echo "   Depends: $depends"
for lib in libc6 libcurl4 libssl3 libstdc++6; do
  [[ ", $depends" == *", $lib (>= "[0-9]* ]] && pass || fail "Depends has no versioned $lib: $depends"
done
assert_eq "docker-ce-cli | docker.io" "$(dpkg-deb -f "$deb" Suggests)" "Suggests the Docker CLI"

echo "== contents"
contents=$(dpkg-deb -c "$deb" | awk '{print $1, $2, $6, $7, $8}')
for line in \
  "-rwxr-xr-x root/root ./usr/libexec/docker/cli-plugins/docker-dct" \
  "lrwxrwxrwx root/root ./usr/bin/docker-trust-pull -> ../libexec/docker/cli-plugins/docker-dct" \
  "lrwxrwxrwx root/root ./usr/bin/docker-trust-push -> ../libexec/docker/cli-plugins/docker-dct" \
  "-rw-r--r-- root/root ./usr/share/man/man1/docker-dct.1.gz" \
  "lrwxrwxrwx root/root ./usr/share/man/man1/docker-trust-pull.1.gz -> docker-dct.1.gz" \
  "lrwxrwxrwx root/root ./usr/share/man/man1/docker-trust-push.1.gz -> docker-dct.1.gz" \
  "-rw-r--r-- root/root ./usr/share/doc/docker-dct/README.md.gz" \
  "-rw-r--r-- root/root ./usr/share/doc/docker-dct/changelog.gz" \
  "-rw-r--r-- root/root ./usr/share/doc/docker-dct/copyright"; do
  assert_contains "$contents" "$line" "package contents"
done
files=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print substr($6, 2)}')
assert_eq 9 "$(wc -l <<<"$files")" "nothing else in the package: $files"

echo "== the man page renders without warnings and documents every command"
page=$build/package/man/docker-dct.1
run_capture env LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page"
assert_eq 0 "$RC" "man -l exit"
assert_eq "" "$ERR" "groff warnings"
text=$(LC_ALL=C.UTF-8 MANWIDTH=100 man -E ascii -l "$page" 2>/dev/null | col -bx)
commands=$("$DCT_BIN" __commands)
for c in $("$DCT_BIN" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
  grep -qx "$c" <<<"$commands" && pass || fail "__commands does not list $c: $commands"
done
while read -r path; do
  usage=$("$DCT_BIN" $path --help | sed -n 's/^Usage:  //p')
  assert_contains "$text" "$usage" "the man page has $path's usage"
done <<<"$commands"
assert_contains "$text" "docker-trust-pull [OPTIONS] IMAGE[:TAG]" "synopsis of docker-trust-pull"

echo "== lintian"
start=$SECONDS
run_capture lintian --tag-display-limit 0 "$deb"
[[ -z $OUT ]] || sed 's/^/   /' <<<"$OUT"
echo "   lintian in $((SECONDS - start)) s"
assert_eq 0 "$RC" "lintian exit ($ERR)"
assert_not_contains "$OUT" "E: " "lintian reports no errors"
readme=$(cat "$DCT_SOURCE_DIR/README.md")
while read -r tag; do
  [[ -n $tag ]] || continue
  assert_contains "$readme" "\`$tag\`" "lintian warning $tag is explained in the README"
done < <(sed -n 's/^W: docker-dct[^:]*: \([a-z0-9-]*\).*/\1/p' <<<"$OUT" | sort -u)

echo "== dpkg -i"
installed=1
run_capture dpkg -i "$deb"
assert_eq 0 "$RC" "dpkg -i: $ERR"
mapfile -t owned < <(dpkg -L docker-dct | while read -r p; do [[ -d $p && ! -L $p ]] || echo "$p"; done)
assert_eq 9 "${#owned[@]}" "dpkg lists the package's files: ${owned[*]}"

echo "== docker finds the system plugin with an empty DOCKER_CONFIG"
empty=$E2E_TMP/empty-docker-config
mkdir -p "$empty" "$E2E_TMP/home"
cat >"$E2E_TMP/notary-config.json" <<JSON
{"remote_server": {"url": "$NOTARY_URL", "root_ca": "$STACK_CA"}}
JSON
clean_env=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$E2E_TMP/home" DOCKER_CONFIG="$empty"
  NOTARY_CONFIG="$E2E_TMP/notary-config.json")
run_capture "${clean_env[@]}" docker dct version
assert_eq 0 "$RC" "docker dct version exit ($ERR)"
assert_eq "docker-dct version v$version" "$(head -1 <<<"$OUT")" "docker dct version"
run_capture "${clean_env[@]}" docker info --format '{{json .ClientInfo.Plugins}}'
plugin=$(jq -c '.[] | select(.Name == "dct")' <<<"$OUT")
assert_eq "$system_plugin v$version" "$(jq -r '"\(.Path) \(.Version)"' <<<"$plugin")" \
  "docker info lists the system plugin with the version"
g=$(new_gun package)
notary_init "$g"
read -r digest size < <(push "$g" v1)
notary_sign "$g" v1 "$digest" "$size"
run_capture "${clean_env[@]}" docker dct resolve "$g:v1"
assert_eq 0 "$RC" "docker dct resolve exit ($ERR)"
assert_eq "$g@$digest" "$OUT" "docker dct resolve prints the signed digest"
run_capture "${clean_env[@]}" docker-trust-pull --help
assert_contains "$OUT" "Usage:  docker dct pull" "docker-trust-pull on the PATH acts as dct pull"
assert_eq /usr/bin/docker-trust-push "$("${clean_env[@]}" sh -c 'command -v docker-trust-push')" \
  "docker-trust-push on the PATH"
assert_eq /usr/share/man/man1/docker-dct.1.gz "$(man -w docker-trust-push 2>&1)" \
  "man docker-trust-push finds the page (its link to docker-dct.1)"

echo "== dpkg -r leaves nothing behind"
run_capture dpkg -r docker-dct
assert_eq 0 "$RC" "dpkg -r: $ERR"
installed=0
for p in "${owned[@]}"; do
  [[ ! -e $p && ! -L $p ]] && pass || fail "$p is left after dpkg -r"
done
for d in "${new_dirs[@]}"; do
  [[ ! -e $d ]] && pass || fail "$d is left after dpkg -r"
done
status=$(dpkg-query -W -f='${db:Status-Abbrev}' docker-dct 2>/dev/null || true)
[[ -z $status || $status == un* ]] && pass || fail "dpkg still knows docker-dct: [$status]"
run_capture "${clean_env[@]}" docker dct version
[[ $RC -ne 0 ]] && pass || fail "docker dct still runs after dpkg -r"

finish
