import { capabilities, fixtureJsonSchema, loadFixture, printableText } from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { json } from "../render";

/** `tau-gateway capabilities`: what this build supports. */
export async function capabilitiesCommand(flags: Flags, io: Io): Promise<number> {
  if (flags.boolean("json")) {
    io.out(
      json({
        schema_version: capabilities.schemaVersion,
        outcomes: capabilities.outcomes,
        error_codes: capabilities.errorCodes,
        methods: capabilities.methods,
        fixture_json_schema_id: fixtureJsonSchema.$id,
      }),
    );
  } else {
    io.out(
      [
        `fixture schema_version: ${capabilities.schemaVersion}`,
        `outcomes: ${capabilities.outcomes.join(", ")}`,
        `error codes: ${capabilities.errorCodes.join(", ")}`,
        `methods: ${capabilities.methods.join(", ")}`,
      ].join("\n") + "\n",
    );
  }
  return EXIT.ok;
}

/** `tau-gateway validate [FIXTURE]`: check a fixture without running it. */
export async function validateCommand(flags: Flags, io: Io, path: string | undefined): Promise<number> {
  const fixturePath = path ?? (flags.string("gateway-fixture") as string);
  const fixture = await loadFixture(fixturePath, { maxBytes: flags.integer("gateway-max-fixture-bytes") });
  if (flags.boolean("json")) io.out(json({ valid: true, path: fixturePath, name: fixture.name, cases: fixture.cases.length }));
  else io.out(`${fixturePath}: valid fixture ${printableText(JSON.stringify(fixture.name))} with ${fixture.cases.length} case${fixture.cases.length === 1 ? "" : "s"}\n`);
  return EXIT.ok;
}
