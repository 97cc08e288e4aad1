import { lstat, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { errnoCode } from "./io-error.js";

async function mkdirStepwise(path: string): Promise<void> {
  const parent = dirname(path);
  if (parent !== path) {
    try {
      await lstat(parent);
    } catch (error) {
      if (errnoCode(error) !== "ENOENT") throw error;
      await mkdirStepwise(parent);
    }
  }
  try {
    await mkdir(path);
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") throw error;
  }
}

/**
 * `mkdir -p` that reports the real reason. Node's recursive mkdir answers ENOENT when the first
 * missing level cannot be created, e.g. on a read-only file system, which sends an operator
 * looking for a missing parent. On ENOENT this retries level by level, so the error is the one
 * the kernel gave for the level that failed (EROFS, EACCES, ENOSPC...). Throws the raw errno error.
 */
export async function makeDir(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
    await mkdirStepwise(path);
  }
}
