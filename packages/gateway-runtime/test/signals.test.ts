import { describe, expect, it } from "vitest";
import { loadSharedFixture } from "./helpers/fixtures";
import { openRuntime, readJsonLines, readStateJson } from "./helpers/runtime";
import { makeStateDir } from "./helpers/temp-dir";
import { join } from "node:path";
import { existsSync } from "node:fs";
import { eventLoopYielder } from "../src/cycle/event-loop-yield";

// behavior.md §10: a signal stops any cycle, simulated included. The simulated driver answers on
// microtasks only; without yielding to the event loop the timer below would never fire and the
// cycle would retry a billion times.

describe("cancelling a simulated cycle", () => {
  it("sees an abort from a timer while retrying a case a billion times", { timeout: 30_000 }, async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, settings: { retryMaxAttempts: 1_000_000_000, concurrency: 8 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const report = await runtime.runCycle(await loadSharedFixture("mixed-outcomes"), { signal: controller.signal });

    expect(report.aborted).toBe(true);
    // The interrupt rule: records persisted, no events line, gate of the last complete cycle.
    expect(report.gate.reason_code).toBe("guardrail_state_missing");
    expect(await readStateJson(stateDir)).toMatchObject({ schema_version: 1 });
    expect(existsSync(join(stateDir, "runtime-events.jsonl"))).toBe(false);
  });

  it("sees an abort during a long cycle of cases that each answer at once", { timeout: 60_000 }, async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir, settings: { queueLimit: 200_000, processedCaseCap: 200_000, concurrency: 8 } });
    const base = await loadSharedFixture("rollout-pass");
    const template = base.cases[0];
    const cases = Array.from({ length: 200_000 }, (_, n) => ({ ...template, case_id: `case-${n}` })) as typeof base.cases;
    const controller = new AbortController();
    let done = 0;
    const report = await runtime.runCycle({ ...base, cases }, {
      signal: controller.signal,
      onProgress: (progress) => {
        done = progress.done;
        // Abort from a macrotask once the cycle is under way: only a yielding cycle lets it run.
        if (done === 1000) setImmediate(() => controller.abort());
      },
    });
    expect(report.aborted).toBe(true);
    expect(report.summary.applied_cases).toBeLessThan(200_000);
    expect(report.summary.applied_cases).toBeGreaterThanOrEqual(1000);
    const state = await readStateJson(stateDir);
    expect((state.processed_case_keys as string[]).length).toBe(report.summary.applied_cases);
    expect(await readJsonLines(join(stateDir, "runtime-events.jsonl")).catch(() => [])).toEqual([]);
  });
});

describe("eventLoopYielder", () => {
  it("hands every lane the same pause, so no lane keeps the microtask queue busy", async () => {
    const pauseDue = eventLoopYielder(0);
    let first: Promise<void> | undefined;
    for (let call = 0; call < 1000 && !first; call++) first = pauseDue();
    expect(first).toBeInstanceOf(Promise);
    // The other lanes ask next: they get the same macrotask to wait for.
    expect(pauseDue()).toBe(first);
    expect(pauseDue()).toBe(first);
    let ranBetween = false;
    setImmediate(() => (ranBetween = true));
    await first;
    expect(pauseDue()).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(ranBetween).toBe(true);
  });
});
