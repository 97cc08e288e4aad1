import { z } from "zod";
import { ERROR_CODES, OUTCOMES } from "./capabilities";
import { caseRules } from "./fixture-rules";
import { fixtureEnvelopeSchema, nonBlank } from "./fixture-schema";
import { describeValue } from "./describe-value";
import { integer, jsonObject } from "./json-object";
import { parsePointer } from "./json-pointer";
import { findMatcherProblems, MATCHER_KINDS } from "./matchers";

/** Fixture schema version of fixtures with tags, pending cases, matchers and ignores. */
export const FIXTURE_SCHEMA_VERSION_2 = 2;

type Ctx = z.core.$RefinementCtx<unknown>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function issue(ctx: Ctx, path: (string | number)[], message: string): void {
  ctx.addIssue({ code: "custom", path, message, input: undefined });
}

/** What a v2 case must produce: v1's fields, a body that may hold matchers, and ignored pointers. */
export const expectedSchemaV2 = z.strictObject({
  outcome: z.enum(OUTCOMES).describe("success, malformed_input or retryable_failure"),
  status_code: integer("2xx for success; 400 or greater otherwise"),
  error_code: z
    .string()
    .optional()
    .describe(`empty or absent for success; otherwise one of ${ERROR_CODES.join(", ")}`),
  response_body: jsonObject({
    expected: "a JSON object",
    description: `the JSON object the gateway must answer; any value may be a matcher {"$match": ${MATCHER_KINDS.map((k) => `"${k}"`).join(" | ")} | "regex:<pattern>"}`,
  }),
  ignore: z
    .array(z.string())
    .optional()
    .describe('JSON Pointers into response_body left out of the comparison, e.g. "/meta/request_id"'),
});

/** v2 rules of one case beyond v1's: valid matchers, valid ignore pointers, non-blank tags. */
export function caseRulesV2(value: unknown, ctx: Ctx): void {
  if (!isRecord(value)) return;
  if (Array.isArray(value.tags)) {
    value.tags.forEach((tag: unknown, index) => {
      if (typeof tag === "string" && tag.trim().length === 0) issue(ctx, ["tags", index], `must be a non-empty string (found ${describeValue(tag)})`);
    });
  }
  const expected = value.expected;
  if (!isRecord(expected)) return;
  for (const problem of findMatcherProblems(expected.response_body)) {
    // The pointer goes in the message: it names the place inside the body exactly.
    issue(ctx, ["expected", "response_body"], `has an invalid matcher at ${JSON.stringify(problem.pointer)}: ${problem.message}`);
  }
  if (Array.isArray(expected.ignore)) {
    expected.ignore.forEach((pointer: unknown, index) => {
      if (typeof pointer === "string" && parsePointer(pointer) === undefined) {
        issue(ctx, ["expected", "ignore", index], `must be a JSON Pointer into response_body: "" or starting with "/", "~" written as "~0" or "~1" (found ${describeValue(pointer)})`);
      }
    });
  }
}

/**
 * One request case of a v2 fixture. `expected` may be absent in a fixture made for recording
 * (`tau-gateway record`); such a case cannot run until it is recorded.
 */
export const gatewayCaseSchemaV2 = z
  .strictObject({
    schema_version: z.literal(FIXTURE_SCHEMA_VERSION_2).default(FIXTURE_SCHEMA_VERSION_2),
    case_id: nonBlank("string, unique in the fixture").describe("unique in the fixture (compared trimmed)"),
    method: nonBlank("HTTP method").describe("compared trimmed and upper-cased"),
    endpoint: nonBlank("path").describe("a path starting with /"),
    actor_id: z.string().describe("the actor the request acts for; may be empty"),
    body: jsonObject({ expected: "a JSON object or null", description: "request body: a JSON object or null" }).nullable().default(null),
    simulate_retryable_failure: z
      .boolean()
      .default(false)
      .describe("true if and only if expected.outcome is retryable_failure"),
    tags: z.array(z.string()).default([]).describe("labels to select cases with --gateway-tag"),
    pending: z.boolean().default(false).describe("true: drift of this case is reported but does not hold the gate"),
    expected: expectedSchemaV2.optional().describe("absent only in a fixture that is still to be recorded"),
  })
  .check(z.superRefine(caseRules, { when: () => true }))
  .check(z.superRefine(caseRulesV2, { when: () => true }));

/** A gateway contract fixture, schema version 2. */
export const fixtureSchemaV2 = fixtureEnvelopeSchema(FIXTURE_SCHEMA_VERSION_2, gatewayCaseSchemaV2);

export type ExpectedV2 = z.output<typeof expectedSchemaV2>;
export type GatewayCaseV2 = z.output<typeof gatewayCaseSchemaV2>;
/** A v2 fixture as parsed: cases may still lack `expected`. */
export type FixtureV2 = z.output<typeof fixtureSchemaV2>;
/** A v2 fixture as written in a file, before defaults are applied. */
export type FixtureV2Input = z.input<typeof fixtureSchemaV2>;
