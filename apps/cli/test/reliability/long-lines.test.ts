import { spawnSync } from "node:child_process";
import { readFile, symlink, truncate, stat, unlink } from "node:fs/promises";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  fixtureOf,
  hasStackTrace,
  manyCases,
  runArgs,
  runCli,
  scaled,
  tempDir,
} from "./reliability-helpers";

// behavior.md §10: JSONL readers hold at most one bounded line (16 MiB); a longer line is counted
// invalid and skipped while streaming, and RSS stays under 128 MB whatever the line's length.
// `truncate -s +N` appends N NUL bytes without a newline: one sparse line of N bytes, instant to make.
const LONG_LINE_BYTES = scaled(512 * 1024 ** 2, 5 * 1024 ** 3);
const RSS_LIMIT_KIB = 128 * 1024;

async function freshStateDir(): Promise<{ dir: string; fixture: string; stateDir: string }> {
  const dir = await tempDir("tau-long-lines-");
  const fixture = join(dir, "fixture.json");
  await writeFile(fixture, JSON.stringify(fixtureOf("long-lines", manyCases(10))));
  const stateDir = join(dir, "state");
  const run = await runCli(runArgs(fixture, stateDir));
  expect(run.code, run.stderr).toBe(0);
  return { dir, fixture, stateDir };
}

/** Runs the CLI with the memory probe; returns the result and its peak RSS in KiB. */
async function measured(dir: string, args: string[]) {
  const rssFile = join(dir, `rss-${Date.now()}`);
  const result = await runCli(args, { preload: true, env: { TAU_TEST_RSS_FILE: rssFile }, timeoutMs: 600_000 });
  const maxRssKiB = Number(await readFile(rssFile, "utf8"));
  return { result, maxRssKiB };
}

function appendSparse(path: string, bytes: number): void {
  const grown = spawnSync("truncate", ["-s", `+${bytes}`, path], { encoding: "utf8" });
  expect(grown.status, grown.stderr).toBe(0);
}

describe("a line without end in a JSONL file (behavior.md §10)", () => {
  it(`status counts a ${LONG_LINE_BYTES}-byte events line invalid within ${RSS_LIMIT_KIB / 1024} MB of RSS, and the next cycle still appends`, async () => {
    const { dir, fixture, stateDir } = await freshStateDir();
    const events = join(stateDir, "runtime-events.jsonl");
    appendSparse(events, LONG_LINE_BYTES);
    const status = await measured(dir, ["status", "--gateway-state-dir", stateDir, "--json"]);
    expect(status.result.code, status.result.stderr).toBe(0);
    expect(JSON.parse(status.result.stdout)).toMatchObject({ cycle_reports: 1, invalid_cycle_reports: 1 });
    expect(status.maxRssKiB).toBeLessThanOrEqual(RSS_LIMIT_KIB);

    const again = await runCli(runArgs(fixture, stateDir));
    expect(again.code, again.stderr).toBe(0);
    const after = await runCli(["status", "--gateway-state-dir", stateDir, "--json"], { timeoutMs: 600_000 });
    expect(JSON.parse(after.stdout)).toMatchObject({ cycle_reports: 2, invalid_cycle_reports: 1 });
    console.log(`long-line figures: ${JSON.stringify({ lineBytes: LONG_LINE_BYTES, statusMaxRssMiB: Math.round(status.maxRssKiB / 1024) })}`);
  }, scaled(120_000, 600_000));

  it("channel-store inspect counts an oversized log line invalid within the RSS bound, and repair moves it aside whole", async () => {
    const { dir, stateDir } = await freshStateDir();
    const log = join(stateDir, "channel-store", "gateway", "alice", "log.jsonl");
    const before = (await stat(log)).size;
    appendSparse(log, LONG_LINE_BYTES);
    const inspect = await measured(dir, ["channel-store", "inspect", "gateway/alice", "--gateway-state-dir", stateDir, "--json"]);
    expect(inspect.result.code, inspect.result.stderr).toBe(0);
    expect(JSON.parse(inspect.result.stdout)).toMatchObject({ log_records: 2, invalid_log_lines: 1 });
    expect(inspect.maxRssKiB).toBeLessThanOrEqual(RSS_LIMIT_KIB);

    // Repair copies the line out byte for byte (a real write of that size), so a smaller one here.
    await truncate(log, before);
    appendSparse(log, 40 * 1024 ** 2);
    const repair = await measured(dir, ["channel-store", "repair", "gateway/alice", "--gateway-state-dir", stateDir, "--json"]);
    expect(repair.result.code, repair.result.stderr).toBe(0);
    const report = JSON.parse(repair.result.stdout) as { log: { kept: number; moved: number; corrupt_path: string } };
    expect(report.log).toMatchObject({ kept: 2, moved: 1 });
    expect((await stat(report.log.corrupt_path)).size).toBe(40 * 1024 ** 2 + 1);
    expect((await stat(log)).size).toBe(before);
    expect(repair.maxRssKiB).toBeLessThanOrEqual(RSS_LIMIT_KIB);
    console.log(`long-line figures: ${JSON.stringify({ lineBytes: LONG_LINE_BYTES, inspectMaxRssMiB: Math.round(inspect.maxRssKiB / 1024), repairMaxRssMiB: Math.round(repair.maxRssKiB / 1024) })}`);
  }, scaled(120_000, 600_000));

  it("status refuses a FIFO events log at once and a symlink to /dev/zero, naming the path (exit 1)", async () => {
    const { stateDir } = await freshStateDir();
    const events = join(stateDir, "runtime-events.jsonl");
    await unlink(events);
    expect(spawnSync("mkfifo", [events]).status).toBe(0);
    const fifo = await runCli(["status", "--gateway-state-dir", stateDir], { timeoutMs: 20_000 });
    expect(fifo.signal, "must not hang on the FIFO").toBeNull();
    expect(fifo.code, fifo.stderr).toBe(1);
    expect(fifo.stderr).toContain(`refusing to read ${events}: it is a FIFO (named pipe)`);
    expect(hasStackTrace(fifo.stderr)).toBe(false);

    await unlink(events);
    await symlink("/dev/zero", events);
    const zero = await runCli(["status", "--gateway-state-dir", stateDir], { timeoutMs: 20_000 });
    expect(zero.signal, "must not read /dev/zero without end").toBeNull();
    expect(zero.code, zero.stderr).toBe(1);
    expect(zero.stderr).toContain(`refusing to read ${events}: it is a symbolic link`);
  }, 60_000);
});
