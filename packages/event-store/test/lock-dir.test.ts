import { spawnSync } from "node:child_process";
import { readlinkSync } from "node:fs";
import { mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from "node:fs/promises";
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
    expect(record).toEqual({
      pid: process.pid,
      hostname: hostname(),
      pid_ns: expect.stringMatching(/^pid:\[\d+\]$/),
      acquired_unix_ms: expect.any(Number),
    });
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

/** A lock record as another runner would write it. */
function foreignRecord(fields: { pid: number; hostname: string; pid_ns?: string | null }): string {
  return `${JSON.stringify({ ...fields, acquired_unix_ms: Date.now() - 120_000 })}\n`;
}

async function writeAged(path: string, content: string, ageMs: number): Promise<void> {
  await writeFile(path, content);
  const when = new Date(Date.now() - ageMs);
  await utimes(path, when, when);
}

const OUR_NS = readlinkSync("/proc/self/ns/pid");

describe("lockDir across hosts and PID namespaces", () => {
  it("refuses a lock from another host while its heartbeat is fresh, naming host, pid and heartbeat age", async () => {
    const dir = await tempDir();
    const path = join(dir, ".lock");
    const content = foreignRecord({ pid: 4242, hostname: "pod-7f9c", pid_ns: "pid:[4026531836]" });
    await writeAged(path, content, 2_000);
    const error = await lockError(dir);
    expect(error.code).toBe("E_LOCKED");
    expect(error.holderPid).toBe(4242);
    expect(error.message).toMatch(/\(pid 4242 on host pod-7f9c, since .*\); its last heartbeat was 2\.\d s ago, and the lock is taken over once the heartbeat is 30\.0 s old/);
    expect(await readFile(path, "utf8")).toBe(content);
  });

  it("takes over a lock from another host once its heartbeat is older than staleMs", async () => {
    const dir = await tempDir();
    const path = join(dir, ".lock");
    await writeAged(path, foreignRecord({ pid: 4242, hostname: "pod-7f9c" }), 31_000);
    const lock = await lockDir(dir);
    expect(JSON.parse(await readFile(path, "utf8")).pid).toBe(process.pid);
    await lock.release();
    // The same lock with a longer stale period is still live.
    await writeAged(path, foreignRecord({ pid: 4242, hostname: "pod-7f9c" }), 31_000);
    await expect(lockDir(dir, { staleMs: 60_000 })).rejects.toMatchObject({ code: "E_LOCKED" });
  });

  it("judges pid 1 of another PID namespace on this host by its heartbeat, not by our pid 1", async () => {
    const dir = await tempDir();
    const path = join(dir, ".lock");
    // A crashed pod: pid 1 of its namespace. Our pid 1 (init) is alive, which must not matter.
    const content = foreignRecord({ pid: 1, hostname: hostname(), pid_ns: "pid:[1]" });
    await writeAged(path, content, 1_000);
    const error = await lockError(dir);
    expect(error.message).toContain(`pid 1 on this host (${hostname()}) in another PID namespace (pid:[1])`);
    await writeAged(path, content, 40_000);
    const lock = await lockDir(dir);
    await lock.release();
  });

  it("takes over at once a dead pid of our own host and namespace, however fresh its heartbeat", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, ".lock"), foreignRecord({ pid: await deadPid(), hostname: hostname(), pid_ns: OUR_NS }));
    const lock = await lockDir(dir);
    await lock.release();
  });

  it("keeps its heartbeat going: the lock's mtime advances while held", async () => {
    const dir = await tempDir();
    const lock = await lockDir(dir, { staleMs: 300, heartbeatMs: 20 });
    const old = new Date(Date.now() - 60_000);
    await utimes(lock.path, old, old);
    let mtime = (await stat(lock.path)).mtimeMs;
    for (let waited = 0; mtime < Date.now() - 30_000 && waited < 5_000; waited += 10) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      mtime = (await stat(lock.path)).mtimeMs;
    }
    expect(mtime).toBeGreaterThan(Date.now() - 30_000);
    await lock.release();
  });

  it("assertHeld fails with E_LOCKED once another runner has taken the lock over", async () => {
    const dir = await tempDir();
    const lock = await lockDir(dir);
    await lock.assertHeld();
    await writeFile(`${lock.path}.other`, foreignRecord({ pid: 4242, hostname: "elsewhere" }));
    const { rename } = await import("node:fs/promises");
    await rename(`${lock.path}.other`, lock.path);
    await expect(lock.assertHeld()).rejects.toMatchObject({ code: "E_LOCKED", message: expect.stringContaining("taken over") });
    await lock.release();
    // Not ours: release leaves it.
    expect(JSON.parse(await readFile(lock.path, "utf8")).hostname).toBe("elsewhere");
  });
});

describe("lockDir refuses what is not a lock file", () => {
  async function expectUnsafe(dir: string, what: RegExp): Promise<void> {
    const error = await lockError(dir);
    expect(error.code).toBe("E_UNSAFE_PATH");
    expect(error.message).toContain(join(dir, ".lock"));
    expect(error.message).toMatch(what);
  }

  it("refuses a dangling .lock symlink instead of retrying until it gives up", async () => {
    const dir = await tempDir();
    await symlink(join(dir, "nowhere"), join(dir, ".lock"));
    await expectUnsafe(dir, /is a symbolic link/);
  });

  it("refuses a .lock symlink to /dev/zero without reading it", async () => {
    const dir = await tempDir();
    await symlink("/dev/zero", join(dir, ".lock"));
    await expectUnsafe(dir, /is a symbolic link/);
  });

  it("refuses a FIFO .lock at once instead of waiting for a writer", async () => {
    const dir = await tempDir();
    expect(spawnSync("mkfifo", [join(dir, ".lock")]).status).toBe(0);
    await expectUnsafe(dir, /is a FIFO/);
  });

  it("refuses a character device .lock", async () => {
    const dir = await tempDir();
    const made = spawnSync("mknod", [join(dir, ".lock"), "c", "1", "5"]);
    if (made.status !== 0) return void console.warn(`skipped: mknod refused (${made.stderr})`);
    await expectUnsafe(dir, /is a character device/);
  });

  it("takes over past a .lock.takeover guard that names a live pid once the guard is old", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, ".lock"), lockRecord(await deadPid()));
    // The test process is alive: the guard looks busy by pid, but no takeover lasts seconds.
    await writeAged(join(dir, ".lock.takeover"), foreignRecord({ pid: process.pid, hostname: hostname(), pid_ns: OUR_NS }), 6_000);
    const lock = await lockDir(dir);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it("waits out a fresh .lock.takeover naming a live pid instead of giving up", async () => {
    const dir = await tempDir();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, ".lock"), lockRecord(await deadPid()));
    await writeFile(join(dir, ".lock.takeover"), foreignRecord({ pid: process.pid, hostname: hostname(), pid_ns: OUR_NS }));
    const lock = await lockDir(dir);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });
});
