import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../errors";
import type { Flags } from "../flags";
import type { Io } from "../io";
import { OPTIONS } from "../options";

/** Where `run` reads its fixture when none is named; init writes there so `init && run` works. */
const DEFAULT_FIXTURE = OPTIONS.find((o) => o.name === "gateway-fixture")?.default as string;
const FIXTURE_DIR = DEFAULT_FIXTURE.slice(0, DEFAULT_FIXTURE.lastIndexOf("/"));
const SCHEMA_FILE = "fixture.schema.json";

/** Shipped in dist/ by scripts/copy-assets.mjs; every chunk of the CLI sits directly in dist/. */
const asset = (...parts: string[]) => fileURLToPath(new URL(parts.join("/"), new URL("./", import.meta.url)));

/** The example fixtures init writes: the default one (holds by design) and one whose gate passes. */
const EXAMPLES = [DEFAULT_FIXTURE.slice(FIXTURE_DIR.length + 1), "rollout-pass.json"];

/** A shipped example with `$schema` pointing at the schema file written beside it. */
async function exampleText(name: string): Promise<string> {
  const fixture = JSON.parse(await readFile(asset("fixtures", "gateway-contract", name), "utf8")) as Record<string, unknown>;
  return `${JSON.stringify({ ...fixture, $schema: `./${SCHEMA_FILE}` }, null, 2)}\n`;
}

/** `tau-gateway init [DIR]`: example fixtures and their JSON Schema where `run` looks by default. */
export async function initCommand(flags: Flags, io: Io, args: string[]): Promise<number> {
  const dir = args[0] ?? ".";
  const target = join(dir, FIXTURE_DIR);
  const files = [...EXAMPLES.map((name) => join(target, name)), join(target, SCHEMA_FILE)];
  const existing = files.filter((file) => existsSync(file));
  if (existing.length > 0 && !flags.boolean("force")) {
    throw new UsageError(`${existing.join(", ")} already exist${existing.length === 1 ? "s" : ""}; nothing written (add --force to overwrite)`);
  }
  await mkdir(target, { recursive: true });
  for (const name of EXAMPLES) await writeFile(join(target, name), await exampleText(name));
  await writeFile(join(target, SCHEMA_FILE), await readFile(asset("schema", SCHEMA_FILE)));

  const shown = (file: string) => relative(".", file) || file;
  const cd = dir === "." ? "" : `cd ${JSON.stringify(dir).slice(1, -1)} && `;
  io.out(
    [
      `wrote ${shown(join(target, EXAMPLES[0] as string))} (the fixture \`run\` reads by default; its gate holds by design)`,
      `wrote ${shown(join(target, EXAMPLES[1] as string))} (a fixture whose gate passes)`,
      `wrote ${shown(join(target, SCHEMA_FILE))} (JSON Schema: editors validate the fixtures through their $schema)`,
      "",
      "Next:",
      `  ${cd}tau-gateway run                 # one cycle over the example; state goes to .tau/gateway`,
      `  ${cd}tau-gateway status              # health and the rollout gate of that cycle`,
      `  ${cd}tau-gateway run ${FIXTURE_DIR}/rollout-pass.json   # a fixture whose gate passes`,
      "",
      `Fixture format: ${asset("fixtures", "gateway-contract", "README.md")}`,
      "",
    ].join("\n"),
  );
  return 0;
}
