// Regenerates schema/fixture.schema.json from the built package (run `npm run build` first).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fixtureJsonSchema } from "../dist/index.js";

const target = fileURLToPath(new URL("../schema/fixture.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(fixtureJsonSchema, null, 2)}\n`);
console.log(`wrote ${target}`);
