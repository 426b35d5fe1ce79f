#!/usr/bin/env bash
# dct push through the Docker CLI that ran the plugin, and dct sign IMAGE:TAG@DIGEST. What gets
# signed is the manifest whose digest and size docker push reported (or the digest given),
# fetched from the real registry by digest and checked: a tag moved on by another push, other
# bytes for the digest, or a digest the registry lacks are refused, with nothing signed or
# staged and the cache unchanged. The Docker CLI is stood in for by a script (no daemon here)
# that records its arguments, pushes with the stack's pusher and prints what docker push prints;
# a fault proxy in front of the real registry plays a registry that serves other bytes.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh" # tree_sum, server_tags, staged_tags

fake=$E2E_TMP/fake-docker
calls=$E2E_TMP/docker-calls
# FAKE_DOCKER_FAIL: push fails; _SKIP: pushes nothing, prints nothing; _QUIET: no digest line;
# _RACE_TYPE: another image of that type is pushed to the tag right after this push;
# _DIGEST / _SIZE: reported instead of the real ones. On a terminal it draws as docker does.
cat >"$fake" <<FAKE
#!/usr/bin/env bash
echo "\$*" >>"$calls"
[[ \${FAKE_DOCKER_FAIL:-0} == 1 ]] && { echo "denied: requested access to the resource is denied" >&2; exit 1; }
[[ \${FAKE_DOCKER_SKIP:-0} == 1 ]] && exit 0
ref=\${@: -1}
name=\${ref%:*} tag=\${ref##*:}
repo=\${name#*/}
read -r _ _ digest size < <("$E2E_ROOT/scripts/stack.sh" push-image "\$repo" "\$tag" --type "\${FAKE_DOCKER_TYPE:-docker}")
echo "The push refers to repository [\$name]"
if [[ -t 1 ]]; then
  echo "fake docker: stdout is a terminal"
  printf '5f70bf18a086: Preparing\r\n\e[1A\e[2K\r5f70bf18a086: Pushed\r\n'
else
  echo "5f70bf18a086: Pushed"
fi
if [[ -n \${FAKE_DOCKER_RACE_TYPE:-} ]]; then
  "$E2E_ROOT/scripts/stack.sh" push-image "\$repo" "\$tag" --type "\$FAKE_DOCKER_RACE_TYPE" >/dev/null
fi
[[ \${FAKE_DOCKER_QUIET:-0} == 1 ]] && exit 0
echo "\$tag: digest: \${FAKE_DOCKER_DIGEST:-\$digest} size: \${FAKE_DOCKER_SIZE:-\$size}"
FAKE
chmod +x "$fake"
as_plugin() { DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND=$fake "$DCT_BIN" dct "$@" --trust-dir "$DCT_TRUST"; }
curl_auth=()
[[ $STACK_AUTH == basic ]] && curl_auth=(-u "$STACK_USER:$STACK_PASS")
registry_digest() { # REPO TAG: what the real registry's tag points at
  curl -sSf "${curl_auth[@]}" --cacert "$STACK_CA" -o /dev/null -D - \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' \
    "https://$REGISTRY_HOST/v2/$1/manifests/$2" | tr -d '\r' | awk 'tolower($1) == "docker-content-digest:" {print $2}'
}
lookup() { # GUN TAG: "TAG DIGEST SIZE" as notary lookup prints it, or nothing
  local out
  if out=$(notary_cli lookup "$1" "$2" 2>/dev/null); then echo "$out"; fi
}
state() { echo "$(tree_sum "$DCT_TRUST/tuf/$1") $(staged_tags "$DCT_TRUST" "$1")"; }
# signed_as CASE GUN TAG DIGEST SIZE WHAT: after the last command, notary lookup and dct resolve
# give DIGEST (and SIZE) for the tag; records the case.
signed_as() {
  local before=$E2E_FAILURES verdict=PASS
  assert_eq "$3 $4 $5" "$(lookup "$2" "$3")" "$1: notary lookup"
  assert_eq "$2@$4" "$(dct resolve "$2:$3")" "$1: dct resolve"
  ((E2E_FAILURES > before)) && verdict=FAIL
  record_attack push "$1" "exit $RC, notary lookup and dct resolve give $6" "$verdict"
}

echo "== (a) push signs the digest docker push reported"
g=$(new_gun push)
run_capture as_plugin push "$g:v1"
assert_eq 0 "$RC" "push and sign: $ERR"
assert_eq "push $g:v1" "$(cat "$calls")" "docker push ran with the reference"
read -r reported_digest reported_size < <(sed -n "s/^v1: digest: \(sha256:[0-9a-f]*\) size: \([0-9]*\)$/\1 \2/p" <<<"$OUT")
assert_eq "$(registry_digest "$(repo_of "$g")" v1)" "$reported_digest" "docker's output was shown"
assert_contains "$OUT" "Successfully signed $g:v1" "signed after the push"
assert_contains "$OUT" "Signing $g:v1 ($reported_digest, $reported_size bytes)" "says what it signs"
signed_as "dct push: signs the digest and size docker push reported (control)" \
  "$g" v1 "$reported_digest" "$reported_size" "the reported digest and size"

echo "== (a) on a terminal, docker draws as it would on ours, and the digest is still read"
run_capture script -qec "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND=$fake $DCT_BIN dct push $g:v2 --trust-dir $DCT_TRUST" /dev/null
assert_eq 0 "$RC" "push on a terminal: $OUT $ERR"
assert_contains "$OUT" "fake docker: stdout is a terminal" "docker's stdout is a terminal"
assert_contains "$OUT" "Successfully signed $g:v2" "signed on a terminal"
v2=$(registry_digest "$(repo_of "$g")" v2)
assert_eq "v2 $v2" "$(lookup "$g" v2 | cut -d' ' -f1,2)" "terminal: notary lookup gives the pushed digest"

echo "== docker push fails: nothing is signed"
: >"$calls"
FAKE_DOCKER_FAIL=1 run_capture as_plugin push "$g:v3"
[[ $RC -ne 0 ]] && pass || fail "a failed docker push fails"
assert_contains "$ERR" "nothing was signed" "says nothing was signed"
assert_eq "" "$(lookup "$g" v3)" "no signature for v3"

# A refused case: push_case_begin GUN (whose v0 is signed) notes the server's tags and the
# cache once it is up to date; after the command and the case's own checks, refused (and
# push_refused, after docker push) check exit 1, no untrusted digest on stdout or signed, the
# server's tags, the cache and the changelist as they were, and record the case.
push_case_begin() {
  dct resolve "$1:v0" >/dev/null
  CASE_G=$1 CASE_FAILS=$E2E_FAILURES CASE_SERVER=$(server_tags "$1") CASE_STATE=$(state "$1")
}
# What the user read first, without the security preamble; the repository as GUN, digests short.
observed_message() {
  local msg
  msg=$(grep -v "may be the sign of an attack" <<<"$ERR" | head -1)
  msg=${msg//"$CASE_G"/GUN}
  msg=$(sed -E 's/sha256:([0-9a-f]{12})[0-9a-f]{52}/sha256:\1.../g' <<<"$msg")
  ((${#msg} > 150)) && msg="${msg:0:147}..."
  printf '%s' "$msg"
}
case_recorded() { # CASE: one row for the attack table
  local verdict=PASS observed
  ((E2E_FAILURES > CASE_FAILS)) && verdict=FAIL
  observed="exit $RC, \"$(observed_message)\", nothing signed or staged, cache unchanged"
  echo "   $verdict: $observed"
  record_attack push "$1" "$observed" "$verdict"
}
refused() { # CASE DIGEST...: DIGESTs must be neither printed on stdout nor signed
  local name=$1
  shift
  assert_eq 1 "$RC" "$name: exit 1 ($ERR)"
  assert_not_contains "$OUT" "Signing" "$name: nothing was being signed"
  local d
  for d in "$@"; do
    assert_not_contains "$OUT" "${d#sha256:}" "$name: the untrusted digest is not printed on stdout"
    assert_not_contains "$(notary_cli list "$CASE_G" 2>/dev/null)" "${d#sha256:}" "$name: not signed"
  done
  assert_eq "$CASE_SERVER" "$(server_tags "$CASE_G")" "$name: the server's tags are unchanged"
  assert_eq "$CASE_STATE" "$(state "$CASE_G")" "$name: cache unchanged, nothing staged"
  case_recorded "$name"
}
push_refused() { # CASE DIGEST...: as refused, after docker push
  assert_contains "$ERR" "was pushed but NOT signed" "$1: says the image is pushed, not signed"
  refused "$@"
}

echo "== (b) another push moves the tag between docker push and signing"
g=$(new_gun push-race)
run_capture as_plugin push "$g:v0"
assert_eq 0 "$RC" "race: the repository starts signed ($ERR)"
push_case_begin "$g"
FAKE_DOCKER_RACE_TYPE=oci run_capture as_plugin push "$g:v1"
pushed=$(sed -n 's/^v1: digest: \(sha256:[0-9a-f]*\) .*/\1/p' <<<"$OUT")
moved=$(registry_digest "$(repo_of "$g")" v1)
if [[ -n $pushed && -n $moved && $pushed != "$moved" ]]; then pass; else
  fail "race: the tag did not move ($pushed -> $moved)"
fi
assert_contains "$ERR" "points at $moved, not at $pushed" "race: names both digests"
assert_contains "$ERR" "docker dct sign $g:v1@$pushed" "race: gives the command that signs what was pushed"
assert_eq "" "$(lookup "$g" v1)" "race: v1 not signed"
push_refused "dct push: another push moves the tag between docker push and signing" "$moved"

echo "== docker push reports a digest the registry does not serve"
push_case_begin "$g"
missing=sha256:$(printf 'not pushed %s' "$RANDOM" | sha256sum | cut -c1-64)
FAKE_DOCKER_DIGEST=$missing run_capture as_plugin push "$g:v2"
assert_contains "$ERR" "does not serve" "unknown digest: says the registry lacks it"
assert_eq "" "$(lookup "$g" v2)" "unknown digest: v2 not signed"
push_refused "dct push: the registry does not serve the digest docker push reported"

echo "== docker push reports another size than the registry's bytes have"
push_case_begin "$g"
FAKE_DOCKER_SIZE=99 run_capture as_plugin push "$g:v3"
assert_contains "$ERR" "but 99 bytes were reported" "size: names the sizes"
assert_eq "" "$(lookup "$g" v3)" "size: v3 not signed"
push_refused "dct push: the registry's bytes are not the size docker push reported"

echo "== docker push reports no digest: pushed but not signed, said plainly"
push_case_begin "$g"
FAKE_DOCKER_QUIET=1 run_capture as_plugin push "$g:v4"
assert_contains "$ERR" "reported no digest" "no digest: says why"
assert_contains "$ERR" "docker dct sign $g:v4@sha256:" "no digest: says how to sign it later"
assert_eq "" "$(lookup "$g" v4)" "no digest: v4 not signed, though the registry has it"
push_refused "dct push: docker push reports no digest for the tag" \
  "$(registry_digest "$(repo_of "$g")" v4)"

echo "== the push \"succeeds\" but pushed nothing"
FAKE_DOCKER_SKIP=1 run_capture as_plugin push "$g:v5"
[[ $RC -ne 0 ]] && pass || fail "signing failure after push fails"
assert_contains "$ERR" "pushed but NOT signed" "says the image is not signed"

echo "== (c) a registry that serves other bytes for the pushed digest"
proxy_pid=""
trap 'if [[ -n $proxy_pid ]]; then kill "$proxy_pid" 2>/dev/null; fi; rm -rf "$E2E_TMP"' EXIT
echo pass >"$E2E_TMP/proxy.mode"
/usr/bin/python3 "$(dirname "$0")/fault_proxy.py" "$STACK_DIR/tls/localhost.crt" \
  "$STACK_DIR/tls/localhost.key" "$STACK_CA" "${REGISTRY_HOST##*:}" "$E2E_TMP/proxy.mode" \
  "$E2E_TMP/proxy.port" >"$E2E_TMP/proxy.log" 2>&1 &
proxy_pid=$!
for _ in $(seq 100); do [[ -s $E2E_TMP/proxy.port ]] && break; sleep 0.05; done
proxy_host=127.0.0.1:$(cat "$E2E_TMP/proxy.port")
cfg=$E2E_TMP/config
cp -r "$DOCKER_CONFIG" "$cfg"
mkdir -p "$cfg/tls/$proxy_host"
cp "$STACK_CA" "$cfg/tls/$proxy_host/ca.crt"
export DOCKER_CONFIG=$cfg
repo=e2e/push-forge-$RANDOM$RANDOM
gp=$proxy_host/$repo
run_capture as_plugin push "$gp:v0"
assert_eq 0 "$RC" "through the proxy: push and sign ($ERR)"
# The forger's bytes: a real manifest of the same repository, another image.
read -r _ _ other _ < <("$E2E_ROOT/scripts/stack.sh" push-image "$repo" other --type oci)
curl -sSf "${curl_auth[@]}" --cacert "$STACK_CA" -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  -o "$E2E_TMP/forged.json" "https://$REGISTRY_HOST/v2/$repo/manifests/$other"
echo "forge-manifest:$E2E_TMP/forged.json" >"$E2E_TMP/proxy.mode"
push_case_begin "$gp"
run_capture as_plugin push "$gp:v1"
assert_contains "$ERR" "whose digest is $other" "forged: says the bytes have another digest"
assert_eq "" "$(lookup "$gp" v1)" "forged: v1 not signed"
push_refused "dct push: the registry serves other bytes for the pushed digest" "$other"

echo "== (d) sign IMAGE:TAG@DIGEST signs that digest, also when the tag has moved on"
echo pass >"$E2E_TMP/proxy.mode"
read -r _ _ d1 s1 < <("$E2E_ROOT/scripts/stack.sh" push-image "$repo" v2)
read -r _ _ d2 _ < <("$E2E_ROOT/scripts/stack.sh" push-image "$repo" v2 --type oci)
run_capture dct sign "$gp:v2@$d1"
assert_eq 0 "$RC" "sign by digest ($ERR)"
assert_contains "$ERR" "points at $d2" "sign by digest: warns that the tag points elsewhere"
assert_contains "$OUT" "Signing $gp:v2 ($d1, $s1 bytes)" "sign by digest: says what it signs"
assert_not_contains "$OUT" "${d2#sha256:}" "sign by digest: the tag's digest is not printed on stdout"
signed_as "dct sign IMAGE:TAG@DIGEST while the tag points at another image (control)" \
  "$gp" v2 "$d1" "$s1" "the digest given, with a warning naming the tag's"

echo "== (d) sign IMAGE:TAG@DIGEST of a digest the registry does not serve"
push_case_begin "$gp"
run_capture dct sign "$gp:v3@$missing"
assert_contains "$ERR" "does not serve $gp@$missing" "unknown digest: says the registry lacks it"
assert_contains "$ERR" "nothing was signed" "unknown digest: says nothing was signed"
refused "dct sign IMAGE:TAG@DIGEST: the registry does not serve the digest" "$missing"

echo "== (d) sign IMAGE:TAG@DIGEST, the registry serves other bytes for it"
"$E2E_ROOT/scripts/stack.sh" push-image "$repo" v4 >/dev/null
echo "forge-manifest:$E2E_TMP/forged.json" >"$E2E_TMP/proxy.mode"
push_case_begin "$gp"
run_capture dct sign "$gp:v4@$d1"
assert_contains "$ERR" "whose digest is $other" "forged: says the bytes have another digest"
refused "dct sign IMAGE:TAG@DIGEST: the registry serves other bytes for the digest" "$other"
echo pass >"$E2E_TMP/proxy.mode"

echo "== references sign and push refuse"
run_capture dct sign "$g@$d1"
assert_eq 1 "$RC" "a digest without a tag: exit 1"
assert_contains "$ERR" "names no tag" "a digest without a tag: says so"
run_capture dct sign "$g:v1@sha512:$(printf '%0128d' 0)"
assert_eq 1 "$RC" "a sha512 digest: exit 1"
assert_contains "$ERR" "sha256" "a sha512 digest: asks for sha256"
: >"$calls"
run_capture as_plugin push "$g:v1@$d1"
assert_eq 1 "$RC" "push of a digest reference: exit 1"
assert_eq "" "$(cat "$calls")" "push of a digest reference: docker push never ran"

echo "== checks before the push: a releases delegation without its key stops everything first"
g2=$(new_gun push-rel)
push "$g2" v1 >/dev/null
notary_init "$g2"
make_delegation_cert pat
notary_cli delegation add "$g2" targets/releases "$E2E_TMP/pat.crt" --all-paths -p >/dev/null
: >"$calls"
run_capture as_plugin push "$g2:v1"
[[ $RC -ne 0 ]] && pass || fail "push without a usable role refused"
assert_contains "$ERR" "targets/releases" "names the role"
assert_eq "" "$(cat "$calls")" "docker push never ran"
finish
