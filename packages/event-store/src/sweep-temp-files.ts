import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { errnoCode, toIoError } from "./io-error.js";
import { isProcessAlive } from "./process-alive.js";

// The names openAtomicFile gives its temp files: `.<name>.<pid>.<12 hex>.tmp`.
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;


/**
 * Removes the temp files that atomic writes in `dir` left behind when their process was killed
 * mid-write (a dead pid in the name); files of live processes are left alone. Returns the
 * removed paths. The target files themselves are never touched.
 */
export async function sweepTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return [];
    throw toIoError(error, "list", dir);
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(TEMP_NAME.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || isProcessAlive(pid)) continue;
    const path = join(dir, name);
    try {
      await unlink(path);
      removed.push(path);
    } catch (error) {
      if (errnoCode(error) !== "ENOENT") throw toIoError(error, "remove", path);
    }
  }
  return removed;
}
