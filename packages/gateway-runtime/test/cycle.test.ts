import { mkdir, stat } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import type { GatewayCase } from "@tau/gateway-contract";
import { describe, expect, it } from "vitest";
import { fixtureOf, loadSharedFixture, retryableCase, successCase, unsupportedMethodCase } from "./helpers/fixtures";
import { makeStateDir } from "./helpers/temp-dir";
import {
  backendUnavailable,
  manualClock,
  openRuntime,
  readJsonLines,
  readStateJson,
  recordingDriver,
  simulatedAnswer,
  actorDir,
} from "./helpers/runtime";

describe("a cycle over mixed-outcomes.json (behavior.md §4)", () => {
  it("counts one success, one malformed case and one case that fails after four attempts", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir() });
    const report = await runtime.runCycle(await loadSharedFixture("mixed-outcomes"));

    expect(report.summary).toEqual({
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
      contract_drift_cases: 0,
      recovered_after_retry: 0,
      pending_drift_cases: 0,
    });
    expect(report.reasonCodes).toEqual([
      "malformed_inputs_observed",
      "retry_attempted",
      "retryable_failures_observed",
      "case_processing_failed",
    ]);
    expect(report.gate).toEqual({ gate: "hold", reason_code: "retryable_failures_threshold_exceeded" });
    expect(report.classification.state).toBe("degraded");
    expect(report.health.failure_streak).toBe(1);
    expect(report.aborted).toBe(false);
    expect(report.drifts).toEqual([]);
  });

  it("skips the two processed cases on the second run and holds on the failure streak", async () => {
    const stateDir = await makeStateDir();
    const fixture = await loadSharedFixture("mixed-outcomes");
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(fixture);
    const second = await runtime.runCycle(fixture);

    expect(second.summary).toMatchObject({
      discovered_cases: 3,
      queued_cases: 3,
      duplicate_skips: 2,
      applied_cases: 0,
      malformed_cases: 0,
      retryable_failures: 4,
      retry_attempts: 3,
      failed_cases: 1,
      upserted_requests: 0,
    });
    expect(second.health.failure_streak).toBe(2);
    expect(second.gate).toEqual({ gate: "hold", reason_code: "failure_streak_threshold_exceeded" });
    expect(second.classification.state).toBe("degraded");
    expect(second.reasonCodes).toEqual([
      "duplicate_cases_skipped",
      "retry_attempted",
      "retryable_failures_observed",
      "case_processing_failed",
    ]);
  });

  it("reports health failing once the failure streak reaches 3", async () => {
    const stateDir = await makeStateDir();
    const fixture = await loadSharedFixture("mixed-outcomes");
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(fixture);
    await runtime.runCycle(fixture);
    const third = await runtime.runCycle(fixture);

    expect(third.health.failure_streak).toBe(3);
    expect(third.classification).toMatchObject({
      state: "failing",
      reason: "transport failures are sustained (failure_streak=3)",
    });
    expect(third.gate).toEqual({ gate: "hold", reason_code: "failure_streak_threshold_exceeded" });
  });

  it("keeps counting the failure streak across runtimes opened on the same state dir", async () => {
    const stateDir = await makeStateDir();
    const fixture = await loadSharedFixture("mixed-outcomes");
    for (let run = 1; run <= 2; run++) {
      const runtime = await openRuntime({ stateDir });
      await runtime.runCycle(fixture);
      await runtime.close();
    }
    const runtime = await openRuntime({ stateDir });
    const third = await runtime.runCycle(fixture);
    expect(third.summary.duplicate_skips).toBe(2);
    expect(third.health.failure_streak).toBe(3);
    expect(third.classification.state).toBe("failing");
  });
});

describe("a cycle over rollout-pass.json", () => {
  it("applies every case and passes the gate with a healthy cycle", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir() });
    const report = await runtime.runCycle(await loadSharedFixture("rollout-pass"));

    expect(report.summary).toMatchObject({
      discovered_cases: 3,
      queued_cases: 3,
      applied_cases: 3,
      upserted_requests: 3,
      failed_cases: 0,
      malformed_cases: 0,
      retryable_failures: 0,
    });
    expect(report.reasonCodes).toEqual(["healthy_cycle"]);
    expect(report.gate).toEqual({ gate: "pass", reason_code: "guardrail_checks_passing" });
    expect(report.classification.state).toBe("healthy");
  });

  it("only skips duplicates on a second run, and the gate still passes", async () => {
    const stateDir = await makeStateDir();
    const fixture = await loadSharedFixture("rollout-pass");
    const runtime = await openRuntime({ stateDir });
    await runtime.runCycle(fixture);
    const driver = recordingDriver(simulatedAnswer);
    const second = await runtime.runCycle(fixture, { driver });

    expect(driver.calls).toEqual([]);
    expect(second.summary).toMatchObject({ duplicate_skips: 3, applied_cases: 0, upserted_requests: 0 });
    expect(second.reasonCodes).toEqual(["duplicate_cases_skipped"]);
    expect(second.gate).toEqual({ gate: "pass", reason_code: "guardrail_checks_passing" });
  });
});

describe("queue backpressure", () => {
  // Code-unit order puts every upper-case letter before every lower-case one: "Bravo" < "Zulu"
  // < "alpha". A locale-aware sort would queue "alpha" first and leave "Zulu" in the backlog.
  const mixedCaseFixture = () =>
    fixtureOf([successCase("alpha"), successCase("Zulu"), successCase("Bravo")], "mixed-case-ids");

  it("queues the first queueLimit cases in code-unit order and leaves the last one as backlog", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, settings: { queueLimit: 2 } });
    const driver = recordingDriver(simulatedAnswer);
    const report = await runtime.runCycle(mixedCaseFixture(), { driver });

    expect(report.summary).toMatchObject({ discovered_cases: 3, queued_cases: 2, backlog_cases: 1, applied_cases: 2 });
    expect(report.health.queue_depth).toBe(1);
    expect(report.reasonCodes).toEqual(["queue_backpressure_applied"]);
    expect(driver.calls.map((c) => c.caseId)).toEqual(["Bravo", "Zulu"]);
    const state = await readStateJson(stateDir);
    expect(state.processed_case_keys).toEqual(["GET:/v1/tasks/Bravo:Bravo", "GET:/v1/tasks/Zulu:Zulu"]);
  });

  it("leaves the same case in the backlog on every cycle", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, settings: { queueLimit: 2 } });
    await runtime.runCycle(mixedCaseFixture());
    const driver = recordingDriver(simulatedAnswer);
    const second = await runtime.runCycle(mixedCaseFixture(), { driver });

    expect(driver.calls).toEqual([]);
    expect(second.summary).toMatchObject({ queued_cases: 2, duplicate_skips: 2, backlog_cases: 1 });
    expect(second.reasonCodes).toEqual(["queue_backpressure_applied", "duplicate_cases_skipped"]);
  });
});

describe("the processed-case cap", () => {
  it("drops the oldest keys past the cap, so a case processed earlier runs again", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, settings: { processedCaseCap: 1 } });
    const first = fixtureOf([successCase("case-a"), successCase("case-b")]);
    await runtime.runCycle(first);
    expect((await readStateJson(stateDir)).processed_case_keys).toEqual(["GET:/v1/tasks/case-b:case-b"]);

    const driver = recordingDriver(simulatedAnswer);
    const again = await runtime.runCycle(fixtureOf([successCase("case-a")]), { driver });
    expect(driver.calls.map((c) => c.caseId)).toEqual(["case-a"]);
    expect(again.summary).toMatchObject({ applied_cases: 1, duplicate_skips: 0 });
    expect((await readStateJson(stateDir)).processed_case_keys).toEqual(["GET:/v1/tasks/case-a:case-a"]);
  });

  it("keeps the newest keys in the order they were processed", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, settings: { processedCaseCap: 2 } });
    await runtime.runCycle(fixtureOf([successCase("c1"), successCase("c2"), successCase("c3")]));
    expect((await readStateJson(stateDir)).processed_case_keys).toEqual([
      "GET:/v1/tasks/c2:c2",
      "GET:/v1/tasks/c3:c3",
    ]);
  });
});

describe("the failure streak", () => {
  it("goes back to 0 after a cycle without failed cases", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const mixed = await loadSharedFixture("mixed-outcomes");
    await runtime.runCycle(mixed);
    expect((await runtime.runCycle(mixed)).health.failure_streak).toBe(2);

    const clean = await runtime.runCycle(await loadSharedFixture("rollout-pass"));
    expect(clean.summary.failed_cases).toBe(0);
    expect(clean.health.failure_streak).toBe(0);
    expect(clean.classification.state).toBe("healthy");
    expect(clean.gate).toEqual({ gate: "pass", reason_code: "guardrail_checks_passing" });
  });
});

describe("retries", () => {
  it("does not retry at all with retryMaxAttempts 1", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir(), settings: { retryMaxAttempts: 1 } });
    const report = await runtime.runCycle(await loadSharedFixture("mixed-outcomes"));

    expect(report.summary).toMatchObject({ retry_attempts: 0, retryable_failures: 1, failed_cases: 1 });
    expect(report.reasonCodes).not.toContain("retry_attempted");
    // One retryable failure is under the threshold of 2, so the malformed case decides.
    expect(report.gate).toEqual({ gate: "hold", reason_code: "malformed_input_observed" });
  });

  it("applies a case that succeeds on the third attempt and counts it as recovered", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const driver = recordingDriver((c, attempt) => (attempt <= 2 ? backendUnavailable() : simulatedAnswer(c)));
    const report = await runtime.runCycle(fixtureOf([successCase("flaky", { method: "POST" })]), { driver });

    expect(driver.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(report.summary).toMatchObject({
      applied_cases: 1,
      upserted_requests: 1,
      recovered_after_retry: 1,
      retry_attempts: 2,
      retryable_failures: 2,
      failed_cases: 0,
    });
    expect(report.health.failure_streak).toBe(0);
    expect((await readStateJson(stateDir)).processed_case_keys).toEqual(["POST:/v1/tasks/flaky:flaky"]);
  });

  it("fails a success-expected case whose gateway stays unavailable, without calling it drift", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const driver = recordingDriver(() => backendUnavailable());
    const report = await runtime.runCycle(fixtureOf([successCase("outage")]), { driver });

    expect(driver.calls).toHaveLength(4);
    expect(report.summary).toMatchObject({
      failed_cases: 1,
      contract_drift_cases: 0,
      retryable_failures: 4,
      retry_attempts: 3,
      applied_cases: 0,
    });
    expect(report.drifts).toEqual([]);
    expect(report.reasonCodes).not.toContain("contract_drift_detected");
    expect(report.gate.reason_code).not.toBe("contract_drift_detected");
    expect((await readStateJson(stateDir)).processed_case_keys).toEqual([]);
  });

  it("retries a transport error like a retryable answer and logs it with status 0", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, settings: { retryMaxAttempts: 2 } });
    const driver = recordingDriver(() => ({
      outcome: "transport_error",
      error_code: "ECONNREFUSED",
      message: "connect ECONNREFUSED 127.0.0.1:9",
    }));
    const report = await runtime.runCycle(fixtureOf([successCase("unreachable")]), { driver });

    expect(driver.calls).toHaveLength(2);
    expect(report.summary).toMatchObject({ failed_cases: 1, retryable_failures: 2, retry_attempts: 1 });
    const [entry] = await readJsonLines(`${actorDir(stateDir, "ops-bot")}/log.jsonl`);
    expect(entry?.payload).toMatchObject({ outcome: "transport_error", status_code: 0, error_code: "ECONNREFUSED" });
  });

  it("waits base × 2^(attempt−1) ms between attempts", async () => {
    const runtime = await openRuntime({
      stateDir: await makeStateDir(),
      settings: { retryMaxAttempts: 3, retryBaseDelayMs: 20 },
    });
    const driver = recordingDriver(() => backendUnavailable());
    await runtime.runCycle(fixtureOf([successCase("slow")]), { driver });

    const [first, second, third] = driver.calls.map((c) => c.atMs);
    // Node timers may fire up to 1 ms before performance.now() says the delay is over (libuv
    // keeps a millisecond loop clock), hence the 1 ms of slack. Upper bounds are never asserted:
    // a loaded machine may wait much longer.
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(20 - 1);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(40 - 1);
  });

  it("waits as long as the gateway's Retry-After asks", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir(), settings: { retryMaxAttempts: 2 } });
    const driver = recordingDriver(() => ({ ...backendUnavailable(), retry_after_ms: 30 }));
    await runtime.runCycle(fixtureOf([successCase("throttled")]), { driver });

    const [first, second] = driver.calls.map((c) => c.atMs);
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(30 - 1);
  });
});

describe("an aborted cycle", () => {
  const threeCases = () => fixtureOf([successCase("case-1"), successCase("case-2"), successCase("case-3")]);

  it("persists what it recorded before the abort and reports aborted", async () => {
    const stateDir = await makeStateDir();
    const clock = manualClock();
    const runtime = await openRuntime({ stateDir, clock: clock.clock });
    const controller = new AbortController();
    // Like fetch, the driver rejects with the abort reason once its signal fires.
    const driver = recordingDriver((c: GatewayCase) => {
      if (c.case_id === "case-2") {
        controller.abort(new Error("operator pressed ctrl-c"));
        throw controller.signal.reason;
      }
      return simulatedAnswer(c);
    });
    const report = await runtime.runCycle(threeCases(), { driver, signal: controller.signal });

    expect(report.aborted).toBe(true);
    expect(driver.calls.map((c) => c.caseId)).toEqual(["case-1", "case-2"]);
    expect(report.summary).toMatchObject({ discovered_cases: 3, queued_cases: 3, applied_cases: 1, failed_cases: 0 });
    const state = await readStateJson(stateDir);
    expect(state.processed_case_keys).toEqual(["GET:/v1/tasks/case-1:case-1"]);
    // Not a finished cycle: no events line, and health/gate still describe the last full cycle.
    await expect(readJsonLines(`${stateDir}/runtime-events.jsonl`)).rejects.toThrow();
    const log = await readJsonLines(`${actorDir(stateDir, "ops-bot")}/log.jsonl`);
    expect(log.map((e) => e.event_key)).toEqual(["GET:/v1/tasks/case-1:case-1"]);
  });

  it("never turns a failing state green: health and gate keep the last full cycle's verdict", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const failing = fixtureOf([successCase("case-1")]);
    const unavailable = recordingDriver(() => ({
      outcome: "retryable_failure" as const,
      status_code: 503,
      error_code: "gateway_backend_unavailable",
      response_body: { status: "retryable", reason: "backend_unavailable" },
    }));
    for (let i = 0; i < 3; i++) await runtime.runCycle(failing, { driver: unavailable });
    const before = await readStateJson(stateDir);
    expect((before.health as { failure_streak: number }).failure_streak).toBe(3);

    const controller = new AbortController();
    const aborting = recordingDriver(() => {
      controller.abort();
      throw controller.signal.reason;
    });
    const report = await runtime.runCycle(failing, { driver: aborting, signal: controller.signal });
    expect(report.aborted).toBe(true);
    expect(report.classification.state).toBe("failing");
    expect(report.gate.gate).toBe("hold");
    const after = await readStateJson(stateDir);
    expect(after.health).toEqual(before.health);
    expect(after.guardrail).toEqual(before.guardrail);
    expect(await readJsonLines(`${stateDir}/runtime-events.jsonl`)).toHaveLength(3);
  });

  it("leaves the cases it did not reach for the next cycle", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const controller = new AbortController();
    const aborting = recordingDriver((c) => {
      if (c.case_id === "case-2") {
        controller.abort();
        throw controller.signal.reason;
      }
      return simulatedAnswer(c);
    });
    await runtime.runCycle(threeCases(), { driver: aborting, signal: controller.signal });

    const driver = recordingDriver(simulatedAnswer);
    const next = await runtime.runCycle(threeCases(), { driver });
    expect(driver.calls.map((c) => c.caseId)).toEqual(["case-2", "case-3"]);
    expect(next.summary).toMatchObject({ duplicate_skips: 1, applied_cases: 2 });
    expect(next.aborted).toBe(false);
  });

  it("stops waiting out a backoff when aborted", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({
      stateDir,
      settings: { retryBaseDelayMs: 60_000, retryMaxDelayMs: 60_000 },
    });
    const controller = new AbortController();
    const driver = recordingDriver(() => {
      setTimeout(() => controller.abort(), 10);
      return backendUnavailable();
    });
    // Without the abort this cycle would sleep for a minute and the test would time out.
    const report = await runtime.runCycle(fixtureOf([successCase("stuck")]), { driver, signal: controller.signal });

    expect(report.aborted).toBe(true);
    expect(driver.calls).toHaveLength(1);
    expect(report.summary).toMatchObject({ failed_cases: 0, applied_cases: 0 });
    expect((await readStateJson(stateDir)).processed_case_keys).toEqual([]);
  });
});

describe("cases of one cycle", () => {
  it("run in queue order and each appears once in the channel-store log", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    const driver = recordingDriver(simulatedAnswer);
    await runtime.runCycle(
      fixtureOf([successCase("b-case"), unsupportedMethodCase("c-case"), retryableCase("a-case")]),
      { driver },
    );
    expect([...new Set(driver.calls.map((c) => c.caseId))]).toEqual(["a-case", "b-case", "c-case"]);
    const log = await readJsonLines(`${actorDir(stateDir, "ops-bot")}/log.jsonl`);
    expect(log.map((e) => (e.payload as { case_id: string }).case_id)).toEqual(["a-case", "b-case", "c-case"]);
  });

  it("a cycle longer than one channel append keeps every actor's log whole and in queue order", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, settings: { queueLimit: 4500, processedCaseCap: 4500 } });
    // ~300 bytes of log per case: 3 x 1500 cases is several appends per actor during the cycle.
    const ids = Array.from({ length: 4500 }, (_, i) => `case-${String(i).padStart(5, "0")}`);
    const actors = ["ops-a", "ops-b", "ops-c"];
    await runtime.runCycle(fixtureOf(ids.map((id, i) => successCase(id, { actor_id: actors[i % 3] }))), { driver: recordingDriver(simulatedAnswer) });
    for (const [k, actor] of actors.entries()) {
      const log = await readJsonLines(`${actorDir(stateDir, actor)}/log.jsonl`);
      const context = await readJsonLines(`${actorDir(stateDir, actor)}/context.jsonl`);
      const mine = ids.filter((_, i) => i % 3 === k);
      expect(log.map((e) => (e.payload as { case_id: string }).case_id)).toEqual(mine);
      expect(context.map((e) => (e.text as string).split(" ")[2])).toEqual(mine);
    }
  });

  it("a channel append that fails during the cycle fails it before state.json is written", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, settings: { queueLimit: 2000 } });
    const ids = Array.from({ length: 2000 }, (_, i) => `case-${i}`);
    // After the cycle's up-front checks, a directory appears where the log file should be: every
    // append to it fails (refused as not a regular file).
    const driver = recordingDriver(async (c) => {
      if (c.case_id === "case-0") await mkdir(`${actorDir(stateDir, "ops-bot")}/log.jsonl`, { recursive: true });
      return simulatedAnswer(c);
    });
    await expect(runtime.runCycle(fixtureOf(ids.map((id) => successCase(id))), { driver })).rejects.toMatchObject({
      code: "E_UNSAFE_PATH",
    });
    await expect(stat(`${stateDir}/state.json`)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
