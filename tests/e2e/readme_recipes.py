#!/usr/bin/env python3
"""Takes the pipeline recipes out of the README, for tests/e2e/test_readme_recipes.sh.

    readme_recipes.py README.md OUTDIR

Each recipe is the fenced block right after a `<!-- recipe: NAME -->` line. Writes, per recipe:
  sh blocks:      OUTDIR/NAME/script.sh
  GitHub Actions: OUTDIR/NAME/JOB/NN.sh for every `run:` step (`uses:` steps are listed in
                  OUTDIR/NAME/JOB/uses), OUTDIR/NAME/JOB/env (the env names of workflow, job
                  and steps)
  GitLab CI:      OUTDIR/NAME/JOB/script.sh (before_script and script, one command a line, run
                  as the runner does: in one shell that stops at the first failure),
                  OUTDIR/NAME/JOB/env (the variables' names, global and the job's)
and OUTDIR/recipes, one "NAME KIND" a line. Fails on a block that is not valid YAML, a `run:`
that uses a GitHub expression (`${{ }}`: the shell steps must take everything from the
environment) or a marker without a block.
"""
import os
import re
import sys

import yaml

GITLAB_KEYWORDS = {"stages", "variables", "default", "workflow", "include", "image", "services",
                   "before_script", "after_script", "cache"}


def recipes(text):
    marker = re.compile(r"^<!-- recipe: ([a-z0-9-]+) -->\n+```([a-z]*)\n(.*?)\n```", re.S | re.M)
    found = marker.findall(text)
    if len(found) != len(re.findall(r"^<!-- recipe:", text, re.M)):
        sys.exit("readme_recipes.py: a <!-- recipe: NAME --> marker is not followed by a block")
    return found


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text if text.endswith("\n") else text + "\n")


def github(name, doc, out):
    workflow_env = list((doc.get("env") or {}).keys())
    for job_name, job in doc["jobs"].items():
        env = workflow_env + list((job.get("env") or {}).keys())
        uses = []
        for n, step in enumerate(job["steps"], 1):
            env += list((step.get("env") or {}).keys())
            if "uses" in step:
                uses.append(step["uses"])
                continue
            run = step["run"]
            if "${{" in run:
                sys.exit("readme_recipes.py: %s/%s step %r uses ${{ }} in run:" %
                         (name, job_name, step.get("name", n)))
            write(os.path.join(out, name, job_name, "%02d.sh" % n),
                  "# %s\n%s" % (step.get("name", "step %d" % n), run))
        write(os.path.join(out, name, job_name, "env"), "\n".join(env))
        write(os.path.join(out, name, job_name, "uses"), "\n".join(uses))


def gitlab(name, doc, out):
    global_env = list((doc.get("variables") or {}).keys())
    default = doc.get("default") or {}
    for job_name, job in doc.items():
        if job_name in GITLAB_KEYWORDS or job_name.startswith(".") or not isinstance(job, dict):
            continue
        lines = job.get("before_script", default.get("before_script", [])) + job["script"]
        write(os.path.join(out, name, job_name, "script.sh"), "\n".join(lines))
        env = global_env + list((job.get("variables") or {}).keys())
        write(os.path.join(out, name, job_name, "env"), "\n".join(env))


def main():
    readme, out = sys.argv[1:3]
    with open(readme) as f:
        text = f.read()
    index = []
    for name, lang, body in recipes(text):
        if lang in ("sh", "bash"):
            write(os.path.join(out, name, "script.sh"), body)
            index.append("%s sh" % name)
            continue
        doc = yaml.safe_load(body)
        if "jobs" in doc:
            github(name, doc, out)
            index.append("%s github" % name)
        else:
            gitlab(name, doc, out)
            index.append("%s gitlab" % name)
    write(os.path.join(out, "recipes"), "\n".join(index))


if __name__ == "__main__":
    main()
