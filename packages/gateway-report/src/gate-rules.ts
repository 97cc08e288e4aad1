import type { ReportInput } from "./report-input";

/** One rule of the rollout gate (behavior.md §7) with the threshold and what the cycle observed. */
export interface GateRuleExplanation {
  /** Priority, 1 first. */
  rule: number;
  reason_code: string;
  /** The condition in words, with its threshold. */
  condition: string;
  /** What this cycle observed for it. */
  observed: string;
  /** The condition holds for this cycle. */
  breached: boolean;
  /** This rule decided the gate (the recorded reason code). */
  fired: boolean;
}

/**
 * Why the gate decided as it did: every rule in priority order, threshold vs observed. The
 * decision itself is the recorded one (state.json / the cycle report); this only explains it.
 */
export function explainGate(input: Pick<ReportInput, "summary" | "thresholds" | "health" | "gate">): GateRuleExplanation[] {
  const { summary: s, thresholds: t, health, gate } = input;
  const streak = health.failure_streak;
  const rules = [
    {
      reason_code: "contract_drift_detected",
      condition: "any case drifts from its contract",
      observed: `${s.contract_drift_cases} drifted`,
      breached: s.contract_drift_cases > 0,
    },
    {
      reason_code: "failure_streak_threshold_exceeded",
      condition: `failure_streak ≥ ${t.failureStreak} and failed > 0`,
      observed: `failure_streak ${streak}, failed ${s.failed_cases}`,
      breached: streak >= t.failureStreak && s.failed_cases > 0,
    },
    {
      reason_code: "retryable_failures_threshold_exceeded",
      condition: `retryable failures ≥ ${t.retryableFailures}`,
      observed: `${s.retryable_failures} retryable failures`,
      breached: s.retryable_failures >= t.retryableFailures,
    },
    {
      reason_code: "malformed_input_observed",
      condition: "malformed > 0",
      observed: `${s.malformed_cases} malformed`,
      breached: s.malformed_cases > 0,
    },
    {
      // Passes: drift of cases marked pending (fixture v2) is reported, not held on.
      reason_code: "pending_drift_observed",
      condition: "no rule above holds, but pending cases drifted",
      observed: `${s.pending_drift_cases ?? 0} pending drifted`,
      breached: false,
    },
    {
      reason_code: "guardrail_checks_passing",
      condition: "no rule above holds",
      observed: gate.gate === "pass" ? "pass" : "—",
      breached: false,
    },
  ];
  return rules.map((r, i) => ({ rule: i + 1, ...r, fired: r.reason_code === gate.reason_code }));
}
