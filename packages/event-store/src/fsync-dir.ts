import { open } from "node:fs/promises";
import { errnoCode } from "./io-error.js";

// Where a directory cannot be opened or flushed (Windows, some network and FUSE file systems)
// there is nothing more we can do for durability, and failing the write would be worse.
const UNSUPPORTED = new Set(["EISDIR", "EINVAL", "EPERM", "EACCES", "ENOTSUP", "EBADF"]);

/** Flushes a directory entry (a rename or a new file) to disk, where the platform allows it. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, "r");
  } catch (error) {
    if (UNSUPPORTED.has(errnoCode(error) ?? "")) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!UNSUPPORTED.has(errnoCode(error) ?? "")) throw error;
  } finally {
    await handle.close();
  }
}
