#!/usr/bin/env bash
# dct run / dct create: the image resolved through content trust, then docker run / docker
# create through the Docker CLI that ran the plugin with NAME@sha256:DIGEST in its place and
# every other argument as it was. A stand-in Docker CLI records its arguments (there is no
# daemon); tags are signed by the real notary CLI and cross-checked with docker trust inspect.
# When resolution fails, docker is never run.
source "$(dirname "$0")/lib.sh"

g=$(new_gun run)
qa=$(new_gun run-qa)
read -r d1 s1 <<<"$(push "$g" 1.0)"
read -r d2 s2 <<<"$(push "$g" latest)"
read -r d3 _ <<<"$(push "$g" unsigned)"
read -r dq sq <<<"$(push "$qa" 3.0)"
notary_init "$g"
notary_sign "$g" 1.0 "$d1" "$s1"
notary_sign "$g" latest "$d2" "$s2"
notary_init "$qa"
add_delegation "$qa" targets/qa runqa
notary_sign "$qa" 3.0 "$dq" "$sq" targets/qa

fake=$E2E_TMP/fake-docker
cat >"$fake" <<FAKE
#!/usr/bin/env bash
printf '%s\n' "\$@" >"$E2E_TMP/docker.args"
echo "fake docker ran"
exit \${FAKE_DOCKER_RC:-0}
FAKE
chmod +x "$fake"
# VERB ARGS...: dct VERB as a plugin of the stand-in Docker CLI (dct's flags first: what
# follows the image belongs to the container).
as_plugin() {
  local verb=$1
  shift
  rm -f "$E2E_TMP/docker.args"
  run_capture env DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND="$fake" "$DCT_BIN" dct "$verb" \
    --trust-dir "$DCT_TRUST" "$@"
}
recorded() {
  [[ -f $E2E_TMP/docker.args ]] || { echo "docker not run"; return; }
  paste -sd' ' "$E2E_TMP/docker.args"
}
docker_digest() { docker trust inspect "$1" | jq -r --arg t "$2" '.[0].SignedTags[] | select(.SignedTag==$t) | "sha256:" + .Digest'; }
assert_eq "$d1" "$(docker_digest "$g" 1.0)" "docker trust inspect agrees on 1.0"

# 1. Every docker run option is passed on unchanged, the image pinned.
as_plugin run --rm -it -e MODE=test -eX=1 --name web -h box --platform linux/amd64 \
  --pull always -p 8080:80 "$g:1.0" sh -c 'echo hi; exit 0'
assert_eq 0 "$RC" "run: $ERR"
assert_eq "run --rm -it -e MODE=test -eX=1 --name web -h box --platform linux/amd64 --pull always -p 8080:80 $g@$d1 sh -c echo hi; exit 0" \
  "$(recorded)" "docker run gets the pinned image and every option"
assert_eq "--rm|-it|-e|MODE=test|-eX=1|--name|web|-h|box|--platform|linux/amd64|--pull|always|-p|8080:80|$g@$d1|sh|-c|echo hi; exit 0" \
  "$(paste -sd'|' "$E2E_TMP/docker.args" | cut -d'|' -f2-)" "argument boundaries kept"
assert_contains "$OUT" "fake docker ran" "docker's output shown"
assert_contains "$ERR" "$g:1.0 -> $g@$d1" "says what runs"

# 2. Flags after the image are the container's; -- is kept where it was.
as_plugin run --rm -- "$g:1.0" ls --rm -e X
assert_eq "run --rm -- $g@$d1 ls --rm -e X" "$(recorded)" "-- and the command untouched"
as_plugin run "$g:1.0" -- ls
assert_eq "run $g@$d1 -- ls" "$(recorded)" "-- after the image is the command's"
# A flag's value is taken whatever it looks like.
as_plugin run --name --rm "$g:1.0"
assert_eq "run --name --rm $g@$d1" "$(recorded)" "--name takes --rm as its value"
as_plugin run --rm=false -t=false "$g:1.0"
assert_eq "run --rm=false -t=false $g@$d1" "$(recorded)" "boolean values kept"

# 3. No tag means latest; docker's exit status is dct's.
FAKE_DOCKER_RC=7 as_plugin run -d "$g"
assert_eq 7 "$RC" "docker run's exit status passed on"
assert_eq "run -d $g@$d2" "$(recorded)" "latest resolved"

# 4. create: the same, without run's own flags.
as_plugin create --name c1 -e K=V "$g:1.0" echo hi
assert_eq 0 "$RC" "create: $ERR"
assert_eq "create --name c1 -e K=V $g@$d1 echo hi" "$(recorded)" "docker create gets the pinned image"
as_plugin create -d "$g:1.0"
assert_eq 125 "$RC" "create has no -d"
assert_contains "$ERR" "unknown shorthand flag: 'd' in -d" "docker's words"
assert_eq "docker not run" "$(recorded)" "nothing created"

# 5. Nothing runs when resolution fails.
as_plugin run --rm "$g:unsigned"
assert_eq 1 "$RC" "unsigned tag refused"
assert_eq "docker not run" "$(recorded)" "docker not run for an unsigned tag"
as_plugin run "$qa:3.0"
assert_eq 1 "$RC" "tag signed only in another delegation refused"
assert_contains "$ERR" "targets/qa" "says where it was signed"
assert_eq "docker not run" "$(recorded)" "docker not run for an untrusted delegation"
as_plugin run "$g:1.0@$d3"
assert_eq 1 "$RC" "a digest other than the signed one refused"
assert_eq "docker not run" "$(recorded)" "docker not run for a wrong digest"
as_plugin run "$(new_gun run-none):1.0"
assert_eq 1 "$RC" "repository without trust data refused"
assert_eq "docker not run" "$(recorded)" "docker not run without trust data"
as_plugin run --rm
assert_eq 125 "$RC" "no image"
as_plugin run --nope "$g:1.0"
assert_eq 125 "$RC" "unknown flag"
assert_contains "$ERR" "unknown flag: --nope" "names the flag"
as_plugin run "$g:1.0" --name
assert_eq 0 "$RC" "a flag after the image is the command's: $ERR"
as_plugin run -e
assert_eq 125 "$RC" "flag without its value"
assert_eq "docker not run" "$(recorded)" "docker not run for a bad command line"

# 6. Docker's own flag tables: every flag `docker run --help` / `docker create --help` lists is
#    read as docker reads it (a value flag takes one argument, a boolean none).
for verb in run create; do
  n=0
  while read -r flag takes; do
    args=("$flag")
    [[ $takes == value ]] && args+=("x")
    as_plugin "$verb" "${args[@]}" "$g:1.0"
    n=$((n + 1))
    assert_eq "$verb ${args[*]} $g@$d1" "$(recorded)" "docker $verb $flag read as docker reads it ($ERR)"
  done < <(docker "$verb" --help | sed -nE 's/^ +(-[a-zA-Z], )?(--[a-z0-9-]+)( ([a-z0-9-]+))?  .*/\2 \4/p' |
    awk '$1 != "--help" && $1 != "--disable-content-trust" {print $1, ($2 == "" ? "bool" : "value")}')
  ((n > 90)) && pass || fail "docker $verb lists $n flags"
done

# Docker 28's --disable-content-trust: =false (verify) is what dct does anyway and does not
# reach docker (Docker 29 only warns it is gone); turning verification off is refused.
as_plugin run --disable-content-trust=false --rm "$g:1.0"
assert_eq "run --rm $g@$d1" "$(recorded)" "--disable-content-trust=false dropped"
as_plugin run --disable-content-trust "$g:1.0"
assert_eq 125 "$RC" "--disable-content-trust refused"
assert_contains "$ERR" "always verifies" "says why"
assert_eq "docker not run" "$(recorded)" "nothing run without verification"

# 7. Where docker's own parser stops at the command line, dct stops too (docker, without a
#    daemon, gets past its parser only to fail connecting).
export DOCKER_HOST=unix://$E2E_TMP/no-daemon.sock
for line in "--name --rm IMG" "-ite K=V IMG" "-eK=V IMG" "--rm=false IMG" "-t=false IMG" \
  "--nope IMG" "-Z IMG" "-e" "--rm" "--pull" "-dit IMG" "--sig-proxy=false IMG" "-- IMG" "-h"; do
  for verb in run create; do
    read -ra words <<<"${line//IMG/$g:1.0}"
    docker_out=$(docker "$verb" "${words[@]}" 2>&1 </dev/null || true)
    if [[ $docker_out == *"daemon"* || $docker_out == *"TTY"* ]]; then want=docker; else want=refused; fi
    as_plugin "$verb" "${words[@]}" </dev/null
    if [[ $RC == 125 ]]; then got=refused; else got=docker; fi
    assert_eq "$want" "$got" "docker $verb $line: docker said [${docker_out%%$'\n'*}], dct [$RC ${ERR%%$'\n'*}]"
  done
done
unset DOCKER_HOST

# 8. Through the real Docker CLI (28, no daemon): docker runs the plugin, the plugin runs docker
#    run with the pinned image, and docker's own answer (no daemon to run it) comes back.
cfg=$E2E_TMP/plugin-config
mkdir -p "$cfg/cli-plugins"
cp -r "$DOCKER_CONFIG/tls" "$cfg/"
ln -s "$DCT_BIN" "$cfg/cli-plugins/docker-dct"
run_capture env DOCKER_CONFIG="$cfg" DOCKER_HOST="unix://$E2E_TMP/no-daemon.sock" \
  docker dct run --trust-dir "$DCT_TRUST" --rm -e K=V "$g:1.0" true
assert_eq 125 "$RC" "docker run's status comes back"
assert_contains "$ERR" "$g:1.0 -> $g@$d1" "resolved before docker ran"
assert_contains "$ERR" "Cannot connect to the Docker daemon" "docker run itself ran"
run_capture env DOCKER_CONFIG="$cfg" DOCKER_HOST="unix://$E2E_TMP/no-daemon.sock" \
  docker dct run --trust-dir "$DCT_TRUST" "$g:unsigned" true
assert_eq 1 "$RC" "unsigned: dct's failure"
assert_not_contains "$ERR" "Cannot connect" "docker run never ran"

# 9. --help is dct's; -h is docker run's --hostname.
as_plugin run --help
assert_eq 0 "$RC" "help"
assert_contains "$OUT" "docker dct run" "help shown"
assert_eq "docker not run" "$(recorded)" "help runs nothing"
finish
