import { openAtomicFile } from "./atomic-file.js";
import type { JsonlBatch } from "./jsonl-batch.js";

/**
 * Replaces a JSONL file whole (temp file, flush, rename, flush the directory): a crash leaves the
 * old file or the new one, never a mix. The batches' lines are written in order, straight from
 * their buffers (so 100k records never need one giant string); batches serialise their records
 * when they are added, so nothing can fail to serialise here.
 */
export async function writeJsonlAtomic(path: string, ...batches: JsonlBatch[]): Promise<void> {
  const file = await openAtomicFile(path);
  for (const batch of batches) {
    for (const chunk of batch.chunks()) await file.write(chunk);
  }
  await file.commit();
}
