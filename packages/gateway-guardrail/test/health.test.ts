import { describe, expect, it } from "vitest";
import { classifyHealth, FAILING_STREAK, snapshotHealth, type CycleSummary, type HealthState } from "../src";
import { mixedOutcomesFirstRun, mixedOutcomesRepeatRun, summaryWith } from "./helpers/summaries";

function snapshotOf(summary: CycleSummary, previousFailureStreak = 0) {
  return snapshotHealth({ summary, previousFailureStreak, cycleDurationMs: 17, nowUnixMs: 1_700_000_000_000 });
}

describe("snapshotHealth", () => {
  it("stamps the snapshot with the given time and cycle duration", () => {
    const snapshot = snapshotHealth({
      summary: summaryWith(),
      previousFailureStreak: 0,
      cycleDurationMs: 42,
      nowUnixMs: 1_234,
    });
    expect(snapshot.updated_unix_ms).toBe(1_234);
    expect(snapshot.cycle_duration_ms).toBe(42);
  });

  it("reports the backlog as the queue depth", () => {
    const summary = summaryWith({ discovered_cases: 70, queued_cases: 64, backlog_cases: 6 });
    expect(snapshotOf(summary).queue_depth).toBe(6);
  });

  it("reports no active runs once the cycle is over", () => {
    expect(snapshotOf(summaryWith({ failed_cases: 2 }), 4).active_runs).toBe(0);
  });

  it("extends the previous failure streak by one when the cycle failed a case", () => {
    expect(snapshotOf(summaryWith({ failed_cases: 1 }), 0).failure_streak).toBe(1);
    expect(snapshotOf(summaryWith({ failed_cases: 3 }), 4).failure_streak).toBe(5);
  });

  it("resets the failure streak to zero after a cycle without failed cases", () => {
    expect(snapshotOf(summaryWith({ applied_cases: 2, retryable_failures: 1, retry_attempts: 1 }), 5).failure_streak).toBe(0);
    expect(snapshotOf(summaryWith(), 0).failure_streak).toBe(0);
  });

  it("counts applied, malformed, failed and duplicate cases as processed", () => {
    const summary = summaryWith({ applied_cases: 1, malformed_cases: 2, failed_cases: 4, duplicate_skips: 8 });
    expect(snapshotOf(summary).last_cycle_processed).toBe(15);
  });

  it("counts only applied and malformed cases as completed", () => {
    const summary = summaryWith({ applied_cases: 1, malformed_cases: 2, failed_cases: 4, duplicate_skips: 8 });
    expect(snapshotOf(summary).last_cycle_completed).toBe(3);
  });

  it("carries the discovered, failed and duplicate counters over unchanged", () => {
    const summary = summaryWith({ discovered_cases: 9, failed_cases: 4, duplicate_skips: 8 });
    const snapshot = snapshotOf(summary);
    expect(snapshot.last_cycle_discovered).toBe(9);
    expect(snapshot.last_cycle_failed).toBe(4);
    expect(snapshot.last_cycle_duplicates).toBe(8);
  });

  it("writes exactly the wire fields of state.json `health`", () => {
    expect(Object.keys(snapshotOf(summaryWith())).sort()).toEqual(
      [
        "updated_unix_ms",
        "cycle_duration_ms",
        "queue_depth",
        "active_runs",
        "failure_streak",
        "last_cycle_discovered",
        "last_cycle_processed",
        "last_cycle_completed",
        "last_cycle_failed",
        "last_cycle_duplicates",
      ].sort(),
    );
  });

  it("leaves the summary untouched", () => {
    const summary = Object.freeze(mixedOutcomesFirstRun());
    expect(() => snapshotOf(summary, 1)).not.toThrow();
    expect(summary).toEqual(mixedOutcomesFirstRun());
  });

  it("follows the mixed-outcomes fixture across two runs (behavior.md §4)", () => {
    const first = snapshotOf(mixedOutcomesFirstRun(), 0);
    expect(first).toMatchObject({
      queue_depth: 0,
      failure_streak: 1,
      last_cycle_discovered: 3,
      last_cycle_processed: 3,
      last_cycle_completed: 2,
      last_cycle_failed: 1,
      last_cycle_duplicates: 0,
    });
    const second = snapshotOf(mixedOutcomesRepeatRun(), first.failure_streak);
    expect(second).toMatchObject({
      failure_streak: 2,
      last_cycle_processed: 3,
      last_cycle_completed: 0,
      last_cycle_failed: 1,
      last_cycle_duplicates: 2,
    });
  });
});

describe("classifyHealth", () => {
  it("is healthy with no streak and no failed case", () => {
    expect(classifyHealth({ failure_streak: 0, last_cycle_failed: 0 })).toMatchObject({
      state: "healthy",
      reason: "no recent transport failures observed",
    });
  });

  it("is degraded when the last cycle failed a case even with no streak", () => {
    expect(classifyHealth({ failure_streak: 0, last_cycle_failed: 2 })).toMatchObject({
      state: "degraded",
      reason: "recent transport failures observed (failure_streak=0, last_cycle_failed=2)",
    });
  });

  it.each([
    { streak: 1, failed: 1 },
    { streak: 2, failed: 1 },
    { streak: 2, failed: 0 },
  ])("is degraded at failure_streak=$streak, last_cycle_failed=$failed", ({ streak, failed }) => {
    expect(classifyHealth({ failure_streak: streak, last_cycle_failed: failed })).toMatchObject({
      state: "degraded",
      reason: `recent transport failures observed (failure_streak=${streak}, last_cycle_failed=${failed})`,
    });
  });

  it.each([3, 4, 10])("is failing at failure_streak=%i", (streak) => {
    expect(classifyHealth({ failure_streak: streak, last_cycle_failed: 1 })).toMatchObject({
      state: "failing",
      reason: `transport failures are sustained (failure_streak=${streak})`,
    });
  });

  it("is failing on a sustained streak whatever the last cycle's failed count", () => {
    expect(classifyHealth({ failure_streak: 3, last_cycle_failed: 0 }).state).toBe("failing");
  });

  it("starts failing at the runbook's streak of 3", () => {
    expect(FAILING_STREAK).toBe(3);
    expect(classifyHealth({ failure_streak: FAILING_STREAK - 1, last_cycle_failed: 1 }).state).toBe("degraded");
    expect(classifyHealth({ failure_streak: FAILING_STREAK, last_cycle_failed: 1 }).state).toBe("failing");
  });

  it.each<{ state: HealthState; streak: number; failed: number }>([
    { state: "healthy", streak: 0, failed: 0 },
    { state: "degraded", streak: 1, failed: 1 },
    { state: "failing", streak: 3, failed: 1 },
  ])("gives $state a one-line recommendation of its own", ({ state, streak, failed }) => {
    const { state: actual, recommendation } = classifyHealth({ failure_streak: streak, last_cycle_failed: failed });
    expect(actual).toBe(state);
    expect(recommendation.trim()).not.toBe("");
    expect(recommendation).not.toContain("\n");
  });

  it("recommends something different for each state", () => {
    const recommendations = new Set(
      [
        { failure_streak: 0, last_cycle_failed: 0 },
        { failure_streak: 1, last_cycle_failed: 1 },
        { failure_streak: 3, last_cycle_failed: 1 },
      ].map((snapshot) => classifyHealth(snapshot).recommendation),
    );
    expect(recommendations.size).toBe(3);
  });

  it("classifies a full snapshot from snapshotHealth", () => {
    const snapshot = snapshotOf(mixedOutcomesRepeatRun(), 2);
    expect(classifyHealth(snapshot)).toMatchObject({
      state: "failing",
      reason: "transport failures are sustained (failure_streak=3)",
    });
  });
});
