import { resolve } from "node:path";
import { isReportKind, renderReport, REPORT_KINDS, writeOutputFile, type ReportData, type ReportKind } from "@tau/gateway";
import { ReportWriteError, UsageError } from "./errors";
import type { Flags } from "./flags";
import { checkOutputPath } from "./output-path";

/** One `--gateway-report KIND=PATH`. */
export interface ReportTarget {
  kind: ReportKind;
  path: string;
}

/**
 * The reports asked for, checked before any cycle runs: a known kind, a path whose directory
 * exists (a typo must not cost a whole cycle), no path given twice.
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
 * Renders and writes every report (each atomically); tries them all, then fails naming the ones
 * that could not be written. `data` is the runtime's report data (the renderers' input).
 */
export async function writeReports(options: { targets: readonly ReportTarget[]; data: ReportData; redact?: (text: string) => string }): Promise<void> {
  const failed: string[] = [];
  for (const { kind, path } of options.targets) {
    try {
      const text = renderReport({ kind, input: options.data, ...(options.redact ? { redact: options.redact } : {}) });
      await writeOutputFile(path, text);
    } catch (error) {
      failed.push(`${kind} report ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failed.length > 0) throw new ReportWriteError(`could not write ${failed.length === 1 ? "a report" : `${failed.length} reports`}: ${failed.join("; ")}`);
}
