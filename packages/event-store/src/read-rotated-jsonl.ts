import { EventStoreError } from "./errors.js";
import { readJsonl, type JsonlEntry } from "./read-jsonl.js";
import { rotatedFiles } from "./rotated-files.js";

/** A line of a rotated log: the entry and the file it came from. */
export type RotatedJsonlEntry<T> = JsonlEntry<T> & { path: string };

/**
 * Streams the records of a rotated JSONL log, oldest file first (`x.jsonl.N` … `x.jsonl`), each
 * through {@link readJsonl}. A file that disappears between listing and reading (deleted by a
 * rotation of another process) is skipped. Yields nothing when no file exists.
 */
export async function* readRotatedJsonl<T = unknown>(path: string): AsyncIterableIterator<RotatedJsonlEntry<T>> {
  for (const file of await rotatedFiles(path)) {
    try {
      for await (const entry of readJsonl<T>(file.path)) yield { ...entry, path: file.path };
    } catch (error) {
      if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") continue;
      throw error;
    }
  }
}
