import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openAtomicFile, sealedAtomicFile } from "../src/atomic-file.js";
import { tempDir } from "./helpers.js";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("openAtomicFile", () => {
  it("writes a file larger than its background flushes byte for byte, and an abort leaves the target alone", async () => {
    const dir = await tempDir();
    const target = join(dir, "big.jsonl");
    await writeFile(target, "old\n");
    const expected = createHash("sha256");
    const file = await openAtomicFile(target);
    // 80 MiB in 1 MiB writes: two background flushes start while it is written.
    for (let i = 0; i < 80; i++) {
      const chunk = Buffer.alloc(1024 * 1024, 0x61 + (i % 26));
      expected.update(chunk);
      await file.write(chunk);
    }
    await file.commit();
    const committed = expected.digest("hex");
    expect(sha(await readFile(target))).toBe(committed);

    const dropped = await openAtomicFile(target);
    for (let i = 0; i < 40; i++) await dropped.write(Buffer.alloc(1024 * 1024, 0x7a));
    await dropped.abort();
    expect(await readdir(dir)).toEqual(["big.jsonl"]);
    expect(sha(await readFile(target))).toBe(committed);
  });

  it("seals a file another owner commits (sealedAtomicFile) or drops", async () => {
    const dir = await tempDir();
    const target = join(dir, "last-cycle.jsonl");
    const file = await openAtomicFile(target);
    await file.write("line\n");
    await file.seal();
    await expect(file.write("more\n")).rejects.toThrow(/already finished/);
    expect(await readdir(dir)).toEqual([file.tempPath.slice(dir.length + 1)]);

    const owned = sealedAtomicFile(target, file.tempPath);
    await expect(owned.write("x")).rejects.toThrow(/sealed/);
    await owned.commit();
    expect(await readFile(target, "utf8")).toBe("line\n");
    expect(await readdir(dir)).toEqual(["last-cycle.jsonl"]);
    await expect(owned.commit()).rejects.toThrow(/already finished/);

    const other = await openAtomicFile(target);
    await other.write("other\n");
    await other.seal();
    await sealedAtomicFile(target, other.tempPath).abort();
    expect(await readdir(dir)).toEqual(["last-cycle.jsonl"]);
    expect(await readFile(target, "utf8")).toBe("line\n");
  });
});
