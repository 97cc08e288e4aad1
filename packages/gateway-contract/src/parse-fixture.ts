import { FixtureError } from "./errors";
import { fixtureSchema, type Fixture } from "./fixture-schema";
import { formatIssues } from "./format-issues";
import { findJsonSyntaxError } from "./json-syntax-error";

const DEFAULT_SOURCE = "<fixture>";

export type SafeParseFixtureResult =
  | { success: true; fixture: Fixture }
  | { success: false; error: FixtureError };

/** Validates an already-parsed JSON value as a fixture; throws a FixtureError listing every problem. */
export function validateFixture(value: unknown, source: string = DEFAULT_SOURCE): Fixture {
  const result = fixtureSchema.safeParse(value);
  if (result.success) return result.data;
  throw new FixtureError({
    code: "E_FIXTURE_INVALID",
    source,
    issues: formatIssues({ issues: result.error.issues, input: value, source }),
  });
}

/** Parses fixture JSON text; throws a FixtureError (with line and column for bad JSON). */
export function parseFixture(text: string, source: string = DEFAULT_SOURCE): Fixture {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (cause) {
    const where = findJsonSyntaxError(body);
    const position = where ? `line ${where.line}, column ${where.column}: ${where.reason}` : (cause as Error).message;
    throw new FixtureError({
      code: "E_FIXTURE_JSON",
      source,
      issues: [{ path: "", message: `${source}: not valid JSON at ${position}` }],
      cause,
    });
  }
  return validateFixture(value, source);
}

/** Like parseFixture, but returns the error instead of throwing it. */
export function safeParseFixture(text: string, source: string = DEFAULT_SOURCE): SafeParseFixtureResult {
  try {
    return { success: true, fixture: parseFixture(text, source) };
  } catch (error) {
    if (FixtureError.isInstance(error)) return { success: false, error };
    throw error;
  }
}
