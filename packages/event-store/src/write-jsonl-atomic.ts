import { openAtomicFile } from "./atomic-file.js";
import type { JsonlBatch } from "./jsonl-batch.js";

// Lines are written in pieces of about this size, so a file of 100k records never needs one
// giant string.
const CHUNK_CHARS = 4 * 1024 * 1024;

/**
 * Replaces a JSONL file whole (temp file, flush, rename, flush the directory): a crash leaves the
 * old file or the new one, never a mix. The batches' lines are written in order; batches
 * serialise their records when they are added, so nothing can fail to serialise here.
 */
export async function writeJsonlAtomic(path: string, ...batches: JsonlBatch[]): Promise<void> {
  const file = await openAtomicFile(path);
  let text = "";
  for (const batch of batches) {
    for (const line of batch.toLines()) {
      text += line + "\n";
      if (text.length >= CHUNK_CHARS) {
        await file.write(text);
        text = "";
      }
    }
  }
  if (text.length > 0) await file.write(text);
  await file.commit();
}
