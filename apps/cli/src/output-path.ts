import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { UsageError } from "./errors";

/**
 * Checks an output path before any cycle runs, so a typo costs no cycle: the path is not a
 * directory, and its directory exists unless the writer creates it (`createsDir`: the metrics
 * textfile does). `label` names the flag in the message (`--gateway-report junit=out`).
 */
export function checkOutputPath(label: string, path: string, options: { createsDir?: boolean } = {}): void {
  const full = resolve(path);
  const dir = dirname(full);
  if (options.createsDir !== true && statSync(dir, { throwIfNoEntry: false })?.isDirectory() !== true) {
    throw new UsageError(`${label}: directory ${dir} does not exist; create it first`);
  }
  if (statSync(full, { throwIfNoEntry: false })?.isDirectory() === true) {
    throw new UsageError(`${label}: ${path} is a directory; name a file in it`);
  }
}
