#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Tianshu needs at run time and for headless tests
# (X11/Wayland client libraries, Mesa's software Vulkan "lavapipe", Xvfb), only those missing.
set -euo pipefail
packages=(xvfb mesa-vulkan-drivers libvulkan1 libgl1-mesa-dri libegl1 libegl-mesa0
  libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libx11-xcb1 libfontconfig1 ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
  echo "Please install: ${missing[*]} (no apt-get here)" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing ${missing[*]}…" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
