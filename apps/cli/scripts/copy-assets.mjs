// Copies what `tau-gateway init` writes, and what the package ships for readers, into dist/:
// the example fixtures and their format doc (from the repository's fixtures/gateway-contract)
// and the fixture JSON Schema (from @tau/gateway-contract). Run by tsup after each build, so the
// published package never holds stale copies and the repository holds no second copy.
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

const root = new URL("../../../", import.meta.url);
const dist = new URL("../dist/", import.meta.url);
const EXAMPLES = ["mixed-outcomes.json", "rollout-pass.json", "drift-success-body.json", "README.md"];
// In the repository the fixtures point at the contract package's schema; in dist it sits two levels up.
const rewrite = (text) => text.replaceAll("../../packages/gateway-contract/schema/", "../../schema/");

await mkdir(new URL("fixtures/gateway-contract/", dist), { recursive: true });
await mkdir(new URL("schema/", dist), { recursive: true });
for (const name of EXAMPLES) {
  const text = await readFile(new URL(`fixtures/gateway-contract/${name}`, root), "utf8");
  await writeFile(new URL(`fixtures/gateway-contract/${name}`, dist), rewrite(text));
}
await copyFile(
  fileURLToPath(new URL("packages/gateway-contract/schema/fixture.schema.json", root)),
  fileURLToPath(new URL("schema/fixture.schema.json", dist)),
);
