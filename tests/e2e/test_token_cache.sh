#!/usr/bin/env bash
# Bearer tokens kept between runs, against the stack in token auth mode: a second run asks the
# token server nothing; the file is 0600 in a 0700 dir; -D never prints a token; a token about
# to expire is fetched anew; a kept token the server refuses is dropped and fetched again
# exactly once; a credential change (logout) keeps the old token from being used;
# DCT_TOKEN_CACHE=0 turns it off.
source "$(dirname "$0")/lib.sh"

use_auth token
g=$(new_gun tokens)
notary_init "$g"
read -r digest _size < <(push "$g" v1)
notary_sign "$g" v1 "$digest" "$_size"

cfg=$E2E_TMP/cfg
mkdir -p "$cfg"
cp -r "$DOCKER_CONFIG/tls" "$cfg/"
cp "$DOCKER_CONFIG/config.json" "$cfg/"
cache=$cfg/dct/tokens.json
log=$STACK_DIR/logs/token.log
dctc() { "$DCT_BIN" --config "$cfg" "$@" --trust-dir "$DCT_TRUST"; }
issued() { grep -c '^issued ' "$log" || true; }
# issued_since N: the token server's "issued" lines after the first N
issued_since() { tail -n +"$(($1 + 1))" "$log" | grep '^issued ' || true; }
mark() { wc -l <"$log"; }

echo "== a second run reuses the token"
m=$(mark)
run_capture dctc resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "first resolve ($ERR)"
first=$(issued_since "$m" | wc -l)
assert_eq 1 "$((first > 0))" "the first run fetched a token"
assert_eq 600 "$(stat -c %a "$cache" 2>/dev/null)" "the token file is 0600"
assert_eq 700 "$(stat -c %a "$cfg/dct" 2>/dev/null)" "its directory is 0700"
assert_eq "$first" "$(jq '.tokens | length' "$cache")" "every fetched token is kept"
assert_contains "$(jq -r '.servers | keys[]' "$cache")" "$NOTARY_URL" "the notary server's realm is kept"

m=$(mark)
run_capture dctc -D resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "second resolve ($ERR)"
assert_eq "" "$(issued_since "$m")" "the second run fetched no token"
assert_eq 0 "$(grep -c -F "GET $STACK_TOKEN_REALM" <<<"$ERR" || true)" \
  "-D shows no token request"
assert_eq 0 "$(grep -c -- '-> 401 ' <<<"$ERR" || true)" "the first request carried the token: no 401 ($ERR)"

echo "== never printed, not even with -D"
rm -f "$cache"
run_capture dctc -D resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "resolve with -D"
assert_contains "$ERR" "DEBUG: GET" "-D printed the requests"
assert_contains "$ERR" "GET $STACK_TOKEN_REALM" "-D shows the token request of a run without a kept token"
for t in $(jq -r '.tokens[].token' "$cache"); do
  assert_not_contains "$ERR" "${t: -24}" "-D output holds no part of a token"
  assert_not_contains "$ERR" "${t:0:40}" "-D output holds no token header"
done
assert_not_contains "$ERR" "$STACK_PASS" "-D output holds no password"

echo "== a token about to expire is fetched anew"
n=$(jq '.tokens | length' "$cache")
soon=$(($(date +%s) + 10))
jq --argjson t "$soon" '.tokens[].expires = $t' "$cache" >"$E2E_TMP/t.json" && cp "$E2E_TMP/t.json" "$cache"
m=$(mark)
run_capture dctc resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "resolve after expiry ($ERR)"
assert_eq "$n" "$(issued_since "$m" | wc -l)" "each expiring token was fetched once"
assert_eq 1 "$(($(jq '[.tokens[].expires] | min' "$cache") > $(date +%s) + 200))" \
  "the new tokens are kept with their real lifetime"
assert_eq 600 "$(stat -c %a "$cache")" "still 0600 after a rewrite"

echo "== a refused token is dropped and fetched again exactly once"
# Break the signature of the notary server's token: it refuses it with a 401.
jq '(.tokens[] | select(.service == "local-notary") | .token) |= (.[0:-8] + "AAAAAAAA")' \
  "$cache" >"$E2E_TMP/t.json" && cp "$E2E_TMP/t.json" "$cache"
bad=$(jq -r '.tokens[] | select(.service == "local-notary") | .token' "$cache")
m=$(mark)
run_capture dctc -D resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "resolve with a refused token ($(grep -v DEBUG <<<"$ERR"))"
assert_eq 1 "$(issued_since "$m" | grep -c "aud='local-notary'")" "exactly one new notary token"
assert_eq 1 "$(grep -c -- '-> 401 ' <<<"$ERR" || true)" "exactly one 401"
assert_not_contains "$(cat "$cache")" "$bad" "the refused token is gone from the file"
m=$(mark)
run_capture dctc resolve "$g:v1"
assert_eq "" "$(issued_since "$m")" "the new token is kept"

echo "== credentials changed (logout): the old token is not used"
# The user's token for another repository of the same service, as another command would keep it.
jq '.tokens += [.tokens[] | select(.service == "local-notary") | .scope = "repository:other/repo:pull"]' \
  "$cache" >"$E2E_TMP/t.json" && cp "$E2E_TMP/t.json" "$cache"
echo '{"auths": {}}' >"$cfg/config.json"
m=$(mark)
run_capture dctc resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "anonymous resolve ($ERR)"
assert_contains "$(issued_since "$m")" "sub=None" "an anonymous token was fetched"
assert_not_contains "$(issued_since "$m")" "sub='$STACK_USER'" "no token for the user"
assert_eq 1 "$(jq '[.tokens[] | select(.service == "local-notary") | .identity] | unique | length' "$cache")" \
  "the user's notary tokens are wiped, not kept beside the anonymous one"
assert_eq 0 "$(jq '[.tokens[] | select(.scope == "repository:other/repo:pull")] | length' "$cache")" \
  "the user's token for another repository went too"
cp "$DOCKER_CONFIG/config.json" "$cfg/"
m=$(mark)
run_capture dctc resolve "$g:v1"
assert_contains "$(issued_since "$m")" "sub='$STACK_USER'" "logged in again: the user's token is fetched"

echo "== DCT_TOKEN_CACHE=0"
before=$(sha256sum <"$cache")
m=$(mark)
DCT_TOKEN_CACHE=0 run_capture dctc resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "resolve without the cache ($ERR)"
assert_eq 1 "$(($(issued_since "$m" | wc -l) > 0))" "without the cache a token is fetched"
assert_eq "$before" "$(sha256sum <"$cache")" "the file is left alone"

finish
