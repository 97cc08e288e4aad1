import { randomBytes } from "node:crypto";
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { fsyncDir } from "./fsync-dir.js";
import { toIoError } from "./io-error.js";
import { writeAll } from "./write-all.js";

/** A replacement for a file, written aside and swapped in whole by `commit`. */
export interface AtomicFile {
  readonly tempPath: string;
  write(data: string | Uint8Array): Promise<void>;
  /** Flushes, renames over the target and flushes the directory. */
  commit(): Promise<void>;
  /** Drops the replacement; the target is untouched. Safe to call after a failed commit. */
  abort(): Promise<void>;
}

/** An AtomicFile that can also be sealed. */
export interface SealableAtomicFile extends AtomicFile {
  /**
   * Flushes and closes the replacement without renaming it: another thread can write a file
   * whose commit is left to the one that owns the target (see {@link sealedAtomicFile}).
   */
  seal(): Promise<void>;
}

/** Bytes written between two background flushes of a large replacement. */
const BACKGROUND_FLUSH_BYTES = 32 * 1024 * 1024;

// The temp name adds ~30 bytes to the target's name; keep the total under the 255-byte limit.
const MAX_BASENAME_CHARS = 100;

function tempPathFor(path: string): string {
  const name = basename(path).slice(0, MAX_BASENAME_CHARS);
  return join(dirname(path), `.${name}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
}

async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // Already gone, or we lack permission: the caller is told about the original failure.
  }
}

/**
 * Starts writing a replacement for `path` in the same directory (a rename is only atomic
 * within one file system). Used for whole-buffer writes and for streaming ones like repair.
 */
export async function openAtomicFile(path: string): Promise<SealableAtomicFile> {
  const dir = dirname(path);
  const tempPath = tempPathFor(path);
  // Undefined once closed, so every path out closes the handle exactly once.
  let live: FileHandle | undefined;
  try {
    await mkdir(dir, { recursive: true });
    live = await open(tempPath, "wx");
  } catch (error) {
    throw toIoError(error, "write", path);
  }

  async function closeQuietly(): Promise<void> {
    const current = live;
    live = undefined;
    if (current === undefined) return;
    try {
      await flushing;
      await current.close();
    } catch {
      // Closing after a failed write may fail too; the write error is the one that matters.
    }
  }

  // A large file is flushed as it grows, in the background (one flush at a time): the flush
  // before the rename then has little left, instead of hundreds of MB, to wait for.
  let written = 0;
  let flushedAt = 0;
  let flushing: Promise<void> | undefined;
  function flushInBackground(handle: FileHandle): void {
    if (flushing !== undefined || written - flushedAt < BACKGROUND_FLUSH_BYTES) return;
    flushedAt = written;
    // A failure here fails the final flush too; that is where it is reported.
    flushing = handle.datasync().then(
      () => {
        flushing = undefined;
      },
      () => {
        flushing = undefined;
      },
    );
  }

  async function seal(): Promise<void> {
    const current = live;
    if (current === undefined) throw new Error(`atomic write of ${path} is already finished`);
    try {
      await flushing;
      // Flush before rename: otherwise a crash can leave the new name pointing at empty blocks.
      await current.sync();
      live = undefined;
      await current.close();
    } catch (error) {
      await closeQuietly();
      await removeQuietly(tempPath);
      throw toIoError(error, "write", path);
    }
  }

  return {
    tempPath,
    async write(data) {
      if (live === undefined) throw new Error(`atomic write of ${path} is already finished`);
      try {
        await writeAll(live, data);
        written += data.length;
        flushInBackground(live);
      } catch (error) {
        await closeQuietly();
        await removeQuietly(tempPath);
        throw toIoError(error, "write", path);
      }
    },
    seal,
    async commit() {
      await seal();
      await swapIn(tempPath, path);
    },
    async abort() {
      await closeQuietly();
      await removeQuietly(tempPath);
    },
  };
}

async function swapIn(tempPath: string, path: string): Promise<void> {
  try {
    await rename(tempPath, path);
  } catch (error) {
    await removeQuietly(tempPath);
    throw toIoError(error, "write", path);
  }
  try {
    await fsyncDir(dirname(path));
  } catch (error) {
    throw toIoError(error, "flush directory of", path);
  }
}

/**
 * The AtomicFile of a replacement another thread wrote and sealed at `tempPath` (a temp path
 * openAtomicFile gave for `path`): only `commit` (rename, flush the directory) and `abort`.
 */
export function sealedAtomicFile(path: string, tempPath: string): AtomicFile {
  let finished = false;
  const finish = () => {
    if (finished) throw new Error(`atomic write of ${path} is already finished`);
    finished = true;
  };
  return {
    tempPath,
    async write() {
      throw new Error(`atomic write of ${path} is sealed`);
    },
    async commit() {
      finish();
      await swapIn(tempPath, path);
    },
    async abort() {
      finished = true;
      await removeQuietly(tempPath);
    },
  };
}
