import { existsSync, readdirSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendJsonl } from "../src/append-jsonl.js";
import { EventStoreError } from "../src/errors.js";
import type { JsonlEntry } from "../src/read-jsonl.js";
import { readJsonl } from "../src/read-jsonl.js";
import { tempDir } from "./helpers.js";

async function readAll<T = unknown>(path: string): Promise<JsonlEntry<T>[]> {
  const entries: JsonlEntry<T>[] = [];
  for await (const entry of readJsonl<T>(path)) entries.push(entry);
  return entries;
}

async function fileWith(content: string | Uint8Array): Promise<string> {
  const path = join(await tempDir(), "events.jsonl");
  await writeFile(path, content);
  return path;
}

describe("readJsonl", () => {
  it("yields each record with its 1-based line number", async () => {
    const path = await fileWith('{"a":1}\n[2]\n"three"\n');
    expect(await readAll(path)).toEqual([
      { ok: true, lineNumber: 1, value: { a: 1 } },
      { ok: true, lineNumber: 2, value: [2] },
      { ok: true, lineNumber: 3, value: "three" },
    ]);
  });

  it("reads back exactly what appendJsonl wrote", async () => {
    const path = join(await tempDir(), "events.jsonl");
    const records = [{ text: "é\n\u2028😀" }, 0, false, { nested: { list: [1, null] } }];
    await appendJsonl(path, records);
    expect((await readAll(path)).map((entry) => (entry.ok ? entry.value : entry))).toEqual(records);
  });

  it("skips blank and whitespace-only lines but still counts them", async () => {
    const path = await fileWith('\n{"a":1}\n   \n\t\r\n{"a":2}\n\n');
    expect(await readAll(path)).toEqual([
      { ok: true, lineNumber: 2, value: { a: 1 } },
      { ok: true, lineNumber: 5, value: { a: 2 } },
    ]);
  });

  it("reports lines that are not JSON with their line number and keeps going", async () => {
    const path = await fileWith('{"a":1}\nnot json\n{"a":2}\n{"a":\n');
    const entries = await readAll(path);
    expect(entries.map((e) => [e.lineNumber, e.ok])).toEqual([
      [1, true],
      [2, false],
      [3, true],
      [4, false],
    ]);
    expect(entries[1]).toMatchObject({ ok: false, raw: "not json" });
    expect(entries[1]?.ok === false && entries[1].error).toMatch(/JSON/);
  });

  it("reports a torn last line without a newline as invalid", async () => {
    const path = await fileWith('{"a":1}\n{"a":2,"b":"hal');
    const entries = await readAll(path);
    expect(entries).toHaveLength(2);
    expect(entries[1]).toMatchObject({ ok: false, lineNumber: 2, raw: '{"a":2,"b":"hal' });
    expect(entries[1]?.ok === false && entries[1].error).toMatch(/no trailing newline/);
  });

  it("accepts a valid last line without a newline", async () => {
    const path = await fileWith('{"a":1}\n{"a":2}');
    expect(await readAll(path)).toEqual([
      { ok: true, lineNumber: 1, value: { a: 1 } },
      { ok: true, lineNumber: 2, value: { a: 2 } },
    ]);
  });

  it("reports invalid UTF-8 as an invalid line, even inside a JSON string", async () => {
    const path = await fileWith(
      Buffer.concat([Buffer.from('"ok"\n"'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n"after"\n')]),
    );
    const entries = await readAll(path);
    expect(entries.map((e) => e.ok)).toEqual([true, false, true]);
    expect(entries[1]?.ok === false && entries[1].error).toMatch(/UTF-8/);
  });

  it("reads CRLF line endings", async () => {
    const path = await fileWith('{"a":1}\r\n{"a":2}\r\n\r\nbad\r\n');
    expect(await readAll(path)).toEqual([
      { ok: true, lineNumber: 1, value: { a: 1 } },
      { ok: true, lineNumber: 2, value: { a: 2 } },
      { ok: false, lineNumber: 4, raw: "bad", error: expect.any(String) },
    ]);
  });

  it("truncates raw to 200 characters for a huge invalid line", async () => {
    const path = await fileWith(`${"x".repeat(1_000_000)}\n`);
    const [entry] = await readAll(path);
    expect(entry).toMatchObject({ ok: false, lineNumber: 1, raw: "x".repeat(200) });
  });

  it("reads lines that straddle the 1 MiB read chunks", async () => {
    const path = join(await tempDir(), "events.jsonl");
    // ~3 MiB of short lines puts line breaks at arbitrary offsets around every chunk boundary.
    const records = Array.from({ length: 40_000 }, (_, i) => ({ i, pad: "p".repeat(i % 97) }));
    await appendJsonl(path, records);
    const entries = await readAll<{ i: number }>(path);
    expect(entries).toHaveLength(records.length);
    expect(entries.every((entry, index) => entry.ok && entry.lineNumber === index + 1 && entry.value.i === index)).toBe(
      true,
    );
  });

  it("reads a single 3 MiB line between two small ones", async () => {
    const path = join(await tempDir(), "events.jsonl");
    const big = { blob: "é".repeat(1_600_000) };
    await appendJsonl(path, [{ n: 1 }, big, { n: 3 }]);
    const entries = await readAll(path);
    expect(entries.map((e) => e.ok)).toEqual([true, true, true]);
    expect(entries[1]?.ok === true && entries[1].value).toEqual(big);
    expect(entries[2]).toEqual({ ok: true, lineNumber: 3, value: { n: 3 } });
  });

  it("throws E_NOT_FOUND for a missing file", async () => {
    const path = join(await tempDir(), "missing.jsonl");
    const error = await readAll(path).catch((e: unknown) => e);
    expect(EventStoreError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "E_NOT_FOUND", path });
  });

  it.runIf(existsSync("/proc/self/fd"))("closes the file when the reader stops early", async () => {
    const path = join(await tempDir(), "events.jsonl");
    await appendJsonl(path, [1, 2, 3]);
    const openFds = () => readdirSync("/proc/self/fd").length;
    const before = openFds();
    for (let round = 0; round < 20; round += 1) {
      for await (const entry of readJsonl(path)) {
        expect(entry.lineNumber).toBe(1);
        break;
      }
    }
    expect(openFds()).toBeLessThanOrEqual(before);
  });
});
