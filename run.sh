#!/usr/bin/env bash
# Opens the Tianshu console with its embedded, simulated reference backend.
# Extra arguments go to the console, e.g. ./run.sh --lang zh-CN --view agents
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/system-packages.sh
exec cargo run --release --locked -p tianshu -- "$@"
