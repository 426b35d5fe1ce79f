#!/usr/bin/env python3
"""Writes the docker-dct(1) man page from the commands' own help.

    make_manpage.py BINARY VERSION OUTPUT

Asks BINARY for its command list (the hidden `__commands`), then every command for its
`--help`, and turns the Docker-CLI-style help layout (Usage, description, Options, Examples)
into roff. Only the headings, the synopsis of the standalone names and the sentence naming
the ways to run it are written here; everything else is the binary's own help.
"""
import os
import re
import subprocess
import sys


def run(binary, *args):
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_CLI_PLUGIN_")}
    env["LC_ALL"] = "C.UTF-8"
    return subprocess.run([binary, *args], check=True, capture_output=True, text=True,
                          env=env).stdout


def escape(text):
    """Plain text as roff: backslashes, minus signs, non-ASCII, leading control characters."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    text = "".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in text)
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def bold_words(text):
    return "\\fB" + escape(text) + "\\fR"


def usage_roff(usage):
    """'docker dct resolve [OPTIONS] IMAGE[:TAG]': the command in bold, its arguments in italics."""
    words = usage.split()
    n = 0
    while n < len(words) and re.fullmatch(r"[a-z][a-z0-9-]*", words[n]):
        n += 1
    out = bold_words(" ".join(words[:n]))
    rest = words[n:]
    if rest:
        out += " \\fI" + escape(" ".join(rest)) + "\\fR"
    return out


def option_tag(left):
    parts = []
    for word in left.split():
        comma = word.endswith(",")
        word = word.rstrip(",")
        text = ("\\fB%s\\fR" if word.startswith("-") else "\\fI%s\\fR") % escape(word)
        parts.append(text + ("," if comma else ""))
    return " ".join(parts)


def parse_help(text):
    """Splits one command's help into its usage line, description, options and examples."""
    usage, description, options, examples = "", [], [], []
    section = None
    for line in text.splitlines():
        if line.startswith("Usage:"):
            usage = line[len("Usage:"):].strip()
            section = "description"
        elif line in ("Aliases:", "Options:", "Examples:", "Commands:", "Management Commands:"):
            section = line.rstrip(":")
        elif section == "description":
            description.append(line)
        elif section == "Options" and line.strip():
            left, desc = (re.split(r"\s{3,}", line.strip(), maxsplit=1) + [""])[:2]
            options.append((left, desc))
        elif section == "Examples":
            examples.append(line)
    while description and not description[0].strip():
        description.pop(0)
    while description and not description[-1].strip():
        description.pop()
    while examples and not examples[-1].strip():
        examples.pop()
    return usage, description, options, examples


def paragraphs(lines):
    out = [".PP"]
    for line in lines:
        out.append(".PP" if not line.strip() else escape(line))
    return out


def command_roff(path, help_text):
    usage, description, options, examples = parse_help(help_text)
    out = ['.SS "docker dct %s"' % escape(path), usage_roff(usage)]
    out += paragraphs(description)
    for left, desc in options:
        out += [".TP", option_tag(left), escape(desc)]
    if examples:
        out += [".PP", "Examples:", ".RS", ".nf"]
        out += [escape(line.strip()) if line.strip() else "" for line in examples]
        out += [".fi", ".RE"]
    return out


def main():
    binary, version, output = sys.argv[1:4]
    root = run(binary, "--help")
    root_usage, root_description, _, _ = parse_help(root)
    summary = " ".join(line.strip() for line in root_description if line.strip())
    paths = [p for p in run(binary, "__commands").splitlines() if p]
    helps = {p: run(binary, *p.split(), "--help") for p in paths}
    for name in ("pull", "push"):
        if name not in helps:
            sys.exit("make_manpage.py: %s has no command %r" % (binary, name))

    def standalone(path, name):
        return usage_roff(parse_help(helps[path])[0].replace("docker dct " + path, name, 1))

    page = [
        '.TH "DOCKER\\-DCT" "1" "" "docker\\-dct %s" "Docker CLI plugins"' % escape(version),
        ".nh",
        ".ad l",
        ".SH NAME",
        "docker\\-dct, docker\\-trust\\-pull, docker\\-trust\\-push \\- " + escape(summary),
        ".SH SYNOPSIS",
        usage_roff(root_usage),
        ".br",
        usage_roff(root_usage.replace("docker dct", "docker-dct", 1)),
        ".br",
        standalone("pull", "docker-trust-pull"),
        ".br",
        standalone("push", "docker-trust-push"),
        ".SH DESCRIPTION",
        escape(summary + "."),
        ".PP",
        "Run as a Docker CLI plugin (\\fBdocker dct\\fR), standalone (\\fBdocker\\-dct\\fR), "
        "or as \\fBdocker\\-trust\\-pull\\fR and \\fBdocker\\-trust\\-push\\fR, which run "
        "\\fBdocker dct pull\\fR and \\fBdocker dct push\\fR.",
        ".SH COMMANDS",
    ]
    for path in paths:
        page += command_roff(path, helps[path])
    page += [".SH SEE ALSO", "\\fBdocker\\fR(1)", ""]
    with open(output, "w", encoding="ascii") as f:
        f.write("\n".join(page))


if __name__ == "__main__":
    main()
