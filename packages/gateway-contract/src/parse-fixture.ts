import { FixtureError } from "./errors";
import { fixtureSchema, type Fixture } from "./fixture-schema";
import { formatIssues, formatJsonTextIssues } from "./format-issues";
import { findJsonSyntaxError } from "./json-syntax-error";
import { parseJsonText, type JsonTextIssue } from "./json-text";

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

/**
 * Parses fixture JSON text; throws a FixtureError (with line and column for bad JSON). Duplicate
 * keys and numbers too large for a double are invalid too, reported with every other problem.
 */
export function parseFixture(text: string, source: string = DEFAULT_SOURCE): Fixture {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  let textIssues: JsonTextIssue[];
  try {
    ({ value, issues: textIssues } = parseJsonText(body));
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
  if (textIssues.length === 0) return validateFixture(value, source);
  const first = formatJsonTextIssues({ issues: textIssues, input: value, text: body, source });
  const result = fixtureSchema.safeParse(value);
  // A value the text issue already explains (Infinity for 1e309) is not reported twice.
  const explained = textIssues.filter((i) => i.kind === "number_out_of_range").map((i) => i.path.join("\u0000"));
  const rest = result.success
    ? []
    : formatIssues({
        issues: result.error.issues.filter((i) => !explained.some((p) => i.path.join("\u0000").startsWith(p))),
        input: value,
        source,
      });
  throw new FixtureError({ code: "E_FIXTURE_INVALID", source, issues: [...first, ...rest] });
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
