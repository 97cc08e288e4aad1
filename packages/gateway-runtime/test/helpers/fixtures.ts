import { join } from "node:path";
import { loadFixture, normalizeMethod, validateFixture, type Fixture } from "@tau/gateway-contract";
import { FIXTURES_DIR } from "./paths";

/**
 * Builders for fixtures as written in a file. Every call returns a fresh object. `expected`
 * fields are merged over the default expectation, so a test states only what it changes.
 */
export type JsonRecord = Record<string, unknown>;

/** Loads one of the checked-in example fixtures, e.g. `mixed-outcomes`. */
export function loadSharedFixture(name: "mixed-outcomes" | "rollout-pass"): Promise<Fixture> {
  return loadFixture(join(FIXTURES_DIR, `${name}.json`));
}

/** A validated fixture made of the given cases. */
export function fixtureOf(cases: JsonRecord[], name = "inline-fixture"): Fixture {
  return validateFixture({ schema_version: 1, name, cases }, `${name}.json`);
}

const SUCCESS_STATUS: Record<string, number> = { POST: 201, DELETE: 202 };

/** A success case whose expectation is exactly what the simulated gateway answers (§2). */
export function successCase(
  caseId: string,
  fields: { method?: string; endpoint?: string; actor_id?: string } = {},
  expected: JsonRecord = {},
): JsonRecord {
  const method = fields.method ?? "GET";
  const endpoint = fields.endpoint ?? `/v1/tasks/${caseId}`;
  const actorId = fields.actor_id ?? "ops-bot";
  const normalisedMethod = normalizeMethod(method);
  return {
    case_id: caseId,
    method,
    endpoint,
    actor_id: actorId,
    expected: {
      outcome: "success",
      status_code: SUCCESS_STATUS[normalisedMethod] ?? 200,
      response_body: { status: "accepted", method: normalisedMethod, endpoint: endpoint.trim(), actor_id: actorId.trim() },
      ...expected,
    },
  };
}

/** A TRACE case the simulated gateway rejects as an unsupported method (malformed input). */
export function unsupportedMethodCase(caseId: string, fields: { actor_id?: string } = {}): JsonRecord {
  return {
    case_id: caseId,
    method: "TRACE",
    endpoint: "/v1/tasks",
    actor_id: fields.actor_id ?? "ops-bot",
    expected: {
      outcome: "malformed_input",
      status_code: 405,
      error_code: "gateway_unsupported_method",
      response_body: { status: "rejected", reason: "unsupported_method" },
    },
  };
}

/** A case with an empty actor, which the simulated gateway rejects as an invalid request. */
export function invalidRequestCase(caseId: string, actorId: string): JsonRecord {
  return {
    case_id: caseId,
    method: "GET",
    endpoint: "/v1/tasks",
    actor_id: actorId,
    expected: {
      outcome: "malformed_input",
      status_code: 400,
      error_code: "gateway_invalid_request",
      response_body: { status: "rejected", reason: "invalid_request" },
    },
  };
}

/** A case that simulates a backend outage and expects the retryable failure. */
export function retryableCase(caseId: string, expected: JsonRecord = {}): JsonRecord {
  return {
    case_id: caseId,
    method: "GET",
    endpoint: "/v1/tasks/42",
    actor_id: "ops-bot",
    simulate_retryable_failure: true,
    expected: {
      outcome: "retryable_failure",
      status_code: 503,
      error_code: "gateway_backend_unavailable",
      response_body: { status: "retryable", reason: "backend_unavailable" },
      ...expected,
    },
  };
}
