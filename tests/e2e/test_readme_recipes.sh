#!/usr/bin/env bash
# The README's pipeline recipes, run as a CI runs them, so the README cannot drift from what
# works. readme_recipes.py takes every block marked <!-- recipe: NAME --> out of README.md; each
# job's shell steps then run in order on a fresh "runner" (its own home with the plugin and the
# stack's CA, nothing else), with only the variables the recipe declares, filled with the
# stack's addresses and the secrets the README says to store, plus what the CI itself provides.
# The registry wants a login (basic auth), so `docker login` runs for real; a stand-in plays the
# daemon's part of the Docker CLI (build, push, pull), as in test_push.sh.
source "$(dirname "$0")/lib.sh"
use_auth basic

recipes=$E2E_TMP/recipes
/usr/bin/python3 "$(dirname "$0")/readme_recipes.py" "$E2E_ROOT/README.md" "$recipes"
echo "recipes in the README: $(cut -d' ' -f1 "$recipes/recipes" | paste -sd' ')"

real_docker=$(command -v docker)
standin=$E2E_TMP/bin
calls=$E2E_TMP/docker-calls
mkdir -p "$standin"
cat >"$standin/docker" <<STANDIN
#!/usr/bin/env bash
# The daemon's part of the Docker CLI, stood in for (no daemon here): build and pull are only
# recorded; push uploads a small image with the stack's pusher and prints the digest line
# docker push prints. Everything else is the real Docker CLI, started under this file's name so
# that the plugin calls back here.
case \$1 in
  build | pull) echo "\$*" >>"$calls" ;;
  push)
    echo "\$*" >>"$calls"
    name=\${2%:*} tag=\${2##*:}
    read -r _ _ digest size < <(STACK_DIR="$STACK_DIR" "$E2E_ROOT/scripts/stack.sh" push-image "\${name#*/}" "\$tag")
    echo "The push refers to repository [\$name]"
    echo "\$tag: digest: \$digest size: \$size" ;;
  *) exec -a "\$0" "$real_docker" "\$@" ;;
esac
STANDIN
chmod +x "$standin/docker"

# new_runner NAME: a fresh machine for one job: a home whose ~/.docker has the plugin (the
# package's place on a real runner) and the stack's CA (a public CA's place), a checkout
# directory (with the Dockerfile $checkout_dockerfile names, if any) and a temp directory.
checkout_dockerfile=""
new_runner() {
  runner=$E2E_TMP/runners/$1
  rm -rf "$runner"
  mkdir -p "$runner/home/.docker/cli-plugins" "$runner/work" "$runner/temp"
  ln -s "$DCT_BIN" "$runner/home/.docker/cli-plugins/docker-dct"
  cp -r "$DOCKER_CONFIG/tls" "$runner/home/.docker/"
  [[ -z $checkout_dockerfile ]] || cp "$checkout_dockerfile" "$runner/work/Dockerfile"
  : >"$calls"
}

# What the README tells to put into the CI's variables and secret stores, here with the stack's
# values. A recipe that declares any other variable fails the test.
ci_passphrase=ci-$RANDOM$RANDOM
declare -A value=(
  [DOCKER_CONTENT_TRUST_SERVER]=$NOTARY_URL
  [REGISTRY_USER]=$STACK_USER
  [REGISTRY_PASSWORD]=$STACK_PASS
  [DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE]=$ci_passphrase
)
# GitLab's project variables are set in its settings, not in .gitlab-ci.yml: every job has them.
gitlab_settings=(REGISTRY_USER REGISTRY_PASSWORD DCT_SIGNER_KEY DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE)

handled=()
# run_job RECIPE JOB TAG: runs the job on a new runner; sets RC, and LOG to what it printed.
run_job() {
  local recipe=$1 job=$2 tag=$3 dir=$recipes/$1/$2 kind
  kind=$(awk -v r="$recipe" '$1 == r {print $2}' "$recipes/recipes")
  handled+=("$recipe/$job")
  [[ -d $dir ]] || { fail "the README has no job $job in recipe $recipe"; RC=1; return; }
  new_runner "$recipe-$job-$tag"
  local names=() name
  mapfile -t names < <(grep -v '^$' "$dir/env" || true)
  [[ $kind == gitlab ]] && names+=("${gitlab_settings[@]}")
  local env=(PATH="$standin:/usr/local/bin:/usr/bin:/bin" HOME="$runner/home" LANG=C.UTF-8
    TMPDIR="$runner/temp")
  for name in "${names[@]}"; do
    case $name in
      IMAGE) env+=(IMAGE="$g") ;;
      TAG) env+=(TAG="$tag") ;;
      DCT_SIGNER_KEY)
        if [[ $kind == gitlab ]]; then # a File variable: GitLab gives the path of a 0600 file
          install -m 0600 "$ci_key" "$runner/DCT_SIGNER_KEY"
          env+=(DCT_SIGNER_KEY="$runner/DCT_SIGNER_KEY")
        else
          env+=(DCT_SIGNER_KEY="$(cat "$ci_key")")
        fi ;;
      *)
        if [[ -v value[$name] ]]; then
          env+=("$name=${value[$name]}")
        else
          fail "recipe $recipe/$job declares $name, which the README does not tell how to set"
        fi ;;
    esac
  done
  LOG=$runner/log
  : >"$LOG"
  RC=0
  if [[ $kind == gitlab ]]; then
    env+=(CI_COMMIT_TAG="$tag" CI_PROJECT_DIR="$runner/work")
    (cd "$runner/work" && env -i "${env[@]}" bash --noprofile --norc -eo pipefail "$dir/script.sh") \
      >>"$LOG" 2>&1 || RC=$?
  else
    local github_env=$runner/github_env step line
    : >"$github_env"
    env+=(GITHUB_REF_NAME="$tag" GITHUB_ENV="$github_env" RUNNER_TEMP="$runner/temp"
      GITHUB_WORKSPACE="$runner/work")
    while read -r line; do
      [[ -z $line ]] || echo "   ($line: the checkout directory stands in)"
    done <"$dir/uses"
    for step in "$dir"/[0-9]*.sh; do
      local step_env=("${env[@]}")
      while IFS= read -r line; do [[ -n $line ]] && step_env+=("$line"); done <"$github_env"
      # GitHub's default shell for run: steps on Linux is bash -e.
      (cd "$runner/work" && env -i "${step_env[@]}" bash --noprofile --norc -e "$step") \
        >>"$LOG" 2>&1 || { RC=$?; break; }
    done
  fi
  echo "   $recipe/$job ($tag): exit $RC"
  ((RC == 0)) || sed 's/^/     | /' "$LOG"
}

signed_digest() { jq -r .digest "$STACK_DIR/pushed/$(repo_of "$g" | tr / _)_$1.json"; }
resolve_json() { "$DCT_BIN" resolve --format json "$g:$1" --trust-dir "$E2E_TMP/verifier"; }

g=$(new_gun recipes)
echo "== setup, once: trust data and a targets/releases signer for CI ($g)"
new_runner admin
admin_env=(PATH="/usr/local/bin:/usr/bin:/bin" HOME="$runner/home" IMAGE="$g"
  DOCKER_CONTENT_TRUST_SERVER="$NOTARY_URL" DOCKER_CONTENT_TRUST_ROOT_PASSPHRASE=admin-root-pass
  DOCKER_CONTENT_TRUST_REPOSITORY_PASSPHRASE=admin-repo-pass)
handled+=(setup)
run_capture bash -c 'cd "$1" && shift && env -i "$@" bash --noprofile --norc -e "$0"' \
  "$recipes/setup/script.sh" "$runner/work" "${admin_env[@]}"
assert_eq 0 "$RC" "setup recipe: $OUT $ERR"
ci_key=$runner/work/ci.key
[[ -s $ci_key ]] && pass || fail "the setup recipe made no ci.key"
assert_contains "$(notary_cli delegation list "$g" 2>&1)" "targets/releases" \
  "the setup recipe made targets/releases (notary delegation list)"

# The same checks for both CIs, each on a tag of its own.
pipeline() { # KIND RELEASE DEPLOY PIN CHECK TAG: recipe/job names
  local kind=$1 release=$2 deploy=$3 pin=$4 check=$5 tag=$6 digest
  echo "== $kind: release job, tag $tag"
  run_job ${release/\// } "$tag"
  assert_eq 0 "$RC" "$kind release job"
  assert_contains "$(cat "$calls")" "build -t $g:$tag ." "$kind release: docker build ran"
  assert_contains "$(cat "$calls")" "push $g:$tag" "$kind release: docker push ran"
  digest=$(signed_digest "$tag")
  assert_eq "$digest targets/releases" "$(resolve_json "$tag" | jq -r '"\(.digest) \(.role)"')" \
    "$kind release: the pushed digest is signed in targets/releases"
  assert_eq "$digest" "$(notary_cli lookup "$g" "$tag" 2>/dev/null | awk '{print $2}')" \
    "$kind release: notary lookup agrees"
  local plain
  plain=$(grep -rl -- "-----BEGIN RSA PRIVATE KEY-----\|-----BEGIN PRIVATE KEY-----" \
    "$runner/home" "$runner/temp" 2>/dev/null || true)
  assert_eq "" "$plain" "$kind release: no unencrypted key left on the runner"

  echo "== $kind: deploy job, tag $tag"
  run_job ${deploy/\// } "$tag"
  assert_eq 0 "$RC" "$kind deploy job"
  assert_eq "pull $g@$digest" "$(cat "$calls")" "$kind deploy: pulled by the signed digest"
  "$E2E_ROOT/scripts/stack.sh" push-image "$(repo_of "$g")" "$tag-unsigned" >/dev/null
  run_job ${deploy/\// } "$tag-unsigned"
  [[ $RC -ne 0 ]] && pass || fail "$kind deploy of an unsigned tag must fail"
  assert_eq "" "$(cat "$calls")" "$kind deploy of an unsigned tag pulls nothing"

  echo "== $kind: pin --check gate"
  printf 'FROM %s:%s@%s\nRUN true\n' "$g" "$tag" "$digest" >"$E2E_TMP/Dockerfile.pinned"
  printf 'FROM %s:%s\nRUN true\n' "$g" "$tag" >"$E2E_TMP/Dockerfile.unpinned"
  checkout_dockerfile=$E2E_TMP/Dockerfile.pinned run_job ${pin/\// } "$tag"
  assert_eq 0 "$RC" "$kind gate passes a Dockerfile pinned to the signed digest"
  checkout_dockerfile=$E2E_TMP/Dockerfile.unpinned run_job ${pin/\// } "$tag"
  [[ $RC -ne 0 ]] && pass || fail "$kind gate must fail on a Dockerfile that is not pinned"

  echo "== $kind: scheduled check"
  run_job ${check/\// } "$tag"
  assert_eq 0 "$RC" "$kind scheduled check"
  assert_contains "$(cat "$LOG")" "Nothing expires within 30d." "$kind check printed its verdict"
}

pipeline "GitHub Actions" github-release/release github-deploy/deploy github-pin-check/pin-check \
  github-check/check v1
pipeline "GitLab CI" gitlab/release gitlab/deploy gitlab/pin-check gitlab/signatures v2

echo "== every recipe in the README was run"
while read -r recipe kind; do
  if [[ $kind == sh ]]; then
    jobs=("$recipe")
  else
    mapfile -t jobs < <(cd "$recipes/$recipe" && for d in */; do echo "$recipe/${d%/}"; done)
  fi
  for j in "${jobs[@]}"; do
    [[ " ${handled[*]} " == *" $j "* ]] && pass || fail "recipe $j is in the README but not run here"
  done
done <"$recipes/recipes"

finish
