import { FixtureError } from "./errors";
import type { Fixture, FixtureDocument } from "./fixture";
import { findJsonSyntaxError } from "./json-syntax-error";
import { requireExpectations, validateFixtureDocument } from "./validate-fixture-document";

const DEFAULT_SOURCE = "<fixture>";

export type SafeParseFixtureResult =
  | { success: true; fixture: Fixture }
  | { success: false; error: FixtureError };

/** Validates an already-parsed JSON value as a fixture (v1 or v2); throws a FixtureError listing every problem. */
export function validateFixture(value: unknown, source: string = DEFAULT_SOURCE): Fixture {
  return requireExpectations(validateFixtureDocument(value, source), source);
}

/** Parses fixture JSON text into a runnable fixture; throws a FixtureError (with line and column for bad JSON). */
export function parseFixture(text: string, source: string = DEFAULT_SOURCE): Fixture {
  return validateFixture(parseFixtureJson(text, source), source);
}

/** Like parseFixture, but v2 cases may lack `expected` (a fixture to be recorded). */
export function parseFixtureDocument(text: string, source: string = DEFAULT_SOURCE): FixtureDocument {
  return validateFixtureDocument(parseFixtureJson(text, source), source);
}

function parseFixtureJson(text: string, source: string): unknown {
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
  return value;
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
