import { rename, stat, unlink } from "node:fs/promises";
import { dirname } from "node:path";
import { appendJsonl } from "./append-jsonl.js";
import { fsyncDir } from "./fsync-dir.js";
import { errnoCode, toIoError } from "./io-error.js";
import type { JsonlBatch } from "./jsonl-batch.js";
import { rotatedFiles } from "./rotated-files.js";

/** When a JSONL log is rotated: past `maxBytes`, keeping at most `maxFiles` rotated files. */
export interface JsonlRotation {
  /** Rotate the live file before an append once it holds at least this many bytes; 0 never rotates. */
  maxBytes: number;
  /** Rotated files kept (`x.jsonl.1` … `x.jsonl.N`); older ones are deleted. At least 1. */
  maxFiles: number;
}

/** One step of a rotation, for tests that simulate a crash between any two of them. */
export type RotationStep = { kind: "rename"; from: string; to: string } | { kind: "drop"; path: string } | { kind: "sync" };

/** Options of {@link rotateJsonl}. */
export interface RotateJsonlOptions extends JsonlRotation {
  /** Called before each step; a throw stops the rotation there, as a crash would. */
  beforeStep?: (step: RotationStep) => void | Promise<void>;
}

// A bad rotation is a bug of the embedder (the CLI checks its flags first), like a bad record.
function checkRotation({ maxBytes, maxFiles }: JsonlRotation): void {
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new RangeError(`rotation maxBytes must be an integer of at least 0 (found ${maxBytes})`);
  }
  if (!Number.isSafeInteger(maxFiles) || maxFiles < 1) {
    throw new RangeError(`rotation maxFiles must be an integer greater than 0 (found ${maxFiles})`);
  }
}

const suffixed = (path: string, index: number) => (index === 0 ? path : `${path}.${index}`);

/**
 * Rotates `x.jsonl` when it holds at least `maxBytes`: `x.jsonl.k` → `x.jsonl.k+1` for the run
 * of files that starts at `.1`, then `x.jsonl` → `x.jsonl.1`, then deletes the oldest files
 * beyond `maxFiles`. Every rename goes to a name that is free at that moment (the shift starts
 * at the first gap and walks back to `.1`), so a crash between any two steps leaves every line
 * in some file, in order by index; deleting comes last, and only what the count allows.
 * Returns true when it rotated.
 */
export async function rotateJsonl(path: string, options: RotateJsonlOptions): Promise<boolean> {
  checkRotation(options);
  if (options.maxBytes === 0) return false;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw toIoError(error, "inspect", path);
  }
  if (size < options.maxBytes) return false;
  const step = async (s: RotationStep) => options.beforeStep?.(s);
  try {
    const present = new Set((await rotatedFiles(path)).map((f) => f.index));
    let firstGap = 1;
    while (present.has(firstGap)) firstGap++;
    for (let index = firstGap - 1; index >= 0; index--) {
      const from = suffixed(path, index);
      const to = suffixed(path, index + 1);
      await step({ kind: "rename", from, to });
      await rename(from, to);
    }
    await step({ kind: "sync" });
    await fsyncDir(dirname(path));
    // Keep the newest maxFiles rotated files, whatever their numbers after earlier crashes.
    const rotated = (await rotatedFiles(path)).filter((f) => f.index > 0).reverse();
    for (const old of rotated.slice(options.maxFiles)) {
      await step({ kind: "drop", path: old.path });
      await unlink(old.path).catch((error: unknown) => {
        if (errnoCode(error) !== "ENOENT") throw error;
      });
    }
  } catch (error) {
    throw toIoError(error, "rotate", path);
  }
  return true;
}

/** {@link appendJsonl} after {@link rotateJsonl}: the live file starts afresh once it is full. */
export async function appendJsonlRotated(
  path: string,
  records: readonly unknown[] | JsonlBatch,
  rotation: JsonlRotation,
): Promise<void> {
  const empty = Array.isArray(records) ? records.length === 0 : (records as JsonlBatch).size === 0;
  if (!empty) await rotateJsonl(path, rotation);
  await appendJsonl(path, records);
}
