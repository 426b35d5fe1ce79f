#!/usr/bin/env bash
# dct pin and dct build: base images signed by the real notary CLI in targets/releases and in
# targets are pinned to the digests the registry holds; anything else stops the build.
source "$(dirname "$0")/lib.sh"

rel=$(new_gun pin-rel)
tgt=$(new_gun pin-tgt)
qa=$(new_gun pin-qa)
read -r d_rel s_rel <<<"$(push "$rel" 1.0)"
read -r d_tgt s_tgt <<<"$(push "$tgt" 2.0 oci)"
read -r d_qa s_qa <<<"$(push "$qa" 3.0)"
read -r d_other _ <<<"$(push "$qa" other oci-index)"

notary_init "$rel"
add_delegation "$rel" targets/releases pinrel
notary_sign "$rel" 1.0 "$d_rel" "$s_rel" targets/releases
notary_init "$tgt"
notary_sign "$tgt" 2.0 "$d_tgt" "$s_tgt"
notary_init "$qa"
add_delegation "$qa" targets/qa pinqa
notary_sign "$qa" 3.0 "$d_qa" "$s_qa" targets/qa

ctx=$E2E_TMP/ctx
mkdir -p "$ctx"
cat >"$ctx/Dockerfile" <<DF
# escape=\\
ARG REL=$rel
FROM \${REL}:1.0 AS base
run echo hello \\
  world
FROM base
from --platform=linux/amd64 $tgt:2.0
FROM scratch
COPY --from=base /a /b
DF
run_capture dct pin "$ctx"
assert_eq 0 "$RC" "pin: $ERR"
assert_contains "$OUT" "FROM $rel:1.0@$d_rel AS base" "releases-signed base pinned (ARG expanded)"
assert_contains "$OUT" "from --platform=linux/amd64 $tgt:2.0@$d_tgt" "targets-signed base pinned"
assert_contains "$OUT" $'FROM base\n' "stage reference left alone"
assert_contains "$OUT" "FROM scratch" "scratch left alone"
assert_contains "$OUT" $'run echo hello \\\n  world' "other lines unchanged"
json=$(dct pin "$ctx" --format json)
assert_eq "targets/releases targets" "$(jq -r '[.[].role] | join(" ")' <<<"$json")" "roles in json"
dct pin "$ctx" -o "$ctx/Dockerfile.pinned" >/dev/null
run_capture dct pin -f "$ctx/Dockerfile.pinned" --check
assert_eq 0 "$RC" "pinned file passes --check: $ERR"
run_capture dct pin "$ctx" --check
assert_eq 1 "$RC" "unpinned file fails --check"

refuse() {  # DOCKERFILE-TEXT EXPECTED-IN-ERROR MESSAGE
  printf '%s\n' "$1" >"$E2E_TMP/bad.Dockerfile"
  run_capture dct pin -f "$E2E_TMP/bad.Dockerfile"
  [[ $RC -ne 0 ]] && pass || fail "$3: accepted"
  assert_contains "$ERR" "$2" "$3"
  assert_eq "" "$OUT" "$3: nothing printed"
}
refuse "FROM $qa:3.0" "targets/qa" "signed only in another delegation"
refuse "FROM $qa:other" "other" "unsigned tag"
refuse "FROM $rel:1.0@$d_other" "trusted digest" "digest mismatch"
refuse "FROM $rel@$d_rel" "no tag" "bare digest without --allow-digest"
printf 'FROM %s:1.0\nFROM %s:nope\nFROM %s:3.0\n' "$rel" "$tgt" "$qa" >"$E2E_TMP/two.Dockerfile"
run_capture dct pin -f "$E2E_TMP/two.Dockerfile"
assert_contains "$ERR" "2 base images could not be resolved" "one message per bad image"

# dct build: docker build gets the pinned Dockerfile and every other argument unchanged.
fake=$E2E_TMP/fake-docker
cat >"$fake" <<FAKE
#!/usr/bin/env bash
printf '%s\n' "\$@" >"$E2E_TMP/build-args"
for ((i = 1; i <= \$#; i++)); do [[ \${!i} == -f ]] && { j=\$((i + 1)); cp "\${!j}" "$E2E_TMP/built.Dockerfile"; }; done
exit 0
FAKE
chmod +x "$fake"
run_capture env DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND="$fake" "$DCT_BIN" dct build -t app:1 \
  --build-arg X=1 --no-cache --trust-dir "$DCT_TRUST" "$ctx"
assert_eq 0 "$RC" "build: $ERR"
args=$(tr '\n' ' ' <"$E2E_TMP/build-args")
assert_contains "$args" "build -f " "docker build with the pinned Dockerfile"
assert_contains "$args" "-t app:1 --build-arg X=1 --no-cache $ctx " "other arguments unchanged, in order"
assert_not_contains "$args" "--trust-dir" "dct's own flags not passed on"
assert_contains "$(cat "$E2E_TMP/built.Dockerfile")" "$rel:1.0@$d_rel" "built from the pinned file"
rm -f "$E2E_TMP/build-args"
printf 'FROM %s:3.0\n' "$qa" >"$ctx/Dockerfile.bad"
run_capture env DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND="$fake" "$DCT_BIN" dct build -f "$ctx/Dockerfile.bad" \
  --trust-dir "$DCT_TRUST" "$ctx"
[[ $RC -ne 0 ]] && pass || fail "build with an untrusted base refused"
[[ ! -e $E2E_TMP/build-args ]] && pass || fail "docker build never ran"
finish
