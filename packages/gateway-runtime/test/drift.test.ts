import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actorDir, openRuntime, readJsonLines, readStateJson, recordingDriver, simulatedAnswer } from "./helpers/runtime";
import { validateFixture } from "@tau/gateway-contract";
import { fixtureOf, retryableCase, successCase, unsupportedMethodCase } from "./helpers/fixtures";
import { makeStateDir } from "./helpers/temp-dir";

/** Like fixtures/gateway-contract/drift-success-body.json: expects "created" where the gateway says "accepted". */
const driftingCase = () =>
  successCase(
    "gateway-create-drift",
    { method: "POST", endpoint: "/v1/tasks" },
    {
      response_body: { status: "created", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot" },
    },
  );

const DRIFT_KEY = "POST:/v1/tasks:gateway-create-drift";

describe("contract drift (behavior.md §3)", () => {
  it("counts the drifted case as failed and as drift, and holds the gate", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir() });
    const report = await runtime.runCycle(fixtureOf([driftingCase()]));

    expect(report.summary).toMatchObject({
      failed_cases: 1,
      contract_drift_cases: 1,
      applied_cases: 0,
      upserted_requests: 0,
      malformed_cases: 0,
    });
    expect(report.reasonCodes).toEqual(["case_processing_failed", "contract_drift_detected"]);
    expect(report.gate).toEqual({ gate: "hold", reason_code: "contract_drift_detected" });
    expect(report.health.failure_streak).toBe(1);
  });

  it("lists the drift in the report with a JSON pointer to each difference", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir() });
    const report = await runtime.runCycle(fixtureOf([driftingCase()]));

    expect(report.drifts).toEqual([
      {
        case_id: "gateway-create-drift",
        case_key: DRIFT_KEY,
        differences: [{ field: "response_body", pointer: "/status", expected: "created", observed: "accepted" }],
      },
    ]);
  });

  it("puts contract_drift_detected last among the reason codes of a busy cycle", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir() });
    const report = await runtime.runCycle(
      fixtureOf([driftingCase(), unsupportedMethodCase("malformed"), retryableCase("retryable")]),
    );
    expect(report.reasonCodes).toEqual([
      "malformed_inputs_observed",
      "retry_attempted",
      "retryable_failures_observed",
      "case_processing_failed",
      "contract_drift_detected",
    ]);
  });

  it("holds on contract_drift_detected even when every other gate rule also holds", async () => {
    const runtime = await openRuntime({
      stateDir: await makeStateDir(),
      // Streak 1 ≥ threshold 1 with failed cases, 4 retryable failures ≥ 2, and a malformed case.
      settings: { thresholds: { failureStreak: 1, retryableFailures: 2 } },
    });
    const report = await runtime.runCycle(
      fixtureOf([driftingCase(), unsupportedMethodCase("malformed"), retryableCase("retryable")]),
    );
    expect(report.summary).toMatchObject({ failed_cases: 2, retryable_failures: 4, malformed_cases: 1 });
    expect(report.health.failure_streak).toBe(1);
    expect(report.gate).toEqual({ gate: "hold", reason_code: "contract_drift_detected" });
  });

  it("does not mark the drifted case processed, so the next cycle runs it again", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(fixtureOf([driftingCase()]));
    const state = await readStateJson(stateDir);
    expect(state.processed_case_keys).toEqual([]);
    expect(state.requests).toEqual([]);

    const driver = recordingDriver(simulatedAnswer);
    const again = await runtime.runCycle(fixtureOf([driftingCase()]), { driver });
    expect(driver.calls.map((c) => c.caseId)).toEqual(["gateway-create-drift"]);
    expect(again.summary).toMatchObject({ duplicate_skips: 0, contract_drift_cases: 1, failed_cases: 1 });
    expect(again.health.failure_streak).toBe(2);
    expect(again.gate.reason_code).toBe("contract_drift_detected");
  });

  it("logs the drift in the actor's channel store with what was expected and observed", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(fixtureOf([driftingCase()]));

    const [entry, ...rest] = await readJsonLines(join(actorDir(stateDir, "ops-bot"), "log.jsonl"));
    expect(rest).toEqual([]);
    expect(entry).toMatchObject({
      direction: "system",
      event_key: DRIFT_KEY,
      source: "tau-gateway-runner",
      payload: {
        outcome: "contract_drift",
        case_id: "gateway-create-drift",
        method: "POST",
        endpoint: "/v1/tasks",
        status_code: 201,
        expected: {
          outcome: "success",
          status_code: 201,
          response_body: { status: "created", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot" },
        },
        observed: {
          outcome: "success",
          status_code: 201,
          error_code: "",
          response_body: { status: "accepted", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot" },
        },
        differences: [{ field: "response_body", pointer: "/status", expected: "created", observed: "accepted" }],
      },
    });
    const [context] = await readJsonLines(join(actorDir(stateDir, "ops-bot"), "context.jsonl"));
    expect(context?.text).toMatch(/^gateway case gateway-create-drift outcome=contract_drift .*status=201$/);
  });

  it("treats a retryable-expected case whose final 503 body differs as drift", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const report = await runtime.runCycle(
      fixtureOf([retryableCase("overloaded", { response_body: { status: "retryable", reason: "overloaded" } })]),
    );

    expect(report.summary).toMatchObject({ failed_cases: 1, contract_drift_cases: 1, retry_attempts: 3 });
    expect(report.drifts).toEqual([
      {
        case_id: "overloaded",
        case_key: "GET:/v1/tasks/42:overloaded",
        differences: [
          { field: "response_body", pointer: "/reason", expected: "overloaded", observed: "backend_unavailable" },
        ],
      },
    ]);
    expect(report.gate.reason_code).toBe("contract_drift_detected");
    const [entry] = await readJsonLines(join(actorDir(stateDir, "ops-bot"), "log.jsonl"));
    expect(entry?.payload).toMatchObject({ outcome: "contract_drift", status_code: 503 });
  });

  it("does not call a retryable-expected case drift when its final answer matches", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir() });
    const report = await runtime.runCycle(fixtureOf([retryableCase("outage")]));
    expect(report.summary).toMatchObject({ failed_cases: 1, contract_drift_cases: 0 });
    expect(report.drifts).toEqual([]);
  });

  it("treats a malformed answer to a success-expected case as drift, not as malformed input", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    // The endpoint lacks its leading "/": the simulated gateway rejects it with 400 at once.
    const driver = recordingDriver(simulatedAnswer);
    const report = await runtime.runCycle(fixtureOf([successCase("no-slash", { endpoint: "v1/tasks" })]), { driver });

    expect(driver.calls).toHaveLength(1);
    expect(report.summary).toMatchObject({
      malformed_cases: 0,
      failed_cases: 1,
      contract_drift_cases: 1,
      retry_attempts: 0,
    });
    expect(report.drifts[0]?.differences).toEqual([
      { field: "outcome", pointer: "", expected: "success", observed: "malformed_input" },
      { field: "status_code", pointer: "", expected: 200, observed: 400 },
      { field: "error_code", pointer: "", expected: "", observed: "gateway_invalid_request" },
      { field: "response_body", pointer: "/actor_id", expected: "ops-bot" },
      { field: "response_body", pointer: "/endpoint", expected: "v1/tasks" },
      { field: "response_body", pointer: "/method", expected: "GET" },
      { field: "response_body", pointer: "/reason", observed: "invalid_request" },
      { field: "response_body", pointer: "/status", expected: "accepted", observed: "rejected" },
    ]);
    expect(report.reasonCodes).not.toContain("malformed_inputs_observed");
    expect((await readStateJson(stateDir)).processed_case_keys).toEqual([]);
  });

  it("treats a success answer to a malformed-expected case as drift and records no request", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const driver = recordingDriver(() => ({
      outcome: "success",
      status_code: 200,
      error_code: "",
      response_body: { status: "accepted" },
    }));
    const report = await runtime.runCycle(fixtureOf([unsupportedMethodCase("trace")]), { driver });

    expect(report.summary).toMatchObject({ applied_cases: 0, upserted_requests: 0, contract_drift_cases: 1 });
    expect((await readStateJson(stateDir)).requests).toEqual([]);
  });
});

describe("pending cases (fixture v2)", () => {
  /** A v2 fixture: the drifting case marked pending, plus one that matches. */
  const pendingFixture = () =>
    validateFixture(
      { schema_version: 2, name: "pending", cases: [{ ...driftingCase(), pending: true }, successCase("fine")] },
      "pending.json",
    );

  it("reports the drift but does not fail the case or hold the gate", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir() });
    const report = await runtime.runCycle(pendingFixture());

    expect(report.summary).toMatchObject({ pending_drift_cases: 1, contract_drift_cases: 0, failed_cases: 0, applied_cases: 1 });
    expect(report.drifts).toEqual([expect.objectContaining({ case_id: "gateway-create-drift", pending: true })]);
    expect(report.reasonCodes).toEqual(["pending_drift_observed"]);
    expect(report.gate).toEqual({ gate: "pass", reason_code: "pending_drift_observed" });
    expect(report.health.failure_streak).toBe(0);
  });

  it("writes the pending drift to last-cycle.jsonl and the events line, and checks it again next cycle", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(pendingFixture());
    const lines = await readJsonLines(join(stateDir, "last-cycle.jsonl"));
    expect(lines.find((l) => l.case_id === "gateway-create-drift")).toMatchObject({ result: "drift", pending: true });
    const [event] = await readJsonLines(join(stateDir, "runtime-events.jsonl"));
    expect(event).toMatchObject({ pending_drift_cases: 1, rollout_gate: "pass", rollout_reason_code: "pending_drift_observed" });

    const again = await runtime.runCycle(pendingFixture());
    expect(again.summary).toMatchObject({ pending_drift_cases: 1, duplicate_skips: 1 });
  });
});
