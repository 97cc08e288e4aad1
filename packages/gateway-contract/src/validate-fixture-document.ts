import { FixtureError, type FixtureIssue } from "./errors";
import type { Fixture, FixtureDocument } from "./fixture";
import { fixtureSchema } from "./fixture-schema";
import { FIXTURE_SCHEMA_VERSION_2, fixtureSchemaV2 } from "./fixture-schema-v2";
import { formatIssues } from "./format-issues";
import { parsePlainFixture } from "./plain-fixture";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks a parsed JSON value as a fixture of the version it declares: `schema_version: 2`
 * against the v2 schema, anything else against v1 (so v1 keeps its exact rules and messages).
 * v2 cases may lack `expected`; see requireExpectations. Problems at or under `skipPaths` are
 * left out (the caller has already explained them, e.g. a number too large for a double).
 */
export function checkFixtureDocument(options: {
  value: unknown;
  source: string;
  skipPaths?: readonly (readonly PropertyKey[])[];
}): { success: true; document: FixtureDocument } | { success: false; issues: FixtureIssue[] } {
  const { value, source } = options;
  // A plainly valid fixture (the usual case) is checked without zod; any doubt goes to zod.
  const plain = parsePlainFixture(value);
  if (plain !== undefined) return { success: true, document: plain };
  const v2 = isRecord(value) && value.schema_version === FIXTURE_SCHEMA_VERSION_2;
  const result = v2 ? fixtureSchemaV2.safeParse(value) : fixtureSchema.safeParse(value);
  if (result.success) return { success: true, document: result.data };
  const skipped = (options.skipPaths ?? []).map((p) => p.map(String).join("\u0000"));
  const kept = result.error.issues.filter((i) => !skipped.some((p) => i.path.map(String).join("\u0000").startsWith(p)));
  let issues = formatIssues({ issues: kept, input: value, source, version: v2 ? 2 : 1 });
  // v1's rule says "must be 1"; for a version this build does not read at all, name both.
  const declared = isRecord(value) ? value.schema_version : undefined;
  if (typeof declared === "number" && declared !== 1) {
    issues = issues.map((i) =>
      i.path === "schema_version" ? { ...i, message: `${source}: schema_version must be 1 or 2 (found ${declared})` } : i,
    );
  }
  return { success: false, issues };
}

/** Validates a parsed JSON value as a fixture (v1 or v2, see checkFixtureDocument); throws a FixtureError listing every problem. */
export function validateFixtureDocument(value: unknown, source: string): FixtureDocument {
  const checked = checkFixtureDocument({ value, source });
  if (checked.success) return checked.document;
  throw new FixtureError({ code: "E_FIXTURE_INVALID", source, issues: checked.issues });
}

/** The fixture as a runner needs it: every case has `expected`, else E_FIXTURE_UNRECORDED. */
export function requireExpectations(document: FixtureDocument, source: string): Fixture {
  const issues: FixtureIssue[] = [];
  document.cases.forEach((c, caseIndex) => {
    if (c.expected !== undefined) return;
    const caseId = c.case_id.trim();
    issues.push({
      path: `cases[${caseIndex}].expected`,
      caseId,
      caseIndex,
      message: `${source}: case ${JSON.stringify(caseId)}: has no expected yet, so it cannot be run: record it first (tau-gateway record --gateway-fixture ${source} --out FILE) or run with --gateway-update new`,
    });
  });
  if (issues.length > 0) throw new FixtureError({ code: "E_FIXTURE_UNRECORDED", source, issues });
  return document as Fixture;
}
