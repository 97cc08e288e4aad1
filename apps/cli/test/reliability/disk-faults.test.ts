import { mkdir, open, rm, statfs, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliOptions,
  type JsonObject,
  bindMountSelf,
  fixtureOf,
  hasStackTrace,
  leftoverTempFiles,
  loggedEventKeys,
  manyCases,
  mountTmpfs,
  readChannelStore,
  readState,
  runArgs,
  runCli,
  snapshotFiles,
  suiteDir,
  tempDir,
  tmpfsSupport,
} from "./reliability-helpers";

// behavior.md §5, §9: a full or read-only disk is a clear error with exit 1; the previous
// state stays intact and readable, and the next run on a healthy disk catches up.
const BASE_CASES = 600;
const NEXT_CASES = 1_200;

/** Everything a failed run must have left as it was. */
async function expectPreviousStateIntact(stateDir: string, before: Map<string, Buffer>): Promise<void> {
  const after = await snapshotFiles(stateDir);
  expect([...after.keys()].filter((file) => !before.has(file)), "no new files").toEqual([]);
  for (const [file, bytes] of before) {
    const now = after.get(file);
    expect(now, `${file} still exists`).toBeDefined();
    if (file.endsWith("log.jsonl") || file.endsWith("context.jsonl")) {
      // Appends may have landed in part (a torn tail, counted as invalid); old records never change.
      expect(now?.subarray(0, bytes.length).equals(bytes), `${file} keeps its records`).toBe(true);
    } else if (file.endsWith("MEMORY.md")) {
      // Written with the channel store, before state.json: the old snapshot or a complete new one.
      const lines = now?.toString("utf8").split("\n") ?? [];
      expect(lines[0]?.startsWith("# Tau Gateway Snapshot (") && lines.at(-1) === "" && lines.slice(2, -1).every((l) => l.startsWith("- case-")), `${file} is whole`).toBe(true);
    } else {
      expect(now?.equals(bytes), `${file} is unchanged`).toBe(true);
    }
  }
  expect(await leftoverTempFiles(stateDir)).toEqual([]);
  // Readable: the status report works and shows the previous cycle.
  const status = await runCli(["status", "--json", "--gateway-state-dir", stateDir]);
  expect(status.code, status.stderr).toBe(0);
  const report = JSON.parse(status.stdout) as JsonObject;
  expect(report.processed_case_count).toBe(BASE_CASES);
  expect(report.cycle_reports).toBe(1);
}

/** A failed run: exit 1, one clear line naming the errno and a path, no stack trace, no summary. */
function expectClearFailure(result: { code: number | null; stdout: string; stderr: string }, errno: string, stateDir: string): string {
  expect(result.code, result.stderr).toBe(1);
  expect(result.stdout).toBe("");
  expect(hasStackTrace(result.stderr), result.stderr).toBe(false);
  expect(result.stderr).toMatch(new RegExp(`^error: .*${errno}`));
  expect(result.stderr).toContain(stateDir);
  return (result.stderr.split("\n")[0] ?? "").replaceAll(stateDir, "<state>");
}

/** The next run on a healthy disk converges: every case processed, every processed case logged. */
async function expectCatchesUp(fixture: string, stateDir: string, options: CliOptions = {}): Promise<void> {
  const result = await runCli(runArgs(fixture, stateDir, ["--gateway-queue-limit", "5000"]), options);
  expect(result.code, result.stderr).toBe(0);
  const state = await readState(stateDir);
  const processed = state.processed_case_keys as string[];
  expect(processed.length).toBe(NEXT_CASES);
  const logged = loggedEventKeys(await readChannelStore(stateDir));
  expect(processed.filter((key) => !logged.has(key))).toEqual([]);
}

describe("disk faults (behavior.md §5)", () => {
  let fixtures: { base: string; next: string };
  /**
   * A BASE → NEXT cycle: bytes it adds to the channel store, bytes it writes there (appends plus
   * whole new MEMORY.md files), and the size of NEXT's state.json.
   */
  let growth: { channelStore: number; channelWrites: number; state: number };
  const figures: Record<string, string> = {};
  let work: { dir: string; remove(): Promise<void> };

  beforeAll(async () => {
    work = await suiteDir("tau-disk-fixtures-");
    fixtures = { base: join(work.dir, "base.json"), next: join(work.dir, "next.json") };
    await writeFile(fixtures.base, JSON.stringify(fixtureOf("base", manyCases(BASE_CASES))));
    await writeFile(fixtures.next, JSON.stringify(fixtureOf("next", manyCases(NEXT_CASES))));
    const probe = join(work.dir, "probe");
    expect((await runCli(runArgs(fixtures.base, probe, ["--gateway-queue-limit", "5000"]))).code).toBe(0);
    const sizes = async () => {
      const files = [...(await snapshotFiles(join(probe, "channel-store"))).entries()];
      const total = (filter: (file: string) => boolean) => files.filter(([file]) => filter(file)).reduce((sum, [, b]) => sum + b.length, 0);
      return { all: total(() => true), memory: total((file) => file.endsWith("MEMORY.md")) };
    };
    const before = await sizes();
    expect((await runCli(runArgs(fixtures.next, probe, ["--gateway-queue-limit", "5000"]))).code).toBe(0);
    const after = await sizes();
    growth = {
      channelStore: after.all - before.all,
      channelWrites: after.all - before.all - (after.memory - before.memory) + after.memory,
      state: (await snapshotFiles(probe)).get("state.json")?.length ?? 0,
    };
  }, 60_000);

  afterAll(async () => {
    await work?.remove();
  });

  async function primed(stateDir: string): Promise<Map<string, Buffer>> {
    const result = await runCli(runArgs(fixtures.base, stateDir, ["--gateway-queue-limit", "5000"]));
    expect(result.code, result.stderr).toBe(0);
    return snapshotFiles(stateDir);
  }

  describe("on a real small tmpfs", () => {
    it("fails a cycle on a full disk with exit 1 and keeps the previous state, wherever the space runs out", async (context) => {
      const support = await tmpfsSupport();
      if (!support.ok) {
        context.skip(`${support.reason}; the injected-ENOSPC test below covers a full disk`);
        return;
      }
      const disk = join(await tempDir(), "disk");
      await mkdir(disk);
      mountTmpfs(disk, 16 * 1024 * 1024);
      const page = 4096;
      const variants: [string, number, string][] = [
        ["no space at all", 0, "lock file"],
        // state.json is streamed to its temp file before the channel-store appends (and renamed in
        // after them), so a too-small disk fails there first, before any channel-store entry.
        ["space for part of the state.json temp file", 16 * page, "state.json"],
        ["space for state.json but not the channel store", Math.ceil((growth.state + growth.channelStore / 2) / page) * page, "channel-store"],
      ];
      for (const [label, free, site] of variants) {
        const stateDir = join(disk, `state-${free}`);
        const before = await primed(stateDir);
        const filler = join(disk, `filler-${free}`);
        await fillDisk(disk, filler, free);
        const failed = await runCli(runArgs(fixtures.next, stateDir, ["--gateway-queue-limit", "5000"]));
        figures[`tmpfs ENOSPC, ${label}`] = expectClearFailure(failed, "ENOSPC", stateDir);
        expect(failed.stderr, label).toContain(site);
        await expectPreviousStateIntact(stateDir, before);
        await rm(filler);
        await expectCatchesUp(fixtures.next, stateDir);
      }
      console.log(`disk-fault figures: ${JSON.stringify(figures)}`);
    }, 120_000);

    it("fails on a read-only state dir with exit 1 and keeps it readable", async (context) => {
      const support = await tmpfsSupport();
      if (!support.ok) {
        context.skip(`${support.reason}; the injected-EROFS test below covers a read-only disk`);
        return;
      }
      const disk = join(await tempDir(), "disk");
      await mkdir(disk);
      const mount = mountTmpfs(disk, 16 * 1024 * 1024);
      const stateDir = join(disk, "state");
      const before = await primed(stateDir);
      mount.remount("ro");
      const failed = await runCli(runArgs(fixtures.next, stateDir, ["--gateway-queue-limit", "5000"]));
      figures["tmpfs remounted read-only"] = expectClearFailure(failed, "EROFS", stateDir);
      await expectPreviousStateIntact(stateDir, before);
      mount.remount("rw");
      await expectCatchesUp(fixtures.next, stateDir);
    }, 60_000);

    it("fails when only the channel store is read-only, before touching state.json, and releases the lock", async (context) => {
      const support = await tmpfsSupport();
      if (!support.ok) {
        context.skip(`${support.reason}; the injected-EROFS test below covers it`);
        return;
      }
      const stateDir = join(await tempDir(), "state");
      const before = await primed(stateDir);
      const channelStore = join(stateDir, "channel-store");
      const bind = bindMountSelf(channelStore);
      bind.remount("bind,ro");
      const failed = await runCli(runArgs(fixtures.next, stateDir, ["--gateway-queue-limit", "5000"]));
      figures["read-only bind mount of channel-store/"] = expectClearFailure(failed, "EROFS", stateDir);
      expect(failed.stderr).toContain(join(channelStore, "gateway"));
      await expectPreviousStateIntact(stateDir, before);
      bind.unmount();
      await expectCatchesUp(fixtures.next, stateDir);
    }, 60_000);
  });

  describe("injected into the runner (child-preload.mjs), on any machine", () => {
    const inject = (dir: string, kind: "ENOSPC" | "EROFS", budget = 0): CliOptions => ({
      preload: true,
      env: { TAU_TEST_FAULT_DIR: dir, TAU_TEST_FAULT_KIND: kind, TAU_TEST_FAULT_BUDGET: String(budget) },
    });

    it("fails on ENOSPC with exit 1 and keeps the previous state, wherever the space runs out", async () => {
      const variants: [string, number, string][] = [
        ["no space at all", 0, "lock file"],
        ["space for the lock only", 200, "state.json"],
        ["space for part of the state.json temp file", 200 + Math.floor(growth.state / 2), "state.json"],
        ["space for state.json but not the channel store", 200 + growth.state + Math.floor(growth.channelWrites / 2), "channel-store"],
      ];
      for (const [label, budget, site] of variants) {
        const stateDir = join(await tempDir(), "state");
        const before = await primed(stateDir);
        const failed = await runCli(runArgs(fixtures.next, stateDir, ["--gateway-queue-limit", "5000"]), inject(stateDir, "ENOSPC", budget));
        figures[`injected ENOSPC, ${label}`] = expectClearFailure(failed, "ENOSPC", stateDir);
        expect(failed.stderr, label).toContain(site);
        await expectPreviousStateIntact(stateDir, before);
        await expectCatchesUp(fixtures.next, stateDir);
      }
    }, 120_000);

    it("fails on EROFS with exit 1 and keeps the previous state, for the whole dir or the channel store", async () => {
      for (const part of ["", "channel-store"]) {
        const stateDir = join(await tempDir(), "state");
        const before = await primed(stateDir);
        const failed = await runCli(runArgs(fixtures.next, stateDir, ["--gateway-queue-limit", "5000"]), inject(join(stateDir, part), "EROFS"));
        figures[`injected EROFS on ${part || "the state dir"}`] = expectClearFailure(failed, "EROFS", stateDir);
        await expectPreviousStateIntact(stateDir, before);
        await expectCatchesUp(fixtures.next, stateDir);
      }
      console.log(`disk-fault figures: ${JSON.stringify(figures)}`);
    }, 120_000);
  });
});

/** Fills the file system of `disk` with `filler` until only `free` bytes are left. */
async function fillDisk(disk: string, filler: string, free: number): Promise<void> {
  const stats = await statfs(disk);
  let remaining = stats.bavail * stats.bsize - free;
  const chunk = Buffer.alloc(1024 * 1024);
  const handle = await open(filler, "w");
  try {
    while (remaining > 0) {
      const { bytesWritten } = await handle.write(chunk, 0, Math.min(chunk.length, remaining));
      remaining -= bytesWritten;
    }
  } finally {
    await handle.close();
  }
}
