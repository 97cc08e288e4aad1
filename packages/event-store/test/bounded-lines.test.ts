import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { appendFile, readdir, readFile, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inspectJsonl } from "../src/inspect-jsonl.js";
import type { JsonlEntry } from "../src/read-jsonl.js";
import { readJsonl } from "../src/read-jsonl.js";
import { repairJsonl } from "../src/repair-jsonl.js";
import { MAX_LINE_BYTES, scanLines } from "../src/scan-lines.js";
import { tempDir } from "./helpers.js";

async function readAll(path: string): Promise<JsonlEntry<unknown>[]> {
  const entries: JsonlEntry<unknown>[] = [];
  for await (const entry of readJsonl(path)) entries.push(entry);
  return entries;
}

async function sha256(path: string, start = 0, end?: number): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { start, ...(end === undefined ? {} : { end }) })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** `{"a":1}`, then a line of `size` bytes (sparse NULs after a `{`), then `{"b":2}`. */
async function logWithLongLine(size: number): Promise<{ path: string; longStart: number }> {
  const path = join(await tempDir(), "log.jsonl");
  await writeFile(path, '{"a":1}\n{');
  const longStart = 8;
  await truncate(path, longStart + size);
  await appendFile(path, '\n{"b":2}\n');
  return { path, longStart };
}

describe("JSONL readers hold at most one bounded line", () => {
  it("counts a line longer than 16 MiB invalid and reads the lines around it", async () => {
    const size = MAX_LINE_BYTES + 5 * 1024 * 1024 + 3;
    const { path } = await logWithLongLine(size);
    const entries = await readAll(path);
    expect(entries.map((e) => (e.ok ? e.value : e.lineNumber))).toEqual([{ a: 1 }, 2, { b: 2 }]);
    const long = entries[1] as Extract<JsonlEntry<unknown>, { ok: false }>;
    expect(long.error).toBe(`line is ${size} bytes, longer than the ${MAX_LINE_BYTES} bytes a reader holds; skipped unread`);
    expect(long.raw.length).toBeLessThanOrEqual(200);
    expect(long.raw.startsWith("{")).toBe(true);
    expect(await inspectJsonl(path)).toMatchObject({ records: 2, invalidLines: 1 });
  });

  it("keeps a line of exactly 16 MiB, and says when an oversized last line is torn", async () => {
    const dir = await tempDir();
    const exact = join(dir, "exact.jsonl");
    const body = `"${"x".repeat(MAX_LINE_BYTES - 2)}"`;
    await writeFile(exact, `${body}\n`);
    const [entry] = await readAll(exact);
    expect(entry?.ok).toBe(true);

    const torn = join(dir, "torn.jsonl");
    await writeFile(torn, '{"a":1}\n');
    await truncate(torn, 8 + MAX_LINE_BYTES + 1);
    const entries = await readAll(torn);
    expect(entries[1]).toMatchObject({ ok: false, lineNumber: 2, error: expect.stringMatching(/^last line has no trailing newline \(torn write\?\): line is 16777217 bytes/) });
  });

  it("reports offsets and lengths of every line, oversized ones included", async () => {
    const { path, longStart } = await logWithLongLine(MAX_LINE_BYTES + 10);
    const lines = [];
    for await (const line of scanLines(path)) lines.push({ offset: line.offset, length: line.length, oversized: line.oversized, head: line.bytes.length });
    expect(lines).toEqual([
      { offset: 0, length: 7, oversized: false, head: 7 },
      { offset: longStart, length: MAX_LINE_BYTES + 10, oversized: true, head: 800 },
      { offset: longStart + MAX_LINE_BYTES + 11, length: 7, oversized: false, head: 7 },
    ]);
  });

  it("repair moves an oversized line to the corrupt file byte for byte, streaming it", async () => {
    const size = MAX_LINE_BYTES + 3 * 1024 * 1024 + 17;
    const { path, longStart } = await logWithLongLine(size);
    const expected = await sha256(path, longStart, longStart + size - 1);
    const result = await repairJsonl(path, { now: () => 1234 });
    expect(result).toEqual({ path, kept: 2, moved: 1, corruptPath: `${path}.corrupt-1234` });
    expect(await readFile(path, "utf8")).toBe('{"a":1}\n{"b":2}\n');
    const corrupt = await readFile(`${path}.corrupt-1234`);
    expect(corrupt.length).toBe(size + 1);
    expect(corrupt[corrupt.length - 1]).toBe(0x0a);
    expect(await sha256(`${path}.corrupt-1234`, 0, size - 1)).toBe(expected);
  });
});

describe("JSONL readers refuse what is not a regular file", () => {
  async function expectRefused(path: string, what: RegExp): Promise<void> {
    for (const read of [() => readAll(path), () => inspectJsonl(path), () => repairJsonl(path)]) {
      await expect(read()).rejects.toMatchObject({ code: "E_UNSAFE_PATH", message: expect.stringMatching(what) });
    }
  }

  it("refuses a FIFO at once instead of blocking on it", async () => {
    const path = join(await tempDir(), "events.jsonl");
    expect(spawnSync("mkfifo", [path]).status).toBe(0);
    await expectRefused(path, /refusing to read .*events\.jsonl: it is a FIFO \(named pipe\)/);
  });

  it("refuses a symlink to /dev/zero instead of reading without end", async () => {
    const path = join(await tempDir(), "events.jsonl");
    await symlink("/dev/zero", path);
    await expectRefused(path, /refusing to read .*events\.jsonl: it is a symbolic link/);
  });

  it("refuses a character device", async () => {
    const dir = await tempDir();
    const path = join(dir, "events.jsonl");
    const made = spawnSync("mknod", [path, "c", "1", "5"]);
    if (made.status !== 0) return void console.warn(`skipped: mknod refused (${made.stderr})`);
    await expectRefused(path, /it is a character device/);
    expect(await readdir(dir)).toEqual(["events.jsonl"]);
  });
});
