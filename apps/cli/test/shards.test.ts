import { describe, expect, it } from "vitest";
import { gateOf, summaryOf, workspace } from "./helpers";

const MIXED = "fixtures/gateway-contract/mixed-outcomes.json";
const PASS = "fixtures/gateway-contract/rollout-pass.json";
const DRIFT = "fixtures/gateway-contract/drift-success-body.json";

/** Environment without CI or Kubernetes index variables, whatever machine runs the tests. */
const NO_INDEX = { JOB_COMPLETION_INDEX: undefined, CI_NODE_INDEX: undefined, CI_NODE_TOTAL: undefined };

describe("--gateway-shard and --gateway-shard-count", { timeout: 60_000 }, () => {
  it("runs one shard of the fixture; the shards together discover every case once", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const discovered: number[] = [];
    for (const i of [1, 2, 3]) {
      const run = await ws.run(["run", "--gateway-fixture", MIXED, "--gateway-shard", `${i}/3`, "--gateway-state-dir", `s${i}`], { env: NO_INDEX });
      expect(run.code).toBe(0);
      discovered.push(summaryOf(run.stdout).discovered ?? 0);
      expect((await ws.readJson(`s${i}/state.json`)).last_cycle).toMatchObject({ shard: { index: i, count: 3 } });
    }
    expect(discovered.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it("takes the index from JOB_COMPLETION_INDEX (0-based), CI_NODE_INDEX (1-based) and TAU_GATEWAY_SHARD", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const k8s = await ws.run(["run", "--gateway-fixture", MIXED, "--gateway-shard-count", "4", "--gateway-state-dir", "k8s"], { env: { ...NO_INDEX, JOB_COMPLETION_INDEX: "3" } });
    expect(k8s.code).toBe(0);
    expect((await ws.readJson("k8s/state.json")).last_cycle).toMatchObject({ shard: { index: 4, count: 4 } });
    const gitlab = await ws.run(["run", "--gateway-fixture", MIXED, "--gateway-state-dir", "gl"], {
      env: { ...NO_INDEX, TAU_GATEWAY_SHARD_COUNT: "2", CI_NODE_INDEX: "2", CI_NODE_TOTAL: "2" },
    });
    expect(gitlab.code).toBe(0);
    expect((await ws.readJson("gl/state.json")).last_cycle).toMatchObject({ shard: { index: 2, count: 2 } });
    const variable = await ws.run(["run", "--gateway-fixture", MIXED, "--gateway-state-dir", "tau"], { env: { ...NO_INDEX, TAU_GATEWAY_SHARD: "1/2" } });
    expect(variable.code).toBe(0);
    expect((await ws.readJson("tau/state.json")).last_cycle).toMatchObject({ shard: { index: 1, count: 2 } });
  });

  it.each([
    [["--gateway-shard", "2"], {}, /--gateway-shard must look like I\/N/],
    [["--gateway-shard", "0/3"], {}, /index must be from 1 to 3 \(found 0\)/],
    [["--gateway-shard", "4/3"], {}, /index must be from 1 to 3 \(found 4\)/],
    [["--gateway-shard", "1/0"], {}, /count must be greater than 0/],
    [["--gateway-shard", "1/2", "--gateway-shard-count", "2"], {}, /not both/],
    [["--gateway-shard-count", "3"], {}, /neither is set/],
    [["--gateway-shard-count", "3"], { JOB_COMPLETION_INDEX: "3" }, /JOB_COMPLETION_INDEX=3 \(0-based\).*found 4/],
    [["--gateway-shard-count", "3"], { CI_NODE_INDEX: "2", CI_NODE_TOTAL: "4" }, /CI_NODE_TOTAL is 4/],
    [["--gateway-shard-count", "3"], { CI_NODE_INDEX: "x" }, /CI_NODE_INDEX must be a non-negative integer/],
    [["--gateway-shard-count", "3"], { CI_NODE_INDEX: "1", JOB_COMPLETION_INDEX: "0" }, /both JOB_COMPLETION_INDEX and CI_NODE_INDEX/],
    [["--gateway-shard-count", "0"], {}, /greater than 0/],
  ])("%j %j is a usage error (exit 2)", async (args, env, message) => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const run = await ws.run(["run", "--gateway-fixture", MIXED, ...args], { env: { ...NO_INDEX, ...env } });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(ws.exists(".tau/gateway/state.json")).toBe(false);
  });
});

describe("tau-gateway merge", { timeout: 60_000 }, () => {
  async function shards(fixture: string, count: number, extra: string[] = []) {
    const ws = await workspace(["mixed-outcomes.json", "rollout-pass.json", "drift-success-body.json"]);
    for (let i = 1; i <= count; i++) {
      await ws.run(["run", "--gateway-fixture", fixture, "--gateway-shard", `${i}/${count}`, "--gateway-state-dir", `shard-${i}`, ...extra], { env: NO_INDEX });
    }
    return { ws, dirs: Array.from({ length: count }, (_, i) => `shard-${i + 1}`) };
  }

  it("prints one summary and gate for the whole fixture and exits 0 without --gateway-fail-on-hold", async () => {
    const { ws, dirs } = await shards(MIXED, 2);
    const merge = await ws.run(["merge", "--gateway-state-dir", "merged", ...dirs]);
    expect(merge.code).toBe(0);
    expect(merge.stdout).toMatch(/^gateway merge: 2 of 2 shards/);
    expect(summaryOf(merge.stdout)).toMatchObject({ discovered: 3, applied: 1, malformed: 1, failed: 1, retryable_failures: 4 });
    expect(gateOf(merge.stdout)).toMatchObject({ rollout_gate: "hold", rollout_reason_code: "retryable_failures_threshold_exceeded" });
    const status = await ws.run(["status", "--gateway-state-dir", "merged", "--json"]);
    expect(JSON.parse(status.stdout)).toMatchObject({ cycle_reports: 1, request_count: 1, rollout_gate: "hold" });
  });

  it("exits 3 on hold with --gateway-fail-on-hold, 0 on pass, and --json carries the shards", async () => {
    const held = await shards(MIXED, 2);
    expect((await held.ws.run(["merge", "--gateway-state-dir", "merged", "--gateway-fail-on-hold", ...held.dirs])).code).toBe(3);
    const passing = await shards(PASS, 3);
    const merge = await passing.ws.run(["merge", "--gateway-state-dir", "merged", "--gateway-fail-on-hold", "--json", ...passing.dirs]);
    expect(merge.code).toBe(0);
    const report = JSON.parse(merge.stdout);
    expect(report).toMatchObject({ rollout_gate: "pass", request_count: 3 });
    expect(report.shards.map((s: { index: number }) => s.index)).toEqual([1, 2, 3]);
  });

  it("exits 4 when a shard saw contract drift", async () => {
    const { ws, dirs } = await shards(DRIFT, 2);
    const merge = await ws.run(["merge", "--gateway-state-dir", "merged", "--gateway-fail-on-hold", ...dirs]);
    expect(merge.code).toBe(4);
    expect(merge.stdout).toMatch(/contract drift in 1 case/);
  });

  it("exits 2 on a missing shard, shards of another fixture, no shard dirs or no --gateway-state-dir", async () => {
    const { ws, dirs } = await shards(MIXED, 3);
    const missing = await ws.run(["merge", "--gateway-state-dir", "merged", dirs[0]!, dirs[2]!]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing shard 2\/3/);
    await ws.run(["run", "--gateway-fixture", PASS, "--gateway-shard", "2/3", "--gateway-state-dir", "other"], { env: NO_INDEX });
    const other = await ws.run(["merge", "--gateway-state-dir", "merged", dirs[0]!, "other", dirs[2]!]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/another fixture/);
    expect((await ws.run(["merge", "--gateway-state-dir", "merged"])).code).toBe(2);
    expect((await ws.run(["merge", ...dirs])).stderr).toMatch(/needs --gateway-state-dir/);
    const threshold = await ws.run(["merge", "--gateway-state-dir", "merged", "--gateway-guardrail-failure-streak-threshold", "3", ...dirs]);
    expect(threshold.code).toBe(2);
    expect(threshold.stderr).toMatch(/settings from the shards.*--gateway-guardrail-failure-streak-threshold/);
    expect(ws.exists("merged")).toBe(false);
  });
  it("is a command of the registry: merge --help, the lock's stale time taken, no warning for run's shard flags", async () => {
    const { ws, dirs } = await shards(PASS, 2);
    const help = await ws.run(["merge", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/merge SHARD_DIR/);
    expect(help.stdout).toMatch(/--gateway-lock-stale-ms/);
    const run = await ws.run(["run", PASS, "--gateway-shard", "1/2", "--gateway-state-dir", "again"], { env: NO_INDEX });
    expect(run.stderr).not.toMatch(/warning/);
    const merge = await ws.run(["merge", "--gateway-state-dir", "merged", "--gateway-lock-stale-ms", "5000", "--port", "9", ...dirs]);
    expect(merge.code).toBe(0);
    expect(merge.stderr).toMatch(/--port does nothing for merge; ignored/);
    expect(ws.exists("merged/last-cycle.jsonl")).toBe(true);
    expect((await ws.run(["merge", "--gateway-state-dir", "merged", "--gateway-lock-stale-ms", "0", ...dirs])).code).toBe(2);
  });
});
