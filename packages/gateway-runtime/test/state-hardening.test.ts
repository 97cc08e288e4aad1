import { readdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GatewayRuntime } from "../src";
import { fixtureOf, successCase } from "./helpers/fixtures";
import { openRuntime } from "./helpers/runtime";
import { makeStateDir } from "./helpers/temp-dir";

describe("GatewayRuntime and its lock (behavior.md §10)", () => {
  it("refuses a lockStaleMs that is not a positive integer", async () => {
    const stateDir = await makeStateDir();
    for (const lockStaleMs of [0, -1, 1.5]) {
      await expect(GatewayRuntime.open({ stateDir, lockStaleMs })).rejects.toMatchObject({ code: "E_INVALID_OPTION" });
    }
  });

  it("writes nothing of a cycle when its lock was taken over while it ran (E_STATE_LOCKED)", async () => {
    const stateDir = await makeStateDir();
    const runtime = await openRuntime({ stateDir });
    // Another runner, on another host, took the lock over (as if ours had gone stale).
    const other = join(stateDir, ".lock.other");
    await writeFile(other, `${JSON.stringify({ pid: 77, hostname: "elsewhere", pid_ns: null, acquired_unix_ms: Date.now() })}\n`);
    await rename(other, join(stateDir, ".lock"));
    const fixture = fixtureOf([successCase("a", { actor_id: "alice" })]);
    await expect(runtime.runCycle(fixture)).rejects.toMatchObject({ code: "E_STATE_LOCKED", message: expect.stringContaining("taken over") });
    await runtime.close();
    expect(await readdir(stateDir)).toEqual([".lock"]);
  });
});
