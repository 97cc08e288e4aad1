#!/usr/bin/env bash
# Deterministic demo of the gateway contract runner: a fresh state dir, one cycle over
# rollout-pass.json, then the operator signals. Prints each step and its result.
set -uo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/demo/gateway.sh [--timeout-seconds N] [--state-dir DIR] [--help]

Runs the deterministic gateway demo from the repository root:
  1. validate fixtures/gateway-contract/rollout-pass.json
  2. run one contract cycle on it in a fresh state dir (default .tau/demo-gateway)
  3. inspect transport health as JSON (expects health_state "healthy")
  4. inspect the operator status as JSON (expects rollout_gate "pass")
  5. inspect the channel store of the fixture's actor (expects 3 log records)

Options:
  --timeout-seconds N  give up on any step that runs longer than N seconds (default 60)
  --state-dir DIR      state directory to recreate and use (default .tau/demo-gateway)
  --help               show this help

Exit status: 0 when every step passed, 1 when a step failed, 2 on a usage error.
Build first (npm run build) or use `npm run demo`, which builds when needed.
USAGE
}

timeout_seconds=60
state_dir=".tau/demo-gateway"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_demo_args "$@"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
cli="$root/apps/cli/bin/tau-gateway.js"
fixture="fixtures/gateway-contract/rollout-pass.json"
actor="release-bot"
if [ ! -f "$root/apps/cli/dist/bin.js" ]; then
  echo "error: the CLI is not built; run 'npm run build' (or 'npm run demo')" >&2
  exit 1
fi

rm -rf "$state_dir"
mkdir -p "$state_dir"

step "validate the fixture" "valid fixture" -- \
  node "$cli" validate "$fixture"
step "run one contract cycle" "applied=3|rollout_gate=pass|state=healthy" -- \
  node "$cli" --gateway-contract-runner --gateway-fixture "$fixture" --gateway-state-dir "$state_dir"
step "transport health (JSON)" '"health_state": "healthy"|"failure_streak": 0' -- \
  node "$cli" --gateway-state-dir "$state_dir" --transport-health-inspect gateway --transport-health-json
step "operator status (JSON)" '"rollout_gate": "pass"|"rollout_reason_code": "guardrail_checks_passing"|"cycle_reports": 1' -- \
  node "$cli" --gateway-state-dir "$state_dir" --gateway-status-inspect --gateway-status-json
step "channel store of $actor" "log_records=3|invalid_log_lines=0|memory_exists=true" -- \
  node "$cli" --channel-store-root "$state_dir/channel-store" --channel-store-inspect "gateway/$actor"

finish
