import { mkdir } from "node:fs/promises";
import { openRegular } from "./safe-open.js";
import { dirname } from "node:path";
import { fsyncDir } from "./fsync-dir.js";
import { toIoError } from "./io-error.js";
import { writeAll } from "./write-all.js";
import { JsonlBatch, serialiseRecord } from "./jsonl-batch.js";

// Batches above this are written in several appends of whole lines, so 100k records never need
// one giant buffer; below it a batch is a single append that concurrent appenders cannot split.
const CHUNK_CHARS = 4 * 1024 * 1024;

/**
 * Appends each record as one JSON line, in one append (or a few appends of whole lines for
 * batches over 4 MiB), then flushes to disk. Creates the parent directory if missing; no-op for
 * an empty array. If a crash left the file ending in a torn line, the new records start on a
 * fresh line so they stay readable.
 */
export async function appendJsonl(path: string, records: readonly unknown[] | JsonlBatch): Promise<void> {
  // Serialise everything before touching the file, so a bad record leaves the file unchanged.
  const lines =
    records instanceof JsonlBatch
      ? records.toLines()
      : records.map((record, index) => serialiseRecord(record, index, `appendJsonl(${path})`));
  if (lines.length === 0) return;
  try {
    await mkdir(dirname(path), { recursive: true });
    // No-follow: a planted symlink must not make us append outside the directory (E_UNSAFE_PATH).
    const handle = await openRegular(path, "append", "append to");
    let created = false;
    try {
      const { size } = await handle.stat();
      created = size === 0;
      let text = "";
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) text = "\n";
      }
      for (const line of lines) {
        text += line + "\n";
        if (text.length >= CHUNK_CHARS) {
          await writeAll(handle, text);
          text = "";
        }
      }
      if (text.length > 0) await writeAll(handle, text);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    if (created) await fsyncDir(dirname(path));
  } catch (error) {
    throw toIoError(error, "append to", path);
  }
}
