#!/usr/bin/env bash
# Load test (issue 9): 50 consoles' worth of clients (SSE + periodic snapshot + decisions) against
# one `tianshu serve`, reporting errors, the backend's RSS and decision p50/p95/p99.
#   scripts/load.sh [--duration SECONDS] [--consoles N]     (defaults: 60 s, 50 consoles)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=60
consoles=50
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift 2 ;;
    --consoles) consoles="$2"; shift 2 ;;
    *) echo "usage: $0 [--duration SECONDS] [--consoles N]" >&2; exit 2 ;;
  esac
done
TIANSHU_LOAD_SECS="$duration" TIANSHU_LOAD_CONSOLES="$consoles" \
  cargo test --locked --test load -- --ignored --nocapture
