#!/usr/bin/env bash
# dct status reads the changelist the notary CLI writes, prints what `notary status` prints,
# and --reset drops the staged changes for both.
source "$(dirname "$0")/lib.sh"

g=$(new_gun status)
notary_init "$g"
run_capture "$DCT_BIN" status "$g"
assert_eq "No unpublished changes for $g" "$OUT" "nothing staged"

notary_cli addhash "$g" v1 10 --sha256 "$(printf '%064d' 1)" >/dev/null
notary_cli addhash "$g" a-longer-tag 12 --sha256 "$(printf '%064d' 2)" --roles targets/releases >/dev/null
notary_cli remove "$g" old >/dev/null
run_capture "$DCT_BIN" status "$g"
assert_eq 0 "$RC" "status exit"
assert_eq "$(notary_cli status "$g")" "$OUT" "same table as notary status"

run_capture "$DCT_BIN" status --reset "$g"
assert_contains "$OUT" "Dropped 3 staged changes" "reset reports what it dropped"
assert_eq "No unpublished changes for $g" "$(notary_cli status "$g")" "notary sees no staged change"

finish
