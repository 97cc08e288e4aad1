import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EventStoreError } from "../src/errors.js";
import { readJsonl, readJsonlBatches, type JsonlEntry } from "../src/read-jsonl.js";
import { readRotatedJsonl, readRotatedJsonlBatches } from "../src/read-rotated-jsonl.js";
import { scanLineBatches, scanLines } from "../src/scan-lines.js";
import { tempDir } from "./helpers.js";

const MIB = 1024 * 1024;

/**
 * ~3.5 MiB of every kind of line, with line breaks on both sides of each 1 MiB read boundary: short
 * and 300 KiB records, blank and whitespace-only lines, CRLF, garbage, invalid UTF-8, a leading
 * BOM, a 1.5 MiB line spanning reads, and a torn last line.
 */
function mixedLog(): Buffer {
  const parts: Buffer[] = [];
  let i = 0;
  while (parts.reduce((n, p) => n + p.length, 0) < 3.5 * MIB) {
    const kind = i % 41;
    if (kind === 7) parts.push(Buffer.from("\n"));
    else if (kind === 8) parts.push(Buffer.from(" \t\r\n"));
    else if (kind === 9) parts.push(Buffer.from(`{"crlf":${i}}\r\n`));
    else if (kind === 10) parts.push(Buffer.from(`not json ${i}\n`));
    else if (kind === 11) parts.push(Buffer.concat([Buffer.from('{"bad":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n')]));
    else if (kind === 12) parts.push(Buffer.from(`\ufeff{"bom":${i}}\n`));
    else if (i === 200) parts.push(Buffer.from(`${JSON.stringify({ big: "é".repeat(0.75 * MIB) })}\n`));
    else if (kind === 13) parts.push(Buffer.from(`${JSON.stringify({ i, pad: "x".repeat(300 * 1024) })}\n`));
    else parts.push(Buffer.from(`${JSON.stringify({ i, text: "ü€😀".repeat(i % 50) })}\n`));
    i += 1;
  }
  parts.push(Buffer.from('{"torn":'));
  return Buffer.concat(parts);
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe("batched JSONL readers", () => {
  it("yield, read by read, exactly the entries the line-by-line reader yields", async () => {
    const path = join(await tempDir(), "events.jsonl");
    const bytes = mixedLog();
    await writeFile(path, bytes);
    const batches = await collect(readJsonlBatches(path));
    const entries = await collect(readJsonl(path));
    expect(batches.flat()).toEqual(entries);
    expect(batches.length).toBeGreaterThan(3);
    expect(batches.every((batch) => batch.length > 0)).toBe(true);
    // An independent account of the file: every non-blank line, by number, valid or not.
    const lines = bytes.toString("latin1").split("\n");
    const nonBlank = lines.flatMap((line, index) => (/^[ \t\r]*$/.test(line) ? [] : [index + 1]));
    expect(entries.map((e) => e.lineNumber)).toEqual(nonBlank);
    const invalid = entries.filter((e): e is Extract<JsonlEntry<unknown>, { ok: false }> => !e.ok);
    expect(new Set(invalid.map((e) => e.error.replace(/[0-9]+/g, "N")))).toEqual(
      new Set([
        `Unexpected token 'o', "not json N" is not valid JSON`,
        "line is not valid UTF-N",
        `last line has no trailing newline (torn write?): Unexpected end of JSON input`,
      ]),
    );
    expect(entries.find((e) => e.ok && (e.value as { big?: string }).big !== undefined)).toBeDefined();
    expect(entries.filter((e) => e.ok && (e.value as { bom?: number }).bom !== undefined).length).toBeGreaterThan(0);
  });

  it("scan lines in batches that are exactly the line-by-line scan, offsets included", async () => {
    const path = join(await tempDir(), "events.jsonl");
    await writeFile(path, mixedLog());
    const batched = (await collect(scanLineBatches(path))).flat();
    const single = await collect(scanLines(path));
    const view = (l: (typeof single)[number]) => ({ ...l, bytes: Buffer.from(l.bytes).toString("base64") });
    expect(batched.map(view)).toEqual(single.map(view));
    // Reused buffers: each batch's bytes are read before the next batch is asked for.
    const reused = [];
    for await (const batch of scanLineBatches(path, { reuseBuffers: true })) reused.push(...batch.map(view));
    expect(reused).toEqual(single.map(view));
  });

  it("with reused buffers, still hold one bounded line of a multi-MiB line and read the lines around it", async () => {
    const path = join(await tempDir(), "events.jsonl");
    const long = `"${"x".repeat(3 * MIB)}"`;
    await writeFile(path, `{"a":1}\n${long}\n{"b":2}\n`);
    const seen = [];
    for await (const batch of scanLineBatches(path, { reuseBuffers: true, maxLineBytes: 2 * MIB })) {
      seen.push(...batch.map((l) => ({ n: l.lineNumber, oversized: l.oversized, length: l.length, head: Buffer.from(l.bytes.subarray(0, 4)).toString() })));
    }
    expect(seen).toEqual([
      { n: 1, oversized: false, length: 7, head: '{"a"' },
      { n: 2, oversized: true, length: long.length, head: '"xxx' },
      { n: 3, oversized: false, length: 7, head: '{"b"' },
    ]);
    const within = [];
    for await (const batch of scanLineBatches(path, { reuseBuffers: true })) within.push(...batch.map((l) => Buffer.from(l.bytes).toString()));
    expect(within).toEqual(['{"a":1}', long, '{"b":2}']);
  });

  it("read a rotated log oldest file first, naming each batch's file", async () => {
    const dir = await tempDir();
    const path = join(dir, "x.jsonl");
    await writeFile(`${path}.2`, '{"n":1}\nbad\n');
    await writeFile(`${path}.1`, '{"n":2}\n');
    await writeFile(path, '{"n":3}\n{"n":4}\n');
    const batches = await collect(readRotatedJsonlBatches(path));
    expect(batches.map((b) => b.path)).toEqual([`${path}.2`, `${path}.1`, path]);
    const flattened = batches.flatMap((b) => b.entries.map((e) => ({ ...e, path: b.path })));
    expect(flattened).toEqual(await collect(readRotatedJsonl(path)));
    expect(flattened.map((e) => (e.ok ? e.value : "invalid"))).toEqual([{ n: 1 }, "invalid", { n: 2 }, { n: 3 }, { n: 4 }]);
    expect(await collect(readRotatedJsonlBatches(join(dir, "none.jsonl")))).toEqual([]);
  });

  it("a missing file rejects with E_NOT_FOUND", async () => {
    const path = join(await tempDir(), "missing.jsonl");
    const error = await collect(readJsonlBatches(path)).catch((e: unknown) => e);
    expect(EventStoreError.isInstance(error) && error.code).toBe("E_NOT_FOUND");
  });
});
