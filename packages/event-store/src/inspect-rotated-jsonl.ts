import { inspectJsonl, type JsonlInspection } from "./inspect-jsonl.js";
import { rotatedFiles } from "./rotated-files.js";

/** {@link JsonlInspection} summed over a rotated log, with how many files it spans. */
export interface RotatedJsonlInspection extends JsonlInspection {
  /** Files that exist now: the live one (if present) plus rotated `x.jsonl.N` files. */
  files: number;
}

/** Sizes, records and invalid lines of `x.jsonl` and its rotated files together. */
export async function inspectRotatedJsonl(path: string): Promise<RotatedJsonlInspection> {
  const total: RotatedJsonlInspection = { path, exists: false, bytes: 0, records: 0, invalidLines: 0, files: 0 };
  for (const file of await rotatedFiles(path)) {
    const one = await inspectJsonl(file.path);
    if (!one.exists) continue;
    total.files++;
    if (file.index === 0) total.exists = true;
    total.bytes += one.bytes;
    total.records += one.records;
    total.invalidLines += one.invalidLines;
  }
  // A log whose live file was just rotated away still exists as far as a reader is concerned.
  total.exists ||= total.files > 0;
  return total;
}
