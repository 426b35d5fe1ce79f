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
# and over a network with round-trip time (token auth; scripts/latency_proxy.py in front of
# notary-server, the token server and the registry, which the stack names as its token realm;
# connections and sequential round trips per run counted by the proxy, see its header):
#   rtt-resolve  resolve as above, 1 and 2,000 tags, cold and warm, at every --rtt
#   rtt-sign     sign as above, at every --rtt
#   rtt-pin      `dct pin` of a Dockerfile with 10 base images (10 repositories) vs 10
#                `notary lookup`s in a row, cold and warm, at every --rtt
#   rtt-large    at RTT 0: a warm resolve of a 20,000-tag repository, and the peak RSS of
#                resolving it (cold and warm) for both clients
#   (`rtt` names all four)
#
#   scripts/bench.sh [--runs N] [--publish-runs N] [--rtt 0,20,80]
#                    [--only resolve,sign,publish,rtt-resolve,rtt-sign,rtt-pin,rtt-large]
#                    [--markdown FILE] [--events DIR]
#   e.g. a quick look: scripts/bench.sh --only rtt --rtt 20 --runs 3
#
# Env: BENCH_RUNS (15) and BENCH_PUBLISH_RUNS (5) set the defaults of --runs/--publish-runs,
# BENCH_AUTH (none) the stack's auth mode for the loopback parts (the rtt parts restart it with
# token auth), DCT_BIN the binary (build/docker-dct), STACK_DIR the stack (.stack; another
# STACK_DIR with other STACK_*_PORTs runs a private stack), BENCH_PROXY_PORTS the proxy's
# notary,token,registry,control ports (0,0,0,0: any free ones). Each client gets its own fresh
# trust dir. Starts the stack itself when it is not running. --events DIR keeps the proxy's
# timeline (scripts/latency_proxy.py /events) of the last run of every rtt case.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${BENCH_RUNS:-15}
publish_runs=${BENCH_PUBLISH_RUNS:-5}
only=resolve,sign,publish,rtt
rtts=0,20,80
markdown=""
events_dir=""
usage() {
  echo "usage: scripts/bench.sh [--runs N] [--publish-runs N] [--rtt MS,...]" \
    "[--only resolve,sign,publish,rtt-resolve,rtt-sign,rtt-pin,rtt-large] [--markdown FILE]" \
    "[--events DIR]" >&2
  exit 125
}
while (($#)); do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --publish-runs) publish_runs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --rtt) rtts=$2; shift 2 ;;
    --markdown) markdown=$2; shift 2 ;;
    --events) events_dir=$2; shift 2 ;;
    *) usage ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ && $publish_runs =~ ^[1-9][0-9]*$ && $rtts =~ ^[0-9]+(,[0-9]+)*$ ]] ||
  usage
parts=""
for p in ${only//,/ }; do
  [[ $p == rtt ]] && p="rtt-resolve,rtt-sign,rtt-pin,rtt-large"
  [[ $p =~ ^(resolve|sign|publish|rtt-resolve|rtt-sign|rtt-pin|rtt-large)(,|$) ]] || usage
  parts+=,$p
done
part() { [[ $parts, == *,$1,* ]]; }
DCT=${DCT_BIN:-$here/build/docker-dct}
[[ -x $DCT ]] || { echo "build first: cmake --build build" >&2; exit 1; }
export STACK_DIR=${STACK_DIR:-$here/.stack}
work=$(mktemp -d)
proxy_pid=""
cleanup() {
  [[ -z $proxy_pid ]] || kill "$proxy_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "bench: $*" >&2; }
notary_trust=$work/notary-trust
if part resolve || part sign || part publish; then
  "$here/scripts/stack.sh" start --auth "${BENCH_AUTH:-none}" >/dev/null
  # shellcheck disable=SC1091
  source "$STACK_DIR/stack.env"
  reg=$REGISTRY_HOST
  # notary with a trust dir of its own (the stack's shared one collects keys of every test).
  jq --arg d "$notary_trust" '.trust_dir = $d' "$NOTARY_CLIENT_CONFIG" >"$work/notary-client.json"
  server_log=$STACK_DIR/logs/notary-server.log
fi
ncfg() { notary -c "$work/notary-client.json" "$@"; }
notary_cache() { echo "$notary_trust/tuf/$1"; }
dct_trust=$work/dct-trust

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
fraction() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

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

# ---- over a network with round-trip time: the latency proxy in front of every server ----
if part rtt-resolve || part rtt-sign || part rtt-pin || part rtt-large; then
  IFS=, read -r p_notary p_token p_registry p_control <<<"${BENCH_PROXY_PORTS:-0,0,0,0}"
  notary_port=${STACK_NOTARY_PORT:-4443}
  registry_port=${STACK_REGISTRY_PORT:-5000}
  /usr/bin/python3 "$here/scripts/latency_proxy.py" --control "$p_control" \
    --ports-file "$work/proxy-ports.json" "notary:$p_notary:$notary_port" \
    "token:$p_token:${STACK_TOKEN_PORT:-5001}" "registry:$p_registry:$registry_port" \
    >"$work/proxy.log" 2>&1 &
  proxy_pid=$!
  for _ in $(seq 100); do [[ -s $work/proxy-ports.json ]] && break; sleep 0.05; done
  [[ -s $work/proxy-ports.json ]] || { cat "$work/proxy.log" >&2; exit 1; }
  proxy_port() { jq -r ".$1" "$work/proxy-ports.json"; }
  ctl_url=http://127.0.0.1:$(proxy_port control)
  ctl() { curl -sf "$ctl_url/$1"; }
  # Token auth, with the token realm in every challenge pointing at the proxy too.
  STACK_TOKEN_REALM_PORT=$(proxy_port token) "$here/scripts/stack.sh" start --auth token >/dev/null
  # shellcheck disable=SC1091
  source "$STACK_DIR/stack.env"
  # Both clients reach every server through the proxy: the GUNs name the proxied registry, a
  # docker config of their own holds its credentials and the CA for the proxied hosts, and the
  # notary server is the proxied one (DOCKER_CONTENT_TRUST_SERVER for dct, a config for notary).
  reg=localhost:$(proxy_port registry)
  direct_reg=$REGISTRY_HOST
  rtt_server=https://127.0.0.1:$(proxy_port notary)
  export DOCKER_CONFIG=$work/docker-config DOCKER_CONTENT_TRUST_SERVER=$rtt_server
  # (the token server too: its TLS is checked with the settings of its own host)
  for h in "${rtt_server#https://}" "$reg" "127.0.0.1:$(proxy_port registry)" \
    "127.0.0.1:$(proxy_port token)"; do
    mkdir -p "$DOCKER_CONFIG/tls/$h"
    cp "$STACK_CA" "$DOCKER_CONFIG/tls/$h/ca.crt"
  done
  jq -n --arg r "$reg" --arg a "$NOTARY_AUTH" '{auths: {($r): {auth: $a}}}' \
    >"$DOCKER_CONFIG/config.json"
  notary_trust=$work/notary-trust-rtt
  dct_trust=$work/dct-trust-rtt
  jq -n --arg d "$notary_trust" --arg u "$rtt_server" --arg ca "$STACK_CA" \
    '{trust_dir: $d, remote_server: {url: $u, root_ca: $ca}}' >"$work/notary-client.json"
  set_rtt() { ctl "rtt?ms=$1" >/dev/null; }
  set_rtt 0

  say "rtt: making the repositories"
  rtt_rows=()
  r1=$reg/bench/rtt-r1-$RANDOM
  r2000=$reg/bench/rtt-r2000-$RANDOM
  r20000=$reg/bench/rtt-r20000-$RANDOM
  pin_guns=()
  if part rtt-resolve; then make_repo "$r1" 1; make_repo "$r2000" 2000; fi
  part rtt-large && { part rtt-resolve || make_repo "$r1" 1; make_repo "$r20000" 20000; }
  if part rtt-pin; then
    dockerfile=$work/Dockerfile.pin
    : >"$dockerfile"
    for i in $(seq 0 9); do
      pin_guns+=("$reg/bench/rtt-pin$i-$RANDOM")
      make_repo "${pin_guns[i]}" 1
      echo "FROM ${pin_guns[i]}:tag0 AS stage$i" >>"$dockerfile"
    done
  fi
  # Both clients see the same digest.
  agree() {
    local want
    want=$(ncfg lookup "$1" "$2" | awk '{print $2}')
    [[ $(dct "$1:$2") == "$1@$want" ]] ||
      { echo "bench: dct and notary disagree on $1:$2" >&2; exit 1; }
  }
  if part rtt-resolve; then agree "$r2000" tag1999; fi
  if part rtt-large; then agree "$r20000" tag19999; fi
  if part rtt-pin; then agree "${pin_guns[9]}" tag0; fi

  # rtt_run FILE PREP CMD...: one timed run through the proxy; appends to FILE a line
  # "ms round_trips connections notary_conns token_conns registry_conns".
  rtt_run() {
    local file=$1 prep=$2 ms
    shift 2
    eval "$prep"
    ctl reset >/dev/null
    ms=$(time_cmd : "$@")
    ctl stats | jq -r --arg ms "$ms" '[$ms, .round_trips, .connections,
      .listeners.notary.connections, .listeners.token.connections,
      .listeners.registry.connections] | @tsv' >>"$file"
    if [[ -n $events_dir ]]; then ctl events >"$file.events.json"; fi
  }
  col() { cut -f"$2" "$1" | median; }
  conns() { echo "$(col "$1" 4)+$(col "$1" 5)+$(col "$1" 6)"; }
  # rtt_case RTT LABEL PREP_DCT PREP_NOTARY CMD_DCT CMD_NOTARY: runs both clients --runs times
  # each, alternating which goes first, and adds a table row of medians. The commands are
  # words split on spaces (GUNs have none). A warm case first runs each client once, untimed.
  # At RTT 0 the proxy cannot count round trips (its header says why): those are counted in up
  # to 3 more runs at 20 ms.
  # shellcheck disable=SC2086
  rtt_case() {
    local rtt=$1 label=$2 prep_d=$3 prep_n=$4 cmd_d=$5 cmd_n=$6 i
    local fd=$work/rtt-$rtt-${#rtt_rows[@]}-dct fn=$work/rtt-$rtt-${#rtt_rows[@]}-notary
    say "rtt $rtt ms: $label"
    if [[ $label == *warm ]]; then $cmd_d >/dev/null 2>&1; $cmd_n >/dev/null 2>&1; fi
    for ((i = 0; i < runs; i++)); do
      if ((i % 2)); then
        rtt_run "$fn" "$prep_n" $cmd_n; rtt_run "$fd" "$prep_d" $cmd_d
      else
        rtt_run "$fd" "$prep_d" $cmd_d; rtt_run "$fn" "$prep_n" $cmd_n
      fi
    done
    local count_d=$fd count_n=$fn
    if ((rtt == 0)); then
      count_d=$fd.counted; count_n=$fn.counted
      set_rtt 20
      for ((i = 0; i < runs && i < 3; i++)); do
        rtt_run "$count_d" "$prep_d" $cmd_d; rtt_run "$count_n" "$prep_n" $cmd_n
      done
      set_rtt 0
    fi
    local d n
    d=$(col "$fd" 1); n=$(col "$fn" 1)
    med_d[$rtt $label]=$d
    med_n[$rtt $label]=$n
    rtt_rows+=("| $rtt | $label | $d | $n | $(fraction "$d" "$n")x | $(col "$count_d" 2) |\
 $(col "$count_n" 2) | $(conns "$count_d") | $(conns "$count_n") |")
    if [[ -n $events_dir ]]; then
      mkdir -p "$events_dir"
      local name=${label//[^a-z0-9]/-}
      cp "$count_d.events.json" "$events_dir/rtt$rtt-${name//--/-}-dct.json"
      cp "$count_n.events.json" "$events_dir/rtt$rtt-${name//--/-}-notary.json"
    fi
  }
  declare -A med_d=() med_n=()  # "RTT LABEL" -> median ms
  forget() {  # the prep of a cold run: no cached trust data for these GUNs in either client
    local g
    for g in "$@"; do rm -rf "$dct_trust/tuf/$g/metadata" "$(notary_cache "$g")/metadata"; done
  }
  pin_notary() { local g; for g in "${pin_guns[@]}"; do ncfg lookup "$g" tag0 || return 1; done; }
  pin_dct() { "$DCT" pin -f "$dockerfile" --trust-dir "$dct_trust"; }

  if part rtt-sign; then
    # dct signs what the registry holds: one image pushed (untimed), its manifest put under
    # every tag the runs sign; notary is given the same digest and size.
    sign_d=$reg/bench/rtt-sign-d$RANDOM
    sign_n=$reg/bench/rtt-sign-n$RANDOM
    repo_d=${sign_d#"$reg"/}
    "$here/scripts/stack.sh" push-image "$repo_d" t0 >/dev/null
    pushed=$STACK_DIR/pushed/${repo_d//\//_}_t0.json
    hex=$(jq -r .digest "$pushed"); hex=${hex#sha256:}
    size=$(jq -r .size "$pushed")
    mt=$(jq -r .mediaType "$pushed")
    token=$(curl -sf --cacert "$STACK_CA" -u "$STACK_USER:$STACK_PASS" \
      "$STACK_TOKEN_REALM?service=local-registry&scope=repository:$repo_d:pull,push" | jq -r .token)
    curl -sf --cacert "$STACK_CA" -H "Authorization: Bearer $token" -H "Accept: $mt" \
      -o "$work/sign-manifest" "https://$direct_reg/v2/$repo_d/manifests/t0"
    for r in ${rtts//,/ }; do
      for ((i = 0; i < runs + 3; i++)); do
        curl -sf --cacert "$STACK_CA" -H "Authorization: Bearer $token" -H "Content-Type: $mt" \
          -X PUT --data-binary "@$work/sign-manifest" -o /dev/null \
          "https://$direct_reg/v2/$repo_d/manifests/r$r-$i"
      done
    done
    # Both repositories initialized and signed once (t0): warm caches, local snapshot keys.
    "$DCT" sign --trust-dir "$dct_trust" "$sign_d:t0" >/dev/null
    ncfg init "$sign_n" -p >/dev/null
    ncfg addhash "$sign_n" t0 "$size" --sha256 "$hex" -p >/dev/null
    sign_dct() { "$DCT" sign --trust-dir "$dct_trust" "$sign_d:$1"; }
    sign_notary() { ncfg addhash "$sign_n" "$1" "$size" --sha256 "$hex" -p; }
  fi

  for r in ${rtts//,/ }; do
    set_rtt "$r"
    if part rtt-resolve; then
      for count in 1 2000; do
        g=$r1; ((count == 1)) || g=$r2000
        label="resolve, $count tag$( ((count == 1)) || echo s)"
        rtt_case "$r" "${label/2000/2,000}, cold" "forget $g" : "dct $g:tag0" "nlookup $g tag0"
        rtt_case "$r" "${label/2000/2,000}, warm" : : "dct $g:tag0" "nlookup $g tag0"
      done
    fi
    if part rtt-sign; then
      # A new tag every run: the run number is kept in a file, rtt_run's commands run in $(...).
      echo 0 >"$work/sign-d-n"; echo 0 >"$work/sign-n-n"
      next_tag() { local n; n=$(cat "$work/$1"); echo $((n + 1)) >"$work/$1"; echo "r$r-$n"; }
      sign_dct_next() { sign_dct "$(next_tag sign-d-n)"; }
      sign_notary_next() { sign_notary "$(next_tag sign-n-n)"; }
      rtt_case "$r" "sign one new tag" : : sign_dct_next sign_notary_next
    fi
    if part rtt-pin; then
      rtt_case "$r" "pin 10 images, cold" "forget ${pin_guns[*]}" : pin_dct pin_notary
      rtt_case "$r" "pin 10 images, warm" : : pin_dct pin_notary
    fi
  done
  if part rtt-sign; then
    # Every tag signed, and readable by the other client.
    last=r${rtts##*,}-$((runs - 1))
    [[ $("$DCT" resolve --trust-dir "$work/check-trust" "$sign_n:$last" 2>/dev/null) == *"$hex"* ]] ||
      { echo "bench: $sign_n:$last does not resolve to $hex" >&2; exit 1; }
    ncfg lookup "$sign_d" "$last" >/dev/null ||
      { echo "bench: notary cannot see $sign_d:$last" >&2; exit 1; }
  fi

  rss_rows=()
  large_line=""
  if part rtt-large; then
    set_rtt 0
    one="resolve, 1 tag, warm"
    [[ -n ${med_d[0 $one]:-} ]] || rtt_case 0 "$one" : : "dct $r1:tag0" "nlookup $r1 tag0"
    rtt_case 0 "resolve, 20,000 tags, warm" : : "dct $r20000:tag19999" "nlookup $r20000 tag19999"
    large_d=$(fraction "${med_d[0 resolve, 20,000 tags, warm]}" "${med_d[0 $one]}")
    large_n=$(fraction "${med_n[0 resolve, 20,000 tags, warm]}" "${med_n[0 $one]}")
    large_line="RTT 0, warm: resolving the 20,000-tag repository takes dct ${large_d}x the time"
    large_line+=" of the 1-tag one, notary ${large_n}x."
    # Peak RSS (GNU time's %M, KiB) of resolving the 20,000-tag repository, median of 3.
    peak_rss() {
      local prep=$1 i
      shift
      for i in 1 2 3; do
        eval "$prep"
        /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1
        cat "$work/rss"
      done | median | awk '{ printf "%.1f", $1 / 1024 }'
    }
    for mode in cold warm; do
      prep=:
      [[ $mode == cold ]] && prep="forget $r20000"
      rss_d=$(peak_rss "$prep" "$DCT" resolve --trust-dir "$dct_trust" "$r20000:tag19999")
      rss_n=$(peak_rss "$prep" notary -c "$work/notary-client.json" lookup "$r20000" tag19999)
      rss_rows+=("| $mode | $rss_d | $rss_n |")
    done
  fi

  [[ -n $out ]] && out+=$'\n\n'
  out+=$(
    echo "| RTT (ms) | case | dct (ms) | notary (ms) | dct/notary | dct round trips" \
      "| notary round trips | dct connections (notary+token+registry)" \
      "| notary connections (notary+token+registry) |"
    echo "|---|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rtt_rows[@]}"
    if [[ -n $large_line ]]; then echo; echo "$large_line"; fi
    if ((${#rss_rows[@]})); then
      echo
      echo "| resolve of 20,000 tags | dct peak RSS (MiB) | notary peak RSS (MiB) |"
      echo "|---|---|---|"
      printf '%s\n' "${rss_rows[@]}"
    fi
  )
fi

echo "$out"
[[ -z $markdown ]] || echo "$out" >"$markdown"
