import { expect } from "vitest";
import { safeParseFixture, type FixtureError, type FixtureIssue } from "../../src/index";

/**
 * Builders for fixtures as written in a file. Every call returns a fresh object, so a test may
 * mutate what it gets. A field set to `undefined` is left out of the JSON text, which is how
 * tests write "this field is missing". `fields` is spread last, so `{ expected: undefined }` removes
 * the expectation.
 */
export type JsonRecord = Record<string, unknown>;

/** A GET success case that the simulated gateway answers exactly as expected. */
export function successCase(fields: JsonRecord = {}, expected: JsonRecord = {}): JsonRecord {
  return {
    case_id: "gateway-read-task",
    method: "GET",
    endpoint: "/v1/tasks/7",
    actor_id: "ops-bot",
    expected: {
      outcome: "success",
      status_code: 200,
      response_body: { status: "accepted", method: "GET", endpoint: "/v1/tasks/7", actor_id: "ops-bot" },
      ...expected,
    },
    ...fields,
  };
}

/** A TRACE case the gateway rejects as an unsupported method. */
export function unsupportedMethodCase(fields: JsonRecord = {}, expected: JsonRecord = {}): JsonRecord {
  return {
    case_id: "gateway-unsupported-method",
    method: "TRACE",
    endpoint: "/v1/tasks",
    actor_id: "ops-bot",
    expected: {
      outcome: "malformed_input",
      status_code: 405,
      error_code: "gateway_unsupported_method",
      response_body: { status: "rejected", reason: "unsupported_method" },
      ...expected,
    },
    ...fields,
  };
}

/** A case that simulates a backend outage and expects the retryable failure. */
export function retryableCase(fields: JsonRecord = {}, expected: JsonRecord = {}): JsonRecord {
  return {
    case_id: "gateway-retryable-backend",
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
    ...fields,
  };
}

/** A valid fixture with one success case unless `cases` is given. */
export function validFixture(fields: JsonRecord = {}): JsonRecord {
  return { schema_version: 1, name: "inline", cases: [successCase()], ...fields };
}

/** The name inline fixtures are parsed under; every message starts with it. */
export const INLINE_SOURCE = "inline.json";

/** The issues of a fixture that must be rejected; fails the test if it parses. */
export function issuesOf(value: unknown): readonly FixtureIssue[] {
  return rejectionOf(JSON.stringify(value, null, 2)).issues;
}

/** The FixtureError for a text that must be rejected; fails the test if it parses. */
export function rejectionOf(text: string): FixtureError {
  const result = safeParseFixture(text, INLINE_SOURCE);
  if (result.success) expect.unreachable(`expected the fixture to be rejected, but it parsed:\n${text}`);
  return result.error;
}
