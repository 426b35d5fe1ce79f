#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal (its controlling terminal, as a person's shell
would give it) and answers its prompts: pty_answer.py [PROMPT ANSWER]... -- COMMAND [ARG]...
Each ANSWER is typed, followed by Enter, once PROMPT has appeared in what the command wrote
since the previous answer (for a hidden prompt, once the command has turned echo off).
Everything the command wrote is copied to stdout; the exit status is
the command's. Gives up (status 124) when a prompt does not appear within 60 seconds."""
import os
import pty
import select
import sys
import termios
import time


def wait_for_hidden_input(fd, seconds):
    """Until the terminal's echo is off (a passphrase read is waiting), at most `seconds`:
    input typed before the command turns echo off would be flushed."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not termios.tcgetattr(fd)[3] & termios.ECHO:
            return
        time.sleep(0.05)


def main():
    args = sys.argv[1:]
    split = args.index("--")
    pairs = args[:split]
    command = args[split + 1:]
    answers = list(zip(pairs[0::2], pairs[1::2]))
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(command[0], command)
    seen = b""
    deadline = time.monotonic() + 60
    while True:
        if answers and answers[0][0].encode() in seen:
            wait_for_hidden_input(fd, 3)
            os.write(fd, answers[0][1].encode() + b"\r")
            answers.pop(0)
            seen = b""
            deadline = time.monotonic() + 60
            continue
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            sys.stdout.buffer.write(seen)
            sys.exit(124)
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            chunk = b""
        if not chunk:
            break
        seen += chunk
        sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


if __name__ == "__main__":
    main()
