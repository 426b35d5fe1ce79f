#!/usr/bin/env bash
# The main job, end to end on the embedded default (a local Notary + registry stack on
# 127.0.0.1): installs what is missing, builds, installs the plugin into the Docker CLI's
# plugin directory, starts the stack, pushes a tiny image, signs it and resolves it through
# content trust, then Docker's delegation walk-through with the signer commands. Every step is
# printed as a person would type it.
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
work=$(mktemp -d)
collab=$work/collaborator-trust   # the collaborator's own trust dir
echo
echo "Registry $REGISTRY_HOST, notary server $DOCKER_CONTENT_TRUST_SERVER, config dir $DOCKER_CONFIG"
echo "The owner uses $DOCKER_CONFIG/trust; the collaborator jeff uses $collab."
pushed_digest() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["digest"])' \
  "$STACK_DIR/pushed/${repo//\//_}_$1.json"; }
check() {  # TAG EXPECTED-DIGEST
  local got
  got=$(docker dct resolve "$gun:$1")
  if [[ $got != "$gun@$2" ]]; then
    echo "FAILED: $gun:$1 resolved to $got, expected $gun@$2" >&2
    exit 1
  fi
}

echo; echo "# The owner pushes and signs v1 (no delegation yet: signed with the targets key)."
step "$here/scripts/stack.sh" push-image "$repo" v1
step docker dct sign "$gun:v1"
step docker dct resolve "$gun:v1"
check v1 "$(pushed_digest v1)"

echo; echo "# jeff makes his key pair as Docker's delegation walk-through shows: the private key"
echo "# stays in his trust dir, jeff.pub goes to the owner."
step docker dct key generate jeff --dir "$work" --trust-dir "$collab"

echo; echo "# The owner lets the server hold the snapshot key, then adds jeff as a signer: his key goes"
echo "# into targets/jeff and targets/releases, published in one step."
step docker dct key rotate "$gun" snapshot -r
step docker dct signer add --key "$work/jeff.pub" jeff "$gun"
step docker dct delegation list "$gun"

echo; echo "# jeff signs v2: it lands in targets/releases (and targets/jeff)."
step "$here/scripts/stack.sh" push-image "$repo" v2
step docker dct sign "$gun:v2" --trust-dir "$collab"
step docker dct resolve --format json "$gun:v2"
check v2 "$(pushed_digest v2)"
step docker dct inspect --pretty "$gun"

echo; echo "# The owner removes jeff; his was the last key of targets/releases, so the role goes"
echo "# (-f: no question), and v2 is no longer trusted."
step docker dct signer remove -f jeff "$gun"
step docker dct delegation list "$gun"
if docker dct resolve "$gun:v2" 2>/dev/null; then
  echo "FAILED: v2 still resolves after its signer was removed" >&2
  exit 1
fi
echo "(docker dct resolve $gun:v2 now fails, as it should)"
check v1 "$(pushed_digest v1)"
rm -rf "$work"
echo
echo "OK: signed, delegated, signed by a collaborator, revoked, all verified through content trust."
