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
 * Case lines are handed out in pieces of about this many characters (2 bytes each at most): under
 * V8's 128 KiB limit for an ordinary heap object, so neither a piece nor its flat copy lands in
 * the large-object space, where even short-lived strings count towards the next full collection.
 */
const CHUNK_CHARS = 60 * 1024;

/**
 * Test names, unique (GitLab drops repeats): a repeated id gets ` (2)`, ` (3)`, … Checked in one
 * pass over all names first: building the set in a tight loop costs a fraction of building it
 * case by case amid the rendering, and ids are nearly always unique already.
 */
function testNames(cases: readonly ReportCase[], clean: Clean, redacting: boolean): string[] {
  const names = new Array<string>(cases.length);
  for (let i = 0; i < cases.length; i++) names[i] = attrOf((cases[i] as ReportCase).case_id, clean, redacting);
  if (new Set(names).size === names.length) return names;
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const base = names[i] as string;
    let name = base;
    for (let n = 2; seen.has(name); n++) name = `${base} (${n})`;
    seen.add(name);
    names[i] = name;
  }
  return names;
}

/**
 * The `<testcase>` lines of a range of cases. A plain method, not the generator's own loop: a
 * generator's long loop is not optimised as well, and this is the hot path of a 100k-case report.
 */
class CaseLines {
  // `<suite> <METHOD> ` once per method: methods repeat, endpoints mostly do not.
  private readonly prefixes = new Map<string, string>();

  constructor(private readonly options: { clean: Clean; suite: string; file: string; names: readonly string[]; redacting: boolean; statuses: Uint8Array }) {}

  /** Index of the first case not rendered by the last `render`. */
  next = 0;

  /** The lines of the cases from `from` on, stopping once the text reaches `CHUNK_CHARS` (`next` says where). */
  render(cases: readonly ReportCase[], from: number, chunkChars: number): string {
    const { clean, suite, file, names, redacting, statuses } = this.options;
    const { prefixes } = this;
    let chunk = "";
    let i = from;
    for (; i < cases.length && chunk.length < chunkChars; i++) {
      const c = cases[i] as ReportCase;
      const name = names[i] as string;
      let prefix = prefixes.get(c.method);
      if (prefix === undefined) {
        prefix = xmlAttr(`${suite} ${clean(c.method)} `);
        prefixes.set(c.method, prefix);
      }
      const head = `    <testcase name="${name}" classname="${prefix}${attrOf(c.endpoint, clean, redacting)}" file="${file}" time="${seconds(c.duration_ms)}"`;
      const status = statuses[i] as number;
      chunk += status === STATUS.passed ? `${head}/>\n` : `${testcaseBody({ c, status, head, clean })}\n`;
    }
    this.next = i;
    return chunk;
  }
}

/**
 * JUnit XML in the Ant/Surefire flavour that Jenkins, GitLab and GitHub test reporters read:
 * one `<testcase>` per case of the fixture, the gate and thresholds as `<properties>`.
 */
export function renderJunit(input: ReportInput, options: RenderOptions = {}): string {
  return [...renderJunitChunks(input, options)].join("");
}

/**
 * `renderJunit`'s text in pieces of a few hundred KB, in order: a 100k-case report is ~15 MB, and
 * a caller that writes the pieces as they come never holds (or copies) it whole.
 */
export function* renderJunitChunks(input: ReportInput, options: RenderOptions = {}): Generator<string, void, undefined> {
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
  const head: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="tau-gateway" ${stats}>`,
    `  <testsuite name="${xmlAttr(suite)}" ${stats} timestamp="${new Date(input.started_unix_ms).toISOString()}">`,
    "    <properties>",
    ...properties.map(([k, v]) => `      <property name="tau.${k}" value="${xmlAttr(clean(String(v)))}"/>`),
    "    </properties>",
    "",
  ];
  const redacting = options.redact !== undefined;
  const names = testNames(cases, clean, redacting);
  const lines = new CaseLines({ clean, suite, file, names, redacting, statuses });
  // Every line ends with "\n".
  yield head.join("\n");
  while (lines.next < cases.length) yield lines.render(cases, lines.next, CHUNK_CHARS);
  yield "  </testsuite>\n</testsuites>\n";
}
