#!/usr/bin/env bash
# Installs what the real-keyring test (client::token_store::keyring_tests) needs: a D-Bus session
# bus launcher and GNOME Keyring's Secret Service. Test-only; the console itself needs neither
# (without a keyring it keeps the token in a 0600 file). Only the missing packages are installed.
set -euo pipefail
packages=(dbus gnome-keyring)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "The keyring test needs: ${missing[*]} (no apt-get here); it will be skipped" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]} for the keyring test…" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
