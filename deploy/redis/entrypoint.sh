#!/bin/sh
# `redis-server --option value ...` gets `--protected-mode no` before its options, as the official image has it
# built in: Debian's default refuses clients of other hosts while no password is set, and every client of this
# Redis is in another container. A `--protected-mode` given in the arguments wins; a config file given as the
# first argument is left to say what it wants.
set -e
if [ "${1:-}" = redis-server ] && { [ $# -eq 1 ] || [ "${2#-}" != "$2" ]; }; then
  shift
  set -- redis-server --protected-mode no "$@"
fi
exec "$@"
