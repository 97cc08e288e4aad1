import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it, onTestFinished } from "vitest";
import { createReferenceGateway } from "@tau/gateway-reference";
import { httpDriver } from "@tau/gateway-runtime";
import { createWatchServer, GatewayWatcher } from "../src";
import { loadSharedFixture, openRuntime } from "./helpers/temp-dir";

// Run with `npm run soak -w @tau/gateway-watch` (SOAK=1); the figures go to docs/reliability.md.
const CYCLES = Number(process.env.SOAK_CYCLES ?? 1000);
const WARMUP = Math.min(100, Math.floor(CYCLES / 10));
const MiB = 1024 * 1024;

/** A full GC before each sample, so a lazy collector is not mistaken for a leak (or a leak for one). */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

describe.skipIf(!process.env.SOAK)("watch soak", () => {
  it(`keeps RSS flat over ${CYCLES} live watch cycles, scraped as it goes`, async () => {
    const gateway = createReferenceGateway({ failRate: 0.2, seed: 11 });
    const target = await gateway.listen();
    onTestFinished(() => gateway.close());
    const driver = httpDriver({ targetUrl: target, requestTimeoutMs: 5000, connections: 4 });
    onTestFinished(() => driver.close());
    const runtime = await openRuntime({
      settings: { retryMaxAttempts: 2, concurrency: 4 },
      rotation: { maxBytes: 256 * 1024, maxFiles: 2 },
    });
    const watcher = new GatewayWatcher({
      runtime,
      driver,
      fixture: await loadSharedFixture("mixed-outcomes"),
      settings: { intervalMs: 0, count: CYCLES, minCycles: 3, window: 10, windowMaxHolds: 3 },
    });
    const server = createWatchServer({ watcher });
    const url = await server.listen({ host: "127.0.0.1", port: 0 });
    onTestFinished(() => server.close(100));

    const rss: number[] = [];
    const heap: number[] = [];
    const scrapes: Promise<unknown>[] = [];
    const summary = await watcher.run({
      onCycle: ({ index }) => {
        if (index % 10 === 0) {
          const scrape = Promise.all([fetch(`${url}/metrics`).then((r) => r.text()), fetch(`${url}/status`).then((r) => r.json()), fetch(`${url}/gate`).then((r) => r.json())]);
          scrapes.push(scrape.then(() => undefined));
        }
        if (index % 50 === 0) {
          collectGarbage();
          const usage = process.memoryUsage();
          rss.push(usage.rss);
          heap.push(usage.heapUsed);
        }
      },
    });
    await Promise.all(scrapes);
    expect(summary.completedCycles).toBe(CYCLES);
    const warm = Math.max(0, Math.floor(WARMUP / 50) - 1);
    const growth = (samples: number[]) => Math.max(...samples.slice(-4)) - (samples[warm] ?? 0);
    const mib = (n: number) => (n / MiB).toFixed(1);
    const report =
      `watch soak: ${CYCLES} cycles; after ${WARMUP} cycles RSS ${mib(rss[warm] ?? 0)} MiB, heap ${mib(heap[warm] ?? 0)} MiB; ` +
      `max of the last 200: RSS ${mib(Math.max(...rss.slice(-4)))} MiB (+${mib(growth(rss))}), heap ${mib(Math.max(...heap.slice(-4)))} MiB (+${mib(growth(heap))}); ` +
      `RSS samples every 50 cycles: ${rss.map((r) => (r / MiB).toFixed(0)).join(",")}`;
    console.info(report);
    // The heap after a full GC is what a leak would grow; RSS also carries allocator slack.
    expect(growth(heap), report).toBeLessThan(4 * MiB);
    expect(growth(rss), report).toBeLessThan(32 * MiB);
  }, 600_000);
});
