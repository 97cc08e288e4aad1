import { FixtureError, type FixtureIssue } from "./errors";
import type { Fixture, FixtureDocument } from "./fixture";
import { fixtureSchema } from "./fixture-schema";
import { FIXTURE_SCHEMA_VERSION_2, fixtureSchemaV2 } from "./fixture-schema-v2";
import { formatIssues } from "./format-issues";

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Validates a parsed JSON value as a fixture of the version it declares: `schema_version: 2`
 * against the v2 schema, anything else against v1 (so v1 keeps its exact rules and messages).
 * v2 cases may lack `expected`; see requireExpectations.
 */
export function validateFixtureDocument(value: unknown, source: string): FixtureDocument {
  const v2 = isRecord(value) && value.schema_version === FIXTURE_SCHEMA_VERSION_2;
  const result = v2 ? fixtureSchemaV2.safeParse(value) : fixtureSchema.safeParse(value);
  if (result.success) return result.data;
  let issues = formatIssues({ issues: result.error.issues, input: value, source, version: v2 ? 2 : 1 });
  // v1's rule says "must be 1"; for a version this build does not read at all, name both.
  const declared = isRecord(value) ? value.schema_version : undefined;
  if (typeof declared === "number" && declared !== 1) {
    issues = issues.map((i) =>
      i.path === "schema_version" ? { ...i, message: `${source}: schema_version must be 1 or 2 (found ${declared})` } : i,
    );
  }
  throw new FixtureError({ code: "E_FIXTURE_INVALID", source, issues });
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
