import type { GatewayCase } from "./fixture-schema";

/** The method as the gateway compares it: trimmed and upper-cased. */
export function normalizeMethod(method: string): string {
  return method.trim().toUpperCase();
}

/** The identity of a case across cycles: `METHOD:endpoint:case_id`, normalised. */
export function caseKey(gatewayCase: Pick<GatewayCase, "method" | "endpoint" | "case_id">): string {
  return `${normalizeMethod(gatewayCase.method)}:${gatewayCase.endpoint.trim()}:${gatewayCase.case_id.trim()}`;
}
