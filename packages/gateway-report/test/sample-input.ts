import type { ReportCase, ReportCycle, ReportInput } from "../src/index";

const base = { method: "GET", endpoint: "/v1/orders", actor_id: "ops", attempts: 1 };

/** A small cycle with one case of every kind a report has to show. */
export function sampleCases(): ReportCase[] {
  return [
    { ...base, case_id: "applied-ok", result: "applied", outcome: "success", status_code: 200, error_code: "", duration_ms: 1.5 },
    { ...base, case_id: "bad-method", method: "TRACE", result: "malformed", outcome: "malformed_input", status_code: 405, error_code: "gateway_unsupported_method", duration_ms: 0.5 },
    {
      ...base,
      case_id: "flaky-put",
      method: "PUT",
      result: "applied",
      attempts: 2,
      outcome: "success",
      status_code: 200,
      error_code: "",
      duration_ms: 12,
      failed_attempts: [{ attempt: 1, outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable" }],
    },
    {
      ...base,
      case_id: "drifted",
      method: "POST",
      endpoint: "/v1/payments",
      actor_id: "billing",
      result: "drift",
      outcome: "success",
      status_code: 500,
      error_code: "",
      duration_ms: 3,
      response_body: { status: "accepted", amount: 7 },
      differences: [
        { field: "status_code", pointer: "", expected: 201, observed: 500 },
        { field: "response_body", pointer: "/amount", expected: 5, observed: 7 },
      ],
    },
    {
      ...base,
      case_id: "exhausted",
      endpoint: "/v1/stock",
      result: "failed",
      attempts: 2,
      outcome: "retryable_failure",
      status_code: 503,
      error_code: "gateway_backend_unavailable",
      duration_ms: 4,
      failed_attempts: [
        { attempt: 1, outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable" },
        { attempt: 2, outcome: "retryable_failure", status_code: 503, error_code: "gateway_backend_unavailable" },
      ],
    },
    { ...base, case_id: "seen-before", result: "duplicate", attempts: 0 },
    { ...base, case_id: "later", endpoint: "/v1/later", result: "backlog", attempts: 0 },
  ];
}

/** `n` cycles of history with varying counters, oldest first. */
export function sampleHistory(n: number): ReportCycle[] {
  return Array.from({ length: n }, (_, i) => ({
    timestamp_unix_ms: 1_790_000_000_000 + i * 60_000,
    health_state: i % 4 === 3 ? "degraded" : "healthy",
    rollout_gate: i % 3 === 2 ? "hold" : "pass",
    rollout_reason_code: i % 3 === 2 ? "retryable_failures_threshold_exceeded" : "guardrail_checks_passing",
    failed_cases: i % 4 === 3 ? 1 : 0,
    retryable_failures: i % 3,
    contract_drift_cases: i === n - 1 ? 1 : 0,
  }));
}

/** A report input around `cases` (the sample by default). */
export function sampleInput(overrides: Partial<ReportInput> = {}): ReportInput {
  return {
    fixture: { name: "checkout", paths: ["fixtures/gateway-contract/checkout.json"], sha256: "ab12" },
    driver: "simulated",
    started_unix_ms: 1_790_000_600_000,
    finished_unix_ms: 1_790_000_600_250,
    aborted: false,
    summary: {
      discovered_cases: 7,
      queued_cases: 6,
      applied_cases: 2,
      duplicate_skips: 1,
      malformed_cases: 1,
      pending_drift_cases: 0,
      retryable_failures: 3,
      retry_attempts: 2,
      failed_cases: 2,
      upserted_requests: 2,
      backlog_cases: 1,
      contract_drift_cases: 1,
      recovered_after_retry: 1,
    },
    gate: { gate: "hold", reason_code: "contract_drift_detected" },
    thresholds: { failureStreak: 2, retryableFailures: 2 },
    health: { state: "degraded", reason: "recent transport failures observed (failure_streak=1, last_cycle_failed=2)", failure_streak: 1 },
    cases: sampleCases(),
    history: sampleHistory(10),
    ...overrides,
  };
}
