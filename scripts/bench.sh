#!/usr/bin/env bash
# Benchmarks docker-dct side by side with the Go notary CLI on the same local stack, medians of
# alternating runs, with the HTTP requests/connections each makes (counted in notary-server's log):
#   resolve  `dct resolve` vs `notary lookup`: cold and warm cache, repositories with 1 and
#            2,000 tags
#   sign     one new tag on a repository each client initialized and signed before (warm caches,
#            local snapshot keys): `dct sign IMAGE:TAG` (also fetches the manifest from the
#            registry) vs `notary addhash GUN TAG SIZE --sha256 HEX -p`; a new tag every run
#   publish  2,000 tags staged by `notary addhash` (no -p), the same change files copied into
#            each client's changelist, published by `dct publish` vs `notary publish` onto a
#            repository each client has just initialized (fresh every run)
#
#   scripts/bench.sh [--runs N] [--publish-runs N] [--only resolve,sign,publish] [--markdown FILE]
#
# Env: BENCH_RUNS (15) and BENCH_PUBLISH_RUNS (5) set the defaults of --runs/--publish-runs,
# BENCH_AUTH (none) the stack's auth mode, DCT_BIN the binary (build/docker-dct), STACK_DIR the
# stack (.stack; another STACK_DIR with other STACK_*_PORTs runs a private stack). Each client
# gets its own fresh trust dir. Starts the stack itself when it is not running.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${BENCH_RUNS:-15}
publish_runs=${BENCH_PUBLISH_RUNS:-5}
only=resolve,sign,publish
markdown=""
usage() {
  echo "usage: scripts/bench.sh [--runs N] [--publish-runs N] [--only resolve,sign,publish]" \
    "[--markdown FILE]" >&2
  exit 125
}
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --publish-runs) publish_runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --markdown) markdown=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ && $publish_runs =~ ^[1-9][0-9]*$ ]] || usage
part() { [[ ,$only, == *,$1,* ]]; }
DCT=${DCT_BIN:-$here/build/docker-dct}
[[ -x $DCT ]] || { echo "build first: cmake --build build" >&2; exit 1; }
export STACK_DIR=${STACK_DIR:-$here/.stack}
"$here/scripts/stack.sh" start --auth "${BENCH_AUTH:-none}" >/dev/null
# shellcheck disable=SC1091
source "$STACK_DIR/stack.env"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
reg=$REGISTRY_HOST
say() { echo "bench: $*" >&2; }

# notary with a trust dir of its own (the stack's shared one collects keys of every test).
notary_trust=$work/notary-trust
jq --arg d "$notary_trust" '.trust_dir = $d' "$NOTARY_CLIENT_CONFIG" >"$work/notary-client.json"
ncfg() { notary -c "$work/notary-client.json" "$@"; }
notary_cache() { echo "$notary_trust/tuf/$1"; }
dct_trust=$work/dct-trust
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
  stage_tags "$(notary_cache "$gun")/changelist" "$count" tag
  ncfg publish "$gun" >/dev/null
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

# time_cmd prep cmd... : wall time in ms of cmd (prep runs untimed first). The clock is bash's
# own EPOCHREALTIME: forking `date` around each run would add milliseconds to both clients.
time_cmd() {
  local prep=$1
  shift
  eval "$prep"
  local t0 t1
  t0=${EPOCHREALTIME/[.,]/}
  "$@" >/dev/null 2>&1 || { echo "command failed: $*" >&2; exit 1; }
  t1=${EPOCHREALTIME/[.,]/}
  awk -v d="$((10#$t1 - 10#$t0))" 'BEGIN { printf "%.1f\n", d / 1000 }'
}

# requests_since LINE: "<requests>/<connections>" notary-server logged after line LINE (one
# "http.response.duration" line per request; connections are distinct client ports).
log_lines() { wc -l <"$server_log"; }
requests_since() {
  sleep 0.3
  tail -n +"$(($1 + 1))" "$server_log" | grep '"http.response.duration"' |
    jq -r '."http.request.remoteaddr"' | awk '{n++; c[$1]=1} END {printf "%d/%d", n, length(c)}'
}
# requests_of CMD...: the requests/connections CMD made.
requests_of() {
  local before
  before=$(log_lines)
  "$@" >/dev/null 2>&1
  requests_since "$before"
}
# timed_with_requests FILE PREP CMD...: like time_cmd, also writing CMD's requests to FILE
# (it runs in a $(...) subshell, so a variable would not survive).
timed_with_requests() {
  local file=$1 prep=$2 before ms
  shift 2
  eval "$prep"
  before=$(log_lines)
  ms=$(time_cmd : "$@")
  requests_since "$before" >"$file"
  echo "$ms"
}

dct() { "$DCT" resolve --trust-dir "$dct_trust" "$@"; }
nlookup() { ncfg lookup "$@"; }

out=""
if part resolve; then
  say "resolve: $runs runs per row"
  rows=()
  for count in 1 2000; do
    gun=$reg/bench/r$count-$RANDOM
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
      rows+=("| $count | $mode | $d_med | $n_med | $(ratio "$n_med" "$d_med")x | $d_req | $n_req |")
    done
  done
  # The floor under every run: each client starting and exiting without doing any work.
  d_times=(); n_times=()
  for ((i = 0; i < runs; i++)); do
    d_times+=("$(time_cmd : "$DCT" docker-cli-plugin-metadata)")
    n_times+=("$(time_cmd : notary version)")
  done
  start_d=$(printf '%s\n' "${d_times[@]}" | median)
  start_n=$(printf '%s\n' "${n_times[@]}" | median)
  out+=$(
    echo "| tags | cache | dct resolve (ms) | notary lookup (ms) | speed-up | dct requests/connections | notary requests/connections |"
    echo "|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Process start alone (no work): dct ${start_d} ms (\`docker-dct docker-cli-plugin-metadata\`), notary ${start_n} ms (\`notary version\`)."
  )
fi

sign_rows=()
if part sign; then
  # dct signs what the registry holds for each tag: tiny images pushed beforehand (untimed).
  # notary is given the same digest and size under each new tag name.
  sign_d=$reg/bench/sign-d$RANDOM
  sign_n=$reg/bench/sign-n$RANDOM
  repo_d=${sign_d#"$reg"/}
  say "sign: pushing $((runs + 1)) images"
  for ((i = 0; i <= runs; i++)); do "$here/scripts/stack.sh" push-image "$repo_d" "t$i" >/dev/null; done
  pushed=$STACK_DIR/pushed/${repo_d//\//_}_t0.json
  hex=$(jq -r .digest "$pushed"); hex=${hex#sha256:}
  size=$(jq -r .size "$pushed")
  # Both repositories initialized and signed once (t0), so both caches are warm.
  "$DCT" sign --trust-dir "$dct_trust" "$sign_d:t0" >/dev/null
  ncfg init "$sign_n" -p >/dev/null
  ncfg addhash "$sign_n" t0 "$size" --sha256 "$hex" -p >/dev/null
  say "sign: $runs runs"
  d_times=(); n_times=()
  for ((i = 1; i <= runs; i++)); do
    if ((i < runs)); then
      d_times+=("$(time_cmd : "$DCT" sign --trust-dir "$dct_trust" "$sign_d:t$i")")
      n_times+=("$(time_cmd : ncfg addhash "$sign_n" "t$i" "$size" --sha256 "$hex" -p)")
    else  # the last run also counts requests (untimed log reading)
      d_times+=("$(timed_with_requests "$work/d_req" : "$DCT" sign --trust-dir "$dct_trust" "$sign_d:t$i")")
      n_times+=("$(timed_with_requests "$work/n_req" : ncfg addhash "$sign_n" "t$i" "$size" --sha256 "$hex" -p)")
    fi
  done
  # Both repositories must now hold every tag, signed for the same digest.
  for ((i = 0; i <= runs; i += runs)); do
    got=$("$DCT" resolve --trust-dir "$work/check-trust" "$sign_n:t$i" 2>/dev/null || true)
    [[ $got == *"$hex"* ]] || { echo "bench: $sign_n:t$i does not resolve to $hex" >&2; exit 1; }
    ncfg lookup "$sign_d" "t$i" >/dev/null || { echo "bench: notary cannot see $sign_d:t$i" >&2; exit 1; }
  done
  d_med=$(printf '%s\n' "${d_times[@]}" | median)
  n_med=$(printf '%s\n' "${n_times[@]}" | median)
  d_req=$(cat "$work/d_req"); n_req=$(cat "$work/n_req")
  sign_rows+=("| sign one new tag | $d_med | $n_med | $(ratio "$n_med" "$d_med")x | $d_req | $n_req |")
fi

if part publish; then
  # 2,000 changes staged by notary itself (in parallel, untimed), kept aside and copied into
  # each client's changelist before each run: identical staged sets for both.
  staged=$work/staged
  stage_gun=$reg/bench/stage$RANDOM
  say "publish: staging 2000 tags with notary addhash"
  # shellcheck disable=SC2016  # $0..$4 are sh -c's arguments
  /usr/bin/python3 -c '
import hashlib
for i in range(2000):
    print(f"s{i}", 500 + i, hashlib.sha256(f"manifest s{i}".encode()).hexdigest())' |
    xargs -P 2 -L 1 sh -c 'notary -c "$0" addhash "$1" "$2" "$3" --sha256 "$4" >/dev/null' \
      "$work/notary-client.json" "$stage_gun"
  mv "$(notary_cache "$stage_gun")/changelist" "$staged"
  n_staged=$(find "$staged" -name '*.change' | wc -l)
  ((n_staged == 2000)) || { echo "bench: notary staged $n_staged changes, not 2000" >&2; exit 1; }
  say "publish: $publish_runs runs"
  d_times=(); n_times=()
  for ((i = 0; i < publish_runs; i++)); do
    # Fresh repositories every run (same shape each time), just initialized by each client.
    pub_d=$reg/bench/pub-d$i-$RANDOM
    pub_n=$reg/bench/pub-n$i-$RANDOM
    "$DCT" init --trust-dir "$dct_trust" "$pub_d" >/dev/null
    ncfg init "$pub_n" -p >/dev/null
    prep_d="mkdir -p '$dct_trust/tuf/$pub_d/changelist' && cp '$staged'/*.change '$dct_trust/tuf/$pub_d/changelist/'"
    prep_n="mkdir -p '$(notary_cache "$pub_n")/changelist' && cp '$staged'/*.change '$(notary_cache "$pub_n")/changelist/'"
    if ((i < publish_runs - 1)); then
      d_times+=("$(time_cmd "$prep_d" "$DCT" publish --trust-dir "$dct_trust" "$pub_d")")
      n_times+=("$(time_cmd "$prep_n" ncfg publish "$pub_n")")
    else
      d_times+=("$(timed_with_requests "$work/d_req" "$prep_d" "$DCT" publish --trust-dir "$dct_trust" "$pub_d")")
      n_times+=("$(timed_with_requests "$work/n_req" "$prep_n" ncfg publish "$pub_n")")
    fi
  done
  # Everything published, and readable by the other client.
  for t in s0 s1999; do
    "$DCT" resolve --trust-dir "$work/check-trust" "$pub_n:$t" >/dev/null ||
      { echo "bench: dct cannot resolve $pub_n:$t" >&2; exit 1; }
    ncfg lookup "$pub_d" "$t" >/dev/null || { echo "bench: notary cannot see $pub_d:$t" >&2; exit 1; }
  done
  [[ -z $(ls -A "$dct_trust/tuf/$pub_d/changelist") && -z $(ls -A "$(notary_cache "$pub_n")/changelist") ]] ||
    { echo "bench: a changelist was not emptied by publishing" >&2; exit 1; }
  d_med=$(printf '%s\n' "${d_times[@]}" | median)
  n_med=$(printf '%s\n' "${n_times[@]}" | median)
  d_req=$(cat "$work/d_req"); n_req=$(cat "$work/n_req")
  sign_rows+=("| publish 2,000 staged tags | $d_med | $n_med | $(ratio "$n_med" "$d_med")x | $d_req | $n_req |")
fi

if ((${#sign_rows[@]})); then
  [[ -n $out ]] && out+=$'\n\n'
  out+=$(
    echo "| signing | dct (ms) | notary (ms) | speed-up | dct requests/connections | notary requests/connections |"
    echo "|---|---|---|---|---|---|"
    printf '%s\n' "${sign_rows[@]}"
  )
fi
echo "$out"
[[ -z $markdown ]] || echo "$out" >"$markdown"
