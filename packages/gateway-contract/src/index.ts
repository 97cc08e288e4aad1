export {
  capabilities,
  ERROR_CODES,
  FIXTURE_SCHEMA_VERSION,
  FIXTURE_SCHEMA_VERSIONS,
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
export type { FixtureInput, FixtureV1 } from "./fixture-schema";
export type { Expected, Fixture, FixtureDocument, GatewayCase } from "./fixture";
export { expectedSchemaV2, FIXTURE_SCHEMA_VERSION_2, fixtureSchemaV2, gatewayCaseSchemaV2 } from "./fixture-schema-v2";
export type { ExpectedV2, FixtureV2, FixtureV2Input, GatewayCaseV2 } from "./fixture-schema-v2";
export { FIXTURE_SCHEMA_ID, FIXTURE_SCHEMA_V2_ID, fixtureJsonSchema, fixtureJsonSchemaV2 } from "./json-schema";
export { formatPointer, isUnderPointer, parsePointer } from "./json-pointer";
export { importHar, readHarFile } from "./har-import";
export type { HarImport } from "./har-import";
export { recordedEdits } from "./record-expectation";
export type { RecordableCase } from "./record-expectation";
export { driftEdits, editFixtureText, expectationPointer, expectationValue } from "./fixture-edit";
export type { ExpectationEdit } from "./fixture-edit";
export { fromJsonNode, parseJsonDocument, stringifyJsonDocument, toJsonNode } from "./json-document";
export type { JsonNode } from "./json-document";
export {
  bodyDifferences,
  bodyMatches,
  containsMatcher,
  findMatcherProblems,
  isMatcherObject,
  MATCHER_KINDS,
  MAX_REGEX_PATTERN_LENGTH,
  MAX_REGEX_SUBJECT_LENGTH,
  REGEX_MATCHER_PREFIX,
  valueMatches,
} from "./matchers";
export type { MatcherKind } from "./matchers";
export { jsonDiff } from "./json-diff";
export { MAX_JSON_DEPTH, withinDepth } from "./json-object";
export type { JsonDifference } from "./json-diff";
export { decodeHeaderValue, encodeHeaderValue, LIVE_HEADERS } from "./live-headers";
export { DEFAULT_MAX_FIXTURE_BYTES, loadFixture, readFixtureDocument, readFixtureFile } from "./load-fixture";
export { decodeFixtureBytes } from "./fixture-encoding";
export { combinedFixtureSha256, fixtureSha256 } from "./fixture-source";
export { expandFixturePatterns, readFixtureSet, selectFixtureCases } from "./fixture-set";
export type { FixtureSetFile } from "./fixture-set";
export type { FixtureSource } from "./fixture-source";
export type { Observed } from "./observed";
export { parseFixture, parseFixtureDocument, safeParseFixture, validateFixture } from "./parse-fixture";
export { requireExpectations, validateFixtureDocument } from "./validate-fixture-document";
export type { SafeParseFixtureResult } from "./parse-fixture";
