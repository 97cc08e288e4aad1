import type { z } from "zod";
import { gatewayStateSchema, type GatewayState } from "./gateway-state";

/** What `gatewayStateSchema.safeParse` returns. */
export type GatewayStateParse = z.ZodSafeParseResult<GatewayState>;

/** The request record's fields in schema order: zod's output lists them so. */
const RECORD_KEYS = [
  "case_key",
  "case_id",
  "method",
  "endpoint",
  "actor_id",
  "status_code",
  "outcome",
  "error_code",
  "response_body",
  "updated_unix_ms",
] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * True when zod would give back this very record: every known field present, valid and in
 * schema order, then only unknown fields (not `__proto__`, which zod drops; an integer-like
 * key would enumerate first and so fails the order check). Never true for a record zod would
 * refuse, default or reorder.
 */
function isPlainRecord(value: unknown): boolean {
  if (!isObject(value)) return false;
  let n = 0;
  for (const key in value) {
    if (n < RECORD_KEYS.length ? key !== RECORD_KEYS[n] : key === "__proto__") return false;
    n++;
  }
  if (n < RECORD_KEYS.length) return false;
  const updated = value.updated_unix_ms;
  return (
    typeof value.case_key === "string" &&
    typeof value.case_id === "string" &&
    typeof value.method === "string" &&
    typeof value.endpoint === "string" &&
    typeof value.actor_id === "string" &&
    Number.isSafeInteger(value.status_code) &&
    typeof value.outcome === "string" &&
    typeof value.error_code === "string" &&
    Number.isSafeInteger(updated) &&
    (updated as number) >= 0
  );
}

function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "string") return false;
  return true;
}

/**
 * `gatewayStateSchema.safeParse(value)`, without zod's copy of the two large arrays when they are
 * plainly valid: zod builds a new object for each of 100k request records and a new array of the
 * processed keys, doubling the peak memory of a warm start and costing most of its CPU. When
 * every record is one zod would give back unchanged ({@link isPlainRecord}), the rest of the
 * state (small) goes through the schema with those arrays left out and the parsed arrays are
 * put back in their places; on the first doubt the whole value goes through the schema, so
 * every result, and every error message, is exactly zod's.
 */
export function parseGatewayState(value: unknown): GatewayStateParse {
  if (isObject(value)) {
    const keys = value.processed_case_keys;
    const requests = value.requests;
    const hasKeys = Object.hasOwn(value, "processed_case_keys");
    const hasRequests = Object.hasOwn(value, "requests");
    if ((!hasKeys || isStringArray(keys)) && (!hasRequests || (Array.isArray(requests) && requests.every(isPlainRecord)))) {
      // Empty arrays in place of the big ones keep every key where it was, so zod's output has
      // the same members in the same order; it must accept those too, or the full parse decides.
      const rest = gatewayStateSchema.safeParse({
        ...value,
        ...(hasKeys ? { processed_case_keys: [] } : {}),
        ...(hasRequests ? { requests: [] } : {}),
      });
      if (rest.success) {
        if (hasKeys) rest.data.processed_case_keys = keys as string[];
        if (hasRequests) rest.data.requests = requests as GatewayState["requests"];
        return rest;
      }
    }
  }
  return gatewayStateSchema.safeParse(value);
}
