import { classifyLine, previewLine } from "./classify-line.js";
import { scanLineBatches } from "./scan-lines.js";

/** One non-blank line of a JSONL file: the parsed value, or why it could not be parsed. */
export type JsonlEntry<T> =
  | { ok: true; lineNumber: number; value: T }
  | { ok: false; lineNumber: number; raw: string; error: string };

/**
 * Streams the records of a JSONL file without loading it whole. Blank lines are skipped but
 * still counted in `lineNumber`; lines that are not JSON (garbage, invalid UTF-8, a last line
 * torn by a crash) come back as `ok: false` with the first 200 characters in `raw`, so one bad
 * line never hides the good ones. A missing file rejects the first `next()` with `E_NOT_FOUND`.
 */
export async function* readJsonl<T = unknown>(path: string): AsyncIterableIterator<JsonlEntry<T>> {
  for await (const batch of readJsonlBatches<T>(path)) yield* batch;
}

/**
 * {@link readJsonl}, one array per 1 MiB read (never empty): the same entries in the same order.
 * For readers that go through a whole log (status inspect, merge), where an async hop per line
 * would cost more than parsing it.
 */
export async function* readJsonlBatches<T = unknown>(path: string): AsyncIterableIterator<JsonlEntry<T>[]> {
  // Entries hold parsed values and strings, never the lines' bytes: the buffers can be reused.
  for await (const lines of scanLineBatches(path, { reuseBuffers: true })) {
    const entries: JsonlEntry<T>[] = [];
    for (const line of lines) {
      const verdict = classifyLine(line);
      if (verdict.kind === "blank") continue;
      if (verdict.kind === "ok") {
        entries.push({ ok: true, lineNumber: line.lineNumber, value: verdict.value as T });
      } else {
        entries.push({ ok: false, lineNumber: line.lineNumber, raw: previewLine(line.bytes), error: verdict.error });
      }
    }
    if (entries.length > 0) yield entries;
  }
}
