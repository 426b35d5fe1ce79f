#!/usr/bin/env bash
# Regenerates tests/data/trust/: real repositories made by the real notary CLI against the
# local stack, captured as the server serves them, for the verifier's unit tests.
# Needs a running stack: scripts/stack.sh start (auth none). Usage: scripts/make_trust_fixtures.sh
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK_DIR=${STACK_DIR:-$here/.stack}
# shellcheck disable=SC1091
source "$STACK_DIR/stack.env"
out=$here/tests/data/trust
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A private trust dir so fixtures never mix with other runs.
cat >"$work/config.json" <<JSON
{"trust_dir": "$work/trust", "remote_server": {"url": "$NOTARY_URL", "root_ca": "$STACK_CA"}}
JSON
export NOTARY_ROOT_PASSPHRASE=fixture-root-pass NOTARY_TARGETS_PASSPHRASE=fixture-repo-pass
export NOTARY_SNAPSHOT_PASSPHRASE=fixture-repo-pass NOTARY_DELEGATION_PASSPHRASE=fixture-repo-pass
n() { notary -c "$work/config.json" "$@"; }

# capture GUN DIR [ROLE...]: the server's current files plus every root version.
capture() {
  local gun=$1 dir=$2
  shift 2
  mkdir -p "$dir"
  local base="$NOTARY_URL/v2/$gun/_trust/tuf"
  for role in root timestamp snapshot targets "$@"; do
    mkdir -p "$dir/$(dirname "$role")"
    curl -sf --cacert "$STACK_CA" -o "$dir/$role.json" "$base/$role.json"
  done
  local v=1
  while curl -sf --cacert "$STACK_CA" -o "$dir/$v.root.json" "$base/$v.root.json"; do v=$((v + 1)); done
  date -u +%Y-%m-%dT%H:%M:%SZ >"$dir/captured-at"
  echo "$gun" >"$dir/gun"
}

echo hello >"$work/f1"
echo "hello again" >"$work/f2"
stamp=$(date +%s)
rm -rf "$out"
mkdir -p "$out"

# 1. targets only, two published states (for rollback tests)
g=localhost:5000/fixture/targets-$stamp
n init "$g" && n add "$g" v1 "$work/f1" && n publish "$g"
capture "$g" "$out/targets-only/state1"
n add "$g" v2 "$work/f2" && n publish "$g"
capture "$g" "$out/targets-only/state2"

# 2. targets/releases (v1 in targets with f1, v1 and v2 in releases with f2) and targets/alice
g=localhost:5000/fixture/delegated-$stamp
n init "$g" && n add "$g" v1 "$work/f1" && n publish "$g"
n key rotate "$g" snapshot -r
openssl ecparam -name prime256v1 -genkey -noout -out "$work/deleg.key" 2>/dev/null
openssl req -new -x509 -sha256 -days 365 -key "$work/deleg.key" -subj /CN=releaser -out "$work/deleg.crt" 2>/dev/null
n delegation add "$g" targets/releases "$work/deleg.crt" --all-paths
n delegation add "$g" targets/alice "$work/deleg.crt" --all-paths
n publish "$g"
n key import "$work/deleg.key" --role user
n add "$g" v1 "$work/f2" --roles targets/releases
n add "$g" v2 "$work/f2" --roles targets/releases
n add "$g" only-alice "$work/f1" --roles targets/alice
n publish "$g"
capture "$g" "$out/delegated/state1" targets/releases targets/alice

# 3. root rotation: root v1 -> v2 (new root key), and a targets key rotation
g=localhost:5000/fixture/rotated-$stamp
n init "$g" && n add "$g" v1 "$work/f1" && n publish "$g"
capture "$g" "$out/rotated/state1"
n key rotate "$g" root <<<yes
n key rotate "$g" targets
capture "$g" "$out/rotated/state2"
echo "fixtures written to $out"
