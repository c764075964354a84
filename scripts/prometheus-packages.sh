#!/usr/bin/env bash
# Installs Debian's Prometheus server for tests/prometheus.rs (the Prometheus latency adapter is
# tested against a real server scraping an exporter the test starts), only when it is missing.
# The package's own service is not used: the test starts its own server on a free port.
set -euo pipefail
. "$(dirname "$0")/lib/apt.sh"
command -v prometheus >/dev/null && exit 0
ensure_packages prometheus
