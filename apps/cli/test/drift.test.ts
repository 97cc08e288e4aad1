import { describe, expect, it } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, gateOf, hasStackTrace, retryableCase, successCase, summaryOf, workspace } from "./helpers";

const DRIFT_FIXTURE = "fixtures/gateway-contract/drift-success-body.json";

describe("contract drift", { timeout: 30_000 }, () => {
  it("exits 4 and prints a diff naming the case, the field and both values", async () => {
    const ws = await workspace(["drift-success-body.json"]);
    const run = await ws.run(["--gateway-contract-runner", "--gateway-fixture", DRIFT_FIXTURE]);
    expect(run.code).toBe(4);
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stdout).toContain('case "gateway-create-drift"');
    expect(run.stdout).toContain("POST:/v1/tasks:gateway-create-drift");
    expect(run.stdout).toMatch(/response_body\/status: expected "created", observed "accepted"/);
    // The cycle is still recorded: counted as failed, the summary still printed.
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 1, applied: 0, failed: 1, upserted_requests: 0 });
    expect(gateOf(run.stdout)).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "contract_drift_detected" });
    expect(gateOf(run.stdout).reason_codes).toContain("contract_drift_detected");
  });

  it("records the drift in state.json, the events log and the actor's log, without marking the case processed", async () => {
    const ws = await workspace(["drift-success-body.json"]);
    await ws.run(["--gateway-contract-runner", "--gateway-fixture", DRIFT_FIXTURE]);

    const state = await ws.readJson<{ processed_case_keys: string[]; requests: unknown[]; guardrail: Record<string, unknown> }>(
      `${DEFAULT_STATE_DIR}/state.json`,
    );
    expect(state.guardrail).toMatchObject({ gate: "hold", reason_code: "contract_drift_detected", last_failed_cases: 1 });
    expect(state.processed_case_keys).toEqual([]);
    expect(state.requests).toEqual([]);

    const status = JSON.parse((await ws.run(["--gateway-status-inspect", "--gateway-status-json"])).stdout) as Record<string, unknown>;
    expect(status.rollout_reason_code).toBe("contract_drift_detected");
    expect(status.last_reason_codes).toContain("contract_drift_detected");

    const [entry] = await ws.readJsonl<{ event_key: string; payload: Record<string, unknown> }>(
      `${DEFAULT_STATE_DIR}/channel-store/gateway/ops-bot/log.jsonl`,
    );
    expect(entry?.event_key).toBe("POST:/v1/tasks:gateway-create-drift");
    expect(entry?.payload).toMatchObject({ outcome: "contract_drift", case_id: "gateway-create-drift", status_code: 201 });

    // Not processed, so the next run checks it again (and drifts again).
    const again = await ws.run(["--gateway-contract-runner", "--gateway-fixture", DRIFT_FIXTURE]);
    expect(again.code).toBe(4);
    expect(summaryOf(again.stdout).duplicate_skips).toBe(0);
  });

  it("reports a status-code drift of an inline fixture and still applies the cases that match", async () => {
    const ws = await workspace();
    const drifting = successCase("wrong-status", { method: "PUT", endpoint: "/v1/x" });
    drifting.expected.status_code = 204;
    await ws.write("f.json", fixtureOf("inline-drift", [successCase("fine"), drifting]));
    const run = await ws.run(["run", "--gateway-fixture", "f.json"]);
    expect(run.code).toBe(4);
    expect(run.stdout).toContain('case "wrong-status"');
    expect(run.stdout).toMatch(/status_code: expected 204, observed 200/);
    expect(summaryOf(run.stdout)).toMatchObject({ applied: 1, failed: 1 });
  });

  it("drift outranks --gateway-fail-on-hold: exit 4, not 3", async () => {
    const ws = await workspace(["drift-success-body.json"]);
    const run = await ws.run(["run", "--gateway-fixture", DRIFT_FIXTURE, "--gateway-fail-on-hold"]);
    expect(run.code).toBe(4);
  });

  it("treats a retryable case whose final observation differs from its expectation as drift", async () => {
    const ws = await workspace();
    const retry = retryableCase("r1");
    retry.expected.response_body = { status: "retryable", reason: "maintenance" };
    await ws.write("f.json", fixtureOf("retry-drift", [retry]));
    const run = await ws.run(["run", "--gateway-fixture", "f.json", "--gateway-retry-max-attempts", "2"]);
    expect(run.code).toBe(4);
    expect(run.stdout).toMatch(/response_body\/reason: expected "maintenance", observed "backend_unavailable"/);
  });
});
