import { readdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { errnoCode, toIoError } from "./io-error.js";

/** One file of a rotated JSONL log: `x.jsonl` has index 0, `x.jsonl.N` index N (older as N grows). */
export interface RotatedFile {
  path: string;
  index: number;
}

const ROTATED_SUFFIX = /^\.([1-9][0-9]{0,8})$/;

/**
 * The files of a rotated JSONL log that exist now, oldest first (`x.jsonl.N` … `x.jsonl.1`, then
 * `x.jsonl`), so reading them in this order reads lines in the order they were written. Gaps in
 * the numbering (left by a crash in the middle of a rotation) are fine: order is by index alone.
 */
export async function rotatedFiles(path: string): Promise<RotatedFile[]> {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (errnoCode(error) === "ENOENT" || errnoCode(error) === "ENOTDIR") return [];
    throw toIoError(error, "list", dir);
  }
  const files: RotatedFile[] = [];
  for (const name of names) {
    if (name === base) {
      files.push({ path, index: 0 });
      continue;
    }
    if (!name.startsWith(base)) continue;
    const match = ROTATED_SUFFIX.exec(name.slice(base.length));
    if (match) files.push({ path: join(dir, name), index: Number(match[1]) });
  }
  return files.sort((a, b) => b.index - a.index);
}
