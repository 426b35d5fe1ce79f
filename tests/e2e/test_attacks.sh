#!/usr/bin/env bash
# The attack suite. A real repository is published to the real stack (v1 signed in targets, v2
# in targets/releases) and its trust data downloaded; the dct_attack program (tests/attack)
# then stages every attack from it on an in-process HTTPS server and runs docker-dct against
# each. The `dct pull` case (a registry manifest that no longer matches what was signed) runs
# here against the real registry.
source "$(dirname "$0")/lib.sh"
ATTACK_BIN=${DCT_ATTACK_BIN:-$E2E_ROOT/build/tests/dct_attack}
[[ -x $ATTACK_BIN ]] || { echo "dct_attack not built (set DCT_ATTACK_BIN)" >&2; exit 1; }

echo "== publish the repository the attacks start from"
g=$(new_gun attack)
notary_init "$g"
read -r d1 s1 < <(push "$g" v1)
notary_sign "$g" v1 "$d1" "$s1"
add_delegation "$g" targets/releases attack-releaser
read -r d2 s2 < <(push "$g" v2)
notary_sign "$g" v2 "$d2" "$s2" targets/releases
run_capture dct resolve "$g:v2"
assert_eq "$g@$d2" "$OUT" "the published repository resolves"

meta=$E2E_TMP/metadata
mkdir -p "$meta/targets"
curl_auth=()
[[ $STACK_AUTH == basic ]] && curl_auth=(-u "$STACK_USER:$STACK_PASS")
for role in root timestamp snapshot targets targets/releases; do
  curl -sSf "${curl_auth[@]}" --cacert "$STACK_CA" -o "$meta/$role.json" \
    "$NOTARY_URL/v2/$g/_trust/tuf/$role.json"
done

echo "== dct pull: the registry's manifest differs from the signed one"
fake=$E2E_TMP/fake-docker
calls=$E2E_TMP/docker-calls
: >"$calls"
printf '#!/usr/bin/env bash\necho "$*" >>"%s"\n' "$calls" >"$fake"
chmod +x "$fake"
notary_sign "$g" v3 "$d1" "$((s1 + 1))"
run_capture env DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND="$fake" "$DCT_BIN" dct pull "$g:v3" \
  --trust-dir "$DCT_TRUST"
before=$((E2E_FAILURES))
[[ $RC -ne 0 ]] && pass || fail "pull of a mismatching manifest must fail"
assert_contains "$ERR" "bytes were signed" "says the manifest differs from the signed one"
assert_not_contains "$OUT" "sha256:" "no digest printed"
assert_eq "" "$(cat "$calls")" "docker pull never ran"
verdict=PASS
((E2E_FAILURES > before)) && verdict=FAIL
msg=$({ grep -v "may be the sign of an attack" <<<"$ERR" || true; } | head -1 | head -c 70)
ran=$([[ -s $calls ]] && echo "docker pull ran" || echo "docker pull not run")
record_attack registry "dct pull: registry manifest size differs from the signed size" \
  "exit $RC, \"$msg\", $ran" "$verdict"

echo "== the attacks"
set +e
"$ATTACK_BIN" --dct "$DCT_BIN" --gun "$g" --metadata "$meta" \
  --trust-dir "$(jq -r .trust_dir "$NOTARY_CLIENT_CONFIG")" --docker-config "$DOCKER_CONFIG" \
  --work "$E2E_TMP/attack" ${DCT_ATTACK_ONLY:+--only "$DCT_ATTACK_ONLY"}
rc=$?
set -e
assert_eq 0 "$rc" "every attack was refused as it should be"
finish
