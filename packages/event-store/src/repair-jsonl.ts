import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import { dirname } from "node:path";
import type { AtomicFile } from "./atomic-file.js";
import { openAtomicFile } from "./atomic-file.js";
import { classifyLine } from "./classify-line.js";
import { EventStoreError } from "./errors.js";
import { fsyncDir } from "./fsync-dir.js";
import { errnoCode, toIoError } from "./io-error.js";
import { inspectJsonl } from "./inspect-jsonl.js";
import { openForRead, scanLines } from "./scan-lines.js";
import { writeAll } from "./write-all.js";

/** Outcome of {@link repairJsonl}. */
export interface JsonlRepair {
  path: string;
  /** Valid records left in the file. */
  kept: number;
  /** Invalid lines moved to `corruptPath`. */
  moved: number;
  /** Where the invalid lines went; null when nothing was moved. */
  corruptPath: string | null;
}

/** Options for {@link repairJsonl}. */
export interface RepairJsonlOptions {
  /** Clock for the `.corrupt-<unix_ms>` suffix; injectable for tests. */
  now?: () => number;
}

const NEWLINE = Buffer.from("\n");
const BATCH_BYTES = 1024 * 1024;

/** Collects lines and hands them on in ~1 MiB writes instead of one syscall per line. */
function lineBatcher(write: (bytes: Buffer) => Promise<void>) {
  let pieces: Buffer[] = [];
  let size = 0;
  async function flush(): Promise<void> {
    if (pieces.length === 0) return;
    const bytes = Buffer.concat(pieces, size);
    pieces = [];
    size = 0;
    await write(bytes);
  }
  return {
    async add(line: Buffer): Promise<void> {
      pieces.push(line, NEWLINE);
      size += line.length + 1;
      if (size >= BATCH_BYTES) await flush();
    },
    flush,
  };
}

/** Creates the corrupt-lines file without ever overwriting an earlier one from the same ms. */
async function createCorruptFile(path: string, unixMs: number): Promise<{ path: string; handle: FileHandle }> {
  for (let attempt = 1; ; attempt += 1) {
    const candidate = attempt === 1 ? `${path}.corrupt-${unixMs}` : `${path}.corrupt-${unixMs}-${attempt}`;
    try {
      return { path: candidate, handle: await open(candidate, "wx") };
    } catch (error) {
      if (errnoCode(error) !== "EEXIST" || attempt >= 100) throw toIoError(error, "create", candidate);
    }
  }
}

/**
 * Moves the invalid lines of a JSONL file to `<path>.corrupt-<unix_ms>` and keeps the valid
 * ones, byte for byte and in order (blank lines are dropped). The corrupt file is flushed to
 * disk before the original is atomically replaced, so a crash mid-repair loses nothing. A file
 * without invalid lines is not touched. Hold the directory's lock while repairing: records
 * appended during a repair would be lost.
 */
export async function repairJsonl(path: string, options: RepairJsonlOptions = {}): Promise<JsonlRepair> {
  const now = options.now ?? Date.now;
  // A cheap read-only pass first: healthy files (the common case) are never rewritten.
  const inspection = await inspectJsonl(path);
  if (inspection.invalidLines === 0) {
    return { path, kept: inspection.records, moved: 0, corruptPath: null };
  }

  let replacement: AtomicFile | undefined;
  let corrupt: { path: string; handle: FileHandle } | undefined;
  let kept = 0;
  let moved = 0;
  // A second handle on the original, opened only to copy lines too long to hold in memory.
  let source: FileHandle | undefined;
  try {
    const file = await openAtomicFile(path);
    replacement = file;
    const valid = lineBatcher((bytes) => file.write(bytes));
    const writeCorrupt = async (bytes: Uint8Array) => {
      corrupt ??= await createCorruptFile(path, now());
      const target = corrupt;
      try {
        await writeAll(target.handle, bytes);
      } catch (error) {
        throw toIoError(error, "write", target.path);
      }
    };
    const invalid = lineBatcher(writeCorrupt);
    for await (const line of scanLines(path)) {
      const verdict = classifyLine(line);
      if (verdict.kind === "ok") {
        await valid.add(line.bytes);
        kept += 1;
      } else if (verdict.kind === "invalid") {
        if (line.oversized) {
          // Never held whole: copied from the file in chunks, in its place among the others.
          await invalid.flush();
          source ??= await openForRead(path);
          await copyRange({ from: source, offset: line.offset, length: line.length, to: writeCorrupt, path });
          await writeCorrupt(NEWLINE);
        } else await invalid.add(line.bytes);
        moved += 1;
      }
    }
    await valid.flush();
    await invalid.flush();
    if (corrupt === undefined) {
      // The invalid lines vanished between the two passes (someone else repaired it).
      await replacement.abort();
      return { path, kept, moved: 0, corruptPath: null };
    }
    try {
      await corrupt.handle.sync();
      await corrupt.handle.close();
      await fsyncDir(dirname(path));
    } catch (error) {
      throw toIoError(error, "write", corrupt.path);
    }
    const corruptPath = corrupt.path;
    corrupt = undefined;
    await replacement.commit();
    replacement = undefined;
    return { path, kept, moved, corruptPath };
  } catch (error) {
    await source?.close().catch(() => undefined);
    source = undefined;
    await replacement?.abort();
    // The original file is untouched; a half-written corrupt file is only a redundant copy.
    await corrupt?.handle.close().catch(() => undefined);
    if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") {
      return { path, kept: 0, moved: 0, corruptPath: null };
    }
    throw error;
  } finally {
    await source?.close().catch(() => undefined);
  }
}

/** Copies `length` bytes at `offset` of a file to `to`, one chunk at a time. */
async function copyRange(options: {
  from: FileHandle;
  offset: number;
  length: number;
  to: (bytes: Uint8Array) => Promise<void>;
  path: string;
}): Promise<void> {
  const { from, to, path } = options;
  const buffer = Buffer.allocUnsafe(BATCH_BYTES);
  let position = options.offset;
  let left = options.length;
  while (left > 0) {
    let bytesRead: number;
    try {
      ({ bytesRead } = await from.read(buffer, 0, Math.min(left, buffer.length), position));
    } catch (error) {
      throw toIoError(error, "read", path);
    }
    // Shrunk under us (someone truncated it): the file is what it is now.
    if (bytesRead === 0) return;
    await to(buffer.subarray(0, bytesRead));
    position += bytesRead;
    left -= bytesRead;
  }
}
