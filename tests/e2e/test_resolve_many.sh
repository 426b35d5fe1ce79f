#!/usr/bin/env bash
# Many images in one command, with token auth: `resolve IMAGE...` and `resolve --file`
# print every result in the order given; one failure among many is reported on stderr naming
# its image, the others are still printed, and the exit code is 1. Repositories are resolved
# concurrently and share the registry's credentials and one token per scope.
source "$(dirname "$0")/lib.sh"

use_auth token
declare -A digest
g1=$(new_gun many-a)
g2=$(new_gun many-b)
g3=$(new_gun many-c)
for g in "$g1" "$g2" "$g3"; do
  notary_init "$g"
  read -r d s < <(push "$g" v1)
  notary_sign "$g" v1 "$d" "$s"
  digest[$g:v1]=$d
done
read -r d s < <(push "$g1" v2)
notary_sign "$g1" v2 "$d" "$s"
digest[$g1:v2]=$d

cfg=$E2E_TMP/cfg
mkdir -p "$cfg"
cp -r "$DOCKER_CONFIG/tls" "$DOCKER_CONFIG/config.json" "$cfg/"
dctc() { "$DCT_BIN" --config "$cfg" "$@" --trust-dir "$DCT_TRUST"; }
log=$STACK_DIR/logs/token.log

echo "== several images, in the order given"
m=$(wc -l <"$log")
run_capture dctc resolve "$g2:v1" "$g1:v1" "$g3:v1" "$g1:v2"
assert_eq 0 "$RC" "exit code ($ERR)"
expected=$(printf '%s\n' "$g2@${digest[$g2:v1]}" "$g1@${digest[$g1:v1]}" "$g3@${digest[$g3:v1]}" \
  "$g1@${digest[$g1:v2]}")
assert_eq "$expected" "$OUT" "results in input order"
notary_tokens=$(tail -n +"$((m + 1))" "$log" | grep "^issued .*aud='local-notary'" | wc -l)
assert_eq 3 "$notary_tokens" "one notary token per repository, shared by its images"

echo "== one failure among many"
run_capture dctc resolve "$g1:v1" "$g2:nosuch" "$g3:v1" "not a valid reference"
assert_eq 1 "$RC" "exit code with failures"
assert_eq "$(printf '%s\n' "$g1@${digest[$g1:v1]}" "$g3@${digest[$g3:v1]}")" "$OUT" \
  "the others are printed in order"
assert_contains "$ERR" "$g2:nosuch: " "the failing image is named"
assert_contains "$ERR" "nosuch" "the missing tag is named"
assert_contains "$ERR" "not a valid reference: " "the bad reference is named"
assert_contains "$ERR" "2 of 4 images could not be resolved" "a summary line"
assert_not_contains "$ERR" "$g1:v1:" "no message for an image that resolved"

echo "== --file"
cat >"$E2E_TMP/images.txt" <<LIST
# base images
$g3:v1

  $g1:v2   # the second release
$g2:v1
LIST
run_capture dctc resolve --file "$E2E_TMP/images.txt"
assert_eq 0 "$RC" "--file exit code ($ERR)"
assert_eq "$(printf '%s\n' "$g3@${digest[$g3:v1]}" "$g1@${digest[$g1:v2]}" "$g2@${digest[$g2:v1]}")" \
  "$OUT" "--file: results in file order, comments and blank lines skipped"
run_capture dctc resolve --file "$E2E_TMP/missing.txt"
assert_eq 1 "$RC" "--file with a missing file (an operation on files failed)"
assert_contains "$ERR" "missing.txt" "the missing file is named"

echo "== --format json keeps the order and marks failures"
run_capture dctc resolve --format json "$g3:v1" "$g2:nosuch" "$g1:v1"
assert_eq 1 "$RC" "json exit code"
assert_eq "$g3 error $g1" "$(jq -r '[.[] | (.name // "error")] | join(" ")' <<<"$OUT")" \
  "json: entries in order"
assert_eq "$g2:nosuch" "$(jq -r '.[1].image' <<<"$OUT")" "json: the failure in its place"
assert_eq "sha256:${digest[$g1:v1]#sha256:}" "$(jq -r '.[2].digest' <<<"$OUT")" "json: digest"

echo "== HTTP/2 where the server offers it"
# The registry (Go's net/http) offers HTTP/2; notary-server answers HTTP/1.1. A fresh trust dir
# with no token cache (which would remember the registry's realm) makes resolve ask the registry
# for its token realm.
rlog=$STACK_DIR/logs/registry.log
m=$(wc -l <"$rlog")
DCT_TOKEN_CACHE=0 run_capture "$DCT_BIN" --config "$cfg" resolve "$g1:v1" --trust-dir "$E2E_TMP/h2-trust"
assert_eq "$g1@${digest[$g1:v1]}" "$OUT" "resolve with HTTP/2 ($ERR)"
assert_contains "$(tail -n +"$((m + 1))" "$rlog" | grep '"docker-dct/' || true)" 'HTTP/2.0"' \
  "the registry was asked over HTTP/2"
m=$(wc -l <"$rlog")
DCT_HTTP2=0 DCT_TOKEN_CACHE=0 run_capture "$DCT_BIN" --config "$cfg" resolve "$g2:v1" \
  --trust-dir "$E2E_TMP/h1-trust"
assert_eq "$g2@${digest[$g2:v1]}" "$OUT" "resolve with DCT_HTTP2=0 ($ERR)"
h1=$(tail -n +"$((m + 1))" "$rlog" | grep '"docker-dct/' || true)
assert_contains "$h1" 'HTTP/1.1"' "DCT_HTTP2=0: the registry was asked over HTTP/1.1"
assert_not_contains "$h1" 'HTTP/2.0"' "DCT_HTTP2=0: HTTP/1.1 only"

echo "== independent fetches: parallel connections to a far server"
# A resolve with an empty trust dir asks notary-server (HTTP/1.1) for root, timestamp,
# snapshot and targets at once. A server that answers within a few milliseconds gets them one
# after another on one connection (unit-tested in registry_http); one across a slow link gets
# them on connections of their own. The far server: notary-server behind the latency proxy.
/usr/bin/python3 "$E2E_ROOT/scripts/latency_proxy.py" --rtt 60 --control 0 \
  --ports-file "$E2E_TMP/latency-ports.json" "notary:0:${NOTARY_URL##*:}" \
  >"$E2E_TMP/latency.log" 2>&1 &
latency_pid=$!
for _ in $(seq 100); do [[ -s $E2E_TMP/latency-ports.json ]] && break; sleep 0.05; done
far=https://127.0.0.1:$(jq -r .notary "$E2E_TMP/latency-ports.json")
far_ctl=http://127.0.0.1:$(jq -r .control "$E2E_TMP/latency-ports.json")
mkdir -p "$cfg/tls/${far#https://}"
cp "$STACK_CA" "$cfg/tls/${far#https://}/ca.crt"
curl -sf "$far_ctl/reset" >/dev/null
run_capture "$DCT_BIN" --config "$cfg" -D resolve --server "$far" "$g3:v1" \
  --trust-dir "$E2E_TMP/par-trust"
assert_eq "$g3@${digest[$g3:v1]}" "$OUT" "cold resolve through the slow link ($(grep -v DEBUG <<<"$ERR"))"
opened=$(grep -c "DEBUG: GET $far/.*new connection" <<<"$ERR" || true)
assert_eq 1 "$((opened > 1))" "more than one connection to the far notary server ($opened)"
proxied=$(curl -sf "$far_ctl/stats" | jq .connections)
assert_eq 1 "$((proxied > 1))" "the proxy saw more than one connection ($proxied)"
kill "$latency_pid" 2>/dev/null || true
wait "$latency_pid" 2>/dev/null || true

echo "== a single image still prints as before"
run_capture dctc resolve --format json "$g1:v1"
assert_eq "$g1" "$(jq -r .name <<<"$OUT")" "one image: a JSON object"
run_capture dctc resolve
assert_eq 125 "$RC" "no image: usage error"

finish
