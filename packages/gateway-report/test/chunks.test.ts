import { describe, expect, it } from "vitest";
import {
  explainGate,
  renderHtml,
  renderHtmlChunks,
  renderJunit,
  renderJunitChunks,
  renderReport,
  renderReportChunks,
  REPORT_KINDS,
  type ReportCase,
  type ReportInput,
} from "../src/index";
import { sampleHistory, sampleInput } from "./sample-input";

const odd = 'q"<uote>&\\back\nline\u2028é😀\u0007\ud800\t\r]]>';

/** `n` cases of every kind, with repeated ids, hostile strings and missing values here and there. */
function mixedCases(n: number): ReportCase[] {
  return Array.from({ length: n }, (_, i): ReportCase => {
    const base = { method: ["GET", "POST", " put ", "TRACE"][i % 4] as string, endpoint: `/v1/r/${i % 997}`, actor_id: `actor-${i % 16}`, attempts: 1 };
    switch (i % 11) {
      case 0:
        return { ...base, case_id: "same", result: "applied", outcome: "success", status_code: 200, error_code: "", duration_ms: i / 7 };
      case 1:
        return { ...base, case_id: `x-${odd}-${i % 3}`, endpoint: `/e/${odd}`, actor_id: odd, result: "applied", attempts: 2, outcome: "success", status_code: 200, error_code: "", duration_ms: 1234.5678, failed_attempts: [{ attempt: 1, outcome: "transport_error", status_code: 0, error_code: "ECONNRESET", message: odd }] };
      case 2:
        return { ...base, case_id: `d${i}`, result: "drift", outcome: "success", status_code: 500, error_code: "", duration_ms: 3, response_body: { a: odd }, differences: [{ field: "status_code", pointer: "", expected: 201, observed: 500 }, { field: "response_body", pointer: `/a${odd}`, expected: "x".repeat(2500), observed: odd }], note: odd };
      case 3:
        return { ...base, case_id: `p${i}`, result: "drift", pending: true, outcome: "success", status_code: 500, error_code: "", duration_ms: 3, differences: [{ field: "status_code", pointer: "", expected: 201, observed: 500 }] };
      case 4:
        return { ...base, case_id: `t${i}`, result: "failed", attempts: 3, outcome: "transport_error", status_code: 0, error_code: "ECONNRESET", message: odd, duration_ms: -0.0001 };
      case 5:
        return { ...base, case_id: `f${i}`, result: "failed", attempts: 2, outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable", duration_ms: 4, response_body: { s: 1 }, failed_attempts: [{ attempt: 1, outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable" }] };
      case 6:
        return { ...base, case_id: "same (2)", result: "duplicate", attempts: 0 };
      case 7:
        return { ...base, case_id: `n${i}`, result: "not_run", attempts: 0 };
      case 8:
        return { ...base, case_id: `m${i}`, result: "malformed", outcome: "malformed_input", status_code: 405, error_code: "gateway_unsupported_method", duration_ms: 1e7 + i / 3 };
      case 9:
        return { ...base, case_id: `b${i}`, result: "backlog", attempts: 0 };
      default:
        return { ...base, case_id: `ok-${i}`, result: "applied", outcome: "success", status_code: 200, error_code: "", duration_ms: (i % 50) / 10 };
    }
  });
}

const redact = (s: string) => s.split("actor-1").join("[REDACTED]");
const input = (n: number): ReportInput => sampleInput({ cases: mixedCases(n), history: sampleHistory(30), fixture: { name: `fx ${odd}`, paths: [`p${odd}.json`, "b.json"], sha256: null } });

describe("reports in pieces", { timeout: 60_000 }, () => {
  it("join to exactly the report text, for every kind, with and without a redactor", () => {
    for (const n of [0, 1, 2500]) {
      const data = input(n);
      for (const kind of REPORT_KINDS) {
        for (const options of [{}, { redact }]) {
          const whole = renderReport({ kind, input: data, ...options });
          expect([...renderReportChunks({ kind, input: data, ...options })].join("")).toBe(whole);
        }
      }
    }
    const data = input(2500);
    expect([...renderJunitChunks(data)].join("")).toBe(renderJunit(data));
    expect([...renderHtmlChunks(data, { redact })].join("")).toBe(renderHtml(data, { redact }));
  });

  it("come as JUnit pieces under 128 KiB for a large report", () => {
    const plain = sampleInput({ cases: mixedCases(20_000).map((c, i) => ({ ...c, case_id: `c${i}`, result: "applied", outcome: "success", status_code: 200, error_code: "" })) });
    const pieces = [...renderJunitChunks(plain)];
    expect(pieces.length).toBeGreaterThan(10);
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThan(128 * 1024);
  });

  it("give unique JUnit names as one pass over the cases would, also where a suffix is taken", () => {
    const ids = ["same", "same", "same (2)", "same", "a", "a (2)", "a", "b\u0007", "b"];
    const seen = new Set<string>();
    const expected = ids.map((id) => {
      const base = id.replace("\u0007", "");
      let name = base;
      for (let n = 2; seen.has(name); n++) name = `${base} (${n})`;
      seen.add(name);
      return name;
    });
    expect(expected).toEqual(["same", "same (2)", "same (2) (2)", "same (3)", "a", "a (2)", "a (3)", "b", "b (2)"]);
    const [first] = mixedCases(1);
    const xml = renderJunit(sampleInput({ cases: ids.map((case_id) => ({ ...first!, case_id })) }));
    expect([...xml.matchAll(/<testcase name="([^"]*)"/g)].map((m) => m[1])).toEqual(expected);
  });

  it("write the HTML data block as one JSON.stringify of the columns would", () => {
    for (const n of [0, 2047, 2048, 4500]) {
      for (const options of [{}, { redact }]) {
        const data = input(n);
        const html = renderHtml(data, options);
        const block = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
        expect(block).toBe(JSON.stringify(referenceData(data, options.redact)).replace(/</g, "\\u003c"));
      }
    }
  });
});

/** The data block built the plain way: whole column arrays, then one JSON.stringify. */
function referenceData(input: ReportInput, redact?: (s: string) => string): unknown {
  const clean = (s: string) => (redact ? redact(s) : s).replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g, "");
  const dict = () => {
    const values: string[] = [];
    const index = new Map<string, number>();
    return {
      values,
      of: (raw: string) => {
        if (!index.has(raw)) {
          index.set(raw, values.length);
          values.push(clean(raw));
        }
        return index.get(raw) as number;
      },
    };
  };
  const [m, a, r, o] = [dict(), dict(), dict(), dict()];
  const show = (v: unknown) => (v === undefined ? "(absent)" : (JSON.stringify(v) ?? String(v)));
  const cut = (s: string) => (s.length <= 2000 ? s : `${s.slice(0, 2000)}… (${s.length - 2000} more characters)`);
  const cols = { id: [] as unknown[], m: [] as unknown[], e: [] as unknown[], a: [] as unknown[], r: [] as unknown[], o: [] as unknown[], s: [] as unknown[], n: [] as unknown[], d: [] as unknown[], f: [] as unknown[] };
  const details: Record<number, unknown> = {};
  input.cases.forEach((c, i) => {
    const passed = c.result === "applied" || c.result === "malformed";
    const failing = c.result === "failed" || (c.result === "drift" && c.pending !== true);
    cols.id.push(clean(c.case_id));
    cols.m.push(m.of(c.method));
    cols.e.push(clean(c.endpoint));
    cols.a.push(a.of(c.actor_id));
    cols.r.push(r.of(c.result));
    cols.o.push(o.of(c.error_code ? c.error_code : (c.outcome ?? "")));
    cols.s.push(c.status_code ?? 0);
    cols.n.push(c.attempts);
    cols.d.push(c.duration_ms === undefined ? null : Math.round(c.duration_ms * 1000));
    const shown = failing || (passed && (c.failed_attempts?.length ?? 0) > 0);
    cols.f.push(shown ? (c.failed_attempts?.length ?? 0) : 0);
    if (!shown) return;
    const detail: Record<string, unknown> = {};
    if (c.differences?.length) detail.diffs = c.differences.map((d) => [clean(d.field), clean(d.pointer), cut(clean(show(d.expected))), cut(clean(show(d.observed)))]);
    if (c.failed_attempts?.length) {
      detail.attempts = c.failed_attempts.map((t) => `attempt ${t.attempt}: ${clean(t.outcome)}${t.status_code > 0 ? ` ${t.status_code}` : ""}${t.error_code ? ` ${clean(t.error_code)}` : ""}${t.message ? `: ${clean(t.message)}` : ""}`);
    }
    if (c.message) detail.message = cut(clean(c.message));
    if (c.note) detail.note = clean(c.note);
    if (c.result === "failed" && c.response_body !== undefined) detail.body = cut(clean(show(c.response_body)));
    if (Object.keys(detail).length > 0) details[i] = detail;
  });
  const s = input.summary;
  const h = input.history;
  return {
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
    dict: { m: m.values, a: a.values, r: r.values, o: o.values },
    cases: cols,
    details,
  };
}
