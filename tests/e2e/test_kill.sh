#!/usr/bin/env bash
# dct killed with SIGKILL at random moments, many times, during `dct publish` (with many staged
# changes), `dct key generate`, `dct key import` and `dct init` (which makes a repository's keys). After every kill: each staged change is
# still staged or on the server (never neither), every key file decrypts, a certificate never
# outlives its key, leftovers of interrupted writes break nothing (dct and notary still read
# the trust dir without complaint), and the next command succeeds.
# DCT_KILL_SEED makes the kill moments reproducible; the seed used is printed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/faults_lib.sh"

seed=${DCT_KILL_SEED:-$$}
RANDOM=$seed
echo "kill moments from seed $seed"
ROUNDS=${DCT_KILL_ROUNDS:-12}
KEY_ROUNDS=$((ROUNDS * 4 / 3))

ms_now() { date +%s%3N; }
# killed_run MAX_VAR ARGS...: dct in the background, SIGKILLed after a random MAX/10..MAX ms
# unless it finished first; KILLED=1 when the kill hit it. MAX (the variable named) follows
# how long the runs really take, so that most kills land while dct works.
killed_run() {
  local var=$1 max=${!1} delay pid rc=0
  shift
  delay=$((max / 10 + RANDOM % (max - max / 10 + 1)))
  "$DCT_BIN" "$@" --trust-dir "$DCT_TRUST" >/dev/null 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || rc=$?
  KILLED=$((rc == 137))
  if ((KILLED)); then max=$((max * 11 / 10 + 1)); else max=$((max * 3 / 4 + 5)); fi
  printf -v "$var" '%s' "$max"
}
# timed VAR ARGS...: runs dct; VAR = how long it took in ms.
timed() {
  local var=$1 t0
  shift
  t0=$(ms_now)
  run_capture dct "$@"
  assert_eq 0 "$RC" "dct $1 without a kill ($ERR)"
  printf -v "$var" '%s' $(($(ms_now) - t0))
}
leftovers() { find "$DCT_TRUST" -name '*.tmp-*' | wc -l; }
# The trust dir reads cleanly: every key file decrypts, `dct key list` and `notary key list`
# work without warnings. Sets BROKEN to what is wrong. Key files are written once (a temp file
# renamed into place), so each is decrypted the first time it is seen.
declare -A DECRYPTED=()
check_keys() {
  BROKEN=""
  local f
  while IFS= read -r f; do
    [[ -n ${DECRYPTED[$f]:-} ]] && continue
    if decrypts "$f"; then DECRYPTED[$f]=1; else BROKEN+=" ${f##*/} does not decrypt;"; fi
  done < <(find "$DCT_TRUST/private" -name '*.key')
  run_capture dct key list
  ((RC == 0)) || BROKEN+=" dct key list exit $RC;"
  [[ $ERR == *WARNING* ]] && BROKEN+=" dct key list warns: $(first_error);"
  run_capture notary_at "$DCT_TRUST" key list
  ((RC == 0)) || BROKEN+=" notary key list exit $RC;"
  return 0
}

# ---- publish ----
case_begin kill "SIGKILL during publish, $ROUNDS times, 10 staged changes each"
g=$(new_gun kill)
read -r digest size < <(push "$g" v0)
run_capture dct init "$g"
assert_eq 0 "$RC" "init ($ERR)"
notary_at "$DCT_TRUST" addhash "$g" t000 "$size" --sha256 "${digest#sha256:}" >/dev/null
template=$E2E_TMP/template.change
cp "$DCT_TRUST/tuf/$g/changelist"/*.change "$template"
stage() {  # TAG...: staged as notary stages them (the first one was, by notary itself)
  local t
  for t in "$@"; do
    jq -c --arg p "$t" '.path = $p' "$template" \
      >"$DCT_TRUST/tuf/$g/changelist/$(date +%s%N)_$(cat /proc/sys/kernel/random/uuid).change"
  done
}
timed publish_ms publish "$g"
expected="t000"
hits=0 lost=0 damaged=0
for ((r = 1; r <= ROUNDS; r++)); do
  tags=()
  for ((i = 0; i < 10; i++)); do tags+=("$(printf 't%02d%02d' "$r" "$i")"); done
  stage "${tags[@]}"
  expected="$expected ${tags[*]}"
  killed_run publish_ms publish "$g"
  hits=$((hits + KILLED))
  staged=$(staged_tags "$DCT_TRUST" "$g") published=$(server_tags "$g")
  for t in $expected; do
    [[ " $staged $published " == *" $t "* ]] || { lost=$((lost + 1)); fail "round $r: $t lost"; }
  done
  run_capture dct status "$g"
  if ((RC != 0)) || [[ $ERR == *damaged* ]]; then
    damaged=$((damaged + 1))
    fail "round $r: dct status after the kill: exit $RC, $ERR"
  fi
  run_capture notary_at "$DCT_TRUST" status "$g"
  ((RC == 0)) || fail "round $r: notary status after the kill: exit $RC, $ERR"
done
run_capture dct publish "$g"
next=$RC
assert_eq 0 "$RC" "publish after the kills ($ERR)"
want=$(tr ' ' '\n' <<<"$expected" | sort -u | tr '\n' ' ')
assert_eq "$want" "$(server_tags "$g")" "every staged change is on the server in the end"
assert_eq "" "$(staged_tags "$DCT_TRUST" "$g")" "nothing left staged"
run_capture dct resolve "$g:$(printf 't%02d09' "$ROUNDS")"
assert_contains "$OUT" "$digest" "a tag staged in the last round resolves"
check_keys
assert_eq "" "$BROKEN" "keys after the publish kills"
case_end "$hits of $ROUNDS runs killed mid-way (kills up to ${publish_ms} ms in); $lost changes lost, $damaged damaged changelists, $(leftovers) temp files left; next publish exit $next"

# ---- key generate ----
case_begin kill "SIGKILL during key generate, $KEY_ROUNDS times"
certs=$E2E_TMP/certs
mkdir -p "$certs"
timed gen_ms key generate warmup --dir "$certs"
hits=0 orphans=0 bad=0
for ((r = 1; r <= KEY_ROUNDS; r++)); do
  killed_run gen_ms key generate "gen$r" --dir "$certs"
  hits=$((hits + KILLED))
  check_keys
  [[ -n $BROKEN ]] && { bad=$((bad + 1)); fail "generate round $r:$BROKEN"; }
  if [[ -f $certs/gen$r.crt ]]; then
    pub=$(openssl x509 -in "$certs/gen$r.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum)
    found=0
    while IFS= read -r f; do
      [[ $(sed '/^[A-Za-z_-]*: /d;/^$/d' "$f" | openssl pkey -passin "pass:$NOTARY_TARGETS_PASSPHRASE" -pubout -outform DER 2>/dev/null | sha256sum) == "$pub" ]] && found=1
    done < <(grep -l "role: gen$r" -r "$DCT_TRUST/private")
    ((found)) || { orphans=$((orphans + 1)); fail "generate round $r: gen$r.crt written, its key lost"; }
  fi
  run_capture dct key generate "gen$r-again" --dir "$certs"
  assert_eq 0 "$RC" "generate round $r: the next key generate ($ERR)"
done
case_end "$hits of $KEY_ROUNDS runs killed mid-way (kills up to ${gen_ms} ms in); $orphans certificates without their key, $bad unreadable key stores, $(leftovers) temp files left; every next generate exit 0: $([[ $E2E_FAILURES == "$CASE_FAILS" ]] && echo yes || echo no)"

# ---- key import ----
case_begin kill "SIGKILL during key import, $KEY_ROUNDS times"
keys=$E2E_TMP/keys
mkdir -p "$keys"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/warmup.pem" 2>/dev/null
timed imp_ms key import "$keys/warmup.pem" --role user
hits=0 bad=0 partial=0
for ((r = 1; r <= KEY_ROUNDS; r++)); do
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$keys/k$r.pem" 2>/dev/null
  before=$(find "$DCT_TRUST/private" -name '*.key' | wc -l)
  killed_run imp_ms key import "$keys/k$r.pem" --role user
  check_keys
  [[ -n $BROKEN ]] && { bad=$((bad + 1)); fail "import round $r:$BROKEN"; }
  hits=$((hits + KILLED))
  after=$(find "$DCT_TRUST/private" -name '*.key' | wc -l)
  ((after == before || after == before + 1)) || { partial=$((partial + 1)); fail "import round $r: $before -> $after key files"; }
  run_capture dct key import "$keys/k$r.pem" --role user
  assert_eq 0 "$RC" "import round $r: the next import ($ERR)"
  assert_eq $((before + 1)) "$(find "$DCT_TRUST/private" -name '*.key' | wc -l)" \
    "import round $r: exactly one key file for the key"
done
case_end "$hits of $KEY_ROUNDS runs killed mid-way (kills up to ${imp_ms} ms in); $bad unreadable key stores, $partial wrong key counts, $(leftovers) temp files left; every next import exit 0: $([[ $E2E_FAILURES == "$CASE_FAILS" ]] && echo yes || echo no)"

# ---- init: the keys of a new repository are made ----
case_begin kill "SIGKILL during init of a new repository, $ROUNDS times"
timed init_ms init "$(new_gun kill-init)"
hits=0 bad=0
for ((r = 1; r <= ROUNDS; r++)); do
  gi=$(new_gun kill-init)
  killed_run init_ms init "$gi"
  hits=$((hits + KILLED))
  check_keys
  [[ -n $BROKEN ]] && { bad=$((bad + 1)); fail "init round $r:$BROKEN"; }
  run_capture dct init "$gi"
  assert_eq 0 "$RC" "init round $r: the next init ($ERR)"
  run_capture notary_at "$E2E_TMP/probe-init-$r" list "$gi"
  assert_eq 0 "$RC" "init round $r: the repository is on the server ($ERR)"
  run_capture dct key list --format json
  assert_eq 1 "$(jq --arg g "$gi" '[.[] | select(.role == "targets" and .gun == $g)] | length > 0' <<<"$OUT" | grep -c true)" \
    "init round $r: its targets key is in the trust dir"
done
case_end "$hits of $ROUNDS runs killed mid-way (kills up to ${init_ms} ms in); $bad unreadable key stores, $(leftovers) temp files left; every next init exit 0: $([[ $E2E_FAILURES == "$CASE_FAILS" ]] && echo yes || echo no)"

finish
