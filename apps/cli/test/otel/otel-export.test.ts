import { readFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { OtlpReceiver, type ReceivedSpan } from "../../../../packages/gateway-otel/test/helpers/otlp-receiver";
import { workspace } from "../helpers";
import { closedPort, startReferenceProcess, type ReferenceProcess } from "../live/live-cli-helpers";

const FIXTURE = "fixtures/gateway-contract/mixed-outcomes.json";
const RECORD_LOADS = pathToFileURL(new URL("./record-loads.mjs", import.meta.url).pathname).href;
/** The SDK's own modules: the API alone may come with prom-client, the SDK must not. */
const SDK_MODULE = /@opentelemetry\/(sdk-|exporter-|otlp-|resources)/;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function receiver(): Promise<{ receiver: OtlpReceiver; url: string }> {
  const r = new OtlpReceiver();
  const url = await r.listen();
  cleanups.push(() => r.close());
  return { receiver: r, url };
}

async function reference(cwd: string): Promise<ReferenceProcess> {
  const server = await startReferenceProcess(cwd);
  cleanups.push(() => server.stop());
  return server;
}

function cycleSpans(spans: ReceivedSpan[]): ReceivedSpan[] {
  return spans.filter((s) => s.name === "tau_gateway.cycle");
}

describe("OpenTelemetry export (OTLP/HTTP)", { timeout: 60_000 }, () => {
  it("run (simulated) exports one cycle span with the cycle's attributes, and the metrics", async () => {
    const { receiver: otlp, url } = await receiver();
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["run", FIXTURE], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_HEADERS: "x-tenant=blue", OTEL_SERVICE_NAME: "canary-check" },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/OpenTelemetry/);
    const state = await ws.readJson<{ last_cycle: { fixture_sha256: string } }>(".tau/gateway/state.json");

    const spans = otlp.spans();
    expect(spans).toHaveLength(1);
    const [cycle] = cycleSpans(spans);
    expect(cycle?.resource["service.name"]).toBe("canary-check");
    expect(cycle?.attributes).toMatchObject({
      "tau_gateway.fixture.name": "mixed-outcomes",
      "tau_gateway.fixture.sha256": state.last_cycle.fixture_sha256,
      "tau_gateway.driver": "simulated",
      "tau_gateway.cases.applied": 1,
      "tau_gateway.cases.malformed": 1,
      "tau_gateway.cases.failed": 1,
      "tau_gateway.retry.attempts": 3,
      "tau_gateway.gate": "hold",
      "tau_gateway.gate.reason_code": "retryable_failures_threshold_exceeded",
      "tau_gateway.cycle.aborted": false,
    });
    expect(cycle?.attributes["tau_gateway.health.state"]).toEqual(expect.any(String));

    const cases = Object.fromEntries(otlp.points("tau_gateway.cases").map((p) => [p.attributes.outcome, p.value]));
    expect(cases).toEqual({ applied: 1, malformed: 1, failed: 1, duplicate: 0 });
    expect(otlp.points("tau_gateway.gate")).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ attributes: { gate: "hold" }, value: 1 }),
        expect.objectContaining({ attributes: { gate: "pass" }, value: 0 }),
      ]),
    );
    expect(otlp.points("tau_gateway.cycles")).toEqual([expect.objectContaining({ attributes: { result: "completed" }, value: 1 })]);
    // OTEL_EXPORTER_OTLP_HEADERS is honoured by the exporters, on both signals.
    expect(otlp.requests.map((r) => r.headers["x-tenant"])).toEqual(otlp.requests.map(() => "blue"));
    expect(new Set(otlp.requests.map((r) => r.path))).toEqual(new Set(["/v1/traces", "/v1/metrics"]));
  });

  it("a live run against serve-reference adds one child span per request, without header values", async () => {
    const { receiver: otlp, url } = await receiver();
    const ws = await workspace(["mixed-outcomes.json"]);
    const server = await reference(ws.dir);
    const secret = "otel-secret-3f9a";
    const result = await ws.run(["run", FIXTURE, "--gateway-target-url", server.url, "--gateway-target-header", `Authorization: Bearer ${secret}`], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: url },
    });
    expect(result.code, result.stderr).toBe(0);

    const spans = otlp.spans();
    const [cycle] = cycleSpans(spans);
    expect(cycle?.attributes["tau_gateway.driver"]).toBe("http");
    const requests = spans.filter((s) => s !== cycle);
    // 1 success + 1 malformed + 4 attempts of the retryable case (3 retries).
    expect(requests).toHaveLength(6);
    for (const span of requests) {
      expect(span.traceId).toBe(cycle?.traceId);
      expect(span.parentSpanId).toBe(cycle?.spanId);
      expect(span.kind).toBe(3); // SPAN_KIND_CLIENT
      expect(span.attributes).toMatchObject({ "server.address": "127.0.0.1", "server.port": server.port });
      expect(span.attributes["url.path"]).toMatch(/^\/v1\/tasks/);
      expect(span.attributes["http.response.status_code"]).toEqual(expect.any(Number));
    }
    const success = requests.find((s) => s.attributes["tau_gateway.case.id"] === "gateway-success");
    expect(success?.name).toBe("POST");
    expect(success?.attributes).toMatchObject({ "url.path": "/v1/tasks", "http.request.method": "POST", "http.response.status_code": 201, "tau_gateway.outcome": "success", "tau_gateway.attempt": 1 });
    const retried = requests.filter((s) => s.attributes["tau_gateway.outcome"] === "retryable_failure");
    expect(retried.map((s) => s.attributes["tau_gateway.attempt"]).sort()).toEqual([1, 2, 3, 4]);
    expect(retried.find((s) => s.attributes["tau_gateway.attempt"] === 2)?.attributes["http.request.resend_count"]).toBe(1);
    expect(retried[0]?.attributes["error.type"]).toBe("503");
    expect(retried[0]?.status?.code).toBe(2); // STATUS_CODE_ERROR

    const durations = otlp.points("tau_gateway.request.duration");
    expect(durations.reduce((n, p) => n + (p.count ?? 0), 0)).toBe(6);
    expect(durations.find((p) => p.attributes["tau_gateway.status_class"] === "2xx")?.attributes["http.request.method"]).toBe("POST");
    expect(durations[0]?.explicitBounds).toEqual([0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
    // Nothing of the header reaches the collector.
    for (const request of otlp.requests) expect(JSON.stringify(request.body)).not.toContain(secret);
  });

  it("watch exports a span per cycle with the verdict, flushed cycle by cycle", async () => {
    const { receiver: otlp, url } = await receiver();
    const ws = await workspace(["mixed-outcomes.json"]);
    const result = await ws.run(["watch", FIXTURE, "--gateway-watch-count", "2", "--gateway-watch-interval-ms", "0", "--gateway-listen", "127.0.0.1:0"], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: url },
    });
    expect(result.code, result.stderr).toBe(0);
    const cycles = cycleSpans(otlp.spans());
    expect(cycles).toHaveLength(2);
    // One export per cycle (a single export at the end would carry both spans in one request).
    expect(otlp.requests.filter((r) => r.path === "/v1/traces").length).toBeGreaterThanOrEqual(2);
    for (const cycle of cycles) expect(cycle.attributes).toMatchObject({ "tau_gateway.verdict": "inconclusive", "tau_gateway.fixture.name": "mixed-outcomes" });
    expect(otlp.points("tau_gateway.cycles")).toEqual([expect.objectContaining({ attributes: { result: "completed" }, value: 2 })]);
    expect(otlp.points("tau_gateway.verdict")).toEqual(expect.arrayContaining([expect.objectContaining({ attributes: { verdict: "inconclusive" }, value: 1 })]));
  });

  it("an unreachable collector leaves the exit code and output unchanged, with one warning line", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const port = await closedPort();
    const failing = await ws.run(["run", FIXTURE, "--gateway-fail-on-hold", "--gateway-state-dir", "a"], {
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    const plain = await ws.run(["run", FIXTURE, "--gateway-fail-on-hold", "--gateway-state-dir", "b"]);
    expect(plain.code).toBe(3);
    expect(failing.code).toBe(plain.code);
    expect(failing.stdout.replaceAll("/a/", "/b/").replace(/duration_ms=\d+/g, "")).toBe(plain.stdout.replace(/duration_ms=\d+/g, ""));
    const warnings = failing.stderr.split("\n").filter((line) => line.includes("OpenTelemetry"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^warning: OpenTelemetry export failed \(.+\); the run goes on without it$/);
  });

  it("without an OTLP endpoint (or with OTEL_SDK_DISABLED=true) no OpenTelemetry SDK module is loaded", async () => {
    const ws = await workspace(["mixed-outcomes.json"]);
    const { url } = await receiver();
    const loads = async (name: string, env: Record<string, string>) => {
      const file = ws.path(`${name}.txt`);
      const result = await ws.run(["run", FIXTURE, "--gateway-state-dir", name], {
        env: { ...env, RECORD_LOADS: file, NODE_OPTIONS: `--import ${RECORD_LOADS}` },
      });
      expect(result.code, result.stderr).toBe(0);
      return (await readFile(file, "utf8")).split("\n");
    };
    const without = await loads("without", {});
    expect(without.some((u) => u.includes("@tau/gateway-otel") || u.includes("gateway-otel/dist"))).toBe(true);
    expect(without.filter((u) => SDK_MODULE.test(u))).toEqual([]);
    const disabled = await loads("disabled", { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_SDK_DISABLED: "true" });
    expect(disabled.filter((u) => SDK_MODULE.test(u))).toEqual([]);
    // The same probe sees the SDK when the endpoint is set: the check above can fail.
    const withEndpoint = await loads("with", { OTEL_EXPORTER_OTLP_ENDPOINT: url });
    expect(withEndpoint.some((u) => u.includes("@opentelemetry/sdk-trace-base"))).toBe(true);
  });
});
