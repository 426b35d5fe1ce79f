#!/usr/bin/env bash
# dct pull -a / --all-tags: every tag the pull rule trusts (targets/releases, else targets),
# each pulled by digest and tagged, as Docker 28's trusted pull did. Tags signed only in another
# delegation and unsigned tags are left out; when nothing is trusted, nothing is pulled. A
# stand-in Docker CLI records every call; the tag list is cross-checked with docker trust inspect.
source "$(dirname "$0")/lib.sh"

g=$(new_gun pullall)
read -r d1 s1 <<<"$(push "$g" v1)"
read -r d2 s2 <<<"$(push "$g" v2)"
read -r d3 s3 <<<"$(push "$g" v3)"
read -r d4 s4 <<<"$(push "$g" v4)"
push "$g" v5 >/dev/null
notary_init "$g"
notary_cli key rotate "$g" snapshot -r >/dev/null
notary_sign "$g" v1 "$d1" "$s1"
notary_sign "$g" v2 "$d2" "$s2"
add_delegation "$g" targets/releases pullrel
add_delegation "$g" targets/qa pullqa
# v2 in targets/releases for another digest: releases wins. v3 only in releases, v4 only in qa.
notary_sign "$g" v2 "$d3" "$s3" targets/releases
notary_sign "$g" v3 "$d3" "$s3" targets/releases
notary_sign "$g" v4 "$d4" "$s4" targets/qa

fake=$E2E_TMP/fake-docker
cat >"$fake" <<FAKE
#!/usr/bin/env bash
echo "\$*" >>"$E2E_TMP/docker.calls"
exit \${FAKE_DOCKER_RC:-0}
FAKE
chmod +x "$fake"
pull() {
  rm -f "$E2E_TMP/docker.calls"
  run_capture env DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND="$fake" "$DCT_BIN" dct pull "$@" \
    --trust-dir "$DCT_TRUST"
}
calls() { [[ -f $E2E_TMP/docker.calls ]] && cat "$E2E_TMP/docker.calls" || echo "docker not run"; }

pull -a "$g"
assert_eq 0 "$RC" "pull -a: $ERR"
assert_eq "pull $g@$d1
tag $g@$d1 $g:v1
pull $g@$d3
tag $g@$d3 $g:v2
pull $g@$d3
tag $g@$d3 $g:v3" "$(calls)" "each trusted tag pulled by digest and tagged"
assert_eq "Pull (1 of 3): $g:v1@$d1
Pull (2 of 3): $g:v2@$d3
Pull (3 of 3): $g:v3@$d3" "$OUT" "docker's progress lines"
assert_contains "$ERR" "Tagging $g@$d1 as $g:v1" "tagging reported"
# Docker shows the tags signed in targets or targets/releases as signed by the "Repo Admin"
# (v2 twice: once per role); the pulled tags are those, each at one of docker's digests.
admin=$(docker trust inspect "$g" |
  jq -r '.[0].SignedTags[] | select(.Signers | index("Repo Admin")) | "\(.SignedTag) sha256:\(.Digest)"' | sort)
assert_eq "v1 v2 v3" "$(cut -d' ' -f1 <<<"$admin" | sort -u | paste -sd' ')" "docker trusts the same tags"
for pair in "v1 $d1" "v2 $d3" "v3 $d3"; do
  grep -qxF "$pair" <<<"$admin" && pass || fail "docker lists $pair"
done
assert_eq "v2 $d3" "$(notary_cli list "$g" --roles targets/releases | awk '$1 == "v2" {print $1, "sha256:" $2}')" \
  "v2 pulled at its targets/releases digest, as notary lists it"

pull --all-tags -q --platform linux/arm64 "$g"
assert_eq 0 "$RC" "pull --all-tags -q: $ERR"
assert_eq "" "$OUT" "quiet"
assert_eq "pull --platform linux/arm64 --quiet $g@$d1" "$(head -1 "$E2E_TMP/docker.calls")" "flags passed to each pull"
assert_eq 6 "$(wc -l <"$E2E_TMP/docker.calls")" "three pulls, three tags"

# A failing docker pull stops there, with its status.
FAKE_DOCKER_RC=3 pull -a "$g"
assert_eq 3 "$RC" "docker's failure is dct's"
assert_eq "pull $g@$d1" "$(calls)" "nothing after the failed pull"

# Mistakes and untrusted repositories: nothing pulled.
pull -a "$g:v1"
assert_eq 125 "$RC" "a tag with -a"
assert_contains "$ERR" "tag can't be used with --all-tags/-a" "docker's words"
assert_eq "docker not run" "$(calls)" "nothing pulled with a tag"
q=$(new_gun pullall-qa)
read -r dq sq <<<"$(push "$q" 1.0)"
notary_init "$q"
add_delegation "$q" targets/qa pullqa
notary_sign "$q" 1.0 "$dq" "$sq" targets/qa
pull -a "$q"
assert_eq 1 "$RC" "no trusted tag"
assert_contains "$ERR" "No trusted tags for $q" "docker's words"
assert_eq "docker not run" "$(calls)" "nothing pulled without trusted tags"
pull -a "$(new_gun pullall-none)"
assert_eq 1 "$RC" "repository without trust data"
assert_eq "docker not run" "$(calls)" "nothing pulled without trust data"

# The single-tag pull is unchanged.
pull "$g:v2"
assert_eq 0 "$RC" "pull one tag: $ERR"
assert_eq "pull $g@$d3
tag $g@$d3 $g:v2" "$(calls)" "one tag by digest"
finish
