import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inspectJsonl } from "../src/inspect-jsonl.js";
import { tempDir } from "./helpers.js";

describe("inspectJsonl", () => {
  it("counts records and invalid lines, ignoring blank lines, and reports the size", async () => {
    const path = join(await tempDir(), "log.jsonl");
    const content = '{"a":1}\n\nnope\n{"a":2}\r\n  \n{"torn":';
    await writeFile(path, content);
    expect(await inspectJsonl(path)).toEqual({
      path,
      exists: true,
      bytes: Buffer.byteLength(content),
      records: 2,
      invalidLines: 2,
    });
  });

  it("reports a missing file as not existing, with zeros", async () => {
    const path = join(await tempDir(), "missing.jsonl");
    expect(await inspectJsonl(path)).toEqual({ path, exists: false, bytes: 0, records: 0, invalidLines: 0 });
  });

  it("reports an empty file as existing with no records", async () => {
    const path = join(await tempDir(), "empty.jsonl");
    await writeFile(path, "");
    expect(await inspectJsonl(path)).toEqual({ path, exists: true, bytes: 0, records: 0, invalidLines: 0 });
  });
});
