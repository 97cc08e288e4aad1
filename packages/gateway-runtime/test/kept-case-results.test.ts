import { validateFixture } from "@tau/gateway-contract";
import { describe, expect, it } from "vitest";
import { readLastCycle, reportDataFromCycle, statePaths, type CaseResult, type CycleReport, type DriverResult } from "../src";
import { fixtureOf, retryableCase, successCase, unsupportedMethodCase } from "./helpers/fixtures";
import { backendUnavailable, manualClock, openRuntime, recordingDriver, simulatedAnswer } from "./helpers/runtime";
import { makeStateDir } from "./helpers/temp-dir";

/** The cases kept on the report must be what readLastCycle reads back: same values, same key order. */
async function expectSameAsReadBack(stateDir: string, report: CycleReport): Promise<CaseResult[]> {
  const last = await readLastCycle(statePaths(stateDir).lastCyclePath);
  expect(report.caseResults).toBeDefined();
  // JSON text compares key order too (the JSON report prints these objects as they are).
  expect(JSON.stringify(report.caseResults)).toBe(JSON.stringify(last?.cases));
  expect(report.caseResults).toStrictEqual(last?.cases);
  return report.caseResults ?? [];
}

const odd = 'q"uote\\back\nline\u2028é😀\u0007\ud800';

describe("cases kept on the cycle report (keepCaseResults)", { timeout: 60_000 }, () => {
  it("are exactly the cases of last-cycle.jsonl as read back, for every kind of line", async () => {
    const stateDir = await makeStateDir();
    const fixture = validateFixture(
      {
        schema_version: 2,
        name: "kept",
        cases: [
          successCase(`a-${odd}`, { actor_id: `actor-${odd}`, endpoint: ` /v1/x/${odd} ` }),
          successCase("b-flaky"),
          successCase("c-drift", {}, { status_code: 204 }),
          { ...successCase("d-pending"), expected: { ...(successCase("d-pending").expected as object), status_code: 299 }, pending: true },
          unsupportedMethodCase("e-malformed"),
          retryableCase("f-retryable"),
          successCase("g-transport"),
          successCase("h-post", { method: " post " }),
          successCase("i-odd-values"),
          successCase("j-ok"),
          successCase("k-no-code"),
          successCase("z-backlog"),
        ],
      },
      "kept.json",
    );
    const driver = recordingDriver((c, attempt): DriverResult => {
      if (c.case_id === "b-flaky" && attempt < 3) return backendUnavailable();
      if (c.case_id === "g-transport") return { outcome: "transport_error", error_code: "ECONNRESET", message: `reset ${odd}` };
      // Values a live target could send that the case-line schema refuses: the reader drops the line.
      if (c.case_id === "i-odd-values") return { ...simulatedAnswer(c), error_code: 7 as unknown as string };
      // A live target's answer need not carry an error code at all.
      if (c.case_id === "k-no-code") {
        const { error_code: _, ...answer } = simulatedAnswer(c);
        return answer as DriverResult;
      }
      return simulatedAnswer(c);
    });
    const runtime = await openRuntime({ stateDir, clock: manualClock().clock, settings: { queueLimit: 11 } });
    const first = await runtime.runCycle(fixture, { driver, keepCaseResults: true });
    const cases = await expectSameAsReadBack(stateDir, first);
    expect(cases.map((c) => [c.case_id.slice(0, 1), c.result])).toEqual([
      ["a", "applied"],
      ["b", "applied"],
      ["c", "drift"],
      ["d", "drift"],
      ["e", "malformed"],
      ["f", "failed"],
      ["g", "failed"],
      ["h", "applied"],
      ["j", "applied"],
      ["k", "drift"],
      ["z", "backlog"],
    ]);

    // The second cycle: processed cases are duplicates.
    const second = await runtime.runCycle(fixture, { driver, keepCaseResults: true });
    const again = await expectSameAsReadBack(stateDir, second);
    expect(again.filter((c) => c.result === "duplicate")).toHaveLength(5);
  });

  it("leave out a line longer than the reader holds, as the reader does", async () => {
    const stateDir = await makeStateDir();
    // 6M three-byte characters: an 18 MB line, past the 16 MiB a JSONL reader holds.
    const huge = "€".repeat(6_000_000);
    const fixture = fixtureOf([successCase("a", {}, { status_code: 204 }), successCase("b")]);
    const driver = recordingDriver((c) => (c.case_id === "a" ? { ...simulatedAnswer(c), response_body: { huge } } : simulatedAnswer(c)));
    const runtime = await openRuntime({ stateDir });
    const report = await runtime.runCycle(fixture, { driver, keepCaseResults: true });
    expect((await expectSameAsReadBack(stateDir, report)).map((c) => c.case_id)).toEqual(["b"]);
  });

  it("are the not_run cases of an interrupted cycle too", async () => {
    const stateDir = await makeStateDir();
    const controller = new AbortController();
    const fixture = fixtureOf([successCase("a"), successCase("b"), successCase("c")]);
    const driver = recordingDriver((c) => {
      if (c.case_id === "b") controller.abort();
      return simulatedAnswer(c);
    });
    const runtime = await openRuntime({ stateDir, settings: { concurrency: 1 } });
    const report = await runtime.runCycle(fixture, { driver, signal: controller.signal, keepCaseResults: true });
    expect(report.aborted).toBe(true);
    expect((await expectSameAsReadBack(stateDir, report)).map((c) => c.result)).toContain("not_run");
  });

  it("are not kept unless asked, and the report data is the same either way", async () => {
    const fixture = fixtureOf([successCase("a"), retryableCase("b"), successCase("c", {}, { status_code: 204 })]);
    const runtime = await openRuntime({ stateDir: await makeStateDir(), clock: manualClock().clock });
    const plain = await runtime.runCycle(fixture);
    expect(plain.caseResults).toBeUndefined();
    const kept = await runtime.runCycle(fixture, { keepCaseResults: true });
    const { caseResults, ...withoutCases } = kept;
    expect(caseResults).toHaveLength(3);
    const times = { startedUnixMs: 1, finishedUnixMs: 2 };
    const fromMemory = await reportDataFromCycle({ report: kept, ...times });
    const fromDisk = await reportDataFromCycle({ report: withoutCases, ...times });
    expect(JSON.stringify(fromMemory)).toBe(JSON.stringify(fromDisk));
  });
});
