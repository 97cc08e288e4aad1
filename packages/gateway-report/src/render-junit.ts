import { attemptText, caseStatus, differenceText, isFlaky, problemSummary, skipReason } from "./case-verdict";
import type { RenderOptions, ReportCase, ReportInput } from "./report-input";
import { cleaner, xmlAttr, xmlText, type Clean } from "./text-safety";

/** Milliseconds as JUnit seconds, to the millisecond (`0.012`); cheaper than toFixed on 100k cases. */
const seconds = (ms: number | undefined) => String(Math.round(ms ?? 0) / 1000);

/** Test names must be unique (GitLab drops repeats): a repeated id gets ` (2)`, ` (3)`, … */
function uniqueNames(cases: readonly ReportCase[], clean: Clean): string[] {
  const seen = new Set<string>();
  return cases.map((c) => {
    const base = clean(c.case_id);
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base} (${n})`;
    seen.add(name);
    return name;
  });
}

function testcase(c: ReportCase, name: string, classname: string, file: string, clean: Clean): string {
  const head = `    <testcase name="${xmlAttr(name)}" classname="${xmlAttr(`${classname} ${clean(c.method)} ${clean(c.endpoint)}`)}" file="${file}" time="${seconds(c.duration_ms)}"`;
  const status = caseStatus(c);
  if (status === "passed") {
    if (!isFlaky(c)) return `${head}/>`;
    // Surefire: a test that passed on a rerun keeps each failed run as <flakyFailure>.
    const flaky = (c.failed_attempts ?? []).map((a) => {
      const text = xmlAttr(attemptText(a, clean));
      return `      <flakyFailure message="${text}" type="${xmlAttr(clean(a.outcome))}"/>`;
    });
    return `${head}>\n${flaky.join("\n")}\n    </testcase>`;
  }
  if (status === "skipped") return `${head}>\n      <skipped message="${xmlAttr(skipReason(c))}"/>\n    </testcase>`;
  const message = xmlAttr(problemSummary(c, clean));
  if (status === "failure") {
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
  const { cases } = input;
  const counts = { failure: 0, error: 0, skipped: 0, passed: 0 };
  for (const c of cases) counts[caseStatus(c)]++;
  const suite = clean(input.fixture.name);
  const file = xmlAttr(clean(input.fixture.paths[0] ?? ""));
  const time = seconds(input.finished_unix_ms - input.started_unix_ms);
  const stats = `tests="${cases.length}" failures="${counts.failure}" errors="${counts.error}" skipped="${counts.skipped}" time="${time}"`;
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
  const names = uniqueNames(cases, clean);
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="tau-gateway" ${stats}>`,
    `  <testsuite name="${xmlAttr(suite)}" ${stats} timestamp="${new Date(input.started_unix_ms).toISOString()}">`,
    "    <properties>",
    ...properties.map(([k, v]) => `      <property name="tau.${k}" value="${xmlAttr(clean(String(v)))}"/>`),
    "    </properties>",
  ];
  for (let i = 0; i < cases.length; i++) parts.push(testcase(cases[i] as ReportCase, names[i] as string, suite, file, clean));
  parts.push("  </testsuite>", "</testsuites>", "");
  return parts.join("\n");
}
