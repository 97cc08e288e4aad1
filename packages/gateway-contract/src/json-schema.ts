import { z } from "zod";
import { fixtureSchema } from "./fixture-schema";
import { jsonSchemaTypes } from "./json-object";

/** URL-less id of the checked-in schema file `schema/fixture.schema.json`. */
export const FIXTURE_SCHEMA_ID = "https://tau.dev/schemas/gateway-contract/fixture.schema.json";

/**
 * JSON Schema (2020-12) of a fixture file, generated from the zod schema. Cross-field rules
 * (status range per outcome, unique ids, ...) cannot be expressed here and are enforced by
 * parseFixture only.
 */
export const fixtureJsonSchema: Record<string, unknown> = {
  ...z.toJSONSchema(fixtureSchema, {
    io: "input",
    unrepresentable: "any",
    // Bodies and status codes are refinements zod cannot type (see json-object.ts).
    override: (ctx) => {
      const type = jsonSchemaTypes.get(ctx.zodSchema as unknown as z.ZodType);
      if (type !== undefined) ctx.jsonSchema.type = type as "object" | "integer";
    },
  }),
  $id: FIXTURE_SCHEMA_ID,
  title: "Tau gateway contract fixture",
};
