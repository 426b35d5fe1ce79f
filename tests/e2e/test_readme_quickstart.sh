#!/usr/bin/env bash
# The README's quick start, run as a newcomer would type it, so it cannot drift from what works.
# The block between the quickstart markers runs line by line in a fresh directory, on a second
# stack of its own (other ports, its own STACK_DIR), with one substitution: `scripts/install.sh`
# copies the binary this suite built instead of building a Release one.
source "$(dirname "$0")/lib.sh"

readme=$E2E_ROOT/README.md
block=$E2E_TMP/quickstart.sh
/usr/bin/python3 - "$readme" "$block" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r"<!-- quickstart:begin -->\n```sh\n(.*?)```\n<!-- quickstart:end -->", text, re.S)
if not m:
    sys.exit("README.md has no ```sh block between the quickstart markers")
open(sys.argv[2], "w").write(m.group(1))
EOF
lines=$(grep -c . "$block")
echo "quick start: $lines commands"
((lines >= 5)) && pass || fail "the quick start has only $lines commands"

ports=$(/usr/bin/python3 -c '
import socket
socks = [socket.socket() for _ in range(4)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
read -r signer_port notary_port registry_port token_port <<<"$ports"

work=$E2E_TMP/newcomer
mkdir -p "$work"
ln -s "$E2E_ROOT/scripts" "$work/scripts"
qs_stack=$E2E_TMP/quickstart-stack
stop_quickstart_stack() {
  STACK_DIR=$qs_stack "$E2E_ROOT/scripts/stack.sh" stop >/dev/null 2>&1 || true
}
trap 'stop_quickstart_stack; rm -rf "$E2E_TMP"' EXIT

run_capture env -u DOCKER_CONFIG -u DOCKER_CONTENT_TRUST_SERVER -u NOTARY_CLIENT_CONFIG \
  STACK_DIR="$qs_stack" STACK_SIGNER_PORT="$signer_port" STACK_NOTARY_PORT="$notary_port" \
  STACK_REGISTRY_PORT="$registry_port" STACK_TOKEN_PORT="$token_port" DCT_BIN="$DCT_BIN" \
  HOME="$work" bash -c '
    set -euo pipefail
    cd "$HOME"
    function scripts/install.sh {
      mkdir -p "$DOCKER_CONFIG/cli-plugins"
      cp "$DCT_BIN" "$DOCKER_CONFIG/cli-plugins/docker-dct"
      echo "installed $DOCKER_CONFIG/cli-plugins/docker-dct"
    }
    source "$0"' "$block"
[[ -n ${QS_SHOW:-} ]] && printf "%s\n" "$OUT"
assert_eq 0 "$RC" "the quick start runs to the end (stderr: ${ERR: -2000})"

registry_host=localhost:$registry_port
pushed_digest() {  # TAG
  local f=$qs_stack/pushed/demo_hello_$1.json
  [[ -f $f ]] || { echo "none"; return; }
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$f"
}
assert_contains "$OUT" "$registry_host/demo/hello@$(pushed_digest v1)" \
  "resolve prints the digest v1 was pushed with"
v2_json=$(/usr/bin/python3 -c '
import json, re, sys
text = sys.stdin.read()
m = re.search(r"^\{\n.*?^\}$", text, re.S | re.M)
print(json.dumps(json.loads(m.group(0)), sort_keys=True) if m else "")' <<<"$OUT")
assert_contains "$v2_json" "\"digest\": \"$(pushed_digest v2)\"" "v2 resolves to the digest it was pushed with"
assert_contains "$v2_json" '"role": "targets/releases"' "v2 was signed into targets/releases with alice's key"
signers=$(sed -n '/^List of signers and their keys/,/^Administrative keys/p' <<<"$OUT")
assert_contains "$signers" "alice" "inspect --pretty lists alice among the signers"
assert_contains "$OUT" "Signatures for $registry_host/demo/hello" "inspect --pretty ran"
[[ -s $work/alice.crt ]] && pass || fail "key generate alice wrote alice.crt where the newcomer stood"
assert_not_contains "$OUT$ERR" "stack-repo-passphrase" "no passphrase printed"
# The last line stopped the stack: nothing listens on its ports any more.
if (exec 3<>"/dev/tcp/127.0.0.1/$notary_port") 2>/dev/null; then
  fail "the quick start's notary-server still listens after scripts/stack.sh stop"
else
  pass
fi
finish
