#!/usr/bin/env bash
# Passphrases, passwords and tokens never show up in output, even with --debug (-D): every
# command runs with -D in each auth mode of the stack (none, registry basic auth, token auth for
# registry and notary), and its stdout and stderr are searched for the passphrases, the
# password, the base64 credential, anything shaped like a bearer token (a JWT) and private key
# text. The stack is put back to "none" at the end.
source "$(dirname "$0")/lib.sh"

# A stand-in for the Docker CLI that ran the plugin (no daemon here): docker push pushes with
# the stack's pusher and reports the digest as docker does, pull and build only record that
# they ran.
fake=$E2E_TMP/fake-docker
cat >"$fake" <<FAKE
#!/usr/bin/env bash
while [[ \$1 == -* ]]; do shift; done  # docker's global flags, passed on by the plugin
if [[ \$1 == push ]]; then
  ref=\${@: -1}; repo=\${ref#*/}
  read -r _ _ digest size < <("$E2E_ROOT/scripts/stack.sh" push-image "\${repo%:*}" "\${repo##*:}")
  echo "\${repo##*:}: digest: \$digest size: \$size"
fi
echo "fake docker: \$1"
FAKE
chmod +x "$fake"

for mode in none basic token; do
  echo "== auth $mode"
  use_auth "$mode"
  T=$E2E_TMP/trust-$mode
  all=$E2E_TMP/output-$mode
  : >"$all"
  # logged CMD...: runs CMD, its output and exit status appended to $all.
  logged() {
    echo "### $*" >>"$all"
    local rc=0
    "$@" >>"$all" 2>&1 || rc=$?
    echo "### exit $rc" >>"$all"
  }
  # d ARGS...: one dct command with -D; p ARGS...: the same as a plugin of the stand-in CLI.
  d() { logged "$DCT_BIN" -D "$@" --trust-dir "$T"; }
  p() { DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND=$fake logged "$DCT_BIN" -D dct "$@" --trust-dir "$T"; }

  g=$(new_gun "secrets-$mode")
  g2=$(new_gun "secrets-init-$mode")
  push "$g" v1 >/dev/null
  push "$g" v2 >/dev/null
  push "$g" v4 >/dev/null
  make_delegation_cert "sam-$mode"
  printf 'FROM %s:v1\nRUN true\n' "$g" >"$E2E_TMP/Dockerfile"

  logged "$DCT_BIN" -D version
  d sign "$g:v1"
  d resolve "$g:v1"
  d resolve --format json "$g:v1"
  d inspect "$g:v1"
  d inspect --pretty "$g"
  d init "$g2"
  d key import "$E2E_TMP/sam-$mode.key" --role user
  d key list
  d key generate "tom-$mode" --dir "$E2E_TMP"
  d delegation add -p "$g" targets/releases "$E2E_TMP/sam-$mode.crt" --all-paths
  d delegation list "$g"
  d sign "$g:v2"
  d revoke "$g:v2" --yes
  d delegation remove "$g" targets/releases --yes
  d status "$g"
  d publish "$g"
  d key rotate "$g" snapshot -r
  d key export "tom-$mode" -o "$E2E_TMP/export-$mode.pem"
  DCT_NEW_PASSPHRASE=new-secret-passphrase-456 d key passwd "tom-$mode"
  d key remove "tom-$mode" --yes
  d key rotate "$g" root --yes
  d pin -f "$E2E_TMP/Dockerfile"
  p pull "$g:v1"
  p push "$g:v3"
  p build -f "$E2E_TMP/Dockerfile" "$E2E_TMP"
  # A wrong passphrase must not be echoed back either.
  DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=wrong-secret-passphrase-123 d sign "$g:v4"

  # The commands did run: all but the last (the wrong passphrase) succeeded, and traces were on.
  ran=$(grep -c '^### exit ' "$all")
  assert_eq "$((ran - 1))" "$(grep -c '^### exit 0$' "$all")" "$mode: every command but the wrong passphrase succeeded ($(grep -B3 '^### exit [1-9]' "$all" | head -20))"
  assert_eq "### exit 1" "$(tail -n 1 "$all")" "$mode: the wrong passphrase was refused"
  assert_contains "$(cat "$all")" "DEBUG: GET https" "$mode: debug traces were on"
  assert_contains "$(cat "$all")" "fake docker: push" "$mode: push ran docker push"
  if [[ $mode != none ]]; then
    # The servers asked for credentials and the commands went through: they were sent.
    assert_contains "$(cat "$all")" "-> 401" "$mode: credentials were asked for"
  fi
  if [[ $mode == token ]]; then
    assert_contains "$(cat "$STACK_DIR/logs/token.log")" "issued sub='$STACK_USER'" "token: tokens were issued"
  fi

  secrets=("$DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE" "$DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE"
    wrong-secret-passphrase-123 new-secret-passphrase-456 "${STACK_PASS:-}" "${NOTARY_AUTH:-}")
  [[ -n ${STACK_USER:-} ]] && secrets+=("$(printf '%s:%s' "$STACK_USER" "$STACK_PASS" | base64 -w0)")
  for secret in "${secrets[@]}"; do
    [[ -z $secret ]] && continue
    if grep -qF -- "$secret" "$all"; then fail "$mode: a secret appears in the output"; else pass; fi
  done
  grep -qE 'eyJ[A-Za-z0-9_-]{8,}\.eyJ' "$all" && fail "$mode: a bearer token appears in the output" || pass
  grep -qiE 'authorization:' "$all" && fail "$mode: an Authorization header appears in the output" || pass
  grep -q 'PRIVATE KEY' "$all" && fail "$mode: private key text in the output" || pass
done
finish
