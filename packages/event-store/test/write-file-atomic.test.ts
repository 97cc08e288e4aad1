import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { EventStoreError } from "../src/errors.js";
import { writeFileAtomic } from "../src/write-file-atomic.js";
import { spawnNode, tempDir } from "./helpers.js";

const SIZE = 2 * 1024 * 1024;

/** 'a' or 'b' when the file is exactly SIZE bytes of that one letter, otherwise a description. */
function classify(content: Buffer): string {
  if (content.length !== SIZE) return `torn: ${content.length} bytes`;
  const first = content[0];
  if (first !== 0x61 && first !== 0x62) return `unexpected first byte ${first}`;
  return content.every((byte) => byte === first) ? String.fromCharCode(first) : "mixed";
}

describe("writeFileAtomic", () => {
  it("replaces the content of an existing file", async () => {
    const path = join(await tempDir(), "state.json");
    await writeFile(path, "old content that is longer than the new one");
    await writeFileAtomic(path, '{"v":2}');
    expect(await readFile(path, "utf8")).toBe('{"v":2}');
  });

  it("writes bytes as given and creates missing parent directories", async () => {
    const path = join(await tempDir(), "a", "b", "blob.bin");
    await writeFileAtomic(path, new Uint8Array([0, 255, 10, 13]));
    expect([...(await readFile(path))]).toEqual([0, 255, 10, 13]);
  });

  it("leaves no temp file behind after success", async () => {
    const dir = await tempDir();
    await writeFileAtomic(join(dir, "state.json"), "x");
    await writeFileAtomic(join(dir, "state.json"), "y");
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("fails with E_IO naming the path and errno code, and removes its temp file", async () => {
    const dir = await tempDir();
    const path = join(dir, "state.json");
    // A directory in the way makes the final rename fail after the temp file was written.
    await mkdir(path);
    const error = await writeFileAtomic(path, "x").catch((e: unknown) => e);
    expect(EventStoreError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "E_IO", path });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/EISDIR|EEXIST|ENOTEMPTY|EPERM/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("keeps a temp name short enough for a 250-character target name", async () => {
    const dir = await tempDir();
    const path = join(dir, "n".repeat(250));
    await writeFileAtomic(path, "x");
    expect(await readFile(path, "utf8")).toBe("x");
  });

  it("leaves exactly the old or the new content when the writer is killed mid-write", async () => {
    const dir = await tempDir();
    const target = join(dir, "state.json");
    await writeFile(target, "a".repeat(SIZE));
    const script = `
      const { writeFileAtomic } = require(process.env.EVENT_STORE_DIST);
      const contents = ["a", "b"].map((letter) => letter.repeat(${SIZE}));
      (async () => {
        for (let i = 0; ; i += 1) {
          await writeFileAtomic(process.env.TARGET, contents[i % 2]);
          process.stdout.write("wrote " + i + "\\n");
        }
      })();
    `;
    for (let round = 0; round < 10; round += 1) {
      const child = spawnNode(script, { TARGET: target });
      await child.waitForLine((line) => line === "wrote 1");
      // Land the kill at a random point inside the next writes: mid-write, mid-fsync, mid-rename.
      await sleep(Math.random() * 30);
      child.process.kill("SIGKILL");
      expect(await child.exited).toMatchObject({ signal: "SIGKILL" });
      expect(classify(await readFile(target))).toMatch(/^[ab]$/);
    }
  });
});
