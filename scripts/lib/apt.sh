# Apt helpers for the scripts/*-packages.sh installers; source it, do not run it:
#   . "$(dirname "$0")/lib/apt.sh"

# apt_missing PKG…: prints those of PKG… that dpkg does not list as installed, one a line.
apt_missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

# apt_install PKG…: installs PKG… with apt-get (non-interactive, no recommended extras, through
# sudo when not root). Without apt-get it names them on stderr and returns 127.
apt_install() {
  if ! command -v apt-get >/dev/null; then
    echo "Please install: $* (no apt-get here)" >&2
    return 127
  fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing $*…" >&2
  $sudo apt-get update -qq || return
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# ensure_packages PKG…: installs those of PKG… that are missing (nothing when none is); returns
# as apt_install does.
ensure_packages() {
  local missing
  mapfile -t missing < <(apt_missing "$@")
  [ ${#missing[@]} -eq 0 ] && return 0
  apt_install "${missing[@]}"
}
