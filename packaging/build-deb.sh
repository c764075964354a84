#!/usr/bin/env bash
# Builds the .deb with cargo-deb, installs it with dpkg, and smoke-checks the installed files:
# the console under Xvfb takes a screenshot, and `tianshu serve` answers /api/v1/health and
# /metrics. Run as root on Debian/Ubuntu from the repository root: packaging/build-deb.sh
# Not part of `cargo test` (it builds release and installs system-wide).
# Env: SKIP_BUILD=1 reuses target/debian/*.deb; OUT=dir for the screenshot (default /tmp).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp}
say() { printf '\n== %s\n' "$*"; }

say "tools"
need_apt=()
command -v Xvfb >/dev/null || need_apt+=(xvfb)
command -v curl >/dev/null || need_apt+=(curl)
command -v desktop-file-validate >/dev/null || need_apt+=(desktop-file-utils)
command -v appstreamcli >/dev/null || need_apt+=(appstream)
command -v dpkg-shlibdeps >/dev/null || need_apt+=(dpkg-dev)
if ((${#need_apt[@]})); then
    apt-get update -q && apt-get install -y -q "${need_apt[@]}"
fi
command -v cargo-deb >/dev/null || cargo install cargo-deb --locked

say "metadata checks"
desktop-file-validate packaging/tianshu.desktop
appstreamcli validate --no-net packaging/cn.tianshu.Tianshu.metainfo.xml
man --warnings -l packaging/tianshu.1 >/dev/null
if command -v systemd-analyze >/dev/null; then
    # Only the missing binary/man page may be reported before the package is installed.
    systemd-analyze verify packaging/tianshu-serve.service 2>&1 |
        grep -v -e 'is not executable' -e "man tianshu" || true
fi

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    say "cargo deb -p tianshu (release build)"
    cargo deb -p tianshu
fi
deb=$(ls -t target/debian/tianshu_*.deb | head -1)
say "package $deb"
dpkg-deb --info "$deb" | sed -n '1,40p'
dpkg-deb --contents "$deb"

say "install"
dpkg -i "$deb" || { apt-get install -f -y -q && dpkg -i "$deb"; }
getent passwd tianshu
test -x /usr/bin/tianshu
test -f /usr/share/applications/tianshu.desktop
test -f /usr/share/icons/hicolor/256x256/apps/tianshu.png
test -f /usr/share/metainfo/cn.tianshu.Tianshu.metainfo.xml
test -f /usr/lib/systemd/system/tianshu-serve.service
test -f /etc/tianshu/serve.toml
ls /usr/share/tianshu/themes/
/usr/bin/tianshu --version

say "installed console under Xvfb → $OUT/deb.png"
display=${DISPLAY_NUM:-:99}
if ! xdpyinfo -display "$display" >/dev/null 2>&1 && ! [ -e "/tmp/.X11-unix/X${display#:}" ]; then
    Xvfb "$display" -screen 0 1920x1080x24 >/dev/null 2>&1 &
    xvfb_pid=$!
    trap 'kill $xvfb_pid 2>/dev/null || true' EXIT
    sleep 2
fi
runtime=$(mktemp -d)
(cd / && DISPLAY=$display XDG_RUNTIME_DIR=$runtime /usr/bin/tianshu --size 1600x900 \
    --screenshot "$OUT/deb.png" --screenshot-timeout 120)
test -s "$OUT/deb.png"

say "installed serve: the unit's command, with the packaged config and a scratch database"
# As under systemd: the service user, /etc/tianshu/serve.toml; only the port and the database
# differ so that a running service is left alone.
state=$(mktemp -d)
chown tianshu:tianshu "$state"
port=18090
cmd=(/usr/bin/tianshu serve --config /etc/tianshu/serve.toml --listen "127.0.0.1:$port"
     --db "$state/backend.sqlite" --factories 5000)
if command -v runuser >/dev/null; then
    (cd / && runuser -u tianshu -- "${cmd[@]}") >"$state/serve.log" 2>&1 &
else
    "${cmd[@]}" >"$state/serve.log" 2>&1 &
fi
serve_pid=$!
for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$port/api/v1/health"; echo
curl -fsS "http://127.0.0.1:$port/metrics" | grep -E '^tianshu_(events_published_total|actions_pending|http_requests_total)' | head -5
kill -TERM "$serve_pid"
wait "$serve_pid" || true
grep -q "SIGTERM" "$state/serve.log" && echo "serve stopped cleanly on SIGTERM"
ls -l "$state"
say "OK: $deb installs and runs"
