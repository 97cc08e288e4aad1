import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readLastJsonlLine } from "../src/cycle/last-jsonl-line";
import { makeTempDir } from "./helpers/temp-dir";

describe("readLastJsonlLine (merge reads only the newest events line)", () => {
  it("returns the last non-blank line, across read chunks and past trailing blank lines", async () => {
    const path = join(await makeTempDir(), "events.jsonl");
    const long = { pad: "x".repeat(200_000), n: 2 };
    await writeFile(path, `${JSON.stringify({ n: 1 })}\n${JSON.stringify({ pad: "y".repeat(100_000) })}\n${JSON.stringify(long)}\n\n  \n`);
    expect(await readLastJsonlLine(path)).toEqual({ kind: "ok", value: long });
  });

  it("tells a missing file, an empty one and a torn last line apart", async () => {
    const dir = await makeTempDir();
    expect(await readLastJsonlLine(join(dir, "none.jsonl"))).toEqual({ kind: "missing" });
    await writeFile(join(dir, "empty.jsonl"), "\n \n");
    expect(await readLastJsonlLine(join(dir, "empty.jsonl"))).toEqual({ kind: "empty" });
    await writeFile(join(dir, "torn.jsonl"), '{"n":1}\n{"n":');
    expect((await readLastJsonlLine(join(dir, "torn.jsonl"))).kind).toBe("invalid");
  });
});
