import { emptyCycleSummary, type CycleSummary } from "../../src";

/** A fresh summary: every counter zero except the ones given. */
export function summaryWith(counters: Partial<CycleSummary> = {}): CycleSummary {
  return { ...emptyCycleSummary(), ...counters };
}

/**
 * behavior.md §4: `mixed-outcomes.json` (one success, one unsupported method, one retryable)
 * on a fresh state dir with the default 4 attempts per case.
 */
export function mixedOutcomesFirstRun(): CycleSummary {
  return summaryWith({
    discovered_cases: 3,
    queued_cases: 3,
    applied_cases: 1,
    malformed_cases: 1,
    retryable_failures: 4,
    retry_attempts: 3,
    failed_cases: 1,
    upserted_requests: 1,
    duplicate_skips: 0,
  });
}

/**
 * behavior.md §4: the same fixture again on the same state dir. The success and the malformed
 * case are already processed; the retryable case was never marked processed, so it fails again.
 */
export function mixedOutcomesRepeatRun(): CycleSummary {
  return summaryWith({
    discovered_cases: 3,
    queued_cases: 3,
    duplicate_skips: 2,
    applied_cases: 0,
    malformed_cases: 0,
    retryable_failures: 4,
    retry_attempts: 3,
    failed_cases: 1,
    upserted_requests: 0,
  });
}
