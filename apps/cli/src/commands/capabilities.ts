import { capabilities, fixtureJsonSchema, fixtureJsonSchemaV2 } from "@tau/gateway";
import { EXIT } from "../exit-codes";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { json } from "../render";

/** `tau-gateway capabilities`: what this build supports. */
export async function capabilitiesCommand(flags: Flags, io: Io, _args: string[]): Promise<number> {
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
