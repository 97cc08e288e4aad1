import type { Fixture } from "@tau/gateway-contract";
import { GatewayRuntime, mergeShards, type CycleReport, type MergeReport, type RunnerOptions } from "../../src";
import { makeTempDir } from "./temp-dir";

/** A fixture source as the CLI records it; the sha only has to be the same for one fixture. */
export function sourceOf(sha = "a".repeat(64)) {
  return [{ path: "fixtures/split.json", sha256: sha }];
}

/** N shard runtimes on fresh dirs, plus the merged dir they merge into; runtimes stay open across cycles. */
export async function shardSet(options: { count: number; settings?: RunnerOptions["settings"]; clock: () => number }) {
  const root = await makeTempDir();
  const dirs = Array.from({ length: options.count }, (_, i) => `${root}/shard-${i + 1}`);
  const runtimes = await Promise.all(
    dirs.map((stateDir) => GatewayRuntime.open({ stateDir, clock: options.clock, onWarning: () => undefined, ...(options.settings ? { settings: options.settings } : {}) })),
  );
  return {
    root,
    dirs,
    mergedDir: `${root}/merged`,
    /** One cycle on every shard, then a merge. */
    async cycle(fixture: Fixture, sha?: string): Promise<{ shards: CycleReport[]; merged: MergeReport }> {
      const shards: CycleReport[] = [];
      for (const [i, runtime] of runtimes.entries()) {
        shards.push(await runtime.runCycle(fixture, { provenance: { fixtures: sourceOf(sha), shard: { index: i + 1, count: options.count } } }));
      }
      const merged = await mergeShards({ stateDir: `${root}/merged`, shardDirs: dirs, clock: options.clock, onWarning: () => undefined });
      return { shards, merged };
    },
    async close() {
      await Promise.all(runtimes.map((r) => r.close()));
    },
  };
}
