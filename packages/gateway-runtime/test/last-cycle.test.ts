import { describe, expect, it } from "vitest";
import { readLastCycle, statePaths } from "../src";
import { fixtureOf, retryableCase, successCase, unsupportedMethodCase } from "./helpers/fixtures";
import { backendUnavailable, manualClock, openRuntime, recordingDriver, simulatedAnswer } from "./helpers/runtime";
import { makeStateDir } from "./helpers/temp-dir";

const T0 = 1_700_000_000_000;

describe("last-cycle.jsonl", () => {
  it("is undefined before any cycle", async () => {
    expect(await readLastCycle(statePaths(await makeStateDir()).lastCyclePath)).toBeUndefined();
  });

  it("records every case of the fixture with what happened to it, bodies only where the contract broke", async () => {
    const stateDir = await makeStateDir();
    const fixture = fixtureOf(
      [
        successCase("a-flaky"),
        successCase("b-drift", {}, { status_code: 204 }),
        unsupportedMethodCase("c-malformed"),
        retryableCase("d-retryable"),
        successCase("e-ok"),
        successCase("z-backlog"),
      ],
      "lc",
    );
    const driver = recordingDriver((c, attempt) => (c.case_id === "a-flaky" && attempt < 3 ? backendUnavailable() : simulatedAnswer(c)));
    const runtime = await openRuntime({ stateDir, clock: manualClock(T0).clock, settings: { queueLimit: 5 } });
    await runtime.runCycle(fixture, { driver, provenance: { fixtures: [{ path: "lc.json", sha256: "f".repeat(64) }] } });

    const last = await readLastCycle(statePaths(stateDir).lastCyclePath);
    expect(last?.invalidLines).toBe(0);
    expect(last?.header).toMatchObject({ kind: "cycle", fixture_name: "lc", driver: "recording", aborted: false, started_unix_ms: T0 });
    expect(last?.header.provenance.fixture_sha256).toBe("f".repeat(64));
    const byId = new Map(last?.cases.map((c) => [c.case_id, c]));
    expect([...byId.keys()]).toEqual(["a-flaky", "b-drift", "c-malformed", "d-retryable", "e-ok", "z-backlog"]);

    expect(byId.get("a-flaky")).toMatchObject({ result: "applied", attempts: 3, status_code: 200, outcome: "success" });
    expect(byId.get("a-flaky")?.failed_attempts).toEqual([
      { attempt: 1, outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable" },
      { attempt: 2, outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable" },
    ]);
    expect(byId.get("a-flaky")?.response_body).toBeUndefined();

    const drift = byId.get("b-drift");
    expect(drift).toMatchObject({ result: "drift", status_code: 200, response_body: expect.objectContaining({ status: "accepted" }) });
    expect(drift?.differences).toEqual([{ field: "status_code", pointer: "", expected: 204, observed: 200 }]);

    expect(byId.get("c-malformed")).toMatchObject({ result: "malformed", status_code: 405, error_code: "gateway_unsupported_method" });
    expect(byId.get("d-retryable")).toMatchObject({ result: "failed", attempts: 4, outcome: "retryable_failure", status_code: 503 });
    expect(byId.get("d-retryable")?.failed_attempts).toHaveLength(4);
    expect(byId.get("z-backlog")).toEqual({
      kind: "case",
      case_key: "GET:/v1/tasks/z-backlog:z-backlog",
      case_id: "z-backlog",
      method: "GET",
      endpoint: "/v1/tasks/z-backlog",
      actor_id: "ops-bot",
      result: "backlog",
      attempts: 0,
    });

    // The next cycle replaces the file: processed cases are duplicates now.
    await runtime.runCycle(fixture, { driver });
    const again = await readLastCycle(statePaths(stateDir).lastCyclePath);
    expect(again?.cases.filter((c) => c.result === "duplicate").map((c) => c.case_id)).toEqual(["a-flaky", "c-malformed", "e-ok"]);
    expect(again?.cases).toHaveLength(6);
  });

  it("marks the cases an interrupt left unreached as not_run", async () => {
    const stateDir = await makeStateDir();
    const controller = new AbortController();
    const fixture = fixtureOf([successCase("a"), successCase("b"), successCase("c")]);
    const driver = recordingDriver((c) => {
      if (c.case_id === "b") controller.abort();
      return simulatedAnswer(c);
    });
    const runtime = await openRuntime({ stateDir, settings: { concurrency: 1 } });
    const report = await runtime.runCycle(fixture, { driver, signal: controller.signal });
    expect(report.aborted).toBe(true);
    const last = await readLastCycle(statePaths(stateDir).lastCyclePath);
    expect(last?.header.aborted).toBe(true);
    expect(last?.cases.map((c) => [c.case_id, c.result])).toEqual([
      ["a", "applied"],
      expect.arrayContaining(["b"]),
      ["c", "not_run"],
    ]);
  });
});
