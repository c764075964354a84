#!/usr/bin/env bash
# Installs what the real-keyring test (client::token_store::keyring_tests) needs: a D-Bus session
# bus launcher and GNOME Keyring's Secret Service. Test-only; the console itself needs neither
# (without a keyring it keeps the token in a 0600 file). Only the missing packages are installed.
set -euo pipefail
. "$(dirname "$0")/lib/apt.sh"
packages=(dbus gnome-keyring)
status=0
ensure_packages "${packages[@]}" || status=$?
if [ "$status" -eq 127 ]; then
  echo "The keyring test will be skipped" >&2
  exit 0
fi
exit "$status"
