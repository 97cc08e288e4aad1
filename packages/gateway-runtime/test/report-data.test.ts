import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { loadReportData, readCycleHistory, reportDataFromCycle, statePaths } from "../src";
import { fixtureOf, retryableCase, successCase, unsupportedMethodCase } from "./helpers/fixtures";
import { backendUnavailable, manualClock, openRuntime, recordingDriver, simulatedAnswer } from "./helpers/runtime";
import { makeStateDir } from "./helpers/temp-dir";

const T0 = 1_700_000_000_000;

async function threeCycles(stateDir: string) {
  const fixture = fixtureOf([successCase("a-flaky"), successCase("b-drift", {}, { status_code: 204 }), unsupportedMethodCase("c-malformed"), retryableCase("d-retryable"), successCase("z-backlog")], "rd");
  const driver = recordingDriver((c, attempt) => (c.case_id === "a-flaky" && attempt < 2 ? backendUnavailable() : simulatedAnswer(c)));
  const runtime = await openRuntime({ stateDir, clock: manualClock(T0).clock, settings: { queueLimit: 4 } });
  let report;
  for (let i = 0; i < 3; i++) {
    report = await runtime.runCycle(fixture, { driver, provenance: { fixtures: [{ path: "rd.json", sha256: "e".repeat(64) }] } });
  }
  await runtime.close();
  return report!;
}

describe("report data", () => {
  it("loads the last cycle, its verdict and the history from a state dir", async () => {
    const stateDir = await makeStateDir();
    await threeCycles(stateDir);
    const data = await loadReportData(stateDir);
    expect(data.fixture).toEqual({ name: "rd", paths: ["rd.json"], sha256: data.fixture.sha256 });
    expect(data.cases.map((c) => [c.case_id, c.result])).toEqual([
      ["a-flaky", "duplicate"],
      ["c-malformed", "duplicate"],
      ["b-drift", "drift"],
      ["d-retryable", "failed"],
      ["z-backlog", "backlog"],
    ]);
    expect(data.history).toHaveLength(3);
    expect(data.gate).toEqual({ gate: "hold", reason_code: "contract_drift_detected" });
    expect(data.thresholds).toEqual({ failureStreak: 2, retryableFailures: 2 });
    expect(data.health).toMatchObject({ state: "failing", failure_streak: 3 });
    expect(data.summary).toMatchObject({ discovered_cases: 5, queued_cases: 4, backlog_cases: 1, duplicate_skips: 2, failed_cases: 2, contract_drift_cases: 1, retryable_failures: 4 });
  });

  it("is the same data from the cycle report right after the cycle", async () => {
    const stateDir = await makeStateDir();
    const report = await threeCycles(stateDir);
    const fromDisk = await loadReportData(stateDir);
    const fromMemory = await reportDataFromCycle({ report, startedUnixMs: fromDisk.started_unix_ms, finishedUnixMs: fromDisk.finished_unix_ms });
    expect(fromMemory).toEqual(fromDisk);
  });

  it("says to run a cycle first when there is no last-cycle.jsonl", async () => {
    const stateDir = await makeStateDir();
    await mkdir(stateDir, { recursive: true });
    await writeFile(statePaths(stateDir).statePath, "{}");
    await expect(loadReportData(stateDir)).rejects.toThrow(/no last-cycle.jsonl in .*: run a cycle first/);
  });

  it("reads only the newest cycles of a long events log, skipping lines that do not parse", async () => {
    const stateDir = await makeStateDir();
    const { eventsPath } = statePaths(stateDir);
    await mkdir(stateDir, { recursive: true });
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ timestamp_unix_ms: i, health_state: "healthy", rollout_gate: "pass", rollout_reason_code: "guardrail_checks_passing", failed_cases: i % 2, retryable_failures: 0 }));
    await appendFile(eventsPath, `${lines.join("\n")}\nnot json\n\n`);
    const history = await readCycleHistory(eventsPath, 200);
    expect(history).toHaveLength(200);
    expect(history[0]?.timestamp_unix_ms).toBe(300);
    expect(history.at(-1)?.timestamp_unix_ms).toBe(499);
    expect(await readCycleHistory(`${eventsPath}.missing`)).toEqual([]);
  });
});
