#!/usr/bin/env bash
# --format with Go-template style expressions, on every command that has --format json and on
# status: each template prints the fields jq finds in the --format json output of the same
# command, `table` aligns columns under a header, and an unsupported construct is refused with
# exit 125 naming it and its column, before anything is fetched.
source "$(dirname "$0")/lib.sh"

g=$(new_gun format)
read -r d1 s1 <<<"$(push "$g" v1)"
read -r d2 s2 <<<"$(push "$g" v2)"
read -r d3 s3 <<<"$(push "$g" v3)"
notary_init "$g"
add_delegation "$g" targets/releases fmtrel
notary_sign "$g" v1 "$d1" "$s1" targets/releases
notary_sign "$g" v2 "$d2" "$s2"
run_capture dct key import "$E2E_TMP/fmtrel.key" --role user
assert_eq 0 "$RC" "dct imports the releases key: $ERR"

# fields TEMPLATE JQ ARGS...: the template's output equals jq's reading of --format json.
fields() {
  local template=$1 filter=$2
  shift 2
  run_capture dct "$@" --format json
  assert_eq 0 "$RC" "$* --format json: $ERR"
  local want
  want=$(jq -r "$filter" <<<"$OUT")
  run_capture dct "$@" --format "$template"
  assert_eq 0 "$RC" "$* --format '$template': $ERR"
  assert_eq "$want" "$OUT" "$1 $2: '$template' agrees with jq '$filter'"
}

echo "== resolve"
fields '{{.Name}}@{{.Digest}} {{.Tag}} {{.Role}} {{join .Signers ","}} {{.Size}}' \
  '"\(.name)@\(.digest) \(.tag) \(.role) \(.signers | join(",")) \(.size)"' resolve "$g:v1"
assert_eq "$g@$d1 v1 targets/releases" "$(cut -d' ' -f1-3 <<<"$OUT")" "resolve: the right digest and role"
fields '{{json .}}' '.[] | tojson' resolve "$g:v1" "$g:v2"
fields '{{.Tag}} {{range .Signers}}[{{.}}]{{end}}' '.[] | "\(.tag) \([.signers[] | "[\(.)]"] | join(""))"' \
  resolve "$g:v1" "$g:v2"
run_capture dct resolve --format '{{.Tag}}' "$g:v1" "$g:v2"
assert_eq $'v1\nv2' "$OUT" "a list: the template once per element, each on its own line"
run_capture dct resolve --format '{{upper .Tag}} {{if eq .Role "targets"}}owner{{else}}released{{end}}' "$g:v1" "$g:v2"
assert_eq $'V1 released\nV2 owner' "$OUT" "upper, if/else and eq"
run_capture dct resolve --format '{{.Nope}}|{{.Name.Inner}}' "$g:v1"
assert_eq 125 "$RC" "a field of a string is an error"
assert_contains "$ERR" "can't evaluate field Inner in type string at column" "names the field"
run_capture dct resolve --format '{{.Nope}}' "$g:v1"
assert_eq "<no value>" "$OUT" "a missing field prints <no value>, as Go does"

echo "== table"
run_capture dct resolve --format 'table {{.Tag}}\t{{.Role}}\t{{.Digest}}' "$g:v1" "$g:v2"
assert_eq 0 "$RC" "table: $ERR"
assert_eq "$(printf '%-10s%-19s%s\n' TAG ROLE DIGEST v1 targets/releases "$d1" v2 targets "$d2")" "$OUT" \
  "table: a header from the fields, columns aligned as docker's (at least 10 wide, 3 apart)"

echo "== inspect (docker's shape, PascalCase keys)"
fields '{{.Name}} {{range .SignedTags}}{{.SignedTag}}={{.Digest}}({{join .Signers ","}}) {{end}}{{range .AdministrativeKeys}}{{.Name}}:{{len .Keys}} {{end}}' \
  '.[] | "\(.Name) \([.SignedTags[] | "\(.SignedTag)=\(.Digest)(\(.Signers | join(",")))"] | join(" ")) \([.AdministrativeKeys[] | "\(.Name):\(.Keys | length)"] | join(" ")) "' \
  inspect "$g"
assert_contains "$OUT" "v1=${d1#sha256:}(" "inspect: v1 and its digest"
run_capture dct inspect "$g"
assert_eq "$(docker trust inspect "$g")" "$OUT" "inspect without --format: docker's JSON as it is"
run_capture dct inspect --pretty --format '{{.Name}}' "$g"
assert_eq 125 "$RC" "inspect: --pretty and --format together are a usage error"
assert_contains "$ERR" "--pretty and --format" "and named"

echo "== check"
fields '{{.Name}} {{.Ok}} {{.WithinSeconds}} {{join .TrustedTags ","}} {{range .Expiries}}{{.Kind}}:{{.Role}}={{.Status}};{{end}}' \
  '.[] | "\(.name) \(.ok) \(.within_seconds) \(.trusted_tags | join(",")) \([.expiries[] | "\(.kind):\(.role)=\(.status);"] | join(""))"' \
  check "$g"
assert_contains "$OUT" "$g true 2592000 v1" "check: the repository passes"

echo "== delegation list"
fields '{{.Role}} {{.Threshold}} {{json .Paths}} {{range .Keys}}{{.ID}} {{.Certificate}} {{.Expires}}{{end}}' \
  '.[] | "\(.role) \(.threshold) \(.paths | tojson) \([.keys[] | "\(.id) \(.certificate) \(.expires)"] | join(""))"' \
  delegation list "$g"
assert_contains "$OUT" "targets/releases 1 [\"\"] $(delegation_key_id "$g" targets/releases) fmtrel 20" \
  "delegation list: the role, its key, certificate name and an RFC 3339 expiry"

echo "== key list"
fields '{{.Role}} {{.Gun}} {{.ID}} {{.Certificate}} {{.Expires}}' \
  '.[] | "\(.role) \(.gun) \(.id) \(.certificate // "<nil>") \(.expires // "<nil>")"' key list
run_capture dct key generate fmtgen --dir "$E2E_TMP"
assert_eq 0 "$RC" "key generate: $ERR"
run_capture dct key list --format json
expires=$(jq -r '.[] | select(.certificate=="fmtgen") | .expires' <<<"$OUT")
[[ $expires =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$ ]] && pass || fail "key list: expires in RFC 3339 ($expires)"

echo "== pin"
mkdir -p "$E2E_TMP/ctx"
printf 'FROM %s:v1\nFROM %s:v2\n' "$g" "$g" >"$E2E_TMP/ctx/Dockerfile"
fields '{{.Line}} {{.Instruction}} {{.Image}} {{.Pinned}} {{.Digest}} {{.Role}} {{join .Signers ","}}' \
  '.[] | "\(.line) \(.instruction) \(.image) \(.pinned) \(.digest) \(.role) \(.signers | join(","))"' \
  pin "$E2E_TMP/ctx"
assert_contains "$OUT" "1 FROM $g:v1 $g:v1@$d1 $d1 targets/releases" "pin: line 1 pinned to v1's digest"

echo "== migrate (dry run)"
openssl ecparam -name prime256v1 -genkey -noout -out "$E2E_TMP/cosign.pem" 2>/dev/null
fields '{{.Name}}:{{.Tag}} {{.Status}} {{.Digest}} {{.Role}}' \
  '.[] | "\(.name):\(.tag) \(.status) \(.digest) \(.role)"' \
  migrate --dry-run --key "$E2E_TMP/cosign.pem" "$g:v1" "$g:v2"
assert_contains "$OUT" "$g:v1 would sign $d1 targets/releases" "migrate: v1 would be signed"

echo "== bundle diff"
run_capture dct bundle save "$g" -o "$E2E_TMP/b1.tar"
assert_eq 0 "$RC" "bundle save: $ERR"
notary_sign "$g" v3 "$d3" "$s3" targets/releases
run_capture dct bundle save "$g" -o "$E2E_TMP/b2.tar"
assert_eq 0 "$RC" "bundle save: $ERR"
fields '{{.Name}} {{.Tag}} {{.Change}} {{.Old}} {{.New.Digest}} {{.New.Role}}' \
  '.[] | "\(.name) \(.tag) \(.change) \(.old // "<nil>") \(.new.digest) \(.new.role)"' \
  bundle diff "$E2E_TMP/b1.tar" "$E2E_TMP/b2.tar"
assert_eq "$g v3 added <nil> $d3 targets/releases" "$OUT" "bundle diff: v3 added"

echo "== status"
run_capture "$DCT_BIN" status --format '{{.Action}}' "$g"
assert_eq 0 "$RC" "status with nothing staged: $ERR"
assert_eq "" "$OUT" "nothing staged: no line"
notary_cli addhash "$g" v9 10 --sha256 "$(printf '%064d' 9)" >/dev/null
notary_cli addhash "$g" v8 12 --sha256 "$(printf '%064d' 8)" --roles targets/releases >/dev/null
run_capture "$DCT_BIN" status --format json "$g"
assert_eq 0 "$RC" "status --format json: $ERR"
assert_eq 2 "$(jq length <<<"$OUT")" "status json: two changes"
want=$(jq -r '.[] | "\(.action) \(.role) \(.type) \(.path)"' <<<"$OUT")
run_capture "$DCT_BIN" status --format '{{.Action}} {{.Role}} {{.Type}} {{.Path}}' "$g"
assert_eq "$want" "$OUT" "status: the template agrees with jq"
assert_contains "$OUT" "create targets/releases target v8" "status: the change to targets/releases"
run_capture "$DCT_BIN" status --format 'table {{.Path}}\t{{.Role}}' "$g"
assert_eq "$(printf '%-10s%s\n' PATH ROLE v9 targets v8 targets/releases)" "$OUT" "status: table"
run_capture "$DCT_BIN" status --reset --format json "$g"
assert_eq 125 "$RC" "--reset with --format is a usage error"
assert_eq 2 "$(notary_cli status "$g" | grep -c ' target ')" "and the staged changes are still there"
"$DCT_BIN" status --reset "$g" >/dev/null

echo "== what is not supported"
before=$(cache_sum)
for bad in '{{printf "%s" .Name}}|unsupported function "printf" at column 3' \
  'x {{template "t"}}|unsupported action "template" at column 5' \
  '{{.Name|unclosed action (no "}}") at column 8' \
  '{{if .Name}}x|{{if}} without {{end}} at column 3' \
  'yaml|unknown format "yaml"'; do
  template=${bad%%|*} message=${bad#*|}
  run_capture dct resolve --format "$template" "$g:v1" --server https://127.0.0.1:1
  assert_eq 125 "$RC" "'$template': exit 125"
  assert_contains "$ERR" "$message" "'$template': names the part and its column"
  assert_eq "" "$OUT" "'$template': nothing on stdout"
done
assert_contains "$ERR" "Go template" "the hint says what is accepted"
assert_eq "$before" "$(cache_sum)" "nothing fetched or written for a bad template"
for cmd in "check $g" "delegation list $g" "key list" "pin $E2E_TMP/ctx" "status $g" \
  "bundle diff $E2E_TMP/b1.tar $E2E_TMP/b2.tar" "migrate --dry-run --key $E2E_TMP/cosign.pem $g:v1"; do
  read -ra words <<<"$cmd"
  run_capture dct "${words[@]}" --format '{{printf .}}'
  assert_eq 125 "$RC" "$cmd: an unsupported function is exit 125"
  assert_contains "$ERR" 'unsupported function "printf"' "$cmd: named"
done

echo "== help"
run_capture dct resolve --help
assert_contains "$OUT" "Go template" "--help names templates"

finish
