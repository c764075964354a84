#!/usr/bin/env bash
# Installs Debian's PostgreSQL server for tests/postgres.rs (two `serve` replicas on one shared
# database), only when missing. The test makes its own throwaway cluster with these binaries
# (initdb, pg_ctl, postgres under /usr/lib/postgresql/*/bin) on a free port; nothing is started
# here, and the package's own cluster, if any, is not used.
set -euo pipefail
. "$(dirname "$0")/lib/apt.sh"
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
  && compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null \
  && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
  exit 0
fi
# The package creates the `postgres` user the test runs the server as when run as root (it may
# also start its own cluster on 5432; the test does not use it).
apt_install postgresql
