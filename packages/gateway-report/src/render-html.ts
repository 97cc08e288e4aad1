import { attemptText, caseRows, MAX_VALUE_CHARS, STATUS } from "./case-verdict";
import { explainGate } from "./gate-rules";
import { HTML_SCRIPT, HTML_STYLE } from "./html-app";
import type { RenderOptions, ReportCase, ReportInput } from "./report-input";
import { cleaner, htmlEscape, showValue, truncate, type Clean } from "./text-safety";

/** No network at all: only inline styles and scripts, images as data: URLs. */
export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

/** Strings that repeat across cases are stored once (cleaned once) and referenced by index. */
class Dictionary {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly clean: Clean) {}
  of(raw: string): number {
    let i = this.index.get(raw);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(this.clean(raw));
      this.index.set(raw, i);
    }
    return i;
  }
}

interface CaseDetail {
  diffs?: [string, string, string, string][];
  attempts?: string[];
  message?: string;
  note?: string;
  body?: string;
}

function caseDetail(c: ReportCase, clean: Clean): CaseDetail | undefined {
  const detail: CaseDetail = {};
  if (c.differences && c.differences.length > 0) {
    detail.diffs = c.differences.map((d) => [
      clean(d.field),
      clean(d.pointer),
      truncate(clean(showValue(d.expected)), MAX_VALUE_CHARS),
      truncate(clean(showValue(d.observed)), MAX_VALUE_CHARS),
    ]);
  }
  if (c.failed_attempts && c.failed_attempts.length > 0) detail.attempts = c.failed_attempts.map((a) => attemptText(a, clean));
  if (c.message) detail.message = truncate(clean(c.message), MAX_VALUE_CHARS);
  if (c.note) detail.note = clean(c.note);
  if (c.result === "failed" && c.response_body !== undefined) detail.body = truncate(clean(showValue(c.response_body)), MAX_VALUE_CHARS);
  return Object.keys(detail).length > 0 ? detail : undefined;
}

/** Cases per piece of a column: small arrays, and pieces well under V8's large-object size. */
const SLICE_CASES = 2048;

/** The columns of the case table, in the order the data block lists them. */
const COLUMNS = ["id", "m", "e", "a", "r", "o", "s", "n", "d", "f"] as const;

/**
 * The data block as JSON, in pieces: column arrays and dictionaries, so 10k cases stay well under
 * 2 MB. Written out as `JSON.stringify` would write one object (`v`, …, `dict`, `cases`,
 * `details`), but each column a slice of cases at a time: a 100k-case block is ~5 MB, and built
 * whole, it and its arrays went to V8's large-object space and brought on a full collection.
 */
function* reportDataChunks(input: ReportInput, clean: Clean): Generator<string, void, undefined> {
  const methods = new Dictionary(clean);
  const actors = new Dictionary(clean);
  const results = new Dictionary(clean);
  const outcomes = new Dictionary(clean);
  const n = input.cases.length;
  const { rows, status: statuses } = caseRows(input.cases);
  // The dictionaries come before the cases in the block, so they are filled in a first pass.
  const { details, ...columns } = caseColumns({ rows, statuses, dictionaries: { m: methods, a: actors, r: results, o: outcomes }, clean });
  const s = input.summary;
  const h = input.history;
  const head = {
    v: 1,
    fixture: { name: clean(input.fixture.name), paths: input.fixture.paths.map(clean), sha256: input.fixture.sha256 },
    driver: clean(input.driver),
    started: input.started_unix_ms,
    finished: input.finished_unix_ms,
    aborted: input.aborted,
    gate: { gate: clean(input.gate.gate), reason_code: clean(input.gate.reason_code) },
    health: { state: clean(input.health.state), reason: clean(input.health.reason), failure_streak: input.health.failure_streak },
    rules: explainGate(input),
    counters: [
      ["discovered", s.discovered_cases],
      ["queued", s.queued_cases],
      ["applied", s.applied_cases],
      ["malformed", s.malformed_cases],
      ["failed", s.failed_cases],
      ["drifted", s.contract_drift_cases],
      ["duplicates", s.duplicate_skips],
      ["backlog", s.backlog_cases],
      ["retryable failures", s.retryable_failures],
      ["retries", s.retry_attempts],
      ["recovered after retry", s.recovered_after_retry],
      ["failure streak", input.health.failure_streak],
    ],
    history: {
      t: h.map((e) => e.timestamp_unix_ms),
      failed: h.map((e) => e.failed_cases),
      retryable: h.map((e) => e.retryable_failures),
      drift: h.map((e) => e.contract_drift_cases ?? 0),
      health: h.map((e) => clean(e.health_state)),
      gate: h.map((e) => clean(e.rollout_gate)),
      reason: h.map((e) => clean(e.rollout_reason_code)),
    },
    dict: { m: methods.values, a: actors.values, r: results.values, o: outcomes.values },
  };
  // The object without its closing brace; `cases` and `details` follow.
  yield `${scriptJson(head).slice(0, -1)},"cases":{`;
  for (let k = 0; k < COLUMNS.length; k++) {
    const column = COLUMNS[k] as (typeof COLUMNS)[number];
    yield `${k > 0 ? "," : ""}"${column}":[`;
    for (let from = 0; from < n; from += SLICE_CASES) {
      const slice = columnSlice(columns, column, from, Math.min(n, from + SLICE_CASES));
      // A slice's JSON without its brackets; slices are joined by commas as one array's items.
      yield `${from > 0 ? "," : ""}${scriptJson(slice).slice(1, -1)}`;
    }
    yield "]";
  }
  yield `},"details":${scriptJson(details)}}`;
}

/** Every column's values: the dictionary ones as indices, the others as the block shows them. */
interface CaseColumns {
  indices: Record<"m" | "a" | "r" | "o", Uint32Array>;
  values: Record<"id" | "e" | "s" | "n" | "d" | "f", unknown[]>;
}

/**
 * One pass over the cases: fills the dictionaries, takes every column's value and the details
 * of failing and flaky cases. One pass, because reading 100k case objects is what costs (once
 * per column was half the report); a plain function, because a long loop in a generator's own
 * body is not optimised while it runs, and a report renders once.
 */
function caseColumns(options: {
  rows: readonly ReportCase[];
  statuses: Uint8Array;
  dictionaries: Record<"m" | "a" | "r" | "o", Dictionary>;
  clean: Clean;
}): CaseColumns & { details: Record<number, CaseDetail> } {
  const { rows, statuses, dictionaries, clean } = options;
  const n = rows.length;
  const indices = { m: new Uint32Array(n), a: new Uint32Array(n), r: new Uint32Array(n), o: new Uint32Array(n) };
  // Filled with push: packed arrays, whose slices JSON.stringify takes on its fast path.
  const values = { id: [] as unknown[], e: [] as unknown[], s: [] as unknown[], n: [] as unknown[], d: [] as unknown[], f: [] as unknown[] };
  const details: Record<number, CaseDetail> = {};
  for (let i = 0; i < n; i++) {
    const c = rows[i] as ReportCase;
    const status = statuses[i];
    values.id.push(clean(c.case_id));
    indices.m[i] = dictionaries.m.of(c.method);
    values.e.push(clean(c.endpoint));
    indices.a[i] = dictionaries.a.of(c.actor_id);
    indices.r[i] = dictionaries.r.of(c.result);
    indices.o[i] = dictionaries.o.of(c.error_code ? c.error_code : (c.outcome ?? ""));
    values.s.push(c.status_code ?? 0);
    values.n.push(c.attempts);
    // Whole microseconds: integers serialise much faster than doubles, and the page divides.
    values.d.push(c.duration_ms === undefined ? null : Math.round(c.duration_ms * 1000));
    // Only failing and flaky cases carry attempts, diffs or messages: passing ones skip the lookups.
    if (status === STATUS.passed || status === STATUS.skipped) values.f.push(0);
    else {
      values.f.push(c.failed_attempts?.length ?? 0);
      const detail = caseDetail(c, clean);
      if (detail) details[i] = detail;
    }
  }
  return { indices, values, details };
}

/** The values of one column for the cases from `from` to `to`. */
function columnSlice(columns: CaseColumns, column: (typeof COLUMNS)[number], from: number, to: number): unknown[] {
  if (column === "m" || column === "a" || column === "r" || column === "o") {
    const index = columns.indices[column];
    const out: number[] = [];
    for (let i = from; i < to; i++) out.push(index[i] as number);
    return out;
  }
  return columns.values[column].slice(from, to);
}

/** JSON inside <script>: `<` as \u003c, so neither `</script>` nor `<!--` can end or confuse the block. */
function scriptJson(value: unknown): string {
  const json = JSON.stringify(value);
  // A `<` can only sit inside a JSON string, where \u003c reads back as the same character.
  return json.includes("<") ? json.replace(/</g, "\\u003c") : json;
}

/**
 * One self-contained HTML file: the data embedded once as JSON, an inlined script that renders
 * the verdict, SVG charts over the history, the filterable case table and the drift diffs.
 * No network request: works from file:// under a CSP that forbids every fetch.
 */
export function renderHtml(input: ReportInput, options: RenderOptions = {}): string {
  return [...renderHtmlChunks(input, options)].join("");
}

/**
 * `renderHtml`'s text in three pieces (the page before the data block, the data as JSON, the
 * rest), so a caller writing them need not copy the data (~5 MB at 100k cases) into one string.
 */
export function* renderHtmlChunks(input: ReportInput, options: RenderOptions = {}): Generator<string, void, undefined> {
  const clean = cleaner(options);
  const title = htmlEscape(`${input.gate.gate.toUpperCase()} · ${clean(input.fixture.name)} · Tau gateway report`);
  const before = [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${title}</title>`,
    `<style>${HTML_STYLE}</style>`,
    "</head>",
    "<body>",
    "<main>",
    '<section id="verdict" class="verdict"></section>',
    "<noscript><p>This report renders with JavaScript; the same data is in the JSON block of this file.</p></noscript>",
    "<section><h2>Why the gate decided so</h2>",
    '<table><thead><tr><th class="num">rule</th><th>reason code</th><th>condition</th><th>observed</th><th>result</th></tr></thead><tbody id="rules"></tbody></table></section>',
    '<section><h2>Counters</h2><div id="counters" class="cards"></div></section>',
    '<section><h2>History</h2><div class="charts">',
    '<figure id="chart-failures"><figcaption>Failed, retryable and drifted per cycle</figcaption></figure>',
    '<figure id="chart-health"><figcaption>Health and gate per cycle</figcaption></figure>',
    '<figure id="chart-latency" hidden><figcaption>Latency of the last cycle (ms per case)</figcaption></figure>',
    "</div></section>",
    '<section><h2>Drift (<span id="drift-count">0</span>)</h2><div id="drifts"></div></section>',
    "<section><h2>Cases</h2>",
    '<div class="filters"><select id="f-result" aria-label="result"></select><select id="f-outcome" aria-label="outcome"></select><select id="f-actor" aria-label="actor"></select>',
    '<label><input type="checkbox" id="f-flaky"> flaky only</label><input type="search" id="f-search" placeholder="search case, endpoint, actor" aria-label="search"><span id="row-count" class="muted"></span></div>',
    '<table><thead><tr><th>case</th><th>method</th><th>endpoint</th><th>actor</th><th>result</th><th>observed</th><th class="num">attempts</th><th class="num">ms</th><th>flaky</th></tr></thead><tbody id="case-rows"></tbody></table>',
    '<div class="pager"><button id="prev" type="button">← previous</button><button id="next" type="button">next →</button></div></section>',
    "</main>",
    '<script type="application/json" id="report-data">',
  ];
  yield before.join("\n");
  yield* reportDataChunks(input, clean);
  yield ["</script>", `<script>${HTML_SCRIPT}</script>`, "</body>", "</html>", ""].join("\n");
}
