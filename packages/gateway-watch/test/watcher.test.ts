import { describe, expect, it } from "vitest";
import { createReferenceGateway } from "@tau/gateway-reference";
import { httpDriver, readGatewayStatus } from "@tau/gateway-runtime";
import { GatewayWatcher } from "../src";
import { loadSharedFixture, openRuntime } from "./helpers/temp-dir";
import { onTestFinished } from "vitest";

async function referenceGateway(options: Parameters<typeof createReferenceGateway>[0] = {}) {
  const gateway = createReferenceGateway(options);
  const url = await gateway.listen();
  // A test may close it early (an outage); closing twice is not an error here.
  onTestFinished(() => gateway.close().catch(() => undefined));
  return { gateway, url };
}

function liveDriver(url: string) {
  const driver = httpDriver({ targetUrl: url, requestTimeoutMs: 2000, connections: 4 });
  onTestFinished(() => driver.close());
  return driver;
}

describe("GatewayWatcher (behavior.md §11)", () => {
  it("re-verifies every case each cycle and passes after the minimum cycles", async () => {
    const runtime = await openRuntime();
    const watcher = new GatewayWatcher({
      runtime,
      fixture: await loadSharedFixture("rollout-pass"),
      settings: { intervalMs: 0, count: 3, minCycles: 3 },
    });
    const verdicts: string[] = [];
    const summary = await watcher.run({ onCycle: (e) => verdicts.push(`${e.index}:${e.verdict.verdict}:${e.report.summary.duplicate_skips}`) });
    expect(verdicts).toEqual(["1:inconclusive:0", "2:inconclusive:0", "3:pass:0"]);
    expect(summary).toMatchObject({ completedCycles: 3, interrupted: false, verdict: { verdict: "pass", cycles: 3 } });
    const status = await watcher.status();
    expect(status.verdict.verdict).toBe("pass");
    expect(status.cycle_reports).toBe(3);
    expect(status.rollout_gate).toBe("pass");
  });

  it("calls onCycleStart before each cycle runs, with its index (how a tracer opens the cycle span)", async () => {
    const runtime = await openRuntime();
    const watcher = new GatewayWatcher({ runtime, fixture: await loadSharedFixture("rollout-pass"), settings: { intervalMs: 0, count: 2 } });
    const events: string[] = [];
    await watcher.run({ onCycleStart: (index) => events.push(`start ${index}`), onCycle: (e) => events.push(`end ${e.index}`) });
    expect(events).toEqual(["start 1", "end 1", "start 2", "end 2"]);
  });

  it("counts consecutive failing cycles as a failure streak and holds", async () => {
    const runtime = await openRuntime();
    const watcher = new GatewayWatcher({
      runtime,
      fixture: await loadSharedFixture("mixed-outcomes"),
      settings: { intervalMs: 0, count: 3, minCycles: 1 },
    });
    const summary = await watcher.run();
    expect(summary.verdict).toMatchObject({ verdict: "hold", reason_code: "failure_streak_threshold_exceeded" });
    expect(await watcher.status()).toMatchObject({ guardrail_failure_streak: 3, health_state: "failing" });
  });

  it("a target outage fails cycles (health failing, verdict hold), never the watch", async () => {
    const { gateway, url } = await referenceGateway();
    await gateway.close();
    const runtime = await openRuntime({ settings: { retryMaxAttempts: 1 } });
    const watcher = new GatewayWatcher({
      runtime,
      fixture: await loadSharedFixture("rollout-pass"),
      driver: liveDriver(url),
      settings: { intervalMs: 0, count: 3, minCycles: 1 },
    });
    const errors: unknown[] = [];
    const summary = await watcher.run({ onCycleError: (e) => errors.push(e) });
    expect(errors).toEqual([]);
    expect(summary.completedCycles).toBe(3);
    expect(summary.verdict.verdict).toBe("hold");
    const status = await readGatewayStatus(runtime.paths.stateDir);
    expect(status.health_state).toBe("failing");
    const metrics = await watcher.metrics.text();
    expect(metrics).toMatch(/tau_gateway_request_duration_seconds_count\{method="POST",status_class="transport_error"\} [1-9]/);
    expect(metrics).toContain('tau_gateway_health{state="failing"} 1');
  });

  it("moves pass → hold → pass as the gateway's chaos is switched on and off", async () => {
    const { gateway, url } = await referenceGateway();
    const runtime = await openRuntime({ settings: { retryMaxAttempts: 1 } });
    const watcher = new GatewayWatcher({
      runtime,
      fixture: await loadSharedFixture("rollout-pass"),
      driver: liveDriver(url),
      settings: { intervalMs: 0, count: 6, minCycles: 1 },
    });
    const seen: string[] = [];
    await watcher.run({
      onCycle: ({ index, verdict }) => {
        seen.push(verdict.verdict);
        if (index === 2) gateway.setFailRate(1);
        if (index === 4) gateway.setFailRate(0);
      },
    });
    expect(seen).toEqual(["pass", "pass", "hold", "hold", "pass", "pass"]);
  });

  it("stops on the signal: the cycle under way keeps its records but does not count as completed", async () => {
    const { url } = await referenceGateway({ latencyMs: 300 });
    const runtime = await openRuntime({ settings: { concurrency: 1 } });
    const watcher = new GatewayWatcher({
      runtime,
      fixture: await loadSharedFixture("rollout-pass"),
      driver: liveDriver(url),
      settings: { intervalMs: 0, minCycles: 1 },
    });
    const controller = new AbortController();
    let cycles = 0;
    const done = watcher.run({
      signal: controller.signal,
      onCycle: () => {
        cycles++;
        // Stop in the middle of the second cycle (each case takes 300 ms).
        setTimeout(() => controller.abort(), 450);
      },
    });
    const summary = await done;
    expect(summary).toMatchObject({ interrupted: true, completedCycles: 1 });
    expect(cycles).toBe(1);
    const status = await readGatewayStatus(runtime.paths.stateDir);
    expect(status.cycle_reports).toBe(1);
    expect(await watcher.metrics.text()).toContain('tau_gateway_cycles_total{result="interrupted"} 1');
  });

  it("turns stale when no cycle completes within the staleness limit", async () => {
    let now = 1_700_000_000_000;
    const runtime = await openRuntime({ clock: () => now });
    const watcher = new GatewayWatcher({
      runtime,
      clock: () => now,
      fixture: await loadSharedFixture("rollout-pass"),
      settings: { intervalMs: 0, count: 1, minCycles: 1, staleMs: 1000 },
    });
    await watcher.run();
    expect(watcher.verdict().verdict).toBe("pass");
    now += 1001;
    expect(watcher.verdict()).toMatchObject({ verdict: "hold", reason_code: "gate_stale" });
    expect(await watcher.metrics.text()).toContain('tau_gateway_verdict{verdict="hold"} 1');
  });
});
