import type { CycleSummary } from "./cycle-summary";
import { GuardrailError } from "./errors";
import type { HealthSnapshot } from "./health";

/** Reason codes of the rollout gate, as written to state.json and events. */
export const GATE_REASON_CODES = {
  contractDriftDetected: "contract_drift_detected",
  failureStreakThresholdExceeded: "failure_streak_threshold_exceeded",
  retryableFailuresThresholdExceeded: "retryable_failures_threshold_exceeded",
  malformedInputObserved: "malformed_input_observed",
  /** A pass: nothing holds, but pending cases (fixture v2) drifted. */
  pendingDriftObserved: "pending_drift_observed",
  guardrailChecksPassing: "guardrail_checks_passing",
} as const;

export type GateReasonCode = (typeof GATE_REASON_CODES)[keyof typeof GATE_REASON_CODES];
export type RolloutGate = "pass" | "hold";

/** When the gate holds. Both thresholds are integers of at least 1. */
export interface GuardrailThresholds {
  failureStreak: number;
  retryableFailures: number;
}

/** Runbook defaults: `--gateway-guardrail-*-threshold` 2 and 2. */
export const DEFAULT_THRESHOLDS: GuardrailThresholds = { failureStreak: 2, retryableFailures: 2 };

export interface GateDecision {
  gate: RolloutGate;
  reason_code: GateReasonCode;
}

/** Throws a GuardrailError unless both thresholds are integers ≥ 1. */
export function assertThresholds(thresholds: GuardrailThresholds): void {
  for (const [name, value] of Object.entries(thresholds)) {
    if (!Number.isInteger(value) || value < 1) {
      throw new GuardrailError("E_INVALID_THRESHOLD", `guardrail threshold ${name} must be an integer of at least 1 (found ${value})`);
    }
  }
}

/**
 * The rollout gate: the first breached rule holds, in priority order; otherwise pass, with
 * `pending_drift_observed` instead of `guardrail_checks_passing` when pending cases drifted
 * (so a pass that still has drift to review says so).
 */
export function evaluateGate(options: {
  summary: CycleSummary;
  health: Pick<HealthSnapshot, "failure_streak">;
  thresholds: GuardrailThresholds;
}): GateDecision {
  const { summary, health, thresholds } = options;
  assertThresholds(thresholds);
  const hold = (reason_code: GateReasonCode): GateDecision => ({ gate: "hold", reason_code });
  if (summary.contract_drift_cases > 0) return hold(GATE_REASON_CODES.contractDriftDetected);
  if (health.failure_streak >= thresholds.failureStreak && summary.failed_cases > 0) {
    return hold(GATE_REASON_CODES.failureStreakThresholdExceeded);
  }
  if (summary.retryable_failures >= thresholds.retryableFailures) {
    return hold(GATE_REASON_CODES.retryableFailuresThresholdExceeded);
  }
  if (summary.malformed_cases > 0) return hold(GATE_REASON_CODES.malformedInputObserved);
  if ((summary.pending_drift_cases ?? 0) > 0) return { gate: "pass", reason_code: GATE_REASON_CODES.pendingDriftObserved };
  return { gate: "pass", reason_code: GATE_REASON_CODES.guardrailChecksPassing };
}
