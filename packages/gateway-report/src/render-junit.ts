import { attemptText, caseRows, differenceText, problemSummary, skipReason, STATUS } from "./case-verdict";
import type { RenderOptions, ReportCase, ReportInput } from "./report-input";
import { cleaner, xmlAttr, xmlText, type Clean } from "./text-safety";

// Whole milliseconds below a second, formatted once: number-to-string per case is a real share
// of a 100k-case report, and most cases take under a second.
const SUB_SECOND = Array.from({ length: 1000 }, (_, ms) => String(ms / 1000));

/** Milliseconds as JUnit seconds, to the millisecond (`0.012`). */
function seconds(ms: number | undefined): string {
  const whole = Math.round(ms ?? 0);
  return whole < 1000 && whole >= 0 ? (SUB_SECOND[whole] as string) : String(whole / 1000);
}

// Characters that need neither cleaning nor escaping in an attribute: printable, no C0/C1
// controls, no `"`, `&`, `<`, `>`. Nearly every id and endpoint is made of these only.
const ATTR_WORK = /[^\u0020-\u0021\u0023-\u0025\u0027-\u003B\u003D\u003F-\u007E\u00A0-\uD7FF\uE000-\uFFFD]/;

/** An attribute value from the input: cleaned (redacted, controls dropped), then escaped; plain text as is. */
function attrOf(text: string, clean: Clean, redacting: boolean): string {
  return !redacting && !ATTR_WORK.test(text) ? text : xmlAttr(clean(text));
}

/** The `<testcase>` of a case that did not simply pass: `head` is its opening tag, unclosed. */
function testcaseBody(options: { c: ReportCase; status: number; head: string; clean: Clean }): string {
  const { c, status, head, clean } = options;
  if (status === STATUS.flaky) {
    // Surefire: a test that passed on a rerun keeps each failed run as <flakyFailure>.
    const flaky = (c.failed_attempts ?? []).map((a) => {
      const text = xmlAttr(attemptText(a, clean));
      return `      <flakyFailure message="${text}" type="${xmlAttr(clean(a.outcome))}"/>`;
    });
    return `${head}>\n${flaky.join("\n")}\n    </testcase>`;
  }
  if (status === STATUS.skipped) return `${head}>\n      <skipped message="${xmlAttr(skipReason(c))}"/>\n    </testcase>`;
  const message = xmlAttr(problemSummary(c, clean));
  if (status === STATUS.failure) {
    const lines = (c.differences ?? []).map((d) => differenceText(d, clean));
    if (c.note) lines.push(`note: ${clean(c.note)}`);
    return `${head}>\n      <failure message="${message}" type="contract_drift">${xmlText(lines.join("\n"))}</failure>\n    </testcase>`;
  }
  const type = c.outcome === "transport_error" ? "transport_error" : "retries_exhausted";
  const lines = (c.failed_attempts ?? []).map((a) => attemptText(a, clean));
  if (c.message) lines.push(clean(c.message));
  return `${head}>\n      <error message="${message}" type="${type}">${xmlText(lines.join("\n"))}</error>\n    </testcase>`;
}

/**
 * JUnit XML in the Ant/Surefire flavour that Jenkins, GitLab and GitHub test reporters read:
 * one `<testcase>` per case of the fixture, the gate and thresholds as `<properties>`.
 */
export function renderJunit(input: ReportInput, options: RenderOptions = {}): string {
  const clean = cleaner(options);
  const { rows: cases, status: statuses } = caseRows(input.cases);
  const counts = [0, 0, 0, 0, 0];
  for (let i = 0; i < statuses.length; i++) (counts[statuses[i] as number] as number)++;
  const suite = clean(input.fixture.name);
  const file = xmlAttr(clean(input.fixture.paths[0] ?? ""));
  const time = seconds(input.finished_unix_ms - input.started_unix_ms);
  const stats = `tests="${cases.length}" failures="${counts[STATUS.failure]}" errors="${counts[STATUS.error]}" skipped="${counts[STATUS.skipped]}" time="${time}"`;
  const properties: [string, string | number][] = [
    ["gate", input.gate.gate],
    ["gate.reason_code", input.gate.reason_code],
    ["threshold.failure_streak", input.thresholds.failureStreak],
    ["threshold.retryable_failures", input.thresholds.retryableFailures],
    ["health.state", input.health.state],
    ["health.reason", input.health.reason],
    ["failure_streak", input.health.failure_streak],
    ["retryable_failures", input.summary.retryable_failures],
    ["driver", input.driver],
    ["aborted", String(input.aborted)],
    ["fixture.sha256", input.fixture.sha256 ?? ""],
    ...input.fixture.paths.map((p, i): [string, string] => [`fixture.path.${i + 1}`, p]),
  ];
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="tau-gateway" ${stats}>`,
    `  <testsuite name="${xmlAttr(suite)}" ${stats} timestamp="${new Date(input.started_unix_ms).toISOString()}">`,
    "    <properties>",
    ...properties.map(([k, v]) => `      <property name="tau.${k}" value="${xmlAttr(clean(String(v)))}"/>`),
    "    </properties>",
  ];
  // Test names must be unique (GitLab drops repeats): a repeated id gets ` (2)`, ` (3)`, …
  const seen = new Set<string>();
  const redacting = options.redact !== undefined;
  // `<suite> <METHOD> ` once per method: methods repeat, endpoints mostly do not.
  const prefixes = new Map<string, string>();
  // Appended a thousand cases at a time: the per-case strings die young instead of surviving, as
  // a hundred thousand small strings, into the old generation until one final join.
  let chunk = "";
  for (let i = 0; i < cases.length; i++) {
    const c = cases[i] as ReportCase;
    const base = attrOf(c.case_id, clean, redacting);
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base} (${n})`;
    seen.add(name);
    let prefix = prefixes.get(c.method);
    if (prefix === undefined) {
      prefix = xmlAttr(`${suite} ${clean(c.method)} `);
      prefixes.set(c.method, prefix);
    }
    const head = `    <testcase name="${name}" classname="${prefix}${attrOf(c.endpoint, clean, redacting)}" file="${file}" time="${seconds(c.duration_ms)}"`;
    const status = statuses[i] as number;
    chunk += status === STATUS.passed ? `${head}/>\n` : `${testcaseBody({ c, status, head, clean })}\n`;
    if (i % 1000 === 999) {
      parts.push(chunk.slice(0, -1));
      chunk = "";
    }
  }
  if (chunk.length > 0) parts.push(chunk.slice(0, -1));
  parts.push("  </testsuite>", "</testsuites>", "");
  return parts.join("\n");
}
