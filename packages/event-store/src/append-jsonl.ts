import { mkdir } from "node:fs/promises";
import { openRegular } from "./safe-open.js";
import { dirname } from "node:path";
import { fsyncDir } from "./fsync-dir.js";
import { toIoError } from "./io-error.js";
import { writeAll } from "./write-all.js";
import { JsonlBatch, serialiseRecord } from "./jsonl-batch.js";

// Batches above this are written in several appends of whole lines (the batch's own buffers), so
// 100k records never need one giant buffer; below it a batch is a single append that concurrent
// appenders cannot split.
const CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * Appends each record as one JSON line, in one append (or a few appends of whole lines for
 * batches over 4 MiB), then flushes to disk. Creates the parent directory if missing; no-op for
 * an empty array. If a crash left the file ending in a torn line, the new records start on a
 * fresh line so they stay readable.
 */
export async function appendJsonl(path: string, records: readonly unknown[] | JsonlBatch): Promise<void> {
  // Serialise everything before touching the file, so a bad record leaves the file unchanged.
  let batch: JsonlBatch;
  if (records instanceof JsonlBatch) batch = records;
  else {
    batch = new JsonlBatch();
    records.forEach((record, index) => batch.addSerialised(serialiseRecord(record, index, `appendJsonl(${path})`)));
  }
  if (batch.size === 0) return;
  try {
    await mkdir(dirname(path), { recursive: true });
    // No-follow: a planted symlink must not make us append outside the directory (E_UNSAFE_PATH).
    const handle = await openRegular(path, "append", "append to");
    let created = false;
    try {
      const { size } = await handle.stat();
      created = size === 0;
      if (size > 0) {
        const last = Buffer.alloc(1);
        await handle.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await writeAll(handle, "\n");
      }
      const chunks = batch.chunks();
      // A small batch goes out in one write, so a concurrent appender cannot land inside it.
      if (batch.byteLength <= CHUNK_BYTES) await writeAll(handle, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
      else for (const chunk of chunks) await writeAll(handle, chunk);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    if (created) await fsyncDir(dirname(path));
  } catch (error) {
    throw toIoError(error, "append to", path);
  }
}
