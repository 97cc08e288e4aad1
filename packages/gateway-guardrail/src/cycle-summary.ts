/** Counters of one cycle, in wire names (they are written to runtime-events.jsonl). */
export interface CycleSummary {
  discovered_cases: number;
  queued_cases: number;
  applied_cases: number;
  duplicate_skips: number;
  malformed_cases: number;
  retryable_failures: number;
  retry_attempts: number;
  failed_cases: number;
  upserted_requests: number;
  backlog_cases: number;
  /** Cases whose observation broke their contract; they are also counted in `failed_cases`. */
  contract_drift_cases: number;
  /** Cases that succeeded only after at least one retry; also counted in `applied_cases`. */
  recovered_after_retry: number;
  /**
   * Cases marked `pending` (fixture v2) whose answer differed from their contract. They are
   * reported, not failed: no other counter includes them and they never hold the gate.
   */
  pending_drift_cases: number;
}

/** A summary with every counter at zero, to build on. */
export function emptyCycleSummary(): CycleSummary {
  return {
    discovered_cases: 0,
    queued_cases: 0,
    applied_cases: 0,
    duplicate_skips: 0,
    malformed_cases: 0,
    retryable_failures: 0,
    retry_attempts: 0,
    failed_cases: 0,
    upserted_requests: 0,
    backlog_cases: 0,
    contract_drift_cases: 0,
    recovered_after_retry: 0,
    pending_drift_cases: 0,
  };
}
