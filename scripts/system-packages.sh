#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Tianshu needs at run time and for headless tests
# (X11/Wayland client libraries, Mesa's software Vulkan "lavapipe", Xvfb), only those missing.
set -euo pipefail
. "$(dirname "$0")/lib/apt.sh"
packages=(xvfb mesa-vulkan-drivers libvulkan1 libgl1-mesa-dri libegl1 libegl-mesa0
  libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libx11-xcb1 libfontconfig1 ca-certificates)
ensure_packages "${packages[@]}"
