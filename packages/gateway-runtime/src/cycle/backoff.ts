import { setTimeout as sleep } from "node:timers/promises";
import type { DriverResult } from "../drivers/driver";
import type { RunnerSettings } from "./runner-options";

/** The longest wait a Node timer can hold (2^31 − 1 ms); a longer one fires at once with a TimeoutOverflowWarning. */
export const MAX_TIMER_MS = 2_147_483_647;

/** Exponent cap of the backoff: waits stop doubling after 2^10 × base. */
const MAX_EXPONENT = 10;

/**
 * Wait before attempt `attempt + 1`: base × 2^(attempt−1), capped at maxDelayMs; with jitter, a
 * uniform draw in [0, that]. A server's own Retry-After wins, still within the cap.
 */
export function backoffDelayMs(options: {
  attempt: number;
  baseDelayMs: number;
  maxDelayMs: number;
  jitter: boolean;
  retryAfterMs?: number;
  random?: () => number;
}): number {
  const { attempt, baseDelayMs, maxDelayMs, jitter, retryAfterMs, random = Math.random } = options;
  // Every bound is clamped here too, so a library caller's out-of-range value can never reach
  // setTimeout as more than a timer holds (NaN from a hostile Retry-After counts as 0).
  const cap = Math.min(Math.max(0, maxDelayMs), MAX_TIMER_MS);
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs) || 0, cap);
  const exponential = Math.min(baseDelayMs * 2 ** Math.min(Math.max(attempt - 1, 0), MAX_EXPONENT), cap);
  return jitter ? Math.floor(random() * (exponential + 1)) : exponential;
}

/** Waits the backoff of `settings` after a transient `result` of attempt `attempt` (abortable). */
export async function waitBeforeRetry(options: {
  attempt: number;
  settings: Pick<RunnerSettings, "retryBaseDelayMs" | "retryMaxDelayMs" | "retryJitter">;
  result: DriverResult;
  signal?: AbortSignal;
}): Promise<void> {
  const { attempt, settings, result, signal } = options;
  const delay = backoffDelayMs({
    attempt,
    baseDelayMs: settings.retryBaseDelayMs,
    maxDelayMs: settings.retryMaxDelayMs,
    jitter: settings.retryJitter,
    ...(result.retry_after_ms !== undefined ? { retryAfterMs: result.retry_after_ms } : {}),
  });
  if (delay > 0) await sleep(delay, undefined, signal ? { signal } : undefined);
}
