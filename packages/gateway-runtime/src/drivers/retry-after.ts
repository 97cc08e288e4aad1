/** A `Retry-After` header (delta-seconds or HTTP date) as milliseconds from `nowUnixMs`. */
export function parseRetryAfter(header: string | undefined, nowUnixMs: number): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowUnixMs);
}
