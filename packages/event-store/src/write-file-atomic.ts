import { openAtomicFile } from "./atomic-file.js";

/**
 * Replaces a file so that a crash at any moment leaves either the old or the new content, never
 * a mix or a truncated file: writes a temp file beside it, flushes it, renames it over the
 * target and flushes the directory. Creates the parent directory if missing. Failures remove
 * the temp file and throw `E_IO` naming the path and errno code (ENOSPC, EACCES, ...).
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const file = await openAtomicFile(path);
  await file.write(data);
  await file.commit();
}
