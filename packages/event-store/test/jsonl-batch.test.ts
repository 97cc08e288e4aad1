import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendJsonl, JsonlBatch } from "../src/index";
import { tempDir } from "./helpers";

describe("JsonlBatch", () => {
  it("serialises each record when it is added, so later changes to it do not leak in", async () => {
    const batch = new JsonlBatch();
    const record = { n: 1 };
    batch.add(record);
    record.n = 2;
    batch.add(record);
    const path = join(await tempDir(), "log.jsonl");
    await appendJsonl(path, batch);
    expect(await readFile(path, "utf8")).toBe('{"n":1}\n{"n":2}\n');
    expect(batch.size).toBe(2);
  });

  it("refuses a record without a JSON form where it is added, and keeps the others", () => {
    const batch = new JsonlBatch();
    batch.add({ ok: true });
    expect(() => batch.add(10n)).toThrow(TypeError);
    expect(() => batch.add(undefined)).toThrow(/records\[1\] is undefined, not a JSON value/);
    expect(batch.toLines()).toEqual(['{"ok":true}']);
  });

  it("keeps every line whole and in order across its buffers, multi-byte text included", async () => {
    const batch = new JsonlBatch();
    const records = Array.from({ length: 5000 }, (_, n) => ({ n, text: `é€😀 ${"x".repeat(n % 97)}` }));
    for (const record of records) batch.add(record);
    batch.addSerialised(JSON.stringify({ big: "y".repeat(3 * 1024 * 1024) }));
    expect(batch.chunks().length).toBeGreaterThan(1);
    const path = join(await tempDir(), "log.jsonl");
    await appendJsonl(path, batch);
    const lines = (await readFile(path, "utf8")).split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(5001);
    expect(lines.slice(0, 5000).map((line) => JSON.parse(line))).toEqual(records);
    expect(JSON.parse(lines[5000] as string).big).toHaveLength(3 * 1024 * 1024);
    expect(batch.toLines()).toEqual(lines);
  });

  it("appends nothing (and creates no file) for an empty batch", async () => {
    const path = join(await tempDir(), "never.jsonl");
    await appendJsonl(path, new JsonlBatch());
    await expect(readFile(path)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
