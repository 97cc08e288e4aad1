import { caseRows, STATUS } from "./case-verdict";
import { explainGate } from "./gate-rules";
import type { RenderOptions, ReportCase, ReportInput } from "./report-input";
import { cleanDeep, cleaner } from "./text-safety";

/** Version of the JSON report's layout. */
export const JSON_REPORT_VERSION = 1;

/**
 * The JSON report: the verdict with every gate rule explained, counters, health, the history,
 * a count of cases per result, and every case that failed, drifted or was flaky in full. Passing
 * cases are counted, not listed: `last-cycle.jsonl` in the state dir has every case.
 */
export function renderJson(input: ReportInput, options: RenderOptions = {}): string {
  const clean = cleaner(options);
  const results: Record<string, number> = {};
  const failures: ReportCase[] = [];
  const flaky: ReportCase[] = [];
  const { rows, status: statuses } = caseRows(input.cases);
  for (let i = 0; i < statuses.length; i++) {
    const c = rows[i] as ReportCase;
    results[c.result] = (results[c.result] ?? 0) + 1;
    const status = statuses[i];
    if (status === STATUS.failure || status === STATUS.error) failures.push(c);
    else if (status === STATUS.flaky) flaky.push(c);
  }
  const report = {
    schema_version: JSON_REPORT_VERSION,
    fixture: input.fixture,
    driver: input.driver,
    started_unix_ms: input.started_unix_ms,
    finished_unix_ms: input.finished_unix_ms,
    aborted: input.aborted,
    gate: input.gate,
    rules: explainGate(input),
    thresholds: { failure_streak: input.thresholds.failureStreak, retryable_failures: input.thresholds.retryableFailures },
    health: input.health,
    summary: input.summary,
    results,
    failures,
    flaky,
    history: input.history,
  };
  return `${JSON.stringify(cleanDeep(report, clean))}\n`;
}
