import { MAX_TIMER_MS } from "../cycle/backoff";

/**
 * A `Retry-After` header (delta-seconds or HTTP date) as milliseconds from `nowUnixMs`, never
 * more than a timer holds (the runner clamps it further to its max delay).
 */
export function parseRetryAfter(header: string | undefined, nowUnixMs: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_TIMER_MS);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - nowUnixMs), MAX_TIMER_MS);
}
