import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sweepTempFiles, writeFileAtomic } from "../src/index";
import { deadPid, tempDir } from "./helpers";

describe("sweepTempFiles", () => {
  it("removes temp files of dead writers and keeps live ones and every real file", async () => {
    const dir = await tempDir();
    const dead = await deadPid();
    await writeFileAtomic(join(dir, "state.json"), "{}\n");
    await writeFile(join(dir, `.state.json.${dead}.0123456789ab.tmp`), "half a sta");
    await writeFile(join(dir, `.lock.${dead}.aaaaaaaaaaaa.tmp`), "");
    await writeFile(join(dir, `.state.json.${process.pid}.0123456789ab.tmp`), "being written");
    await writeFile(join(dir, "notes.tmp"), "not ours");

    const removed = await sweepTempFiles(dir);

    expect(removed.map((p) => p.slice(dir.length + 1)).sort()).toEqual([
      `.lock.${dead}.aaaaaaaaaaaa.tmp`,
      `.state.json.${dead}.0123456789ab.tmp`,
    ]);
    expect((await readdir(dir)).sort()).toEqual([`.state.json.${process.pid}.0123456789ab.tmp`, "notes.tmp", "state.json"]);
  });

  it("is a no-op on a missing directory", async () => {
    expect(await sweepTempFiles(join(await tempDir(), "missing"))).toEqual([]);
  });
});
