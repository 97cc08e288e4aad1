import { describe, expect, it } from "vitest";
import { otelExportRequested, startGatewayTelemetry } from "../src/index";

describe("otelExportRequested", () => {
  it("is on when any OTLP endpoint variable is set, off without one", () => {
    expect(otelExportRequested({})).toBe(false);
    expect(otelExportRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "" })).toBe(false);
    expect(otelExportRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "  " })).toBe(false);
    expect(otelExportRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" })).toBe(true);
    expect(otelExportRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://collector:4318/v1/traces" })).toBe(true);
    expect(otelExportRequested({ OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: "http://collector:4318/v1/metrics" })).toBe(true);
  });

  it("OTEL_SDK_DISABLED=true turns it off, whatever the endpoint", () => {
    expect(otelExportRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "TRUE" })).toBe(false);
    expect(otelExportRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318", OTEL_SDK_DISABLED: "false" })).toBe(true);
  });

  it("startGatewayTelemetry resolves to undefined when export is off", async () => {
    await expect(startGatewayTelemetry({ env: {} })).resolves.toBeUndefined();
    await expect(startGatewayTelemetry({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://x:4318", OTEL_SDK_DISABLED: "true" } })).resolves.toBeUndefined();
  });
});
