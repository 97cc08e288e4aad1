import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// The build, whose merge writes last-cycle.jsonl on its worker thread (the package's tests build
// it first); from source the same job runs in this thread.
import * as built from "../dist/index.js";
import { GatewayRuntime, mergeShards } from "../src";
import { fixtureOf, successCase, unsupportedMethodCase } from "./helpers/fixtures";
import { sourceOf } from "./helpers/shards";
import { makeTempDir } from "./helpers/temp-dir";

const cases = [
  ...Array.from({ length: 40 }, (_, i) => successCase(`ok-${i}`)),
  unsupportedMethodCase("trace-1"),
  successCase('quote"and\\slash', { actor_id: "é-bot" }),
  successCase("漢字-😀", { method: "post", endpoint: "/v1/tasks" }),
];

describe("merge on the worker thread", { timeout: 60_000 }, () => {
  it("writes the same merged dir as the merge that runs in one thread", async () => {
    const root = await makeTempDir();
    const dirs = [1, 2, 3].map((i) => join(root, `shard-${i}`));
    for (const [i, stateDir] of dirs.entries()) {
      const runtime = await GatewayRuntime.open({ stateDir, onWarning: () => undefined });
      await runtime.runCycle(fixtureOf(cases), { provenance: { fixtures: sourceOf(), shard: { index: i + 1, count: 3 } } });
      await runtime.close();
    }
    expect(existsSync(new URL("../dist/merged-last-cycle-worker.js", import.meta.url))).toBe(true);
    const clock = () => 1_800_000_000_000;
    const warnings: string[] = [];
    const onWarning = (w: string) => warnings.push(w);
    const viaWorker = await built.mergeShards({ stateDir: join(root, "worker"), shardDirs: [dirs[2]!, dirs[0]!, dirs[1]!], clock, onWarning });
    const inThread = await mergeShards({ stateDir: join(root, "thread"), shardDirs: dirs, clock, onWarning });

    expect(warnings).toEqual([]);
    expect(viaWorker.requestCount).toBe(inThread.requestCount);
    for (const file of ["last-cycle.jsonl", "state.json", "runtime-events.jsonl"]) {
      expect(await readFile(join(root, "worker", file), "utf8"), file).toBe(await readFile(join(root, "thread", file), "utf8"));
    }
    const lines = (await readFile(join(root, "worker", "last-cycle.jsonl"), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(1 + cases.length);
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: "cycle", driver: "merge", provenance: { shard: null } });
  });
});
