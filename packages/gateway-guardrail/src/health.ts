import type { CycleSummary } from "./cycle-summary";

/** Transport health after a cycle, in wire names (state.json `health`). */
export interface HealthSnapshot {
  updated_unix_ms: number;
  cycle_duration_ms: number;
  queue_depth: number;
  active_runs: number;
  failure_streak: number;
  last_cycle_discovered: number;
  last_cycle_processed: number;
  last_cycle_completed: number;
  last_cycle_failed: number;
  last_cycle_duplicates: number;
}

export type HealthState = "healthy" | "degraded" | "failing";

/** Health state with the reason behind it and what an operator should do. */
export interface HealthClassification {
  state: HealthState;
  reason: string;
  recommendation: string;
}

/** failure_streak at which health is `failing` (runbook: "failure_streak >= 3"). */
export const FAILING_STREAK = 3;

const RECOMMENDATIONS: Record<HealthState, string> = {
  healthy: "no action needed; promotion may continue while the rollout gate passes",
  degraded:
    "inspect runtime-events.jsonl and the channel-store logs, verify fixture expectations, and re-run the cycle",
  failing:
    "treat as a rollout gate failure: pause promotion and investigate the repeated failures before re-running",
};

/** The health snapshot of a cycle that has just finished. */
export function snapshotHealth(options: {
  summary: CycleSummary;
  previousFailureStreak: number;
  cycleDurationMs: number;
  nowUnixMs: number;
}): HealthSnapshot {
  const { summary, previousFailureStreak, cycleDurationMs, nowUnixMs } = options;
  return {
    updated_unix_ms: nowUnixMs,
    cycle_duration_ms: cycleDurationMs,
    queue_depth: summary.backlog_cases,
    active_runs: 0,
    failure_streak: summary.failed_cases > 0 ? previousFailureStreak + 1 : 0,
    last_cycle_discovered: summary.discovered_cases,
    last_cycle_processed:
      summary.applied_cases + summary.malformed_cases + summary.failed_cases + summary.duplicate_skips,
    last_cycle_completed: summary.applied_cases + summary.malformed_cases,
    last_cycle_failed: summary.failed_cases,
    last_cycle_duplicates: summary.duplicate_skips,
  };
}

/** Classifies a snapshot: failing on a sustained streak, degraded on any recent failure. */
export function classifyHealth(
  snapshot: Pick<HealthSnapshot, "failure_streak" | "last_cycle_failed">,
): HealthClassification {
  const { failure_streak: streak, last_cycle_failed: failed } = snapshot;
  if (streak >= FAILING_STREAK) {
    return {
      state: "failing",
      reason: `transport failures are sustained (failure_streak=${streak})`,
      recommendation: RECOMMENDATIONS.failing,
    };
  }
  if (streak > 0 || failed > 0) {
    return {
      state: "degraded",
      reason: `recent transport failures observed (failure_streak=${streak}, last_cycle_failed=${failed})`,
      recommendation: RECOMMENDATIONS.degraded,
    };
  }
  return {
    state: "healthy",
    reason: "no recent transport failures observed",
    recommendation: RECOMMENDATIONS.healthy,
  };
}
