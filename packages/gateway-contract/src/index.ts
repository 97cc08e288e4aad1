export {
  capabilities,
  ERROR_CODES,
  FIXTURE_SCHEMA_VERSION,
  OUTCOMES,
  SUPPORTED_METHODS,
} from "./capabilities";
export type { Capabilities, ErrorCode, Outcome, SupportedMethod } from "./capabilities";
export { caseKey, normalizeMethod } from "./case-key";
export { checkContract } from "./check-contract";
export type { Drift, DriftDifference } from "./check-contract";
export { FixtureError } from "./errors";
export type { FixtureErrorCode, FixtureIssue } from "./errors";
export { evaluateCase } from "./evaluate-case";
export type { GatewayRequest } from "./evaluate-case";
export { expectedSchema, fixtureSchema, gatewayCaseSchema } from "./fixture-schema";
export type { Expected, Fixture, FixtureInput, GatewayCase } from "./fixture-schema";
export { FIXTURE_SCHEMA_ID, fixtureJsonSchema } from "./json-schema";
export { jsonDiff } from "./json-diff";
export { MAX_JSON_DEPTH, withinDepth } from "./json-object";
export type { JsonDifference } from "./json-diff";
export { decodeHeaderValue, encodeHeaderValue, LIVE_HEADERS } from "./live-headers";
export { DEFAULT_MAX_FIXTURE_BYTES, loadFixture, readFixtureFile } from "./load-fixture";
export { decodeFixtureBytes } from "./fixture-encoding";
export { combinedFixtureSha256, fixtureSha256 } from "./fixture-source";
export type { FixtureSource } from "./fixture-source";
export type { Observed } from "./observed";
export { parseFixture, safeParseFixture, validateFixture } from "./parse-fixture";
export type { SafeParseFixtureResult } from "./parse-fixture";
