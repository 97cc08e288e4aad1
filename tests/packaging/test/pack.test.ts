import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, packAll, publishedPackages, ROOT, run, tempDir, writeConsumer, type PublishedPackage } from "./helpers";

// What a user gets from npm, checked the way a user meets it: the packed tarballs installed in a
// directory outside this repository, with none of the workspace's node_modules to lean on.
const REPO_URL = "https://github.com/tau-gateway/tau-gateway-runner";
const LIBRARIES = ["@tau/event-store", "@tau/gateway-contract", "@tau/gateway-guardrail", "@tau/gateway-runtime", "@tau/gateway-watch", "@tau/gateway", "@tau/gateway-reference", "@tau/gateway-report", "@tau/gateway-otel"];

let packages: PublishedPackage[];
let tarballs: Map<string, string>;
let consumer: string;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  packages = await publishedPackages();
  const packs = await tempDir("tau-packs-");
  const install = await tempDir("tau-consumer-");
  cleanups.push(packs.remove, install.remove);
  tarballs = await packAll(packs.dir);
  consumer = install.dir;
  await writeConsumer(consumer, tarballs);
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], { cwd: consumer, timeout: 300_000 });
}, 600_000);

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

const tarEntries = async (tarball: string) => (await run("tar", ["-tzf", tarball], { cwd: ROOT })).stdout.split("\n").filter(Boolean);

describe("the packed tarballs", { timeout: 300_000 }, () => {
  it("are every library and the CLI", () => {
    expect([...tarballs.keys()].sort()).toEqual([...LIBRARIES, "@tau/gateway-cli"].sort());
  });

  it("each hold the MIT LICENSE, README.md, CHANGELOG.md and dist, and no sources or tests", async () => {
    const license = await readFile(join(ROOT, "LICENSE"), "utf8");
    expect(license).toMatch(/^MIT License/);
    for (const [name, tarball] of tarballs) {
      const entries = await tarEntries(tarball);
      for (const file of ["package/LICENSE", "package/README.md", "package/CHANGELOG.md", "package/package.json"]) expect(entries, name).toContain(file);
      expect(entries.some((e) => e.startsWith("package/dist/")), name).toBe(true);
      expect(entries.filter((e) => /^package\/(src|test)\//.test(e)), name).toEqual([]);
      expect((await run("tar", ["-xzOf", tarball, "package/LICENSE"], { cwd: ROOT })).stdout, name).toBe(license);
    }
  });

  it("ship the CLI's example fixtures, their format doc and the JSON Schema", async () => {
    const entries = await tarEntries(tarballs.get("@tau/gateway-cli") as string);
    for (const file of [
      "bin/tau-gateway.js",
      "dist/bin.js",
      "dist/fixtures/gateway-contract/mixed-outcomes.json",
      "dist/fixtures/gateway-contract/rollout-pass.json",
      "dist/fixtures/gateway-contract/README.md",
      "dist/schema/fixture.schema.json",
    ]) {
      expect(entries).toContain(`package/${file}`);
    }
  });

  it("carry repository (with directory), homepage and bugs, all naming one repository; bin has no ./", async () => {
    for (const pkg of packages) {
      const manifest = JSON.parse(await readFile(join(consumer, "node_modules", pkg.name, "package.json"), "utf8")) as Record<string, any>;
      expect(manifest.license, pkg.name).toBe("MIT");
      expect(manifest.repository, pkg.name).toEqual({ type: "git", url: `git+${REPO_URL}.git`, directory: pkg.dir });
      expect(manifest.homepage, pkg.name).toBe(`${REPO_URL}/tree/main/${pkg.dir}#readme`);
      expect(manifest.bugs, pkg.name).toEqual({ url: `${REPO_URL}/issues` });
      for (const [dep, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies } as Record<string, string>)) {
        expect(range, `${pkg.name} → ${dep}`).toMatch(/^\^\d/);
      }
      for (const path of Object.values((manifest.bin ?? {}) as Record<string, string>)) expect(path).not.toMatch(/^\.\//);
    }
  });

  it("pass @arethetypeswrong/cli: libraries resolve under node10, node16 (CJS and ESM) and bundler; the CLI ships no types", async () => {
    const attw = join(ROOT, "node_modules", ".bin", "attw");
    for (const [name, tarball] of tarballs) {
      const { stdout } = await run(attw, [tarball, "--format", "json"], { cwd: ROOT });
      const result = JSON.parse(stdout) as { analysis: { types: unknown }; problems?: Record<string, unknown[]> };
      if (name === "@tau/gateway-cli") {
        expect(result.analysis.types).toBe(false);
      } else {
        expect(result.analysis.types, name).not.toBe(false);
        expect(Object.values(result.problems ?? {}).flat(), name).toEqual([]);
      }
    }
  });
});

describe("installed outside the repository", { timeout: 300_000 }, () => {
  it("imports every library as ESM and runs a simulated cycle through @tau/gateway", async () => {
    const script = `
      import * as contract from "@tau/gateway-contract";
      import * as guardrail from "@tau/gateway-guardrail";
      import * as store from "@tau/event-store";
      import * as runtime from "@tau/gateway-runtime";
      import * as reference from "@tau/gateway-reference";
      import * as reports from "@tau/gateway-report";
      import { GatewayRuntime, parseFixture } from "@tau/gateway";
      const fns = [contract.parseFixture, guardrail.evaluateGate, store.appendJsonl, runtime.simulatedDriver, reference.createReferenceGateway, reports.renderReport];
      if (fns.some((f) => typeof f !== "function")) throw new Error("missing export");
      const fixture = parseFixture(JSON.stringify({ schema_version: 1, name: "esm", cases: [{ case_id: "a", method: "GET", endpoint: "/v1/a", actor_id: "x",
        expected: { outcome: "success", status_code: 200, response_body: { status: "accepted", method: "GET", endpoint: "/v1/a", actor_id: "x" } } }] }));
      // Inside the consumer dir (the cwd), which the test removes.
      const rt = await GatewayRuntime.open({ stateDir: ".tau/esm" });
      const report = await rt.runCycle(fixture, {});
      await rt.close();
      console.log(report.gate.gate);
    `;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: consumer });
    expect(stdout.trim()).toBe("pass");
  });

  it("requires every library as CommonJS", async () => {
    const script = `
      const names = ${JSON.stringify(LIBRARIES)};
      for (const name of names) {
        const mod = require(name);
        if (Object.keys(mod).length === 0) throw new Error(name + " exports nothing");
      }
      const { parseFixture, FixtureError } = require("@tau/gateway");
      try { parseFixture("{}"); } catch (e) { console.log(FixtureError.isInstance(e)); }
    `;
    const { stdout } = await run(process.execPath, ["-e", script], { cwd: consumer });
    expect(stdout.trim()).toBe("true");
  });

  it("type-checks a strict TypeScript consumer with node16 and with bundler resolution", async () => {
    const body = (from: (name: string) => string) => `
      ${LIBRARIES.map((name, i) => `import * as m${i} from "${from(name)}";`).join("\n      ")}
      import { parseFixture, evaluateGate, GatewayRuntime, type Fixture, type CycleReport, type GatewayStatus } from "${from("@tau/gateway")}";
      import { createReferenceGateway, type ReferenceGatewayOptions } from "${from("@tau/gateway-reference")}";

      export const modules = [${LIBRARIES.map((_, i) => `m${i}`).join(", ")}];
      export const fixture: Fixture = parseFixture("{}");
      export const options: ReferenceGatewayOptions = { latencyMs: 0, failRate: 0, seed: 1 };
      export const server = createReferenceGateway(options);
      export async function gate(stateDir: string): Promise<CycleReport["gate"]["gate"]> {
        const runtime = await GatewayRuntime.open({ stateDir });
        const report = await runtime.runCycle(fixture, {});
        await runtime.close();
        return report.gate.gate;
      }
      export type Gate = GatewayStatus["rollout_gate"];
      // The types are real, not any: each misuse below must be an error.
      // @ts-expect-error parseFixture takes the fixture text
      parseFixture(42);
      // @ts-expect-error evaluateGate takes one options object
      evaluateGate(1, 2, 3);
      // @ts-expect-error stateDir is a string
      void GatewayRuntime.open({ stateDir: 1 });
    `;
    await mkdir(join(consumer, "ts"), { recursive: true });
    await writeFile(join(consumer, "ts", "esm.mts"), body((name) => name));
    await writeFile(join(consumer, "ts", "cjs.cts"), body((name) => name));
    await writeFile(join(consumer, "ts", "bundler.ts"), body((name) => name));
    const strict = {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      verbatimModuleSyntax: false,
      target: "es2022",
      types: ["node"],
      typeRoots: [join(ROOT, "node_modules", "@types")],
    };
    await writeFile(
      join(consumer, "tsconfig.node16.json"),
      JSON.stringify({ compilerOptions: { ...strict, module: "node16", moduleResolution: "node16" }, files: ["ts/esm.mts", "ts/cjs.cts"] }),
    );
    await writeFile(
      join(consumer, "tsconfig.bundler.json"),
      JSON.stringify({ compilerOptions: { ...strict, module: "esnext", moduleResolution: "bundler" }, files: ["ts/bundler.ts"] }),
    );
    const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
    for (const config of ["tsconfig.node16.json", "tsconfig.bundler.json"]) {
      await run(process.execPath, [tsc, "-p", config], { cwd: consumer, timeout: 240_000 });
    }
  });

  it("runs `tau-gateway init && tau-gateway run && tau-gateway status --json` in an empty directory", async () => {
    const work = await tempDir("tau-cli-user-");
    cleanups.push(work.remove);
    const bin = join(consumer, "node_modules", ".bin", "tau-gateway");
    const env = cleanEnv();
    await run(bin, ["init"], { cwd: work.dir, env });
    const cycle = await run(bin, ["run"], { cwd: work.dir, env });
    expect(cycle.stdout).toContain("gateway runner gate: rollout_gate=hold");
    const status = await run(bin, ["status", "--json"], { cwd: work.dir, env });
    expect(JSON.parse(status.stdout)).toMatchObject({ rollout_gate: "hold", cycle_reports: 1 });
  });
});
