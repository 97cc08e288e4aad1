import { capabilities, fixtureJsonSchema, fixtureJsonSchemaV2, FIXTURE_SCHEMA_VERSION_2, readFixtureSet } from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { json } from "../render";
import { fixturePatternsFromFlags } from "../runner-settings";

/** `tau-gateway capabilities`: what this build supports. */
export async function capabilitiesCommand(flags: Flags, io: Io): Promise<number> {
  if (flags.boolean("json")) {
    io.out(
      json({
        schema_version: capabilities.schemaVersion,
        schema_versions: capabilities.schemaVersions,
        matchers: capabilities.matchers,
        outcomes: capabilities.outcomes,
        error_codes: capabilities.errorCodes,
        methods: capabilities.methods,
        fixture_json_schema_id: fixtureJsonSchema.$id,
        fixture_json_schema_v2_id: fixtureJsonSchemaV2.$id,
      }),
    );
  } else {
    io.out(
      [
        `fixture schema_version: ${capabilities.schemaVersions.join(", ")}`,
        `matchers (v2 response_body): ${capabilities.matchers.join(", ")}`,
        `outcomes: ${capabilities.outcomes.join(", ")}`,
        `error codes: ${capabilities.errorCodes.join(", ")}`,
        `methods: ${capabilities.methods.join(", ")}`,
      ].join("\n") + "\n",
    );
  }
  return EXIT.ok;
}

/**
 * `tau-gateway validate [FIXTURE]`: check a fixture (or the --gateway-fixture set) without
 * running it. A v2 fixture with cases still to be recorded is valid; the report says how many.
 */
export async function validateCommand(flags: Flags, io: Io, path: string | undefined): Promise<number> {
  const files = await readFixtureSet({
    patterns: path !== undefined ? [path] : fixturePatternsFromFlags(flags),
    maxBytes: flags.integer("gateway-max-fixture-bytes"),
  });
  const rows = files.map((f) => ({
    valid: true,
    path: f.source.path,
    name: f.document.name,
    schema_version: f.document.schema_version,
    cases: f.document.cases.length,
    unrecorded_cases: f.document.cases.filter((c) => c.expected === undefined).length,
  }));
  if (flags.boolean("json")) io.out(json(rows.length === 1 ? rows[0] : rows));
  else {
    for (const r of rows) {
      const plural = r.cases === 1 ? "" : "s";
      const version = r.schema_version === FIXTURE_SCHEMA_VERSION_2 ? " (schema v2)" : "";
      const pending = r.unrecorded_cases > 0 ? `; ${r.unrecorded_cases} without expected yet: record them (tau-gateway record) before running` : "";
      io.out(`${r.path}: valid fixture "${r.name}"${version} with ${r.cases} case${plural}${pending}\n`);
    }
  }
  return EXIT.ok;
}
