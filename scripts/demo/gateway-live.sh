#!/usr/bin/env bash
# Live-mode demo: start the reference gateway on a free loopback port, replay the contract
# against it over HTTP, inspect health and status, and stop the server whatever happens.
set -uo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/demo/gateway-live.sh [--timeout-seconds N] [--state-dir DIR] [--help]

  1. start `tau-gateway serve-reference --port 0` on 127.0.0.1
  2. run one live contract cycle on fixtures/gateway-contract/rollout-pass.json against it
  3. inspect transport health as JSON (expects health_state "healthy")
  4. inspect the operator status as JSON (expects rollout_gate "pass")
The server is stopped on exit, also when a step fails.

Options:
  --timeout-seconds N  give up on any step that runs longer than N seconds (default 60)
  --state-dir DIR      state directory to recreate and use (default .tau/demo-gateway-live)
  --help               show this help

Exit status: 0 when every step passed, 1 when a step failed, 2 on a usage error.
USAGE
}

timeout_seconds=60
state_dir=".tau/demo-gateway-live"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_demo_args "$@"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
cli="$root/apps/cli/bin/tau-gateway.js"
fixture="fixtures/gateway-contract/rollout-pass.json"
[ -f "$root/apps/cli/dist/bin.js" ] || { echo "error: the CLI is not built; run 'npm run build' (or 'npm run demo:live')" >&2; exit 1; }

server_log="$(mktemp)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null
    wait "$server_pid" 2>/dev/null
    echo "reference gateway stopped"
  fi
  rm -f "$server_log" "$step_out"
}
trap cleanup EXIT INT TERM

total=$((total + 1))
printf '[%d] start the reference gateway\n' "$total"
node "$cli" serve-reference --port 0 --host 127.0.0.1 >"$server_log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 $((timeout_seconds * 10))); do
  url="$(grep -o 'http://[0-9.:]*' "$server_log" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$url" ]; then
  sed 's/^/    | /' "$server_log"
  printf '    FAIL: the reference gateway did not start\n'
  finish
  exit 1
fi
printf '    | listening on %s\n    ok\n' "$url"
passed=$((passed + 1))

rm -rf "$state_dir"
mkdir -p "$state_dir"
step "run one live contract cycle" "applied=3|rollout_gate=pass|state=healthy" -- \
  node "$cli" --gateway-contract-runner --gateway-fixture "$fixture" --gateway-state-dir "$state_dir" --gateway-target-url "$url"
step "transport health (JSON)" '"health_state": "healthy"' -- \
  node "$cli" --gateway-state-dir "$state_dir" --transport-health-inspect gateway --transport-health-json
step "operator status (JSON)" '"rollout_gate": "pass"|"cycle_reports": 1' -- \
  node "$cli" --gateway-state-dir "$state_dir" --gateway-status-inspect --gateway-status-json

finish
