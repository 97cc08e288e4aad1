import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { JsonlBatch, writeJsonlAtomic } from "../src";

describe("writeJsonlAtomic", () => {
  it("replaces the file with one line per record and leaves no temp file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jsonl-atomic-"));
    const path = join(dir, "last.jsonl");
    await writeFile(path, "old\n");
    const batch = new JsonlBatch();
    for (let i = 0; i < 3; i++) batch.add({ i });
    await writeJsonlAtomic(path, batch);
    expect(await readFile(path, "utf8")).toBe('{"i":0}\n{"i":1}\n{"i":2}\n');
    await writeJsonlAtomic(path, new JsonlBatch());
    expect(await readFile(path, "utf8")).toBe("");
    expect(await readdir(dir)).toEqual(["last.jsonl"]);
  });

  it("writes several batches in order", async () => {
    const dir = await mkdtemp(join(tmpdir(), "jsonl-atomic-"));
    const path = join(dir, "last.jsonl");
    const head = new JsonlBatch();
    head.add({ kind: "head" });
    const body = new JsonlBatch();
    body.add({ n: 1 });
    body.add({ n: 2 });
    await writeJsonlAtomic(path, head, body);
    expect(await readFile(path, "utf8")).toBe('{"kind":"head"}\n{"n":1}\n{"n":2}\n');
  });
});
