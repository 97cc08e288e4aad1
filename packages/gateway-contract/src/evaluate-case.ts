import { SUPPORTED_METHODS } from "./capabilities";
import { normalizeMethod } from "./case-key";
import type { GatewayCase } from "./fixture-schema";
import type { Observed } from "./observed";

const SUCCESS_STATUS: Record<string, number> = { POST: 201, DELETE: 202 };

/** The request fields a gateway sees; enough to evaluate a case. */
export type GatewayRequest = Pick<GatewayCase, "method" | "endpoint" | "actor_id" | "simulate_retryable_failure">;

/** The built-in simulated gateway: the deterministic answer to one case (behavior.md §2). */
export function evaluateCase(gatewayCase: GatewayRequest): Observed {
  if (gatewayCase.simulate_retryable_failure) {
    return {
      outcome: "retryable_failure",
      status_code: 503,
      error_code: "gateway_backend_unavailable",
      response_body: { status: "retryable", reason: "backend_unavailable" },
    };
  }
  const method = normalizeMethod(gatewayCase.method);
  if (!(SUPPORTED_METHODS as readonly string[]).includes(method)) {
    return {
      outcome: "malformed_input",
      status_code: 405,
      error_code: "gateway_unsupported_method",
      response_body: { status: "rejected", reason: "unsupported_method" },
    };
  }
  const endpoint = gatewayCase.endpoint.trim();
  const actorId = gatewayCase.actor_id.trim();
  if (!endpoint.startsWith("/") || actorId.length === 0) {
    return {
      outcome: "malformed_input",
      status_code: 400,
      error_code: "gateway_invalid_request",
      response_body: { status: "rejected", reason: "invalid_request" },
    };
  }
  return {
    outcome: "success",
    status_code: SUCCESS_STATUS[method] ?? 200,
    error_code: "",
    response_body: { status: "accepted", method, endpoint, actor_id: actorId },
  };
}
