import { spawnSync } from "node:child_process";
import { readdir } from "node:fs/promises";
import { createReferenceGateway } from "@tau/gateway-reference";
import { describe, expect, it, onTestFinished } from "vitest";
import { DEFAULT_STATE_DIR, workspace } from "./helpers";

const QUICK = ["--gateway-watch-interval-ms", "0", "--gateway-listen", "127.0.0.1:0"];

/** Collects a child's stdout from the start; `waitFor` resolves once it has printed a match. */
function outputOf(child: import("node:child_process").ChildProcess): { waitFor(pattern: RegExp): Promise<RegExpMatchArray> } {
  let seen = "";
  let exited = false;
  const waiters = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    seen += chunk.toString("utf8");
    for (const check of waiters) check();
  });
  child.once("exit", () => {
    exited = true;
    for (const check of waiters) check();
  });
  return {
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(seen);
          if (match) {
            waiters.delete(check);
            resolve(match);
          } else if (exited) {
            waiters.delete(check);
            reject(new Error(`exited before printing ${pattern}: ${seen}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

describe("tau-gateway watch (behavior.md §11)", { timeout: 60_000 }, () => {
  it("runs --gateway-watch-count cycles, re-verifying every case, and reports the verdict", async () => {
    const ws = await workspace(["rollout-pass.json"]);
    const result = await ws.run(["watch", "--gateway-fixture", "fixtures/gateway-contract/rollout-pass.json", "--gateway-watch-count", "3", ...QUICK]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^watch: serving http:\/\/127\.0\.0\.1:\d+\/gate /);
    expect(result.stdout).toContain("watch cycle 1: gate=pass (guardrail_checks_passing) verdict=inconclusive (min_cycles_not_reached)");
    expect(result.stdout).toContain("watch cycle 3: gate=pass (guardrail_checks_passing) verdict=pass (guardrail_checks_passing)");
    expect(result.stdout).toContain("watch stopped: cycles=3 verdict=pass");
    const events = await ws.readJsonl(`${DEFAULT_STATE_DIR}/runtime-events.jsonl`);
    expect(events.map((e) => e.duplicate_skips)).toEqual([0, 0, 0]);
  });

  it("exits 3 with --gateway-fail-on-hold when the final verdict is not pass", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["watch", "--gateway-watch-count", "2", "--gateway-gate-min-cycles", "1", "--gateway-fail-on-hold", ...QUICK]);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("watch cycle 2: gate=hold (failure_streak_threshold_exceeded)");
  });

  it("serves the gate while it runs and stops on SIGTERM (exit 130), releasing the lock", async () => {
    const ws = await workspace(["rollout-pass.json"]);
    const running = ws.start([
      "watch",
      "--gateway-fixture",
      "fixtures/gateway-contract/rollout-pass.json",
      "--gateway-gate-min-cycles",
      "1",
      "--gateway-watch-interval-ms",
      "60000",
      "--gateway-listen",
      "127.0.0.1:0",
    ]);
    const output = outputOf(running.child);
    const [, url] = await output.waitFor(/serving (http:\/\/[^/]+)\/gate/);
    await output.waitFor(/watch cycle 1:/);
    const gate = await fetch(`${url}/gate`);
    expect(gate.status).toBe(200);
    expect(await gate.json()).toMatchObject({ verdict: "pass", cycles: 1 });
    const status = (await (await fetch(`${url}/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ rollout_gate: "pass", cycle_reports: 1, verdict: { verdict: "pass" } });
    running.child.kill("SIGTERM");
    const result = await running.done;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain("watch stopped: cycles=1");
    expect(await readdir(ws.path(DEFAULT_STATE_DIR))).not.toContain(".lock");
    // The next runner takes the state dir at once.
    expect((await ws.run(["run", "--gateway-fixture", "fixtures/gateway-contract/rollout-pass.json"])).code).toBe(0);
  });

  it("SIGTERM in the middle of a slow live cycle ends the watch at once: records kept, not a completed cycle", async () => {
    const gateway = createReferenceGateway({ latencyMs: 20_000 });
    const target = await gateway.listen();
    onTestFinished(() => gateway.close());
    const ws = await workspace(["rollout-pass.json"]);
    const running = ws.start([
      "watch",
      "--gateway-fixture",
      "fixtures/gateway-contract/rollout-pass.json",
      "--gateway-target-url",
      target,
      "--gateway-request-timeout-ms",
      "60000",
      ...QUICK,
    ]);
    await outputOf(running.child).waitFor(/serving http/);
    // Let the first requests reach the (slow) gateway, then stop.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const startedAt = performance.now();
    running.child.kill("SIGTERM");
    const result = await running.done;
    const tookMs = performance.now() - startedAt;
    expect(result.code).toBe(130);
    expect(result.stdout).toContain("watch stopped: cycles=0 verdict=inconclusive");
    // The interrupted cycle wrote state.json but no events line: it does not count as completed.
    expect(ws.exists(`${DEFAULT_STATE_DIR}/state.json`)).toBe(true);
    expect(ws.exists(`${DEFAULT_STATE_DIR}/runtime-events.jsonl`)).toBe(false);
    // Reported, not asserted on: timings belong to the bench (the gateway would take 20 s).
    console.info(`watch stopped ${Math.round(tookMs)} ms after SIGTERM`);
  });

  it("never prints the target's secrets (header values, URL userinfo), even when every request fails", async () => {
    const ws = await workspace(["rollout-pass.json"]);
    const result = await ws.run([
      "watch",
      "fixtures/gateway-contract/rollout-pass.json",
      "--gateway-target-url",
      "http://watchuser:watchpass-9f3@127.0.0.1:9",
      "--gateway-target-header",
      "X-Api-Key: tok-51d2e7",
      "--gateway-retry-max-attempts",
      "1",
      "--gateway-watch-count",
      "2",
      "--gateway-gate-min-cycles",
      "1",
      ...QUICK,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("watch stopped: cycles=2 verdict=hold");
    for (const secret of ["watchpass-9f3", "tok-51d2e7"]) {
      expect(result.stdout).not.toContain(secret);
      expect(result.stderr).not.toContain(secret);
    }
  });

  it("refuses a non-loopback listen address without a token (exit 2), before taking the lock", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["watch", "--gateway-listen", "0.0.0.0:0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--gateway-listen 0\.0\.0\.0 is reachable from other machines: give --gateway-listen-token/);
    expect(ws.exists(DEFAULT_STATE_DIR)).toBe(false);
  });

  it("rejects bad watch settings as usage errors", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const window = await ws.run(["watch", "--gateway-gate-window", "2", "--gateway-gate-window-max-holds", "2", ...QUICK]);
    expect(window.code).toBe(2);
    expect(window.stderr).toMatch(/windowMaxHolds must be smaller than window/);
    const listen = await ws.run(["watch", "--gateway-listen", "nowhere"]);
    expect(listen.code).toBe(2);
    expect(listen.stderr).toMatch(/--gateway-listen must be HOST:PORT/);
    const count = await ws.run(["watch", "--gateway-watch-count", "0"]);
    expect(count.code).toBe(2);
    expect(count.stderr).toMatch(/--gateway-watch-count must be greater than 0/);
  });
});

describe("run --gateway-metrics-textfile and log rotation", { timeout: 60_000 }, () => {
  it("writes the cycle's metrics for node_exporter's textfile collector, accepted by promtool", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["run", "--gateway-metrics-textfile", "metrics/tau.prom"]);
    expect(result.code).toBe(0);
    const text = await ws.readText("metrics/tau.prom");
    expect(text).toContain('tau_gateway_cases_total{outcome="applied"} 1');
    expect(text).toContain('tau_gateway_verdict{verdict="hold"} 1');
    expect(text).toContain("tau_gateway_failure_streak 1");
    expect(text).toMatch(/tau_gateway_request_duration_seconds_count\{method="GET",status_class="5xx"\} 4/);
    const check = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
    expect(`${check.stdout}${check.stderr}`).toBe("");
    expect(check.status).toBe(0);
    // No temp file left beside it for the collector to pick up.
    expect(await readdir(ws.path("metrics"))).toEqual(["tau.prom"]);
  });

  it("rotates runtime-events.jsonl and the channel logs; status and inspect count across the files", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const rotate = ["--gateway-events-max-bytes", "1", "--gateway-events-max-files", "2"];
    for (let i = 0; i < 4; i++) expect((await ws.run(["run", ...rotate])).code).toBe(0);
    const files = (await readdir(ws.path(DEFAULT_STATE_DIR))).filter((n) => n.startsWith("runtime-events")).sort();
    expect(files).toEqual(["runtime-events.jsonl", "runtime-events.jsonl.1", "runtime-events.jsonl.2"]);
    const status = JSON.parse((await ws.run(["status", "--json"])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ events_log_files: 3, cycle_reports: 3 });
    const inspect = await ws.run(["channel-store", "inspect", "gateway/ops-bot", "--json"]);
    expect(JSON.parse(inspect.stdout)).toMatchObject({ log_files: 3 });
  });
});
