import { resolve } from "node:path";
import { isReportKind, openOutputFile, renderReportChunks, REPORT_KINDS, Utf8Writer, type ReportData, type ReportKind } from "@tau/gateway";
import { ReportWriteError, UsageError } from "./errors";
import type { Flags } from "./flags";
import { checkOutputPath } from "./output-path";

/** One `--gateway-report KIND=PATH`. */
export interface ReportTarget {
  kind: ReportKind;
  path: string;
}

/**
 * The reports asked for, checked before any cycle runs: a known kind, a path that is not a
 * directory in a directory that exists (a typo must not cost a whole cycle), no path given twice.
 */
export function reportTargetsFromFlags(flags: Flags): ReportTarget[] {
  const seen = new Set<string>();
  return flags.list("gateway-report").map((entry) => {
    const eq = entry.indexOf("=");
    const kind = eq > 0 ? entry.slice(0, eq).trim() : "";
    const path = eq > 0 ? entry.slice(eq + 1).trim() : "";
    if (eq <= 0 || path.length === 0) {
      throw new UsageError(`--gateway-report must look like KIND=PATH (found ${JSON.stringify(entry)}); kinds: ${REPORT_KINDS.join(", ")}`);
    }
    if (!isReportKind(kind)) throw new UsageError(`--gateway-report: unknown kind ${JSON.stringify(kind)} (kinds: ${REPORT_KINDS.join(", ")})`);
    checkOutputPath(`--gateway-report ${kind}=${path}`, path);
    if (seen.has(resolve(path))) throw new UsageError(`--gateway-report: ${path} is given twice`);
    seen.add(resolve(path));
    return { kind, path };
  });
}

/**
 * Renders one report into a temp file piece by piece (a 100k-case JUnit is ~15 MB) and swaps it
 * in (a FIFO or device is written in place, see openOutputFile).
 */
async function writeReport(options: { kind: ReportKind; path: string; data: ReportData; redact?: (text: string) => string }): Promise<void> {
  const { kind, path, data, redact } = options;
  const file = await openOutputFile(path);
  try {
    const out = new Utf8Writer(file);
    for (const chunk of renderReportChunks({ kind, input: data, ...(redact ? { redact } : {}) })) await out.write(chunk);
    await out.flush();
    await file.commit();
  } catch (error) {
    await file.abort();
    throw error;
  }
}

/**
 * Renders and writes every report (each atomically); tries them all, then fails naming the ones
 * that could not be written. `data` is the runtime's report data (the renderers' input).
 */
export async function writeReports(options: { targets: readonly ReportTarget[]; data: ReportData; redact?: (text: string) => string }): Promise<void> {
  // All at once: one report's flush to disk overlaps the rendering of the next.
  const settled = await Promise.allSettled(
    options.targets.map(({ kind, path }) => writeReport({ kind, path, data: options.data, ...(options.redact ? { redact: options.redact } : {}) })),
  );
  const failed: string[] = [];
  settled.forEach((outcome, i) => {
    if (outcome.status === "fulfilled") return;
    const { kind, path } = options.targets[i] as ReportTarget;
    const error: unknown = outcome.reason;
    failed.push(`${kind} report ${path}: ${error instanceof Error ? error.message : String(error)}`);
  });
  if (failed.length > 0) throw new ReportWriteError(`could not write ${failed.length === 1 ? "a report" : `${failed.length} reports`}: ${failed.join("; ")}`);
}
