import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { fixtureOf, hasStackTrace, manyCases, readState, retryableCase, runArgs, runCli, startCli, successCase, tempDir, unsupportedMethodCase } from "./reliability-helpers";

// behavior.md §10: SIGINT and SIGTERM stop a cycle in every mode, simulated included, with exit
// 130 and the interrupt rule: what was recorded is kept; health, gate and the events log still
// describe the last complete cycle. The simulated driver answers on microtasks only, so before
// the cycle yielded to the event loop these signals were never handled.

/** Starts a run, waits until it holds the lock (the fixture is parsed), lets it work, signals it. */
async function interrupt(args: string[], stateDir: string, signal: NodeJS.Signals, settleMs: number) {
  const child = startCli(args, { timeoutMs: 180_000 });
  while (!existsSync(join(stateDir, ".lock"))) await sleep(10);
  await sleep(settleMs);
  const sentAt = performance.now();
  child.kill(signal);
  const result = await child.done;
  return { ...result, afterSignalMs: performance.now() - sentAt };
}

describe("signals in the default simulated mode", { timeout: 300_000 }, () => {
  it.each(["SIGINT", "SIGTERM"] as const)("%s stops a case retried a billion times: exit 130, records kept", async (signal) => {
    const dir = await tempDir();
    const fixture = join(dir, "f.json");
    await writeFile(fixture, JSON.stringify(fixtureOf("signals", [successCase("a-success"), unsupportedMethodCase("b-malformed"), retryableCase("c-retryable")])));
    const stateDir = join(dir, "state");
    // A first complete cycle gives the state a gate to keep.
    expect((await runCli(runArgs(fixture, stateDir))).code).toBe(0);
    const before = await readState(stateDir);

    const result = await interrupt(runArgs(fixture, stateDir, ["--gateway-retry-max-attempts", "1000000000", "--gateway-concurrency", "1"]), stateDir, signal, 300);
    console.log(`figures: ${signal} during 1e9 retries: exit ${result.code} ${result.afterSignalMs.toFixed(0)} ms after the signal`);
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(130);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(result.stdout).toContain("cycle interrupted");
    const after = await readState(stateDir);
    // Health and gate are those of the complete cycle; the events log has its one line only.
    expect(after.guardrail).toEqual(before.guardrail);
    expect(after.health).toEqual(before.health);
    const status = await runCli(["status", "--json", "--gateway-state-dir", stateDir]);
    expect(JSON.parse(status.stdout)).toMatchObject({ cycle_reports: 1, rollout_reason_code: (before.guardrail as { reason_code: string }).reason_code });
  });

  it("SIGINT stops a 300k-case cycle with exit 130 and keeps the cases recorded so far", async () => {
    const dir = await tempDir();
    const fixture = join(dir, "big.json");
    const count = 300_000;
    await writeFile(fixture, JSON.stringify(fixtureOf("big", manyCases(count))));
    const stateDir = join(dir, "state");
    const result = await interrupt(
      runArgs(fixture, stateDir, ["--gateway-queue-limit", String(count), "--gateway-processed-case-cap", String(count)]),
      stateDir,
      "SIGINT",
      1000,
    );
    console.log(`figures: SIGINT in a ${count}-case cycle: exit ${result.code} ${result.afterSignalMs.toFixed(0)} ms after the signal`);
    expect(result.signal).toBeNull();
    expect(result.code, result.stderr).toBe(130);
    const summary = /applied=(\d+) duplicate_skips=\d+ malformed=(\d+)/.exec(result.stdout);
    const recorded = Number(summary?.[1]) + Number(summary?.[2]);
    expect(recorded).toBeLessThan(count);
    const state = await readState(stateDir);
    expect((state.processed_case_keys as string[]).length).toBe(recorded);
    // A first cycle that was interrupted leaves no events line and no gate of its own.
    expect(existsSync(join(stateDir, "runtime-events.jsonl"))).toBe(false);
    expect(result.stdout).toContain("rollout_reason_code=guardrail_state_missing");
  });
});
