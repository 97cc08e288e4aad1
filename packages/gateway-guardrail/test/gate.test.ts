import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  assertThresholds,
  classifyHealth,
  DEFAULT_THRESHOLDS,
  evaluateGate,
  GATE_REASON_CODES,
  GuardrailError,
  snapshotHealth,
  type CycleSummary,
  type GateReasonCode,
  type GuardrailThresholds,
} from "../src";
import { mixedOutcomesFirstRun, mixedOutcomesRepeatRun, summaryWith } from "./helpers/summaries";

function thresholds(failureStreak = 2, retryableFailures = 2): GuardrailThresholds {
  return { failureStreak, retryableFailures };
}

function gate(summary: CycleSummary, failureStreak: number, limits = thresholds()) {
  return evaluateGate({ summary, health: { failure_streak: failureStreak }, thresholds: limits });
}

/** behavior.md §7, written out again independently of src so the property has an oracle. */
function firstBreachedRule(
  summary: CycleSummary,
  failureStreak: number,
  limits: GuardrailThresholds,
): GateReasonCode | undefined {
  const rules: Array<[boolean, GateReasonCode]> = [
    [summary.contract_drift_cases > 0, "contract_drift_detected"],
    [failureStreak >= limits.failureStreak && summary.failed_cases > 0, "failure_streak_threshold_exceeded"],
    [summary.retryable_failures >= limits.retryableFailures, "retryable_failures_threshold_exceeded"],
    [summary.malformed_cases > 0, "malformed_input_observed"],
  ];
  return rules.find(([breached]) => breached)?.[1];
}

/** The reason code of a pass: pending drift is named, but never holds. */
const passReason = (summary: CycleSummary): GateReasonCode =>
  summary.pending_drift_cases > 0 ? "pending_drift_observed" : "guardrail_checks_passing";

describe("evaluateGate", () => {
  it("passes with guardrail_checks_passing when no rule is breached", () => {
    const summary = summaryWith({ discovered_cases: 3, queued_cases: 3, applied_cases: 3, upserted_requests: 3 });
    expect(gate(summary, 0)).toEqual({ gate: "pass", reason_code: "guardrail_checks_passing" });
  });

  it("passes when only pending cases drifted, naming it with pending_drift_observed", () => {
    expect(gate(summaryWith({ pending_drift_cases: 2 }), 0)).toEqual({ gate: "pass", reason_code: "pending_drift_observed" });
  });

  it("lets any holding rule outrank pending drift", () => {
    expect(gate(summaryWith({ pending_drift_cases: 1, malformed_cases: 1 }), 0)).toEqual({ gate: "hold", reason_code: "malformed_input_observed" });
    expect(gate(summaryWith({ pending_drift_cases: 1, contract_drift_cases: 1, failed_cases: 1 }), 1)).toEqual({ gate: "hold", reason_code: "contract_drift_detected" });
  });

  it("holds on contract drift before any other rule", () => {
    const everythingBreached = summaryWith({
      contract_drift_cases: 1,
      failed_cases: 1,
      retryable_failures: 9,
      malformed_cases: 1,
    });
    expect(gate(everythingBreached, 9)).toEqual({ gate: "hold", reason_code: "contract_drift_detected" });
  });

  it("holds on a single drifted case", () => {
    expect(gate(summaryWith({ contract_drift_cases: 1, failed_cases: 1 }), 1, thresholds(5, 5))).toEqual({
      gate: "hold",
      reason_code: "contract_drift_detected",
    });
  });

  it.each([1, 2, 5])("holds on a failure streak equal to the threshold %i", (threshold) => {
    expect(gate(summaryWith({ failed_cases: 1 }), threshold, thresholds(threshold, 100))).toEqual({
      gate: "hold",
      reason_code: "failure_streak_threshold_exceeded",
    });
  });

  it.each([2, 5])("passes on a failure streak one short of the threshold %i", (threshold) => {
    expect(gate(summaryWith({ failed_cases: 1 }), threshold - 1, thresholds(threshold, 100))).toEqual({
      gate: "pass",
      reason_code: "guardrail_checks_passing",
    });
  });

  it("ignores a failure streak when this cycle failed no case", () => {
    expect(gate(summaryWith({ failed_cases: 0 }), 7, thresholds(2, 100))).toEqual({
      gate: "pass",
      reason_code: "guardrail_checks_passing",
    });
  });

  it("holds on a failure streak before looking at retryable failures", () => {
    const summary = summaryWith({ failed_cases: 1, retryable_failures: 4, malformed_cases: 1 });
    expect(gate(summary, 2)).toEqual({ gate: "hold", reason_code: "failure_streak_threshold_exceeded" });
  });

  it.each([1, 2, 5])("holds when retryable failures equal the threshold %i", (threshold) => {
    expect(gate(summaryWith({ retryable_failures: threshold }), 0, thresholds(2, threshold))).toEqual({
      gate: "hold",
      reason_code: "retryable_failures_threshold_exceeded",
    });
  });

  it.each([2, 5])("passes when retryable failures are one short of the threshold %i", (threshold) => {
    expect(gate(summaryWith({ retryable_failures: threshold - 1 }), 0, thresholds(2, threshold))).toEqual({
      gate: "pass",
      reason_code: "guardrail_checks_passing",
    });
  });

  it("holds on retryable failures before looking at malformed input", () => {
    expect(gate(summaryWith({ retryable_failures: 2, malformed_cases: 3 }), 0)).toEqual({
      gate: "hold",
      reason_code: "retryable_failures_threshold_exceeded",
    });
  });

  it("holds on a single malformed case when nothing else is breached", () => {
    expect(gate(summaryWith({ malformed_cases: 1, applied_cases: 2 }), 0)).toEqual({
      gate: "hold",
      reason_code: "malformed_input_observed",
    });
  });

  it("passes despite duplicates, backpressure and retries below the threshold", () => {
    const summary = summaryWith({
      discovered_cases: 70,
      queued_cases: 64,
      backlog_cases: 6,
      duplicate_skips: 10,
      applied_cases: 54,
      retry_attempts: 1,
      retryable_failures: 1,
      recovered_after_retry: 1,
    });
    expect(gate(summary, 0)).toEqual({ gate: "pass", reason_code: "guardrail_checks_passing" });
  });

  it("uses the runbook defaults of 2 and 2", () => {
    expect(DEFAULT_THRESHOLDS).toEqual({ failureStreak: 2, retryableFailures: 2 });
  });

  it("names its reason codes with their wire names", () => {
    expect(Object.values(GATE_REASON_CODES)).toEqual([
      "contract_drift_detected",
      "failure_streak_threshold_exceeded",
      "retryable_failures_threshold_exceeded",
      "malformed_input_observed",
      "pending_drift_observed",
      "guardrail_checks_passing",
    ]);
  });

  it("holds the mixed-outcomes fixture on retryable failures, then on the streak, then fails health (behavior.md §4)", () => {
    const runs = [mixedOutcomesFirstRun(), mixedOutcomesRepeatRun(), mixedOutcomesRepeatRun()];
    let previousFailureStreak = 0;
    const observed = runs.map((summary, index) => {
      const health = snapshotHealth({ summary, previousFailureStreak, cycleDurationMs: 1, nowUnixMs: index });
      previousFailureStreak = health.failure_streak;
      return {
        failure_streak: health.failure_streak,
        health: classifyHealth(health).state,
        ...evaluateGate({ summary, health, thresholds: DEFAULT_THRESHOLDS }),
      };
    });
    expect(observed).toEqual([
      { failure_streak: 1, health: "degraded", gate: "hold", reason_code: "retryable_failures_threshold_exceeded" },
      { failure_streak: 2, health: "degraded", gate: "hold", reason_code: "failure_streak_threshold_exceeded" },
      { failure_streak: 3, health: "failing", gate: "hold", reason_code: "failure_streak_threshold_exceeded" },
    ]);
  });

  it("passes iff no rule is breached, and holds on the first breached rule", () => {
    const counter = fc.nat({ max: 6 });
    const summaries = fc.record({
      discovered_cases: counter,
      queued_cases: counter,
      applied_cases: counter,
      duplicate_skips: counter,
      malformed_cases: counter,
      retryable_failures: counter,
      retry_attempts: counter,
      failed_cases: counter,
      upserted_requests: counter,
      backlog_cases: counter,
      contract_drift_cases: fc.nat({ max: 2 }),
      recovered_after_retry: counter,
      pending_drift_cases: fc.nat({ max: 2 }),
    });
    const limits = fc.record({ failureStreak: fc.integer({ min: 1, max: 6 }), retryableFailures: fc.integer({ min: 1, max: 6 }) });
    fc.assert(
      fc.property(summaries, fc.nat({ max: 8 }), limits, (summary, failureStreak, chosen) => {
        const decision = gate(summary, failureStreak, chosen);
        const breached = firstBreachedRule(summary, failureStreak, chosen);
        if (breached === undefined) {
          expect(decision).toEqual({ gate: "pass", reason_code: passReason(summary) });
        } else {
          expect(decision).toEqual({ gate: "hold", reason_code: breached });
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("assertThresholds", () => {
  const invalid = [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY];

  it.each(invalid)("rejects a failure-streak threshold of %s with E_INVALID_THRESHOLD", (value) => {
    const error = catchError(() => assertThresholds(thresholds(value, 2)));
    expect(GuardrailError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(GuardrailError);
    expect(error).toMatchObject({ code: "E_INVALID_THRESHOLD", name: "GuardrailError" });
    expect((error as Error).message).toContain("failureStreak");
    expect((error as Error).message).toContain(`found ${value}`);
  });

  it.each(invalid)("rejects a retryable-failures threshold of %s with E_INVALID_THRESHOLD", (value) => {
    const error = catchError(() => assertThresholds(thresholds(2, value)));
    expect(GuardrailError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "E_INVALID_THRESHOLD" });
    expect((error as Error).message).toContain("retryableFailures");
  });

  it.each(invalid)("makes evaluateGate refuse a threshold of %s before deciding anything", (value) => {
    const error = catchError(() => gate(summaryWith(), 0, thresholds(value, value)));
    expect(GuardrailError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: "E_INVALID_THRESHOLD" });
  });

  it.each([1, 2, 1000])("accepts the integer threshold %i", (value) => {
    expect(() => assertThresholds(thresholds(value, value))).not.toThrow();
  });
});

describe("GuardrailError.isInstance", () => {
  it("recognises a GuardrailError", () => {
    expect(GuardrailError.isInstance(new GuardrailError("E_INVALID_THRESHOLD", "bad"))).toBe(true);
  });

  it.each([
    ["a plain Error", new Error("bad")],
    ["an error-like object with the same code", { name: "GuardrailError", code: "E_INVALID_THRESHOLD" }],
    ["null", null],
    ["undefined", undefined],
    ["a string", "E_INVALID_THRESHOLD"],
  ])("rejects %s", (_label, value) => {
    expect(GuardrailError.isInstance(value)).toBe(false);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw a GuardrailError, but it returned normally");
}
