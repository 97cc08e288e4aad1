import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { open } from "node:fs/promises";
import type { Stats } from "node:fs";
import { EventStoreError } from "./errors.js";
import { errnoCode, toIoError } from "./io-error.js";

/** What a path turned out to be when it is not a regular file. */
export function describeFileType(
  stats: Pick<Stats, "isFile" | "isSymbolicLink" | "isFIFO" | "isCharacterDevice" | "isBlockDevice" | "isSocket" | "isDirectory">,
): string {
  if (stats.isFile()) return "a regular file";
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  if (stats.isDirectory()) return "a directory";
  return "an unknown kind of file";
}

/** `E_UNSAFE_PATH` for a file the store will not read or write through. */
export function unsafePathError(path: string, action: string, what: string, expected = "a regular file"): EventStoreError {
  return new EventStoreError(
    "E_UNSAFE_PATH",
    `refusing to ${action} ${path}: it is ${what}, not ${expected} (the runner never creates one; ` +
      `a link or special file there could lead outside the directory or block forever); remove it and run again`,
    { path },
  );
}

// O_NOFOLLOW: a planted symlink is refused (ELOOP) instead of followed out of the state dir.
// O_NONBLOCK: opening a FIFO would otherwise wait forever for a writer; for regular files it
// changes nothing, and anything that is not a regular file is refused right after the open.
const NOFOLLOW = constants.O_NOFOLLOW ?? 0;
const NONBLOCK = constants.O_NONBLOCK ?? 0;

/** Flags for {@link openRegular}: read, or append creating the file. */
export type SafeOpenMode = "read" | "append";

const MODE_FLAGS: Record<SafeOpenMode, number> = {
  read: constants.O_RDONLY,
  append: constants.O_RDWR | constants.O_APPEND | constants.O_CREAT,
};

/**
 * Opens a file only if it is a regular file reached without following a symlink in its last
 * component: symlinks (dangling ones too), FIFOs, devices and sockets are refused with
 * `E_UNSAFE_PATH` naming the path, before a single byte is read or written. ENOENT of a read
 * becomes `E_NOT_FOUND`; other failures `E_IO` naming `action`.
 */
export async function openRegular(path: string, mode: SafeOpenMode, action: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, MODE_FLAGS[mode] | NOFOLLOW | NONBLOCK, 0o666);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" && mode === "read") {
      throw new EventStoreError("E_NOT_FOUND", `${path} does not exist`, { path, cause: error });
    }
    // ELOOP is what O_NOFOLLOW answers for a symlink; ENXIO is a FIFO opened for writing with no
    // reader (O_NONBLOCK). A directory stays a plain EISDIR I/O error, as it always was.
    if (code === "ELOOP") throw unsafePathError(path, action, "a symbolic link");
    if (code === "ENXIO") throw unsafePathError(path, action, "a FIFO (named pipe) or device");
    throw toIoError(error, action, path);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) {
      throw toIoError(Object.assign(new Error(`EISDIR: illegal operation on a directory, ${action} '${path}'`), { code: "EISDIR" }), action, path);
    }
    if (!stats.isFile()) throw unsafePathError(path, action, describeFileType(stats));
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw toIoError(error, action, path);
  }
  return handle;
}
