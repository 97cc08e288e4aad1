/** Fixture schema version this build reads and writes. */
export const FIXTURE_SCHEMA_VERSION = 1;

/** Outcomes a case can expect, in evaluation order of precedence. */
export const OUTCOMES = ["success", "malformed_input", "retryable_failure"] as const;

/** Error codes a gateway may answer with. */
export const ERROR_CODES = [
  "gateway_invalid_request",
  "gateway_unsupported_method",
  "gateway_backend_unavailable",
] as const;

/** HTTP methods the gateway accepts for a non-malformed case. */
export const SUPPORTED_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export type Outcome = (typeof OUTCOMES)[number];
export type ErrorCode = (typeof ERROR_CODES)[number];
export type SupportedMethod = (typeof SUPPORTED_METHODS)[number];

/** What this build of the contract supports, for tools and `tau-gateway capabilities`. */
export const capabilities = {
  schemaVersion: FIXTURE_SCHEMA_VERSION,
  outcomes: OUTCOMES,
  errorCodes: ERROR_CODES,
  methods: SUPPORTED_METHODS,
} as const;

export type Capabilities = typeof capabilities;
