import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  appendJsonl,
  appendJsonlRotated,
  ChannelStore,
  inspectRotatedJsonl,
  readRotatedJsonl,
  rotatedFiles,
  rotateJsonl,
  type RotationStep,
} from "../src/index.js";
import { tempDir } from "./helpers.js";

async function allLines(path: string): Promise<number[]> {
  const out: number[] = [];
  for await (const entry of readRotatedJsonl<{ n: number }>(path)) if (entry.ok) out.push(entry.value.n);
  return out;
}

class Crash extends Error {}

describe("rotateJsonl", () => {
  it("does nothing below maxBytes or when rotation is off", async () => {
    const path = join(await tempDir(), "x.jsonl");
    await appendJsonl(path, [{ n: 1 }]);
    expect(await rotateJsonl(path, { maxBytes: 1000, maxFiles: 2 })).toBe(false);
    expect(await rotateJsonl(path, { maxBytes: 0, maxFiles: 2 })).toBe(false);
    expect(await rotateJsonl(join(path, "..", "missing.jsonl"), { maxBytes: 1, maxFiles: 2 })).toBe(false);
    expect((await rotatedFiles(path)).map((f) => f.index)).toEqual([0]);
  });

  it("shifts x.jsonl to x.jsonl.1 … and drops the oldest beyond maxFiles", async () => {
    const dir = await tempDir();
    const path = join(dir, "x.jsonl");
    // Every append rotates first (maxBytes 1): each file holds one line.
    for (let n = 1; n <= 6; n++) await appendJsonlRotated(path, [{ n }], { maxBytes: 1, maxFiles: 3 });
    expect((await readdir(dir)).sort()).toEqual(["x.jsonl", "x.jsonl.1", "x.jsonl.2", "x.jsonl.3"]);
    expect(await readFile(join(dir, "x.jsonl.3"), "utf8")).toBe('{"n":3}\n');
    expect(await allLines(path)).toEqual([3, 4, 5, 6]);
  });

  it("reads and inspects across rotated files, counting them", async () => {
    const dir = await tempDir();
    const path = join(dir, "x.jsonl");
    for (let n = 1; n <= 3; n++) await appendJsonlRotated(path, [{ n }], { maxBytes: 1, maxFiles: 5 });
    await writeFile(join(dir, "x.jsonl.1"), "not json\n", { flag: "a" });
    const inspection = await inspectRotatedJsonl(path);
    expect(inspection).toMatchObject({ exists: true, files: 3, records: 3, invalidLines: 1 });
    expect(await inspectRotatedJsonl(join(dir, "none.jsonl"))).toMatchObject({ exists: false, files: 0, records: 0 });
  });

  it("ignores names that only look like rotated files", async () => {
    const dir = await tempDir();
    const path = join(dir, "x.jsonl");
    await appendJsonl(path, [{ n: 1 }]);
    for (const name of ["x.jsonl.0", "x.jsonl.01", "x.jsonl.corrupt-1", "x.jsonl.1.tmp", "xx.jsonl.1"]) await writeFile(join(dir, name), "{}\n");
    expect((await rotatedFiles(path)).map((f) => f.index)).toEqual([0]);
  });

  it("rejects a bad rotation as a programming error", async () => {
    const path = join(await tempDir(), "x.jsonl");
    await expect(rotateJsonl(path, { maxBytes: -1, maxFiles: 1 })).rejects.toThrow(RangeError);
    await expect(rotateJsonl(path, { maxBytes: 1, maxFiles: 0 })).rejects.toThrow(RangeError);
  });

  // A crash between any two steps of a rotation (renames, directory flush, deletes) must leave
  // every line that the kept-file count allows, in order; the next append recovers.
  it("a crash at any step of a rotation loses no line and keeps the order", async () => {
    const rotation = { maxBytes: 1, maxFiles: 3 };
    // Learn how many steps one rotation with a full set of files takes.
    const probeDir = await tempDir();
    const probe = join(probeDir, "x.jsonl");
    for (let n = 1; n <= 5; n++) await appendJsonlRotated(probe, [{ n }], rotation);
    const steps: RotationStep[] = [];
    await rotateJsonl(probe, { ...rotation, beforeStep: (s) => void steps.push(s) });
    expect(steps.map((s) => s.kind)).toEqual(["rename", "rename", "rename", "rename", "sync", "drop"]);

    for (let crashAt = 0; crashAt < steps.length; crashAt++) {
      const dir = await tempDir();
      const path = join(dir, "x.jsonl");
      for (let n = 1; n <= 5; n++) await appendJsonlRotated(path, [{ n }], rotation);
      expect(await allLines(path)).toEqual([2, 3, 4, 5]);
      let seen = 0;
      await expect(
        rotateJsonl(path, {
          ...rotation,
          beforeStep: () => {
            if (seen++ === crashAt) throw new Crash(`crash before step ${crashAt}`);
          },
        }),
      ).rejects.toThrow(/crash before step/);
      // Nothing was lost by the crash: the oldest line only goes in the (not yet run) drop step.
      expect(await allLines(path), `crash at step ${crashAt}`).toEqual([2, 3, 4, 5]);
      // The next writer goes on as if nothing happened, and keeps the newest lines in order.
      await appendJsonlRotated(path, [{ n: 6 }], rotation);
      await appendJsonlRotated(path, [{ n: 7 }], rotation);
      const lines = await allLines(path);
      expect(lines, `after crash at step ${crashAt}`).toEqual([...lines].sort((a, b) => a - b));
      expect(lines.slice(-4)).toEqual([4, 5, 6, 7]);
      expect((await rotatedFiles(path)).filter((f) => f.index > 0).length).toBeLessThanOrEqual(3);
    }
  });

  it("a crash after a gap was left still keeps maxFiles files' worth of lines", async () => {
    const dir = await tempDir();
    const path = join(dir, "x.jsonl");
    const rotation = { maxBytes: 1, maxFiles: 3 };
    for (let n = 1; n <= 3; n++) await appendJsonlRotated(path, [{ n }], rotation);
    // Crash after x.jsonl.2 → .3 but before .1 → .2: a gap at .2.
    let seen = 0;
    await expect(
      rotateJsonl(path, { ...rotation, beforeStep: () => { if (seen++ === 1) throw new Crash("crash"); } }),
    ).rejects.toThrow();
    expect((await rotatedFiles(path)).map((f) => f.index)).toEqual([3, 1, 0]);
    // The next rotation only shifts the run that starts at .1 into the gap: .3 is kept.
    await appendJsonlRotated(path, [{ n: 4 }], rotation);
    expect(await allLines(path)).toEqual([1, 2, 3, 4]);
  });
});

describe("ChannelStore with rotation", () => {
  it("rotates both logs and inspect counts records across the files", async () => {
    const root = await tempDir();
    const store = new ChannelStore(root, { rotation: { maxBytes: 1, maxFiles: 2 } });
    const ref = { transport: "gateway", channelId: "ops" };
    for (let n = 1; n <= 4; n++) {
      await store.appendLog({ ...ref, records: [{ n }] });
      await store.appendContext({ ...ref, records: [{ n }] });
    }
    const inspection = await store.inspect("gateway", "ops");
    expect(inspection).toMatchObject({ logRecords: 3, contextRecords: 3, logFiles: 3, contextFiles: 3 });
    const plain = await new ChannelStore(root).inspect("gateway", "ops");
    expect(plain.logFiles).toBe(3);
  });
});
