import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import { DEFAULT_STATE_DIR, fixtureOf, hasStackTrace, retryableCase, summaryOf, workspace } from "./helpers";

const LOCK = `${DEFAULT_STATE_DIR}/.lock`;

/** A node process that just waits: a pid that is certainly alive while the test runs. */
async function livePid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  onTestFinished(() => {
    child.kill("SIGKILL");
  });
  await new Promise<void>((resolve, reject) => {
    child.once("spawn", resolve);
    child.once("error", reject);
  });
  return child.pid as number;
}

/** The pid of a node process that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid as number;
}

const lockRecord = (pid: number) => `${JSON.stringify({ pid, hostname: hostname(), acquired_unix_ms: Date.now() - 1000 })}\n`;

describe("a corrupt state.json", { timeout: 30_000 }, () => {
  it("is moved aside to state.json.corrupt-<ms> with a warning naming it, and the run starts fresh", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const garbage = "{ this is not JSON";
    await ws.write(`${DEFAULT_STATE_DIR}/state.json`, garbage);

    const run = await ws.run(["--gateway-contract-runner"]);
    expect(run.code).toBe(0);
    expect(hasStackTrace(run.stderr)).toBe(false);
    expect(run.stderr).toMatch(/^warning: .*state\.json/);
    const match = /(\S*state\.json\.corrupt-\d+)/.exec(run.stderr);
    expect(match, run.stderr).not.toBeNull();
    const quarantined = match?.[1] as string;

    const files = await readdir(ws.path(DEFAULT_STATE_DIR));
    const corrupt = files.filter((name) => /^state\.json\.corrupt-\d+$/.test(name));
    expect(corrupt).toHaveLength(1);
    expect(quarantined.endsWith(corrupt[0] as string)).toBe(true);
    expect(await ws.readText(`${DEFAULT_STATE_DIR}/${corrupt[0]}`)).toBe(garbage);

    // Fresh state: nothing counted as a duplicate, and the new state.json is valid.
    expect(summaryOf(run.stdout)).toMatchObject({ discovered: 3, duplicate_skips: 0, applied: 1 });
    expect(await ws.readJson(`${DEFAULT_STATE_DIR}/state.json`)).toMatchObject({ schema_version: 1 });
  });

  it("quarantines a state.json of another schema version the same way", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const future = JSON.stringify({ schema_version: 2, processed_case_keys: [] });
    await ws.write(`${DEFAULT_STATE_DIR}/state.json`, future);
    const run = await ws.run(["--gateway-contract-runner"]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/state\.json\.corrupt-\d+/);
    const files = await readdir(ws.path(DEFAULT_STATE_DIR));
    const corrupt = files.find((name) => name.startsWith("state.json.corrupt-"));
    expect(await ws.readText(`${DEFAULT_STATE_DIR}/${corrupt}`)).toBe(future);
  });

  it("is reported, not moved, by the read-only inspect commands", async () => {
    const ws = await workspace();
    await ws.write(`${DEFAULT_STATE_DIR}/state.json`, "nope");
    const status = await ws.run(["--gateway-status-inspect"]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("state.json");
    expect(hasStackTrace(status.stderr)).toBe(false);
    expect(await ws.readText(`${DEFAULT_STATE_DIR}/state.json`)).toBe("nope");
  });
});

describe("the state-dir lock", { timeout: 30_000 }, () => {
  it("refuses to run with exit 5 while a live process holds the lock, naming its pid", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const pid = await livePid();
    const record = lockRecord(pid);
    await ws.write(LOCK, record);

    const run = await ws.run(["--gateway-contract-runner"]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`pid ${pid}`);
    expect(hasStackTrace(run.stderr)).toBe(false);
    // Nothing was run or written, and the holder's lock is left alone.
    expect(ws.exists(`${DEFAULT_STATE_DIR}/state.json`)).toBe(false);
    expect(await ws.readText(LOCK)).toBe(record);
  });

  it("takes over a lock left by a dead process and releases it afterwards", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.write(LOCK, lockRecord(await deadPid()));
    const run = await ws.run(["--gateway-contract-runner"]);
    expect(run.code).toBe(0);
    expect(summaryOf(run.stdout).discovered).toBe(3);
    expect(ws.exists(LOCK)).toBe(false);
  });

  it("lets the inspect commands read while a runner holds the lock", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["--gateway-contract-runner"]);
    await ws.write(LOCK, lockRecord(await livePid()));
    expect((await ws.run(["--gateway-status-inspect", "--gateway-status-json"])).code).toBe(0);
    expect((await ws.run(["--transport-health-inspect", "gateway"])).code).toBe(0);
  });

  it("lets exactly one of two simultaneous runners on one state dir run; the other exits 5 naming the winner", async () => {
    const ws = await workspace();
    // One retryable case with a 250 ms backoff base keeps the winner busy for ~1.75 s.
    await ws.write("slow.json", fixtureOf("slow", [retryableCase("slow-backend")]));
    const args = ["--gateway-contract-runner", "--gateway-fixture", "slow.json", "--gateway-retry-base-delay-ms", "250"];
    const results = await Promise.all([ws.run(args), ws.run(args)]);

    const codes = results.map((r) => r.code).sort();
    expect(codes).toEqual([0, 5]);
    const winner = results.find((r) => r.code === 0) as (typeof results)[number];
    const loser = results.find((r) => r.code === 5) as (typeof results)[number];
    expect(loser.stderr).toContain(`pid ${winner.pid}`);
    expect(summaryOf(winner.stdout)).toMatchObject({ retryable_failures: 4, retries: 3, failed: 1 });
    // Only the winner's cycle was recorded.
    expect(await ws.readJsonl(`${DEFAULT_STATE_DIR}/runtime-events.jsonl`)).toHaveLength(1);
    expect(ws.exists(LOCK)).toBe(false);
  });

  it("on Ctrl-C mid-cycle exits 130, releases the lock and leaves health and gate as the last complete cycle set them", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    await ws.run(["run"]);
    await ws.run(["run"]);
    const before = JSON.parse((await ws.run(["status", "--json"])).stdout) as Record<string, unknown>;
    expect(before).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "failure_streak_threshold_exceeded", guardrail_failure_streak: 2 });

    await ws.write("slow.json", fixtureOf("slow", [retryableCase("slow-backend")]));
    const running = ws.start(["run", "--gateway-fixture", "slow.json", "--gateway-retry-base-delay-ms", "400"]);
    // The lock appears when the runner has opened the state dir; the first backoff wait follows.
    for (let waited = 0; !ws.exists(LOCK) && waited < 10_000; waited += 20) await sleep(20);
    await sleep(200);
    running.child.kill("SIGINT");
    const result = await running.done;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain("cycle interrupted");
    expect(ws.exists(LOCK)).toBe(false);

    // A partial cycle must not turn a held, degraded state green.
    const after = JSON.parse((await ws.run(["status", "--json"])).stdout) as Record<string, unknown>;
    expect(after).toMatchObject({
      rollout_gate: "hold",
      rollout_reason_code: "failure_streak_threshold_exceeded",
      guardrail_failure_streak: 2,
      health_state: "degraded",
      cycle_reports: 2,
      health: before.health,
    });
  });
});
