import type { ReportAttempt, ReportCase, ReportDifference } from "./report-input";
import { showValue, truncate, type Clean } from "./text-safety";

/** How a case reads in a test report. */
export type CaseStatus = "passed" | "failure" | "error" | "skipped";

/** The longest value shown per field in JUnit and Markdown; the JSON report keeps what the runtime kept. */
export const MAX_VALUE_CHARS = 2000;

/**
 * drift → failure (the contract broke), but skipped for a pending case (its drift is expected
 * and holds no gate, like a pending test); failed → error (retries exhausted or no answer);
 * never ran → skipped.
 */
export function caseStatus(c: ReportCase): CaseStatus {
  switch (c.result) {
    case "applied":
    case "malformed":
      return "passed";
    case "drift":
      return c.pending === true ? "skipped" : "failure";
    case "failed":
      return "error";
    default:
      return "skipped";
  }
}

/** A passing case that needed retries. */
export function isFlaky(c: ReportCase): boolean {
  return caseStatus(c) === "passed" && (c.failed_attempts?.length ?? 0) > 0;
}

/** Status codes of `caseRows`: one byte per case. */
export const STATUS = { passed: 0, failure: 1, error: 2, skipped: 3, flaky: 4 } as const;

/** The cases of an input with each one's status. */
export interface CaseRows {
  rows: ReportCase[];
  /** STATUS per row (flaky: a passing case with failed attempts). */
  status: Uint8Array;
}

const rowsOf = new WeakMap<readonly ReportCase[], CaseRows>();

/**
 * Every case's status in one pass, remembered per cases array, so the four reports of a cycle
 * ask 100k case objects their status once. (Copying the cases into one shape was measured too:
 * with the runtime's case lines, built as literals, the copy cost more than it saved.)
 */
export function caseRows(cases: readonly ReportCase[]): CaseRows {
  const known = rowsOf.get(cases);
  if (known) return known;
  const rows = cases as ReportCase[];
  const status = new Uint8Array(cases.length);
  for (let i = 0; i < cases.length; i++) {
    const row = cases[i] as ReportCase;
    const s = caseStatus(row);
    status[i] = s === "passed" ? ((row.failed_attempts?.length ?? 0) > 0 ? STATUS.flaky : STATUS.passed) : STATUS[s];
  }
  const out = { rows, status };
  rowsOf.set(cases, out);
  return out;
}

/** Why a case did not run. */
export function skipReason(c: ReportCase): string {
  switch (c.result) {
    case "duplicate":
      return "duplicate: its case key was processed in an earlier cycle";
    case "backlog":
      return "backlog: beyond the queue limit, left for a later cycle";
    case "not_run":
      return "not run: the cycle was interrupted before this case";
    case "drift":
      return "pending: the case drifted from its contract, which a pending case may do without holding the gate";
    default:
      return c.result;
  }
}

/** One transient attempt in words: `attempt 2: retryable_failure 503 gateway_backend_unavailable`. */
export function attemptText(a: ReportAttempt, clean: Clean): string {
  const status = a.status_code > 0 ? ` ${a.status_code}` : "";
  const code = a.error_code ? ` ${clean(a.error_code)}` : "";
  const message = a.message ? `: ${clean(a.message)}` : "";
  return `attempt ${a.attempt}: ${clean(a.outcome)}${status}${code}${message}`;
}

/** One line of a drift diff: `status_code /status_code: expected 200, observed 500`. */
export function differenceText(d: ReportDifference, clean: Clean): string {
  const where = d.pointer ? `${clean(d.field)} ${clean(d.pointer)}` : clean(d.field);
  return `${where}: expected ${truncate(clean(showValue(d.expected)), MAX_VALUE_CHARS)}, observed ${truncate(clean(showValue(d.observed)), MAX_VALUE_CHARS)}`;
}

/** The one-line message of a failing case (JUnit `message`, Markdown heading). */
export function problemSummary(c: ReportCase, clean: Clean): string {
  if (c.result === "drift") {
    const fields = [...new Set((c.differences ?? []).map((d) => clean(d.field)))];
    return `contract drift in ${fields.length > 0 ? fields.join(", ") : "the observation"}`;
  }
  if (c.outcome === "transport_error") {
    return `transport error after ${c.attempts} attempt(s): ${clean(c.error_code ?? "")}${c.message ? ` ${truncate(clean(c.message), 300)}` : ""}`;
  }
  return `retries exhausted after ${c.attempts} attempt(s): ${c.status_code ?? ""} ${clean(c.error_code ?? "")}`.trimEnd();
}

/** The observation of a case in one short line: `201 success`, `503 gateway_backend_unavailable`. */
export function observedText(c: ReportCase, clean: Clean): string {
  if (c.outcome === undefined) return "";
  const status = c.status_code ? `${c.status_code} ` : "";
  return `${status}${clean(c.error_code ? c.error_code : c.outcome)}`;
}
