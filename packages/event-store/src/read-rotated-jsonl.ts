import { EventStoreError } from "./errors.js";
import { readJsonlBatches, type JsonlEntry } from "./read-jsonl.js";
import { rotatedFiles } from "./rotated-files.js";

/** A line of a rotated log: the entry and the file it came from. */
export type RotatedJsonlEntry<T> = JsonlEntry<T> & { path: string };

/** Entries of one file of a rotated log, as {@link readRotatedJsonlBatches} yields them. */
export interface RotatedJsonlBatch<T> {
  path: string;
  entries: JsonlEntry<T>[];
}

/**
 * Streams the records of a rotated JSONL log, oldest file first (`x.jsonl.N` … `x.jsonl`), each
 * through {@link readJsonl}. A file that disappears between listing and reading (deleted by a
 * rotation of another process) is skipped. Yields nothing when no file exists.
 */
export async function* readRotatedJsonl<T = unknown>(path: string): AsyncIterableIterator<RotatedJsonlEntry<T>> {
  for await (const batch of readRotatedJsonlBatches<T>(path)) {
    for (const entry of batch.entries) yield { ...entry, path: batch.path };
  }
}

/**
 * {@link readRotatedJsonl}, one batch per 1 MiB read of a file (never empty): the same entries in
 * the same order, with the file they came from given once per batch instead of copied into each.
 */
export async function* readRotatedJsonlBatches<T = unknown>(path: string): AsyncIterableIterator<RotatedJsonlBatch<T>> {
  for (const file of await rotatedFiles(path)) {
    try {
      for await (const entries of readJsonlBatches<T>(file.path)) yield { path: file.path, entries };
    } catch (error) {
      if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") continue;
      throw error;
    }
  }
}
