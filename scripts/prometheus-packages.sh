#!/usr/bin/env bash
# Installs Debian's Prometheus server for tests/prometheus.rs (the Prometheus latency adapter is
# tested against a real server scraping an exporter the test starts), only when it is missing.
# The package's own service is not used: the test starts its own server on a free port.
set -euo pipefail
command -v prometheus >/dev/null && exit 0
dpkg-query -W -f='${Status}' prometheus 2>/dev/null | grep -q "install ok installed" && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Please install Prometheus (Debian package: prometheus); no apt-get here" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing prometheus…" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null
