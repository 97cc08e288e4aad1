import { describe, expect, it } from "vitest";
import { gateOf, workspace } from "./helpers";

// The commands of /work/shared/seed/gateway-ops-runbook.md with `cargo run -p tau-coding-agent --` replaced by tau-gateway.
const TRANSPORT_HEALTH = ["--gateway-state-dir", ".tau/gateway", "--transport-health-inspect", "gateway", "--transport-health-json"];
const STATUS = ["--gateway-state-dir", ".tau/gateway", "--gateway-status-inspect", "--gateway-status-json"];

const RUNBOOK_REASON_CODES = [
  "healthy_cycle",
  "queue_backpressure_applied",
  "duplicate_cases_skipped",
  "malformed_inputs_observed",
  "retry_attempted",
  "retryable_failures_observed",
  "case_processing_failed",
];

describe("the ops runbook, command by command", { timeout: 30_000 }, () => {
  it("answers the primary health and status signals after a runner cycle, with every metric the runbook monitors", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    expect((await ws.run(["--gateway-contract-runner"])).code).toBe(0);

    const health = await ws.run(TRANSPORT_HEALTH);
    expect(health.code).toBe(0);
    const [row] = JSON.parse(health.stdout) as { transport: string; health: Record<string, unknown> }[];
    expect(row?.transport).toBe("gateway");
    expect(row?.health).toMatchObject({ failure_streak: 1, last_cycle_failed: 1, queue_depth: 0 });

    const status = await ws.run(STATUS);
    expect(status.code).toBe(0);
    // Rollout step 5 monitors these.
    expect(JSON.parse(status.stdout)).toMatchObject({
      rollout_gate: "hold",
      rollout_reason_code: "retryable_failures_threshold_exceeded",
      guardrail_last_retryable_failures: 4,
      health: { failure_streak: 1, last_cycle_failed: 1, queue_depth: 0 },
    });
  });

  it("writes the primary state files the runbook names", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    expect(ws.exists(".tau/gateway/state.json")).toBe(true);
    expect(ws.exists(".tau/gateway/runtime-events.jsonl")).toBe(true);
    expect(ws.exists(".tau/gateway/channel-store/gateway/ops-bot/log.jsonl")).toBe(true);
  });

  it("uses only the runbook's reason codes (plus contract_drift_detected) in runtime-events.jsonl", async () => {
    const ws = await workspace(["mixed-outcomes.json", "rollout-pass.json"]);
    await ws.run(["--gateway-contract-runner", "--gateway-queue-limit", "2"]);
    await ws.run(["--gateway-contract-runner"]);
    await ws.run(["--gateway-contract-runner", "--gateway-fixture", "fixtures/gateway-contract/rollout-pass.json"]);
    const events = await ws.readJsonl<{ reason_codes: string[] }>(".tau/gateway/runtime-events.jsonl");
    const seen = new Set(events.flatMap((e) => e.reason_codes));
    for (const code of seen) expect([...RUNBOOK_REASON_CODES, "contract_drift_detected"]).toContain(code);
    // This sequence exercises all of them.
    expect([...seen].sort()).toEqual([...RUNBOOK_REASON_CODES].sort());
  });

  it("matches the troubleshooting table: degraded with case_processing_failed, failing at failure_streak >= 3", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    let status = JSON.parse((await ws.run(STATUS)).stdout) as { health_state: string; last_reason_codes: string[] };
    expect(status.health_state).toBe("degraded");
    expect(status.last_reason_codes).toContain("case_processing_failed");
    await ws.run(["--gateway-contract-runner"]);
    await ws.run(["--gateway-contract-runner"]);
    status = JSON.parse((await ws.run(STATUS)).stdout) as typeof status;
    expect(status.health_state).toBe("failing");
  });

  it("lets the guardrail threshold flags move the gate", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const first = await ws.run(["--gateway-contract-runner", "--gateway-guardrail-retryable-failures-threshold", "10"]);
    expect(gateOf(first.stdout)).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "malformed_input_observed" });
    expect(JSON.parse((await ws.run(STATUS)).stdout)).toMatchObject({
      rollout_reason_code: "malformed_input_observed",
      guardrail_retryable_failures_threshold: 10,
      guardrail_failure_streak_threshold: 2,
    });

    // Second run: streak 2 is below a threshold of 3 and nothing malformed is left, so the gate passes.
    const second = await ws.run([
      "--gateway-contract-runner",
      "--gateway-guardrail-retryable-failures-threshold",
      "10",
      "--gateway-guardrail-failure-streak-threshold",
      "3",
    ]);
    expect(gateOf(second.stdout)).toMatchObject({ rollout_gate: "pass", rollout_reason_code: "guardrail_checks_passing" });

    // Third run: streak 3 reaches the threshold of 3, so the streak rule holds the gate.
    const third = await ws.run(["--gateway-contract-runner", "--gateway-guardrail-failure-streak-threshold", "3"]);
    expect(gateOf(third.stdout)).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "failure_streak_threshold_exceeded" });
  });

  it("holds on the failure streak at once with --gateway-guardrail-failure-streak-threshold 1", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner", "--gateway-guardrail-failure-streak-threshold", "1"]);
    expect(gateOf(run.stdout)).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "failure_streak_threshold_exceeded" });
  });
});
