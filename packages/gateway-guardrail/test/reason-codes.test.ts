import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CYCLE_REASON_CODES, cycleReasonCodes, type CycleReasonCode, type CycleSummary } from "../src";
import { mixedOutcomesFirstRun, mixedOutcomesRepeatRun, summaryWith } from "./helpers/summaries";

/** Each code with the smallest summary that triggers it and the boundary one that does not. */
const CONDITIONS: ReadonlyArray<{
  code: CycleReasonCode;
  condition: string;
  /** The counters that make the condition hold. */
  holds: Partial<CycleSummary>;
  /** The boundary just short of it. */
  justMisses: Partial<CycleSummary>;
}> = [
  {
    code: "queue_backpressure_applied",
    condition: "discovered > queued",
    holds: { discovered_cases: 4, queued_cases: 3, backlog_cases: 1 },
    justMisses: { discovered_cases: 3, queued_cases: 3 },
  },
  {
    code: "duplicate_cases_skipped",
    condition: "duplicate_skips > 0",
    holds: { duplicate_skips: 1 },
    justMisses: { duplicate_skips: 0 },
  },
  {
    code: "malformed_inputs_observed",
    condition: "malformed_cases > 0",
    holds: { malformed_cases: 1 },
    justMisses: { malformed_cases: 0 },
  },
  {
    code: "retry_attempted",
    condition: "retry_attempts > 0",
    holds: { retry_attempts: 1 },
    justMisses: { retry_attempts: 0 },
  },
  {
    code: "retryable_failures_observed",
    condition: "retryable_failures > 0",
    holds: { retryable_failures: 1 },
    justMisses: { retryable_failures: 0 },
  },
  {
    code: "case_processing_failed",
    condition: "failed_cases > 0",
    holds: { failed_cases: 1 },
    justMisses: { failed_cases: 0 },
  },
  {
    code: "contract_drift_detected",
    condition: "contract_drift_cases > 0",
    holds: { contract_drift_cases: 1 },
    justMisses: { contract_drift_cases: 0 },
  },
  {
    code: "pending_drift_observed",
    condition: "pending_drift_cases > 0",
    holds: { pending_drift_cases: 1 },
    justMisses: { pending_drift_cases: 0 },
  },
];

/** behavior.md §4, in its order. */
const FIXED_ORDER: readonly CycleReasonCode[] = [
  "queue_backpressure_applied",
  "duplicate_cases_skipped",
  "malformed_inputs_observed",
  "retry_attempted",
  "retryable_failures_observed",
  "case_processing_failed",
  "contract_drift_detected",
  "pending_drift_observed",
];

describe("cycleReasonCodes", () => {
  it("reports healthy_cycle alone when no condition holds", () => {
    expect(cycleReasonCodes(summaryWith())).toEqual(["healthy_cycle"]);
  });

  it("reports healthy_cycle alone for a cycle that applied every queued case", () => {
    const summary = summaryWith({ discovered_cases: 3, queued_cases: 3, applied_cases: 3, upserted_requests: 3 });
    expect(cycleReasonCodes(summary)).toEqual(["healthy_cycle"]);
  });

  it.each(CONDITIONS)("reports $code alone when only $condition", ({ code, holds }) => {
    expect(cycleReasonCodes(summaryWith(holds))).toEqual([code]);
  });

  it.each(CONDITIONS)("leaves $code out when not $condition", ({ code, justMisses }) => {
    const codes = cycleReasonCodes(summaryWith(justMisses));
    expect(codes).not.toContain(code);
    expect(codes).toEqual(["healthy_cycle"]);
  });

  it("decides backpressure from discovered against queued, not from the backlog counter", () => {
    expect(cycleReasonCodes(summaryWith({ discovered_cases: 2, queued_cases: 2, backlog_cases: 5 }))).toEqual([
      "healthy_cycle",
    ]);
  });

  it("lists every code in the fixed order when all conditions hold", () => {
    const summary = summaryWith({
      discovered_cases: 70,
      queued_cases: 64,
      backlog_cases: 6,
      duplicate_skips: 1,
      malformed_cases: 1,
      retry_attempts: 1,
      retryable_failures: 1,
      failed_cases: 1,
      contract_drift_cases: 1,
      pending_drift_cases: 1,
    });
    expect(cycleReasonCodes(summary)).toEqual(FIXED_ORDER);
  });

  it("keeps the fixed order for any combination of conditions and never adds healthy_cycle to them", () => {
    fc.assert(
      fc.property(fc.subarray([...CONDITIONS]), (chosen) => {
        const summary = summaryWith(Object.assign({}, ...chosen.map(({ holds }) => holds)));
        const expected = FIXED_ORDER.filter((code) => chosen.some((c) => c.code === code));
        expect(cycleReasonCodes(summary)).toEqual(expected.length > 0 ? expected : ["healthy_cycle"]);
      }),
    );
  });

  it("gives the mixed-outcomes first run its four codes (behavior.md §4)", () => {
    expect(cycleReasonCodes(mixedOutcomesFirstRun())).toEqual([
      "malformed_inputs_observed",
      "retry_attempted",
      "retryable_failures_observed",
      "case_processing_failed",
    ]);
  });

  it("reports the skipped duplicates when the mixed-outcomes fixture runs again", () => {
    expect(cycleReasonCodes(mixedOutcomesRepeatRun())).toEqual([
      "duplicate_cases_skipped",
      "retry_attempted",
      "retryable_failures_observed",
      "case_processing_failed",
    ]);
  });

  it("returns a new array each call, so callers cannot corrupt later cycles", () => {
    const first = cycleReasonCodes(summaryWith());
    first.push("case_processing_failed");
    expect(cycleReasonCodes(summaryWith())).toEqual(["healthy_cycle"]);
  });

  it("uses every reason code the runbook names, under its wire name", () => {
    const runbookCodes = [
      "healthy_cycle",
      "queue_backpressure_applied",
      "duplicate_cases_skipped",
      "malformed_inputs_observed",
      "retry_attempted",
      "retryable_failures_observed",
      "case_processing_failed",
    ];
    expect(Object.values(CYCLE_REASON_CODES)).toEqual(expect.arrayContaining(runbookCodes));
    expect(Object.values(CYCLE_REASON_CODES)).toEqual(["healthy_cycle", ...FIXED_ORDER]);
  });
});
