#!/usr/bin/env bash
# The local test stack: notary-signer, notary-server (memory storage) and docker-registry from
# Debian's packages, a throwaway CA, and for token auth a small token server; all on 127.0.0.1
# with TLS. State lives in $STACK_DIR (default <repo>/.stack).
#
#   stack.sh start [--auth none|basic|token] [--fresh]   start (no-op when already running)
#   stack.sh stop | restart | status
#   stack.sh env                                         path of the sourceable stack.env
#   stack.sh push-image REPO TAG [--type docker|oci|oci-index]
#
# Ports (env): STACK_SIGNER_PORT 7899, STACK_NOTARY_PORT 4443, STACK_REGISTRY_PORT 5000,
# STACK_TOKEN_PORT 5001. Another STACK_DIR with other ports runs a second stack beside this one.
# STACK_TOKEN_REALM_PORT (default STACK_TOKEN_PORT) is the port of the token realm the servers
# name in their challenges, e.g. a proxy in front of the token server (scripts/bench.sh).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK_DIR=${STACK_DIR:-$here/.stack}
mkdir -p "$STACK_DIR"
STACK_DIR=$(cd "$STACK_DIR" && pwd)
signer_port=${STACK_SIGNER_PORT:-7899}
notary_port=${STACK_NOTARY_PORT:-4443}
registry_port=${STACK_REGISTRY_PORT:-5000}
token_port=${STACK_TOKEN_PORT:-5001}
token_realm=https://127.0.0.1:${STACK_TOKEN_REALM_PORT:-$token_port}/token
wait_timeout=${WAIT_TIMEOUT:-30}
user=testuser
pass=testpass
PY=/usr/bin/python3
tls=$STACK_DIR/tls run=$STACK_DIR/run logs=$STACK_DIR/logs

alive() {  # a pid that runs and is not a zombie
  local pid=$1 state
  state=$(ps -o stat= -p "$pid" 2>/dev/null | tr -d ' ') || return 1
  [[ -n $state && $state != Z* ]]
}

running() {
  local f any=0
  for f in "$run"/*.pid; do
    [[ -e $f ]] || continue
    alive "$(cat "$f")" || return 1
    any=1
  done
  ((any))
}

stop() {
  local f pid
  for f in "$run"/*.pid; do
    [[ -e $f ]] || continue
    pid=$(cat "$f")
    alive "$pid" && kill "$pid" 2>/dev/null || true
  done
  for f in "$run"/*.pid; do
    [[ -e $f ]] || continue
    pid=$(cat "$f")
    for _ in $(seq 50); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
}

make_certs() {
  [[ -s $tls/localhost.crt && -s $tls/token.crt ]] && return
  mkdir -p "$tls"
  cat >"$tls/leaf.cnf" <<CNF
[v3]
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth,clientAuth
keyUsage=critical,digitalSignature,keyEncipherment
basicConstraints=critical,CA:FALSE
CNF
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -keyout "$tls/ca.key" -out "$tls/ca.crt" -subj "/CN=dct test stack CA" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$tls/localhost.key" -out "$tls/localhost.csr" -subj /CN=localhost 2>/dev/null
  openssl x509 -req -in "$tls/localhost.csr" -CA "$tls/ca.crt" -CAkey "$tls/ca.key" \
    -CAcreateserial -days 3650 -extfile "$tls/leaf.cnf" -extensions v3 \
    -out "$tls/localhost.crt" 2>/dev/null
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -keyout "$tls/token.key" -out "$tls/token.crt" -subj "/CN=dct test token issuer" 2>/dev/null
  chmod 600 "$tls"/*.key
}

write_configs() {
  local auth=$1
  mkdir -p "$STACK_DIR"/{notary-signer,notary-server,registry/data,token,notary-client} "$run" "$logs"
  cat >"$STACK_DIR/notary-signer/config.json" <<JSON
{"server": {"grpc_addr": "127.0.0.1:$signer_port", "tls_cert_file": "$tls/localhost.crt",
            "tls_key_file": "$tls/localhost.key", "client_ca_file": "$tls/ca.crt"},
 "logging": {"level": "info"}, "storage": {"backend": "memory", "default_alias": "stackalias"}}
JSON
  local notary_auth=""
  if [[ $auth == token ]]; then
    notary_auth=", \"auth\": {\"type\": \"token\", \"options\": {\"realm\": \"$token_realm\",
      \"service\": \"local-notary\", \"issuer\": \"local-token-issuer\", \"rootcertbundle\": \"$tls/token.crt\", \"autoredirect\": false}}"
  fi
  cat >"$STACK_DIR/notary-server/config.json" <<JSON
{"server": {"http_addr": "127.0.0.1:$notary_port", "tls_cert_file": "$tls/localhost.crt",
            "tls_key_file": "$tls/localhost.key"},
 "trust_service": {"type": "remote", "hostname": "127.0.0.1", "port": "$signer_port",
                   "key_algorithm": "ecdsa", "tls_ca_file": "$tls/ca.crt",
                   "tls_client_cert": "$tls/localhost.crt", "tls_client_key": "$tls/localhost.key"},
 "storage": {"backend": "memory"}, "logging": {"level": "info"}$notary_auth}
JSON
  local registry_auth=""
  case $auth in
    basic)
      htpasswd -Bbn "$user" "$pass" >"$STACK_DIR/registry/htpasswd" 2>/dev/null
      registry_auth="auth:
  htpasswd:
    realm: local-registry
    path: $STACK_DIR/registry/htpasswd" ;;
    token)
      registry_auth="auth:
  token:
    realm: $token_realm
    service: local-registry
    issuer: local-token-issuer
    rootcertbundle: $tls/token.crt" ;;
  esac
  cat >"$STACK_DIR/registry/config.yml" <<YML
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: $STACK_DIR/registry/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$registry_port
  tls:
    certificate: $tls/localhost.crt
    key: $tls/localhost.key
$registry_auth
YML
  cat >"$STACK_DIR/token/config.json" <<JSON
{"port": $token_port, "issuer": "local-token-issuer", "user": "$user", "password": "$pass",
 "key": "$tls/token.key", "cert": "$tls/token.crt", "tls_cert": "$tls/localhost.crt",
 "tls_key": "$tls/localhost.key", "pid_file": "$run/token.pid"}
JSON
  # The Docker config dir the clients use: credentials and the CA for each server.
  local dc=$STACK_DIR/docker-config
  # The token server is verified with its own directory, as any other host.
  local hosts=("127.0.0.1:$notary_port" "localhost:$registry_port" "127.0.0.1:$registry_port"
    "127.0.0.1:$token_port")
  mkdir -p "$dc/trust"
  chmod 700 "$dc/trust"
  for d in "${hosts[@]}"; do
    mkdir -p "$dc/tls/$d"
    cp "$tls/ca.crt" "$dc/tls/$d/ca.crt"
  done
  local b64
  b64=$(printf '%s:%s' "$user" "$pass" | base64)
  if [[ $auth == none ]]; then
    echo '{"auths": {}}' >"$dc/config.json"
  else
    echo "{\"auths\": {\"localhost:$registry_port\": {\"auth\": \"$b64\"}}}" >"$dc/config.json"
  fi
  cat >"$STACK_DIR/notary-client/config.json" <<JSON
{"trust_dir": "$dc/trust", "remote_server": {"url": "https://127.0.0.1:$notary_port", "root_ca": "$tls/ca.crt"}}
JSON
  cat >"$STACK_DIR/stack.env" <<ENV
# Written by scripts/stack.sh start; source it with a path.
export STACK_DIR='$STACK_DIR'
export STACK_AUTH='$auth'
export STACK_CA='$tls/ca.crt'
export STACK_USER='$user'
export STACK_PASS='$pass'
export STACK_TOKEN_REALM='$token_realm'
export NOTARY_URL='https://127.0.0.1:$notary_port'
export REGISTRY_HOST='localhost:$registry_port'
export DOCKER_CONFIG='$dc'
export DOCKER_CONTENT_TRUST_SERVER='https://127.0.0.1:$notary_port'
export NOTARY_CLIENT_CONFIG='$STACK_DIR/notary-client/config.json'
export DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE='stack-root-passphrase'
export DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE='stack-repo-passphrase'
export NOTARY_ROOT_PASSPHRASE='stack-root-passphrase'
export NOTARY_TARGETS_PASSPHRASE='stack-repo-passphrase'
export NOTARY_SNAPSHOT_PASSPHRASE='stack-repo-passphrase'
export NOTARY_DELEGATION_PASSPHRASE='stack-repo-passphrase'
export NOTARY_AUTH='$b64'
ENV
  echo "$auth" >"$run/auth"
  echo "$token_realm" >"$run/realm"
}

launch() {  # name command...
  local name=$1
  shift
  "$@" >>"$logs/$name.log" 2>&1 &
  echo $! >"$run/$name.pid"
}

wait_for() {  # what command...
  local what=$1 deadline=$((SECONDS + wait_timeout))
  shift
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      echo "stack: $what did not become ready within ${wait_timeout}s" >&2
      return 1
    fi
    sleep 0.1
  done
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --cacert "$tls/ca.crt" "$1"; }
notary_healthy() { [[ $(http_code "https://127.0.0.1:$notary_port/_notary_server/health") == 200 ]]; }
registry_up() { [[ $(http_code "https://127.0.0.1:$registry_port/v2/") =~ ^(200|401)$ ]]; }
token_up() { [[ $(http_code "https://127.0.0.1:$token_port/healthz") == 200 ]]; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
  local auth=none fresh=0
  while (($#)); do
    case $1 in
      --auth) auth=$2; shift 2 ;;
      --fresh) fresh=1; shift ;;
      *) echo "stack start: unknown option $1" >&2; exit 125 ;;
    esac
  done
  [[ $auth =~ ^(none|basic|token)$ ]] || { echo "stack: --auth none|basic|token" >&2; exit 125; }
  if running; then
    if [[ $(cat "$run/auth" 2>/dev/null) == "$auth" && $(cat "$run/realm" 2>/dev/null) == "$token_realm" &&
      $fresh == 0 ]]; then
      echo "stack: already running (auth $auth) in $STACK_DIR"
      return 0
    fi
    stop
  fi
  stop
  ((fresh)) && rm -rf "$STACK_DIR/registry/data" "$STACK_DIR/docker-config/trust/private" "$STACK_DIR/pushed"
  local t0=$SECONDS
  make_certs
  write_configs "$auth"
  # Memory storage: a new server knows nothing, so cached client trust data would be stale.
  rm -rf "$STACK_DIR/docker-config/trust/tuf"
  : >"$logs/notary-signer.log"; : >"$logs/notary-server.log"; : >"$logs/registry.log"; : >"$logs/token.log"
  if ! {
    launch notary-signer notary-signer -config "$STACK_DIR/notary-signer/config.json" &&
      wait_for "notary-signer" port_open "$signer_port" &&
      launch notary-server notary-server -config "$STACK_DIR/notary-server/config.json" &&
      launch registry docker-registry serve "$STACK_DIR/registry/config.yml" &&
      { [[ $auth != token ]] || { "$PY" "$here/scripts/token_server.py" "$STACK_DIR/token/config.json" \
        >>"$logs/token.log" 2>&1 & wait_for "token server" token_up; }; } &&
      wait_for "notary-server" notary_healthy &&
      wait_for "registry" registry_up
  }; then
    for l in "$logs"/*.log; do echo "== $l" >&2; tail -n 15 "$l" >&2; done
    stop
    exit 1
  fi
  echo "stack: running (auth $auth) in $STACK_DIR after $((SECONDS - t0))s; source $STACK_DIR/stack.env"
}

cmd=${1:-}
shift || true
case $cmd in
  start) start "$@" ;;
  stop) stop; echo "stack: stopped" ;;
  restart) auth=$(cat "$run/auth" 2>/dev/null || echo none); stop; start --auth "$auth" "$@" ;;
  status)
    if running; then echo "running (auth $(cat "$run/auth"))"; else echo "stopped"; exit 1; fi ;;
  env) echo "$STACK_DIR/stack.env" ;;
  push-image)
    [[ $# -ge 2 ]] || { echo "usage: stack.sh push-image REPO TAG [--type docker|oci|oci-index]" >&2; exit 125; }
    repo=$1 tag=$2 type=docker
    shift 2
    [[ ${1:-} == --type ]] && type=$2
    # shellcheck disable=SC1091
    source "$STACK_DIR/stack.env"
    "$PY" "$here/scripts/push_image.py" "$REGISTRY_HOST" "$repo" "$tag" "$type" \
      "$STACK_DIR/pushed/${repo//\//_}_$tag.json" ;;
  *) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 125 ;;
esac
