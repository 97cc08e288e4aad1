import type { FileHandle } from "node:fs/promises";
import { lstat, open, readlink, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { openAtomicFile, type AtomicFile } from "./atomic-file.js";
import { EventStoreError } from "./errors.js";
import { errnoCode, toIoError } from "./io-error.js";
import { writeAll } from "./write-all.js";

// As many links as Linux follows before ELOOP.
const MAX_LINK_HOPS = 40;

/**
 * Where an output named by the user really goes: `atomic` for a regular file or a new name
 * (following symlinks, so a link in a repo keeps pointing at its updated target), `stream` for a
 * FIFO, character device or socket (`/dev/stdout`, `/dev/null`, a named pipe), which must be
 * written in place: renaming a file over it would replace the device node itself.
 */
async function outputTarget(path: string): Promise<{ kind: "atomic" | "stream"; path: string }> {
  let current = resolve(path);
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    let info;
    try {
      info = await lstat(current);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return { kind: "atomic", path: current };
      throw toIoError(error, "write", path);
    }
    if (info.isSymbolicLink()) {
      // A link to a pipe's or terminal's descriptor (/dev/stdout → /proc/self/fd/1 → pipe:[…])
      // has no path to resolve to, so ask what the link leads to before following it by name.
      const target = await stat(current).catch(() => undefined);
      if (target !== undefined && !target.isFile() && !target.isDirectory()) return { kind: "stream", path: current };
      current = resolve(dirname(current), await readlink(current));
      continue;
    }
    if (info.isDirectory()) {
      throw new EventStoreError("E_IO", `could not write ${path}: it is a directory (name a file in it)`, { path });
    }
    return { kind: info.isFile() ? "atomic" : "stream", path: current };
  }
  throw new EventStoreError("E_IO", `could not write ${path}: too many levels of symbolic links`, { path });
}

/**
 * Opens an output file the user named (a report, a metrics textfile, a recorded fixture): a
 * regular file is replaced atomically like `openAtomicFile`; a FIFO or device is written in place.
 */
export async function openOutputFile(path: string): Promise<AtomicFile> {
  const target = await outputTarget(path);
  if (target.kind === "atomic") return openAtomicFile(target.path);
  let handle: FileHandle | undefined;
  try {
    handle = await open(target.path, "w");
  } catch (error) {
    throw toIoError(error, "write", path);
  }
  const close = async () => {
    const current = handle;
    handle = undefined;
    await current?.close();
  };
  return {
    tempPath: target.path,
    async write(data) {
      if (handle === undefined) throw new Error(`write of ${path} is already finished`);
      try {
        await writeAll(handle, data);
      } catch (error) {
        await close().catch(() => undefined);
        throw toIoError(error, "write", path);
      }
    },
    async commit() {
      try {
        await close();
      } catch (error) {
        throw toIoError(error, "write", path);
      }
    },
    async abort() {
      await close().catch(() => undefined);
    },
  };
}

/** Writes a whole output file the user named; see `openOutputFile`. */
export async function writeOutputFile(path: string, data: string | Uint8Array): Promise<void> {
  const file = await openOutputFile(path);
  await file.write(data);
  await file.commit();
}

