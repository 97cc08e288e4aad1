import { classifyLine, previewLine } from "./classify-line.js";
import { scanLines } from "./scan-lines.js";

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
  for await (const line of scanLines(path)) {
    const verdict = classifyLine(line);
    if (verdict.kind === "blank") continue;
    if (verdict.kind === "ok") {
      yield { ok: true, lineNumber: line.lineNumber, value: verdict.value as T };
    } else {
      yield { ok: false, lineNumber: line.lineNumber, raw: previewLine(line.bytes), error: verdict.error };
    }
  }
}
