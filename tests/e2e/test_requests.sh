#!/usr/bin/env bash
# The requests each command sends (from the -D trace): no /v2/ pings when a server needs no
# authentication, one metadata request for a warm resolve, and a sign on a warm repository
# that sends the manifest request, the timestamp request and the upload, nothing else (what it
# published last time is cached and verified against the new timestamp instead).
source "$(dirname "$0")/lib.sh"

g=$(new_gun requests)
push "$g" v1 >/dev/null
push "$g" v2 >/dev/null
dct sign "$g:v1" >/dev/null

requests() { grep -oE 'DEBUG: (GET|POST) [^ ]+' "$E2E_TMP/err" | sed 's/^DEBUG: //'; }

run_capture "$DCT_BIN" -D sign "$g:v2" --trust-dir "$DCT_TRUST"
assert_eq 0 "$RC" "sign on a warm repository"
sent=$(requests)
assert_eq 3 "$(wc -l <<<"$sent")" "requests of a warm sign: $sent"
assert_contains "$sent" "GET https://$REGISTRY_HOST/v2/$(repo_of "$g")/manifests/v2" "the manifest"
assert_contains "$sent" "/_trust/tuf/timestamp.json" "the timestamp"
assert_contains "$sent" "POST " "the upload"
assert_not_contains "$sent" "/v2/ " "no ping"
[[ $sent == *"/v2/"$'\n'* || $sent == *"/v2/" ]] && fail "a /v2/ ping was sent: $sent" || pass

run_capture "$DCT_BIN" -D resolve "$g:v2" --trust-dir "$DCT_TRUST"
assert_eq 0 "$RC" "warm resolve"
sent=$(requests)
assert_eq "GET $NOTARY_URL/v2/$g/_trust/tuf/timestamp.json" "$sent" "a warm resolve asks for the timestamp only"
digest=$(jq -r .digest "$STACK_DIR/pushed/$(repo_of "$g" | tr / _)_v2.json")
assert_eq "$g@$digest" "$OUT" "the digest signed last"

# What dct cached from its own publish is what the server serves: notary agrees.
run_capture notary_cli lookup "$g" v2
assert_eq 0 "$RC" "notary lookup of the tag dct signed"
assert_contains "$OUT" "${digest#sha256:}" "notary sees the same digest"

# A repository changed by another client: the cached files no longer match the new
# timestamp and are fetched again.
notary_cli -d "$DCT_TRUST" addhash "$g" v3 100 --sha256 "$(printf '%064d' 3)" -p >/dev/null
run_capture "$DCT_BIN" -D resolve "$g:v3" --trust-dir "$DCT_TRUST"
assert_eq 0 "$RC" "resolve after notary published"
assert_contains "$(requests)" "/_trust/tuf/targets" "targets fetched again after notary's publish"
assert_eq "$g@sha256:$(printf '%064d' 3)" "$OUT" "notary's tag"
finish
