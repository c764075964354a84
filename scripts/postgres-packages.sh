#!/usr/bin/env bash
# Installs Debian's PostgreSQL server for tests/postgres.rs (two `serve` replicas on one shared
# database), only when missing. The test makes its own throwaway cluster with these binaries
# (initdb, pg_ctl, postgres under /usr/lib/postgresql/*/bin) on a free port; nothing is started
# here, and the package's own cluster, if any, is not used.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
  && compgen -G "/usr/lib/postgresql/*/bin/pg_ctl" >/dev/null \
  && compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "Please install the PostgreSQL server (Debian/Ubuntu: postgresql; no apt-get here)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing postgresql…" >&2
$sudo apt-get update -qq
# The package creates the `postgres` user the test runs the server as when run as root (it may
# also start its own cluster on 5432; the test does not use it).
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
