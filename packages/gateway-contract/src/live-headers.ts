/** Request headers that carry a case's identity to a live gateway (and to the reference one). */
export const LIVE_HEADERS = {
  actorId: "x-tau-actor-id",
  actorIdEncoding: "x-tau-actor-id-encoding",
  caseId: "x-tau-case-id",
  caseIdEncoding: "x-tau-case-id-encoding",
  endpoint: "x-tau-endpoint",
  simulate: "x-tau-simulate",
  errorCode: "x-tau-error-code",
} as const;

const HEADER_SAFE = /^[\x20-\x7e]*$/;

/** A header value as sent: raw when printable ASCII, else percent-encoded (and flagged so). */
export function encodeHeaderValue(value: string): { value: string; encoded: boolean } {
  return HEADER_SAFE.test(value) && value.trim() === value
    ? { value, encoded: false }
    : { value: encodeURIComponent(value), encoded: true };
}

/** Reverses encodeHeaderValue given its encoding flag. */
export function decodeHeaderValue(value: string | undefined, encoding: string | undefined): string {
  if (value === undefined) return "";
  if (encoding !== "percent") return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
