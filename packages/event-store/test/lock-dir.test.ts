import { readdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EventStoreError } from "../src/errors.js";
import { lockDir } from "../src/lock-dir.js";
import { spawnNode, tempDir, deadPid } from "./helpers.js";

/** The pid of a process that has already exited, so it is certainly not alive. */
function lockRecord(pid: number): string {
  return JSON.stringify({ pid, hostname: hostname(), acquired_unix_ms: Date.now() - 60_000 });
}

async function lockError(dir: string): Promise<EventStoreError> {
  const error = await lockDir(dir).then(
    (lock) => {
      void lock.release();
      throw new Error("expected lockDir to be refused");
    },
    (e: unknown) => e,
  );
  if (!EventStoreError.isInstance(error)) throw error;
  return error;
}

// A child that takes the lock, prints "locked <pid>" or the refusal, and holds the lock until its
// stdin closes. GO gates the attempt so racers start together.
const LOCKER = `
  const { lockDir } = require(process.env.EVENT_STORE_DIST);
  const attempt = () =>
    lockDir(process.env.DIR).then(
      (lock) => {
        process.stdout.write("locked " + process.pid + "\\n");
        process.stdin.on("end", () => lock.release().then(() => process.exit(0)));
      },
      (error) => {
        process.stdout.write("refused " + error.code + " " + error.holderPid + "\\n");
        process.stdin.on("end", () => process.exit(0));
      },
    );
  process.stdin.resume();
  if (process.env.WAIT_FOR_GO) {
    process.stdout.write("ready\\n");
    process.stdin.once("data", attempt);
  } else attempt();
`;

describe("lockDir", () => {
  it("writes a lock file with our pid, hostname and time, and release removes it", async () => {
    const dir = await tempDir();
    const lock = await lockDir(dir);
    expect(lock).toMatchObject({ path: join(dir, ".lock"), pid: process.pid });
    const record = JSON.parse(await readFile(lock.path, "utf8"));
    expect(record).toEqual({ pid: process.pid, hostname: hostname(), acquired_unix_ms: expect.any(Number) });
    expect(Math.abs(record.acquired_unix_ms - Date.now())).toBeLessThan(10_000);
    await lock.release();
    await expect(stat(lock.path)).rejects.toMatchObject({ code: "ENOENT" });
    await lock.release();
  });

  it("creates the directory and honours a custom lock file name", async () => {
    const dir = join(await tempDir(), "state", "gateway");
    const lock = await lockDir(dir, { fileName: "runner.lock" });
    expect(lock.path).toBe(join(dir, "runner.lock"));
    expect(await readdir(dir)).toEqual(["runner.lock"]);
    await lock.release();
  });

  it("refuses a second lock in the same process with E_LOCKED naming our pid", async () => {
    const dir = await tempDir();
    const lock = await lockDir(dir);
    const error = await lockError(dir);
    expect(error.code).toBe("E_LOCKED");
    expect(error.holderPid).toBe(process.pid);
    expect(error.message).toContain(`pid ${process.pid}`);
    expect(error.message).toContain(join(dir, ".lock"));
    await lock.release();
    const again = await lockDir(dir);
    await again.release();
  });

  it("refuses a lock held by another live process, naming its pid and what to do", async () => {
    const dir = await tempDir();
    const holder = spawnNode(LOCKER, { DIR: dir });
    await holder.waitForLine((line) => line === `locked ${holder.pid}`);
    const error = await lockError(dir);
    expect(error.code).toBe("E_LOCKED");
    expect(error.holderPid).toBe(holder.pid);
    expect(error.message).toMatch(
      new RegExp(`locked by another runner \\(pid ${holder.pid}, since \\d{4}-\\d\\d-\\d\\dT.*remove .*\\.lock$`),
    );
    holder.process.stdin.end();
    await holder.exited;
    await expect(stat(join(dir, ".lock"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("takes over a lock left by a dead process", async () => {
    const dir = await tempDir();
    const pid = await deadPid();
    await writeFile(join(dir, ".lock"), lockRecord(pid));
    const lock = await lockDir(dir);
    expect(JSON.parse(await readFile(lock.path, "utf8")).pid).toBe(process.pid);
    await lock.release();
    await expect(stat(lock.path)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("takes over an empty or unreadable lock file at once: a live runner never leaves one", async () => {
    for (const content of ["", "{not json"]) {
      const dir = await tempDir();
      const path = join(dir, ".lock");
      await writeFile(path, content);
      const lock = await lockDir(dir);
      expect(JSON.parse(await readFile(path, "utf8")).pid).toBe(process.pid);
      await lock.release();
    }
  });

  it("release leaves alone a lock that is no longer ours", async () => {
    const dir = await tempDir();
    const lock = await lockDir(dir);
    const other = lockRecord(process.pid);
    await writeFile(lock.path, other);
    await lock.release();
    expect(await readFile(lock.path, "utf8")).toBe(other);
  });

  it("lets exactly one of 10 racing processes take over a stale lock", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, ".lock"), lockRecord(await deadPid()));
    const racers = Array.from({ length: 10 }, () => spawnNode(LOCKER, { DIR: dir, WAIT_FOR_GO: "1" }));
    await Promise.all(racers.map((racer) => racer.waitForLine((line) => line === "ready")));
    for (const racer of racers) racer.process.stdin.write("go\n");
    const outcomes = await Promise.all(
      racers.map((racer) => racer.waitForLine((line) => line.startsWith("locked") || line.startsWith("refused"))),
    );
    const winners = outcomes.filter((line) => line.startsWith("locked"));
    expect(winners).toHaveLength(1);
    const winnerPid = Number(winners[0]?.split(" ")[1]);
    expect(outcomes.filter((line) => line === `refused E_LOCKED ${winnerPid}`)).toHaveLength(9);
    expect(JSON.parse(await readFile(join(dir, ".lock"), "utf8")).pid).toBe(winnerPid);
    for (const racer of racers) racer.process.stdin.end();
    await Promise.all(racers.map((racer) => racer.exited));
    expect(await readdir(dir)).toEqual([]);
  });
});
