import { z } from "zod";
import { fixtureSchema } from "./fixture-schema";
import { fixtureSchemaV2 } from "./fixture-schema-v2";
import { jsonSchemaTypes } from "./json-object";

/** URL-less id of the checked-in schema file `schema/fixture.schema.json`. */
export const FIXTURE_SCHEMA_ID = "https://tau.dev/schemas/gateway-contract/fixture.schema.json";

function toJsonSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    // Bodies and status codes are refinements zod cannot type (see json-object.ts).
    override: (ctx) => {
      const type = jsonSchemaTypes.get(ctx.zodSchema as unknown as z.ZodType);
      if (type !== undefined) ctx.jsonSchema.type = type as "object" | "integer";
    },
  }) as Record<string, unknown>;
}

/**
 * JSON Schema (2020-12) of a fixture file, generated from the zod schema. Cross-field rules
 * (status range per outcome, unique ids, ...) cannot be expressed here and are enforced by
 * parseFixture only.
 */
export const fixtureJsonSchema: Record<string, unknown> = {
  ...toJsonSchema(fixtureSchema),
  $id: FIXTURE_SCHEMA_ID,
  title: "Tau gateway contract fixture",
};

/** Id of the checked-in schema file of version 2, `schema/fixture.v2.schema.json`. */
export const FIXTURE_SCHEMA_V2_ID = "https://tau.dev/schemas/gateway-contract/fixture.v2.schema.json";

/**
 * JSON Schema (2020-12) of a version 2 fixture (tags, pending, matchers, ignore). Matchers and
 * ignore pointers are checked by parseFixture only: in the JSON Schema a body is any object.
 */
export const fixtureJsonSchemaV2: Record<string, unknown> = {
  ...toJsonSchema(fixtureSchemaV2),
  $id: FIXTURE_SCHEMA_V2_ID,
  title: "Tau gateway contract fixture (schema version 2)",
};
