import type { CycleSummary } from "./cycle-summary";

/** Reason codes of a cycle, as written to runtime-events.jsonl. */
export const CYCLE_REASON_CODES = {
  healthyCycle: "healthy_cycle",
  queueBackpressureApplied: "queue_backpressure_applied",
  duplicateCasesSkipped: "duplicate_cases_skipped",
  malformedInputsObserved: "malformed_inputs_observed",
  retryAttempted: "retry_attempted",
  retryableFailuresObserved: "retryable_failures_observed",
  caseProcessingFailed: "case_processing_failed",
  contractDriftDetected: "contract_drift_detected",
  pendingDriftObserved: "pending_drift_observed",
} as const;

export type CycleReasonCode = (typeof CYCLE_REASON_CODES)[keyof typeof CYCLE_REASON_CODES];

/** The reason codes of a cycle in their fixed order; `healthy_cycle` alone when none applies. */
export function cycleReasonCodes(summary: CycleSummary): CycleReasonCode[] {
  const codes: CycleReasonCode[] = [];
  const add = (when: boolean, code: CycleReasonCode) => when && codes.push(code);
  add(summary.discovered_cases > summary.queued_cases, CYCLE_REASON_CODES.queueBackpressureApplied);
  add(summary.duplicate_skips > 0, CYCLE_REASON_CODES.duplicateCasesSkipped);
  add(summary.malformed_cases > 0, CYCLE_REASON_CODES.malformedInputsObserved);
  add(summary.retry_attempts > 0, CYCLE_REASON_CODES.retryAttempted);
  add(summary.retryable_failures > 0, CYCLE_REASON_CODES.retryableFailuresObserved);
  add(summary.failed_cases > 0, CYCLE_REASON_CODES.caseProcessingFailed);
  add(summary.contract_drift_cases > 0, CYCLE_REASON_CODES.contractDriftDetected);
  // A pending case's drift is news, not a failure: it names the cycle but never holds the gate.
  add((summary.pending_drift_cases ?? 0) > 0, CYCLE_REASON_CODES.pendingDriftObserved);
  return codes.length > 0 ? codes : [CYCLE_REASON_CODES.healthyCycle];
}
