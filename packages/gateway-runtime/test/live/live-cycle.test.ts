import { join } from "node:path";
import { caseKey, type Fixture } from "@tau/gateway-contract";
import { describe, expect, it } from "vitest";
import { buildQueue, simulatedDriver, type CycleReport, type GatewayDriver, type RunnerSettings } from "../../src";
import {
  BACKEND_UNAVAILABLE,
  closedPort,
  delay,
  fixtureOf,
  liveDriver,
  loadSharedFixture,
  makeTempDir,
  openRuntime,
  readJsonLines,
  referenceAnswer,
  retryableCase,
  sendObserved,
  startReferenceGateway,
  startServer,
  stateSnapshot,
  successCase,
  withoutTimes,
  type JsonRecord,
} from "./live-helpers";

/** Live settings as the CLI uses them, but with short waits so the suite stays fast. */
const LIVE: Partial<RunnerSettings> = { retryBaseDelayMs: 5, retryJitter: true, concurrency: 4 };

/** Runs `runs` cycles of `fixture` in a fresh state dir; returns the reports and the dir. */
async function runCycles(options: { fixture: Fixture; driver?: GatewayDriver; runs?: number; settings?: Partial<RunnerSettings> }) {
  const stateDir = join(await makeTempDir(), "state");
  const runtime = await openRuntime({ stateDir, ...(options.settings ? { settings: options.settings } : {}) });
  const reports: CycleReport[] = [];
  for (let i = 0; i < (options.runs ?? 1); i++) {
    reports.push(await runtime.runCycle(options.fixture, options.driver ? { driver: options.driver } : {}));
  }
  return { stateDir, reports, runtime };
}

/** What must be equal between a live and a simulated cycle. */
function comparable(report: CycleReport) {
  return {
    summary: report.summary,
    reasonCodes: report.reasonCodes,
    gate: report.gate,
    health: withoutTimes(report.health),
    classification: report.classification,
    drifts: report.drifts,
  };
}

function actorLog(stateDir: string, actor = "ops-bot"): Promise<JsonRecord[]> {
  return readJsonLines(join(stateDir, "channel-store", "gateway", actor, "log.jsonl"));
}

describe("live mode against the reference gateway gives what the simulated mode gives", () => {
  it.each([
    ["mixed-outcomes", 3],
    ["rollout-pass", 1],
  ] as const)("%s over %i run(s): counters, reason codes, gate and every state file", async (name, runs) => {
    const fixture = await loadSharedFixture(name);
    const url = await startReferenceGateway();
    const live = await runCycles({ fixture, runs, settings: LIVE, driver: liveDriver({ targetUrl: url, connections: 4 }) });
    const simulated = await runCycles({ fixture, runs, driver: simulatedDriver() });

    expect(live.reports.map(comparable)).toEqual(simulated.reports.map(comparable));
    expect(await stateSnapshot(live.stateDir)).toEqual(await stateSnapshot(simulated.stateDir));
  });

  it("agrees on cases whose fields need trimming, encoding or another path over HTTP", async () => {
    const rejected = (caseId: string, fields: JsonRecord, status: number, reason: string): JsonRecord => ({
      case_id: caseId,
      actor_id: "ops-bot",
      ...fields,
      expected: {
        outcome: "malformed_input",
        status_code: status,
        error_code: status === 405 ? "gateway_unsupported_method" : "gateway_invalid_request",
        response_body: { status: "rejected", reason },
      },
    });
    const fixture = fixtureOf([
      successCase("untrimmed", { method: " patch ", endpoint: " /v1/tasks/7 ", actor_id: " ops " }),
      successCase("unicode", { endpoint: "/v1/tâches/ä b", actor_id: "émile" }),
      successCase("bare-percent", { endpoint: "/v1/100%" }),
      successCase("encoded-slash", { endpoint: "/v1/a%2Fb" }),
      successCase("with-body", { method: "PUT", body: { nested: { list: [1, "two", null] } } }),
      rejected("no-leading-slash", { method: "GET", endpoint: "v1/tasks" }, 400, "invalid_request"),
      rejected("blank-actor", { method: "GET", endpoint: "/v1/tasks", actor_id: "  " }, 400, "invalid_request"),
      rejected("unknown-method", { method: "BREW", endpoint: "/v1/pot" }, 405, "unsupported_method"),
      rejected("trace", { method: "TRACE", endpoint: "/v1/tasks" }, 405, "unsupported_method"),
    ]);
    const url = await startReferenceGateway();
    const live = await runCycles({ fixture, settings: LIVE, driver: liveDriver({ targetUrl: url }) });
    const simulated = await runCycles({ fixture, driver: simulatedDriver() });
    expect(live.reports[0]?.summary).toMatchObject({ applied_cases: 5, malformed_cases: 4, failed_cases: 0, contract_drift_cases: 0 });
    expect(live.reports.map(comparable)).toEqual(simulated.reports.map(comparable));
    expect(await stateSnapshot(live.stateDir)).toEqual(await stateSnapshot(simulated.stateDir));
  });

  it("matches the documented numbers of mixed-outcomes.json on its first live run", async () => {
    const url = await startReferenceGateway();
    const { reports } = await runCycles({
      fixture: await loadSharedFixture("mixed-outcomes"),
      settings: LIVE,
      driver: liveDriver({ targetUrl: url }),
    });
    const [report] = reports;
    expect(report?.summary).toMatchObject({ applied_cases: 1, malformed_cases: 1, retryable_failures: 4, retry_attempts: 3, failed_cases: 1 });
    expect(report?.gate).toEqual({ gate: "hold", reason_code: "retryable_failures_threshold_exceeded" });
    expect(report?.classification.state).toBe("degraded");
    expect(report?.driver).toBe("http");
  });
});

describe("retries against a live server", () => {
  it("recovers a case whose first two answers are 503: applied 1, recovered_after_retry 1, retry_attempts 2", async () => {
    const server = await startServer((request, res) => {
      sendObserved(res, request.attempt <= 2 ? BACKEND_UNAVAILABLE : referenceAnswer(request));
    });
    const { reports, stateDir } = await runCycles({
      fixture: fixtureOf([successCase("flaky")]),
      settings: LIVE,
      driver: liveDriver({ targetUrl: server.url }),
    });
    expect(reports[0]?.summary).toMatchObject({
      applied_cases: 1,
      upserted_requests: 1,
      recovered_after_retry: 1,
      retry_attempts: 2,
      retryable_failures: 2,
      failed_cases: 0,
      contract_drift_cases: 0,
    });
    expect(server.requests.map((r) => r.attempt)).toEqual([1, 2, 3]);
    const events = await readJsonLines(join(stateDir, "runtime-events.jsonl"));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ recovered_after_retry: 1, applied_cases: 1, retry_attempts: 2 });
  });

  it("waits as long as Retry-After asks before the next attempt", async () => {
    const server = await startServer((request, res) => {
      if (request.attempt === 1) sendObserved(res, BACKEND_UNAVAILABLE, { "retry-after": "1" });
      else sendObserved(res, referenceAnswer(request));
    });
    const { reports } = await runCycles({
      fixture: fixtureOf([successCase("polite")]),
      settings: { ...LIVE, retryBaseDelayMs: 0 },
      driver: liveDriver({ targetUrl: server.url }),
    });
    expect(reports[0]?.summary).toMatchObject({ applied_cases: 1, recovered_after_retry: 1 });
    const [first, second] = server.requests;
    expect(second).toBeDefined();
    // Lower bound only: a loaded machine may wait longer, never shorter.
    expect((second?.atMs ?? 0) - (first?.atMs ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it("fails a case whose last attempt is a transport error, and logs it as transport_error, not drift", async () => {
    const server = await startServer((request, res) => {
      if (request.attempt === 1) sendObserved(res, BACKEND_UNAVAILABLE);
      else res.socket?.destroy();
    });
    const fixture = fixtureOf([successCase("wants-success"), retryableCase("wants-retryable")]);
    const { reports, stateDir } = await runCycles({
      fixture,
      settings: { ...LIVE, retryMaxAttempts: 2 },
      driver: liveDriver({ targetUrl: server.url }),
    });
    const report = reports[0] as CycleReport;
    expect(report.summary).toMatchObject({ failed_cases: 2, contract_drift_cases: 0, applied_cases: 0, retryable_failures: 4, retry_attempts: 2 });
    expect(report.drifts).toEqual([]);
    expect(report.reasonCodes).toContain("case_processing_failed");
    expect(report.reasonCodes).not.toContain("contract_drift_detected");
    expect(report.gate.reason_code).not.toBe("contract_drift_detected");

    const log = await actorLog(stateDir);
    expect(log).toHaveLength(2);
    for (const entry of log) {
      const payload = entry.payload as JsonRecord;
      expect(payload.outcome).toBe("transport_error");
      expect(payload.status_code).toBe(0);
      expect(typeof payload.error_code).toBe("string");
      expect(String(payload.error_code).length).toBeGreaterThan(0);
      expect(typeof payload.message).toBe("string");
      expect(String(payload.message).length).toBeGreaterThan(0);
    }
  });

  it("fails with ECONNREFUSED on every attempt when nothing listens", async () => {
    const port = await closedPort();
    const { reports, stateDir } = await runCycles({
      fixture: fixtureOf([successCase("nobody-home")]),
      settings: { ...LIVE, retryMaxAttempts: 3 },
      driver: liveDriver({ targetUrl: `http://127.0.0.1:${port}` }),
    });
    expect(reports[0]?.summary).toMatchObject({ failed_cases: 1, retryable_failures: 3, retry_attempts: 2, contract_drift_cases: 0 });
    const [entry] = await actorLog(stateDir);
    expect(entry?.payload).toMatchObject({ outcome: "transport_error", error_code: "ECONNREFUSED", message: expect.stringContaining("ECONNREFUSED") });
  });
});

describe("answers that break the contract", () => {
  it("records a 200 with a non-JSON body for a success case as drift, with the note", async () => {
    const server = await startServer((_request, res) => {
      res.writeHead(200, { "content-type": "text/plain" }).end("OK");
    });
    const { reports, stateDir } = await runCycles({
      fixture: fixtureOf([successCase("plain-text")]),
      settings: LIVE,
      driver: liveDriver({ targetUrl: server.url }),
    });
    const report = reports[0] as CycleReport;
    expect(report.summary).toMatchObject({ contract_drift_cases: 1, failed_cases: 1, applied_cases: 0 });
    expect(report.gate).toEqual({ gate: "hold", reason_code: "contract_drift_detected" });
    expect(report.drifts[0]?.note).toMatch(/not JSON/);
    const [entry] = await actorLog(stateDir);
    expect(entry?.payload).toMatchObject({ outcome: "contract_drift", note: expect.stringMatching(/not JSON/) });
  });
});

describe("concurrency and ordering", () => {
  /** `count` success cases listed out of queue order, spread over two actors. */
  function shuffledCases(count: number): JsonRecord[] {
    const ids = Array.from({ length: count }, (_, i) => `case-${String(i).padStart(2, "0")}`);
    // A fixed permutation (stride 7 is coprime with the counts used) so fixture order ≠ queue order.
    const order = ids.map((_, i) => ids[(i * 7) % count] as string);
    return order.map((id, i) => successCase(id, { actor_id: i % 2 === 0 ? "ops-bot" : "release-bot", method: i % 3 === 0 ? "POST" : "GET" }));
  }

  it("never has more requests in flight than the concurrency setting", async () => {
    const server = await startServer(async (request, res) => {
      await delay(25);
      sendObserved(res, referenceAnswer(request));
    });
    const { reports } = await runCycles({
      fixture: fixtureOf(shuffledCases(30)),
      settings: { ...LIVE, concurrency: 4 },
      // More connections than the runner may use, so the runner's own limit is what is tested.
      driver: liveDriver({ targetUrl: server.url, connections: 16 }),
    });
    expect(reports[0]?.summary).toMatchObject({ applied_cases: 30 });
    expect(server.requests).toHaveLength(30);
    expect(server.peakInFlight).toBeLessThanOrEqual(4);
    expect(server.peakInFlight).toBeGreaterThan(1);
  });

  it("records in queue order whatever order the answers arrive in", async () => {
    const server = await startServer(async (request, res) => {
      await delay(Math.floor(Math.random() * 40));
      sendObserved(res, referenceAnswer(request));
    });
    const fixture = fixtureOf(shuffledCases(20));
    const live = await runCycles({ fixture, settings: { ...LIVE, concurrency: 6 }, driver: liveDriver({ targetUrl: server.url, connections: 6 }) });
    const simulated = await runCycles({ fixture, driver: simulatedDriver() });

    const queueKeys = buildQueue(fixture.cases, 64).queued.map((c) => caseKey(c));
    const state = (await stateSnapshot(live.stateDir))["state.json"] as JsonRecord;
    expect(state.processed_case_keys).toEqual(queueKeys);
    for (const actor of ["ops-bot", "release-bot"]) {
      const keys = (await actorLog(live.stateDir, actor)).map((entry) => entry.event_key);
      expect(keys).toEqual(queueKeys.filter((key) => keys.includes(key)));
      expect(keys.length).toBe(10);
    }
    expect(await stateSnapshot(live.stateDir)).toEqual(await stateSnapshot(simulated.stateDir));
  });
});
