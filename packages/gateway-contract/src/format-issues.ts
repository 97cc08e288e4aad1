import type { z } from "zod";
import { describeValue } from "./describe-value";
import type { FixtureIssue } from "./errors";
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

function fieldName(path: readonly PathKey[]): string {
  return path
    .map((key, n) => (typeof key === "number" ? `[${key}]` : n === 0 ? String(key) : `.${String(key)}`))
    .join("");
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
    const inCase = path[0] === "cases" && typeof path[1] === "number";
    const caseIndex = inCase ? (path[1] as number) : undefined;
    const rawId = inCase ? valueAt(input, ["cases", caseIndex as number, "case_id"]) : undefined;
    const caseId = typeof rawId === "string" && rawId.trim().length > 0 ? rawId.trim() : undefined;
    // JSON-quoted so an id holding a quote or a line break still reads as one name on one line.
    const where = !inCase ? "" : caseId !== undefined ? `case ${JSON.stringify(caseId)}: ` : `case at index ${caseIndex}: `;
    const local = inCase ? path.slice(2) : path;

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
