#!/usr/bin/env bash
# Benchmarks `docker dct resolve` side by side with the Go `notary lookup` on the same local
# stack: cold and warm cache, repositories with 1 and 2,000 tags, medians of alternating runs,
# and the HTTP requests each one makes (counted in the notary-server log).
#   scripts/bench.sh [--runs N] [--markdown FILE]
# Needs a built tree (build/docker-dct) and starts the stack itself when it is not running.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=15
markdown=""
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --markdown) markdown=$2; shift 2 ;;
    *) echo "usage: scripts/bench.sh [--runs N] [--markdown FILE]" >&2; exit 125 ;;
  esac
done
DCT=${DCT_BIN:-$here/build/docker-dct}
[[ -x $DCT ]] || { echo "build first: cmake --build build" >&2; exit 1; }
export STACK_DIR=${STACK_DIR:-$here/.stack}
"$here/scripts/stack.sh" start --auth "${BENCH_AUTH:-none}" >/dev/null
# shellcheck disable=SC1091
source "$STACK_DIR/stack.env"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ncfg() { notary -c "$NOTARY_CLIENT_CONFIG" "$@"; }
server_log=$STACK_DIR/logs/notary-server.log

# stage_tags DIR COUNT PREFIX: COUNT target changes in notary's changelist format.
stage_tags() {
  mkdir -p "$1"
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import base64, hashlib, json, os, sys, time, uuid
d, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t = time.time_ns()
for i in range(n):
    digest = hashlib.sha256(f"manifest {prefix}{i}".encode()).digest()
    meta = {"length": 500 + i, "hashes": {"sha256": base64.b64encode(digest).decode()}}
    change = {"action": "create", "role": "targets", "type": "target", "path": f"{prefix}{i}",
              "data": base64.b64encode(json.dumps(meta, separators=(",", ":")).encode()).decode()}
    with open(os.path.join(d, f"{t + i:020d}_{uuid.uuid4()}.change"), "w") as f:
        json.dump(change, f, separators=(",", ":"))
PY
}

# A repository with `count` tags, made by staging changelist files and one notary publish.
make_repo() {
  local gun=$1 count=$2
  ncfg init "$gun" >/dev/null
  stage_tags "$DOCKER_CONFIG/trust/tuf/$gun/changelist" "$count" tag
  ncfg publish "$gun" >/dev/null
}

now_ms() { date +%s%N | cut -b1-13; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# time_cmd prep cmd... : wall time in ms of cmd (prep runs untimed first)
time_cmd() {
  local prep=$1
  shift
  eval "$prep"
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}

# requests_of CMD...: "<requests>/<connections>" the command made to notary-server, read from
# the server's log (one "http.response.duration" line per request; connections are distinct
# client ports).
requests_of() {
  local before
  before=$(wc -l <"$server_log")
  "$@" >/dev/null 2>&1
  sleep 0.3
  tail -n +"$((before + 1))" "$server_log" | grep '"http.response.duration"' |
    jq -r '."http.request.remoteaddr"' | awk '{n++; c[$1]=1} END {printf "%d/%d", n, length(c)}'
}

dct_trust=$work/dct-trust
dct() { "$DCT" resolve --trust-dir "$dct_trust" "$@"; }
nlookup() { ncfg lookup "$@"; }
notary_cache() { echo "$DOCKER_CONFIG/trust/tuf/$1"; }

rows=()
for count in 1 2000; do
  gun=localhost:5000/bench/r$count-$RANDOM
  make_repo "$gun" "$count"
  tag=tag$((count - 1))
  for mode in cold warm; do
    if [[ $mode == cold ]]; then
      prep_d="rm -rf '$dct_trust/tuf'"
      prep_n="rm -rf '$(notary_cache "$gun")/metadata'"
    else
      prep_d=":"; prep_n=":"
      dct "$gun:$tag" >/dev/null; nlookup "$gun" "$tag" >/dev/null
    fi
    d_times=(); n_times=()
    for ((i = 0; i < runs; i++)); do  # alternate the two clients
      d_times+=("$(time_cmd "$prep_d" dct "$gun:$tag")")
      n_times+=("$(time_cmd "$prep_n" nlookup "$gun" "$tag")")
    done
    d_med=$(printf '%s\n' "${d_times[@]}" | median)
    n_med=$(printf '%s\n' "${n_times[@]}" | median)
    eval "$prep_d"; d_req=$(requests_of dct "$gun:$tag")
    eval "$prep_n"; n_req=$(requests_of nlookup "$gun" "$tag")
    ratio=$(awk -v a="$n_med" -v b="$d_med" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
    rows+=("| $count | $mode | $d_med | $n_med | ${ratio}x | $d_req | $n_req |")
  done
done

table=$(
  echo "| tags | cache | dct resolve (ms) | notary lookup (ms) | speed-up | dct requests/connections | notary requests/connections |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
)

# Signing: one new tag on a repository each client created and signed before (warm caches,
# local snapshot keys), and publishing 2,000 staged tags at once.
publish_runs=${BENCH_PUBLISH_RUNS:-5}
sign_d=localhost:5000/bench/sign-d$RANDOM
sign_n=localhost:5000/bench/sign-n$RANDOM
repo_d=${sign_d#localhost:5000/}
for ((i = 0; i <= runs; i++)); do "$here/scripts/stack.sh" push-image "$repo_d" "t$i" >/dev/null; done
pushed=$STACK_DIR/pushed/${repo_d//\//_}_t0.json
hex=$(jq -r .digest "$pushed"); hex=${hex#sha256:}
size=$(jq -r .size "$pushed")
"$DCT" sign --trust-dir "$dct_trust" "$sign_d:t0" >/dev/null
ncfg init "$sign_n" -p >/dev/null
ncfg addhash "$sign_n" t0 "$size" --sha256 "$hex" -p >/dev/null
d_times=(); n_times=()
for ((i = 1; i <= runs; i++)); do
  d_times+=("$(time_cmd : "$DCT" sign --trust-dir "$dct_trust" "$sign_d:t$i")")
  n_times+=("$(time_cmd : ncfg addhash "$sign_n" "t$i" "$size" --sha256 "$hex" -p)")
done
d_med=$(printf '%s\n' "${d_times[@]}" | median)
n_med=$(printf '%s\n' "${n_times[@]}" | median)
sign_row="| sign one new tag | $d_med | $n_med | $(awk -v a="$n_med" -v b="$d_med" 'BEGIN { printf "%.1f", a / b }')x |"

d_times=(); n_times=()
for ((i = 0; i < publish_runs; i++)); do
  stage_tags "$dct_trust/tuf/$sign_d/changelist" 2000 "p${i}-"
  stage_tags "$DOCKER_CONFIG/trust/tuf/$sign_n/changelist" 2000 "p${i}-"
  d_times+=("$(time_cmd : "$DCT" publish --trust-dir "$dct_trust" "$sign_d")")
  n_times+=("$(time_cmd : ncfg publish "$sign_n")")
done
d_med=$(printf '%s\n' "${d_times[@]}" | median)
n_med=$(printf '%s\n' "${n_times[@]}" | median)
publish_row="| publish 2,000 staged tags | $d_med | $n_med | $(awk -v a="$n_med" -v b="$d_med" 'BEGIN { printf "%.1f", a / b }')x |"

table+=$(
  echo
  echo
  echo "| signing | dct (ms) | notary (ms) | speed-up |"
  echo "|---|---|---|---|"
  echo "$sign_row"
  echo "$publish_row"
)
echo "$table"
[[ -n $markdown ]] && echo "$table" >"$markdown"
