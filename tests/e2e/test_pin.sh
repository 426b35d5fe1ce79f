#!/usr/bin/env bash
# dct pin: images signed by the real notary CLI in targets/releases and in targets, used by
# FROM, COPY --from, RUN --mount from= and the # syntax directive, are pinned to the digests
# the registry holds; an image signed only in another delegation, or not at all, is refused
# with nothing printed and the trust cache left as it was. dct build: tests/e2e/test_build.sh.
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


# The other image references: the frontend, COPY --from and RUN --mount from=.
read -r d_tools s_tools <<<"$(push "$tgt" tools oci)"
notary_sign "$tgt" tools "$d_tools" "$s_tools"
cat >"$ctx/refs.Dockerfile" <<DF
# syntax=$rel:1.0
FROM $tgt:2.0 AS Build
COPY --from=$rel:1.0 /a /a
FROM scratch
RUN --mount=type=bind,from=$tgt:tools,target=/t --mount=type=cache,from=build,target=/c true
COPY --from=BUILD /a /a
COPY --from=0 /a /b
RUN --mount=type=secret,id=s true
DF
run_capture dct pin -f "$ctx/refs.Dockerfile"
assert_eq 0 "$RC" "pin of every kind of reference: $ERR"
assert_contains "$OUT" "# syntax=$rel:1.0@$d_rel"$'\n' "frontend pinned"
assert_contains "$OUT" "FROM $tgt:2.0@$d_tgt AS Build" "FROM pinned"
assert_contains "$OUT" "COPY --from=$rel:1.0@$d_rel /a /a" "COPY --from an image pinned"
assert_contains "$OUT" "from=$tgt:tools@$d_tools,target=/t --mount=type=cache,from=build,target=/c" \
  "RUN --mount from= an image pinned, from= a stage left alone"
assert_contains "$OUT" $'COPY --from=BUILD /a /a\nCOPY --from=0 /a /b' "stage name and index left alone"
json=$(dct pin -f "$ctx/refs.Dockerfile" --format json)
assert_eq "1 # syntax $rel:1.0 $d_rel targets/releases
2 FROM $tgt:2.0 $d_tgt targets
3 COPY --from $rel:1.0 $d_rel targets/releases
5 RUN --mount from $tgt:tools $d_tools targets" \
  "$(jq -r '.[] | "\(.line) \(.instruction) \(.image) \(.digest) \(.role)"' <<<"$json")" \
  "json: line, instruction, image, registry digest and role of each"
run_capture dct pin -f "$ctx/refs.Dockerfile" --check
assert_eq 1 "$RC" "--check fails on the unpinned references"
assert_contains "$ERR" "line 5: RUN --mount from $tgt:tools is not pinned; trusted: $tgt:tools@$d_tools" \
  "--check names the line and instruction"
dct pin -f "$ctx/refs.Dockerfile" -o "$ctx/refs.pinned" >/dev/null
run_capture dct pin -f "$ctx/refs.pinned" --check
assert_eq 0 "$RC" "--check passes once pinned: $ERR"
assert_eq "All 4 images are pinned to their trusted digests" "$OUT" "--check counts every reference"

# Refusals. The untrusted repositories' trust data is cached first (it verifies; it only does
# not vouch for these tags), so that an unchanged cache shows a refusal wrote nothing.
dct resolve "$qa:3.0" >/dev/null 2>&1 || true
dct resolve "$qa:other" >/dev/null 2>&1 || true
refused() {  # CASE DOCKERFILE-TEXT EXPECTED-IN-ERROR
  local name=$1 before=$E2E_FAILURES sum verdict=PASS printed="no untrusted digest printed"
  local cache="cache unchanged"
  printf '%s\n' "$2" >"$E2E_TMP/bad.Dockerfile"
  sum=$(cache_sum)
  run_capture dct pin -f "$E2E_TMP/bad.Dockerfile"
  assert_eq 1 "$RC" "$name: exit status ($ERR)"
  assert_contains "$ERR" "$3" "$name: the reason"
  assert_eq "" "$OUT" "$name: nothing on stdout"
  # An untrusted digest may only be quoted back from the Dockerfile itself.
  for d in "${d_qa#sha256:}" "${d_other#sha256:}"; do
    [[ $OUT == *"$d"* || ($ERR == *"$d"* && $2 != *"$d"*) ]] && printed="an untrusted digest printed"
  done
  assert_eq "no untrusted digest printed" "$printed" "$name"
  [[ $sum == "$(cache_sum)" ]] || cache="cache changed"
  assert_eq "cache unchanged" "$cache" "$name"
  ((E2E_FAILURES > before)) && verdict=FAIL
  record_attack pin "$name" "exit $RC, \"$(table_error)\", $printed, $cache" "$verdict"
}
refused "FROM signed only in a delegation other than targets/releases" "FROM $qa:3.0" "targets/qa"
refused "FROM of an unsigned tag" "FROM $qa:other" "(FROM)"
refused "FROM pinned to a digest other than the signed one" "FROM $rel:1.0@$d_other" \
  "trusted digest"
refused "FROM pinned by digest alone, without --allow-digest" "FROM $rel@$d_rel" "no tag"
refused "COPY --from an image signed only in another delegation" "FROM $rel:1.0
COPY --from=$qa:3.0 /a /a" "targets/qa"
refused "COPY --from an unsigned tag" "FROM $rel:1.0
COPY --from=$qa:other /a /a" "(COPY --from)"
refused "RUN --mount from= an image signed only in another delegation" "FROM $rel:1.0
RUN --mount=type=bind,target=/t,from=$qa:3.0 true" "targets/qa"
refused "RUN --mount type=cache from= an unsigned tag" "FROM $rel:1.0
RUN --mount=\"type=cache,from=$qa:other,target=/c\" true" "(RUN --mount from)"
refused "# syntax frontend signed only in another delegation" "# syntax=$qa:3.0
FROM $rel:1.0" "targets/qa"
refused "# syntax frontend unsigned" "#syntax = $qa:other
FROM $rel:1.0" "(# syntax)"
refused "// syntax frontend (BuildKit reads it, dct does not rewrite it)" "// syntax=$qa:3.0
FROM $rel:1.0" "only the # form"
refused "COPY --from a stage defined later (the legacy builder would pull an image)" \
  "FROM $rel:1.0 AS one
COPY --from=two /a /a
FROM $rel:1.0 AS two" "not finished"
refused "FROM after an escaped escape character at a line's end is read" "FROM $rel:1.0
RUN echo \\\\
FROM $qa:3.0" "targets/qa"
printf 'FROM %s:1.0\nFROM %s:nope\nCOPY --from=%s:3.0 /a /a\n' "$rel" "$tgt" "$qa" \
  >"$E2E_TMP/two.Dockerfile"
run_capture dct pin -f "$E2E_TMP/two.Dockerfile"
assert_contains "$ERR" "2 images in the Dockerfile could not be resolved" "one message per bad image"
assert_contains "$ERR" "line 3 (COPY --from)" "each with its line and instruction"
finish
