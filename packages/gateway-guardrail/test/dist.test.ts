import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const builtFiles = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"];

/** Runs a script in a fresh node, from the package dir, so the package resolves by its own name. */
function runNode(inputType: "module" | "commonjs", script: string): string {
  return execFileSync(process.execPath, [`--input-type=${inputType}`, "-e", script], {
    cwd: packageDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Same question for both module systems: which exports exist and what the gate decides. */
const PROBE = `
const summary = { ...api.emptyCycleSummary(), discovered_cases: 3, queued_cases: 3, applied_cases: 1,
  malformed_cases: 1, retryable_failures: 4, retry_attempts: 3, failed_cases: 1, upserted_requests: 1 };
const health = api.snapshotHealth({ summary, previousFailureStreak: 1, cycleDurationMs: 5, nowUnixMs: 1000 });
console.log(JSON.stringify({
  evaluateGate: typeof api.evaluateGate,
  classifyHealth: typeof api.classifyHealth,
  decision: api.evaluateGate({ summary, health, thresholds: api.DEFAULT_THRESHOLDS }),
  health: api.classifyHealth(health),
}));
`;

describe("the built package", () => {
  beforeAll(() => {
    const missing = builtFiles.filter((file) => !existsSync(join(packageDir, file)));
    if (missing.length > 0) {
      throw new Error(`missing ${missing.join(", ")} in ${packageDir}: run \`npx tsup\` (or \`npm run build\`) first`);
    }
  });

  it("loads with import() as ESM and with require() as CommonJS and answers the same", () => {
    const esm = JSON.parse(runNode("module", `const api = await import("@tau/gateway-guardrail");\n${PROBE}`));
    const cjs = JSON.parse(runNode("commonjs", `const api = require("@tau/gateway-guardrail");\n${PROBE}`));
    expect(esm).toEqual({
      evaluateGate: "function",
      classifyHealth: "function",
      decision: { gate: "hold", reason_code: "failure_streak_threshold_exceeded" },
      health: expect.objectContaining({
        state: "degraded",
        reason: "recent transport failures observed (failure_streak=2, last_cycle_failed=1)",
      }),
    });
    expect(cjs).toEqual(esm);
  });

  it("recognises a GuardrailError thrown by the other module format's copy", () => {
    const output = runNode(
      "module",
      `
import { createRequire } from "node:module";
import { GuardrailError } from "@tau/gateway-guardrail";
const cjs = createRequire(process.cwd() + "/package.json")("@tau/gateway-guardrail");
let thrown;
try { cjs.assertThresholds({ failureStreak: 0, retryableFailures: 2 }); } catch (error) { thrown = error; }
console.log(JSON.stringify({
  sameClass: cjs.GuardrailError === GuardrailError,
  isInstance: GuardrailError.isInstance(thrown),
  code: thrown?.code,
}));
`,
    );
    expect(JSON.parse(output)).toEqual({ sameClass: false, isInstance: true, code: "E_INVALID_THRESHOLD" });
  });

  it("runs the README example and prints what the README says", () => {
    const readme = readFileSync(join(packageDir, "README.md"), "utf8");
    const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    const printed = /prints\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, "README.md needs a ```js example").toBeDefined();
    expect(printed, "README.md needs the example's output in a ```text block after 'prints'").toBeDefined();
    expect(runNode("module", example ?? "")).toBe(printed);
  });
});
