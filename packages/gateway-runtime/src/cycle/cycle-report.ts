import type { Drift } from "@tau/gateway-contract";
import type {
  CycleReasonCode,
  CycleSummary,
  RolloutGate,
  GuardrailThresholds,
  HealthClassification,
  HealthSnapshot,
} from "@tau/gateway-guardrail";
import type { CycleProvenance } from "../state/gateway-state";
import type { CaseResult } from "../state/last-cycle";

/** The outcome of one cycle: counters, health, gate, drift, and where it was written. */
export interface CycleReport {
  fixtureName: string;
  driver: string;
  summary: CycleSummary;
  reasonCodes: CycleReasonCode[];
  health: HealthSnapshot;
  classification: HealthClassification;
  /** The gate of this cycle; for an aborted one, the last complete cycle's (see `aborted`). */
  gate: { gate: RolloutGate; reason_code: string };
  thresholds: GuardrailThresholds;
  drifts: Drift[];
  /** What the cycle ran: fixture sources and their combined sha256, shard, settings. */
  provenance: CycleProvenance;
  /** True when the cycle was cancelled; cases not reached are left for the next cycle. */
  aborted: boolean;
  statePath: string;
  eventsPath: string;
  /** What the cycle did with each case: read it with `readLastCycle`. */
  lastCyclePath: string;
  /**
   * The cases of last-cycle.jsonl as `readLastCycle` reads them, when the cycle was run with
   * `keepCaseResults` (absent otherwise).
   */
  caseResults?: CaseResult[];
}

/** The runtime-events.jsonl line of a cycle (behavior.md §5), in wire names. */
export function cycleEventLine(report: CycleReport): Record<string, unknown> {
  const s = report.summary;
  return {
    timestamp_unix_ms: report.health.updated_unix_ms,
    health_state: report.classification.state,
    health_reason: report.classification.reason,
    rollout_gate: report.gate.gate,
    rollout_reason_code: report.gate.reason_code,
    guardrail_failure_streak_threshold: report.thresholds.failureStreak,
    guardrail_retryable_failures_threshold: report.thresholds.retryableFailures,
    reason_codes: report.reasonCodes,
    discovered_cases: s.discovered_cases,
    queued_cases: s.queued_cases,
    applied_cases: s.applied_cases,
    duplicate_skips: s.duplicate_skips,
    malformed_cases: s.malformed_cases,
    retryable_failures: s.retryable_failures,
    retry_attempts: s.retry_attempts,
    failed_cases: s.failed_cases,
    upserted_requests: s.upserted_requests,
    backlog_cases: s.backlog_cases,
    failure_streak: report.health.failure_streak,
    contract_drift_cases: s.contract_drift_cases,
    recovered_after_retry: s.recovered_after_retry,
    pending_drift_cases: s.pending_drift_cases,
    fixture_sha256: report.provenance.fixture_sha256,
    shard: report.provenance.shard,
  };
}
