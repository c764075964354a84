#!/usr/bin/env bash
# Manual check of the wall on two monitors (issue 7), not part of test.sh: a real X server with
# two RandR monitors (Xorg's dummy driver, DUMMY0 and DUMMY1 side by side at 1920x1080), a window
# manager that honours full screen (openbox), and `tianshu --profile wall` with one extra screen.
# Writes a picture of the whole desktop to $1 (default /tmp/wall-two-monitors.png) and prints
# where each window is. Xvfb cannot do this: it has one CRTC, so winit sees one monitor.
# Needs: apt-get install xserver-xorg-core xserver-xorg-video-dummy openbox x11-xserver-utils
#        x11-utils imagemagick; a debug build (cargo build -p tianshu).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/wall-two-monitors.png}
work=$(mktemp -d)
display=:171
cat > "$work/xorg.conf" <<'CONF'
Section "Device"
    Identifier "dummy"
    Driver "dummy"
    VideoRam 256000
EndSection
Section "Monitor"
    Identifier "mon"
    HorizSync 5.0-1000.0
    VertRefresh 5.0-200.0
    Modeline "1920x1080" 148.50 1920 2008 2052 2200 1080 1084 1089 1125 +hsync +vsync
EndSection
Section "Screen"
    Identifier "screen"
    Device "dummy"
    Monitor "mon"
    DefaultDepth 24
    SubSection "Display"
        Depth 24
        Virtual 3840 1080
    EndSubSection
EndSection
CONF
cat > "$work/config.toml" <<'CONF'
profile = "wall"
[wall]
scale = 1.0
monitor = 0
playlist = [{ view = "overview", dwell_s = 600 }]
[[wall.screens]]
monitor = 1
playlist = [{ view = "latency", dwell_s = 600 }]
CONF
Xorg "$display" -config "$work/xorg.conf" -noreset -nolisten tcp -logfile "$work/xorg.log" >/dev/null 2>&1 &
xorg=$!
cleanup() { kill "${app:-}" "${wm:-}" "$xorg" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export DISPLAY=$display XDG_RUNTIME_DIR=$work
sleep 3
xrandr --addmode DUMMY1 1920x1080
xrandr --output DUMMY0 --mode 1920x1080 --pos 0x0 --output DUMMY1 --mode 1920x1080 --pos 1920x0
xrandr --listmonitors
openbox >/dev/null 2>&1 &
wm=$!
sleep 2
./target/debug/tianshu --config "$work/config.toml" >"$work/app.log" 2>&1 &
app=$!
sleep "${WAIT_S:-45}"
xwininfo -root -tree | grep -i tianshu
import -window root "$out"
echo "desktop written to $out"
