#!/usr/bin/env bash
# Watch-mode demo: the verdict served on /gate goes pass → hold → pass as chaos is injected into
# the reference gateway and taken away again, shown with curl on /gate and /metrics.
set -uo pipefail

usage() {
  cat <<'USAGE'
Usage: scripts/demo/gateway-watch.sh [--timeout-seconds N] [--state-dir DIR] [--help]

  1. start the reference gateway (chaos switched by signals) on a free loopback port
  2. start `tau-gateway watch` against it: a cycle every 500 ms, verdict after 2 cycles,
     /gate /status /metrics /healthz on a free loopback port
  3. curl /gate until the verdict is pass (200)
  4. inject chaos (every request 503): curl /gate until hold (503), show /metrics
  5. take the chaos away: curl /gate until pass (200) again
  6. stop the watch with SIGTERM (exit 130) and show the operator status
Both processes are stopped on exit, also when a step fails.

Options:
  --timeout-seconds N  give up on any step that runs longer than N seconds (default 60)
  --state-dir DIR      state directory to recreate and use (default .tau/demo-gateway-watch)
  --help               show this help

Exit status: 0 when every step passed, 1 when a step failed, 2 on a usage error.
USAGE
}

timeout_seconds=60
state_dir=".tau/demo-gateway-watch"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_demo_args "$@"

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root" || exit 1
cli="$root/apps/cli/bin/tau-gateway.js"
fixture="fixtures/gateway-contract/rollout-pass.json"
[ -f "$root/apps/cli/dist/bin.js" ] || { echo "error: the CLI is not built; run 'npm run build' (or 'npm run demo:watch')" >&2; exit 1; }
command -v curl >/dev/null || { echo "error: the demo needs curl" >&2; exit 1; }

gateway_log="$(mktemp)"
watch_log="$(mktemp)"
gateway_pid=""
watch_pid=""
stop_pid() {
  if [ -n "$1" ] && kill -0 "$1" 2>/dev/null; then
    kill "$1" 2>/dev/null
    wait "$1" 2>/dev/null
  fi
}
cleanup() {
  stop_pid "$watch_pid"
  stop_pid "$gateway_pid"
  rm -f "$gateway_log" "$watch_log" "$step_out"
}
trap cleanup EXIT INT TERM

# wait_for_url LOG PATTERN PID: the first URL in LOG once it appears (empty if PID died first).
wait_for_url() {
  local url=""
  for _ in $(seq 1 $((timeout_seconds * 10))); do
    url="$(grep -o "$2" "$1" | head -n 1)"
    [ -n "$url" ] && break
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  printf '%s' "$url"
}

# started NAME URL LOG: counts a start step, passing when URL is set.
started() {
  total=$((total + 1))
  printf '[%d] start %s\n' "$total" "$1"
  if [ -z "$2" ]; then
    sed 's/^/    | /' "$3"
    printf '    FAIL: %s did not start\n' "$1"
    finish
    exit 1
  fi
  printf '    | %s\n    ok\n' "$2"
  passed=$((passed + 1))
}

# Polls /gate until its verdict is $1; a step (below) then shows it with curl.
await_verdict() {
  for _ in $(seq 1 $((timeout_seconds * 5))); do
    curl -s "$watch_url/gate" | grep -q "\"verdict\":\"$1\"" && return 0
    sleep 0.2
  done
  return 1
}

rm -rf "$state_dir"
node "$root/scripts/demo/chaos-gateway.mjs" >"$gateway_log" 2>&1 &
gateway_pid=$!
gateway_url="$(wait_for_url "$gateway_log" 'http://[0-9.:]*' "$gateway_pid")"
started "the reference gateway" "$gateway_url" "$gateway_log"

node "$cli" watch --gateway-fixture "$fixture" --gateway-state-dir "$state_dir" \
  --gateway-target-url "$gateway_url" --gateway-retry-max-attempts 1 \
  --gateway-watch-interval-ms 500 --gateway-gate-min-cycles 2 --gateway-listen 127.0.0.1:0 >"$watch_log" 2>&1 &
watch_pid=$!
watch_url="$(wait_for_url "$watch_log" 'http://[0-9.:]*' "$watch_pid")"
started "tau-gateway watch" "$watch_url" "$watch_log"

await_verdict pass
step "the verdict passes: GET /gate answers 200" 'HTTP/1.1 200|"verdict":"pass"' -- curl -s -i "$watch_url/gate"

kill -USR1 "$gateway_pid"
await_verdict hold
step "chaos on: GET /gate answers 503 hold" 'HTTP/1.1 503|"verdict":"hold"|retryable_failures_threshold_exceeded' -- curl -s -i "$watch_url/gate"
step "the metrics say so too (GET /metrics)" 'tau_gateway_verdict{verdict="hold"} 1|tau_gateway_health{state="degraded"} 1' -- \
  bash -c "curl -s '$watch_url/metrics' | grep -E '^tau_gateway_(verdict|health|failure_streak|cases_total|request_duration_seconds_count)'"

kill -USR2 "$gateway_pid"
await_verdict pass
step "chaos off: GET /gate answers 200 pass again" 'HTTP/1.1 200|"verdict":"pass"' -- curl -s -i "$watch_url/gate"

total=$((total + 1))
printf '[%d] stop the watch with SIGTERM\n' "$total"
kill -TERM "$watch_pid"
wait "$watch_pid"
code=$?
watch_pid=""
sed 's/^/    | /' "$watch_log" | tail -n 4
if [ "$code" -eq 130 ]; then printf '    ok (exit 130)\n'; passed=$((passed + 1)); else printf '    FAIL: exit code %d\n' "$code"; fi

step "operator status after the watch" '"rollout_gate": "pass"' -- \
  node "$cli" --gateway-state-dir "$state_dir" --gateway-status-inspect --gateway-status-json

finish
