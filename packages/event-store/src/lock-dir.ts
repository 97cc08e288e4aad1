import { randomBytes } from "node:crypto";
import { link, mkdir, open, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EventStoreError } from "./errors.js";
import { errnoCode, toIoError } from "./io-error.js";
import { isProcessAlive } from "./process-alive.js";

/** An exclusive lock on a directory, held until `release` is called. */
export interface DirLock {
  /** The lock file. */
  readonly path: string;
  /** Our pid, as recorded in the lock file. */
  readonly pid: number;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): Promise<void>;
}

/** Options for {@link lockDir}. */
export interface LockDirOptions {
  /** Name of the lock file inside the directory; defaults to `.lock`. */
  fileName?: string;
}

interface LockRecord {
  pid: number;
  hostname: string;
  acquired_unix_ms: number;
}

/** A lock file as read from disk; identity is inode + content, since names get reused. */
interface LockFile {
  raw: string;
  record: LockRecord | undefined;
  dev: bigint;
  ino: bigint;
}

// Bounds the retry loop when many processes fight over a lock that keeps changing hands.
const MAX_ATTEMPTS = 200;

function parseRecord(raw: string): LockRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const { pid, hostname: host, acquired_unix_ms: acquired } = value as Record<string, unknown>;
  // pid 0 and negative pids address process groups in process.kill: never trust them.
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) return undefined;
  return {
    pid,
    hostname: typeof host === "string" ? host : "",
    acquired_unix_ms: typeof acquired === "number" ? acquired : Number.NaN,
  };
}

function newRecord(): string {
  return `${JSON.stringify({ pid: process.pid, hostname: hostname(), acquired_unix_ms: Date.now() })}\n`;
}

async function readLockFile(path: string): Promise<LockFile | undefined> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw toIoError(error, "read lock file", path);
  }
  try {
    // Stat and read through one handle so identity and content describe the same file.
    const stats = await handle.stat({ bigint: true });
    const raw = await handle.readFile("utf8");
    return { raw, record: parseRecord(raw), dev: stats.dev, ino: stats.ino };
  } catch (error) {
    throw toIoError(error, "read lock file", path);
  } finally {
    await handle.close();
  }
}

/**
 * Creates the file with its content only if nothing is there yet; undefined if it exists. The
 * record is written to a private temp file and hard-linked into place (link never overwrites),
 * so the lock appears complete: a process killed midway leaves at worst a stray temp file,
 * never an empty lock that would block the next runner.
 */
async function createExclusive(path: string, raw: string): Promise<LockFile | undefined> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(raw, "utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    // Named after the lock, not the temp file: that is what the operator knows.
    throw toIoError(error, "write lock file", path);
  }
  try {
    await link(temp, path);
  } catch (error) {
    if (errnoCode(error) === "EEXIST") return undefined;
    throw toIoError(error, "create lock file", path);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  const stats = await stat(path, { bigint: true });
  return { raw, record: parseRecord(raw), dev: stats.dev, ino: stats.ino };
}

function sameFile(a: LockFile, b: LockFile): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.raw === b.raw;
}


type Verdict = { kind: "held"; holder: LockRecord } | { kind: "stale" };

/**
 * A lock naming a live pid is held; anything else is stale. Locks are published whole (see
 * createExclusive), so an empty or unreadable one was never a live runner's.
 */
function judge(file: LockFile): Verdict {
  if (file.record !== undefined && isProcessAlive(file.record.pid)) return { kind: "held", holder: file.record };
  return { kind: "stale" };
}

async function removeIfSame(path: string, expected: LockFile): Promise<void> {
  const current = await readLockFile(path);
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
 * holding `<lock>.takeover` (itself created with 'wx'), and the lock is re-read under that guard:
 * so of many processes that saw the same stale lock, one deletes it and the others then find a
 * live lock, never delete it.
 */
async function takeOverStale(lockPath: string, stale: LockFile): Promise<void> {
  const guardPath = `${lockPath}.takeover`;
  const guard = await createExclusive(guardPath, newRecord());
  if (guard === undefined) {
    const other = await readLockFile(guardPath);
    if (other !== undefined && judge(other).kind === "stale") await removeStaleGuard(guardPath, other);
    // Someone else is taking over; their result is visible after a short pause.
    else await sleep(5 + Math.random() * 20);
    return;
  }
  try {
    const current = await readLockFile(lockPath);
    if (current !== undefined && sameFile(current, stale) && judge(current).kind === "stale") {
      await unlink(lockPath).catch((error: unknown) => {
        if (errnoCode(error) !== "ENOENT") throw toIoError(error, "remove stale lock file", lockPath);
      });
    }
  } finally {
    await removeIfSame(guardPath, guard);
  }
}

function heldError(dir: string, lockPath: string, holder: LockRecord): EventStoreError {
  const since = Number.isFinite(holder.acquired_unix_ms)
    ? new Date(holder.acquired_unix_ms).toISOString()
    : "an unknown time";
  // The pid only means something on the host that wrote it; say so when that is not us.
  const host = holder.hostname !== "" && holder.hostname !== hostname() ? ` on host ${holder.hostname}` : "";
  return new EventStoreError(
    "E_LOCKED",
    `state directory ${dir} is locked by another runner (pid ${holder.pid}${host}, since ${since}); ` +
      `wait for it to finish or, if that process is gone, remove ${lockPath}`,
    { path: lockPath, holderPid: holder.pid },
  );
}

function makeLock(lockPath: string, mine: LockFile): DirLock {
  let releasing: Promise<void> | undefined;
  return {
    path: lockPath,
    pid: process.pid,
    release() {
      // Checked by identity: if our lock was (wrongly) taken over, we must not delete the new one.
      releasing ??= removeIfSame(lockPath, mine);
      return releasing;
    },
  };
}

/**
 * Takes an exclusive, cross-process lock on a directory (one writer at a time) by creating
 * `<dir>/.lock` holding our pid, hostname and time. A lock whose pid is alive, including our own,
 * is refused with `E_LOCKED` and `holderPid`; a lock left by a dead process (or an unreadable
 * one) is taken over, safely even when several processes race for it. Nothing is
 * registered globally: callers must `release()`.
 */
export async function lockDir(dir: string, options: LockDirOptions = {}): Promise<DirLock> {
  const lockPath = join(dir, options.fileName ?? ".lock");
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw toIoError(error, "create directory", dir);
  }
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
    const mine = await createExclusive(lockPath, newRecord());
    if (mine !== undefined) return makeLock(lockPath, mine);
    const holder = await readLockFile(lockPath);
    // Released between our create and our read: just try again.
    if (holder === undefined) continue;
    const verdict = judge(holder);
    if (verdict.kind === "held") throw heldError(dir, lockPath, verdict.holder);
    await takeOverStale(lockPath, holder);
  }
  throw new EventStoreError(
    "E_LOCKED",
    `state directory ${dir}: gave up acquiring ${lockPath} after ${MAX_ATTEMPTS} attempts (other processes keep taking it); try again`,
    { path: lockPath },
  );
}
