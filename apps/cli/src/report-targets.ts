import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isReportKind, renderReport, REPORT_KINDS, writeFileAtomic, type ReportData, type ReportKind } from "@tau/gateway";
import { ReportWriteError, UsageError } from "./errors";
import type { Flags } from "./flags";

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
    const dir = dirname(resolve(path));
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      isDir = false;
    }
    if (!isDir) throw new UsageError(`--gateway-report ${kind}=${path}: directory ${dir} does not exist; create it first`);
    if (seen.has(resolve(path))) throw new UsageError(`--gateway-report: ${path} is given twice`);
    seen.add(resolve(path));
    return { kind, path };
  });
}

/**
 * Secret values of this invocation (`--gateway-target-header` values, URL userinfo), replaced
 * by *** in every report. Undefined when there are none, so a simulated run pays nothing.
 */
export function reportRedactor(flags: Flags): ((text: string) => string) | undefined {
  const secrets: string[] = [];
  for (const header of flags.list("gateway-target-header")) {
    const value = header.slice(header.indexOf(":") + 1).trim();
    if (value.length > 0) secrets.push(value);
  }
  const target = flags.isSet("gateway-target-url") ? flags.string("gateway-target-url") : undefined;
  if (target) {
    try {
      const url = new URL(target);
      for (const part of [url.password, url.username]) if (part) secrets.push(part, decodeURIComponent(part));
    } catch {
      // An unparsable URL fails in the driver with its own message.
    }
  }
  const unique = [...new Set(secrets)].sort((a, b) => b.length - a.length);
  if (unique.length === 0) return undefined;
  return (text) => {
    let out = text;
    for (const secret of unique) if (out.includes(secret)) out = out.split(secret).join("***");
    return out;
  };
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
      await writeFileAtomic(path, text);
    } catch (error) {
      failed.push(`${kind} report ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failed.length > 0) throw new ReportWriteError(`could not write ${failed.length === 1 ? "a report" : `${failed.length} reports`}: ${failed.join("; ")}`);
}
