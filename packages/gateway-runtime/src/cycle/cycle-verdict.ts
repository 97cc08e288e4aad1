import { evaluateGate, snapshotHealth, type CycleSummary, type GuardrailThresholds } from "@tau/gateway-guardrail";
import type { GatewayState } from "../state/gateway-state";

/**
 * Health and guardrail of a finished cycle (behavior.md §7), as state.json records them: the
 * same for a runner's own cycle and for a merge of shard cycles.
 */
export function cycleVerdict(options: {
  summary: CycleSummary;
  previousFailureStreak: number;
  cycleDurationMs: number;
  nowUnixMs: number;
  thresholds: GuardrailThresholds;
}): Pick<GatewayState, "health" | "guardrail"> {
  const { summary, thresholds } = options;
  const health = snapshotHealth({
    summary,
    previousFailureStreak: options.previousFailureStreak,
    cycleDurationMs: options.cycleDurationMs,
    nowUnixMs: options.nowUnixMs,
  });
  const gate = evaluateGate({ summary, health, thresholds });
  return {
    health,
    guardrail: {
      gate: gate.gate,
      reason_code: gate.reason_code,
      failure_streak_threshold: thresholds.failureStreak,
      retryable_failures_threshold: thresholds.retryableFailures,
      failure_streak: health.failure_streak,
      last_failed_cases: summary.failed_cases,
      last_retryable_failures: summary.retryable_failures,
      updated_unix_ms: health.updated_unix_ms,
    },
  };
}
