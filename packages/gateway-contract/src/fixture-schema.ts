import { z } from "zod";
import { ERROR_CODES, FIXTURE_SCHEMA_VERSION, OUTCOMES } from "./capabilities";
import { caseRules, fixtureRules } from "./fixture-rules";
import { integer, jsonObject } from "./json-object";

/** A string that is not empty after trimming. */
export const nonBlank = (what: string) =>
  z.string().refine((s) => s.trim().length > 0, { message: `must be a non-empty ${what}` });


/** What a case must produce. */
export const expectedSchema = z.strictObject({
  outcome: z.enum(OUTCOMES).describe("success, malformed_input or retryable_failure"),
  status_code: integer("2xx for success; 400 or greater otherwise"),
  error_code: z
    .string()
    .optional()
    .describe(`empty or absent for success; otherwise one of ${ERROR_CODES.join(", ")}`),
  response_body: jsonObject({ expected: "a JSON object", description: "the exact JSON object the gateway must answer" }),
});

/** One request case of a fixture. */
export const gatewayCaseSchema = z
  .strictObject({
    schema_version: z.literal(FIXTURE_SCHEMA_VERSION).default(FIXTURE_SCHEMA_VERSION),
    case_id: nonBlank("string, unique in the fixture").describe("unique in the fixture (compared trimmed)"),
    method: nonBlank("HTTP method").describe("compared trimmed and upper-cased"),
    endpoint: nonBlank("path").describe("a path starting with /"),
    actor_id: z.string().describe("the actor the request acts for; may be empty"),
    body: jsonObject({ expected: "a JSON object or null", description: "request body: a JSON object or null" }).nullable().default(null),
    simulate_retryable_failure: z
      .boolean()
      .default(false)
      .describe("true if and only if expected.outcome is retryable_failure"),
    expected: expectedSchema,
  })
  // `when` makes the cross-field rules run even when another field failed, so every problem
  // of a case is reported in one go.
  .check(z.superRefine(caseRules, { when: () => true }));

/** The fixture around its cases, the same in every schema version: only the case schema changes. */
export function fixtureEnvelopeSchema<V extends number, C extends z.ZodType>(version: V, caseSchema: C) {
  return z
    .strictObject({
      $schema: z.string().optional().describe("optional path or URL of this JSON Schema, for editors"),
      schema_version: z.literal(version),
      name: nonBlank("string"),
      description: z.string().default(""),
      cases: z.array(caseSchema).min(1),
    })
    .check(z.superRefine(fixtureRules, { when: () => true }));
}

/** A gateway contract fixture (schema version 1). */
export const fixtureSchema = fixtureEnvelopeSchema(FIXTURE_SCHEMA_VERSION, gatewayCaseSchema);

/** A v1 fixture as parsed. */
export type FixtureV1 = z.output<typeof fixtureSchema>;
/** A v1 fixture as written in a file, before defaults are applied. */
export type FixtureInput = z.input<typeof fixtureSchema>;
// The types every runner uses, for either schema version, live in fixture.ts.
export type { Expected, Fixture, GatewayCase } from "./fixture";
