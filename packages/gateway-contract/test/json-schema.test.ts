import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURE_SCHEMA_ID, fixtureJsonSchema, safeParseFixture } from "../src/index";
import { FIXTURES_DIR, SCHEMA_FILE } from "./helpers/paths";

const REGENERATE =
  "schema/fixture.schema.json is out of date with the zod schema: build the package (`npm run build -w @tau/gateway-contract`), then run `npm run schema -w @tau/gateway-contract` and commit the file";

/** Example fixtures that parse: the ones editors should validate against the schema. */
function validFixtureFiles(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((name) => name.endsWith(".json"))
    .filter((name) => safeParseFixture(readFileSync(join(FIXTURES_DIR, name), "utf8"), name).success)
    .sort();
}

describe("fixtureJsonSchema", () => {
  it("is what the checked-in schema/fixture.schema.json holds", () => {
    const checkedIn: unknown = JSON.parse(readFileSync(SCHEMA_FILE, "utf8"));
    // Through JSON so that only what a file can hold is compared.
    const generated: unknown = JSON.parse(JSON.stringify(fixtureJsonSchema));
    expect(checkedIn, REGENERATE).toStrictEqual(generated);
  });

  it("is a draft 2020-12 schema with a stable $id and a title", () => {
    expect(fixtureJsonSchema).toMatchObject({
      $schema: "https://json-schema.org/draft/2020-12/schema",
      $id: FIXTURE_SCHEMA_ID,
      title: "Tau gateway contract fixture",
    });
  });

  it("rejects unknown fields at every level, like parseFixture", () => {
    const schema = fixtureJsonSchema as {
      additionalProperties: unknown;
      properties: { cases: { items: { additionalProperties: unknown; properties: { expected: { additionalProperties: unknown } } } } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.cases.items.additionalProperties).toBe(false);
    expect(schema.properties.cases.items.properties.expected.additionalProperties).toBe(false);
  });
});

describe("fixtures/gateway-contract", () => {
  it("has valid fixtures to check", () => {
    expect(validFixtureFiles()).toEqual(expect.arrayContaining(["mixed-outcomes.json", "rollout-pass.json"]));
  });

  it("points every valid fixture at the checked-in schema with $schema", () => {
    for (const name of validFixtureFiles()) {
      const fixture = JSON.parse(readFileSync(join(FIXTURES_DIR, name), "utf8")) as { $schema?: unknown; schema_version?: unknown };
      // Each version has its own JSON Schema file.
      const file = fixture.schema_version === 2 ? "fixture.v2.schema.json" : "fixture.schema.json";
      expect(fixture.$schema, `${name} has no "$schema" key`).toBe(`../../packages/gateway-contract/schema/${file}`);
      const target = resolve(dirname(join(FIXTURES_DIR, name)), fixture.$schema as string);
      expect(target).toBe(join(dirname(SCHEMA_FILE), file));
      expect(existsSync(target)).toBe(true);
    }
  });
});
