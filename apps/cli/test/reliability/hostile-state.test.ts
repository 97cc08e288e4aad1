import { spawnSync } from "node:child_process";
import { createWriteStream } from "node:fs";
import { cp, mkdir, readdir, readFile, readlink, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CliResult,
  type JsonObject,
  fixtureOf,
  hasStackTrace,
  manyCases,
  mountTmpfs,
  readState,
  runArgs,
  runCli,
  SOAK,
  suiteDir,
  tempDir,
  tmpfsSupport,
} from "./reliability-helpers";

// behavior.md §5 and §10: nothing found in a state directory may make the runner write outside
// it, hang, or lose what is there.

function expectRefused(result: CliResult, path: string, what: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  expect(result.signal).toBeNull();
  expect(result.stderr).toContain(path);
  expect(result.stderr).toMatch(what);
  expect(hasStackTrace(result.stderr)).toBe(false);
}

describe("hostile state directories (behavior.md §10)", () => {
  let work: { dir: string; remove(): Promise<void> };
  let fixture: string;
  let template: string;

  beforeAll(async () => {
    work = await suiteDir("tau-hostile-state-");
    fixture = join(work.dir, "fixture.json");
    await writeFile(fixture, JSON.stringify(fixtureOf("hostile-state", manyCases(20))));
    template = join(work.dir, "template");
    expect((await runCli(runArgs(fixture, template))).code).toBe(0);
  }, 30_000);

  afterAll(async () => {
    await work?.remove();
  });

  /** A state dir after one cycle, and an empty directory outside it. */
  async function stateAndOutside(): Promise<{ stateDir: string; outside: string }> {
    const dir = await tempDir();
    const stateDir = join(dir, "state");
    await cp(template, stateDir, { recursive: true });
    const outside = join(dir, "outside");
    await mkdir(outside);
    return { stateDir, outside };
  }

  /** Replaces `path` by a symlink to `target`, a new file or empty directory of the same kind outside. */
  async function plant(path: string, target: string): Promise<void> {
    const { rm } = await import("node:fs/promises");
    if ((await stat(path)).isDirectory()) await mkdir(target);
    else await writeFile(target, "outside\n");
    await rm(path, { recursive: true, force: true });
    await symlink(target, path);
  }

  /** Every entry under `dir` without following links: files by content, links by target. */
  async function snapshot(dir: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const { lstat } = await import("node:fs/promises");
    async function walk(current: string): Promise<void> {
      for (const name of await readdir(current)) {
        const full = join(current, name);
        const stats = await lstat(full);
        if (stats.isSymbolicLink()) out.set(full, `-> ${await readlink(full)}`);
        else if (stats.isDirectory()) await walk(full);
        else out.set(full, (await readFile(full)).toString("base64"));
      }
    }
    await walk(dir);
    return out;
  }

  describe("symlinks inside the state dir are refused, never followed", () => {
    it.each([
      ["runtime-events.jsonl", "runtime-events.jsonl", /refusing to use .*runtime-events\.jsonl: it is a symbolic link/],
      ["state.json", "state.json", /refusing to use .*state\.json: it is a symbolic link/],
      ["the channel store", "channel-store", /refusing to use .*channel-store: it is a symbolic link, not a directory/],
      ["an actor directory", "channel-store/gateway/alice", /refusing to write .*gateway\/alice: it is a symbolic link, not a directory/],
      ["an actor's log.jsonl", "channel-store/gateway/alice/log.jsonl", /refusing to write .*alice\/log\.jsonl: it is a symbolic link/],
      ["an actor's MEMORY.md", "channel-store/gateway/bob/MEMORY.md", /refusing to write .*bob\/MEMORY\.md: it is a symbolic link/],
    ])("%s: exit 1 naming the path, nothing written inside or outside", async (_label, relative, message) => {
      const { stateDir, outside } = await stateAndOutside();
      const planted = join(stateDir, relative);
      const target = join(outside, "target");
      await plant(planted, target);
      // A second cycle over new cases would write to every actor.
      const fixture2 = join(outside, "..", "fixture2.json");
      await writeFile(fixture2, JSON.stringify(fixtureOf("more", manyCases(20, 100))));
      const outsideBefore = await snapshot(outside);
      const insideBefore = await snapshot(stateDir);
      const result = await runCli(runArgs(fixture2, stateDir));
      expectRefused(result, planted, message);
      expect(result.stderr).toMatch(/remove it and run again/);
      expect(await snapshot(outside)).toEqual(outsideBefore);
      expect(await snapshot(stateDir)).toEqual(insideBefore);
      expect(await readlink(planted)).toBe(target);
    }, 30_000);

    it("channel-store inspect and repair refuse a symlinked actor directory", async () => {
      const { stateDir, outside } = await stateAndOutside();
      const planted = join(stateDir, "channel-store", "gateway", "alice");
      await plant(planted, join(outside, "alice"));
      for (const verb of ["inspect", "repair"]) {
        const result = await runCli(["channel-store", verb, "gateway/alice", "--gateway-state-dir", stateDir]);
        expectRefused(result, planted, /it is a symbolic link, not a directory/);
      }
    }, 30_000);
  });

  describe("lock files that are not locks", () => {
    const lockOf = (stateDir: string) => join(stateDir, ".lock");

    it("a dangling .lock symlink: exit 1 with a clear message, at once", async () => {
      const { stateDir } = await stateAndOutside();
      await symlink(join(stateDir, "nowhere"), lockOf(stateDir));
      expectRefused(await runCli(runArgs(fixture, stateDir), { timeoutMs: 20_000 }), lockOf(stateDir), /it is a symbolic link, not a regular file/);
    }, 30_000);

    it("a FIFO .lock: exit 1, no hang", async () => {
      const { stateDir } = await stateAndOutside();
      expect(spawnSync("mkfifo", [lockOf(stateDir)]).status).toBe(0);
      expectRefused(await runCli(runArgs(fixture, stateDir), { timeoutMs: 20_000 }), lockOf(stateDir), /it is a FIFO \(named pipe\)/);
      // Longer than the child's own 20 s kill, so a regression kills the child instead of orphaning it.
    }, 30_000);

    it("a /dev/zero .lock: exit 1 with a clear message, not EUNKNOWN (Invalid string length)", async () => {
      const { stateDir } = await stateAndOutside();
      await symlink("/dev/zero", lockOf(stateDir));
      const result = await runCli(runArgs(fixture, stateDir), { timeoutMs: 20_000 });
      expectRefused(result, lockOf(stateDir), /it is a symbolic link/);
      expect(result.stderr).not.toContain("EUNKNOWN");
    }, 30_000);

    it("a .lock.takeover naming a live pid beside a dead runner's lock: taken over, not 'gave up'", async () => {
      const { stateDir } = await stateAndOutside();
      const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
      await writeFile(lockOf(stateDir), JSON.stringify({ pid: Number(dead.stdout), hostname: hostname(), acquired_unix_ms: Date.now() }));
      const guard = `${lockOf(stateDir)}.takeover`;
      await writeFile(guard, JSON.stringify({ pid: process.pid, hostname: hostname(), acquired_unix_ms: Date.now() }));
      const old = new Date(Date.now() - 60_000);
      await utimes(guard, old, old);
      const result = await runCli(runArgs(fixture, stateDir));
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).not.toContain("gave up");
      expect((await readdir(stateDir)).filter((name) => name.startsWith(".lock"))).toEqual([]);
    }, 30_000);
  });

  it("a new state dir on a read-only file system reports EROFS, not ENOENT", async () => {
    const support = await tmpfsSupport();
    if (!support.ok) return void console.warn(`skipped: ${support.reason}`);
    const mount = mountTmpfs(await tempDir(), 1024 * 1024, "ro");
    const result = await runCli(runArgs(fixture, join(mount.dir, "new", "state")));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/cannot create state directory .*: EROFS/);
    expect(result.stderr).not.toContain("ENOENT");
  });

  it("keeps fields of state.json it does not know when it rewrites the file", async () => {
    const { stateDir } = await stateAndOutside();
    const state = await readState(stateDir);
    const requests = state.requests as JsonObject[];
    (requests[0] as JsonObject).x_reviewed_by = "ops";
    await writeFile(join(stateDir, "state.json"), JSON.stringify({ ...state, x_operator_note: { ticket: "OPS-1", tags: ["a"] } }));
    const fixture2 = join(stateDir, "..", "fixture2.json");
    await writeFile(fixture2, JSON.stringify(fixtureOf("more", manyCases(5, 100))));
    const result = await runCli(runArgs(fixture2, stateDir));
    expect(result.code, result.stderr).toBe(0);
    const after = await readState(stateDir);
    expect(after.x_operator_note).toEqual({ ticket: "OPS-1", tags: ["a"] });
    expect((after.requests as JsonObject[]).find((r) => r.case_key === (requests[0] as JsonObject).case_key)?.x_reviewed_by).toBe("ops");
    expect((after.requests as JsonObject[]).length).toBe(requests.length + 5);
  }, 30_000);
});

describe("a state.json larger than V8's longest string (behavior.md §5)", () => {
  // 620 request records of 1 MiB each: about 620 MB of state.json, past the ~512 MiB where one
  // JSON.stringify / readFile("utf8") of the whole file fails with "Invalid string length".
  const RECORDS = 620;
  const BODY_CHARS = 1024 * 1024;

  it("runs a cycle on it and rewrites it whole, and status reads it", async () => {
    const dir = await tempDir("tau-big-state-");
    const stateDir = join(dir, "state");
    await mkdir(stateDir);
    const statePath = join(stateDir, "state.json");
    const blob = "b".repeat(BODY_CHARS);
    const out = createWriteStream(statePath);
    const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((resolve) => out.once("drain", () => resolve())));
    await write('{"schema_version":1,"processed_case_keys":[],"requests":[');
    for (let n = 0; n < RECORDS; n++) {
      const key = `GET:/big/${n}:big-${String(n).padStart(4, "0")}`;
      await write(`${n === 0 ? "" : ","}${JSON.stringify({ case_key: key, case_id: `big-${n}`, method: "GET", endpoint: `/big/${n}`, actor_id: "", status_code: 200, outcome: "success", error_code: "", response_body: { blob }, updated_unix_ms: 1 })}`);
    }
    await write("]}\n");
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const sizeBefore = (await stat(statePath)).size;
    expect(sizeBefore).toBeGreaterThan(600 * 1000 * 1000);

    const fixture = join(dir, "fixture.json");
    await writeFile(fixture, JSON.stringify(fixtureOf("big-state", manyCases(10))));
    const run = await runCli(runArgs(fixture, stateDir), { timeoutMs: 300_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    expect((await readdir(stateDir)).filter((name) => name.startsWith("state.json.corrupt"))).toEqual([]);
    const sizeAfter = (await stat(statePath)).size;
    expect(sizeAfter).toBeGreaterThan(sizeBefore);

    const status = await runCli(["status", "--gateway-state-dir", stateDir, "--json"], { timeoutMs: 300_000 });
    expect(status.code, status.stderr).toBe(0);
    const report = JSON.parse(status.stdout) as JsonObject;
    expect(report.cycle_reports).toBe(1);
    expect(report.processed_case_count).toBe(10);
    // 620 big records plus the successes of the cycle (1 in 50 cases is rejected, not recorded).
    expect(report.request_count).toBe(RECORDS + 10 - 1);

    // Under the soak, a second cycle too: the runner reads back what it wrote.
    if (SOAK) {
      const again = await runCli(runArgs(fixture, stateDir), { timeoutMs: 300_000 });
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/duplicate_skips=10/);
    }
    console.log(`big-state figures: ${JSON.stringify({ stateBytesBefore: sizeBefore, stateBytesAfter: sizeAfter, runSeconds: Math.round(run.durationMs / 100) / 10, statusSeconds: Math.round(status.durationMs / 100) / 10 })}`);
  }, 600_000);
});
