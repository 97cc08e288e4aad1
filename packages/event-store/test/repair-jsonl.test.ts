import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inspectJsonl } from "../src/inspect-jsonl.js";
import { repairJsonl } from "../src/repair-jsonl.js";
import { tempDir } from "./helpers.js";

const NOW = 1_700_000_000_123;
const now = () => NOW;

describe("repairJsonl", () => {
  it("keeps valid lines byte for byte and in order, and moves invalid lines to .corrupt-<ms>", async () => {
    const dir = await tempDir();
    const path = join(dir, "log.jsonl");
    // Odd but valid spellings must survive untouched: spacing, key order, escapes, CRLF.
    await writeFile(
      path,
      Buffer.concat([
        Buffer.from('{ "b" : 2, "a": 1 }\n'),
        Buffer.from("garbage line\n"),
        Buffer.from("\n"),
        Buffer.from('"\\u00e9 é"\r\n'),
        Buffer.from([0x22, 0xff, 0x22, 0x0a]),
        Buffer.from("[1,2,3]\n"),
        Buffer.from('{"torn":tr'),
      ]),
    );
    const result = await repairJsonl(path, { now });
    const corruptPath = `${path}.corrupt-${NOW}`;
    expect(result).toEqual({ path, kept: 3, moved: 3, corruptPath });
    expect(await readFile(path, "utf8")).toBe('{ "b" : 2, "a": 1 }\n"\\u00e9 é"\r\n[1,2,3]\n');
    expect(await readFile(corruptPath)).toEqual(
      Buffer.concat([
        Buffer.from("garbage line\n"),
        Buffer.from([0x22, 0xff, 0x22, 0x0a]),
        Buffer.from('{"torn":tr\n'),
      ]),
    );
  });

  it("moves a huge invalid line in full, not truncated", async () => {
    const path = join(await tempDir(), "log.jsonl");
    const huge = `{${"x".repeat(3 * 1024 * 1024)}`;
    await writeFile(path, `1\n${huge}\n2\n`);
    const result = await repairJsonl(path, { now });
    expect(result.moved).toBe(1);
    expect(await readFile(`${path}.corrupt-${NOW}`, "utf8")).toBe(`${huge}\n`);
    expect(await readFile(path, "utf8")).toBe("1\n2\n");
  });

  it("is idempotent: a second repair finds nothing to move and leaves the file alone", async () => {
    const dir = await tempDir();
    const path = join(dir, "log.jsonl");
    await writeFile(path, "1\nbad\n2\n");
    await repairJsonl(path, { now });
    const before = await stat(path);
    const second = await repairJsonl(path, { now: () => NOW + 1 });
    expect(second).toEqual({ path, kept: 2, moved: 0, corruptPath: null });
    expect((await stat(path)).ino).toBe(before.ino);
    expect((await readdir(dir)).sort()).toEqual(["log.jsonl", `log.jsonl.corrupt-${NOW}`]);
    expect(await inspectJsonl(path)).toMatchObject({ records: 2, invalidLines: 0 });
  });

  it("does not touch a file without invalid lines, blank lines included", async () => {
    const dir = await tempDir();
    const path = join(dir, "log.jsonl");
    await writeFile(path, "1\n\n2");
    const before = await stat(path);
    expect(await repairJsonl(path, { now })).toEqual({ path, kept: 2, moved: 0, corruptPath: null });
    expect(await readFile(path, "utf8")).toBe("1\n\n2");
    expect((await stat(path)).ino).toBe(before.ino);
    expect(await readdir(dir)).toEqual(["log.jsonl"]);
  });

  it("never overwrites an earlier corrupt file from the same millisecond", async () => {
    const dir = await tempDir();
    const path = join(dir, "log.jsonl");
    await writeFile(path, "1\nfirst bad\n");
    await repairJsonl(path, { now });
    await writeFile(path, "2\nsecond bad\n");
    const second = await repairJsonl(path, { now });
    expect(second.corruptPath).toBe(`${path}.corrupt-${NOW}-2`);
    expect(await readFile(`${path}.corrupt-${NOW}`, "utf8")).toBe("first bad\n");
    expect(await readFile(`${path}.corrupt-${NOW}-2`, "utf8")).toBe("second bad\n");
  });

  it("reports a missing file as nothing kept and nothing moved", async () => {
    const path = join(await tempDir(), "missing.jsonl");
    expect(await repairJsonl(path, { now })).toEqual({ path, kept: 0, moved: 0, corruptPath: null });
  });

  it("leaves no temp files behind", async () => {
    const dir = await tempDir();
    const path = join(dir, "log.jsonl");
    await writeFile(path, "1\nbad\n");
    await repairJsonl(path, { now });
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });
});
