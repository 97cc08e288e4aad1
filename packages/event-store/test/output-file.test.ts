import { execFileSync, spawn } from "node:child_process";
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EventStoreError } from "../src/errors.js";
import { openOutputFile, writeOutputFile } from "../src/output-file.js";
import { tempDir } from "./helpers.js";

describe("writeOutputFile", () => {
  it("creates a new file and replaces an existing one, leaving no temp file", async () => {
    const dir = await tempDir();
    const path = join(dir, "report.xml");
    await writeOutputFile(path, "first");
    await writeOutputFile(path, "second");
    expect(await readFile(path, "utf8")).toBe("second");
    expect(await readdir(dir)).toEqual(["report.xml"]);
  });

  it("updates the target of a symlink and keeps the link", async () => {
    const dir = await tempDir();
    await mkdir(join(dir, "real"));
    await writeFile(join(dir, "real", "summary.md"), "old");
    await symlink("real/summary.md", join(dir, "summary.md"));
    await writeOutputFile(join(dir, "summary.md"), "new");
    expect((await lstat(join(dir, "summary.md"))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, "summary.md"))).toBe("real/summary.md");
    expect(await readFile(join(dir, "real", "summary.md"), "utf8")).toBe("new");
  });

  it("creates the missing target of a dangling symlink", async () => {
    const dir = await tempDir();
    await symlink("later.json", join(dir, "report.json"));
    await writeOutputFile(join(dir, "report.json"), "{}");
    expect(await readFile(join(dir, "later.json"), "utf8")).toBe("{}");
    expect((await lstat(join(dir, "report.json"))).isSymbolicLink()).toBe(true);
  });

  it("writes into a character device in place instead of renaming a file over it", async () => {
    await writeOutputFile("/dev/null", "discarded");
    expect((await lstat("/dev/null")).isCharacterDevice()).toBe(true);
  });

  it("writes into a named pipe for its reader, leaving the pipe a pipe", async () => {
    const dir = await tempDir();
    const fifo = join(dir, "summary.fifo");
    execFileSync("mkfifo", [fifo]);
    const reader = spawn("cat", [fifo]);
    let read = "";
    reader.stdout.on("data", (chunk: Buffer) => (read += chunk.toString("utf8")));
    const closed = new Promise((resolve) => reader.on("close", resolve));
    const file = await openOutputFile(fifo);
    await file.write("# verdict\n");
    await file.write("pass\n");
    await file.commit();
    await closed;
    expect(read).toBe("# verdict\npass\n");
    expect((await stat(fifo)).isFIFO()).toBe(true);
    expect(await readdir(dir)).toEqual(["summary.fifo"]);
  });

  it("refuses a directory with E_IO naming it", async () => {
    const dir = await tempDir();
    const error = await writeOutputFile(dir, "x").catch((e: unknown) => e);
    expect(EventStoreError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(`could not write ${dir}: it is a directory (name a file in it)`);
  });

  it("refuses a symlink loop instead of following it forever", async () => {
    const dir = await tempDir();
    await symlink("b", join(dir, "a"));
    await symlink("a", join(dir, "b"));
    await expect(writeOutputFile(join(dir, "a"), "x")).rejects.toThrow(/too many levels of symbolic links/);
  });
});
