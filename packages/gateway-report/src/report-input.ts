import type { CycleSummary, GuardrailThresholds } from "@tau/gateway-guardrail";

/**
 * What the last cycle did with one case, in the wire names of `last-cycle.jsonl` (the runtime's
 * `CaseResult` fits this shape). Observation fields are absent for cases that did not run.
 */
export interface ReportCase {
  case_id: string;
  method: string;
  endpoint: string;
  actor_id: string;
  /** applied | malformed | failed | drift | duplicate | backlog | not_run */
  result: string;
  attempts: number;
  /** Observed outcome: success, malformed_input, retryable_failure or transport_error. */
  outcome?: string;
  status_code?: number;
  error_code?: string;
  /** A transport error's message. */
  message?: string;
  response_body?: unknown;
  duration_ms?: number;
  /** Transient failures before the final attempt: a passing case with any is flaky. */
  failed_attempts?: readonly ReportAttempt[];
  differences?: readonly ReportDifference[];
  note?: string;
  /** A drifted case marked `pending` in a v2 fixture: its drift is reported but holds no gate. */
  pending?: boolean;
}

/** One transient failure of a case (a retryable answer or a transport error). */
export interface ReportAttempt {
  attempt: number;
  outcome: string;
  status_code: number;
  error_code: string;
  message?: string;
}

/** One field of a drifted case: where it differs, what the contract expected, what was observed. */
export interface ReportDifference {
  field: string;
  pointer: string;
  expected?: unknown;
  observed?: unknown;
}

/** One completed cycle of the history (a `runtime-events.jsonl` line), oldest first. */
export interface ReportCycle {
  timestamp_unix_ms: number;
  health_state: string;
  rollout_gate: string;
  rollout_reason_code: string;
  failed_cases: number;
  retryable_failures: number;
  /** Absent in lines written before drift was counted. */
  contract_drift_cases?: number;
}

/** Everything a report shows: the last cycle, its verdict, and the history of cycles. */
export interface ReportInput {
  fixture: {
    name: string;
    /** The fixture file(s) the cycle ran; the first one is the JUnit `file`. */
    paths: readonly string[];
    sha256: string | null;
  };
  /** `simulated` or `http` (live mode: the HTML report adds a latency histogram). */
  driver: string;
  started_unix_ms: number;
  finished_unix_ms: number;
  /** The cycle was interrupted: cases not reached are `not_run`. */
  aborted: boolean;
  summary: CycleSummary;
  gate: { gate: string; reason_code: string };
  thresholds: GuardrailThresholds;
  health: { state: string; reason: string; failure_streak: number };
  /** Every case of the fixture: queued ones in queue order, then the backlog. */
  cases: readonly ReportCase[];
  history: readonly ReportCycle[];
}

/** Options every renderer takes. */
export interface RenderOptions {
  /** Applied to every string taken from the input (e.g. the runtime's secret redactor). */
  redact?: (text: string) => string;
}
