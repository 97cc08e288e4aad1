import { FIXTURE_SCHEMA_VERSION_2, FixtureError, printableText, readFixtureSet } from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import { fixtureChoiceFromFlags, withInitHint } from "../fixture-path";
import type { Io } from "../io";
import { json } from "../render";

/**
 * `tau-gateway validate [FIXTURE]`: check a fixture (or the --gateway-fixture set) without
 * running it. A v2 fixture with cases still to be recorded is valid; the report says how many.
 */
export async function validateCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const fixture = fixtureChoiceFromFlags(flags, args);
  const asJson = flags.boolean("json");
  const maxBytes = flags.integer("gateway-max-fixture-bytes");
  let files;
  try {
    files = await readFixtureSet({ patterns: fixture.patterns, maxBytes });
  } catch (error) {
    // With --json an invalid fixture is an answer, not a crash: the problems go to stdout for
    // editors and CI annotations; the exit code still says "invalid" (2).
    if (asJson && FixtureError.isInstance(error)) {
      io.out(
        json({
          valid: false,
          path: error.source,
          code: error.code,
          problems: error.issues.map((issue) => ({
            path: issue.path,
            case_id: issue.caseId ?? null,
            case_index: issue.caseIndex ?? null,
            message: issue.message,
          })),
        }),
      );
      return EXIT.usage;
    }
    throw withInitHint(error, fixture);
  }
  const rows = files.map((f) => ({
    valid: true,
    path: f.source.path,
    name: f.document.name,
    schema_version: f.document.schema_version,
    cases: f.document.cases.length,
    unrecorded_cases: f.document.cases.filter((c) => c.expected === undefined).length,
    problems: [],
  }));
  if (asJson) io.out(json(rows.length === 1 ? rows[0] : rows));
  else {
    for (const r of rows) {
      const plural = r.cases === 1 ? "" : "s";
      const version = r.schema_version === FIXTURE_SCHEMA_VERSION_2 ? " (schema v2)" : "";
      const pending = r.unrecorded_cases > 0 ? `; ${r.unrecorded_cases} without expected yet: record them (tau-gateway record) before running` : "";
      io.out(`${printableText(r.path)}: valid fixture ${printableText(JSON.stringify(r.name))}${version} with ${r.cases} case${plural}${pending}\n`);
    }
  }
  return EXIT.ok;
}
