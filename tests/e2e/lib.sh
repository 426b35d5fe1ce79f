# Sourced by every end-to-end test. The stack is started by CTest's fixture
# (scripts/stack.sh start) and shared; each test works on repositories of its own.
set -euo pipefail
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export STACK_DIR=${STACK_DIR:-$E2E_ROOT/.stack}
DCT_BIN=${DCT_BIN:-$E2E_ROOT/build/docker-dct}
# shellcheck disable=SC1091
source "$STACK_DIR/stack.env"
E2E_TMP=$(mktemp -d)
trap 'rm -rf "$E2E_TMP"' EXIT
E2E_FAILURES=0
E2E_CHECKS=0

fail() {
  echo "FAIL: $*" >&2
  E2E_FAILURES=$((E2E_FAILURES + 1))
}
pass() { E2E_CHECKS=$((E2E_CHECKS + 1)); }
assert_eq() {  # expected actual message
  if [[ $1 == "$2" ]]; then pass; else fail "$3: expected [$1], got [$2]"; fi
}
assert_contains() {  # haystack needle message
  if [[ $1 == *"$2"* ]]; then pass; else fail "$3: [$2] not found in [$1]"; fi
}
assert_not_contains() {
  if [[ $1 != *"$2"* ]]; then pass; else fail "$3: [$2] unexpectedly found in [$1]"; fi
}
# run_capture CMD...: sets OUT, ERR and RC
run_capture() {
  set +e
  "$@" >"$E2E_TMP/out" 2>"$E2E_TMP/err"
  RC=$?
  set -e
  OUT=$(cat "$E2E_TMP/out")
  ERR=$(cat "$E2E_TMP/err")
}
finish() {
  if ((E2E_FAILURES)); then
    echo "$E2E_FAILURES of $((E2E_CHECKS + E2E_FAILURES)) checks failed" >&2
    exit 1
  fi
  echo "all $E2E_CHECKS checks passed"
}

# record_attack AREA CASE OBSERVED PASS|FAIL: a row of SECURITY.md's attack results table, in
# $DCT_RESULTS_DIR/attacks.tsv (scripts/security_report.sh).
record_attack() {
  [[ -n ${DCT_RESULTS_DIR:-} ]] || return 0
  mkdir -p "$DCT_RESULTS_DIR"
  local fields=("${@//$'\t'/ }")  # a tab inside a field would split the row
  printf '%s\t%s\t%s\t%s\n' "${fields[@]}" >>"$DCT_RESULTS_DIR/attacks.tsv"
}

# A fingerprint of every file in dct's trust dir, to show a command left it as it was.
cache_sum() {
  (cd "$DCT_TRUST" 2>/dev/null && find . -type f -print0 | sort -z | xargs -0 -r sha256sum) |
    sha256sum | cut -c1-16
}

# The reason in the last error, for a results table: the first line that names an image
# ("  line N (...): ..."), else the first line; this run's paths and repository suffixes out.
table_error() {
  local line
  line=$(grep -m1 '^  line' <<<"$ERR" || head -1 <<<"$ERR")
  line=${line#"  "}
  line=${line//"$E2E_TMP/"/}
  line=$(sed -E "s#$REGISTRY_HOST/e2e/([a-z-]+)-[0-9]+#\1#g" <<<"$line")
  ((${#line} > 110)) && line="${line:0:50} ... ${line: -55}"
  printf '%s' "$line"
}

new_gun() { echo "$REGISTRY_HOST/e2e/$1-$RANDOM$RANDOM"; }
repo_of() { echo "${1#"$REGISTRY_HOST"/}"; }

# use_auth MODE: restarts the shared stack in auth mode MODE (none, basic, token) and loads its
# environment; when the test exits, the stack is put back to "none" for the tests after it.
use_auth() {
  "$E2E_ROOT/scripts/stack.sh" start --auth "$1" >/dev/null
  # shellcheck disable=SC1091
  source "$STACK_DIR/stack.env"
  trap '"$E2E_ROOT/scripts/stack.sh" start --auth none >/dev/null; rm -rf "$E2E_TMP"' EXIT
}

notary_cli() { notary -c "$NOTARY_CLIENT_CONFIG" "$@"; }
# dct with a trust dir of its own (a fresh cache), the stack's config dir and notary server.
DCT_TRUST=$E2E_TMP/dct-trust
dct() { "$DCT_BIN" "$@" --trust-dir "$DCT_TRUST"; }

# push GUN TAG [TYPE] -> echoes "sha256:<hex> <size>" of what the registry holds
push() {
  local gun=$1 tag=$2 type=${3:-docker} repo
  repo=$(repo_of "$gun")
  "$E2E_ROOT/scripts/stack.sh" push-image "$repo" "$tag" --type "$type" >/dev/null
  jq -r '"\(.digest) \(.size)"' "$STACK_DIR/pushed/${repo//\//_}_$tag.json"
}

# notary_sign GUN TAG DIGEST SIZE [ROLE]: adds the target with the notary CLI and publishes.
notary_sign() {
  local gun=$1 tag=$2 digest=$3 size=$4 role=${5:-}
  local args=(addhash "$gun" "$tag" "$size" --sha256 "${digest#sha256:}" -p)
  [[ -n $role ]] && args+=(--roles "$role")
  notary_cli "${args[@]}" >/dev/null
}

notary_init() { notary_cli init "$1" -p >/dev/null; }

# A delegation key and certificate made with openssl exactly as Docker's documentation shows.
make_delegation_cert() {  # NAME -> files $E2E_TMP/NAME.key, NAME.crt
  local name=$1
  openssl genrsa -out "$E2E_TMP/$name.key" 2048 2>/dev/null
  openssl req -new -sha256 -key "$E2E_TMP/$name.key" -out "$E2E_TMP/$name.csr" -subj "/CN=$name" 2>/dev/null
  openssl x509 -req -sha256 -days 365 -in "$E2E_TMP/$name.csr" -signkey "$E2E_TMP/$name.key" \
    -out "$E2E_TMP/$name.crt" 2>/dev/null
}

# add_delegation GUN ROLE NAME: the role with NAME's key, all paths, key imported, published.
add_delegation() {
  local gun=$1 role=$2 name=$3
  [[ -f $E2E_TMP/$name.crt ]] || make_delegation_cert "$name"
  notary_cli delegation add "$gun" "$role" "$E2E_TMP/$name.crt" --all-paths -p >/dev/null
  notary_cli key import "$E2E_TMP/$name.key" --role user >/dev/null 2>&1 || true
}

# The canonical key ID of NAME's certificate as notary lists it in a role.
delegation_key_id() {  # GUN ROLE
  notary_cli delegation list "$1" | awk -v r="$2" '$1 == r {print $(NF-1)}' | head -1
}
