import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, gateOf, healthOf, retryableCase, successCase, summaryOf, workspace } from "./helpers";

const STATE = `${DEFAULT_STATE_DIR}/state.json`;
const EVENTS = `${DEFAULT_STATE_DIR}/runtime-events.jsonl`;

describe("tau-gateway --gateway-contract-runner over mixed-outcomes.json", { timeout: 30_000 }, () => {
  it("gives the numbers of behavior.md §4 on three runs with the default fixture and state dir", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);

    const first = await ws.run(["--gateway-contract-runner"]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe("");
    expect(summaryOf(first.stdout)).toEqual({
      discovered: 3,
      queued: 3,
      applied: 1,
      duplicate_skips: 0,
      malformed: 1,
      retryable_failures: 4,
      retries: 3,
      failed: 1,
      upserted_requests: 1,
    });
    expect(healthOf(first.stdout)).toEqual({
      state: "degraded",
      failure_streak: 1,
      queue_depth: 0,
      reason: "recent transport failures observed (failure_streak=1, last_cycle_failed=1)",
    });
    expect(gateOf(first.stdout)).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "retryable_failures_threshold_exceeded" });
    // The defaults put everything under .tau/gateway in the cwd.
    expect(ws.exists(STATE)).toBe(true);
    expect(ws.exists(EVENTS)).toBe(true);

    const second = await ws.run(["--gateway-contract-runner"]);
    expect(second.code).toBe(0);
    expect(summaryOf(second.stdout)).toMatchObject({ duplicate_skips: 2, applied: 0, malformed: 0, failed: 1, upserted_requests: 0 });
    expect(healthOf(second.stdout)).toMatchObject({ state: "degraded", failure_streak: 2 });
    expect(gateOf(second.stdout)).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "failure_streak_threshold_exceeded" });

    const third = await ws.run(["--gateway-contract-runner"]);
    expect(third.code).toBe(0);
    expect(healthOf(third.stdout)).toEqual({
      state: "failing",
      failure_streak: 3,
      queue_depth: 0,
      reason: "transport failures are sustained (failure_streak=3)",
    });

    const status = await ws.run(["--gateway-status-inspect", "--gateway-status-json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      health_state: "failing",
      rollout_gate: "hold",
      rollout_reason_code: "failure_streak_threshold_exceeded",
      guardrail_failure_streak: 3,
      guardrail_last_failed_cases: 1,
      guardrail_last_retryable_failures: 4,
      cycle_reports: 3,
      health: { failure_streak: 3, last_cycle_failed: 1, last_cycle_duplicates: 2, queue_depth: 0 },
    });
  });

  it("prints the reason codes of the cycle in the order of behavior.md §4 and writes them to the events log", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner"]);
    const expected = ["malformed_inputs_observed", "retry_attempted", "retryable_failures_observed", "case_processing_failed"];
    expect(gateOf(run.stdout).reason_codes).toEqual(expected);
    const [event] = await ws.readJsonl(EVENTS);
    expect(event).toMatchObject({
      health_state: "degraded",
      rollout_gate: "hold",
      rollout_reason_code: "retryable_failures_threshold_exceeded",
      guardrail_failure_streak_threshold: 2,
      guardrail_retryable_failures_threshold: 2,
      reason_codes: expected,
      discovered_cases: 3,
      queued_cases: 3,
      applied_cases: 1,
      duplicate_skips: 0,
      malformed_cases: 1,
      retryable_failures: 4,
      retry_attempts: 3,
      failed_cases: 1,
      upserted_requests: 1,
      backlog_cases: 0,
      failure_streak: 1,
    });
    expect(typeof event?.timestamp_unix_ms).toBe("number");
  });
});

describe("queue limit, dedup and the failure streak", { timeout: 30_000 }, () => {
  it("applies backpressure with --gateway-queue-limit 2: two cases queued, one left as queue_depth", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["--gateway-contract-runner", "--gateway-queue-limit", "2"]);
    expect(run.code).toBe(0);
    // Sorted by case_id, the two queued cases are the retryable one and the success.
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 3, queued: 2, applied: 1, malformed: 0, failed: 1 });
    expect(healthOf(run.stdout).queue_depth).toBe(1);
    const events = await ws.readJsonl(EVENTS);
    const last = events.at(-1);
    expect(last?.reason_codes).toContain("queue_backpressure_applied");
    expect((last?.reason_codes as string[])[0]).toBe("queue_backpressure_applied");
    expect(last).toMatchObject({ queued_cases: 2, backlog_cases: 1 });
    const state = await ws.readJson<{ health: { queue_depth: number } }>(STATE);
    expect(state.health.queue_depth).toBe(1);
  });

  it("skips processed cases on the next run and tries the unresolved retryable case again", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const afterFirst = await ws.readJson<{ processed_case_keys: string[] }>(STATE);
    expect(afterFirst.processed_case_keys).toEqual(["POST:/v1/tasks:gateway-success", "TRACE:/v1/tasks:gateway-unsupported-method"]);

    const second = await ws.run(["--gateway-contract-runner"]);
    expect(summaryOf(second.stdout)).toMatchObject({ duplicate_skips: 2, retryable_failures: 4, retries: 3, failed: 1 });
    expect(gateOf(second.stdout).reason_codes).toContain("duplicate_cases_skipped");
    const afterSecond = await ws.readJson<{ processed_case_keys: string[] }>(STATE);
    expect(afterSecond.processed_case_keys).toEqual(afterFirst.processed_case_keys);

    // The retryable case was attempted again: a second log entry with the same event key.
    const log = await ws.readJsonl<{ event_key: string }>(`${DEFAULT_STATE_DIR}/channel-store/gateway/ops-bot/log.jsonl`);
    expect(log.filter((e) => e.event_key === "GET:/v1/tasks/42:gateway-retryable-backend")).toHaveLength(2);
    expect(log.filter((e) => e.event_key === "POST:/v1/tasks:gateway-success")).toHaveLength(1);
  });

  it("resets the failure streak after a clean cycle", async () => {
    const ws = await workspace(["mixed-outcomes.json", "rollout-pass.json"]);
    await ws.run(["--gateway-contract-runner"]);
    const second = await ws.run(["--gateway-contract-runner"]);
    expect(healthOf(second.stdout).failure_streak).toBe(2);

    const clean = await ws.run(["--gateway-contract-runner", "--gateway-fixture", "fixtures/gateway-contract/rollout-pass.json"]);
    expect(clean.code).toBe(0);
    expect(summaryOf(clean.stdout)).toMatchObject({ discovered: 3, applied: 3, failed: 0, retryable_failures: 0 });
    expect(healthOf(clean.stdout)).toEqual({
      state: "healthy",
      failure_streak: 0,
      queue_depth: 0,
      reason: "no recent transport failures observed",
    });
    expect(gateOf(clean.stdout)).toEqual({ rollout_gate: "pass", rollout_reason_code: "guardrail_checks_passing", reason_codes: ["healthy_cycle"] });
  });

  it("upserts one request record per case key, sorted by case_key", async () => {
    const ws = await workspace();
    await ws.write(
      "f.json",
      fixtureOf("records", [
        successCase("b-delete", { method: "DELETE", endpoint: "/v1/b" }),
        successCase("a-post", { method: " post ", endpoint: " /v1/a " }),
        retryableCase("c-retry"),
      ]),
    );
    const run = await ws.run(["run", "--gateway-fixture", "f.json"]);
    expect(summaryOf(run.stdout)).toMatchObject({ applied: 2, upserted_requests: 2, failed: 1 });
    const state = await ws.readJson<{ requests: Record<string, unknown>[] }>(STATE);
    expect(state.requests.map((r) => r.case_key)).toEqual(["DELETE:/v1/b:b-delete", "POST:/v1/a:a-post"]);
    expect(state.requests[1]).toMatchObject({
      case_id: "a-post",
      method: "POST",
      endpoint: "/v1/a",
      actor_id: "ops-bot",
      status_code: 201,
      outcome: "success",
      response_body: { status: "accepted", method: "POST", endpoint: "/v1/a", actor_id: "ops-bot" },
    });
  });
});
