import { MATCHER_KINDS, REGEX_MATCHER_PREFIX } from "./matchers";

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

/** Fixture schema versions this build reads: 1, and 2 (tags, pending, matchers, ignore). */
export const FIXTURE_SCHEMA_VERSIONS = [1, 2] as const;

/** What this build of the contract supports, for tools and `tau-gateway capabilities`. */
export const capabilities = {
  /** The original version; `schemaVersions` lists every version read. */
  schemaVersion: FIXTURE_SCHEMA_VERSION,
  schemaVersions: FIXTURE_SCHEMA_VERSIONS,
  /** Matchers of a v2 `expected.response_body`. */
  matchers: [...MATCHER_KINDS, `${REGEX_MATCHER_PREFIX}<pattern>`] as readonly string[],
  outcomes: OUTCOMES,
  errorCodes: ERROR_CODES,
  methods: SUPPORTED_METHODS,
} as const;

export type Capabilities = typeof capabilities;
