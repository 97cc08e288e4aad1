import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readGatewayStatus } from "../src";
import { loadSharedFixture } from "./helpers/fixtures";
import { makeStateDir } from "./helpers/temp-dir";
import { openRuntime, recordingDriver, simulatedAnswer, backendUnavailable } from "./helpers/runtime";

describe("runCycle({ reverify: true }) (behavior.md §11, watch)", () => {
  it("runs every queued case again: no duplicate skips, and a failing case builds a failure streak", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir() });
    const fixture = await loadSharedFixture("mixed-outcomes");
    const driver = recordingDriver(simulatedAnswer);
    for (let i = 0; i < 3; i++) await runtime.runCycle(fixture, { driver, reverify: true });
    const last = await runtime.runCycle(fixture, { driver, reverify: true });
    expect(last.summary).toMatchObject({ duplicate_skips: 0, applied_cases: 1, malformed_cases: 1, failed_cases: 1 });
    expect(last.health.failure_streak).toBe(4);
    // Each of the 3 cases ran in each of the 4 cycles (the retryable one 4 attempts each time).
    expect(new Set(driver.calls.map((c) => c.caseId)).size).toBe(3);
    expect(driver.calls.filter((c) => c.attempt === 1)).toHaveLength(12);
  });

  it("a passing cycle after failing ones resets the streak", async () => {
    const runtime = await openRuntime({ stateDir: await makeStateDir() });
    const fixture = await loadSharedFixture("rollout-pass");
    await runtime.runCycle(fixture, { driver: recordingDriver(backendUnavailable), reverify: true });
    const failed = await runtime.runCycle(fixture, { driver: recordingDriver(backendUnavailable), reverify: true });
    expect(failed.health.failure_streak).toBe(2);
    expect(failed.gate.gate).toBe("hold");
    const ok = await runtime.runCycle(fixture, { driver: recordingDriver(simulatedAnswer), reverify: true });
    expect(ok.summary.duplicate_skips).toBe(0);
    expect(ok.health.failure_streak).toBe(0);
    expect(ok.gate.gate).toBe("pass");
  });
});

describe("GatewayRuntime rotation", () => {
  it("rotates runtime-events.jsonl and the channel logs, and status reads across the files", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, rotation: { maxBytes: 1, maxFiles: 2 } });
    const fixture = await loadSharedFixture("mixed-outcomes");
    for (let i = 0; i < 5; i++) await runtime.runCycle(fixture, { reverify: true });
    const names = (await readdir(stateDir)).filter((n) => n.startsWith("runtime-events")).sort();
    expect(names).toEqual(["runtime-events.jsonl", "runtime-events.jsonl.1", "runtime-events.jsonl.2"]);
    const status = await readGatewayStatus(stateDir);
    expect(status).toMatchObject({ events_log_present: true, events_log_files: 3, cycle_reports: 3, invalid_cycle_reports: 0 });
    expect(status.health.failure_streak).toBe(5);
    const actorFiles = await readdir(join(stateDir, "channel-store", "gateway"));
    expect(actorFiles.length).toBeGreaterThan(0);
    for (const actor of actorFiles) {
      const files = (await readdir(join(stateDir, "channel-store", "gateway", actor))).filter((n) => n.startsWith("log.jsonl"));
      expect(files.sort()).toEqual(["log.jsonl", "log.jsonl.1", "log.jsonl.2"]);
    }
  });
});
