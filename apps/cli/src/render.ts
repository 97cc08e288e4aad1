import { printableText, type CycleReport, type Drift } from "@tau/gateway";
import type { Io } from "./io";

/** `value` as it appears after `key=`: bare when simple, JSON-quoted when it has spaces. */
function formatValue(value: unknown): string {
  // Values can be ids from a fixture: escaped, they cannot drive the terminal or split the line.
  if (typeof value === "string") return /^[^\s"=]*$/.test(value) && value.length > 0 ? printableText(value) : printableText(JSON.stringify(value));
  if (Array.isArray(value)) return value.join(",");
  if (typeof value === "object" && value !== null) {
    if (Object.keys(value).length === 0) return "none";
    return Object.entries(value).map(([k, v]) => `${k}:${String(v)}`).join(",");
  }
  return String(value);
}

/** `k1=v1 k2=v2 …` on one line. */
export function keyValues(pairs: Record<string, unknown>): string {
  return Object.entries(pairs).map(([k, v]) => `${k}=${formatValue(v)}`).join(" ");
}

/** Flattens one level: `{ health: { a: 1 } }` → `health.a=1`. */
export function flatten(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    const nested = typeof value === "object" && value !== null && !Array.isArray(value) && key === "health";
    if (nested) for (const [k, v] of Object.entries(value)) out[`${key}.${k}`] = v;
    else out[key] = value;
  }
  return out;
}

/** Characters JSON.stringify leaves raw that a terminal may still act on (C1, DEL, separators, bidi). */
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** Pretty JSON whose strings cannot drive a terminal: the escapes keep the values identical. */
export function json(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `${text}\n`;
}

/** Colour for a health state or gate word. */
export function paintState(io: Io, word: string): string {
  const c = io.colors;
  if (word === "healthy" || word === "pass") return c.green(word);
  if (word === "degraded") return c.yellow(word);
  if (word === "failing" || word === "hold") return c.red(word);
  return word;
}

/** The run summary of behavior.md §9: summary line, health line, gate line. */
export function renderCycle(io: Io, report: CycleReport): string {
  const s = report.summary;
  const lines = [
    `gateway runner summary: discovered=${s.discovered_cases} queued=${s.queued_cases} applied=${s.applied_cases} duplicate_skips=${s.duplicate_skips} malformed=${s.malformed_cases} retryable_failures=${s.retryable_failures} retries=${s.retry_attempts} failed=${s.failed_cases} upserted_requests=${s.upserted_requests}` +
      (s.recovered_after_retry > 0 ? ` recovered_after_retry=${s.recovered_after_retry}` : "") +
      (s.contract_drift_cases > 0 ? ` contract_drift=${s.contract_drift_cases}` : ""),
    `gateway runner health: state=${paintState(io, report.classification.state)} failure_streak=${report.health.failure_streak} queue_depth=${report.health.queue_depth} reason=${report.classification.reason}`,
    `gateway runner gate: rollout_gate=${paintState(io, report.gate.gate)} rollout_reason_code=${report.gate.reason_code} reason_codes=${report.reasonCodes.join(",")}`,
  ];
  if (report.aborted) lines.push("gateway runner: cycle interrupted; cases not reached are left for the next cycle");
  return `${lines.join("\n")}\n`;
}

const show = (value: unknown) => (value === undefined ? "(missing)" : printableText(JSON.stringify(value) ?? String(value)));

/** A readable diff of every drifted case: case, field, expected, observed. */
export function renderDrifts(io: Io, drifts: readonly Drift[]): string {
  if (drifts.length === 0) return "";
  const c = io.colors;
  const lines = [c.red(`contract drift in ${drifts.length} case${drifts.length === 1 ? "" : "s"}:`)];
  for (const drift of drifts) {
    // Ids, keys and notes come from the fixture or the target: escaped, they cannot recolour the
    // terminal or fake a line of the report.
    lines.push(`  case ${printableText(JSON.stringify(drift.case_id))} (${printableText(drift.case_key)})${drift.pending === true ? " [pending: reported, does not hold the gate]" : ""}`);
    if (drift.note) lines.push(`    note: ${printableText(drift.note)}`);
    for (const d of drift.differences) {
      const field = d.field === "response_body" ? `response_body${printableText(d.pointer)}` : d.field;
      lines.push(`    ${field}: expected ${c.green(show(d.expected))}, observed ${c.red(show(d.observed))}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The cycle report as JSON, in wire (snake_case) names like every other output. */
export function cycleReportJson(report: CycleReport): Record<string, unknown> {
  return {
    fixture_name: report.fixtureName,
    driver: report.driver,
    aborted: report.aborted,
    summary: report.summary,
    reason_codes: report.reasonCodes,
    health_state: report.classification.state,
    health_reason: report.classification.reason,
    recommendation: report.classification.recommendation,
    rollout_gate: report.gate.gate,
    rollout_reason_code: report.gate.reason_code,
    guardrail_failure_streak_threshold: report.thresholds.failureStreak,
    guardrail_retryable_failures_threshold: report.thresholds.retryableFailures,
    health: report.health,
    drifts: report.drifts,
    state_path: report.statePath,
    events_log_path: report.eventsPath,
  };
}
