import { spawnSync } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliResult,
  type JsonObject,
  fixtureOf,
  hasStackTrace,
  leftoverTempFiles,
  listFiles,
  manyCases,
  parseJsonl,
  readIfExists,
  readState,
  retryableCase,
  runArgs,
  runCli,
  scaled,
  startCli,
  stateData,
  suiteDir,
} from "./reliability-helpers";

// behavior.md §5: one runner per state dir; a second one exits 5 naming the holder's pid.
const TRIALS = scaled(10, 100);
const RACES = scaled(3, 20);
// The fixture's first case is retried 3 times, 300 ms and 600 ms apart: every cycle holds the lock
// for about a second, far longer than the spread between runners started together.
const SLOW = ["--gateway-retry-base-delay-ms", "300", "--gateway-retry-max-attempts", "3", "--gateway-queue-limit", "100000"];

/** A pid that belonged to a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

/** Starts `count` runners on one dir so that they begin within a millisecond of each other. */
async function startTogether(count: number, args: readonly string[]): Promise<CliResult[]> {
  const startAt = String(Date.now() + 400);
  const children = Array.from({ length: count }, () => startCli(args, { preload: true, env: { TAU_TEST_START_AT: startAt } }));
  return Promise.all(children.map((child) => child.done));
}

function expectLockedBy(loser: CliResult, holderPid: number): void {
  expect(loser.code, loser.stderr).toBe(5);
  expect(loser.stderr).toMatch(new RegExp(`locked by another runner \\(pid ${holderPid}[,)]`));
  expect(loser.stdout).toBe("");
  expect(hasStackTrace(loser.stderr)).toBe(false);
}

describe("one runner per state dir (behavior.md §5)", () => {
  let work: { dir: string; remove(): Promise<void> };
  let fixture: string;
  let referenceData: string;

  beforeAll(async () => {
    work = await suiteDir("tau-lock-");
    fixture = join(work.dir, "fixture.json");
    await writeFile(fixture, JSON.stringify(fixtureOf("lock", [...manyCases(2_000), retryableCase("aa-slow")])));
    const reference = join(work.dir, "reference");
    const run = await runCli(runArgs(fixture, reference, SLOW));
    expect(run.code, run.stderr).toBe(0);
    referenceData = JSON.stringify(stateData(await readState(reference)));
  }, 60_000);

  afterAll(async () => {
    await work?.remove();
  });

  /** No corruption: exactly the files and records one uninterrupted run per winner leaves. */
  async function expectIntact(stateDir: string, cycles: number): Promise<void> {
    expect(JSON.stringify(stateData(await readState(stateDir))) === referenceData, "state matches one uninterrupted run").toBe(true);
    const events = parseJsonl((await readIfExists(join(stateDir, "runtime-events.jsonl"))) ?? Buffer.alloc(0));
    expect(events.values.length).toBe(cycles);
    expect(events.invalid).toBe(0);
    const files = await listFiles(stateDir);
    expect(files.filter((f) => f.includes(".corrupt-"))).toEqual([]);
    expect(await leftoverTempFiles(stateDir)).toEqual([]);
    expect(files).not.toContain(".lock");
  }

  it(
    `lets exactly one of two runners started together run; the other exits 5 naming its pid (${TRIALS} trials)`,
    async () => {
      const started = performance.now();
      for (let trial = 1; trial <= TRIALS; trial++) {
        const dir = join(work.dir, `pair-${trial}`);
        // Every other trial starts from a state dir that already holds a cycle.
        const earlier = trial % 2 === 0 ? 1 : 0;
        if (earlier) expect((await runCli(runArgs(fixture, dir, SLOW))).code).toBe(0);
        const results = await startTogether(2, runArgs(fixture, dir, SLOW));
        expect(results.map((r) => r.code).sort(), `trial ${trial}: ${results.map((r) => r.stderr).join(" | ")}`).toEqual([0, 5]);
        const winner = results.find((r) => r.code === 0) as CliResult;
        const loser = results.find((r) => r.code === 5) as CliResult;
        expectLockedBy(loser, winner.pid);
        expect(winner.stdout).toMatch(/^gateway runner summary:/);
        await expectIntact(dir, earlier + 1);
      }
      console.log(`single-runner figures: ${JSON.stringify({ pairTrials: TRIALS, seconds: Math.round((performance.now() - started) / 1000) })}`);
    },
    scaled(120_000, 1_800_000),
  );

  it("takes over the lock of a runner SIGKILLed while holding it", async () => {
    const dir = join(work.dir, "killed-holder");
    const holder = startCli(runArgs(fixture, dir, SLOW));
    // Wait until the lock names the holder, then kill it mid-cycle.
    for (let waited = 0; ; waited += 10) {
      const lock = await readIfExists(join(dir, ".lock"));
      if (lock && lock.toString().includes(`"pid":${holder.pid}`)) break;
      if (waited > 20_000) throw new Error("the runner never took the lock");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    holder.kill("SIGKILL");
    expect((await holder.done).signal).toBe("SIGKILL");
    const left = JSON.parse(await readFile(join(dir, ".lock"), "utf8")) as JsonObject;
    expect(left.pid).toBe(holder.pid);

    const next = await runCli(runArgs(fixture, dir, SLOW));
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toBe("");
    await expectIntact(dir, 1);
  }, 60_000);

  it(`lets exactly one of four runners take over a dead runner's lock (${RACES} races)`, async () => {
    for (let race = 1; race <= RACES; race++) {
      const dir = join(work.dir, `race-${race}`);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, ".lock"), `${JSON.stringify({ pid: deadPid(), hostname: hostname(), acquired_unix_ms: Date.now() - 60_000 })}\n`);
      const results = await startTogether(4, runArgs(fixture, dir, SLOW));
      expect(results.map((r) => r.code).sort(), results.map((r) => r.stderr).join(" | ")).toEqual([0, 5, 5, 5]);
      const winner = results.find((r) => r.code === 0) as CliResult;
      for (const loser of results.filter((r) => r.code === 5)) expectLockedBy(loser, winner.pid);
      await expectIntact(dir, 1);
    }
  }, scaled(60_000, 600_000));

  it("refuses a lock whose holder is alive, names that pid, and touches nothing", async () => {
    const dir = join(work.dir, "live-holder");
    await mkdir(dir, { recursive: true });
    // The test process itself is the live holder.
    const lock = `${JSON.stringify({ pid: process.pid, hostname: hostname(), acquired_unix_ms: Date.now() })}\n`;
    await writeFile(join(dir, ".lock"), lock);
    const result = await runCli(runArgs(fixture, dir, SLOW));
    expectLockedBy(result, process.pid);
    expect(result.stderr).toContain(join(dir, ".lock"));
    expect(await listFiles(dir)).toEqual([".lock"]);
    expect(await readFile(join(dir, ".lock"), "utf8")).toBe(lock);
  }, 30_000);

  it("takes over an empty lock left by a runner killed before writing its pid, at once", async () => {
    const dir = join(work.dir, "empty-fresh-lock");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, ".lock"), "");
    const result = await runCli(runArgs(fixture, dir, SLOW));
    expect(result.code, result.stderr).toBe(0);
    await expectIntact(dir, 1);
  }, 30_000);
});
