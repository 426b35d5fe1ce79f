#!/usr/bin/env bash
# Resolve (and the registry check of pull) in the three auth modes of the stack: none, registry
# basic auth, and Docker-Hub-style token auth for both registry and notary. The stack is
# restarted in each mode and put back to "none" at the end.
source "$(dirname "$0")/lib.sh"

for mode in basic token; do
  echo "== auth $mode"
  use_auth "$mode"
  rm -rf "$DCT_TRUST"
  g=$(new_gun "auth-$mode")
  notary_init "$g"
  read -r digest size < <(push "$g" v1)
  notary_sign "$g" v1 "$digest" "$size"

  run_capture dct resolve "$g:v1"
  assert_eq 0 "$RC" "$mode: resolve with the credentials of config.json ($ERR)"
  assert_eq "$g@$digest" "$OUT" "$mode: digest"

  anon=$E2E_TMP/anon-$mode
  mkdir -p "$anon"
  cp -r "$DOCKER_CONFIG/tls" "$anon/"
  run_capture "$DCT_BIN" --config "$anon" resolve --trust-dir "$E2E_TMP/anon-trust-$mode" "$g:v1"
  assert_eq "$g@$digest" "$OUT" "$mode: anonymous pull access resolves ($ERR)"

  # The registry check of `dct pull` needs the registry's credentials in basic and token mode.
  run_capture "$DCT_BIN" pull --trust-dir "$E2E_TMP/pull-$mode" "$g:v1"
  assert_contains "$OUT" "Pull (1 of 1)" "$mode: pull passed the registry check ($ERR)"

  bad=$E2E_TMP/bad-$mode
  mkdir -p "$bad"
  cp -r "$DOCKER_CONFIG/tls" "$bad/"
  echo "{\"auths\": {\"$REGISTRY_HOST\": {\"auth\": \"$(printf testuser:wrong | base64)\"}}}" >"$bad/config.json"
  if [[ $mode == token ]]; then
    run_capture "$DCT_BIN" --config "$bad" resolve --trust-dir "$E2E_TMP/bad-trust" "$g:v1"
    assert_eq 1 "$RC" "token: bad credentials are refused"
    assert_contains "$ERR" "credentials" "token: the message is about credentials"
    assert_eq "" "$OUT" "token: no digest with bad credentials"

    echo "== identity token from docker login"
    login=$E2E_TMP/login
    mkdir -p "$login"
    cp -r "$DOCKER_CONFIG/tls" "$login/"
    echo "$STACK_PASS" | docker --config "$login" login -u "$STACK_USER" --password-stdin "$REGISTRY_HOST" >/dev/null 2>&1 || true
    if jq -e ".auths[\"$REGISTRY_HOST\"].identitytoken" "$login/config.json" >/dev/null 2>&1; then
      run_capture "$DCT_BIN" --config "$login" resolve --trust-dir "$E2E_TMP/login-trust" "$g:v1"
      assert_eq "$g@$digest" "$OUT" "token: resolve with docker login's identity token ($ERR)"
      assert_contains "$(cat "$STACK_DIR/logs/token.log")" "POST /token" "token: the refresh token was used"
    else
      fail "docker login did not store an identity token"
    fi
  else
    run_capture "$DCT_BIN" --config "$bad" pull --trust-dir "$E2E_TMP/bad-trust" "$g:v1"
    assert_eq 1 "$RC" "basic: bad registry credentials are refused"
    assert_not_contains "$OUT" "Pull (1 of 1)" "basic: nothing pulled with bad credentials"
  fi
done

finish
