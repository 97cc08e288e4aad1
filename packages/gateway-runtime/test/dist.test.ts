import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { once } from "node:events";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { GatewayRuntime, GatewayRuntimeError } from "../src";
import { PACKAGE_DIR } from "./helpers/paths";
import { makeStateDir } from "./helpers/temp-dir";

const builtFiles = ["dist/index.js", "dist/index.cjs", "dist/index.d.ts", "dist/index.d.cts"];

/** Runs a script in a fresh node, from the package dir, so the package resolves by its own name. */
function runNode(inputType: "module" | "commonjs", script: string, env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, [`--input-type=${inputType}`, "-e", script], {
    cwd: PACKAGE_DIR,
    encoding: "utf8",
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

const FIXTURE = JSON.stringify({
  schema_version: 1,
  name: "dist-probe",
  cases: [
    {
      case_id: "create",
      method: "POST",
      endpoint: "/v1/tasks",
      actor_id: "ops-bot",
      expected: {
        outcome: "success",
        status_code: 201,
        response_body: { status: "accepted", method: "POST", endpoint: "/v1/tasks", actor_id: "ops-bot" },
      },
    },
  ],
});

/** Same question for both module systems: which exports exist, and what one cycle reports. */
const PROBE = `
(async () => {
  const stateDir = process.env.PROBE_STATE_DIR;
  const runtime = await api.GatewayRuntime.open({ stateDir, clock: () => 1700000000000 });
  const report = await runtime.runCycle(contract.parseFixture(process.env.PROBE_FIXTURE));
  await runtime.close();
  const status = await api.readGatewayStatus(stateDir);
  console.log(JSON.stringify({
    GatewayRuntime: typeof api.GatewayRuntime,
    simulatedDriver: typeof api.simulatedDriver,
    readGatewayStatus: typeof api.readGatewayStatus,
    driverName: api.simulatedDriver().name,
    applied: report.summary.applied_cases,
    gate: report.gate,
    cycleReports: status.cycle_reports,
  }));
})();
`;

describe("the built package", () => {
  beforeAll(() => {
    const missing = builtFiles.filter((file) => !existsSync(join(PACKAGE_DIR, file)));
    if (missing.length > 0) {
      throw new Error(`missing ${missing.join(", ")} in ${PACKAGE_DIR}: run \`npx tsup\` (or \`npm run build\`) first`);
    }
  });

  it("loads with import() as ESM and with require() as CommonJS, and both run a cycle", async () => {
    const esm = JSON.parse(
      runNode(
        "module",
        `const api = await import("@tau/gateway-runtime");\nconst contract = await import("@tau/gateway-contract");\n${PROBE}`,
        { PROBE_STATE_DIR: await makeStateDir(), PROBE_FIXTURE: FIXTURE },
      ),
    );
    const cjs = JSON.parse(
      runNode(
        "commonjs",
        `const api = require("@tau/gateway-runtime");\nconst contract = require("@tau/gateway-contract");\n${PROBE}`,
        { PROBE_STATE_DIR: await makeStateDir(), PROBE_FIXTURE: FIXTURE },
      ),
    );
    expect(esm).toEqual({
      GatewayRuntime: "function",
      simulatedDriver: "function",
      readGatewayStatus: "function",
      driverName: "simulated",
      applied: 1,
      gate: { gate: "pass", reason_code: "guardrail_checks_passing" },
      cycleReports: 1,
    });
    expect(cjs).toEqual(esm);
  }, 30_000);

  it("recognises a GatewayRuntimeError thrown by the other module format's copy", async () => {
    const output = runNode(
      "module",
      `
import { createRequire } from "node:module";
import { GatewayRuntimeError } from "@tau/gateway-runtime";
const cjs = createRequire(process.cwd() + "/package.json")("@tau/gateway-runtime");
let thrown;
try { await cjs.GatewayRuntime.open({ stateDir: process.env.PROBE_STATE_DIR, settings: { queueLimit: 0 } }); } catch (error) { thrown = error; }
console.log(JSON.stringify({
  sameClass: cjs.GatewayRuntimeError === GatewayRuntimeError,
  isInstance: GatewayRuntimeError.isInstance(thrown),
  code: thrown?.code,
}));
`,
      { PROBE_STATE_DIR: await makeStateDir() },
    );
    expect(JSON.parse(output)).toEqual({ sameClass: false, isInstance: true, code: "E_INVALID_OPTION" });
  }, 30_000);

  it("refuses a state dir held by a runner in another process, naming its pid, and takes it over once that process is gone", async () => {
    const stateDir = await makeStateDir();
    const holder = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `
const { GatewayRuntime } = await import("@tau/gateway-runtime");
await GatewayRuntime.open({ stateDir: process.env.PROBE_STATE_DIR });
console.log("holding");
setInterval(() => {}, 1000);
`,
      ],
      { cwd: PACKAGE_DIR, env: { ...process.env, PROBE_STATE_DIR: stateDir }, stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = once(holder, "exit");
    onTestFinished(async () => {
      if (holder.exitCode === null && holder.signalCode === null) {
        holder.kill("SIGKILL");
        await exited;
      }
    });
    const [firstChunk] = (await once(holder.stdout, "data")) as [Buffer];
    expect(firstChunk.toString()).toContain("holding");

    let error: unknown;
    try {
      await GatewayRuntime.open({ stateDir });
    } catch (caught) {
      error = caught;
    }
    expect(GatewayRuntimeError.isInstance(error)).toBe(true);
    const locked = error as GatewayRuntimeError;
    expect(locked.code).toBe("E_STATE_LOCKED");
    expect(locked.holderPid).toBe(holder.pid);
    expect(locked.message).toContain(`pid ${holder.pid}`);

    // A runner that dies without closing leaves its lock behind; the next runner takes it over.
    holder.kill("SIGKILL");
    await exited;
    const runtime = await GatewayRuntime.open({ stateDir });
    await runtime.close();
  }, 30_000);

  it("runs the README example and prints what the README says", () => {
    const readme = readFileSync(join(PACKAGE_DIR, "README.md"), "utf8");
    const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
    const printed = /prints\n\n```text\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(example, "README.md needs a ```js example").toBeDefined();
    expect(printed, "README.md needs the example's output in a ```text block after 'prints'").toBeDefined();
    expect(runNode("module", example ?? "")).toBe(printed);
  }, 30_000);
});
