#!/usr/bin/env bash
# Runs the whole test suite: unit, API end to end, console (egui_kittest on Mesa's software
# renderer) and the real-window smoke test (under a private Xvfb).
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/system-packages.sh
cargo test --workspace --locked "$@"
