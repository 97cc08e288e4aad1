import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseFixture } from "@tau/gateway-contract";
import { GatewayRuntime } from "@tau/gateway-runtime";
import { startGatewayTelemetry } from "../src/index";
import { OtlpReceiver } from "./helpers/otlp-receiver";

const body = { status: "accepted", method: "GET", endpoint: "/v1/tasks/7", actor_id: "ops-bot" };
const fixture = parseFixture(
  JSON.stringify({
    schema_version: 1,
    name: "traced",
    cases: [{ case_id: "read-task", method: "GET", endpoint: "/v1/tasks/7", actor_id: "ops-bot", expected: { outcome: "success", status_code: 200, response_body: body } }],
  }),
  "traced.json",
);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function runtime(): Promise<GatewayRuntime> {
  const dir = await mkdtemp(join(tmpdir(), "tau-otel-test-"));
  const rt = await GatewayRuntime.open({ stateDir: dir });
  cleanups.push(async () => {
    await rt.close();
    await rm(dir, { recursive: true, force: true });
  });
  return rt;
}

describe("startGatewayTelemetry", { timeout: 30_000 }, () => {
  it("exports the cycle span and the cycle metrics to the endpoint", async () => {
    const receiver = new OtlpReceiver();
    const url = await receiver.listen();
    cleanups.push(() => receiver.close());
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", url);
    const warnings: string[] = [];
    const telemetry = await startGatewayTelemetry({ onWarning: (m) => warnings.push(m), serviceVersion: "9.9.9" });
    expect(telemetry).toBeDefined();
    const rt = await runtime();
    telemetry?.startCycle();
    const report = await rt.runCycle(fixture, {});
    telemetry?.endCycle(report, { verdict: "pass" });
    await telemetry?.shutdown();

    expect(warnings).toEqual([]);
    const [span, ...others] = receiver.spans();
    expect(others).toEqual([]);
    expect(span?.name).toBe("tau_gateway.cycle");
    expect(span?.resource).toMatchObject({ "service.name": "tau-gateway", "service.version": "9.9.9" });
    expect(span?.attributes).toMatchObject({ "tau_gateway.fixture.name": "traced", "tau_gateway.gate": "pass", "tau_gateway.verdict": "pass", "tau_gateway.cases.applied": 1 });
    expect(receiver.points("tau_gateway.cycle.duration")[0]?.count).toBe(1);
  });

  it("a cycle that throws ends its span with an error status and counts an error cycle", async () => {
    const receiver = new OtlpReceiver();
    const url = await receiver.listen();
    cleanups.push(() => receiver.close());
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", url);
    const telemetry = await startGatewayTelemetry();
    telemetry?.startCycle();
    telemetry?.failCycle(new Error("disk full\nsecond line"));
    await telemetry?.shutdown();
    const [span] = receiver.spans();
    expect(span?.status).toMatchObject({ code: 2, message: "disk full" });
    expect(receiver.points("tau_gateway.cycles")).toEqual([expect.objectContaining({ attributes: { result: "error" }, value: 1 })]);
  });

  it("a collector that never answers: shutdown still resolves, with one warning", async () => {
    const sockets = new Set<import("node:net").Socket>();
    const silent: Server = createServer(() => undefined);
    silent.on("connection", (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", `http://127.0.0.1:${(silent.address() as AddressInfo).port}`);
    vi.stubEnv("OTEL_EXPORTER_OTLP_TIMEOUT", "200");
    const warnings: string[] = [];
    const telemetry = await startGatewayTelemetry({ onWarning: (m) => warnings.push(m) });
    const rt = await runtime();
    telemetry?.startCycle();
    telemetry?.endCycle(await rt.runCycle(fixture, {}));
    await telemetry?.shutdown();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^OpenTelemetry export failed \(.+\); the run goes on without it$/);
  });

  it("a timeout over what a timer holds is clamped: no overflow warning, no timer that fires at once", async () => {
    const receiver = new OtlpReceiver();
    const url = await receiver.listen();
    cleanups.push(() => receiver.close());
    vi.stubEnv("OTEL_EXPORTER_OTLP_ENDPOINT", url);
    vi.stubEnv("OTEL_EXPORTER_OTLP_TIMEOUT", "999999999999");
    const processWarnings: string[] = [];
    const onProcessWarning = (warning: Error) => processWarnings.push(`${warning.name}: ${warning.message}`);
    process.on("warning", onProcessWarning);
    cleanups.push(async () => process.off("warning", onProcessWarning));
    const warnings: string[] = [];
    const telemetry = await startGatewayTelemetry({ onWarning: (m) => warnings.push(m) });
    const rt = await runtime();
    telemetry?.startCycle();
    telemetry?.endCycle(await rt.runCycle(fixture, {}));
    await telemetry?.shutdown();
    // Let a process warning emitted during shutdown reach the listener.
    await new Promise((resolve) => setImmediate(resolve));
    expect(processWarnings.filter((w) => w.startsWith("TimeoutOverflowWarning"))).toEqual([]);
    expect(warnings).toEqual([]);
    expect(receiver.spans().map((s) => s.name)).toContain("tau_gateway.cycle");
  });
});
