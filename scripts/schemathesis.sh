#!/usr/bin/env bash
# Property-based API test (issue 9): schemathesis (from PyPI) generates requests from
# /api/v1/openapi.json and checks every answer against the document (status codes, JSON shape,
# no 5xx; scripts/schemathesis.toml lists the cross-field rules a schema cannot state). Starts `tianshu serve --memory` on a free port, runs bounded, stops it.
#   scripts/schemathesis.sh [--max-examples N]      (default 20 per operation)
set -euo pipefail
cd "$(dirname "$0")/.."
max_examples=20
if [ "${1:-}" = "--max-examples" ]; then max_examples="$2"; fi
venv="${TIANSHU_ST_VENV:-target/schemathesis-venv}"
if [ ! -x "$venv/bin/st" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet 'schemathesis>=4,<5'
fi
cargo build --locked -p tianshu --bin tianshu
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
./target/debug/tianshu serve --listen "127.0.0.1:$port" --memory --factories 5000 --rate-limit 0 \
  >target/schemathesis-serve.log 2>&1 &
serve=$!
trap 'kill $serve 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.5
done
# The event stream never ends by design: it is tested by tests/api.rs and tests/faults.rs.
# Run from target/ so schemathesis's .schemathesis/ cache stays out of the repository.
venv_abs="$(cd "$venv" && pwd)"
config="$(pwd)/scripts/schemathesis.toml"
cd target
"$venv_abs/bin/st" --config-file "$config" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  --url "http://127.0.0.1:$port" \
  --checks all \
  --exclude-path /api/v1/events \
  --max-examples "$max_examples" \
  --request-timeout 30 \
  --seed 1
