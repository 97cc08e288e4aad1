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
  if (retryAfterMs !== undefined) return Math.min(Math.max(0, retryAfterMs), maxDelayMs);
  const exponential = Math.min(baseDelayMs * 2 ** Math.min(attempt - 1, MAX_EXPONENT), maxDelayMs);
  return jitter ? Math.floor(random() * (exponential + 1)) : exponential;
}
