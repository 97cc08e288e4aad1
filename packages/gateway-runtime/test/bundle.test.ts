import { execFileSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { PACKAGE_DIR } from "./helpers/paths";
import { makeTempDir } from "./helpers/temp-dir";

// undici is CommonJS: bundled into ESM, its top-level `require("node:assert")` crashed any
// bundle that imported the runtime, live mode or not. It is now imported on the first request.

describe("an ESM bundle of the runtime", () => {
  it("runs a simulated cycle without loading undici", { timeout: 60_000 }, async () => {
    const dir = await makeTempDir();
    const entry = join(dir, "entry.mjs");
    await writeFile(
      entry,
      `import { GatewayRuntime } from "@tau/gateway-runtime";
import { validateFixture } from "@tau/gateway-contract";
const fixture = validateFixture({ schema_version: 1, name: "bundle", cases: [{ case_id: "c", method: "GET", endpoint: "/x", actor_id: "a",
  expected: { outcome: "success", status_code: 200, response_body: { status: "accepted", method: "GET", endpoint: "/x", actor_id: "a" } } }] });
const runtime = await GatewayRuntime.open({ stateDir: ${JSON.stringify(join(dir, "state"))} });
const report = await runtime.runCycle(fixture);
await runtime.close();
console.log(JSON.stringify({ applied: report.summary.applied_cases, gate: report.gate.gate }));
`,
    );
    const outfile = join(dir, "bundle.mjs");
    await build({ entryPoints: [entry], bundle: true, format: "esm", platform: "node", outfile, nodePaths: [join(PACKAGE_DIR, "../../node_modules")], logLevel: "silent" });
    const out = execFileSync(process.execPath, [outfile], { encoding: "utf8" });
    expect(JSON.parse(out)).toEqual({ applied: 1, gate: "pass" });
  });
});
