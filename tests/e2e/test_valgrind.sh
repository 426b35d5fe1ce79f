#!/usr/bin/env bash
# valgrind memcheck is clean on dct sign, resolve and publish (scripts/valgrind.sh).
exec bash "$(dirname "$0")/../../scripts/valgrind.sh"
