import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { link, lstat, open, rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EventStoreError } from "./errors.js";
import { errnoCode, toIoError } from "./io-error.js";
import { currentIdentity, type LockIdentity } from "./lock-identity.js";
import { makeDir } from "./make-dir.js";
import { isProcessAlive } from "./process-alive.js";
import { openRegular } from "./safe-open.js";

/** An exclusive lock on a directory, held until `release` is called. */
export interface DirLock {
  /** The lock file. */
  readonly path: string;
  /** Our pid, as recorded in the lock file. */
  readonly pid: number;
  /**
   * Refreshes the heartbeat and checks that the lock file is still ours; throws `E_LOCKED` if
   * another runner took it over (our heartbeat went stale, e.g. the process was frozen). Call it
   * right before writing anything the lock protects.
   */
  assertHeld(): Promise<void>;
  /** Stops the heartbeat and removes the lock file if it is still ours; safe to call more than once. */
  release(): Promise<void>;
}

/** Options for {@link lockDir}. */
export interface LockDirOptions {
  /** Name of the lock file inside the directory; defaults to `.lock`. */
  fileName?: string;
  /**
   * A lock written on another host or in another PID namespace, whose pid this process cannot
   * check, is live while its heartbeat (the lock file's mtime) is younger than this; older, it is
   * taken over. Defaults to 30000 ms. Clocks of hosts sharing the directory must agree far
   * better than this.
   */
  staleMs?: number;
  /** How often the holder refreshes its heartbeat; defaults to a third of `staleMs`, at most 5 s. */
  heartbeatMs?: number;
}

/** Default of {@link LockDirOptions.staleMs}. */
export const DEFAULT_LOCK_STALE_MS = 30_000;

interface LockRecord {
  pid: number;
  hostname: string;
  /** Undefined in locks written before namespaces were recorded: judged by hostname alone. */
  pidNamespace: string | null | undefined;
  acquired_unix_ms: number;
}

/** A lock file as read from disk; identity is inode + content, since names get reused. */
interface LockFile {
  raw: string;
  record: LockRecord | undefined;
  dev: bigint;
  ino: bigint;
  /** The heartbeat: the holder touches the file every few seconds. */
  mtimeMs: number;
}

// Bounds the retry loop when many processes fight over a lock that keeps changing hands.
const MAX_ATTEMPTS = 200;
// A takeover guard is held for one read and one unlink (milliseconds). One older than this was
// left by a crash or planted by hand, whoever it names: waiting on it forever helps nobody.
const GUARD_STALE_MS = 5_000;
// Lock records are ~150 bytes; reading more would only let a huge planted file cost memory.
const MAX_LOCK_BYTES = 4096;

/*
 * Why not proper-lockfile for the heartbeat: it keys staleness on the lock's mtime alone, so a
 * lock left by a dead process on this host would block for the whole stale period instead of
 * being taken over at once (behavior.md §5), and its stale-lock removal (rmdir, then mkdir) lets
 * two racers both "win". It also uses a `.lock` directory, which would change the on-disk
 * format older runners check. The heartbeat here is the same idea (refresh the mtime, judge a
 * foreign lock by its age) on top of the link()-published lock file and its guarded takeover.
 */

function parseRecord(raw: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { pid, hostname: host, pid_ns: ns, acquired_unix_ms: acquired } = value as Record<string, unknown>;
  // pid 0 and negative pids address process groups in process.kill: never trust them.
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    hostname: typeof host === "string" ? host : "",
    pidNamespace: typeof ns === "string" ? ns : ns === null ? null : undefined,
    acquired_unix_ms: typeof acquired === "number" ? acquired : Number.NaN,
  };
}

function newRecord(self: LockIdentity): string {
  return `${JSON.stringify({
    pid: process.pid,
    hostname: self.hostname,
    pid_ns: self.pidNamespace,
    acquired_unix_ms: Date.now(),
  })}\n`;
}

/** Reads a lock or guard file; a symlink, FIFO or device there is refused (E_UNSAFE_PATH), never followed or read. */
async function readLockFile(path: string): Promise<LockFile | undefined> {
  let handle: FileHandle;
  try {
    handle = await openRegular(path, "read", "read lock file");
  } catch (error) {
    if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") return undefined;
    throw error;
  }
  try {
    // Stat and read through one handle so identity and content describe the same file.
    const stats = await handle.stat({ bigint: true });
    const buffer = Buffer.alloc(MAX_LOCK_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, MAX_LOCK_BYTES, 0);
    const raw = buffer.subarray(0, bytesRead).toString("utf8");
    return { raw, record: parseRecord(raw), dev: stats.dev, ino: stats.ino, mtimeMs: Number(stats.mtimeMs) };
  } catch (error) {
    throw toIoError(error, "read lock file", path);
  } finally {
    await handle.close();
  }
}

/** A lock we created, with the handle that keeps its heartbeat going (futimes on our inode). */
interface Created {
  file: LockFile;
  handle: FileHandle;
}

/**
 * Creates the file with its content only if nothing is there yet; undefined if it exists. The
 * record is written to a private temp file and hard-linked into place (link never overwrites),
 * so the lock appears complete: a process killed midway leaves at worst a stray temp file,
 * never an empty lock that would block the next runner.
 */
async function createExclusive(path: string, raw: string): Promise<Created | undefined> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  let handle: FileHandle;
  try {
    handle = await open(temp, "wx");
  } catch (error) {
    // Named after the lock, not the temp file: that is what the operator knows.
    throw toIoError(error, "write lock file", path);
  }
  let linked = false;
  try {
    try {
      await handle.writeFile(raw, "utf8");
    } catch (error) {
      throw toIoError(error, "write lock file", path);
    }
    try {
      await link(temp, path);
      linked = true;
    } catch (error) {
      if (errnoCode(error) === "EEXIST") return undefined;
      throw toIoError(error, "create lock file", path);
    }
    const stats = await handle.stat({ bigint: true });
    return { file: { raw, record: parseRecord(raw), dev: stats.dev, ino: stats.ino, mtimeMs: Number(stats.mtimeMs) }, handle };
  } finally {
    if (!linked) await handle.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
  }
}

function sameFile(a: LockFile, b: LockFile): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.raw === b.raw;
}

type Verdict =
  | { kind: "held"; holder: LockRecord; foreign: boolean; heartbeatAgeMs: number }
  | { kind: "stale" };

/** True when the record's pid can be checked with kill(pid, 0) from here. */
function isLocal(record: LockRecord, self: LockIdentity): boolean {
  if (record.hostname === "" || record.hostname !== self.hostname) return false;
  // An older runner wrote no namespace; one without /proc wrote null: hostname is all we have.
  if (record.pidNamespace === undefined || record.pidNamespace === null) return true;
  return record.pidNamespace === self.pidNamespace;
}

/**
 * A lock whose pid we can check is held while that pid lives and taken over at once when it is
 * dead. A lock from another host or PID namespace (where our kill(pid, 0) means nothing) is held
 * while its heartbeat is fresher than `staleMs`. Locks are published whole (see
 * createExclusive), so an empty or unreadable one was never a live runner's.
 */
function judge(file: LockFile, self: LockIdentity, staleMs: number): Verdict {
  const record = file.record;
  if (record === undefined) return { kind: "stale" };
  const heartbeatAgeMs = Math.max(0, Date.now() - file.mtimeMs);
  if (isLocal(record, self)) {
    return isProcessAlive(record.pid) ? { kind: "held", holder: record, foreign: false, heartbeatAgeMs } : { kind: "stale" };
  }
  return heartbeatAgeMs < staleMs ? { kind: "held", holder: record, foreign: true, heartbeatAgeMs } : { kind: "stale" };
}

/** A takeover guard is never refreshed: besides a dead local pid, age alone makes it stale. */
function judgeGuard(file: LockFile, self: LockIdentity): "busy" | "stale" {
  if (Date.now() - file.mtimeMs >= GUARD_STALE_MS) return "stale";
  return judge(file, self, GUARD_STALE_MS).kind === "held" ? "busy" : "stale";
}

async function removeIfSame(path: string, expected: LockFile): Promise<void> {
  const current = await readLockFile(path).catch(() => undefined);
  if (current === undefined || !sameFile(current, expected)) return;
  try {
    await unlink(path);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw toIoError(error, "remove lock file", path);
  }
}

/**
 * Removes a stale takeover guard (left by a process that crashed mid-takeover). Renaming moves
 * exactly one inode, so we can check afterwards whether we moved the stale guard or a fresh one
 * that someone just created, and put a fresh one back; `link` refuses to overwrite, so putting
 * back never clobbers a newer guard. Residual risk: if yet another guard appears in the
 * microseconds before the link, two processes hold a guard at once; that needs a crash during a
 * takeover followed by a three-way race, and the guard is only ever held for a few milliseconds.
 */
async function removeStaleGuard(guardPath: string, stale: LockFile): Promise<void> {
  const aside = `${guardPath}.${process.pid}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(guardPath, aside);
  } catch {
    return;
  }
  const moved = await readLockFile(aside).catch(() => undefined);
  if (moved !== undefined && !sameFile(moved, stale)) {
    await link(aside, guardPath).catch(() => undefined);
  }
  await unlink(aside).catch(() => undefined);
}

/**
 * Deletes a stale lock file, unless it changed since we judged it. Deletion happens only while
 * holding `<lock>.takeover` (itself created with 'wx'), and the lock is re-read and re-judged
 * under that guard: so of many processes that saw the same stale lock, one deletes it and the
 * others then find a live lock, never delete it. Returns "busy" when someone else holds the guard.
 */
async function takeOverStale(lockPath: string, stale: LockFile, self: LockIdentity, staleMs: number): Promise<"done" | "busy"> {
  const guardPath = `${lockPath}.takeover`;
  const guard = await createExclusive(guardPath, newRecord(self));
  if (guard === undefined) {
    const other = await readLockFile(guardPath);
    if (other !== undefined && judgeGuard(other, self) === "stale") {
      await removeStaleGuard(guardPath, other);
      return "done";
    }
    // Someone else is taking over; their result is visible after a short pause.
    await sleep(5 + Math.random() * 20);
    return "busy";
  }
  await guard.handle.close().catch(() => undefined);
  try {
    const current = await readLockFile(lockPath);
    if (current !== undefined && sameFile(current, stale) && judge(current, self, staleMs).kind === "stale") {
      await unlink(lockPath).catch((error: unknown) => {
        if (errnoCode(error) !== "ENOENT") throw toIoError(error, "remove stale lock file", lockPath);
      });
    }
  } finally {
    await removeIfSame(guardPath, guard.file);
  }
  return "done";
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function heldError(dir: string, lockPath: string, verdict: Extract<Verdict, { kind: "held" }>, staleMs: number, self: LockIdentity): EventStoreError {
  const { holder } = verdict;
  const since = Number.isFinite(holder.acquired_unix_ms) ? new Date(holder.acquired_unix_ms).toISOString() : "an unknown time";
  if (!verdict.foreign) {
    return new EventStoreError(
      "E_LOCKED",
      `state directory ${dir} is locked by another runner (pid ${holder.pid}, since ${since}); ` +
        `wait for it to finish or, if that process is gone, remove ${lockPath}`,
      { path: lockPath, holderPid: holder.pid },
    );
  }
  // The pid only means something where it was written: say where, and when it last showed life.
  const where =
    holder.hostname === self.hostname
      ? `on this host (${holder.hostname}) in another PID namespace (${holder.pidNamespace ?? "unknown"})`
      : `on host ${holder.hostname === "" ? "(unknown)" : holder.hostname}`;
  return new EventStoreError(
    "E_LOCKED",
    `state directory ${dir} is locked by another runner (pid ${holder.pid} ${where}, since ${since}); ` +
      `its last heartbeat was ${seconds(verdict.heartbeatAgeMs)} ago, and the lock is taken over once the heartbeat ` +
      `is ${seconds(staleMs)} old; wait for it to finish or, if that runner is gone for sure, remove ${lockPath}`,
    { path: lockPath, holderPid: holder.pid },
  );
}

function makeLock(options: { dir: string; lockPath: string; mine: Created; heartbeatMs: number }): DirLock {
  const { dir, lockPath, mine, heartbeatMs } = options;
  let releasing: Promise<void> | undefined;
  let beat: Promise<void> = Promise.resolve();
  const touch = async () => {
    const now = new Date();
    // futimes on our own inode: even if the path was taken over, we never touch someone else's lock.
    await mine.handle.utimes(now, now);
  };
  // unref: the heartbeat must not keep a finished process alive.
  const timer = setInterval(() => {
    beat = beat.then(touch).catch(() => undefined);
  }, heartbeatMs);
  timer.unref();
  return {
    path: lockPath,
    pid: process.pid,
    async assertHeld() {
      await touch().catch(() => undefined);
      let stats;
      try {
        stats = await lstat(lockPath, { bigint: true });
      } catch (error) {
        if (errnoCode(error) !== "ENOENT") throw toIoError(error, "check lock file", lockPath);
      }
      if (stats === undefined || stats.dev !== mine.file.dev || stats.ino !== mine.file.ino) {
        throw new EventStoreError(
          "E_LOCKED",
          `state directory ${dir}: our lock ${lockPath} was taken over by another runner while this one ran ` +
            `(its heartbeat went stale, e.g. the process was paused); nothing more is written`,
          { path: lockPath },
        );
      }
    },
    release() {
      releasing ??= (async () => {
        clearInterval(timer);
        await beat;
        await mine.handle.close().catch(() => undefined);
        // Checked by identity: if our lock was (wrongly) taken over, we must not delete the new one.
        await removeIfSame(lockPath, mine.file);
      })();
      return releasing;
    },
  };
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`lockDir: ${name} must be a positive integer (found ${value})`);
  return value;
}

/**
 * Takes an exclusive, cross-process lock on a directory (one writer at a time) by creating
 * `<dir>/.lock` holding our pid, hostname, PID namespace and time, and keeps it alive with a
 * heartbeat (its mtime, refreshed every few seconds). A held lock is refused with `E_LOCKED` and
 * `holderPid`: one whose pid this host can check while that pid lives, one from another host or
 * PID namespace while its heartbeat is fresh. A lock left by a dead local process (or an
 * unreadable one) is taken over at once, a foreign one once stale, safely even when several
 * processes race for it. A symlink, FIFO or device at the lock's path is refused with
 * `E_UNSAFE_PATH`. Nothing is registered globally: callers must `release()`.
 */
export async function lockDir(dir: string, options: LockDirOptions = {}): Promise<DirLock> {
  const lockPath = join(dir, options.fileName ?? ".lock");
  const staleMs = positive("staleMs", options.staleMs ?? DEFAULT_LOCK_STALE_MS);
  const heartbeatMs = positive("heartbeatMs", options.heartbeatMs ?? Math.max(1, Math.min(5_000, Math.floor(staleMs / 3))));
  const self = currentIdentity();
  try {
    await makeDir(dir);
  } catch (error) {
    throw toIoError(error, "create directory", dir);
  }
  let attempts = 0;
  let busySince: number | undefined;
  while (attempts < MAX_ATTEMPTS) {
    attempts += 1;
    const mine = await createExclusive(lockPath, newRecord(self));
    if (mine !== undefined) return makeLock({ dir, lockPath, mine, heartbeatMs });
    const holder = await readLockFile(lockPath);
    // Released between our create and our read: just try again.
    if (holder === undefined) continue;
    const verdict = judge(holder, self, staleMs);
    if (verdict.kind === "held") throw heldError(dir, lockPath, verdict, staleMs, self);
    if ((await takeOverStale(lockPath, holder, self, staleMs)) === "busy") {
      // Waiting on another process's takeover is not contention: it ends when that guard goes
      // stale (GUARD_STALE_MS), so it does not use up attempts.
      busySince ??= Date.now();
      if (Date.now() - busySince < GUARD_STALE_MS * 2) attempts -= 1;
    } else busySince = undefined;
  }
  throw new EventStoreError(
    "E_LOCKED",
    `state directory ${dir}: gave up acquiring ${lockPath} after ${MAX_ATTEMPTS} attempts (other processes keep taking it, ` +
      `or ${lockPath}.takeover is stuck); try again, and if this repeats with no other runner about, remove ${lockPath}.takeover`,
    { path: lockPath },
  );
}
