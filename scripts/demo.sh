#!/usr/bin/env bash
# The main job, end to end on the embedded default (a local Notary + registry stack on
# 127.0.0.1): installs what is missing, builds, installs the plugin into the Docker CLI's
# plugin directory, starts the stack, pushes a tiny image, signs it and resolves it through
# content trust. Every step is printed as a person would type it.
#   scripts/demo.sh [--auth none|basic|token] [--keep]   (--keep leaves the stack running)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
auth=none
keep=0
while (($#)); do
  case $1 in
    --auth) auth=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: scripts/demo.sh [--auth none|basic|token] [--keep]" >&2; exit 125 ;;
  esac
done

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

bash "$here/scripts/setup.sh"
export STACK_DIR=${STACK_DIR:-$here/.stack}
"$here/scripts/stack.sh" start --auth "$auth"
((keep)) || trap '"$here/scripts/stack.sh" stop' EXIT
# shellcheck disable=SC1091
source "$STACK_DIR/stack.env"

# Install into the stack's Docker config dir, so `docker dct` finds the plugin there.
DOCKER_CONFIG=$DOCKER_CONFIG bash "$here/scripts/install.sh"

repo=demo/hello-$(date +%s)
gun=$REGISTRY_HOST/$repo
echo
echo "Registry $REGISTRY_HOST, notary server $DOCKER_CONTENT_TRUST_SERVER, config dir $DOCKER_CONFIG"
step "$here/scripts/stack.sh" push-image "$repo" v1
pushed=$STACK_DIR/pushed/${repo//\//_}_v1.json
digest=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' "$pushed")
size=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["size"])' "$pushed")

if docker dct sign --help >/dev/null 2>&1; then
  step docker dct sign "$gun:v1"
else
  notary() { command notary -c "$NOTARY_CLIENT_CONFIG" "$@"; }
  step notary init "$gun" -p
  step notary addhash "$gun" v1 "$size" --sha256 "${digest#sha256:}" -p
fi
step docker dct resolve "$gun:v1"
resolved=$(docker dct resolve "$gun:v1")
step docker dct resolve --format json "$gun:v1"
step docker dct inspect --pretty "$gun:v1"
if [[ $resolved != "$gun@$digest" ]]; then
  echo "FAILED: resolved $resolved, pushed $gun@$digest" >&2
  exit 1
fi
echo
echo "OK: $gun:v1 resolves to the pushed digest $digest through content trust."
