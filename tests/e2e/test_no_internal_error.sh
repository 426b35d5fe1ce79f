#!/usr/bin/env bash
# No internal error reaches a user, for any input: every command dct lists (`docker-dct
# __commands`) is run with a battery of odd arguments (empty, very long, upper case, invalid
# references, `@sha256:` garbage, missing files, directories and binary junk where files go),
# odd servers (nothing listening, not a URL, the registry instead of a notary server) and odd
# trust dirs (missing, a file, read-only). Every run must exit 0, 1 or 125, say nothing of an
# internal error, print no binary junk, and leave nothing staged.
source "$(dirname "$0")/lib.sh"

export DOCKER_CONFIG=$E2E_TMP/config
mkdir -p "$DOCKER_CONFIG"
cp -r "$STACK_DIR/docker-config/tls" "$DOCKER_CONFIG/" 2>/dev/null || true
chmod 0755 "$E2E_TMP" "$DOCKER_CONFIG"
export DOCKER_CONTENT_TRUST_SERVER=https://127.0.0.1:1
export DCT_HTTP_TIMEOUT=5
unset NOTARY_CLIENT_CONFIG
# A stand-in Docker CLI: run, create, build and push hand over to it once trust is resolved.
mkdir -p "$E2E_TMP/bin"
printf '#!/bin/sh\nexit 0\n' >"$E2E_TMP/bin/docker"
chmod 0755 "$E2E_TMP/bin/docker"
export PATH=$E2E_TMP/bin:$PATH
cd "$E2E_TMP"

T=$E2E_TMP
TRUST=$T/trust
mkdir -p "$TRUST" "$T/adir"
head -c 4096 /dev/urandom >"$T/junk.bin"
printf -- '-----BEGIN PRIVATE KEY-----\n%s\n-----END PRIVATE KEY-----\n' "$(head -c 300 /dev/urandom | base64 -w0)" >"$T/junk.pem"
: >"$T/empty.pem"
printf 'secret\n' >"$T/unreadable.pem"
chmod 0000 "$T/unreadable.pem"
long=$(printf 'a%.0s' $(seq 300))

odd_values=(
  ""
  "$long"
  "localhost:1/$long/x:v1"
  "LOCALHOST:1/UPPER/Case:V1"
  "bad reference with spaces"
  "::"
  "-"
  "../../etc"
  "localhost:1/x@sha256:zzzz"
  "localhost:1/x:v1@sha256:"
  "@sha256:0123"
  "localhost:1/x:$long"
  "$T/missing.pem"
  "$T/adir"
  "$T/junk.bin"
  "$T/junk.pem"
  "$T/empty.pem"
  "$T/unreadable.pem"
  $'line\nbreak'
)

# A well-formed value for each placeholder of a usage line.
placeholder() {
  case $1 in
    IMAGE | REPOSITORY) echo "localhost:1/sweep/repo" ;;
    IMAGE* | REPOSITORY*) echo "localhost:1/sweep/repo:v1" ;;
    OLD | NEW) echo "$T/missing.tar" ;;
    ROLE) if [[ $2 == "key rotate" ]]; then echo snapshot; else echo targets/releases; fi ;;
    CERT*) echo "$T/junk.pem" ;;
    FILE* | *FILE) echo "$T/junk.pem" ;;
    CONTEXT) echo "$T/adir" ;;
    NAME) echo "sweep" ;;
    KEYID* | *KEYID*) echo "deadbeefdeadbeef" ;;
    *) echo "x" ;;
  esac
}
declare -A needed_flags=(
  ["key export"]="-o $T/export.pem --all"
  ["signer add"]="--key $T/junk.pem"
  ["migrate"]="--key $T/junk.pem"
  ["delete"]="--yes"
)

staged_count() { { find "$@" -name '*.change' 2>/dev/null || true; } | wc -l; }

# check WHAT CMD...: runs CMD and holds it to the rule.
runs=0
check() {
  local what=$1
  shift
  runs=$((runs + 1))
  run_capture timeout 60 "$@" </dev/null
  case $RC in
    0 | 1 | 125) pass ;;
    *) fail "$what: exit code $RC (stderr: ${ERR:0:300})" ;;
  esac
  if grep -qaP '\x00' "$E2E_TMP/out" "$E2E_TMP/err"; then
    fail "$what: binary data in its output"
  else
    pass
  fi
  if [[ $ERR == *dct.internal* || $ERR == *"internal error"* || $OUT == *"internal error"* ]]; then
    fail "$what: an internal error reached the user: ${ERR:0:300}"
  else
    pass
  fi
  local n
  n=$(staged_count "$TRUST" "$DOCKER_CONFIG/trust")
  if ((n)); then
    fail "$what: $n change(s) left staged"
    find "$TRUST" "$DOCKER_CONFIG/trust" -name '*.change' -delete 2>/dev/null || true
  else
    pass
  fi
}

mapfile -t commands < <("$DCT_BIN" __commands)
((${#commands[@]} >= 20)) && pass || fail "__commands lists ${#commands[@]} commands"
for cmd in "${commands[@]}"; do
  read -ra words <<<"$cmd"
  help=$("$DCT_BIN" "${words[@]}" --help)
  usage=$(sed -n 's/^Usage:  docker dct //p' <<<"$help" | head -1)
  usage=${usage#"$cmd"}
  usage=$(sed -E 's/\[docker [a-z]+ OPTIONS\]//; s/\[OPTIONS\]//' <<<"$usage")
  trust_flags=()
  [[ $help == *--trust-dir* ]] && trust_flags=(--trust-dir "$TRUST")
  read -ra extra <<<"${needed_flags[$cmd]:-}"

  # The well-formed arguments, and where each placeholder (a slot) is.
  args=() slots=() flag_value=0
  for w in $usage; do
    case $w in
      -*) args+=("$w") flag_value=1; continue ;;
    esac
    if ((flag_value)); then
      flag_value=0
      slots+=(${#args[@]})
      args+=("$(placeholder "$w" "$cmd")")
      continue
    fi
    w=${w#[}
    w=${w%]}
    slots+=(${#args[@]})
    args+=("$(placeholder "${w%...}" "$cmd")")
  done

  # Each odd value in each slot, the others well formed.
  for slot in "${slots[@]}"; do
    for v in "${odd_values[@]}"; do
      a=("${args[@]}")
      a[slot]=$v
      check "$cmd [slot $slot = '${v:0:40}']" "$DCT_BIN" "${words[@]}" "${a[@]}" "${extra[@]}" \
        "${trust_flags[@]}"
    done
  done
  # Odd values for the flags that take files or keys.
  for v in "$T/missing.pem" "$T/adir" "$T/junk.bin" "$T/empty.pem" "$T/unreadable.pem" ""; do
    case $cmd in
      "signer add" | migrate) check "$cmd --key '$v'" "$DCT_BIN" "${words[@]}" "${args[@]}" --key "$v" "${trust_flags[@]}" ;;
      init) check "init --rootkey '$v'" "$DCT_BIN" init "${args[@]}" --rootkey "$v" "${trust_flags[@]}" ;;
      "key export") check "key export -o '$v'" "$DCT_BIN" key export -o "$v" --all ;;
    esac
  done

  # Odd values for every flag that takes one (the server and trust dir come below).
  mapfile -t value_flags < <(sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z-]+) (string|int|list|FILE|uint|duration|stringArray|strings)( .*)?$/\2/p' <<<"$help" |
    grep -vx -e --server -e --trust-dir)
  if ((${#value_flags[@]} <= 12)); then
    for flag in "${value_flags[@]}"; do
      for v in "" "$long" "$T/adir" "$T/junk.bin" "{{" "-1"; do
        check "$cmd $flag '${v:0:40}'" "$DCT_BIN" "${words[@]}" "${args[@]}" "${extra[@]}" "$flag=$v" \
          "${trust_flags[@]}"
      done
    done
  fi

  ((${#trust_flags[@]})) || continue
  # Odd servers and trust dirs, with the well-formed arguments.
  for server in "https://127.0.0.1:1" "not a url" "ftp://127.0.0.1/" "https://" "https://$REGISTRY_HOST" \
    "http://$REGISTRY_HOST" "https://[::1"; do
    check "$cmd --server '$server'" "$DCT_BIN" "${words[@]}" "${args[@]}" "${extra[@]}" \
      --server "$server" --trust-dir "$TRUST"
  done
  for dir in "$T/missing/trust/dir" "$T/junk.bin" "$T/adir/../junk.bin/x" ""; do
    check "$cmd --trust-dir '$dir'" "$DCT_BIN" "${words[@]}" "${args[@]}" "${extra[@]}" --trust-dir "$dir"
  done
done

# A read-only trust dir, and an unreadable file, as someone the permissions hold for (root
# ignores them, so as nobody then).
mkdir -p "$T/ro-trust/tuf" "$T/ro-trust/private"
chmod -R 0555 "$T/ro-trust"
as_user=()
((EUID == 0)) && as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
chmod 0755 "$T/adir"
for cmd in "sign localhost:1/sweep/repo:v1" "init localhost:1/sweep/repo" "key generate sweep" \
  "key import $T/unreadable.pem --role user" "key load $T/unreadable.pem --name sweep" \
  "delegation add localhost:1/sweep/repo targets/releases $T/unreadable.pem --all-paths" \
  "status localhost:1/sweep/repo" "publish localhost:1/sweep/repo" "key list"; do
  read -ra words <<<"$cmd"
  check "$cmd (read-only trust dir)" env HOME="$T/adir" "${as_user[@]}" "$DCT_BIN" "${words[@]}" --trust-dir "$T/ro-trust"
  assert_eq 0 "$(staged_count "$T/ro-trust")" "$cmd: nothing staged in the read-only trust dir"
done
chmod -R u+w "$T/ro-trust"
((runs > 500)) && pass || fail "only $runs command lines were run"
echo "$runs command lines run"
finish
