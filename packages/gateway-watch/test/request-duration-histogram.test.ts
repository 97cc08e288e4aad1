import { Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { GatewayDriver } from "@tau/gateway-runtime";
import { GatewayMetrics, statusClass, timedDriver } from "../src";

// The request-duration histogram is kept by hand (prom-client's observe costs too much per
// request); its exposition must stay exactly what prom-client's own Histogram gives.

const NAME = "tau_gateway_request_duration_seconds";
const BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function promClientReference() {
  const registry = new Registry();
  const histogram = new Histogram({
    name: NAME,
    help: "Duration of one request to the gateway (one attempt), by method and status class.",
    labelNames: ["method", "status_class"] as const,
    buckets: BUCKETS,
    registers: [registry],
  });
  return { registry, histogram };
}

/** A deterministic mix: every bucket edge, values between them, zero, above the last bucket. */
function observations(): Array<{ method: string; statusClass: string; seconds: number }> {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OTHER"];
  const classes = ["2xx", "4xx", "5xx", "3xx", "1xx", "other", "transport_error"];
  const out = [];
  for (const bound of BUCKETS) out.push({ method: "GET", statusClass: "2xx", seconds: bound });
  out.push({ method: "PUT", statusClass: "4xx", seconds: 0 }, { method: "PUT", statusClass: "4xx", seconds: 12.5 });
  for (let i = 0; i < 5000; i++) {
    out.push({
      method: methods[Math.floor(random() * methods.length)] as string,
      statusClass: classes[Math.floor(random() * classes.length)] as string,
      seconds: random() ** 4 * 14,
    });
  }
  return out;
}

async function section(text: string): Promise<string> {
  return text
    .split("\n\n")
    .filter((block) => block.includes(`# TYPE ${NAME} `))
    .join("\n\n")
    .trim();
}

describe("request duration histogram", () => {
  it("exposes exactly what prom-client's Histogram exposes for the same observations", async () => {
    const metrics = new GatewayMetrics();
    const reference = promClientReference();
    for (const o of observations()) {
      metrics.observeRequest(o);
      reference.histogram.observe({ method: o.method, status_class: o.statusClass }, o.seconds);
    }
    const expected = (await reference.registry.getSingleMetricAsString(NAME)).trim();
    expect(expected).toContain('status_class="transport_error"');
    expect(await section(await metrics.text())).toBe(expected);
  });

  it("exposes only HELP and TYPE before the first request, as prom-client does", async () => {
    const reference = promClientReference();
    expect(await section(await new GatewayMetrics().text())).toBe((await reference.registry.getSingleMetricAsString(NAME)).trim());
  });

  it("keeps its place among the other metrics of the exposition", async () => {
    const names = (await new GatewayMetrics().text()).split("\n").filter((l) => l.startsWith("# TYPE ")).map((l) => l.split(" ")[2]);
    expect(names.indexOf(NAME)).toBe(names.indexOf("tau_gateway_cycle_duration_seconds") + 1);
    expect(names.indexOf("tau_gateway_failure_streak")).toBe(names.indexOf(NAME) + 1);
  });
});

describe("timedDriver labels", () => {
  it.each([
    [{ outcome: "transport_error", error_code: "ECONNREFUSED", message: "x" }, "transport_error"],
    [{ outcome: "success", status_code: 100, error_code: "", response_body: null }, "1xx"],
    [{ outcome: "success", status_code: 204, error_code: "", response_body: null }, "2xx"],
    [{ outcome: "malformed_input", status_code: 302, error_code: "", response_body: null }, "3xx"],
    [{ outcome: "malformed_input", status_code: 499, error_code: "", response_body: null }, "4xx"],
    [{ outcome: "retryable_failure", status_code: 599, error_code: "", response_body: null }, "5xx"],
    [{ outcome: "retryable_failure", status_code: 600, error_code: "", response_body: null }, "other"],
    [{ outcome: "success", status_code: 99, error_code: "", response_body: null }, "other"],
  ] as const)("status class of %j is %s", (result, expected) => {
    expect(statusClass(result as Parameters<typeof statusClass>[0])).toBe(expected);
  });

  it("labels each method spelling by its normalised name, anything unsupported as OTHER", async () => {
    const seen: string[] = [];
    const driver: GatewayDriver = { name: "fake", execute: async () => ({ outcome: "success", status_code: 200, error_code: "", response_body: null }) };
    const timed = timedDriver(driver, (o) => seen.push(`${o.method} ${o.statusClass} ${o.seconds >= 0}`));
    const methods = [" post ", "get", "GET", "Delete", "brew", "TRACE", "patch", "put", " post "];
    for (const method of methods) {
      await timed.execute({ method } as Parameters<GatewayDriver["execute"]>[0], { attempt: 1 });
    }
    expect(seen).toEqual(["POST", "GET", "GET", "DELETE", "OTHER", "OTHER", "PATCH", "PUT", "POST"].map((m) => `${m} 2xx true`));
  });
});
