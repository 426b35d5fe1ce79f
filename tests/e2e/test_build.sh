#!/usr/bin/env bash
# dct build: whatever form docker build's file flag takes (-f X, -fX, -f=X, --file X,
# --file=X, -qf X, repeated, - for stdin), the Docker CLI builds the Dockerfile dct pinned. A
# stand-in Docker CLI records the arguments it is run with and the Dockerfile it is given; base
# images are signed by the real notary CLI. An untrusted image in the Dockerfile docker would
# read, whichever flag names it, stops everything before docker runs.
source "$(dirname "$0")/lib.sh"

good=$(new_gun build-good)
qa=$(new_gun build-qa)
read -r d_good s_good <<<"$(push "$good" 1.0)"
read -r d_alt s_alt <<<"$(push "$good" alt oci)"
read -r d_qa s_qa <<<"$(push "$qa" 3.0)"
notary_init "$good"
notary_sign "$good" 1.0 "$d_good" "$s_good"
notary_sign "$good" alt "$d_alt" "$s_alt"
notary_init "$qa"
add_delegation "$qa" targets/qa buildqa
notary_sign "$qa" 3.0 "$d_qa" "$s_qa" targets/qa

ctx=$E2E_TMP/ctx
mkdir -p "$ctx"
printf 'FROM %s:1.0\n' "$good" >"$ctx/Dockerfile"
alt=$E2E_TMP/alt.Dockerfile
printf '# syntax=%s:1.0\nFROM %s:alt AS b\nCOPY --from=%s:1.0 /a /a\n' "$good" "$good" "$good" >"$alt"
printf 'node_modules\n' >"$alt.dockerignore"
bad=$E2E_TMP/bad.Dockerfile
printf 'FROM %s:3.0\n' "$qa" >"$bad"
pinned_ctx=$(dct pin "$ctx")
pinned_alt=$(dct pin -f "$alt")
assert_contains "$pinned_alt" "FROM $good:alt@$d_alt AS b" "the alternative Dockerfile pins"

# The stand-in Docker CLI: the arguments, one per line, and copies of what --file names.
fake=$E2E_TMP/fake-docker
cat >"$fake" <<FAKE
#!/usr/bin/env bash
printf '%s\n' "\$@" >"$E2E_TMP/docker.args"
prev=
for a in "\$@"; do
  if [[ \$prev == --file ]]; then
    cp "\$a" "$E2E_TMP/docker.built"
    stat -c %a "\$(dirname "\$a")" >"$E2E_TMP/docker.mode"
    [[ -f \$a.dockerignore ]] && cp "\$a.dockerignore" "$E2E_TMP/docker.ignore"
  fi
  prev=\$a
done
exit 0
FAKE
chmod +x "$fake"
build() {  # ARGS...: dct build through the stand-in Docker CLI
  rm -f "$E2E_TMP"/docker.*
  run_capture env DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND="$fake" "$DCT_BIN" dct build "$@" \
    --trust-dir "$DCT_TRUST"
}
# The recorded arguments on one line, the pinned file's temporary path as PINNED.
recorded() {
  [[ -f $E2E_TMP/docker.args ]] || { echo "docker not run"; return; }
  sed -E 's#^/.*/dct-build-[A-Za-z0-9]{6}/Dockerfile$#PINNED#' "$E2E_TMP/docker.args" | paste -sd' '
}

form() {  # NAME EXPECTED-ARGS EXPECTED-DOCKERFILE BUILD-ARGS...
  local name=$1 want=$2 text=$3
  shift 3
  build "$@"
  assert_eq 0 "$RC" "$name: exit status ($ERR)"
  assert_eq "$want" "$(recorded)" "$name: docker build's arguments"
  assert_eq "$text" "$(cat "$E2E_TMP/docker.built" 2>/dev/null)" "$name: docker built the pinned file"
}
form "default Dockerfile" "build -t app:1 --file PINNED $ctx" "$pinned_ctx" -t app:1 "$ctx"
form "-f X" "build --file PINNED $ctx" "$pinned_alt" -f "$alt" "$ctx"
assert_eq 700 "$(cat "$E2E_TMP/docker.mode")" "the pinned Dockerfile is in a private directory"
given=$(grep -m1 '/dct-build-' "$E2E_TMP/docker.args")
[[ -n $given && ! -e $given ]] && pass || fail "the pinned Dockerfile is removed after the build"
assert_eq "node_modules" "$(cat "$E2E_TMP/docker.ignore" 2>/dev/null)" \
  "X.Dockerfile.dockerignore goes beside the pinned file (BuildKit reads it from there)"
form "-fX" "build --file PINNED $ctx" "$pinned_alt" "-f$alt" "$ctx"
form "-f=X" "build --file PINNED $ctx" "$pinned_alt" "-f=$alt" "$ctx"
form "--file X" "build --file PINNED $ctx" "$pinned_alt" --file "$alt" "$ctx"
form "--file=X" "build --file PINNED $ctx" "$pinned_alt" "--file=$alt" "$ctx"
form "-qf X" "build -q --file PINNED $ctx" "$pinned_alt" -qf "$alt" "$ctx"
form "-qfX" "build -q --file PINNED $ctx" "$pinned_alt" "-qf$alt" "$ctx"
form "repeated, the last wins" "build --no-cache --file PINNED $ctx" "$pinned_alt" \
  -f "$ctx/Dockerfile" --no-cache "--file=$alt" "$ctx"
form "context first, flags after it" "build -t app:1 --file PINNED $ctx" "$pinned_alt" \
  "$ctx" -t app:1 -f "$alt"
form "-t takes '-f' as its value" "build -t -f --file PINNED $ctx" "$pinned_ctx" -t -f "$ctx"
build -f - "$ctx" <"$alt"
assert_eq 0 "$RC" "-f - (stdin): $ERR"
assert_eq "build --file PINNED $ctx" "$(recorded)" "-f -: docker build's arguments"
assert_eq "$pinned_alt" "$(cat "$E2E_TMP/docker.built")" "-f -: docker built the pinned stdin"
build --build-arg X=1 --server "$NOTARY_URL" --build-context tools="$ctx" -f "$alt" "$ctx"
assert_eq "build --build-arg X=1 --build-context tools=$ctx --file PINNED $ctx" "$(recorded)" \
  "other flags passed on in order, dct's --server and --trust-dir taken out"
assert_contains "$ERR" "line 2: FROM $good:alt -> $good:alt@$d_alt" "the pins are listed on stderr"

form "--cache-from a local cache" "build --cache-from type=local,src=$ctx --file PINNED $ctx" \
  "$pinned_ctx" --cache-from "type=local,src=$ctx" "$ctx"
form "--cache-from IMAGE with --allow-cache-from" "build --cache-from $qa:3.0 --file PINNED $ctx" \
  "$pinned_ctx" --allow-cache-from --cache-from "$qa:3.0" "$ctx"

# Refusals: docker never runs, no untrusted digest is printed, the trust cache is unchanged.
dct resolve "$qa:3.0" >/dev/null 2>&1 || true
refused() {  # EXIT CASE EXPECTED-IN-ERROR BUILD-ARGS...
  local want=$1 name=$2 expect=$3 before=$E2E_FAILURES sum verdict=PASS
  local printed="no untrusted digest printed" cache="cache unchanged" ran
  shift 3
  sum=$(cache_sum)
  build "$@"
  assert_eq "$want" "$RC" "$name: exit status ($ERR)"
  assert_contains "$ERR" "$expect" "$name: the reason"
  ran=$([[ -e $E2E_TMP/docker.args ]] && echo "docker build ran" || echo "docker build not run")
  assert_eq "docker build not run" "$ran" "$name"
  [[ "$OUT$ERR" == *"${d_qa#sha256:}"* ]] && printed="an untrusted digest printed"
  assert_eq "no untrusted digest printed" "$printed" "$name"
  [[ $sum == "$(cache_sum)" ]] || cache="cache changed"
  assert_eq "cache unchanged" "$cache" "$name"
  ((E2E_FAILURES > before)) && verdict=FAIL
  record_attack build "$name" "exit $RC, \"$(table_error)\", $ran, $printed, $cache" "$verdict"
}
for f in "-qf $bad" "-f$bad" "-f=$bad" "--file=$bad" "-qf$bad"; do
  # shellcheck disable=SC2086 # one or two words, as a user would type them
  refused 1 "file flag as ${f//$bad/BAD} names a Dockerfile with an untrusted base" "targets/qa" \
    $f "$ctx"
done
refused 1 "file flag repeated (-f GOOD --file BAD): the last one is checked" "targets/qa" \
  -f "$ctx/Dockerfile" --file "$bad" "$ctx"
refused 1 "untrusted Dockerfile on stdin (-f -)" "targets/qa" -f - "$ctx" <"$bad"
refused 1 "--build-arg BUILDKIT_SYNTAX picks an unpinned frontend" "BUILDKIT_SYNTAX" \
  --build-arg "BUILDKIT_SYNTAX=$qa:3.0" "$ctx"
refused 1 "--build-context NAME=docker-image://... names an unpinned image" "docker-image" \
  --build-context "base=docker-image://$qa:3.0" "$ctx"
refused 125 "build context from stdin (-): the Dockerfile cannot be read to pin" \
  "not a directory" - <"$bad"
refused 125 "build context is a Git URL: the Dockerfile cannot be read to pin" \
  "not a directory" "https://github.com/docker/buildx.git#master"
refused 125 "Dockerfile given as a URL (-f https://...)" "is a URL" \
  -f "https://example.com/Dockerfile" "$ctx"
refused 1 "--cache-from a registry image: it decides what steps produce, unsigned" \
  "nothing signs it" --cache-from "type=registry,ref=$qa:3.0" "$ctx"
refused 1 "--cache-from IMAGE (the short form)" "nothing signs it" --cache-from "$qa:3.0" "$ctx"
refused 125 "a flag neither builder knows" "unknown flag: --bogus" --bogus "$ctx"
refused 125 "pflag's silently skipped -test.* flags" "unknown flag" -test.v "$ctx"
finish
