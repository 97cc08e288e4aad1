import { FixtureError } from "./errors";
import type { Fixture, FixtureDocument } from "./fixture";
import { formatJsonTextIssues } from "./format-issues";
import { findJsonSyntaxError } from "./json-syntax-error";
import { parseJsonText } from "./json-text";
import { checkFixtureDocument, requireExpectations, validateFixtureDocument } from "./validate-fixture-document";

const DEFAULT_SOURCE = "<fixture>";

export type SafeParseFixtureResult =
  | { success: true; fixture: Fixture }
  | { success: false; error: FixtureError };

/** Validates an already-parsed JSON value as a fixture (v1 or v2); throws a FixtureError listing every problem. */
export function validateFixture(value: unknown, source: string = DEFAULT_SOURCE): Fixture {
  return requireExpectations(validateFixtureDocument(value, source), source);
}

/**
 * Parses fixture JSON text into a runnable fixture; throws a FixtureError (with line and column
 * for bad JSON). Duplicate keys and numbers too large for a double are invalid too, reported with
 * every other problem.
 */
export function parseFixture(text: string, source: string = DEFAULT_SOURCE): Fixture {
  return requireExpectations(parseFixtureDocument(text, source), source);
}

/**
 * Like parseFixture, but v2 cases may lack `expected` (a fixture to be recorded). The text is
 * held to the same rules: a duplicate key or a 1e309 is as invalid here as in a fixture to run.
 */
export function parseFixtureDocument(text: string, source: string = DEFAULT_SOURCE): FixtureDocument {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let parsed: ReturnType<typeof parseJsonText>;
  try {
    parsed = parseJsonText(body);
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
  const { value, issues: textIssues } = parsed;
  if (textIssues.length === 0) return validateFixtureDocument(value, source);
  const first = formatJsonTextIssues({ issues: textIssues, input: value, text: body, source });
  // A value the text issue already explains (Infinity for 1e309) is not reported twice.
  const explained = textIssues.filter((i) => i.kind === "number_out_of_range").map((i) => i.path);
  const checked = checkFixtureDocument({ value, source, skipPaths: explained });
  throw new FixtureError({ code: "E_FIXTURE_INVALID", source, issues: [...first, ...(checked.success ? [] : checked.issues)] });
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
