import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendJsonl } from "../src/append-jsonl.js";
import { EventStoreError } from "../src/errors.js";
import { tempDir } from "./helpers.js";

describe("appendJsonl", () => {
  it("writes one JSON line per record, each ending in a newline", async () => {
    const path = join(await tempDir(), "events.jsonl");
    await appendJsonl(path, [{ a: 1 }, "two", [3], null]);
    expect(await readFile(path, "utf8")).toBe('{"a":1}\n"two"\n[3]\nnull\n');
  });

  it("keeps a record with newlines in its strings on one line", async () => {
    const path = join(await tempDir(), "events.jsonl");
    await appendJsonl(path, [{ text: "line 1\nline 2\r\n" }]);
    const text = await readFile(path, "utf8");
    expect(text.split("\n")).toEqual(['{"text":"line 1\\nline 2\\r\\n"}', ""]);
  });

  it("appends after what earlier calls wrote", async () => {
    const path = join(await tempDir(), "events.jsonl");
    await appendJsonl(path, [{ n: 1 }]);
    await appendJsonl(path, [{ n: 2 }, { n: 3 }]);
    expect(await readFile(path, "utf8")).toBe('{"n":1}\n{"n":2}\n{"n":3}\n');
  });

  it("creates missing parent directories", async () => {
    const path = join(await tempDir(), "a", "b", "c", "events.jsonl");
    await appendJsonl(path, [1]);
    expect(await readFile(path, "utf8")).toBe("1\n");
  });

  it("does nothing for an empty batch, not even create the file", async () => {
    const path = join(await tempDir(), "events.jsonl");
    await appendJsonl(path, []);
    await expect(stat(path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("starts on a fresh line when a crash left the file ending in a torn line", async () => {
    const path = join(await tempDir(), "events.jsonl");
    await writeFile(path, '{"n":1}\n{"n":');
    await appendJsonl(path, [{ n: 2 }]);
    expect(await readFile(path, "utf8")).toBe('{"n":1}\n{"n":\n{"n":2}\n');
  });

  it("refuses a record that has no JSON form and leaves the file unchanged", async () => {
    const path = join(await tempDir(), "events.jsonl");
    await appendJsonl(path, [{ n: 1 }]);
    await expect(appendJsonl(path, [{ n: 2 }, undefined])).rejects.toThrow(/records\[1\] is undefined/);
    await expect(appendJsonl(path, [{ n: 2 }, { big: 1n }])).rejects.toThrow(/records\[1\] cannot be serialised/);
    expect(await readFile(path, "utf8")).toBe('{"n":1}\n');
  });

  it("writes 100k records quickly and line by line", async () => {
    const path = join(await tempDir(), "events.jsonl");
    const records = Array.from({ length: 100_000 }, (_, i) => ({ i, text: `record ${i} `.repeat(8) }));
    const started = performance.now();
    await appendJsonl(path, records);
    const elapsed = performance.now() - started;
    const lines = (await readFile(path, "utf8")).split("\n");
    expect(lines).toHaveLength(100_001);
    expect(lines.at(-1)).toBe("");
    expect(JSON.parse(lines[99_999] ?? "")).toEqual(records[99_999]);
    expect(elapsed).toBeLessThan(5_000);
  });

  it("reports an unwritable path as E_IO naming the path and errno code", async () => {
    const dir = await tempDir();
    const path = join(dir, "events.jsonl");
    await mkdir(path);
    const error = await appendJsonl(path, [1]).catch((e: unknown) => e);
    expect(EventStoreError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "E_IO", path });
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/EISDIR/);
  });
});
