#!/usr/bin/env bash
# The plugin as the real Docker CLI sees it: discovery, metadata, help, version, exit codes,
# global flags before `dct`, and a resolve run through `docker dct`.
source "$(dirname "$0")/lib.sh"

cfg=$E2E_TMP/docker-config
mkdir -p "$cfg/cli-plugins"
cp -r "$DOCKER_CONFIG/tls" "$cfg/"
cp "$DOCKER_CONFIG/config.json" "$cfg/"
ln -s "$DCT_BIN" "$cfg/cli-plugins/docker-dct"

echo "== metadata"
run_capture "$DCT_BIN" docker-cli-plugin-metadata
assert_eq 0 "$RC" "metadata exit"
assert_eq 0.1.0 "$(jq -r .SchemaVersion <<<"$OUT")" "SchemaVersion"
assert_contains "$(jq -r .Version <<<"$OUT")" "v" "Version"
assert_eq "" "$ERR" "metadata is silent on stderr"
run_capture docker --config "$cfg" info --format '{{json .ClientInfo.Plugins}}'
plugin=$(jq -c '.[] | select(.Name == "dct")' <<<"$OUT")
assert_contains "$plugin" '"Name":"dct"' "docker lists the plugin"
assert_not_contains "$plugin" '"Err"' "docker finds no error in the plugin"

echo "== help and version through docker"
run_capture docker --config "$cfg" dct --help
assert_eq 0 "$RC" "docker dct --help exit"
assert_contains "$OUT" "Usage:  docker dct" "usage line"
assert_contains "$OUT" "resolve" "lists resolve"
run_capture docker --config "$cfg" help dct
assert_eq 0 "$RC" "docker help dct exit"
assert_contains "$OUT" "Usage:  docker dct" "docker help dct prints the help"
run_capture docker --config "$cfg" help dct resolve
assert_contains "$OUT" "docker dct resolve [OPTIONS] IMAGE[:TAG]" "docker help dct resolve"
for c in resolve pull inspect status version; do
  run_capture docker --config "$cfg" dct "$c" --help
  assert_eq 0 "$RC" "$c --help exit"
  assert_contains "$OUT" "Usage:  docker dct $c" "$c --help usage"
done
run_capture docker --config "$cfg" dct version
assert_contains "$OUT" "docker-dct version v" "docker dct version"
run_capture docker --config "$cfg" --help
assert_contains "$OUT" "dct*" "docker --help lists the plugin"

echo "== usage errors"
run_capture docker --config "$cfg" dct bogus
assert_eq 125 "$RC" "unknown command exit"
assert_contains "$ERR" "unknown command" "unknown command message"
run_capture docker --config "$cfg" dct resolve --bogus x
assert_eq 125 "$RC" "unknown flag exit"
assert_contains "$ERR" "unknown flag: --bogus" "unknown flag message"
run_capture docker --config "$cfg" dct resolve
assert_eq 125 "$RC" "missing argument exit (a command-line mistake)"

echo "== resolve through docker, global flags before dct"
g=$(new_gun plugin)
notary_init "$g"
read -r digest size < <(push "$g" v1)
notary_sign "$g" v1 "$digest" "$size"
run_capture docker --config "$cfg" -D --log-level info dct resolve "$g:v1"
assert_eq 0 "$RC" "docker dct resolve exit ($ERR)"
assert_eq "$g@$digest" "$OUT" "docker dct resolve digest"
assert_eq 1 "$(find "$cfg/trust/tuf/$g/metadata" -name root.json | wc -l)" \
  "--config before dct chose the trust dir <config>/trust"

echo "== standalone and symlinked"
run_capture env -u DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND "$DCT_BIN" --config "$cfg" resolve "$g:v1"
assert_eq "$g@$digest" "$OUT" "standalone resolve"
ln -s "$DCT_BIN" "$E2E_TMP/docker-trust-pull"
run_capture "$E2E_TMP/docker-trust-pull" --help
assert_contains "$OUT" "Usage:  docker dct pull" "docker-trust-pull acts as dct pull"

echo "== pull resolves, checks the registry, then hands the digest to docker"
run_capture docker --config "$cfg" dct pull "$g:v1"
assert_contains "$OUT" "Pull (1 of 1): $g:v1@$digest" "pull announces the trusted digest"
# No daemon here: docker itself fails after we passed it the digest.
assert_contains "$ERR" "docker daemon" "docker was run for the pull"

finish
