import { attemptText, caseRows, MAX_VALUE_CHARS, problemSummary, skipReason, STATUS } from "./case-verdict";
import { explainGate } from "./gate-rules";
import type { RenderOptions, ReportCase, ReportInput } from "./report-input";
import { cleaner, mdCode, mdText, showValue, truncate } from "./text-safety";

/** $GITHUB_STEP_SUMMARY takes at most 1 MiB per step. */
export const MARKDOWN_MAX_BYTES = 1024 * 1024;
/** Failures shown with their diffs; the rest are counted. */
export const MARKDOWN_MAX_FAILURES = 20;
const MAX_FLAKY = 50;
const TRUNCATION_NOTE = "\n\n> **Note:** this summary was cut at 1 MiB; the JUnit, HTML and JSON reports have every case.\n";

function counterRows(input: ReportInput): string[] {
  const s = input.summary;
  const rows: [string, number][] = [
    ["discovered", s.discovered_cases],
    ["queued", s.queued_cases],
    ["applied", s.applied_cases],
    ["malformed", s.malformed_cases],
    ["failed", s.failed_cases],
    ["drifted", s.contract_drift_cases],
    ["duplicate skips", s.duplicate_skips],
    ["backlog", s.backlog_cases],
    ["retryable failures", s.retryable_failures],
    ["retries", s.retry_attempts],
    ["recovered after retry", s.recovered_after_retry],
  ];
  return ["| counter | value |", "| --- | ---: |", ...rows.map(([k, v]) => `| ${k} | ${v} |`)];
}

function failureSection(c: ReportCase, clean: (s: string) => string): string[] {
  const title = `#### ${mdCode(clean(c.case_id))} ${mdText(`${clean(c.method)} ${clean(c.endpoint)}`)} — ${mdText(problemSummary(c, clean))}`;
  const out = ["", title, ""];
  if (c.result === "drift") {
    out.push("| field | expected | observed |", "| --- | --- | --- |");
    for (const d of c.differences ?? []) {
      const field = d.pointer ? `${clean(d.field)} ${clean(d.pointer)}` : clean(d.field);
      const expected = truncate(clean(showValue(d.expected)), MAX_VALUE_CHARS);
      const observed = truncate(clean(showValue(d.observed)), MAX_VALUE_CHARS);
      out.push(`| ${mdCode(field)} | ${mdCode(expected)} | ${mdCode(observed)} |`);
    }
    if (c.note) out.push("", `Note: ${mdText(clean(c.note))}`);
  } else {
    for (const a of c.failed_attempts ?? []) out.push(`- ${mdText(attemptText(a, clean))}`);
    if (c.message) out.push(`- ${mdText(truncate(clean(c.message), MAX_VALUE_CHARS))}`);
  }
  return out;
}

/**
 * The Markdown job summary (`$GITHUB_STEP_SUMMARY`): the verdict first, then why the gate
 * decided so (each rule, threshold vs observed), the counters, the first failures with their
 * per-field diffs, the flaky cases. Never longer than 1 MiB.
 */
export function renderMarkdown(input: ReportInput, options: RenderOptions = {}): string {
  const clean = cleaner(options);
  const gate = input.gate.gate.toUpperCase();
  const parts: string[] = [
    `## Tau gateway: gate ${mdText(clean(gate))} — ${mdCode(clean(input.gate.reason_code))}`,
    "",
    `Fixture ${mdCode(clean(input.fixture.name))} (${input.fixture.paths.map((p) => mdCode(clean(p))).join(", ") || "no path"}), driver ${mdText(clean(input.driver))}, health **${mdText(clean(input.health.state))}**: ${mdText(clean(input.health.reason))}.`,
  ];
  if (input.aborted) parts.push("", "> **Interrupted:** the cycle was cancelled; cases not reached are reported as not run, and the gate is the last complete cycle's.");
  parts.push("", "### Why the gate decided so", "", "| rule | condition | observed | result |", "| ---: | --- | --- | --- |");
  for (const r of explainGate(input)) {
    const result = r.fired ? `**${input.gate.gate === "pass" ? "pass" : "fired"}**` : r.breached ? "breached (lower priority)" : "not breached";
    parts.push(`| ${r.rule} | ${mdCode(r.reason_code)}: ${mdText(r.condition)} | ${mdText(r.observed)} | ${result} |`);
  }
  parts.push("", "### Counters", "", ...counterRows(input));

  // One pass: the first failures and flaky cases shown, all of them counted.
  const { rows, status: statuses } = caseRows(input.cases);
  const failures: ReportCase[] = [];
  const flaky: ReportCase[] = [];
  const skippedByReason = new Map<string, number>();
  let failureCount = 0;
  let flakyCount = 0;
  let skippedCount = 0;
  for (let i = 0; i < statuses.length; i++) {
    const status = statuses[i];
    if (status === STATUS.passed) continue;
    const c = rows[i] as ReportCase;
    if (status === STATUS.failure || status === STATUS.error) {
      if (failureCount++ < MARKDOWN_MAX_FAILURES) failures.push(c);
    } else if (status === STATUS.flaky) {
      if (flakyCount++ < MAX_FLAKY) flaky.push(c);
    } else {
      skippedCount++;
      const reason = skipReason(c);
      skippedByReason.set(reason, (skippedByReason.get(reason) ?? 0) + 1);
    }
  }
  parts.push("", `### Failures (${failureCount})`);
  if (failureCount === 0) parts.push("", "None.");
  for (const c of failures) parts.push(...failureSection(c, clean));
  if (failureCount > MARKDOWN_MAX_FAILURES) {
    parts.push("", `… and ${failureCount - MARKDOWN_MAX_FAILURES} more failures (see the JUnit or HTML report).`);
  }

  parts.push("", `### Flaky cases (${flakyCount})`, "");
  if (flakyCount === 0) parts.push("None: no case needed a retry to pass.");
  for (const c of flaky) {
    parts.push(`- ${mdCode(clean(c.case_id))} ${mdText(`${clean(c.method)} ${clean(c.endpoint)}`)}: passed on attempt ${c.attempts} after ${(c.failed_attempts ?? []).map((a) => mdText(attemptText(a, clean))).join("; ")}`);
  }
  if (flakyCount > MAX_FLAKY) parts.push(`- … and ${flakyCount - MAX_FLAKY} more`);

  if (skippedCount > 0) {
    parts.push("", `### Skipped (${skippedCount})`, "", ...[...skippedByReason].map(([reason, n]) => `- ${n} × ${mdText(reason)}`));
  }
  return capBytes(parts, MARKDOWN_MAX_BYTES);
}

/** Joins parts, stopping at the last whole part that keeps the text (with its note) under `max` bytes. */
function capBytes(parts: readonly string[], max: number): string {
  const budget = max - Buffer.byteLength(TRUNCATION_NOTE);
  let bytes = 0;
  for (let i = 0; i < parts.length; i++) {
    bytes += Buffer.byteLength(parts[i] as string) + 1;
    if (bytes > budget) return `${parts.slice(0, i).join("\n")}${TRUNCATION_NOTE}`;
  }
  return `${parts.join("\n")}\n`;
}
