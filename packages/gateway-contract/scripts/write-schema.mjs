// Regenerates schema/fixture.schema.json and schema/fixture.v2.schema.json from the built
// package (run `npm run build` first).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fixtureJsonSchema, fixtureJsonSchemaV2 } from "../dist/index.js";

for (const [file, schema] of [
  ["fixture.schema.json", fixtureJsonSchema],
  ["fixture.v2.schema.json", fixtureJsonSchemaV2],
]) {
  const target = fileURLToPath(new URL(`../schema/${file}`, import.meta.url));
  writeFileSync(target, `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote ${target}`);
}
