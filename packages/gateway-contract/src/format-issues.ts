import type { z } from "zod";
import { describeValue } from "./describe-value";
import type { FixtureIssue } from "./errors";
import { lineAndColumn } from "./json-syntax-error";
import type { JsonTextIssue } from "./json-text";
import { expectedSchema, fixtureSchema, gatewayCaseSchema } from "./fixture-schema";
import { expectedSchemaV2, fixtureSchemaV2, gatewayCaseSchemaV2 } from "./fixture-schema-v2";

type PathKey = PropertyKey;

const SCHEMAS = {
  1: { fixture: fixtureSchema, case: gatewayCaseSchema, expected: expectedSchema },
  2: { fixture: fixtureSchemaV2, case: gatewayCaseSchemaV2, expected: expectedSchemaV2 },
} as const;

function allowedFields(path: readonly PathKey[], version: 1 | 2): readonly string[] {
  const schemas = SCHEMAS[version];
  if (path.length === 0) return Object.keys(shapeOf(schemas.fixture));
  if (path.length === 2 && path[0] === "cases") return Object.keys(shapeOf(schemas.case));
  if (path.length === 3 && path[2] === "expected") return Object.keys(schemas.expected.shape);
  return [];
}

/** The object shape under a schema that carries `.check()` refinements. */
function shapeOf(schema: z.ZodType): Record<string, unknown> {
  return (schema as unknown as { shape: Record<string, unknown> }).shape;
}

function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** Longest name or id quoted whole in a message: a 2 MB key must not make a 2 MB error. */
const MAX_SHOWN = 60;

function shortText(text: string): string {
  if (text.length <= MAX_SHOWN) return text;
  // Never cut a surrogate pair in half: the message would carry a lone surrogate.
  const end = MAX_SHOWN - 3;
  const high = text.charCodeAt(end - 1);
  return `${text.slice(0, high >= 0xd800 && high <= 0xdbff ? end - 1 : end)}...`;
}

/** Characters that could break a message's line or drive a terminal. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A key as a path segment: bare when printable and short, else JSON-quoted and cut short. */
function keyText(key: string): string {
  return !UNPRINTABLE.test(key) && key.length <= MAX_SHOWN ? key : JSON.stringify(shortText(key));
}

function fieldName(path: readonly PathKey[]): string {
  return path
    .map((key, n) => (typeof key === "number" ? `[${key}]` : n === 0 ? keyText(String(key)) : `.${keyText(String(key))}`))
    .join("");
}

/** Where an issue at `path` is: the case (by trimmed id, else index) and the path inside it. */
function locate(path: readonly PathKey[], input: unknown): {
  where: string;
  local: readonly PathKey[];
  caseId?: string;
  caseIndex?: number;
} {
  const inCase = path[0] === "cases" && typeof path[1] === "number";
  if (!inCase) return { where: "", local: path };
  const caseIndex = path[1] as number;
  const rawId = valueAt(input, ["cases", caseIndex, "case_id"]);
  const caseId = typeof rawId === "string" && rawId.trim().length > 0 ? rawId.trim() : undefined;
  // JSON-quoted so an id holding a quote or a line break still reads as one name on one line.
  const where = caseId !== undefined ? `case ${JSON.stringify(shortText(caseId))}: ` : `case at index ${caseIndex}: `;
  return { where, local: path.slice(2), caseIndex, ...(caseId !== undefined ? { caseId } : {}) };
}

const EXPECTED_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  record: "a JSON object",
  object: "a JSON object",
  array: "an array",
  null: "null",
};

function detail(issue: z.core.$ZodIssue, found: unknown, field: string): string {
  switch (issue.code) {
    case "invalid_type": {
      if (found === undefined) return `is required (found ${describeValue(found)})`;
      const expected = /(^|\.)body$/.test(field) && issue.expected === "record"
        ? "a JSON object or null"
        : (EXPECTED_NAMES[issue.expected] ?? issue.expected);
      return `must be ${expected} (found ${describeValue(found)})`;
    }
    case "invalid_value": {
      if (found === undefined) return `is required (found ${describeValue(found)})`;
      const options = issue.values.map((v) => JSON.stringify(v));
      const want = options.length === 1 ? options[0] : `one of ${options.join(", ")}`;
      return `must be ${want} (found ${describeValue(found)})`;
    }
    case "too_small":
      return field === "cases"
        ? `must list at least one case (found ${describeValue(found)})`
        : `is too small: minimum ${String(issue.minimum)} (found ${describeValue(found)})`;
    case "custom": {
      // Type-like refinements ("must be an integer") get what was found; cross-field rules
      // already say it in their own words.
      if (!/^must be an? /.test(issue.message)) return issue.message;
      return found === undefined
        ? `is required (found ${describeValue(found)})`
        : `${issue.message} (found ${describeValue(found)})`;
    }
    default:
      return `${issue.message} (found ${describeValue(found)})`;
  }
}

/** Turns zod issues into messages that name the file, the case and the field. */
export function formatIssues(options: {
  issues: readonly z.core.$ZodIssue[];
  input: unknown;
  source: string;
  /** Schema version the input was validated against (which fields are allowed); default 1. */
  version?: 1 | 2;
}): FixtureIssue[] {
  const { issues, input, source, version = 1 } = options;
  const out: FixtureIssue[] = [];
  for (const zodIssue of issues) {
    const path = zodIssue.path;
    const { where, local, caseId, caseIndex } = locate(path, input);
    const inCase = caseIndex !== undefined;

    const keys = zodIssue.code === "unrecognized_keys" ? zodIssue.keys : [null];
    for (const key of keys) {
      let field: string;
      let text: string;
      if (key !== null) {
        field = fieldName([...local, key]);
        const allowed = allowedFields(path, version).join(", ");
        text = `is not a known field (check the spelling; allowed here: ${allowed})`;
      } else {
        field = fieldName(local);
        text = detail(zodIssue, valueAt(input, path), field);
      }
      const subject = field.length > 0 ? `${field} ` : inCase ? "case " : "fixture ";
      const fullPath = key !== null ? fieldName([...path, key]) : fieldName(path);
      out.push({
        path: fullPath,
        ...(caseId !== undefined ? { caseId } : {}),
        ...(caseIndex !== undefined ? { caseIndex } : {}),
        message: `${source}: ${where}${subject}${text}`,
      });
    }
  }
  return out;
}

/**
 * Messages for what JSON.parse hides (json-text.ts): a duplicate key, whose earlier value the
 * parse dropped, and a number too large for a double, shown as written rather than as Infinity.
 */
export function formatJsonTextIssues(options: {
  issues: readonly JsonTextIssue[];
  input: unknown;
  text: string;
  source: string;
}): FixtureIssue[] {
  const { issues, input, text, source } = options;
  return issues.map((issue) => {
    const { where, local, caseId, caseIndex } = locate(issue.path, input);
    const { line, column } = lineAndColumn(text, issue.offset);
    const field = fieldName(local);
    const at = `line ${line}, column ${column}`;
    const message =
      issue.kind === "duplicate_key"
        ? `${field} appears more than once in the same object (again at ${at}); JSON keeps only the last, so remove or rename the others`
        : `${field.length > 0 ? field : "value"} is the number ${shortText(issue.literal)} (${at}), too large to be represented (found ${shortText(issue.literal)})`;
    return {
      path: fieldName(issue.path),
      ...(caseId !== undefined ? { caseId } : {}),
      ...(caseIndex !== undefined ? { caseIndex } : {}),
      message: `${source}: ${where}${message}`,
    };
  });
}
