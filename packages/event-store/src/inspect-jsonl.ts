import { lstat } from "node:fs/promises";
import { classifyLine } from "./classify-line.js";
import { EventStoreError } from "./errors.js";
import { errnoCode, toIoError } from "./io-error.js";
import { scanLineBatches } from "./scan-lines.js";

/** Counts of a JSONL file's lines; blank lines count as neither records nor invalid. */
export interface JsonlInspection {
  path: string;
  exists: boolean;
  bytes: number;
  records: number;
  invalidLines: number;
}

function missing(path: string): JsonlInspection {
  return { path, exists: false, bytes: 0, records: 0, invalidLines: 0 };
}

/** Reports size, valid records and invalid lines of a JSONL file; a missing file is all zeros. */
export async function inspectJsonl(path: string): Promise<JsonlInspection> {
  let bytes: number;
  try {
    // lstat: the size of what is there, not of what a planted symlink points at (the scan refuses it).
    bytes = (await lstat(path)).size;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return missing(path);
    throw toIoError(error, "inspect", path);
  }
  let records = 0;
  let invalidLines = 0;
  try {
    for await (const lines of scanLineBatches(path, { reuseBuffers: true })) {
      for (const line of lines) {
        const verdict = classifyLine(line);
        if (verdict.kind === "ok") records += 1;
        else if (verdict.kind === "invalid") invalidLines += 1;
      }
    }
  } catch (error) {
    // Deleted between stat and open: report what is there now.
    if (EventStoreError.isInstance(error) && error.code === "E_NOT_FOUND") return missing(path);
    throw error;
  }
  return { path, exists: true, bytes, records, invalidLines };
}
