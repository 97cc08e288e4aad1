import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, expectTypeOf, it } from "vitest";
import * as umbrella from "@tau/gateway";
import type {
  CycleReport,
  CycleSummary,
  DirLock,
  Drift,
  Fixture,
  GatewayCase,
  GatewayDriver,
  GatewayStatus,
  HealthSnapshot,
  Observed,
  Outcome,
  RunnerOptions,
  TransportHealthRow,
} from "@tau/gateway";
import * as contract from "@tau/gateway-contract";
import * as guardrail from "@tau/gateway-guardrail";
import * as eventStore from "@tau/event-store";
import * as runtime from "@tau/gateway-runtime";
import * as watch from "@tau/gateway-watch";
import * as report from "@tau/gateway-report";
import * as otel from "@tau/gateway-otel";
import type * as contractTypes from "@tau/gateway-contract";
import type * as guardrailTypes from "@tau/gateway-guardrail";
import type * as eventStoreTypes from "@tau/event-store";
import type * as runtimeTypes from "@tau/gateway-runtime";

// These tests load the built packages, as a consumer does: turbo builds before testing; by
// hand, run `npm run build` at the repository root first.
const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));
const BUILD_HINT = "dist/ is missing: run `npm run build` at the repository root first";

const PACKAGES = [
  "@tau/gateway-contract",
  "@tau/gateway-guardrail",
  "@tau/event-store",
  "@tau/gateway-runtime",
  "@tau/gateway-watch",
  "@tau/gateway-report",
  "@tau/gateway-otel",
] as const;

/** What a fresh node process sees: each package's export names, the umbrella's, and which umbrella values are not the package's own object. */
interface Report {
  packages: Record<string, string[]>;
  umbrella: string[];
  notSameObject: string[];
}

// Loads `load(name)` for each package and the umbrella; body shared by the ESM and CJS runs.
const REPORT_BODY = `
  const names = ${JSON.stringify(PACKAGES)};
  const u = await load("@tau/gateway");
  const report = { packages: {}, umbrella: Object.keys(u).sort(), notSameObject: [] };
  for (const name of names) {
    const m = await load(name);
    report.packages[name] = Object.keys(m).sort();
    for (const key of Object.keys(m)) if (u[key] !== m[key]) report.notSameObject.push(name + ":" + key);
  }
  console.log(JSON.stringify(report));
`;

/** Runs the report in a fresh node from the package dir, so every `@tau/*` resolves through the workspace links. */
function childReport(kind: "esm" | "cjs"): Report {
  const script =
    kind === "esm"
      ? `const load = (name) => import(name);\n${REPORT_BODY}`
      : `const load = (name) => require(name);\n(async () => {${REPORT_BODY}})().catch((e) => { console.error(e); process.exit(1); });`;
  const stdout = execFileSync(process.execPath, ["--no-warnings", `--input-type=${kind === "esm" ? "module" : "commonjs"}`, "-e", script], {
    cwd: PACKAGE_DIR,
    encoding: "utf8",
  });
  return JSON.parse(stdout) as Report;
}

/** The umbrella must expose exactly the union of the five packages, with no name claimed twice. */
function expectUnion(report: Report): void {
  const union = new Set<string>();
  let total = 0;
  for (const name of PACKAGES) {
    const keys = report.packages[name] ?? [];
    expect(keys.length, `${name} exports nothing`).toBeGreaterThan(0);
    total += keys.length;
    for (const key of keys) union.add(key);
    for (const key of keys) expect(report.umbrella, `@tau/gateway lacks ${name}'s ${key}`).toContain(key);
  }
  // `export *` silently drops a name two packages both export: catch that here.
  expect(union.size, "two packages export the same name; the umbrella would drop it").toBe(total);
  expect(report.umbrella).toEqual([...union].sort());
  expect(report.notSameObject).toEqual([]);
}

// Fresh node processes per test: generous on a shared machine (nothing here asserts on time).
describe("@tau/gateway re-exports", { timeout: 30_000 }, () => {
  it("has been built, with the packages it re-exports", () => {
    expect(existsSync(join(PACKAGE_DIR, "dist", "index.js")), BUILD_HINT).toBe(true);
    expect(existsSync(join(PACKAGE_DIR, "dist", "index.cjs")), BUILD_HINT).toBe(true);
    expect(existsSync(join(PACKAGE_DIR, "dist", "index.d.ts")), BUILD_HINT).toBe(true);
  });

  it("every runtime value of the five packages, the same objects (in this process)", () => {
    const modules: Record<string, Record<string, unknown>> = {
      "@tau/gateway-contract": contract,
      "@tau/gateway-guardrail": guardrail,
      "@tau/event-store": eventStore,
      "@tau/gateway-runtime": runtime,
      "@tau/gateway-watch": watch,
      "@tau/gateway-report": report,
      "@tau/gateway-otel": otel,
    };
    const u = umbrella as Record<string, unknown>;
    const packages: Record<string, string[]> = {};
    const notSameObject: string[] = [];
    for (const [name, m] of Object.entries(modules)) {
      packages[name] = Object.keys(m).sort();
      for (const key of Object.keys(m)) if (u[key] !== m[key]) notSameObject.push(`${name}:${key}`);
    }
    expectUnion({ packages, umbrella: Object.keys(u).sort(), notSameObject });
  });

  it("every runtime value of the five packages through import (fresh node, ESM build)", () => {
    expectUnion(childReport("esm"));
  });

  it("every runtime value of the five packages through require (fresh node, CommonJS build)", () => {
    expectUnion(childReport("cjs"));
  });

  it("the ESM and CommonJS builds expose the same names", () => {
    expect(childReport("cjs").umbrella).toEqual(childReport("esm").umbrella);
  });

  it("requiring the umbrella loads no OpenTelemetry SDK module (it is imported only when an OTLP endpoint is set)", () => {
    const script = `require("@tau/gateway"); console.log(JSON.stringify(Object.keys(require.cache)));`;
    const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: "" };
    const loaded = JSON.parse(execFileSync(process.execPath, ["--no-warnings", "-e", script], { cwd: PACKAGE_DIR, encoding: "utf8", env })) as string[];
    expect(loaded.some((path) => path.includes("gateway-otel"))).toBe(true);
    expect(loaded.filter((path) => /@opentelemetry[\\/](sdk-|exporter-|otlp-|resources)/.test(path))).toEqual([]);
  });

  it("the names of the public surface embedders rely on", () => {
    const names = Object.keys(umbrella);
    for (const name of [
      "parseFixture",
      "loadFixture",
      "FixtureError",
      "capabilities",
      "evaluateCase",
      "checkContract",
      "fixtureJsonSchema",
      "snapshotHealth",
      "classifyHealth",
      "evaluateGate",
      "cycleReasonCodes",
      "appendJsonl",
      "readJsonl",
      "inspectJsonl",
      "repairJsonl",
      "writeFileAtomic",
      "lockDir",
      "ChannelStore",
      "GatewayRuntime",
      "simulatedDriver",
      "readGatewayStatus",
      "readTransportHealth",
      "GatewayWatcher",
      "createWatchServer",
      "evaluateVerdict",
      "GatewayMetrics",
      "loadReportData",
      "renderJunit",
      "renderMarkdown",
      "renderHtml",
      "renderJson",
      "renderReport",
      "REPORT_KINDS",
      "startGatewayTelemetry",
      "otelExportRequested",
    ]) {
      expect(names, `@tau/gateway lacks ${name}`).toContain(name);
    }
  });

  it("the types too (checked by tsc: `npx tsc -p tsconfig.json`)", () => {
    expectTypeOf<Fixture>().toEqualTypeOf<contractTypes.Fixture>();
    expectTypeOf<GatewayCase>().toEqualTypeOf<contractTypes.GatewayCase>();
    expectTypeOf<Observed>().toEqualTypeOf<contractTypes.Observed>();
    expectTypeOf<Outcome>().toEqualTypeOf<contractTypes.Outcome>();
    expectTypeOf<Drift>().toEqualTypeOf<contractTypes.Drift>();
    expectTypeOf<CycleSummary>().toEqualTypeOf<guardrailTypes.CycleSummary>();
    expectTypeOf<HealthSnapshot>().toEqualTypeOf<guardrailTypes.HealthSnapshot>();
    expectTypeOf<DirLock>().toEqualTypeOf<eventStoreTypes.DirLock>();
    expectTypeOf<RunnerOptions>().toEqualTypeOf<runtimeTypes.RunnerOptions>();
    expectTypeOf<CycleReport>().toEqualTypeOf<runtimeTypes.CycleReport>();
    expectTypeOf<GatewayStatus>().toEqualTypeOf<runtimeTypes.GatewayStatus>();
    expectTypeOf<TransportHealthRow>().toEqualTypeOf<runtimeTypes.TransportHealthRow>();
    expectTypeOf<GatewayDriver>().toEqualTypeOf<runtimeTypes.GatewayDriver>();
  });
});
