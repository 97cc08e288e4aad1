import { onTestFinished } from "vitest";
import { createWatchServer, GatewayWatcher, type WatchServerOptions } from "../../src";
import { loadSharedFixture, openRuntime } from "./temp-dir";

/** A watcher over `fixture` that has run `cycles` cycles, served on a free loopback port. */
export async function servedWatcher(input: {
  fixture?: "rollout-pass" | "mixed-outcomes";
  cycles?: number;
  minCycles?: number;
  server?: Omit<WatchServerOptions, "watcher">;
}): Promise<{ url: string; watcher: GatewayWatcher }> {
  const runtime = await openRuntime();
  const watcher = new GatewayWatcher({
    runtime,
    fixture: await loadSharedFixture(input.fixture ?? "rollout-pass"),
    settings: { intervalMs: 0, count: Math.max(1, input.cycles ?? 1), minCycles: input.minCycles ?? 1 },
  });
  if ((input.cycles ?? 1) > 0) await watcher.run();
  const server = createWatchServer({ watcher, ...input.server });
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  onTestFinished(() => server.close(100));
  return { url, watcher };
}
