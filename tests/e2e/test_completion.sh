#!/usr/bin/env bash
# Shell completion through the real Docker CLI: `docker __complete dct ...` runs the plugin,
# which answers with subcommands, flags, repositories and tags of the trust cache, role names,
# keys, or file completion, in cobra's format (candidates, then ":<directive>").
source "$(dirname "$0")/lib.sh"

cfg=$E2E_TMP/docker-config
mkdir -p "$cfg/cli-plugins"
cp -r "$DOCKER_CONFIG/tls" "$cfg/"
cp "$DOCKER_CONFIG/config.json" "$cfg/"
ln -s "$DCT_BIN" "$cfg/cli-plugins/docker-dct"

# complete WORD...: docker __complete dct WORD..., with the config dir above; sets OUT/ERR/RC
# and LAST (the directive line).
complete() {
  run_capture env DOCKER_CONFIG="$cfg" docker __complete dct "$@"
  LAST=$(tail -n 1 <<<"$OUT")
}
# The candidates alone (the text before a tab), one a line.
values() { sed '$d' <<<"$OUT" | cut -f1; }
# The description docker would show beside VALUE.
description() { awk -F'\t' -v v="$1" '$1 == v {print $2}' <<<"$OUT"; }

echo "== subcommands with their descriptions"
complete ""
assert_eq 0 "$RC" "docker __complete exit"
assert_eq ":4" "$LAST" "no file completion for a command name"
for c in resolve pull sign push inspect key delegation signer bundle run build; do
  assert_contains "$(values)" "$c" "top level offers $c"
done
resolve_summary=$(docker --config "$cfg" dct --help | awk '$1 == "resolve" {$1=""; sub(/^ +/, ""); print}')
assert_eq "$resolve_summary" "$(description resolve)" "resolve's description is its summary"
assert_eq "Manage signing keys" "$(description key)" "a group's description"
assert_eq "" "$ERR" "completion is silent on stderr"
complete p
assert_eq "pin publish pull push" "$(values | xargs)" "a prefix filters the commands"

complete key ""
assert_eq ":4" "$LAST" "key: directive"
for c in generate import load list ls export passwd remove rm rotate; do
  assert_contains "$(values)" "$c" "key offers $c"
done
assert_eq "$(description list)" "$(description ls)" "the alias ls has list's description"
complete delegation r
assert_eq "remove rm" "$(values | xargs)" "delegation r"
complete bundle ""
assert_eq "diff save" "$(values | xargs)" "bundle's commands"
complete bogus ""
assert_eq ":4" "$OUT" "an unknown command offers nothing"

echo "== flags with their descriptions"
complete resolve --
assert_eq ":4" "$LAST" "flags: no file completion"
for f in --format --file --server --trust-dir --bundle; do
  assert_contains "$(values)" "$f" "resolve -- offers $f"
done
assert_eq 0 "$(values | grep -c '^-[^-]' || true)" "only long flags after --"
assert_contains "$(description --format)" "json" "--format's description"
complete pull -
assert_contains "$(values)" "-a" "short flags after -"
assert_contains "$(values)" "--all-tags" "long flags after -"
assert_eq "$(description -a)" "$(description --all-tags)" "a short flag has the long one's description"
complete pull -a -
assert_not_contains "$(values)" "--all-tags" "a flag already given is not offered again"
complete resolve --format ""
assert_eq $'json\n:4' "$OUT" "--format's values"

echo "== image names from the trust cache"
g=$(new_gun complete)
notary_init "$g"
read -r digest size < <(push "$g" v1)
notary_sign "$g" v1 "$digest" "$size"
read -r digest2 size2 < <(push "$g" v2)
add_delegation "$g" targets/releases alice
add_delegation "$g" targets/qa bob
notary_sign "$g" v2 "$digest2" "$size2" targets/releases
run_capture docker --config "$cfg" dct resolve "$g:v1" "$g:v2"
assert_eq 0 "$RC" "resolve to fill the trust cache ($ERR)"
complete resolve ""
assert_eq ":4" "$LAST" "images: no file completion"
assert_contains "$(values)" "$g" "the cached repository is offered"
assert_eq "repository in the trust cache" "$(description "$g")" "the repository's description"
complete resolve "$g:"
assert_eq "$g:v1 $g:v2" "$(values | xargs)" "the cached tags"
assert_eq "${digest:0:19} signed in targets" "$(description "$g:v1")" "v1's digest and role"
assert_eq "${digest2:0:19} signed in targets/releases" "$(description "$g:v2")" "v2's"
complete pull "${g%-*}"
assert_eq "$g $g:v1 $g:v2" "$(values | xargs)" "one repository left: the name and its tags"
complete status "${g%-*}"
assert_eq "$g" "$(values | xargs)" "status takes a repository: no tags"
complete signer add alice "${g%-*}"
assert_eq "$g" "$(values | xargs)" "signer add REPOSITORY"

echo "== role names and keys"
complete delegation add "$g" ""
assert_eq "targets/qa targets/releases" "$(values | xargs)" "delegation roles of the repository"
complete key rotate "$g" ""
assert_eq "root snapshot targets timestamp" "$(values | xargs)" "key rotate's roles"
run_capture docker --config "$cfg" dct key generate carol --dir "$E2E_TMP"
assert_eq 0 "$RC" "key generate carol ($ERR)"
id=$(docker --config "$cfg" dct key list --format json | jq -r '.[] | select(.role == "carol") | .id')
complete key passwd ""
assert_eq ":4" "$LAST" "keys: no file completion"
assert_contains "$(values)" "$id" "the key's ID is offered"
assert_eq "carol key" "$(description "$id")" "the key's description"
assert_eq "key name" "$(description carol)" "the key's name is offered"
complete key rotate "$g" targets -k "${id:0:8}"
assert_eq "$id" "$(values)" "-k completes a key ID prefix"

echo "== file completion where a file is expected"
for words in "migrate --key" "init --rootkey" "init --rootcert" "signer add --key" "pin -f" \
  "pin --output" "resolve --bundle" "key import" "key load" "bundle diff"; do
  # shellcheck disable=SC2086
  complete $words ""
  assert_eq ":0" "$OUT" "$words: the shell's file completion"
done
complete key generate --dir ""
assert_eq ":16" "$OUT" "--dir: directories"
complete pin ""
assert_eq ":16" "$OUT" "pin CONTEXT: directories"
complete resolve --server ""
assert_eq ":4" "$OUT" "--server: nothing to offer, no files"
complete version ""
assert_eq ":4" "$OUT" "version takes nothing"

echo "== nothing touches the network, nothing is written"
before=$(cd "$cfg/trust" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
run_capture env DOCKER_CONFIG="$cfg" DOCKER_CONTENT_TRUST_SERVER=https://127.0.0.1:9 \
  HTTPS_PROXY=http://127.0.0.1:9 docker __complete dct resolve "$g:"
assert_eq "$g:v1 $g:v2" "$(values | xargs)" "completion works with the server unreachable"
after=$(cd "$cfg/trust" && find . -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum)
assert_eq "$before" "$after" "the trust dir is unchanged"

echo "== never loud: an unreadable trust cache or a broken notary config gives nothing, quietly"
mv "$cfg/trust/tuf" "$cfg/trust/tuf.saved"
echo "not a directory" >"$cfg/trust/tuf"
complete resolve ""
assert_eq "0 :4" "$RC $OUT" "a trust cache that is a file: exit 0, no candidates"
assert_eq "" "$ERR" "a trust cache that is a file: nothing on stderr"
rm "$cfg/trust/tuf"
mv "$cfg/trust/tuf.saved" "$cfg/trust/tuf"
if (($(id -u) != 0)); then  # root reads whatever the modes say
  chmod 000 "$cfg/trust/tuf"
  complete resolve ""
  chmod 700 "$cfg/trust/tuf"
  assert_eq "0 :4" "$RC $OUT" "unreadable trust cache: exit 0, no candidates"
  assert_eq "" "$ERR" "unreadable trust cache: nothing on stderr"
fi
md=$cfg/trust/tuf/$g/metadata
cp "$md/targets.json" "$E2E_TMP/targets.saved"
printf '{"signed":{"targets":{"x\\n:0":{},"ok":7}}}' >"$md/targets.json"
complete resolve "$g:"
assert_eq "0 $g:ok $g:v2" "$RC $(values | xargs)" "damaged cached targets: valid tags only, no injected lines"
cp "$E2E_TMP/targets.saved" "$md/targets.json"
echo '{not json' >"$E2E_TMP/broken-notary.json"
run_capture env DOCKER_CONFIG="$cfg" NOTARY_CONFIG="$E2E_TMP/broken-notary.json" \
  docker __complete dct status "${g%-*}"
assert_eq "$g" "$(values)" "a broken notary config: the default trust dir"
assert_eq "" "$ERR" "a broken notary config: nothing on stderr"

echo "== standalone, as cobra programs answer"
run_capture env -u DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND DOCKER_CONFIG="$cfg" "$DCT_BIN" __complete key l
assert_eq $'list\nload\nls\n:4' "$(cut -f1 <<<"$OUT")" "docker-dct __complete key l"

echo "== docker's bash completion script drives it"
script=$E2E_TMP/docker-completion.bash
docker completion bash >"$script"
# COMP_WORDS as bash splits `docker dct key li<TAB>` and `docker dct resolve <TAB>`. Without the
# bash-completion package, a stand-in for its word splitter (the words are given whole here).
# shellcheck disable=SC2016
run_capture env DOCKER_CONFIG="$cfg" bash -c '
  source "$1"
  if ! declare -F _get_comp_words_by_ref >/dev/null; then
    _get_comp_words_by_ref() {
      cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} cword=$COMP_CWORD
      words=("${COMP_WORDS[@]}")
    }
  fi
  COMP_WORDS=(docker dct key li) COMP_CWORD=3
  __start_docker docker 2>/dev/null
  echo "${COMPREPLY[*]}"
  COMP_WORDS=(docker dct resolve "") COMP_CWORD=3
  __start_docker docker 2>/dev/null
  printf "%s\n" "${COMPREPLY[@]}"
' _ "$script"
assert_eq 0 "$RC" "bash completion ran ($ERR)"
assert_eq "list" "$(head -1 <<<"$OUT")" "bash completes key li to list"
assert_contains "$(tail -n +2 <<<"$OUT")" "$g" "bash offers the cached repository"

finish
