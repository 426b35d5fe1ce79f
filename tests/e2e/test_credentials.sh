#!/usr/bin/env bash
# A notary server cannot collect the registry's credentials. The stack runs with token auth
# (the registry and notary-server share one token service, as on Docker Hub); a crafted notary
# server (credential_trap.py) stands in for notary-server and asks for the password with a Basic
# challenge, or names a token realm of its own, or redirects. Every attack: non-zero exit, no
# digest printed, nothing signed, the trust dir unchanged, and no password, base64 credential,
# identity token or client certificate reaches the trap. Controls show the trap would have seen
# them: a realm the user allowed, and a registry that is its own notary server. Then the real
# stack, where the credentials go to the registry's own token service (learnt once, kept beside
# the trust data). Each case is a row of the attack results table (area "credentials").
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh"

cleanup() {
  stop_servers
  "$E2E_ROOT/scripts/stack.sh" start --auth none >/dev/null
  rm -rf "$E2E_TMP"
}
use_auth token
trap cleanup EXIT

start_trap() {  # NAME: mode file $E2E_TMP/NAME.mode, log NAME.jsonl, port in ${NAME}_port
  echo notfound >"$E2E_TMP/$1.mode"
  : >"$E2E_TMP/$1.jsonl"
  start_server "$1" credential_trap.py "$STACK_DIR/tls/localhost.crt" \
    "$STACK_DIR/tls/localhost.key" "$STACK_CA" "$E2E_TMP/$1.mode" "$E2E_TMP/$1.jsonl"
}
mode() { echo "$2" >"$E2E_TMP/$1.mode"; : >"$E2E_TMP/$1.jsonl"; }
start_trap hostile
start_trap elsewhere
hostile=https://127.0.0.1:$hostile_port
elsewhere=https://127.0.0.1:$elsewhere_port

# The repository, signed in the real notary-server; v2 is pushed but not signed.
g=$(new_gun creds)
notary_init "$g"
read -r digest size < <(push "$g" v1)
notary_sign "$g" v1 "$digest" "$size"
push "$g" v2 >/dev/null

config_with() {  # NAME JSON: a docker config dir with the stack's TLS files and the traps' CA
  local dir=$E2E_TMP/$1 p
  mkdir -p "$dir"
  cp -r "$DOCKER_CONFIG/tls" "$dir/"
  for p in "$hostile_port" "$elsewhere_port"; do
    mkdir -p "$dir/tls/127.0.0.1:$p"
    cp "$STACK_CA" "$dir/tls/127.0.0.1:$p/ca.crt"
  done
  echo "$2" >"$dir/config.json"
  echo "$dir"
}
b64=$(printf '%s:%s' "$STACK_USER" "$STACK_PASS" | base64 -w0)
idtoken=dct-e2e-identity-token-$RANDOM$RANDOM
password_cfg=$(config_with password "{\"auths\": {\"$REGISTRY_HOST\": {\"auth\": \"$b64\"}}}")
idtoken_cfg=$(config_with idtoken "{\"auths\": {\"$REGISTRY_HOST\": {\"identitytoken\": \"$idtoken\"}}}")
cert_cfg=$(config_with cert "{\"auths\": {\"$REGISTRY_HOST\": {\"auth\": \"$b64\"}}}")
cp "$STACK_DIR/tls/localhost.crt" "$cert_cfg/tls/127.0.0.1:$hostile_port/client.cert"
cp "$STACK_DIR/tls/localhost.key" "$cert_cfg/tls/127.0.0.1:$hostile_port/client.key"

T=$E2E_TMP/trust
# The trust data below a trust dir (a sign that fails after taking the repository lock leaves
# its lock file, which holds no trust data).
trust_sum() { (cd "$1" && find . -type f ! -name dct.lock -exec sha256sum {} \; | sort | sha256sum | cut -c1-16); }
dct_at() {  # CONFIG SERVER ARGS...
  local cfg=$1 server=$2
  shift 2
  "$DCT_BIN" --config "$cfg" "$@" --trust-dir "$T" --server "$server"
}
run_capture dct_at "$password_cfg" "$NOTARY_URL" resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "baseline: the real notary server resolves v1 ($ERR)"

# What reached a trap, one line per request; leaked SECRET... makes it non-empty.
leaks() {  # NAME SECRET...
  local name=$1 s
  shift
  for s in "$@"; do grep -F -- "$s" "$E2E_TMP/$name.jsonl" | head -1; done
  jq -r 'select(.authorization != "" and (.authorization | startswith("Bearer trap") | not))
         | "\(.method) \(.path) Authorization: \(.authorization[0:12])..."' "$E2E_TMP/$name.jsonl"
}
requests_to() { wc -l <"$E2E_TMP/$1.jsonl" | tr -d ' '; }

# The sentence of the last error that says what was kept back, with the trap as TRAP, the
# registry as REGISTRY and its token service as REALM.
kept_back() {
  sed -e "s#https://127.0.0.1:$hostile_port#TRAP#g" -e "s#127.0.0.1:$hostile_port#TRAP#g" \
    -e "s#${STACK_TOKEN_REALM%/token}#REALM#g" -e "s#$REGISTRY_HOST#REGISTRY#g" <<<"$ERR" |
    grep -oE 'the credentials for [^;]*' | head -1 | sed -E 's/ \([A-Z]+: trap\)$//'
}

# attack CASE TRAP_MODE CONFIG COMMAND NEEDLE...: dct COMMAND (resolve v1 or sign v2) against the
# hostile notary server fails, names what it kept back, and leaks nothing.
attack() {
  local name=$1 m=$2 cfg=$3 cmd=$4
  shift 4
  echo "== credentials: $name"
  local before tags fails=$E2E_FAILURES
  mode hostile "$m"
  before=$(trust_sum "$T")
  tags=$(server_tags "$g")
  if [[ $cmd == resolve ]]; then
    run_capture dct_at "$cfg" "$hostile" resolve "$g:v1"
  else
    run_capture dct_at "$cfg" "$hostile" sign "$g:v2"
  fi
  assert_eq 1 "$RC" "$name: exit code"
  assert_not_contains "$OUT" "sha256:" "$name: no digest printed"
  local n
  for n in "$@"; do assert_contains "$ERR" "$n" "$name: the message says what was kept back"; done
  assert_eq "" "$(leaks hostile "$STACK_PASS" "$b64" "$idtoken")" "$name: nothing secret reached the trap"
  assert_eq 1 "$(($(requests_to hostile) > 0))" "$name: dct did talk to the trap"
  assert_eq "$before" "$(trust_sum "$T")" "$name: trust dir unchanged"
  assert_eq "$tags" "$(server_tags "$g")" "$name: nothing new signed on the server"
  local verdict=PASS
  ((E2E_FAILURES > fails)) && verdict=FAIL
  record_attack credentials "$name" "exit $RC, \"$(kept_back)\", no digest, $(requests_to hostile) requests to it without credentials, cache unchanged" "$verdict"
}

allow_hint="DCT_CREDENTIAL_REALMS=$hostile"
attack "notary server on another host asks for Basic auth (resolve)" basic "$password_cfg" \
  resolve "not sent to the notary server 127.0.0.1:$hostile_port" "docker login 127.0.0.1:$hostile_port"
attack "notary server on another host asks for Basic auth (sign)" basic "$password_cfg" \
  sign "not sent to the notary server 127.0.0.1:$hostile_port"
attack "notary server names its own token realm (password)" bearer "$password_cfg" \
  resolve "token service $hostile" "$allow_hint"
attack "notary server names its own token realm (identity token)" bearer "$idtoken_cfg" \
  resolve "token service $hostile" "$allow_hint"
attack "notary server's own realm grants an anonymous token, sign needs more" bearer-anon \
  "$password_cfg" sign "token service $hostile" "$allow_hint"
assert_eq "" "$(jq -r 'select(.method == "POST" and (.body | contains("refresh_token")))' \
  "$E2E_TMP/hostile.jsonl")" "no refresh token was posted to the trap"

echo "== credentials: client certificate of the notary host, redirect and token server elsewhere"
fails=$E2E_FAILURES
before=$(trust_sum "$T")
mode hostile "redirect:$elsewhere"
mode elsewhere notfound
run_capture dct_at "$cert_cfg" "$hostile" resolve "$g:v1"
redirect_rc=$RC
redirect_out=$OUT
assert_eq 1 "$RC" "redirect: exit code"
assert_eq "true" "$(jq -s -r 'map(.client_cert) | all' "$E2E_TMP/hostile.jsonl")" \
  "redirect: the notary host itself got the client certificate (control)"
assert_eq 1 "$(($(requests_to elsewhere) > 0))" "redirect: followed to the other host"
assert_eq "false" "$(jq -s -r 'map(.client_cert) | any' "$E2E_TMP/elsewhere.jsonl")" \
  "redirect: no client certificate for the other host"
mode hostile "bearer-at:$elsewhere"
mode elsewhere token-anon
run_capture dct_at "$cert_cfg" "$hostile" resolve "$g:v1"
assert_eq 1 "$RC" "token server elsewhere: exit code"
assert_eq 1 "$(($(requests_to elsewhere) > 0))" "token server elsewhere: asked for a token"
assert_eq "false" "$(jq -s -r 'map(.client_cert) | any' "$E2E_TMP/elsewhere.jsonl")" \
  "token server elsewhere: no client certificate for it"
assert_not_contains "$OUT$redirect_out" "sha256:" "client certificate cases: no digest printed"
assert_eq "$before" "$(trust_sum "$T")" "client certificate cases: trust dir unchanged"
verdict=PASS
((E2E_FAILURES > fails)) && verdict=FAIL
record_attack credentials "client certificate of the notary host, redirect and token server on other hosts" \
  "exit $redirect_rc and $RC, no digest, certificate presented to the notary host only, cache unchanged" "$verdict"

echo "== credentials: controls (the trap does see credentials where they may go)"
fails=$E2E_FAILURES
mode hostile bearer
run_capture env DCT_CREDENTIAL_REALMS="$hostile" "$DCT_BIN" --config "$password_cfg" resolve \
  "$g:v1" --trust-dir "$E2E_TMP/allowed-trust" --server "$hostile"
assert_contains "$(jq -r .authorization "$E2E_TMP/hostile.jsonl")" "Basic $b64" \
  "control: a realm allowed in DCT_CREDENTIAL_REALMS receives the credentials"
allowed_rc=$RC
# A registry that is its own notary server (same host) gets its credentials as Basic auth.
mode hostile basic
same_cfg=$(config_with same "{\"auths\": {\"127.0.0.1:$hostile_port\": {\"auth\": \"$b64\"}}}")
run_capture "$DCT_BIN" --config "$same_cfg" resolve "127.0.0.1:$hostile_port/e2e/same:v1" \
  --trust-dir "$E2E_TMP/same-trust" --server "$hostile"
assert_contains "$(jq -r .authorization "$E2E_TMP/hostile.jsonl")" "Basic $b64" \
  "control: the registry's own host gets Basic credentials"
verdict=PASS
((E2E_FAILURES > fails)) && verdict=FAIL
record_attack credentials "control: an allowed realm, and a registry that is its own notary server, get them" \
  "credentials received in both (exit $allowed_rc and $RC: the trap serves no trust data)" "$verdict"

echo "== credentials: the real stack, where notary-server names the registry's token service"
# A new repository, initialized and signed by dct with the password, then with docker login's
# identity token.
g3=$(new_gun creds-real)
push "$g3" v1 >/dev/null
push "$g3" v2 >/dev/null
K=$E2E_TMP/stack-trust
# A config dir of its own: its token cache has not yet seen the registry's realm.
real_cfg=$(config_with real "{\"auths\": {\"$REGISTRY_HOST\": {\"auth\": \"$b64\"}}}")
run_capture "$DCT_BIN" --config "$real_cfg" -D sign "$g3:v1" --trust-dir "$K"
assert_eq 0 "$RC" "token: sign with the password ($(grep -v DEBUG <<<"$ERR"))"
realm_file="$K/tuf/$g3/dct.registry-realm.json"
assert_eq "$STACK_TOKEN_REALM" "$(jq -r .realm "$realm_file" 2>/dev/null)" "the registry's realm is kept"
assert_eq 600 "$(stat -c %a "$realm_file" 2>/dev/null)" "the kept realm is 0600"
# Asked once, or not at all when the registry's own 401 on the manifest (fetched at the same
# time) named its realm first.
pings=$(grep -c "DEBUG: GET https://$REGISTRY_HOST/v2/ " <<<"$ERR" || true)
assert_eq 1 "$((pings <= 1))" "the registry was asked for its realm at most once ($pings)"
login=$(config_with login '{"auths": {}}')
echo "$STACK_PASS" | docker --config "$login" login -u "$STACK_USER" --password-stdin "$REGISTRY_HOST" >/dev/null 2>&1 || true
assert_eq string "$(jq -r ".auths[\"$REGISTRY_HOST\"].identitytoken | type" "$login/config.json")" \
  "docker login stored an identity token"
log_lines=$(wc -l <"$STACK_DIR/logs/token.log")
run_capture "$DCT_BIN" --config "$login" -D sign "$g3:v2" --trust-dir "$K"
assert_eq 0 "$RC" "token: sign with docker login's identity token ($(grep -v DEBUG <<<"$ERR"))"
assert_eq 0 "$(grep -c "DEBUG: GET https://$REGISTRY_HOST/v2/ " <<<"$ERR" || true)" \
  "a later run uses the kept realm without asking the registry"
assert_contains "$(tail -n +"$((log_lines + 1))" "$STACK_DIR/logs/token.log")" "POST /token" \
  "the identity token was used as a refresh token"
run_capture "$DCT_BIN" --config "$real_cfg" -D resolve "$g3:v2" --trust-dir "$E2E_TMP/fresh"
assert_eq "$g3@$(jq -r .digest "$STACK_DIR/pushed/$(repo_of "$g3" | tr / _)_v2.json")" "$OUT" \
  "token: v2 resolves ($(grep -v DEBUG <<<"$ERR"))"
assert_eq 0 "$(grep -c "DEBUG: GET https://$REGISTRY_HOST/v2/ " <<<"$ERR" || true)" \
  "an empty trust dir: the token cache's record of the registry's realm is used, not asked again"
assert_eq "$STACK_TOKEN_REALM" "$(jq -r .realm "$E2E_TMP/fresh/tuf/$g3/dct.registry-realm.json" 2>/dev/null)" \
  "the realm is kept beside the new trust data too"
assert_contains "$(cat "$STACK_DIR/logs/token.log")" "issued sub='$STACK_USER' aud='local-notary'" \
  "notary tokens were issued for the user"

finish
