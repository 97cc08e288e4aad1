import { lstat } from "node:fs/promises";
import { errnoCode, toIoError } from "./io-error.js";
import { describeFileType, unsafePathError } from "./safe-open.js";

/**
 * Checks, without following a symlink, that `path` is missing or is what the store expects there
 * (a regular file or a real directory). Anything else — a symlink, dangling or not, a FIFO, a
 * device — throws `E_UNSAFE_PATH` naming the path: writing through it could land outside the
 * directory the caller owns. Resolves to whether the path exists.
 */
export async function checkPath(path: string, kind: "file" | "directory", action = "write"): Promise<boolean> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw toIoError(error, "inspect", path);
  }
  const ok = kind === "file" ? stats.isFile() : stats.isDirectory();
  if (!ok) {
    throw unsafePathError(path, action, describeFileType(stats), kind === "file" ? "a regular file" : "a directory");
  }
  return true;
}
