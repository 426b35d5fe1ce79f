#!/usr/bin/env bash
# One rule for exit codes, checked for every command dct lists (`docker-dct __commands`), so a
# command added later is held to it too: 0 success, 1 an operation failed (server, trust data,
# files), 125 the command line was wrong (unknown flag, missing or extra arguments), 130
# interrupted (tests/e2e/test_cancel.sh).
source "$(dirname "$0")/lib.sh"

export DOCKER_CONFIG=$E2E_TMP/config
mkdir -p "$DOCKER_CONFIG"
chmod 0700 "$DOCKER_CONFIG"
# An address where nothing listens: every operation that needs a server fails, quickly.
export DOCKER_CONTENT_TRUST_SERVER=https://127.0.0.1:1
export DCT_HTTP_TIMEOUT=5
unset NOTARY_CLIENT_CONFIG
cd "$E2E_TMP"

# What a placeholder of a usage line stands for, in a command line that is well formed.
placeholder() {
  case $1 in
    IMAGE | REPOSITORY) echo "localhost:1/exit/codes" ;;
    IMAGE* | REPOSITORY*) echo "localhost:1/exit/codes:v1" ;;
    OLD | NEW) echo "$E2E_TMP/missing.tar" ;;
    ROLE) if [[ $2 == "key rotate" ]]; then echo snapshot; else echo targets/releases; fi ;;
    CERT*) echo "$E2E_TMP/missing.crt" ;;
    FILE* | *FILE) echo "$E2E_TMP/missing.key" ;;
    CONTEXT) echo "$E2E_TMP/no-context" ;;
    NAME) echo "exitcodes" ;;
    URL) echo "https://127.0.0.1:2" ;;
    KEYID* | *KEYID*) echo "deadbeefdeadbeef" ;;
    *) echo "x" ;;
  esac
}

# Flags a well-formed command line of these commands needs (usage lines show arguments only).
declare -A needed_flags=(
  ["key export"]="-o $E2E_TMP/export.pem --all"
  ["signer add"]="--key $E2E_TMP/missing.pub"
  ["migrate"]="--key $E2E_TMP/missing.key"
  ["delete"]="--yes"
)

# Commands that cannot succeed here (no server, no such file): they must exit 1.
must_fail=" resolve pull inspect check sign push init publish revoke key rotate key import pin build
delegation add delegation list delegation remove key load signer add migrate bundle save bundle diff
 mirror "

mapfile -t commands < <("$DCT_BIN" __commands)
((${#commands[@]} >= 20)) && pass || fail "__commands lists ${#commands[@]} commands"
for cmd in "${commands[@]}"; do
  read -ra words <<<"$cmd"
  run_capture "$DCT_BIN" "${words[@]}" --help
  assert_eq 0 "$RC" "$cmd --help exit code"
  assert_contains "$OUT" "Usage:  docker dct $cmd" "$cmd --help prints its usage"
  usage=$(sed -n 's/^Usage:  docker dct //p' <<<"$OUT" | head -1)
  usage=${usage#"$cmd"}
  usage=$(sed -E 's/\[docker [a-z]+ OPTIONS\]//; s/\[OPTIONS\]//' <<<"$usage")

  run_capture "$DCT_BIN" "${words[@]}" --no-such-flag
  assert_eq 125 "$RC" "$cmd --no-such-flag exit code"
  assert_contains "$ERR" "unknown flag: --no-such-flag" "$cmd --no-such-flag names the flag"

  # The arguments a well-formed command line gives, and whether more are allowed.
  args=() variadic=0 required=0 flag_value=0
  for w in $usage; do
    case $w in
      -*) args+=("$w") flag_value=1; continue ;;  # a flag the usage line shows, e.g. -o FILE
    esac
    if ((flag_value)); then
      flag_value=0
      args+=("$(placeholder "$w" "$cmd")")
      continue
    fi
    [[ $w == *... || $w == *...\] ]] && variadic=1
    if [[ $w != \[* ]]; then
      required=1
      args+=("$(placeholder "${w%...}" "$cmd")")
    fi
  done
  if ((required)); then
    run_capture "$DCT_BIN" "${words[@]}"
    assert_eq 125 "$RC" "$cmd without its arguments exit code"
    assert_contains "$ERR" "requires" "$cmd without its arguments says what it requires"
  fi
  if ((!variadic)); then
    run_capture "$DCT_BIN" "${words[@]}" "${args[@]}" one-too-many extra-argument
    assert_eq 125 "$RC" "$cmd with extra arguments exit code"
  fi

  read -ra extra <<<"${needed_flags[$cmd]:-}"
  run_capture timeout 60 "$DCT_BIN" "${words[@]}" "${args[@]}" "${extra[@]}" </dev/null
  if [[ $must_fail == *" $cmd "* ]]; then
    assert_eq 1 "$RC" "$cmd ${args[*]} (no server, no such file) exit code"
  elif [[ $RC != 0 && $RC != 1 ]]; then
    fail "$cmd ${args[*]}: exit code $RC, expected 0 or 1"
  else
    pass
  fi
  assert_not_contains "$ERR" "internal error" "$cmd ${args[*]} reports no internal error"
  assert_not_contains "$ERR" "dct.internal" "$cmd ${args[*]} reports no internal error id"
done

# A repeatable flag takes one value each time, as docker's do: CONTEXT stays an argument.
mkdir -p "$E2E_TMP/ctx"
printf 'FROM scratch\nCOPY a /a\n' >"$E2E_TMP/ctx/Dockerfile"
run_capture "$DCT_BIN" pin --build-arg A=1 --build-arg B=2 "$E2E_TMP/ctx"
assert_eq 0 "$RC" "pin --build-arg K=V CONTEXT exit code (stderr: $ERR)"
assert_contains "$OUT" "FROM scratch" "pin read CONTEXT/Dockerfile"

# -D works before and after the command's name, and docker-dct --help shows it.
run_capture "$DCT_BIN" -D resolve localhost:1/exit/codes:v1
assert_contains "$ERR" "DEBUG: GET https://127.0.0.1:1/" "-D before the command turns on debug output"
run_capture "$DCT_BIN" resolve localhost:1/exit/codes:v1 -D
assert_contains "$ERR" "DEBUG: GET https://127.0.0.1:1/" "-D after the command turns on debug output"
assert_eq 1 "$RC" "resolve -D with no server exit code"
run_capture "$DCT_BIN" --help
assert_contains "$OUT" "--config string" "docker-dct --help lists --config"
assert_contains "$OUT" "-D, --debug" "docker-dct --help lists -D"
finish
